using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// A hexa-helix partner organisation as admins and its own users see it: its kind, the regions it works in, its users and
/// the catalog offers it answers for.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.PartnerOrgView")]
public sealed record PartnerOrgView(
    [property: Id(0)] string OrgId,
    [property: Id(1)] string Name,
    [property: Id(2)] HexaHelixRole Kind,
    [property: Id(3)] IReadOnlyList<string> Regions,
    [property: Id(4)] bool Disabled,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] IReadOnlyList<string> Members,
    [property: Id(7)] IReadOnlyList<string> Offers);

/// <summary>Create or update a partner organisation (admins). The id is the grain key: 3–64 of a–z, 0–9, '.', '-', '_'.</summary>
[GenerateSerializer, Alias("cg.PartnerOrgRequest")]
public sealed record PartnerOrgRequest
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public HexaHelixRole? Kind { get; init; }
    /// <summary>Kemendagri codes it works in (any level), or "ID" for the whole country.</summary>
    [Id(2)] public IReadOnlyList<string>? Regions { get; init; }
    /// <summary>A disabled organisation's users see and answer nothing (their accounts stay).</summary>
    [Id(3)] public bool? Disabled { get; init; }
}

[GenerateSerializer, Immutable, Alias("cg.PartnerOrgOutcome")]
public sealed record PartnerOrgOutcome([property: Id(0)] PartnerOrgView? Organisation, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>
/// One partner organisation (key: its id). Holds which accounts are its users and which offers it answers for; the user
/// and offer grains tell it when they change (each change is idempotent, so a repeat after a failure is harmless).
/// </summary>
[Alias("cg.IPartnerOrgGrain")]
public interface IPartnerOrgGrain : IGrainWithStringKey
{
    [Alias("Upsert"), ResponseTimeout(AccountChanges.Timeout)]
    Task<PartnerOrgOutcome> Upsert(PartnerOrgRequest request, Actor admin);

    /// <summary>The organisation (null: none). Interleaved: an account's grain asks it on each request of a partner's user.</summary>
    [Alias("Get"), Orleans.Concurrency.AlwaysInterleave]
    Task<PartnerOrgView?> Get();

    /// <summary>Records whether an account is one of the organisation's users (from the account's grain).</summary>
    [Alias("SetMember")]
    Task SetMember(string userId, bool member);

    /// <summary>Records whether an offer is one the organisation answers for (from the offer's grain).</summary>
    [Alias("SetOffer")]
    Task SetOffer(string offerId, bool held);
}

/// <summary>The ids of every partner organisation (one grain: organisations are few and change rarely).</summary>
[Alias("cg.IPartnerDirectoryGrain")]
public interface IPartnerDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task Register(string orgId);

    [Alias("List"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> List();
}

/// <summary>
/// A case as a partner's user sees it: who the beneficiary is, as far as they consented to sharing with partners (name,
/// masked NIK, segment, business identity and sector, region), and the enrolments with the organisation's offers only.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.PartnerCaseView")]
public sealed record PartnerCaseView(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] int Version,
    [property: Id(2)] CaseStatus Status,
    [property: Id(3)] string BeneficiaryName,
    [property: Id(4)] string NikMasked,
    [property: Id(5)] Segment Segment,
    [property: Id(6)] string? Nib,
    [property: Id(7)] string? Sector,
    [property: Id(8)] Domain.Business.UmkmClass? UmkmClass,
    [property: Id(9)] string RegionCode,
    [property: Id(10)] string RegionName,
    [property: Id(11)] IReadOnlyList<PartnerEnrolmentView> Enrolments);

/// <summary>One enrolment with the partner's offer, and what waits for the partner on it (null: nothing now).</summary>
[GenerateSerializer, Immutable, Alias("cg.PartnerEnrolmentView")]
public sealed record PartnerEnrolmentView([property: Id(0)] EnrolmentView Enrolment, [property: Id(1)] PartnerTask? WaitingOn);

/// <summary>What waits for a partner organisation: its cases with something to answer, oldest change first.</summary>
[GenerateSerializer, Immutable, Alias("cg.PartnerQueue")]
public sealed record PartnerQueue(
    [property: Id(0)] PartnerOrgView Organisation,
    [property: Id(1)] IReadOnlyList<PartnerCaseView> Cases,
    [property: Id(2)] bool More);

/// <summary>The partner's queue, or why not (not a partner's user, organisation disabled).</summary>
[GenerateSerializer, Immutable, Alias("cg.PartnerQueueResult")]
public sealed record PartnerQueueResult([property: Id(0)] PartnerQueue? Queue, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>A partner user's reads across cases (stateless: any silo answers).</summary>
[Alias("cg.IPartnerQueueGrain")]
public interface IPartnerQueueGrain : IGrainWithIntegerKey
{
    /// <summary>The most cases one queue answer lists.</summary>
    const int MaxCases = 200;

    [Alias("Queue")]
    Task<PartnerQueueResult> Queue(Actor caller);
}
