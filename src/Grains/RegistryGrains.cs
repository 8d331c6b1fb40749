using Microsoft.Extensions.DependencyInjection;
using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Identity;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

/// <summary>
/// One person in the programme, keyed by the keyed hash of their NIK: the consistency boundary of
/// "one open case per beneficiary". Holds pointers to case numbers, never the NIK.
/// </summary>
[Alias("cg.IBeneficiaryRegistryGrain")]
public interface IBeneficiaryRegistryGrain : IGrainWithStringKey
{
    /// <summary>Opens the person's case unless they have one open. Keeps the encrypted NIK.</summary>
    [Alias("Open")]
    Task<CommandOutcome> Open(OpenCaseRequest request, string regencyCode, string protectedNik, Actor actor);

    /// <summary>
    /// Makes <paramref name="caseNumber"/> this person's open case (used by reopen). Null on success; otherwise the
    /// number of the other case that is open.
    /// </summary>
    [Alias("Claim")]
    Task<string?> Claim(string caseNumber);

    [Alias("Release"), OneWay]
    Task Release(string caseNumber);

    /// <summary>The NIK encrypted with Data Protection (only the case's audited reveal decrypts it).</summary>
    [Alias("GetProtectedNik"), AlwaysInterleave]
    Task<string?> GetProtectedNik();
}

/// <summary>
/// Registry grain keys. The prefix keeps the key from parsing as a hexadecimal integer, which Orleans' ADO.NET
/// storage would otherwise fold into a numeric key (dotnet/orleans#9706).
/// </summary>
public static class RegistryKeys
{
    public static string For(string nikHash) => "nik-" + nikHash;
}

/// <summary>Hands out case numbers for one kab/kota (<c>3579-000001</c>, <c>3579-000002</c> …), never twice.</summary>
[Alias("cg.ICaseNumberGrain")]
public interface ICaseNumberGrain : IGrainWithStringKey
{
    [Alias("Next")]
    Task<string> Next();
}

[GenerateSerializer, Alias("cg.RegistryState")]
public sealed class RegistryState
{
    [Id(0)] public string? CurrentCase { get; set; }
    [Id(1)] public string? CurrentCommandId { get; set; }
    [Id(2)] public string? PendingCase { get; set; }
    [Id(3)] public string? PendingCommandId { get; set; }
    [Id(5)] public string? ProtectedNik { get; set; }
    /// <summary>Every intake command this person received and its first outcome: a repeat answers from here.</summary>
    [Id(6)] public Dictionary<string, CommandOutcome> Intakes { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("cg.CaseNumberState")]
public sealed class CaseNumberState
{
    [Id(0)] public long Last { get; set; }
}

public sealed class BeneficiaryRegistryGrain(
    [PersistentState("registry", ProviderNames.GrainState)] IPersistentState<RegistryState> entry) : Grain, IBeneficiaryRegistryGrain
{
    private RegistryState S => entry.State;

    public async Task<CommandOutcome> Open(OpenCaseRequest request, string regencyCode, string protectedNik, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var commandId = request.CommandId!;

        // Bad input is reported as such before anything else is looked at, and spends no case number.
        var check = CommandMapper.ToDomain(request with { CaseNumber = "pending" }, actor.Id);
        var decided = check.IsRefused ? default : CaseDecider.Decide(null, check.Value, new DecisionContext(DateTimeOffset.UnixEpoch, JourneyPolicy.Default));
        if (check.IsRefused || decided.IsRefused)
        {
            return new CommandOutcome("", false, null, null, 0, RefusalInfo.From(check.Refusal ?? decided.Refusal!), false);
        }

        // A pending number whose case was actually opened (a crash after the open) is the current case.
        if (S.PendingCase is { } pending && S.PendingCommandId != commandId && await ScopeOf(pending) is not null)
        {
            S.CurrentCase = pending;
            S.CurrentCommandId = S.PendingCommandId;
            S.PendingCase = S.PendingCommandId = null;
            await entry.WriteStateAsync();
        }

        // A repeated intake answers with its first outcome, whatever happened to the case since.
        if (S.Intakes.TryGetValue(commandId, out var first))
        {
            // The first outcome again, but a case number only to someone who may see that case.
            if (first.Accepted && await ScopeOf(first.CaseNumber) is { } opened
                && !AccessPolicy.CanRead(actor.ToCaller(), opened.RegionCode, opened.MentorId))
            {
                return new CommandOutcome("", false, null, null, 0, RefusalInfo.From(Refusals.DuplicateCaseElsewhere()), true);
            }

            return first with { Replayed = true };
        }

        if (S.CurrentCase is { } current && await ScopeOf(current) is { Status: CaseStatus.Open } scope)
        {
            // Name the open case only to someone who may see it.
            var refusal = AccessPolicy.CanRead(actor.ToCaller(), scope.RegionCode, scope.MentorId)
                ? Refusals.DuplicateCase(current) : Refusals.DuplicateCaseElsewhere();
            var duplicate = new CommandOutcome("", false, null, null, 0, RefusalInfo.From(refusal), false);
            S.Intakes[commandId] = duplicate;
            await entry.WriteStateAsync();
            return duplicate;
        }

        string number;
        if (S.PendingCase is { } resumed && S.PendingCommandId == commandId)
        {
            number = resumed;
        }
        else
        {
            number = await GrainFactory.GetGrain<ICaseNumberGrain>(regencyCode).Next();
            S.PendingCase = number;
            S.PendingCommandId = commandId;
            S.ProtectedNik = protectedNik;
            await entry.WriteStateAsync();
        }

        var outcome = await Case(number).Execute(request with { CaseNumber = number }, actor);
        if (outcome.Accepted)
        {
            S.CurrentCase = number;
            S.CurrentCommandId = commandId;
            S.PendingCase = S.PendingCommandId = null;
            S.Intakes[commandId] = outcome;
            await entry.WriteStateAsync();
        }

        return outcome;
    }

    public async Task<string?> Claim(string caseNumber)
    {
        if (S.CurrentCase is { } current && current != caseNumber && (await ScopeOf(current))?.Status == CaseStatus.Open)
        {
            return current;
        }

        if (S.CurrentCase != caseNumber)
        {
            S.CurrentCase = caseNumber;
            S.CurrentCommandId = null;
            await entry.WriteStateAsync();
        }

        return null;
    }

    public async Task Release(string caseNumber)
    {
        if (S.CurrentCase == caseNumber)
        {
            S.CurrentCase = S.CurrentCommandId = null;
            await entry.WriteStateAsync();
        }
    }

    public Task<string?> GetProtectedNik() => Task.FromResult(S.ProtectedNik);

    private ICaseGrain Case(string number) => GrainFactory.GetGrain<ICaseGrain>(number);

    private Task<CaseScope?> ScopeOf(string number) => Case(number).GetScope();
}

public sealed class CaseNumberGrain(
    [PersistentState("sequence", ProviderNames.GrainState)] IPersistentState<CaseNumberState> sequence) : Grain, ICaseNumberGrain
{
    public async Task<string> Next()
    {
        sequence.State.Last++;
        await sequence.WriteStateAsync();
        return CaseNumbers.Format(this.GetPrimaryKeyString(), sequence.State.Last);
    }
}

/// <summary>Case numbers: the kab/kota code without its dot, a dash, six or more digits.</summary>
public static class CaseNumbers
{
    public static string Format(string regencyCode, long n) =>
        $"{regencyCode.Replace(".", "", StringComparison.Ordinal)}-{n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>True for the shape <c>3579-000123</c> (used to answer 404 early for malformed numbers).</summary>
    public static bool IsWellFormed(string? s) =>
        s is { Length: >= 11 and <= 24 } && s[4] == '-' && s.AsSpan(0, 4).IndexOfAnyExceptInRange('0', '9') < 0
        && s.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0;
}

/// <summary>Intake entry point: validates the NIK against the region table, hashes it, routes to the person's registry entry.</summary>
[StatelessWorker]
public sealed class IntakeGrain(NikHasher hasher, NikProtector protector, [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock) : Grain, IIntakeGrain
{
    public async Task<CommandOutcome> Open(IntakeRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refusal = CommandMapper.CheckCommandId(request.CommandId)
            ?? (request.Segment is null ? Refusals.Required("segment") : null)
            ?? (request.ConsentGiven is null ? Refusals.Required("consentGiven") : null)
            ?? CaseDecider.Region(request.RegionCode, "regionCode")
            ?? AccessPolicy.CheckCommand(actor.ToCaller(), null, CommandKind.Intake, request.RegionCode);
        if (refusal is not null)
        {
            return Refused(refusal);
        }

        var nik = Nik.Parse(request.Nik, RegionTable.Kemendagri, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (nik.IsRefused)
        {
            return Refused(nik.Refusal!);
        }

        var hash = hasher.Hash(nik.Value.Value);
        var open = new OpenCaseRequest
        {
            CommandId = request.CommandId,
            CaseNumber = "",
            NikHash = hash,
            NikMasked = nik.Value.Masked,
            Gender = nik.Value.Gender,
            FullName = request.FullName!,
            RegionCode = request.RegionCode!,
            Segment = request.Segment!.Value,
            Nib = string.IsNullOrWhiteSpace(request.Nib) ? null : request.Nib.Trim(),
            ConsentGiven = request.ConsentGiven!.Value,
        };
        return await GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(hash))
            .Open(open, RegionTable.RegencyOf(request.RegionCode!)!, protector.Protect(nik.Value.Value), actor);
    }

    private static CommandOutcome Refused(Refusal r) => new("", false, null, null, 0, RefusalInfo.From(r), false);
}

[StatelessWorker]
public sealed class CaseSearchGrain(Storage.ICaseEventStore store, [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock) : Grain, ICaseSearchGrain
{
    public const int MaxPageSize = 200;

    public async Task<CasePage?> Search(CaseQuery query, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        if (!AccessPolicy.MayListCases(caller.Role))
        {
            return null;
        }

        var scope = caller.Role == Role.Mentor ? new Storage.ListScope(null, caller.Id) : new Storage.ListScope(caller.Regions, null);
        var q = query with { Page = Math.Max(1, query.Page), PageSize = Math.Clamp(query.PageSize, 1, MaxPageSize) };
        var page = await store.SearchAsync(q, scope, CancellationToken.None);
        // A listed case's name and masked NIK are personal data too: each listing is in that case's access log.
        var now = clock.GetUtcNow();
        await store.RecordAccessAsync([.. page.Items.Select(i => new AccessLogEntry(i.CaseNumber, caller.Id, caller.Role.ToString(), "list", "case-list", now))],
            CancellationToken.None);
        return page;
    }
}
