using Orleans.Concurrency;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// One beneficiary's journey; the key is the case number (<c>3579-000123</c>). Every accepted command appends
/// exactly one event to the case's timeline.
/// </summary>
[Alias("cg.ICaseGrain")]
public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Runs one journey command for <paramref name="actor"/>.</summary>
    [Alias("Execute")]
    Task<CommandOutcome> Execute(CaseCommandRequest command, Actor actor);

    /// <summary>The case, or null when no case has this number.</summary>
    [Alias("GetView")]
    Task<CaseView?> GetView();

    /// <summary>Events with seq greater than <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    [Alias("GetTimeline")]
    Task<IReadOnlyList<TimelineEntry>> GetTimeline(long afterSeq, int limit);

    /// <summary>
    /// The case's status, or null when it does not exist. Interleaves with a running command so that the
    /// registry can probe a case that is itself waiting on the registry.
    /// </summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<Domain.Journey.CaseStatus?> GetStatus();

    /// <summary>Recomputes the hash chain over every stored event.</summary>
    [Alias("VerifyChain")]
    Task<ChainVerification?> VerifyChain();
}

/// <summary>Entry point of intake: validates the NIK and routes to the person's registry entry. Stateless.</summary>
[Alias("cg.IIntakeGrain")]
public interface IIntakeGrain : IGrainWithIntegerKey
{
    [Alias("Open")]
    Task<CommandOutcome> Open(IntakeRequest request, Actor actor);
}

/// <summary>Reads the case list projection. Stateless.</summary>
[Alias("cg.ICaseSearchGrain")]
public interface ICaseSearchGrain : IGrainWithIntegerKey
{
    [Alias("Search")]
    Task<CasePage> Search(CaseQuery query);
}
