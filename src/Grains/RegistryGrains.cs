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

    public Task Rest()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

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
        if (S.CurrentCase == caseNumber && (await ScopeOf(caseNumber))?.Status != CaseStatus.Open)
        {
            S.CurrentCase = S.CurrentCommandId = null;
            await entry.WriteStateAsync();
        }
    }

    public async Task Forget(string caseNumber)
    {
        var others = S.Intakes.Values.Where(o => o.Accepted).Select(o => o.CaseNumber).Append(S.CurrentCase)
            .Where(n => !string.IsNullOrEmpty(n) && n != caseNumber).Distinct(StringComparer.Ordinal).ToList();
        if (others.Count == 0)
        {
            // The person's only case: nothing of them stays (the row goes, the NIK's ciphertext with it).
            if (entry.RecordExists)
            {
                await entry.ClearStateAsync();
            }

            entry.State = new RegistryState();
            DeactivateOnIdle();
            return;
        }

        var stale = S.Intakes.Where(kv => kv.Value.CaseNumber == caseNumber).Select(kv => kv.Key).ToList();
        if (stale.Count > 0 || S.CurrentCase == caseNumber || S.PendingCase == caseNumber)
        {
            stale.ForEach(id => S.Intakes.Remove(id));
            if (S.CurrentCase == caseNumber)
            {
                S.CurrentCase = S.CurrentCommandId = null;
            }

            if (S.PendingCase == caseNumber)
            {
                S.PendingCase = S.PendingCommandId = null;
            }

            await entry.WriteStateAsync();
        }
    }

    public Task<string?> GetProtectedNik() => Task.FromResult(S.ProtectedNik);

    public Task<IReadOnlyList<string>> Cases() => Task.FromResult<IReadOnlyList<string>>(
        [.. new[] { S.CurrentCase }.Concat(S.Intakes.Values.Where(o => o.Accepted).Select(o => o.CaseNumber))
            .Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).Select(n => n!)]);

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

/// <summary>Intake entry point: validates the NIK against the region table, hashes it, routes to the person's registry entry.</summary>
[StatelessWorker]
[Reentrant]
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
[Reentrant]
public sealed class CaseSearchGrain(Storage.IProjectionStore store, Storage.ICaseTimelineStore audit, NikHasher hasher,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock) : Grain, ICaseSearchGrain
{
    public async Task<CasePage?> Search(CaseQuery query, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(caller);
        if (!AccessPolicy.MayListCases(caller.Role))
        {
            return null;
        }

        var scope = caller.Role == Role.Mentor ? new Storage.ListScope(null, caller.Id) : new Storage.ListScope(caller.Regions, null);
        var q = query with { Page = Math.Max(1, query.Page), PageSize = Math.Clamp(query.PageSize, 1, CaseQuery.MaxPageSize) };
        var byNik = Nik.IsWellFormed(q.Text?.Trim());
        if (byNik)
        {
            // A NIK is looked up through its keyed hash (the person's registry entry), never stored or compared in clear;
            // the cases found are then listed within the caller's scope like any other.
            var cases = await GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(hasher.Hash(q.Text!.Trim()))).Cases();
            q = q with { Text = null, CaseNumbers = cases };
        }

        var page = await store.SearchAsync(q, scope, CancellationToken.None);
        // A listed case's name and masked NIK are personal data too: each listing is in that case's access log.
        var now = clock.GetUtcNow();
        await audit.RecordAccessAsync([.. page.Items.Select(i => new AccessLogEntry(i.CaseNumber, caller.Id, caller.Role.ToString(), "list", byNik ? "nik-search" : "case-list", now) { Origin = caller.Origin })],
            CancellationToken.None);
        return page;
    }
}
