namespace CaseGrains.Grains.Abstractions;

/// <summary>What a user's feed carries: a case event (with its sequence number), the end of access to a case, or the progress of the user's import.</summary>
[GenerateSerializer, Immutable, Alias("cg.FeedItem")]
public sealed record FeedItem(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CaseNumber,
    [property: Id(2)] TimelineEntry? Event,
    [property: Id(3)] bool AccessEnded,
    [property: Id(4)] ImportProgress? Import = null)
{
    /// <summary>
    /// The item's place in its user's feed (1, 2, 3 … per activation of the feed grain, stamped by it): a frontend delivers
    /// one user's items in this order even when two of them reach it out of order.
    /// </summary>
    [Id(5)] public long FeedSeq { get; init; }

    /// <summary>The feed grain activation that stamped <see cref="FeedSeq"/> (a new activation starts again at 1).</summary>
    [Id(6)] public Guid FeedEpoch { get; init; }
}

/// <summary>Where a user's feed stands when a frontend subscribes: the next item it will carry is <see cref="NextSeq"/> of <see cref="Epoch"/>.</summary>
[GenerateSerializer, Immutable, Alias("cg.FeedPosition")]
public sealed record FeedPosition([property: Id(0)] Guid Epoch, [property: Id(1)] long NextSeq);

/// <summary>A frontend process: receives the feed items of the users connected to it.</summary>
[Alias("cg.IFeedObserver")]
public interface IFeedObserver : IGrainObserver
{
    [Alias("OnFeedItem")]
    void OnFeedItem(FeedItem item);
}

/// <summary>
/// One user's live feed. Cases push to it; the frontends where the user is connected subscribe to it (one
/// subscription per frontend per connected user, renewed periodically, so a deactivation loses nothing for long).
/// </summary>
[Alias("cg.IUserFeedGrain")]
public interface IUserFeedGrain : IGrainWithStringKey
{
    /// <summary>Subscribes (or renews) a frontend; returns the position of the next item the feed will carry.</summary>
    [Alias("Subscribe")]
    Task<FeedPosition> Subscribe(IFeedObserver frontend);

    [Alias("Unsubscribe")]
    Task Unsubscribe(IFeedObserver frontend);

    [Alias("Publish"), Orleans.Concurrency.AlwaysInterleave]
    Task Publish(FeedItem item);
}

/// <summary>A mentor's profile: what they can help with, where, and how many active cases they can carry.</summary>
[GenerateSerializer, Immutable, Alias("cg.MentorProfile")]
public sealed record MentorProfile(
    [property: Id(0)] IReadOnlyList<string> Sectors,
    [property: Id(1)] IReadOnlyList<string> Regions,
    [property: Id(2)] int Capacity);

[GenerateSerializer, Immutable, Alias("cg.MentorCaseload")]
public sealed record MentorCaseload(
    [property: Id(0)] string MentorId,
    [property: Id(1)] MentorProfile Profile,
    [property: Id(2)] IReadOnlyList<string> ActiveCases);

/// <summary>A mentor's caseload for a caller, or why it is not shown (no such mentor / not allowed / bad profile).</summary>
[GenerateSerializer, Immutable, Alias("cg.MentorCaseloadResult")]
public sealed record MentorCaseloadResult([property: Id(0)] MentorCaseload? Caseload, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>A mentor's caseload: the capacity that assignment respects. The key is the mentor's user id.</summary>
[Alias("cg.IMentorGrain")]
public interface IMentorGrain : IGrainWithStringKey
{
    /// <summary>Sets the profile (supervisors, admins) and answers the caseload.</summary>
    [Alias("SetProfile")]
    Task<MentorCaseloadResult> SetProfile(MentorProfile profile, Actor actor);

    [Alias("GetCaseload")]
    Task<MentorCaseloadResult> GetCaseload(Actor caller);

    /// <summary>Takes the case on; a refusal (at capacity) when the mentor is full.</summary>
    [Alias("Reserve")]
    Task<RefusalInfo?> Reserve(string caseNumber);

    [Alias("Release")]
    Task Release(string caseNumber);
}

/// <summary>Mentors and their caseloads for a region (supervisors balancing work, caseworkers choosing). Stateless.</summary>
[Alias("cg.IMentorQueryGrain")]
public interface IMentorQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The mentors whose regions reach <paramref name="regionCode"/> (or lie inside it), with capacity and active cases; null when the role may not.</summary>
    [Alias("Caseloads")]
    Task<IReadOnlyList<MentorLoad>?> Caseloads(string regionCode, Actor caller);
}

[GenerateSerializer, Immutable, Alias("cg.MentorLoad")]
public sealed record MentorLoad(
    [property: Id(0)] string MentorId,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Sectors,
    [property: Id(3)] IReadOnlyList<string> Regions,
    [property: Id(4)] int Capacity,
    [property: Id(5)] int ActiveCases,
    [property: Id(6)] bool Disabled);
