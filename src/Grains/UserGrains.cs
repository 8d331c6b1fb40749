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
}

/// <summary>
/// A local account. Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// (PBKDF2, per-password salt); a run of failed sign-ins locks the account for a while.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("account", ProviderNames.GrainState)] IPersistentState<UserAccountState> account,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    Storage.ICaseEventStore store,
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
        var refusal = Validate(request, creating);
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

        var before = account.RecordExists ? $"{S.Role} [{string.Join(",", S.Regions)}] disabled={S.Disabled}" : "(new)";
        S.DisplayName = request.DisplayName?.Trim() ?? S.DisplayName;
        S.Role = request.Role ?? S.Role;
        S.Regions = request.Regions is { } regions ? [.. regions.Select(r => r.Trim()).Distinct(StringComparer.Ordinal)] : S.Regions;
        S.Disabled = request.Disabled ?? S.Disabled;
        S.ExternalSubject = subject;
        if (request.Password is not null || request.Disabled == true)
        {
            // A new password or a disable ends every existing session.
            S.SessionVersion++;
        }

        if (request.Password is not null)
        {
            S.PasswordHash = Hasher.HashPassword(S, request.Password);
            _failures.Clear();
        }

        await account.WriteStateAsync();
        var after = $"{S.Role} [{string.Join(",", S.Regions)}] disabled={S.Disabled}{(request.Password is null ? "" : " password-set")}";
        await store.RecordAccessAsync(new AccessLogEntry("account:" + UserId, admin.Id, admin.Role.ToString(), "account-change",
            $"{before} -> {after}", clock.GetUtcNow()), CancellationToken.None);
        LogUpserted(UserId, S.Role, admin.Id);
        return new UserOutcome(View(), null);
    }

    public Task<UserView?> GetView() => Task.FromResult(account.RecordExists ? View() : null);

    public Task<SignInResult> SignIn(string password, string client) => Task.FromResult(CheckPassword(password, client));

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

    public Task<SignInResult> SignInExternal() => Task.FromResult(
        account.RecordExists && !S.Disabled
            ? new SignInResult(SignInStatus.Succeeded, ToActor(), null, S.SessionVersion)
            : new SignInResult(SignInStatus.Disabled, null, null));

    public async Task EndSessions()
    {
        if (account.RecordExists)
        {
            S.SessionVersion++;
            await account.WriteStateAsync();
        }
    }

    public Task<Actor?> GetActor(int sessionVersion) =>
        Task.FromResult(account.RecordExists && !S.Disabled && sessionVersion == S.SessionVersion ? ToActor() : null);

    private Actor ToActor() => new(UserId, S.Role, S.Regions);

    private UserView View() => new(UserId, S.DisplayName ?? UserId, S.Role, S.Regions, S.Disabled, S.ExternalSubject, S.CreatedAt);

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

        if (CaseDecider.Text(r.DisplayName, "displayName", CaseDecider.MaxNameLength, required: creating) is { } badName)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId} locked after repeated failed sign-ins")]
    private partial void LogLockedOut(string userId);
}

/// <summary>User ids: 3–64 of a–z, 0–9, '.', '-', '_' (lower case, so one person is one id).</summary>
public static class UserIds
{
    public static bool IsValid(string? id) =>
        id is { Length: >= 3 and <= 64 } && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');
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

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. directory.State.UserIds]);

    public Task<string?> FindByExternalSubject(string subject) => Task.FromResult(directory.State.ByExternalSubject.GetValueOrDefault(subject));
}
