using CaseGrains.Domain.Journey;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// The programme's numbers for a region (ministry dashboard, issue 8), read from the counters written with each event and
/// summed up the region hierarchy. No personal data. Stateless: any silo answers.
/// </summary>
[Alias("cg.IProgrammeStatsGrain")]
public interface IProgrammeStatsGrain : IGrainWithIntegerKey
{
    /// <summary>The region's funnel, its children's totals, throughput, median days per stage, class changes, financing.</summary>
    [Alias("Get")]
    Task<DashboardResult> Get(string regionCode, Actor caller);

    /// <summary>
    /// Recomputes every counter from the timelines (the same function as the live writes) and compares; with
    /// <paramref name="apply"/> replaces the counters with the recomputed ones (admins; run with writes paused).
    /// </summary>
    [Alias("Rebuild"), ResponseTimeout("00:30:00")]
    Task<MetricsRebuild> Rebuild(Actor caller, bool apply);

    /// <summary>Whether the caller may watch (and read) this region's numbers: a known region they may see.</summary>
    [Alias("MayWatch")]
    Task<bool> MayWatch(string regionCode, Actor caller);
}

[GenerateSerializer, Immutable, Alias("cg.DashboardResult")]
public sealed record DashboardResult([property: Id(0)] DashboardView? View, [property: Id(1)] RefusalInfo? Refusal);

[GenerateSerializer, Immutable, Alias("cg.DashboardView")]
public sealed record DashboardView(
    [property: Id(0)] string RegionCode,
    [property: Id(1)] string RegionName,
    [property: Id(2)] long Cases,
    [property: Id(3)] IReadOnlyList<FunnelCell> Funnel,
    [property: Id(4)] IReadOnlyList<ChildRegion> Children,
    [property: Id(5)] IReadOnlyList<WeekCount> Throughput,
    [property: Id(6)] IReadOnlyList<StageMedian> MedianDays,
    [property: Id(7)] IReadOnlyList<ClassChangeCount> ClassChanges,
    [property: Id(8)] long Graduations,
    [property: Id(9)] FinancingTotal? Financing);

/// <summary>Cases of the region in one cell of the cube: segment × gender × current stage × status.</summary>
[GenerateSerializer, Immutable, Alias("cg.FunnelCell")]
public sealed record FunnelCell(
    [property: Id(0)] Segment Segment,
    [property: Id(1)] Gender Gender,
    [property: Id(2)] Stage Stage,
    [property: Id(3)] CaseStatus Status,
    [property: Id(4)] long Cases);

/// <summary>A child region (province, kab/kota or kecamatan) for the drill-down, with its totals.</summary>
[GenerateSerializer, Immutable, Alias("cg.ChildRegion")]
public sealed record ChildRegion(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] long Cases,
    [property: Id(3)] long Open,
    [property: Id(4)] long Graduated);

[GenerateSerializer, Immutable, Alias("cg.WeekCount")]
public sealed record WeekCount([property: Id(0)] string Week, [property: Id(1)] Stage Stage, [property: Id(2)] long Completions);

/// <summary>The median whole days a completed stage took (from the per-day counts), and how many completions it is over.</summary>
[GenerateSerializer, Immutable, Alias("cg.StageMedian")]
public sealed record StageMedian([property: Id(0)] Stage Stage, [property: Id(1)] int MedianDays, [property: Id(2)] long Completed);

[GenerateSerializer, Immutable, Alias("cg.ClassChangeCount")]
public sealed record ClassChangeCount([property: Id(0)] string Before, [property: Id(1)] string After, [property: Id(2)] long Cases);

[GenerateSerializer, Immutable, Alias("cg.MetricsRebuild")]
public sealed record MetricsRebuild(
    [property: Id(0)] long Cases,
    [property: Id(1)] long Counters,
    [property: Id(2)] IReadOnlyList<string> Differences,
    [property: Id(3)] bool Applied,
    [property: Id(4)] RefusalInfo? Refusal);

/// <summary>A frontend watching dashboards: told when a region's numbers changed (it fetches them again).</summary>
[Alias("cg.IDashboardObserver")]
public interface IDashboardObserver : IGrainObserver
{
    [Alias("OnChanged")]
    void OnChanged(string regionCode);
}

/// <summary>
/// The change signal of one region's numbers (key: <c>ID</c>, a province, a kab/kota or a kecamatan). Cases signal the
/// regions they count in after an event that moved a counter; the grain tells its watching frontends at most once a
/// second. In memory only: frontends renew their subscriptions, so a deactivation loses nothing for long.
/// </summary>
[Alias("cg.IDashboardFeedGrain")]
public interface IDashboardFeedGrain : IGrainWithStringKey
{
    [Alias("Subscribe")]
    Task Subscribe(IDashboardObserver frontend);

    [Alias("Unsubscribe")]
    Task Unsubscribe(IDashboardObserver frontend);

    [Alias("Changed"), Orleans.Concurrency.OneWay]
    Task Changed();
}
