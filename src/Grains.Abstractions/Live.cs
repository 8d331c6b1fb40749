namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// What a user's feed carries: a case event (with its sequence number: the only ordering the live path has), the end of
/// access to a case, the progress of the user's import, or the end of the user's sessions.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.FeedItem")]
public sealed record FeedItem(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CaseNumber,
    [property: Id(2)] TimelineEntry? Event,
    [property: Id(3)] bool AccessEnded,
    [property: Id(4)] ImportProgress? Import = null)
{
    // Ids 5 and 6 (a per-activation feed numbering) were retired: the case sequence numbers order the live path.

    /// <summary>The user's sessions up to (not including) this version ended: their connections close.</summary>
    [Id(7)] public SessionEnd? SessionEnded { get; init; }

    /// <summary>Why access to the case ended (<see cref="AccessEnd"/>); with <see cref="AccessEnded"/> only.</summary>
    [Id(8)] public string? EndReason { get; init; }
}

/// <summary>Why a user's access to one case ended, as the live path tells them (a stable code the page shows in words).</summary>
public static class AccessEnd
{
    /// <summary>Reassigned, out of the user's regions, or the account's access changed.</summary>
    public const string Ended = "access-ended";

    /// <summary>The beneficiary withdrew the consent the access served (mentoring).</summary>
    public const string ConsentWithdrawn = "consent-withdrawn";
}

/// <summary>Sessions older than <see cref="Version"/> ended, and why (a stable code the page shows in words).</summary>
[GenerateSerializer, Immutable, Alias("cg.SessionEnd")]
public sealed record SessionEnd([property: Id(0)] int Version, [property: Id(1)] string Reason)
{
    public const string SignedOut = "signed-out";
    public const string Disabled = "account-disabled";
    public const string PasswordChanged = "password-changed";
    public const string AccessChanged = "access-changed";

    /// <summary>The session is older than its absolute lifetime (12 hours), as REST and hub calls already refuse.</summary>
    public const string Expired = "session-expired";
}

/// <summary>
/// A user's live feed on one silo: <c>userId|silo</c>, the silo in <c>SiloAddress.ToParsableString()</c> form. Each silo
/// has its own feed grain per user, placed on that silo: a case pushes to the feed on its own silo, so losing a silo
/// never stops pushes from cases on the others; a frontend subscribes the feed of each of its users on every silo.
/// </summary>
public static class FeedKeys
{
    public static string For(string userId, string silo) => userId + "|" + silo;

    /// <summary>The silo part of a feed key (null when the key has none).</summary>
    public static string? SiloOf(string key) => key.IndexOf('|', StringComparison.Ordinal) is var i and >= 0 ? key[(i + 1)..] : null;
}

/// <summary>
/// The feed activation a frontend subscribed to (<see cref="Epoch"/>: a new one after the grain was lost with its silo).
/// A frontend that sees the epoch change knows pushes may have gone to an activation without its subscription, and has
/// its clients resume from their sequence numbers.
/// </summary>
/// <para><see cref="Published"/>: how many items the activation carried so far (a frontend subscribing it for the first time
/// while its users were connected knows whether anything went by without it).</para>
[GenerateSerializer, Immutable, Alias("cg.FeedPosition")]
public sealed record FeedPosition([property: Id(0)] Guid Epoch, [property: Id(2)] long Published);

/// <summary>A frontend process: receives the feed items of the users connected to it.</summary>
[Alias("cg.IFeedObserver")]
public interface IFeedObserver : IGrainObserver
{
    [Alias("OnFeedItem")]
    void OnFeedItem(FeedItem item);

    /// <summary>
    /// The feed grain <paramref name="feedKey"/> is being deactivated (the runtime moved or dropped it, e.g. when the silo
    /// holding its directory entry died): subscribe again now, to the activation that replaces it.
    /// </summary>
    [Alias("OnFeedClosed")]
    void OnFeedClosed(string feedKey);
}

/// <summary>
/// One user's live feed on one silo (key: <see cref="FeedKeys"/>). The grains of that silo push to it; the frontends where
/// the user is connected subscribe to it (one subscription per frontend, user and silo, renewed periodically and at
/// once when the cluster changes).
/// </summary>
[Alias("cg.IUserFeedGrain")]
public interface IUserFeedGrain : IGrainWithStringKey
{
    /// <summary>Subscribes (or renews) a frontend; returns which activation of the feed it subscribed to.</summary>
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

/// <summary>How loaded a mentor is: the profile and the number of active cases (no case numbers), for candidate lists.</summary>
[GenerateSerializer, Immutable, Alias("cg.MentorCapacity")]
public sealed record MentorCapacity([property: Id(0)] MentorProfile Profile, [property: Id(1)] int ActiveCases);

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

    /// <summary>
    /// Holds a place in the mentor's capacity for the case before its assignment is appended; a refusal (at capacity)
    /// when the mentor is full. The assignment's event confirms it (<see cref="Settle"/>); a reservation the case never
    /// confirms (its append failed, or the process died) is given back.
    /// </summary>
    [Alias("Reserve")]
    Task<RefusalInfo?> Reserve(string caseNumber);

    /// <summary>The cases counted in the caseload (for the reconciliation and tests, never for callers: no access check).</summary>
    [Alias("ActiveCases"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> ActiveCases();

    /// <summary>
    /// The profile and the count of active cases, for candidate lists whose callers were checked already
    /// (the people index says which accounts are mentors).
    /// </summary>
    [Alias("Capacity"), Orleans.Concurrency.ReadOnly]
    Task<MentorCapacity> Capacity();

    /// <summary>The profile's regions (for the people index; answered even while the grain waits on the account's grain).</summary>
    [Alias("ProfileRegions"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<string>> ProfileRegions();

    /// <summary>Gives back a reservation whose assignment was not appended.</summary>
    [Alias("CancelReservation")]
    Task CancelReservation(string caseNumber);

    /// <summary>
    /// Brings the caseload in line with the case's timeline (a consequence of its events, idempotent): counted when the
    /// case is open with this mentor, not counted otherwise.
    /// </summary>
    [Alias("Settle")]
    Task Settle(string caseNumber, bool active);

    /// <summary>Replaces the caseload with the one recomputed from the timelines (admins, through reconcile).</summary>
    [Alias("ReplaceCaseload")]
    Task ReplaceCaseload(IReadOnlyList<string> activeCases, Actor actor);
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
