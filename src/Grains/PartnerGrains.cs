using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

[GenerateSerializer, Alias("cg.PartnerOrgState")]
public sealed class PartnerOrgState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public HexaHelixRole Kind { get; set; }
    [Id(2)] public List<string> Regions { get; set; } = [];
    [Id(3)] public bool Disabled { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public SortedSet<string> Members { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public SortedSet<string> Offers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One hexa-helix partner organisation (docs/partners.md). Admins create and change it; its users' and offers' grains
/// tell it which accounts and offers are its. Disabling it ends its users' sessions (their live connections close) and
/// their sign-ins answer nothing until it is enabled again.
/// </summary>
public sealed partial class PartnerOrgGrain(
    [PersistentState("partner", ProviderNames.GrainState)] IPersistentState<PartnerOrgState> state,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    Storage.ICaseTimelineStore audit,
    ILogger<PartnerOrgGrain> logger) : Grain, IPartnerOrgGrain
{
    public const int MaxRegions = 50;

    private PartnerOrgState S => state.State;

    private string OrgId => this.GetPrimaryKeyString();

    public async Task<PartnerOrgOutcome> Upsert(PartnerOrgRequest request, Actor admin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admin);
        if (admin.Role != Role.Admin)
        {
            return Refused(Refusals.Forbidden());
        }

        var creating = !state.RecordExists;
        if (Validate(request, creating) is { } refusal)
        {
            return Refused(refusal);
        }

        var before = creating ? "(new)" : Describe();
        var wasDisabled = S.Disabled;
        if (creating)
        {
            S.CreatedAt = clock.GetUtcNow();
        }

        S.Name = request.Name?.Trim() ?? S.Name;
        S.Kind = request.Kind ?? S.Kind;
        S.Regions = request.Regions is { } regions ? [.. regions.Select(r => r.Trim()).Distinct(StringComparer.Ordinal)] : S.Regions;
        S.Disabled = request.Disabled ?? S.Disabled;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IPartnerDirectoryGrain>(0).Register(OrgId);
        await audit.RecordAccessAsync(new AccessLogEntry("partner:" + OrgId, admin.Id, admin.Role.ToString(), "partner-change",
            $"{before} -> {Describe()}", clock.GetUtcNow()) { Origin = admin.Origin }, CancellationToken.None);
        if (S.Disabled && !wasDisabled)
        {
            // Its users' accounts answer "no access" from now on: no frontend may answer from a copy made before.
            await GrainFactory.GetGrain<IAccountLeaseGrain>(0).Dropped(null);
            // What its users' sessions were allowed was decided on the organisation as it was: they end, live ones too.
            // Not awaited in this turn: a user's grain may be waiting on this one (a change of its organisation). Their
            // requests are refused from now on anyway (the account asks the organisation each time).
            _ = EndSessionsAsync([.. S.Members]);
        }

        return new PartnerOrgOutcome(View(), null);
    }

    public Task<PartnerOrgView?> Get() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task SetMember(string userId, bool member)
    {
        if (member ? S.Members.Add(userId) : S.Members.Remove(userId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task SetOffer(string offerId, bool held)
    {
        if (held ? S.Offers.Add(offerId) : S.Offers.Remove(offerId))
        {
            await state.WriteStateAsync();
        }
    }

    private async Task EndSessionsAsync(IReadOnlyList<string> members)
    {
        foreach (var member in members)
        {
            try
            {
                await GrainFactory.GetGrain<IUserGrain>(member).EndSessionsFor(SessionEnd.AccessChanged);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSessionsNotEnded(ex, member, OrgId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner user {UserId}: the end of its sessions (organisation {OrgId} disabled) could not be pushed; its requests are refused")]
    private partial void LogSessionsNotEnded(Exception exception, string userId, string orgId);

    private string Describe() => $"{S.Name} {S.Kind} [{string.Join(",", S.Regions)}] disabled={S.Disabled}";

    private PartnerOrgView View() => new(OrgId, S.Name ?? OrgId, S.Kind, S.Regions, S.Disabled, S.CreatedAt, [.. S.Members], [.. S.Offers]);

    private Refusal? Validate(PartnerOrgRequest r, bool creating)
    {
        if (!OfferRules.IsValidId(OrgId))
        {
            return new Refusal("partner.invalid_id", "ID organisasi mitra: 3–64 karakter a–z, 0–9, '.', '-', '_'.",
                "A partner organisation id is 3–64 characters of a–z, 0–9, '.', '-', '_'.") { Field = "orgId" };
        }

        if (CaseDecider.Name(r.Name, "name", CaseDecider.MaxShortText, required: creating) is { } badName)
        {
            return badName;
        }

        if ((creating && r.Kind is null) || (r.Kind is { } kind && !Enum.IsDefined(kind)))
        {
            return Refusals.Required("kind");
        }

        var regions = r.Regions ?? S.Regions;
        if (regions.Count is 0 or > MaxRegions)
        {
            return Refusals.OutOfRange("regions", $"1..{MaxRegions}");
        }

        return regions.Any(x => x is null || (x.Trim() != Offer.National && !RegionTable.Kemendagri.IsKnown(x.Trim()))) ? Refusals.UnknownRegion("regions") : null;
    }

    private static PartnerOrgOutcome Refused(Refusal r) => new(null, RefusalInfo.From(r));
}

[GenerateSerializer, Alias("cg.PartnerDirectoryState")]
public sealed class PartnerDirectoryState
{
    [Id(0)] public SortedSet<string> OrgIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The ids of every partner organisation.</summary>
public sealed class PartnerDirectoryGrain(
    [PersistentState("partners", ProviderNames.GrainState)] IPersistentState<PartnerDirectoryState> directory) : Grain, IPartnerDirectoryGrain
{
    public async Task Register(string orgId)
    {
        if (directory.State.OrgIds.Add(orgId))
        {
            await directory.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. directory.State.OrgIds]);
}

/// <summary>
/// A partner's queue: the cases of its organisation's offers with something waiting on it, from the enrolment projection,
/// each read through its case grain (which checks the consent to sharing with partners and answers the partner's view).
/// </summary>
[StatelessWorker]
public sealed class PartnerQueueGrain(Storage.IProjectionStore store) : Grain, IPartnerQueueGrain
{
    /// <summary>The purpose the queue's reads are audited with (a case the partner may not see is left out, not audited as a refusal).</summary>
    public const string QueuePurpose = "partner-queue";

    public async Task<PartnerQueueResult> Queue(Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller is not { Role: Role.Partner, PartnerOrg: { } org }
            || await GrainFactory.GetGrain<IPartnerOrgGrain>(org).Get() is not { Disabled: false } organisation)
        {
            return new PartnerQueueResult(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        // Page through the organisation's waiting enrolments until a queue's worth of cases it may see (cases whose
        // beneficiary does not share with partners, or that closed, are read and left out), at most ScanPages pages.
        var shown = new List<PartnerCaseView>();
        var more = false;
        for (var page = 0; ; page++)
        {
            var cases = await store.PartnerQueueAsync(org, page * IPartnerQueueGrain.MaxCases, IPartnerQueueGrain.MaxCases, CancellationToken.None);
            var views = await ReadAsync(cases, caller);
            shown.AddRange(views.OfType<PartnerCaseView>().Where(v => v.Enrolments.Any(e => e.WaitingOn is not null)));
            if (cases.Count < IPartnerQueueGrain.MaxCases)
            {
                break;
            }

            if (shown.Count >= IPartnerQueueGrain.MaxCases || page + 1 == ScanPages)
            {
                more = true;
                break;
            }
        }

        return new PartnerQueueResult(new PartnerQueue(organisation, [.. shown.Take(IPartnerQueueGrain.MaxCases)], more || shown.Count > IPartnerQueueGrain.MaxCases), null);
    }

    /// <summary>The most pages of the projection one queue answer reads.</summary>
    private const int ScanPages = 10;

    /// <summary>Each case's partner view, sixteen at a time (null where the partner does not see it).</summary>
    private async Task<PartnerCaseView?[]> ReadAsync(IReadOnlyList<string> cases, Actor caller)
    {
        using var parallel = new SemaphoreSlim(16);
        return await Task.WhenAll(cases.Select(async caseNumber =>
        {
            await parallel.WaitAsync();
            try
            {
                return await GrainFactory.GetGrain<ICaseGrain>(caseNumber).GetPartnerView(caller, QueuePurpose);
            }
            finally
            {
                parallel.Release();
            }
        }));
    }
}
