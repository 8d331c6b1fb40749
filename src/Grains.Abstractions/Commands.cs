using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;

namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// A journey command as clients send it (also the JSON body of the REST endpoints). Every command carries a
/// client-chosen <see cref="CommandId"/>: a repeat returns the first outcome and appends nothing. When
/// <see cref="ExpectedVersion"/> is given and the case has moved on, the command is refused with the current version.
/// Value-typed fields are nullable so that a missing field is refused by name instead of defaulting.
/// </summary>
[GenerateSerializer, Alias("cg.CaseCommandRequest")]
public abstract record CaseCommandRequest
{
    /// <summary>Client-chosen idempotency key, unique per case (1–100 characters).</summary>
    [Id(0)] public string? CommandId { get; init; }

    /// <summary>The case version the caller decided on; null to skip the check.</summary>
    [Id(1)] public int? ExpectedVersion { get; init; }
}

/// <summary>Records the beneficiary's consent (Intake gate): how, which form version, on which day, who witnessed.</summary>
[GenerateSerializer, Alias("cg.RecordConsentRequest")]
public sealed record RecordConsentRequest : CaseCommandRequest
{
    /// <summary>How consent was given, e.g. "signed form", "thumbprint with a witness".</summary>
    [Id(0)] public string? Method { get; init; }

    /// <summary>The consent form's version as printed on it (up to 50 characters); optional.</summary>
    [Id(1)] public string? FormVersion { get; init; }

    /// <summary>The day the beneficiary gave consent: not after today, at most 90 days before the case was opened; optional.</summary>
    [Id(2)] public DateOnly? GivenOn { get; init; }

    /// <summary>Who witnessed it (name and role); optional.</summary>
    [Id(3)] public string? Witness { get; init; }

    /// <summary>
    /// What the beneficiary consents to (<c>CaseManagement</c>, <c>Mentoring</c>, <c>PartnerSharing</c>); omitted: every purpose.
    /// Purposes already consented to stay.
    /// </summary>
    [Id(4)] public IReadOnlyList<ConsentPurpose>? Purposes { get; init; }
}

/// <summary>
/// The beneficiary withdraws consent for some purposes (<c>CaseManagement</c> ends them all): they stop at once, the case
/// record stays. How it was said, on which day, the witness and a note.
/// </summary>
[GenerateSerializer, Alias("cg.WithdrawConsentRequest")]
public sealed record WithdrawConsentRequest : CaseCommandRequest
{
    [Id(0)] public IReadOnlyList<ConsentPurpose>? Purposes { get; init; }

    /// <summary>How the withdrawal was made, e.g. "signed withdrawal form", "in person at the office".</summary>
    [Id(1)] public string? Method { get; init; }

    /// <summary>The day the beneficiary withdrew: not before the case was opened, not after today; optional.</summary>
    [Id(2)] public DateOnly? WithdrawnOn { get; init; }

    [Id(3)] public string? Witness { get; init; }

    [Id(4)] public string? Note { get; init; }
}

/// <summary>Assessment: business profile and needs (Assessment gate). The UMKM class is derived, never sent.</summary>
[GenerateSerializer, Alias("cg.RecordAssessmentRequest")]
public sealed record RecordAssessmentRequest : CaseCommandRequest
{
    [Id(0)] public string? Sector { get; init; }
    /// <summary>Annual sales (omzet) in whole rupiah.</summary>
    [Id(1)] public long? AnnualTurnoverIdr { get; init; }
    /// <summary>Business capital excluding land and buildings, in whole rupiah.</summary>
    [Id(2)] public long? BusinessCapitalIdr { get; init; }
    [Id(3)] public int? Workers { get; init; }
    [Id(4)] public IReadOnlyList<string>? Needs { get; init; }
}

/// <summary>Start, complete or skip a stage (the action is the endpoint; the reason is needed to skip).</summary>
[GenerateSerializer, Alias("cg.StageCommandRequest")]
public sealed record StageCommandRequest : CaseCommandRequest
{
    [Id(0)] public Stage? Stage { get; init; }
    [Id(1)] public StageAction? Action { get; init; }
    [Id(2)] public string? Reason { get; init; }
}

/// <summary>Close an open case directly with a reason (supervisors; caseworkers ask with <see cref="RequestClosureRequest"/>).</summary>
[GenerateSerializer, Alias("cg.CloseCaseRequest")]
public sealed record CloseCaseRequest : CaseCommandRequest
{
    [Id(0)] public CloseReason? Reason { get; init; }
    [Id(1)] public string? Note { get; init; }
}

/// <summary>Reopen a closed case directly (supervisors; caseworkers ask with <see cref="RequestReopeningRequest"/>).</summary>
[GenerateSerializer, Alias("cg.ReopenCaseRequest")]
public sealed record ReopenCaseRequest : CaseCommandRequest
{
    [Id(0)] public string? Reason { get; init; }
}

/// <summary>Ask the region's supervisors to close the case (the case stays open until one decides).</summary>
[GenerateSerializer, Alias("cg.RequestClosureRequest")]
public sealed record RequestClosureRequest : CaseCommandRequest
{
    [Id(0)] public CloseReason? Reason { get; init; }
    [Id(1)] public string? Note { get; init; }
}

/// <summary>Ask the region's supervisors to reopen a closed case.</summary>
[GenerateSerializer, Alias("cg.RequestReopeningRequest")]
public sealed record RequestReopeningRequest : CaseCommandRequest
{
    [Id(0)] public string? Reason { get; init; }
}

/// <summary>A supervisor approves or declines the pending request (kind and answer come from the endpoint; declining needs a reason).</summary>
[GenerateSerializer, Alias("cg.DecideApprovalRequest")]
public sealed record DecideApprovalRequest : CaseCommandRequest
{
    [Id(0)] public ApprovalRequestKind? Kind { get; init; }
    [Id(1)] public bool? Approve { get; init; }
    [Id(2)] public string? Reason { get; init; }
}

/// <summary>A case note (up to 2,000 characters).</summary>
[GenerateSerializer, Alias("cg.AddNoteRequest")]
public sealed record AddNoteRequest : CaseCommandRequest
{
    [Id(0)] public string? Text { get; init; }
}

/// <summary>Assign or reassign the case's mentor (Mentoring gate).</summary>
[GenerateSerializer, Alias("cg.AssignMentorRequest")]
public sealed record AssignMentorRequest : CaseCommandRequest
{
    [Id(0)] public string? MentorId { get; init; }
}

/// <summary>A mentoring session (Mentoring gate counts them).</summary>
[GenerateSerializer, Alias("cg.LogMentoringSessionRequest")]
public sealed record LogMentoringSessionRequest : CaseCommandRequest
{
    [Id(0)] public DateOnly? Date { get; init; }
    [Id(1)] public string? Topic { get; init; }
    [Id(2)] public string? Notes { get; init; }
    [Id(3)] public string? NextStep { get; init; }
}

/// <summary>Corrects the details of the mentoring session logged at <see cref="SessionSeq"/> (its timeline position), with the reason.</summary>
[GenerateSerializer, Alias("cg.CorrectMentoringSessionRequest")]
public sealed record CorrectMentoringSessionRequest : CaseCommandRequest
{
    [Id(0)] public int? SessionSeq { get; init; }
    [Id(1)] public DateOnly? Date { get; init; }
    [Id(2)] public string? Topic { get; init; }
    [Id(3)] public string? Notes { get; init; }
    [Id(4)] public string? NextStep { get; init; }
    [Id(5)] public string? Reason { get; init; }
}

/// <summary>Corrects the assessment on record: every answer as it should be, and the reason (the class is derived again).</summary>
[GenerateSerializer, Alias("cg.CorrectAssessmentRequest")]
public sealed record CorrectAssessmentRequest : CaseCommandRequest
{
    [Id(0)] public string? Sector { get; init; }
    [Id(1)] public long? AnnualTurnoverIdr { get; init; }
    [Id(2)] public long? BusinessCapitalIdr { get; init; }
    [Id(3)] public int? Workers { get; init; }
    [Id(4)] public IReadOnlyList<string>? Needs { get; init; }
    [Id(5)] public string? Reason { get; init; }
}

/// <summary>Outcome indicators at graduation (Graduated gate); the class after is derived.</summary>
[GenerateSerializer, Alias("cg.RecordOutcomesRequest")]
public sealed record RecordOutcomesRequest : CaseCommandRequest
{
    [Id(0)] public long? AnnualTurnoverAfterIdr { get; init; }
    [Id(1)] public long? BusinessCapitalAfterIdr { get; init; }
    [Id(2)] public int? WorkersAfter { get; init; }
}

/// <summary>Intake: registers a beneficiary and opens their case. The NIK is personal data.</summary>
[GenerateSerializer, Alias("cg.IntakeRequest")]
public sealed record IntakeRequest
{
    [Id(0)] public string? CommandId { get; init; }
    /// <summary>16-digit NIK. Never logged; stored only as a keyed hash and a masked form in the timeline.</summary>
    [Id(1)] public string? Nik { get; init; }
    [Id(2)] public string? FullName { get; init; }
    /// <summary>Kecamatan or desa/kelurahan code, Kemendagri dotted form (35.79.01 or 35.79.01.2001).</summary>
    [Id(3)] public string? RegionCode { get; init; }
    [Id(4)] public Segment? Segment { get; init; }
    /// <summary>Optional 13-digit NIB (business identity from OSS).</summary>
    [Id(5)] public string? Nib { get; init; }
    /// <summary>Whether consent was recorded at intake (Intake gate).</summary>
    [Id(6)] public bool? ConsentGiven { get; init; }

    /// <summary>Never the NIK.</summary>
    public override string ToString() => $"IntakeRequest {{ CommandId = {CommandId}, RegionCode = {RegionCode}, Segment = {Segment} }}";
}

/// <summary>
/// Who acts: the authenticated user's id, role and regions, resolved by the web layer from the user's account on
/// every request. Grains check it against the case (row-level access) and record it on every event.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.Actor")]
public sealed record Actor(
    [property: Id(0)] string Id,
    [property: Id(1)] Domain.Access.Role Role,
    [property: Id(2)] IReadOnlyList<string> Regions)
{
    /// <summary>Where the request came from (the client's address as the web layer sees it, behind known proxies only); for the access log.</summary>
    [Id(3)] public string? Origin { get; init; }

    /// <summary>The partner organisation of a <see cref="Domain.Access.Role.Partner"/> user (null for every other role).</summary>
    [Id(4)] public string? PartnerOrg { get; init; }

    public Domain.Access.Caller ToCaller() => new(Id, Role, Regions) { PartnerOrg = PartnerOrg };
}

/// <summary>
/// Opens a case (sent by the beneficiary registry after intake checks; not exposed over HTTP). Holds the NIK's
/// keyed hash and masked form, never the digits.
/// </summary>
[GenerateSerializer, Alias("cg.OpenCaseRequest")]
public sealed record OpenCaseRequest : CaseCommandRequest
{
    [Id(0)] public required string CaseNumber { get; init; }
    [Id(1)] public required string NikHash { get; init; }
    [Id(2)] public required string NikMasked { get; init; }
    [Id(3)] public required Gender Gender { get; init; }
    [Id(5)] public required string FullName { get; init; }
    [Id(6)] public required string RegionCode { get; init; }
    [Id(7)] public required Segment Segment { get; init; }
    [Id(8)] public string? Nib { get; init; }
    [Id(9)] public required bool ConsentGiven { get; init; }
}
