using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Metrics;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

/// <summary>
/// The dashboard's numbers: counters per kecamatan (written with each event, <see cref="ProgrammeMetrics"/>) summed up
/// the hierarchy by the database for the region asked for and its children. Stateless: any silo answers.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class ProgrammeStatsGrain(IProjectionStore store, IOperationsStore operations, ICaseTimelineStore timelines) : Grain, IProgrammeStatsGrain
{
    /// <summary>How many weeks of throughput the dashboard shows.</summary>
    public const int Weeks = 12;

    public async Task<DashboardResult> Get(string regionCode, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var region = string.IsNullOrWhiteSpace(regionCode) ? Offer.National : regionCode.Trim();
        var level = region == Offer.National ? 0 : RegionTable.LevelOf(region) is { } l && RegionTable.Kemendagri.IsKnown(region) ? (int)l + 1 : -1;
        if (!AccessPolicy.MayReadProgrammeFigures(caller.ToCaller(), region))
        {
            return new DashboardResult(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (level is < 0 or > 3)
        {
            // Unknown, or a desa: the counters stop at the kecamatan.
            return new DashboardResult(null, RefusalInfo.From(level < 0 ? Refusals.UnknownRegion("region") : Refusals.OutOfRange("region", "national, province, kab/kota or kecamatan")));
        }

        var childLength = level switch { 0 => 2, 1 => 5, _ => 8 };
        var ct = CancellationToken.None;
        var funnel = await store.ReadMetricsAsync(region, childLength, ProgrammeMetrics.Funnel, ct);
        var completed = await store.ReadMetricsAsync(region, 2, ProgrammeMetrics.Completed, ct);
        var days = await store.ReadMetricsAsync(region, 2, ProgrammeMetrics.StageDays, ct);
        var classes = await store.ReadMetricsAsync(region, 2, ProgrammeMetrics.ClassChange, ct);
        var financing = await store.FinancingTotalsAsync(region, ct) is { Count: > 0 } products ? FinancingTotal.Sum(products) : null;

        var cells = funnel.GroupBy(r => (r.D1, r.D2, r.D3, r.D4))
            .Select(g => new FunnelCell(Enum.Parse<Segment>(g.Key.D1), Enum.Parse<Gender>(g.Key.D2), Enum.Parse<Stage>(g.Key.D3), Enum.Parse<CaseStatus>(g.Key.D4), g.Sum(r => r.Value)))
            .OrderBy(c => c.Stage).ThenBy(c => c.Status).ThenBy(c => c.Segment).ThenBy(c => c.Gender).ToList();
        var children = funnel.GroupBy(r => r.Child).Select(g => new ChildRegion(g.Key, RegionTable.Kemendagri.Find(g.Key)?.Name ?? g.Key, g.Sum(r => r.Value),
                g.Where(r => r.D4 == nameof(CaseStatus.Open)).Sum(r => r.Value), g.Where(r => r.D4 == nameof(CaseStatus.Graduated)).Sum(r => r.Value)))
            .OrderBy(c => c.Code, StringComparer.Ordinal).ToList();
        var recentWeeks = completed.Select(r => r.D2).Distinct().Order(StringComparer.Ordinal).TakeLast(Weeks).ToHashSet();
        var throughput = completed.Where(r => recentWeeks.Contains(r.D2)).GroupBy(r => (r.D2, r.D1))
            .Select(g => new WeekCount(g.Key.D2, Enum.Parse<Stage>(g.Key.D1), g.Sum(r => r.Value)))
            .OrderBy(w => w.Week, StringComparer.Ordinal).ThenBy(w => w.Stage).ToList();
        var medians = days.GroupBy(r => r.D1).Select(g => Median(Enum.Parse<Stage>(g.Key), g.Select(r => (int.Parse(r.D2, System.Globalization.CultureInfo.InvariantCulture), r.Value))))
            .OrderBy(m => m.Stage).ToList();
        var changes = classes.GroupBy(r => (r.D1, r.D2)).Select(g => new ClassChangeCount(g.Key.D1, g.Key.D2, g.Sum(r => r.Value)))
            .OrderBy(c => c.Before, StringComparer.Ordinal).ThenBy(c => c.After, StringComparer.Ordinal).ToList();
        var name = region == Offer.National ? "Indonesia" : RegionTable.Kemendagri.Find(region)?.Name ?? region;
        return new DashboardResult(new DashboardView(region, name, cells.Sum(c => c.Cases), cells, children, throughput, medians, changes,
            cells.Where(c => c.Status == CaseStatus.Graduated).Sum(c => c.Cases), financing), null);
    }

    public Task<bool> MayWatch(string regionCode, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var known = regionCode == Offer.National || RegionTable.LevelOf(regionCode) is RegionLevel.Province or RegionLevel.Regency or RegionLevel.District
            && RegionTable.Kemendagri.IsKnown(regionCode);
        return Task.FromResult(known && AccessPolicy.MayReadProgrammeFigures(caller.ToCaller(), regionCode));
    }

    /// <summary>The dashboard regions a case's counters count in: its kecamatan, kab/kota, province and the nation.</summary>
    public static IReadOnlyList<string> RegionsOf(string caseRegion)
    {
        var kecamatan = ProgrammeMetrics.Kecamatan(caseRegion);
        return [kecamatan, kecamatan[..Math.Min(5, kecamatan.Length)], kecamatan[..Math.Min(2, kecamatan.Length)], Offer.National];
    }

    public async Task<MetricsRebuild> Rebuild(Actor caller, bool apply)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role != Role.Admin)
        {
            return new MetricsRebuild(0, 0, [], false, RefusalInfo.From(Refusals.Forbidden()));
        }

        var ct = CancellationToken.None;
        var numbers = await operations.ListCaseNumbersAsync(ct);
        var deltas = new List<MetricDelta>();
        foreach (var chunk in numbers.Chunk(64))
        {
            foreach (var load in await Task.WhenAll(chunk.Select(n => timelines.LoadAsync(n, ct))))
            {
                var events = load.Events;
                CaseState? state = null;
                foreach (var e in events)
                {
                    var @event = EventJson.Deserialize(e.Type, e.PayloadJson);
                    var next = CaseState.Apply(state, @event, checked((int)e.Seq), e.OccurredAt);
                    deltas.AddRange(ProgrammeMetrics.Deltas(state, next, @event));
                    state = next;
                }
            }
        }

        var expected = MetricsProjection.Combine(deltas).ToDictionary(d => d.Key, d => d.Delta);
        var live = MetricsProjection.Combine(await operations.ReadAllMetricsAsync(ct)).ToDictionary(d => d.Key, d => d.Delta);
        var differences = expected.Keys.Union(live.Keys)
            .Where(k => expected.GetValueOrDefault(k) != live.GetValueOrDefault(k))
            .Select(k => $"{k.Item1} {k.Item2} {k.Item3}/{k.Item4}/{k.Item5}/{k.Item6}: live {live.GetValueOrDefault(k)}, from the timelines {expected.GetValueOrDefault(k)}")
            .Order(StringComparer.Ordinal).ToList();
        if (apply && differences.Count > 0)
        {
            await operations.ReplaceMetricsAsync(MetricsProjection.Combine(deltas), ct);
        }

        return new MetricsRebuild(numbers.Count, expected.Count, differences, apply && differences.Count > 0, null);
    }

    private static StageMedian Median(Stage stage, IEnumerable<(int Days, long Count)> histogram)
    {
        var sorted = histogram.OrderBy(h => h.Days).ToList();
        var total = sorted.Sum(h => h.Count);
        long seen = 0;
        foreach (var (d, count) in sorted)
        {
            seen += count;
            if (seen * 2 >= total)
            {
                return new StageMedian(stage, d, total);
            }
        }

        return new StageMedian(stage, 0, total);
    }
}

/// <summary>The change signal of one region's dashboard, throttled to one notice a second (see the interface).</summary>
public sealed class DashboardFeedGrain : Grain, IDashboardFeedGrain
{
    public static readonly TimeSpan Throttle = TimeSpan.FromSeconds(1);

    private readonly Orleans.Utilities.ObserverManager<IDashboardObserver> _frontends;
    private IGrainTimer? _pending;

    public DashboardFeedGrain(Microsoft.Extensions.Logging.ILogger<DashboardFeedGrain> logger)
    {
        _frontends = new Orleans.Utilities.ObserverManager<IDashboardObserver>(UserFeedGrain.SubscriptionExpiry, logger);
    }

    public Task Subscribe(IDashboardObserver frontend)
    {
        _frontends.Subscribe(frontend, frontend);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(IDashboardObserver frontend)
    {
        _frontends.Unsubscribe(frontend);
        return Task.CompletedTask;
    }

    public Task Changed()
    {
        // Many changes within the second become one notice: the dashboard fetches the numbers again anyway.
        _pending ??= this.RegisterGrainTimer(() =>
        {
            _pending?.Dispose();
            _pending = null;
            var region = this.GetPrimaryKeyString();
            _frontends.Notify(f => f.OnChanged(region));
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(Throttle, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }
}
