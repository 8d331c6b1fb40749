using CaseGrains.Domain.Access;

namespace CaseGrains.Grains.Abstractions;

/// <summary>A user account as shown to admins and to the user. Never holds the password hash.</summary>
[GenerateSerializer, Immutable, Alias("cg.UserView")]
public sealed record UserView(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] Role Role,
    [property: Id(3)] IReadOnlyList<string> Regions,
    [property: Id(4)] bool Disabled,
    [property: Id(6)] string? ExternalSubject,
    [property: Id(7)] DateTimeOffset CreatedAt)
{
    /// <summary>A partner's user: the organisation it belongs to.</summary>
    [Id(8)] public string? PartnerOrg { get; init; }

    /// <summary>When the account's access last changed (another role, regions or organisation); null: never since it was made.</summary>
    [Id(9)] public DateTimeOffset? AccessSince { get; init; }

    /// <summary>The account as a caller, as it is now.</summary>
    public Domain.Access.Caller ToCaller() => new(UserId, Role, Regions) { PartnerOrg = PartnerOrg };
}

/// <summary>Create or update an account (admin). The user id is the grain key: 3–64 of a–z, 0–9, '.', '-', '_'.</summary>
[GenerateSerializer, Alias("cg.UpsertUserRequest")]
public sealed record UpsertUserRequest
{
    [Id(0)] public string? DisplayName { get; init; }
    [Id(1)] public Role? Role { get; init; }
    /// <summary>Regions served (Caseworker, Supervisor): Kemendagri codes, any level.</summary>
    [Id(2)] public IReadOnlyList<string>? Regions { get; init; }
    /// <summary>New password (12–128 characters); required when creating a local account.</summary>
    [Id(3)] public string? Password { get; init; }
    [Id(4)] public bool? Disabled { get; init; }
    /// <summary>The subject (<c>sub</c>) of this person at the external OpenID Connect provider, if any.</summary>
    [Id(5)] public string? ExternalSubject { get; init; }
    /// <summary>The partner organisation of a Partner user (required for that role, refused for the others).</summary>
    [Id(6)] public string? PartnerOrg { get; init; }

    public override string ToString() => $"UpsertUserRequest {{ Role = {Role}, Disabled = {Disabled} }}";
}

public enum SignInStatus
{
    Succeeded,
    InvalidCredentials,
    LockedOut,
    Disabled,
}

/// <summary>The outcome of a sign-in; <see cref="SessionVersion"/> goes into the cookie or token and must still match later.</summary>
[GenerateSerializer, Immutable, Alias("cg.SignInResult")]
public sealed record SignInResult(
    [property: Id(0)] SignInStatus Status,
    [property: Id(1)] Actor? Actor,
    [property: Id(2)] DateTimeOffset? LockedUntil,
    [property: Id(3)] int SessionVersion = 0);

/// <summary>The outcome of an account change: the account, or a refusal.</summary>
[GenerateSerializer, Immutable, Alias("cg.UserOutcome")]
public sealed record UserOutcome([property: Id(0)] UserView? User, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>One account; the key is the user id. Lock-out counting is consistent because one activation owns it.</summary>
[Alias("cg.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account, or updates the fields given. Only admins reach this.</summary>
    [Alias("Upsert"), ResponseTimeout(AccountChanges.Timeout)]
    Task<UserOutcome> Upsert(UpsertUserRequest request, Actor admin);

    /// <summary>Writes the account's rows of the people index as it is now.</summary>
    [Alias("Reindex")]
    Task Reindex();

    /// <summary>The regions a mentor works in (their profile's), for the people index; from the mentor's grain.</summary>
    [Alias("SetWorkRegions")]
    Task SetWorkRegions(IReadOnlyList<string> regions);

    [Alias("GetView")]
    Task<UserView?> GetView();

    /// <summary>
    /// Checks a password. Failures are counted per client (<paramref name="client"/>: its address, an IPv6 client's /64) in
    /// memory: after too many, that client is locked out of this id for a while. Unknown ids answer exactly like known ones.
    /// </summary>
    [Alias("SignIn")]
    Task<SignInResult> SignIn(string password, string client);

    /// <summary>
    /// The actor for an authenticated request, or null when the account is gone, disabled, or its sessions were ended
    /// (password change, sign-out, disable) after <paramref name="sessionVersion"/> was issued.
    /// </summary>
    [Alias("GetActor")]
    Task<Actor?> GetActor(int sessionVersion);

    /// <summary>Sign-in proven by the external OpenID Connect provider: the account's actor and session version, if enabled.</summary>
    [Alias("SignInExternal")]
    Task<SignInResult> SignInExternal();

    /// <summary>Ends every session of this account (sign-out everywhere).</summary>
    [Alias("EndSessions"), ResponseTimeout(AccountChanges.Timeout)]
    Task EndSessions();

    /// <summary>Ends every session of this account for <paramref name="reason"/> (a <see cref="SessionEnd"/> code).</summary>
    [Alias("EndSessionsFor"), ResponseTimeout(AccountChanges.Timeout)]
    Task EndSessionsFor(string reason);

    /// <summary>How this account is told of notices outside the app (null: no account).</summary>
    [Alias("GetNotificationSettings")]
    Task<NotificationSettings?> GetNotificationSettings();

    /// <summary>Sets how this account is told of notices; only the account's own user does (<paramref name="caller"/>).</summary>
    [Alias("SetNotificationSettings")]
    Task<NotificationSettingsOutcome> SetNotificationSettings(NotificationSettings request, Actor caller);
}

/// <summary>The account ids and external-subject links (uniqueness, sign-in by an external identity). One grain: accounts change rarely.</summary>
[Alias("cg.IUserDirectoryGrain")]
public interface IUserDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Records the account; false when <paramref name="externalSubject"/> is already linked to another account.</summary>
    [Alias("Register")]
    Task<bool> Register(string userId, string? externalSubject);

    /// <summary>
    /// Indexes every account (the people index of a database from before it); returns how many. The only path that visits
    /// every account: look-ups go to <see cref="IPeopleGrain"/>.
    /// </summary>
    [Alias("IndexAll"), ResponseTimeout("00:30:00")]
    Task<int> IndexAll();

    [Alias("FindByExternalSubject")]
    Task<string?> FindByExternalSubject(string subject);
}

/// <summary>An account as the people index holds it: role, name, status, and the regions it works in (a mentor's profile regions).</summary>
[GenerateSerializer, Immutable, Alias("cg.Person")]
public sealed record Person(
    [property: Id(0)] string UserId,
    [property: Id(1)] Role Role,
    [property: Id(2)] string DisplayName,
    [property: Id(3)] IReadOnlyList<string> Regions,
    [property: Id(4)] bool Disabled)
{
    /// <summary>The account as a caller, as the index holds it.</summary>
    public Domain.Access.Caller ToCaller() => new(UserId, Role, Regions);
}

/// <summary>Which accounts around a region a look-up wants.</summary>
public enum PeopleReach
{
    /// <summary>Working in the region or a region above it: they serve it (approvers, escalation targets).</summary>
    Covering,

    /// <summary>Working in the region or under it.</summary>
    Within,

    /// <summary>Either.</summary>
    Reaching,
}

/// <summary>Look-ups in the people index (stateless: any silo answers from the database).</summary>
[Alias("cg.IPeopleGrain")]
public interface IPeopleGrain : IGrainWithIntegerKey
{
    /// <summary>The largest page <see cref="List"/> answers.</summary>
    const int MaxPage = 1000;

    /// <summary>Accounts of a role around a region, by id (disabled ones included: the caller decides).</summary>
    [Alias("Find")]
    Task<IReadOnlyList<Person>> Find(Role role, string regionCode, PeopleReach reach);

    /// <summary>A page of accounts by id after <paramref name="after"/>, optionally of one role and working within one region.</summary>
    [Alias("List")]
    Task<IReadOnlyList<Person>> List(Role? role, string? regionCode, string after, int limit);
}

/// <summary>
/// A frontend's cache of the accounts behind its requests (the role, regions and organisation that decide access).
/// Told to drop an account when it changes; the change is answered only once the frontend has.
/// </summary>
[Alias("cg.IAccountCacheObserver")]
public interface IAccountCacheObserver : IGrainObserver
{
    /// <summary>Drops <paramref name="userId"/>'s cached actor (null: every account's).</summary>
    [Alias("Drop")]
    Task Drop(string? userId);
}

/// <summary>A lease on caching accounts: how long it holds, and whether the cache must first be emptied.</summary>
/// <para><see cref="Clear"/>: the lease grain did not know this frontend as holding a lease (a new activation, a lapsed
/// lease, or a drop it could not deliver), so changes may have passed it by.</para>
[GenerateSerializer, Immutable, Alias("cg.AccountLease")]
public sealed record AccountLease([property: Id(0)] TimeSpan Length, [property: Id(1)] bool Clear);

/// <summary>
/// The frontends that cache accounts, each with a lease it renews (key 0). An account change calls <see cref="Dropped"/>,
/// which returns once every frontend holding a lease dropped the account, or the lease of one that could not be told ran
/// out (docs/decisions.md, "Access is decided by the grains").
/// </summary>
[Alias("cg.IAccountLeaseGrain")]
public interface IAccountLeaseGrain : IGrainWithIntegerKey
{
    [Alias("Renew")]
    Task<AccountLease> Renew(IAccountCacheObserver frontend);

    /// <summary>Returns when no frontend can answer from a cached copy of <paramref name="userId"/> (null: of any account).</summary>
    [Alias("Dropped"), ResponseTimeout(AccountChanges.Timeout)]
    Task Dropped(string? userId);
}

/// <summary>
/// An account change waits until no frontend can answer from a copy of the account as it was: a frontend that cannot be
/// told makes it wait for that frontend's lease (5 s), longer than the usual call timeout.
/// </summary>
public static class AccountChanges
{
    public const string Timeout = "00:00:30";
}
