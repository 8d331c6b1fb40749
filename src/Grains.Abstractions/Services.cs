using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using Orleans.Concurrency;

namespace CaseGrains.Grains.Abstractions;

// The services catalog (issue 7): offers, their rosters, the catalog index, and the enrolment commands of a case.

/// <summary>
/// One offer of the catalog and its roster (the consistency boundary for capacity). The key is the offer id. A place is
/// reserved before the case appends its enrolment event; a waiting case is promoted when a place frees up.
/// </summary>
[Alias("cg.IOfferGrain")]
public interface IOfferGrain : IGrainWithStringKey
{
    /// <summary>Creates or updates the offer (admins). Unchanged content writes nothing.</summary>
    [Alias("Save")]
    Task<OfferSaveOutcome> Save(Offer offer, Actor actor);

    /// <summary>Creates or updates the offer from an admin's request (REST body); a bad value is refused by name.</summary>
    [Alias("SaveRequest")]
    Task<OfferSaveOutcome> SaveRequest(OfferRequest request, Actor actor);

    [Alias("Get"), ReadOnly]
    Task<Offer?> Get();

    /// <summary>Capacity, places taken and the waiting list's length; null when there is no such offer.</summary>
    [Alias("GetPlaces"), ReadOnly]
    Task<OfferPlaces?> GetPlaces();

    /// <summary>
    /// A place for the case (idempotent per case), a waiting-list position, or a refusal (no such offer, full). The
    /// reservation is held until the case's enrolment event confirms it (<see cref="Settle"/>); one the case never
    /// confirms (the process died before its append) is checked with the case after a while and given back.
    /// </summary>
    [Alias("Reserve")]
    Task<SeatGrant> Reserve(string caseNumber);

    /// <summary>The case gave its place (or its waiting-list entry) back; the next waiting case is offered the place.</summary>
    [Alias("Release")]
    Task Release(string caseNumber);

    /// <summary>
    /// Brings the roster in line with what the case's timeline says it holds (a consequence of its enrolment events,
    /// idempotent): a place, a waiting-list entry, or nothing (given back, and the next waiting case offered it).
    /// </summary>
    [Alias("Settle")]
    Task Settle(string caseNumber, PlaceHolding holding);

    /// <summary>Who holds a place and who waits (for the reconciliation).</summary>
    [Alias("GetRoster"), ReadOnly]
    Task<OfferRoster?> GetRoster();

    /// <summary>Replaces the roster with the one recomputed from the timelines (admins, through reconcile).</summary>
    [Alias("ReplaceRoster")]
    Task ReplaceRoster(OfferRoster roster, Actor actor);

    /// <summary>The promoted case recorded its place on its timeline.</summary>
    [Alias("ConfirmSeat")]
    Task ConfirmSeat(string caseNumber);
}

/// <summary>What a case holds on an offer's roster, as its timeline says.</summary>
public enum PlaceHolding
{
    None,
    Seat,
    Waiting,
}

/// <summary>An offer's roster: the cases holding a place, and the waiting list in order.</summary>
[GenerateSerializer, Immutable, Alias("cg.OfferRoster")]
public sealed record OfferRoster([property: Id(0)] IReadOnlyList<string> Seated, [property: Id(1)] IReadOnlyList<string> Waiting);

/// <summary>
/// The offers reaching one province (key: its code, e.g. "35"), or the national ones (key <see cref="Offer.National"/>).
/// Offer grains keep it current; matching and overlap checks read it.
/// </summary>
[Alias("cg.ICatalogGrain")]
public interface ICatalogGrain : IGrainWithStringKey
{
    [Alias("Put")]
    Task Put(Offer offer);

    [Alias("Remove")]
    Task Remove(string offerId);

    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<Offer>> List();
}

/// <summary>Catalog-wide reads and the CSV import. Stateless: any silo answers.</summary>
[Alias("cg.ICatalogQueryGrain")]
public interface ICatalogQueryGrain : IGrainWithIntegerKey
{
    /// <summary>Offers reaching a region (or all, for a null region), filtered by type and provider, with their places.</summary>
    [Alias("Search")]
    Task<IReadOnlyList<OfferListing>> Search(string? regionCode, OfferType? type, string? provider);

    /// <summary>
    /// Imports the rows of a catalog CSV (admins; the header and records as read from the file): bad rows are reported
    /// and skipped, good rows saved; re-importing updates.
    /// </summary>
    [Alias("ImportRecords"), ResponseTimeout("00:05:00")]
    Task<CatalogImportReport> Import(IReadOnlyList<string> header, IReadOnlyList<CsvRecord> rows, Actor actor);

    /// <summary>The sets of overlapping offers reaching a region, with the beneficiaries of the region in each.</summary>
    [Alias("RedundancyMap")]
    Task<RedundancyMapResult> RedundancyMap(string regionCode, Actor actor);

    /// <summary>Financing applied, approved, disbursed and repayment, per product, for cases in a region.</summary>
    [Alias("FinancingTotals")]
    Task<FinancingTotalsResult> FinancingTotals(string regionCode, Actor actor);
}

[GenerateSerializer, Immutable, Alias("cg.OfferSaveOutcome")]
public sealed record OfferSaveOutcome(
    [property: Id(0)] Offer? Offer,
    [property: Id(1)] OfferChange Change,
    [property: Id(2)] RefusalInfo? Refusal);

public enum OfferChange
{
    Created,
    Updated,
    Unchanged,
    Rejected,
}

[GenerateSerializer, Immutable, Alias("cg.OfferPlaces")]
public sealed record OfferPlaces([property: Id(0)] int Capacity, [property: Id(1)] int Taken, [property: Id(2)] int Waiting)
{
    public int Free => Math.Max(0, Capacity - Taken);
}

[GenerateSerializer, Immutable, Alias("cg.OfferListing")]
public sealed record OfferListing([property: Id(0)] Offer Offer, [property: Id(1)] OfferPlaces Places);

[GenerateSerializer, Immutable, Alias("cg.SeatGrant")]
public sealed record SeatGrant([property: Id(0)] SeatOutcome Outcome, [property: Id(1)] int WaitlistPosition, [property: Id(2)] RefusalInfo? Refusal);

[GenerateSerializer, Immutable, Alias("cg.CatalogImportRow")]
public sealed record CatalogImportRow(
    [property: Id(0)] int Line,
    [property: Id(1)] string? OfferId,
    [property: Id(2)] OfferChange Result,
    [property: Id(3)] RefusalInfo? Problem);

[GenerateSerializer, Immutable, Alias("cg.CatalogImportReport")]
public sealed record CatalogImportReport(
    [property: Id(0)] IReadOnlyList<CatalogImportRow> Rows,
    [property: Id(1)] int Created,
    [property: Id(2)] int Updated,
    [property: Id(3)] int Unchanged,
    [property: Id(4)] int Rejected,
    [property: Id(5)] RefusalInfo? Refusal);

[GenerateSerializer, Immutable, Alias("cg.RedundantOffer")]
public sealed record RedundantOffer([property: Id(0)] Offer Offer, [property: Id(1)] long Beneficiaries);

/// <summary>One set of offers that overlap one another in a region, and the beneficiaries (of the region) enrolled in each.</summary>
[GenerateSerializer, Immutable, Alias("cg.RedundancySet")]
public sealed record RedundancySet([property: Id(0)] IReadOnlyList<RedundantOffer> Offers, [property: Id(1)] long Beneficiaries);

[GenerateSerializer, Immutable, Alias("cg.RedundancyMapResult")]
public sealed record RedundancyMapResult(
    [property: Id(0)] string RegionCode,
    [property: Id(1)] IReadOnlyList<RedundancySet>? Sets,
    [property: Id(2)] RefusalInfo? Refusal);

/// <summary>Financing for one product in a region. Amounts are whole rupiah (exact, never floating point).</summary>
[GenerateSerializer, Immutable, Alias("cg.FinancingTotal")]
public sealed record FinancingTotal(
    [property: Id(0)] string OfferId,
    [property: Id(1)] string Product,
    [property: Id(2)] string Lender,
    [property: Id(3)] long Applications,
    [property: Id(4)] long AppliedIdr,
    [property: Id(5)] long Approved,
    [property: Id(6)] long ApprovedPlafondIdr,
    [property: Id(7)] long Rejected,
    [property: Id(8)] long Disbursed,
    [property: Id(9)] long DisbursedIdr,
    [property: Id(10)] long Current,
    [property: Id(11)] long Late,
    [property: Id(12)] long Defaulted,
    [property: Id(13)] long Repaid)
{
    /// <summary>The sum over products (<c>*</c> for the product, lender and offer id).</summary>
    public static FinancingTotal Sum(IReadOnlyList<FinancingTotal> products) =>
        new("*", "*", "*", products.Sum(p => p.Applications), products.Sum(p => p.AppliedIdr), products.Sum(p => p.Approved),
            products.Sum(p => p.ApprovedPlafondIdr), products.Sum(p => p.Rejected), products.Sum(p => p.Disbursed), products.Sum(p => p.DisbursedIdr),
            products.Sum(p => p.Current), products.Sum(p => p.Late), products.Sum(p => p.Defaulted), products.Sum(p => p.Repaid));
}

[GenerateSerializer, Immutable, Alias("cg.FinancingTotalsResult")]
public sealed record FinancingTotalsResult(
    [property: Id(0)] string RegionCode,
    [property: Id(1)] IReadOnlyList<FinancingTotal>? Products,
    [property: Id(2)] FinancingTotal? All,
    [property: Id(3)] RefusalInfo? Refusal);

/// <summary>Ranked candidates for a case, or why none are shown.</summary>
[GenerateSerializer, Immutable, Alias("cg.MatchResult")]
public sealed record MatchResult([property: Id(0)] IReadOnlyList<Candidate>? Candidates, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>An offer as admins send it (REST body; the CSV import builds the same). Value-typed fields are nullable so a missing one is named.</summary>
[GenerateSerializer, Alias("cg.OfferRequest")]
public sealed record OfferRequest
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public OfferType? Type { get; init; }
    [Id(2)] public string? Category { get; init; }
    [Id(3)] public string? Provider { get; init; }
    [Id(4)] public OfferLevel? Level { get; init; }
    [Id(5)] public HexaHelixRole? PartnerRole { get; init; }
    [Id(6)] public IReadOnlyList<Segment>? Segments { get; init; }
    /// <summary>Kemendagri codes the offer reaches (everything under each), or "ID" for the whole country.</summary>
    [Id(7)] public IReadOnlyList<string>? Regions { get; init; }
    [Id(8)] public DateOnly? Start { get; init; }
    [Id(9)] public DateOnly? End { get; init; }
    /// <summary>Seats (training), caseload (mentoring programme), referrals (matchmaking) or loans (financing quota).</summary>
    [Id(10)] public int? Capacity { get; init; }
    [Id(11)] public int? AttendanceThresholdPercent { get; init; }
    [Id(12)] public long? MinAmountIdr { get; init; }
    [Id(13)] public long? MaxAmountIdr { get; init; }
    [Id(14)] public IReadOnlyList<UmkmClass>? EligibleClasses { get; init; }
    [Id(15)] public IReadOnlyList<string>? Sectors { get; init; }
    /// <summary>A partner-level offer: the partner organisation (its id) that answers for it in the platform.</summary>
    [Id(16)] public string? PartnerOrgId { get; init; }
}

/// <summary>Enrol in a catalog offer: a course or programme (a place or the waiting list), a referral to a partner, or a financing application.</summary>
[GenerateSerializer, Alias("cg.EnrolRequest")]
public sealed record EnrolRequest : CaseCommandRequest
{
    [Id(0)] public string? OfferId { get; init; }
    /// <summary>The caseworker saw the overlap warning and enrols anyway (the warning is recorded).</summary>
    [Id(1)] public bool? AcknowledgeOverlap { get; init; }
    /// <summary>Financing: the amount applied for, whole rupiah.</summary>
    [Id(2)] public long? AmountIdr { get; init; }
}

/// <summary>A step on one of the case's enrolments; the offer id comes from the URL.</summary>
[GenerateSerializer, Alias("cg.EnrolmentStepRequest")]
public abstract record EnrolmentStepRequest : CaseCommandRequest
{
    [Id(0)] public string? OfferId { get; init; }
}

[GenerateSerializer, Alias("cg.WithdrawEnrolmentRequest")]
public sealed record WithdrawEnrolmentRequest : EnrolmentStepRequest
{
    [Id(0)] public string? Reason { get; init; }
}

/// <summary>The course ended: attendance in percent (the course's own threshold decides the pass).</summary>
[GenerateSerializer, Alias("cg.CompleteTrainingRequest")]
public sealed record CompleteTrainingRequest : EnrolmentStepRequest
{
    [Id(0)] public int? AttendancePercent { get; init; }
}

/// <summary>Corrects a course's recorded final attendance (in percent), with the reason; the original stays in the timeline.</summary>
[GenerateSerializer, Alias("cg.CorrectAttendanceRequest")]
public sealed record CorrectAttendanceRequest : EnrolmentStepRequest
{
    [Id(0)] public int? AttendancePercent { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

[GenerateSerializer, Alias("cg.CompleteProgrammeRequest")]
public sealed record CompleteProgrammeRequest : EnrolmentStepRequest
{
    [Id(0)] public string? Note { get; init; }
}

/// <summary>The partner's answer to a referral (a reason is needed to decline).</summary>
[GenerateSerializer, Alias("cg.RespondToReferralRequest")]
public sealed record RespondToReferralRequest : EnrolmentStepRequest
{
    [Id(0)] public bool? Accepted { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

[GenerateSerializer, Alias("cg.ReportReferralOutcomeRequest")]
public sealed record ReportReferralOutcomeRequest : EnrolmentStepRequest
{
    [Id(0)] public MatchOutcome? Outcome { get; init; }
    [Id(1)] public string? Reason { get; init; }
}

/// <summary>The lender's decision: approved with a plafond (whole rupiah), or rejected with a reason.</summary>
[GenerateSerializer, Alias("cg.DecideFinancingRequest")]
public sealed record DecideFinancingRequest : EnrolmentStepRequest
{
    [Id(0)] public bool? Approved { get; init; }
    [Id(1)] public long? PlafondIdr { get; init; }
    [Id(2)] public string? Reason { get; init; }
}

[GenerateSerializer, Alias("cg.DisburseFinancingRequest")]
public sealed record DisburseFinancingRequest : EnrolmentStepRequest
{
    [Id(0)] public long? AmountIdr { get; init; }
    [Id(1)] public DateOnly? Date { get; init; }
}

[GenerateSerializer, Alias("cg.RecordRepaymentRequest")]
public sealed record RecordRepaymentRequest : EnrolmentStepRequest
{
    [Id(0)] public RepaymentStatus? Status { get; init; }
}

/// <summary>A financing that binds the debtor, on one of their cases (what the scheme rules compare across cases).</summary>
[GenerateSerializer, Immutable, Alias("cg.FinancingHoldingView")]
public sealed record FinancingHoldingView(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] string OfferId,
    [property: Id(2)] string OfferName,
    [property: Id(3)] string Provider,
    [property: Id(4)] FinancingScheme Scheme,
    [property: Id(5)] EnrolmentStatus Status)
{
    public static FinancingHoldingView From(FinancingHolding h) => new(h.CaseNumber, h.OfferId, h.OfferName, h.Provider, h.Scheme, h.Status);

    public FinancingHolding ToDomain() => new(CaseNumber, OfferId, OfferName, Provider, Scheme, Status);
}

/// <summary>Orleans form of the domain's <see cref="Offer"/> (the domain project has no Orleans).</summary>
[GenerateSerializer, Alias("cg.OfferSurrogate")]
public record struct OfferSurrogate
{
    [Id(0)] public string Id { get; init; }
    [Id(1)] public string Name { get; init; }
    [Id(2)] public OfferType Type { get; init; }
    [Id(3)] public string Category { get; init; }
    [Id(4)] public string Provider { get; init; }
    [Id(5)] public OfferLevel Level { get; init; }
    [Id(6)] public HexaHelixRole? PartnerRole { get; init; }
    [Id(7)] public IReadOnlyList<Segment> Segments { get; init; }
    [Id(8)] public IReadOnlyList<string> Regions { get; init; }
    [Id(9)] public DateOnly Start { get; init; }
    [Id(10)] public DateOnly End { get; init; }
    [Id(11)] public int Capacity { get; init; }
    [Id(12)] public long? MinAmountIdr { get; init; }
    [Id(13)] public long? MaxAmountIdr { get; init; }
    [Id(14)] public IReadOnlyList<UmkmClass>? EligibleClasses { get; init; }
    [Id(15)] public int? AttendanceThresholdPercent { get; init; }
    [Id(16)] public IReadOnlyList<string> Sectors { get; init; }
    [Id(17)] public string? PartnerOrgId { get; init; }
}

[RegisterConverter]
public sealed class OfferSurrogateConverter : IConverter<Offer, OfferSurrogate>
{
    public Offer ConvertFromSurrogate(in OfferSurrogate s) => new()
    {
        Id = s.Id,
        Name = s.Name,
        Type = s.Type,
        Category = s.Category,
        Provider = s.Provider,
        Level = s.Level,
        PartnerRole = s.PartnerRole,
        Segments = s.Segments,
        Regions = s.Regions,
        Period = new OfferPeriod(s.Start, s.End),
        Capacity = s.Capacity,
        Financing = s.MinAmountIdr is { } min ? new FinancingTerms(min, s.MaxAmountIdr ?? min, s.EligibleClasses ?? []) : null,
        AttendanceThresholdPercent = s.AttendanceThresholdPercent,
        Sectors = s.Sectors ?? [],
        PartnerOrgId = s.PartnerOrgId,
    };

    public OfferSurrogate ConvertToSurrogate(in Offer o) => new()
    {
        Id = o.Id,
        Name = o.Name,
        Type = o.Type,
        Category = o.Category,
        Provider = o.Provider,
        Level = o.Level,
        PartnerRole = o.PartnerRole,
        Segments = [.. o.Segments],
        Regions = [.. o.Regions],
        Start = o.Period.Start,
        End = o.Period.End,
        Capacity = o.Capacity,
        MinAmountIdr = o.Financing?.MinAmountIdr,
        MaxAmountIdr = o.Financing?.MaxAmountIdr,
        EligibleClasses = o.Financing is { } f ? [.. f.EligibleClasses] : null,
        AttendanceThresholdPercent = o.AttendanceThresholdPercent,
        Sectors = [.. o.Sectors],
        PartnerOrgId = o.PartnerOrgId,
    };
}

[GenerateSerializer, Alias("cg.CandidateSurrogate")]
public record struct CandidateSurrogate
{
    [Id(0)] public CandidateKind Kind { get; init; }
    [Id(1)] public string Id { get; init; }
    [Id(2)] public string Name { get; init; }
    [Id(3)] public string? Provider { get; init; }
    [Id(4)] public int Score { get; init; }
    [Id(5)] public IReadOnlyList<ScoreReasonSurrogate> Reasons { get; init; }
}

[GenerateSerializer, Alias("cg.ScoreReasonSurrogate")]
public record struct ScoreReasonSurrogate
{
    [Id(0)] public string Code { get; init; }
    [Id(1)] public int Points { get; init; }
    [Id(2)] public string Indonesian { get; init; }
    [Id(3)] public string English { get; init; }
}

[RegisterConverter]
public sealed class CandidateSurrogateConverter : IConverter<Candidate, CandidateSurrogate>
{
    public Candidate ConvertFromSurrogate(in CandidateSurrogate s) =>
        new(s.Kind, s.Id, s.Name, s.Provider, s.Score, [.. s.Reasons.Select(r => new ScoreReason(r.Code, r.Points, r.Indonesian, r.English))]);

    public CandidateSurrogate ConvertToSurrogate(in Candidate c) => new()
    {
        Kind = c.Kind,
        Id = c.Id,
        Name = c.Name,
        Provider = c.Provider,
        Score = c.Score,
        Reasons = [.. c.Reasons.Select(r => new ScoreReasonSurrogate { Code = r.Code, Points = r.Points, Indonesian = r.Indonesian, English = r.English })],
    };
}
