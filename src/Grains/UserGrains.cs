using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.AspNetCore.Identity;
using SignInResult = CaseGrains.Grains.Abstractions.SignInResult;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

[GenerateSerializer, Alias("cg.UserAccountState")]
public sealed class UserAccountState
{
    [Id(0)] public string? DisplayName { get; set; }
    [Id(1)] public Role Role { get; set; }
    [Id(2)] public List<string> Regions { get; set; } = [];
    [Id(3)] public string? PasswordHash { get; set; }
    [Id(4)] public bool Disabled { get; set; }
    [Id(7)] public string? ExternalSubject { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public int SessionVersion { get; set; }

    /// <summary>A mentor's profile regions as last told by the mentor's grain (null: not yet; asked when indexing).</summary>
    [Id(10)] public List<string>? WorkRegions { get; set; }

    /// <summary>False from a change until the people index has it (an account activated while false indexes itself).</summary>
    [Id(11)] public bool Indexed { get; set; }

    /// <summary>How the user is told of notices outside the app (null: only in the app).</summary>
    [Id(12)] public NotificationSettings? Notifications { get; set; }

    /// <summary>A partner's user: its organisation (the organisation's grain lists it among its members).</summary>
    [Id(13)] public string? PartnerOrg { get; set; }

    /// <summary>When the account's access last changed (role, regions, organisation): its notices from before are not shown.</summary>
    [Id(14)] public DateTimeOffset? AccessSince { get; set; }
}

/// <summary>
/// A local account. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2, per-password salt); a run of failed sign-ins locks the account for a while.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("account", ProviderNames.GrainState)] IPersistentState<UserAccountState> account,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    Storage.ICaseTimelineStore store,
    Storage.IPeopleStore people,
    Microsoft.Extensions.Options.IOptions<Hosting.CaseGrainsOptions> options,
    IClusterMembershipService membership,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    public const int MaxFailedSignIns = 5;
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 128;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<UserAccountState> Hasher = new();

    // Failed sign-ins per client address, in memory only: no write on a failure (so known and unknown ids behave
    // alike), and a lock-out bars one address, never the account for everyone.
    private readonly Dictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _failures = new(StringComparer.Ordinal);

    private UserAccountState S => account.State;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (account.RecordExists && !S.Indexed)
        {
            // A change the index did not get (the database did not answer, or the process died in between).
            RetryIndexing(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    /// <summary>How often indexing is tried again while the database does not answer (and at each activation).</summary>
    private static readonly TimeSpan IndexRetry = TimeSpan.FromSeconds(10);

    private IGrainTimer? _indexRetry;

    /// <summary>Indexes the account; if that fails, tries again every <see cref="IndexRetry"/> while the grain is active.</summary>
    private async Task IndexOrRetryAsync()
    {
        try
        {
            await IndexAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogIndexFailed(ex, UserId);
            RetryIndexing(IndexRetry);
        }
    }

    private void RetryIndexing(TimeSpan first) =>
        // Not interleaved: it runs between the grain's calls. A mentor's regions may be asked of the mentor's grain
        // while that grain waits on this one; it answers that question interleaved (IMentorGrain.ProfileRegions).
        _indexRetry ??= this.RegisterGrainTimer(async () =>
        {
            try
            {
                await IndexAsync();
                _indexRetry?.Dispose();
                _indexRetry = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogIndexFailed(ex, UserId);
            }
        }, new GrainTimerCreationOptions(first, IndexRetry));

    public Task Reindex() => account.RecordExists ? IndexAsync() : Task.CompletedTask;

    public async Task SetWorkRegions(IReadOnlyList<string> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        if (!account.RecordExists || (S.WorkRegions is { } known && known.SequenceEqual(regions, StringComparer.Ordinal) && S.Indexed))
        {
            return;
        }

        S.WorkRegions = [.. regions];
        S.Indexed = false;
        await account.WriteStateAsync();
        await IndexAsync();
    }

    /// <summary>The account's people-index rows replaced with what it is now; then marked indexed.</summary>
    private async Task IndexAsync()
    {
        if (S.Role == Role.Mentor && S.WorkRegions is null)
        {
            S.WorkRegions = [.. await GrainFactory.GetGrain<IMentorGrain>(UserId).ProfileRegions()];
        }

        var regions = S.Role == Role.Mentor ? S.WorkRegions ?? [] : S.Regions;
        await people.ReplacePersonAsync(new Person(UserId, S.Role, S.DisplayName ?? UserId, regions, S.Disabled), CancellationToken.None);
        if (!S.Indexed)
        {
            S.Indexed = true;
            await account.WriteStateAsync();
        }
    }

    public async Task<UserOutcome> Upsert(UpsertUserRequest request, Actor admin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        if (admin.Role != Role.Admin)
        {
            return Refused(Refusals.Forbidden());
        }

        if (admin.Id == UserId && (request.Role is { } newRole && newRole != S.Role || request.Regions is not null || request.Disabled == true))
        {
            // No one grants themselves access: another admin must change an admin's own role, regions or status.
            return Refused(new Refusal("user.self_change", "Admin tidak dapat mengubah peran, wilayah, atau status akunnya sendiri.",
                "An admin cannot change their own role, regions or status.") { Field = "role" });
        }

        var creating = !account.RecordExists;
        var refusal = Validate(request, creating) ?? await ValidatePartnerAsync(request);
        if (refusal is not null)
        {
            return Refused(refusal);
        }

        if (creating)
        {
            S.CreatedAt = clock.GetUtcNow();
        }

        var subject = request.ExternalSubject is { } sub ? (string.IsNullOrWhiteSpace(sub) ? null : sub.Trim()) : S.ExternalSubject;
        if (!await GrainFactory.GetGrain<IUserDirectoryGrain>(0).Register(UserId, subject))
        {
            return Refused(new Refusal("user.external_subject_taken", "Identitas eksternal ini sudah tertaut ke akun lain.",
                "This external identity is already linked to another account.") { Field = "externalSubject" });
        }

        var before = account.RecordExists ? Describe() : "(new)";
        var (roleBefore, regionsBefore, disabledBefore, orgBefore) = (S.Role, S.Regions, S.Disabled, S.PartnerOrg);
        S.DisplayName = request.DisplayName?.Trim() ?? S.DisplayName;
        S.Role = request.Role ?? S.Role;
        S.Regions = request.Regions is { } regions ? [.. regions.Select(r => r.Trim()).Distinct(StringComparer.Ordinal)] : S.Regions;
        S.Disabled = request.Disabled ?? S.Disabled;
        S.ExternalSubject = subject;
        S.PartnerOrg = S.Role == Role.Partner ? request.PartnerOrg?.Trim() ?? S.PartnerOrg : null;
        // A disable, a new password, or another role or other regions end every session: what a session was allowed
        // (its open live connections included) was decided on the account as it was.
        var ended = creating ? null
            : S.Disabled && !disabledBefore ? SessionEnd.Disabled
            : request.Password is not null ? SessionEnd.PasswordChanged
            : S.Role != roleBefore || S.PartnerOrg != orgBefore || !S.Regions.Order(StringComparer.Ordinal).SequenceEqual(regionsBefore.Order(StringComparer.Ordinal)) ? SessionEnd.AccessChanged
            : null;
        if (ended == SessionEnd.AccessChanged)
        {
            S.AccessSince = clock.GetUtcNow();
        }

        if (ended is not null || request.Password is not null || request.Disabled == true)
        {
            S.SessionVersion++;
        }

        if (request.Password is not null)
        {
            S.PasswordHash = Hasher.HashPassword(S, request.Password);
            _failures.Clear();
        }

        // The organisations follow the account, told before it is written: if either call fails, nothing is written and the
        // admin's repeat does both again (each is idempotent); a member listed by an organisation it left receives nothing
        // (each push checks the account).
        try
        {
            if (orgBefore is not null && orgBefore != S.PartnerOrg)
            {
                await GrainFactory.GetGrain<IPartnerOrgGrain>(orgBefore).SetMember(UserId, false);
            }

            if (S.PartnerOrg is { } org)
            {
                await GrainFactory.GetGrain<IPartnerOrgGrain>(org).SetMember(UserId, true);
            }
        }
        catch
        {
            // The change above is in memory only: the next activation reads the account as stored.
            DeactivateOnIdle();
            throw;
        }

        S.Indexed = false;
        await account.WriteStateAsync();
        if (!creating)
        {
            // Answered only once no frontend can answer from a copy of the account as it was (AccountCache).
            await GrainFactory.GetGrain<IAccountLeaseGrain>(0).Dropped(UserId);
        }

        if (ended is not null)
        {
            await EndLiveSessionsAsync(ended);
        }

        // After the sessions ended: an index the database cannot write now never delays that.
        await IndexOrRetryAsync();

        var after = Describe() + (request.Password is null ? "" : " password-set");
        await store.RecordAccessAsync(new AccessLogEntry("account:" + UserId, admin.Id, admin.Role.ToString(), "account-change",
            $"{before} -> {after}", clock.GetUtcNow()) { Origin = admin.Origin }, CancellationToken.None);
        LogUpserted(UserId, S.Role, admin.Id);
        return new UserOutcome(View(), null);
    }

    public Task<UserView?> GetView() => Task.FromResult(account.RecordExists ? View() : null);

    public Task<NotificationSettings?> GetNotificationSettings() =>
        Task.FromResult(account.RecordExists ? S.Notifications ?? new NotificationSettings { Language = "id" } : null);

    public async Task<NotificationSettingsOutcome> SetNotificationSettings(NotificationSettings request, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Id != UserId || !account.RecordExists)
        {
            return new NotificationSettingsOutcome(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        var (settings, refusal) = Notifications.NotificationRules.Check(request, options.Value.Notifications);
        if (refusal is not null)
        {
            return new NotificationSettingsOutcome(null, RefusalInfo.From(refusal));
        }

        S.Notifications = settings;
        await account.WriteStateAsync();
        await store.RecordAccessAsync(new AccessLogEntry("account:" + UserId, caller.Id, caller.Role.ToString(), "notification-settings",
            settings.ToString(), clock.GetUtcNow()) { Origin = caller.Origin }, CancellationToken.None);
        return new NotificationSettingsOutcome(settings, null);
    }

    public async Task<SignInResult> SignIn(string password, string client)
    {
        var result = CheckPassword(password, client);
        return result.Status == SignInStatus.Succeeded && !await OrganisationActiveAsync() ? new SignInResult(SignInStatus.Disabled, null, null) : result;
    }

    /// <summary>False for a partner's user whose organisation is gone or disabled (the user then signs in to nothing).</summary>
    private async Task<bool> OrganisationActiveAsync() =>
        S.Role != Role.Partner || (S.PartnerOrg is { } org && await GrainFactory.GetGrain<IPartnerOrgGrain>(org).Get() is { Disabled: false });

    private string Describe() => $"{S.Role}{(S.PartnerOrg is null ? "" : " of " + S.PartnerOrg)} [{string.Join(",", S.Regions)}] disabled={S.Disabled}";

    private SignInResult CheckPassword(string password, string client)
    {
        var now = clock.GetUtcNow();
        var key = client ?? "";
        var (failures, lockedUntil) = _failures.GetValueOrDefault(key);
        if (lockedUntil is { } until && until > now)
        {
            return new SignInResult(SignInStatus.LockedOut, null, until);
        }

        bool ok;
        if (account.RecordExists && S.PasswordHash is not null && !string.IsNullOrEmpty(password) && password.Length <= MaxPasswordLength)
        {
            ok = Hasher.VerifyHashedPassword(S, S.PasswordHash, password) != PasswordVerificationResult.Failed;
        }
        else
        {
            // Hash anyway, so timing does not tell whether the id exists.
            Hasher.VerifyHashedPassword(new UserAccountState(), DummyHash.Value, password ?? "");
            ok = false;
        }

        if (!ok)
        {
            failures++;
            if (failures >= MaxFailedSignIns)
            {
                _failures[key] = (0, now + LockoutDuration);
                LogLockedOut(UserId);
                return new SignInResult(SignInStatus.LockedOut, null, now + LockoutDuration);
            }

            if (_failures.Count > 10_000)
            {
                _failures.Clear();
            }

            _failures[key] = (failures, null);
            return new SignInResult(SignInStatus.InvalidCredentials, null, null);
        }

        _failures.Remove(key);
        if (S.Disabled)
        {
            return new SignInResult(SignInStatus.Disabled, null, null);
        }

        return new SignInResult(SignInStatus.Succeeded, ToActor(), null, S.SessionVersion);
    }

    public async Task<SignInResult> SignInExternal() =>
        account.RecordExists && !S.Disabled && await OrganisationActiveAsync()
            ? new SignInResult(SignInStatus.Succeeded, ToActor(), null, S.SessionVersion)
            : new SignInResult(SignInStatus.Disabled, null, null);

    public Task EndSessions() => EndSessionsFor(SessionEnd.SignedOut);

    public async Task EndSessionsFor(string reason)
    {
        if (account.RecordExists)
        {
            S.SessionVersion++;
            await account.WriteStateAsync();
            await GrainFactory.GetGrain<IAccountLeaseGrain>(0).Dropped(UserId);
            await EndLiveSessionsAsync(reason);
        }
    }

    /// <summary>
    /// Tells the frontends where the user is connected that sessions before the current version ended: they close those
    /// connections with the reason. Best effort: a frontend also checks its connections' sessions at each renewal.
    /// </summary>
    private async Task EndLiveSessionsAsync(string reason)
    {
        try
        {
            // To the user's feed on every silo (a frontend subscribes each), one at a time: a silo being lost misses it alone.
            var item = new FeedItem(UserId, "", null, AccessEnded: false) { SessionEnded = new SessionEnd(S.SessionVersion, reason) };
            foreach (var silo in membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
            {
                try
                {
                    await GrainFactory.GetGrain<IUserFeedGrain>(FeedKeys.For(UserId, silo.SiloAddress.ToParsableString())).Publish(item);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogSessionEndNotPushed(ex, UserId);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSessionEndNotPushed(ex, UserId);
        }
    }

    public async Task<Actor?> GetActor(int sessionVersion) =>
        account.RecordExists && !S.Disabled && sessionVersion == S.SessionVersion && await OrganisationActiveAsync() ? ToActor() : null;

    private Actor ToActor() => new(UserId, S.Role, S.Regions) { PartnerOrg = S.PartnerOrg };

    private UserView View() => new(UserId, S.DisplayName ?? UserId, S.Role, S.Regions, S.Disabled, S.ExternalSubject, S.CreatedAt)
    {
        PartnerOrg = S.PartnerOrg,
        AccessSince = S.AccessSince,
    };

    /// <summary>A partner's user belongs to an organisation that exists; no other role has one, nor regions.</summary>
    private async Task<Refusal?> ValidatePartnerAsync(UpsertUserRequest r)
    {
        var role = r.Role ?? S.Role;
        var org = r.PartnerOrg?.Trim() ?? (role == S.Role ? S.PartnerOrg : null);
        if (role != Role.Partner)
        {
            return string.IsNullOrWhiteSpace(r.PartnerOrg) ? null
                : new Refusal("user.partner_org_role", "Organisasi mitra hanya untuk akun mitra.", "Only a partner's account belongs to a partner organisation.") { Field = "partnerOrg" };
        }

        if ((r.Regions ?? S.Regions).Count > 0)
        {
            return new Refusal("user.partner_regions", "Akun mitra tidak memiliki wilayah: cakupannya adalah layanan organisasinya.",
                "A partner's account has no regions: its scope is its organisation's offers.") { Field = "regions" };
        }

        return org is not null && UserIds.IsValid(org) && await GrainFactory.GetGrain<IPartnerOrgGrain>(org).Get() is not null ? null
            : new Refusal("user.partner_org_unknown", "Akun mitra harus milik organisasi mitra yang terdaftar.",
                "A partner's account belongs to a registered partner organisation.") { Field = "partnerOrg" };
    }

    private Refusal? Validate(UpsertUserRequest r, bool creating)
    {
        if (!UserIds.IsValid(UserId))
        {
            return new Refusal("user.invalid_id", "ID pengguna: 3–64 karakter a–z, 0–9, '.', '-', '_'.",
                "A user id is 3–64 characters of a–z, 0–9, '.', '-', '_'.") { Field = "userId" };
        }

        if (creating && r.Role is null)
        {
            return Refusals.Required("role");
        }

        if (r.Role is { } role && !Enum.IsDefined(role))
        {
            return Refusals.Required("role");
        }

        if (CaseDecider.Name(r.DisplayName, "displayName", CaseDecider.MaxNameLength, required: creating) is { } badName)
        {
            return badName;
        }

        if (creating && r.Password is null && string.IsNullOrWhiteSpace(r.ExternalSubject))
        {
            return Refusals.Required("password");
        }

        if (r.Password is { } p && (p.Length < MinPasswordLength || p.Length > MaxPasswordLength))
        {
            return Refusals.OutOfRange("password", $"{MinPasswordLength}..{MaxPasswordLength} characters");
        }

        if (CaseDecider.Text(r.ExternalSubject, "externalSubject", CaseDecider.MaxShortText, required: false) is { } badSub)
        {
            return badSub;
        }

        var role2 = r.Role ?? S.Role;
        var regions = r.Regions ?? S.Regions;
        if (regions.Count > 50)
        {
            return Refusals.OutOfRange("regions", "at most 50");
        }

        foreach (var region in regions)
        {
            if (region is null || !RegionTable.Kemendagri.IsKnown(region.Trim()))
            {
                return Refusals.UnknownRegion("regions");
            }
        }

        if (role2 is Role.Caseworker or Role.Supervisor && regions.Count == 0)
        {
            return new Refusal("user.regions_required", "Petugas dan supervisor harus memiliki minimal satu wilayah.",
                "Caseworkers and supervisors serve at least one region.") { Field = "regions" };
        }

        return null;
    }

    private static UserOutcome Refused(Refusal r) => new(null, RefusalInfo.From(r));

    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(new UserAccountState(), Guid.NewGuid().ToString()));

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} saved with role {Role} by {AdminId}")]
    private partial void LogUpserted(string userId, Role role, string adminId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId}: the end of its sessions could not be pushed to the frontends; their renewal closes them")]
    private partial void LogSessionEndNotPushed(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId} could not be written to the people index; tried again shortly")]
    private partial void LogIndexFailed(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId} locked after repeated failed sign-ins")]
    private partial void LogLockedOut(string userId);
}

[GenerateSerializer, Alias("cg.UserDirectoryState")]
public sealed class UserDirectoryState
{
    [Id(0)] public SortedSet<string> UserIds { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, string> ByExternalSubject { get; set; } = new(StringComparer.Ordinal);
}

public sealed class UserDirectoryGrain(
    [PersistentState("directory", ProviderNames.GrainState)] IPersistentState<UserDirectoryState> directory) : Grain, IUserDirectoryGrain
{
    public async Task<bool> Register(string userId, string? externalSubject)
    {
        if (externalSubject is not null && directory.State.ByExternalSubject.TryGetValue(externalSubject, out var holder) && holder != userId)
        {
            return false;
        }

        var changed = directory.State.UserIds.Add(userId);
        foreach (var stale in directory.State.ByExternalSubject.Where(kv => kv.Value == userId && kv.Key != externalSubject).Select(kv => kv.Key).ToList())
        {
            directory.State.ByExternalSubject.Remove(stale);
            changed = true;
        }

        if (externalSubject is not null && directory.State.ByExternalSubject.GetValueOrDefault(externalSubject) != userId)
        {
            directory.State.ByExternalSubject[externalSubject] = userId;
            changed = true;
        }

        if (changed)
        {
            await directory.WriteStateAsync();
        }

        return true;
    }

    public async Task<int> IndexAll()
    {
        // Sixteen accounts at a time: each writes its own rows (a mentor's asks its mentor grain for the regions).
        foreach (var chunk in directory.State.UserIds.ToList().Chunk(16))
        {
            await Task.WhenAll(chunk.Select(userId => GrainFactory.GetGrain<IUserGrain>(userId).Reindex()));
        }

        return directory.State.UserIds.Count;
    }

    public Task<string?> FindByExternalSubject(string subject) => Task.FromResult(directory.State.ByExternalSubject.GetValueOrDefault(subject));
}
