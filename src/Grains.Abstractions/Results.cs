using CaseGrains.Domain;
using CaseGrains.Domain.Journey;

namespace CaseGrains.Grains.Abstractions;

/// <summary>A refusal as it crosses the wire: stable code, messages in both languages, field and details.</summary>
[GenerateSerializer, Immutable, Alias("cg.RefusalInfo")]
public sealed record RefusalInfo(
    [property: Id(0)] string Code,
    [property: Id(1)] string Indonesian,
    [property: Id(2)] string English,
    [property: Id(3)] string? Field,
    [property: Id(4)] IReadOnlyDictionary<string, string> Details)
{
    public static RefusalInfo From(Refusal r) => new(r.Code, r.Indonesian, r.English, r.Field, r.Details);
}

/// <summary>
/// The outcome of a command: accepted (with the sequence number of the event it appended and the case version
/// after it), or refused (nothing appended). <see cref="Replayed"/> is true when this is the stored outcome of
/// an earlier identical command id.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.CommandOutcome")]
public sealed record CommandOutcome(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] bool Accepted,
    [property: Id(2)] long? Seq,
    [property: Id(3)] string? EventType,
    [property: Id(4)] int Version,
    [property: Id(5)] RefusalInfo? Refusal,
    [property: Id(6)] bool Replayed);

/// <summary>One stage of the journey as a caller sees it, with whether its gate is met and what is missing.</summary>
[GenerateSerializer, Immutable, Alias("cg.StageView")]
public sealed record StageView(
    [property: Id(0)] Stage Stage,
    [property: Id(1)] StageState State,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? EndedAt,
    [property: Id(4)] string? SkipReason,
    [property: Id(5)] bool GateMet,
    [property: Id(6)] RefusalInfo? GateMissing);

/// <summary>A case as callers see it. Holds the masked NIK only.</summary>
[GenerateSerializer, Immutable, Alias("cg.CaseView")]
public sealed record CaseView(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] int Version,
    [property: Id(2)] CaseStatus Status,
    [property: Id(3)] CloseReason? CloseReason,
    [property: Id(4)] Stage CurrentStage,
    [property: Id(5)] string NikMasked,
    [property: Id(6)] string FullName,
    [property: Id(7)] Gender Gender,
    [property: Id(8)] string RegionCode,
    [property: Id(9)] string RegionName,
    [property: Id(10)] Segment Segment,
    [property: Id(11)] string? Nib,
    [property: Id(12)] bool ConsentRecorded,
    [property: Id(13)] IReadOnlyList<StageView> Stages,
    [property: Id(14)] BusinessProfileView? Profile,
    [property: Id(15)] string? MentorId,
    [property: Id(16)] int MentoringSessions,
    [property: Id(17)] int TrainingsPassed,
    [property: Id(18)] int MatchOutcomes,
    [property: Id(19)] int FinancingDecisions,
    [property: Id(20)] OutcomesView? Outcomes,
    [property: Id(21)] DateTimeOffset OpenedAt,
    [property: Id(22)] DateTimeOffset UpdatedAt,
    [property: Id(23)] IReadOnlyList<EnrolmentView> Enrolments,
    [property: Id(24)] PendingApprovalView? PendingApproval = null,
    [property: Id(25)] ConsentView? Consent = null)
{
    /// <summary>The purposes the beneficiary consents to now (<c>CaseManagement</c>, <c>Mentoring</c>, <c>PartnerSharing</c>).</summary>
    [Id(26)] public IReadOnlyList<Domain.Privacy.ConsentPurpose> ConsentPurposes { get; init; } = [];

    /// <summary>The latest withdrawal of consent (null: never withdrawn).</summary>
    [Id(27)] public ConsentWithdrawalView? Withdrawal { get; init; }

    /// <summary>When the beneficiary's personal data was erased (null: it is held); the personal fields then read as erased.</summary>
    [Id(28)] public DateTimeOffset? ErasedAt { get; init; }
}

/// <summary>The latest withdrawal of consent: the purposes it ended, how, on which day, the witness, a note, and when it was recorded.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsentWithdrawalView")]
public sealed record ConsentWithdrawalView(
    [property: Id(0)] IReadOnlyList<Domain.Privacy.ConsentPurpose> Purposes,
    [property: Id(1)] string Method,
    [property: Id(2)] DateOnly? WithdrawnOn,
    [property: Id(3)] string? Witness,
    [property: Id(4)] string? Note,
    [property: Id(5)] DateTimeOffset RecordedAt);

/// <summary>The consent recorded after intake: how it was given, the form's version, the day, the witness, and when it was recorded.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsentView")]
public sealed record ConsentView(
    [property: Id(0)] string Method,
    [property: Id(1)] string? FormVersion,
    [property: Id(2)] DateOnly? GivenOn,
    [property: Id(3)] string? Witness,
    [property: Id(4)] DateTimeOffset RecordedAt);

/// <summary>The closure or reopening request waiting for a supervisor: kind, the asker's reason (and, to close, the close reason), when, who asked.</summary>
[GenerateSerializer, Immutable, Alias("cg.PendingApprovalView")]
public sealed record PendingApprovalView(
    [property: Id(0)] ApprovalRequestKind Kind,
    [property: Id(1)] string? Reason,
    [property: Id(2)] CloseReason? CloseReason,
    [property: Id(3)] DateTimeOffset RequestedAt,
    [property: Id(4)] string RequestedBy = "");

/// <summary>One enrolment of the case in a catalog offer: where it stands, and the facts of its type (amounts in whole rupiah).</summary>
[GenerateSerializer, Immutable, Alias("cg.EnrolmentView")]
public sealed record EnrolmentView(
    [property: Id(0)] string OfferId,
    [property: Id(1)] string OfferName,
    [property: Id(2)] Domain.Services.OfferType OfferType,
    [property: Id(3)] string Provider,
    [property: Id(4)] Domain.Services.OfferLevel Level,
    [property: Id(5)] Domain.Services.EnrolmentStatus Status,
    [property: Id(6)] DateTimeOffset Since,
    [property: Id(7)] int? WaitlistPosition,
    [property: Id(8)] DateTimeOffset? RespondBy,
    [property: Id(9)] bool ResponseOverdue,
    [property: Id(10)] long? AmountIdr,
    [property: Id(11)] long? PlafondIdr,
    [property: Id(12)] long? DisbursedIdr,
    [property: Id(13)] DateOnly? DisbursedOn,
    [property: Id(14)] Domain.Services.RepaymentStatus? Repayment,
    [property: Id(15)] int? AttendancePercent,
    [property: Id(16)] int? AttendanceThresholdPercent,
    [property: Id(17)] bool? Passed,
    [property: Id(18)] MatchOutcome? Outcome,
    [property: Id(19)] string? Reason,
    [property: Id(20)] IReadOnlyList<string> OverlapsAcknowledged);

[GenerateSerializer, Immutable, Alias("cg.BusinessProfileView")]
public sealed record BusinessProfileView(
    [property: Id(0)] string Sector,
    [property: Id(1)] long AnnualTurnoverIdr,
    [property: Id(2)] long BusinessCapitalIdr,
    [property: Id(3)] int Workers,
    [property: Id(4)] IReadOnlyList<string> Needs,
    [property: Id(5)] Domain.Business.UmkmClass UmkmClass);

[GenerateSerializer, Immutable, Alias("cg.OutcomesView")]
public sealed record OutcomesView(
    [property: Id(0)] long AnnualTurnoverAfterIdr,
    [property: Id(1)] long BusinessCapitalAfterIdr,
    [property: Id(2)] int WorkersAfter,
    [property: Id(3)] Domain.Business.UmkmClass UmkmClassAfter,
    [property: Id(4)] Domain.Business.UmkmClass? UmkmClassBefore);

/// <summary>One event of a case's timeline as stored: sequence number, type, actor, time, payload (JSON), hash chain.</summary>
[GenerateSerializer, Immutable, Alias("cg.TimelineEntry")]
public sealed record TimelineEntry(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Type,
    [property: Id(3)] string ActorId,
    [property: Id(4)] string ActorRole,
    [property: Id(5)] DateTimeOffset OccurredAt,
    [property: Id(6)] string PayloadJson,
    [property: Id(7)] string CommandId,
    [property: Id(8)] string PrevHash,
    [property: Id(9)] string Hash);

/// <summary>
/// The result of recomputing a case's hash chain from its stored events and measuring it against the case's checkpoint:
/// <see cref="Anchored"/> when a checkpoint whose MAC the installation's anchor key gives was checked (at <see cref="CheckpointSeq"/>).
/// <see cref="RedactedEvents"/> of them were redacted at the person's erasure: their links are checked, their own content
/// hash cannot be.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.ChainVerification")]
public sealed record ChainVerification(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] bool Valid,
    [property: Id(2)] long EventsChecked,
    [property: Id(3)] long? FirstBrokenSeq,
    [property: Id(4)] string? Problem,
    [property: Id(5)] string? HeadHash,
    [property: Id(6)] bool Anchored = false,
    [property: Id(7)] long? CheckpointSeq = null,
    [property: Id(8)] long RedactedEvents = 0);

/// <summary>A row of the case list (from the search projection).</summary>
[GenerateSerializer, Immutable, Alias("cg.CaseSummary")]
public sealed record CaseSummary(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] string FullName,
    [property: Id(2)] string NikMasked,
    [property: Id(3)] string RegionCode,
    [property: Id(4)] Segment Segment,
    [property: Id(5)] Gender Gender,
    [property: Id(6)] CaseStatus Status,
    [property: Id(7)] Stage CurrentStage,
    [property: Id(8)] StageState CurrentStageState,
    [property: Id(9)] int Version,
    [property: Id(10)] DateTimeOffset OpenedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] string? MentorId = null,
    [property: Id(13)] SlaState Sla = SlaState.OnTime,
    [property: Id(14)] ApprovalRequestKind? PendingApproval = null);

/// <summary>Where the current stage stands against its SLA (case list, supervisor view).</summary>
public enum SlaState
{
    OnTime,
    Breached,
    Escalated,
}

/// <summary>Filters for the case list. Region matches the code and everything under it (35.79 → all of Kota Batu).</summary>
[GenerateSerializer, Immutable, Alias("cg.CaseQuery")]
public sealed record CaseQuery(
    [property: Id(0)] string? RegionCode,
    [property: Id(1)] Stage? Stage,
    [property: Id(2)] Segment? Segment,
    [property: Id(3)] CaseStatus? Status,
    [property: Id(4)] string? Text,
    [property: Id(5)] int Page,
    [property: Id(6)] int PageSize,
    [property: Id(7)] string? MentorId = null,
    [property: Id(8)] bool? Overdue = null,
    [property: Id(9)] ApprovalRequestKind? PendingApproval = null,
    [property: Id(10)] IReadOnlyList<string>? CaseNumbers = null)
{
    /// <summary>The largest page a list returns (a larger one asked for is cut to this).</summary>
    public const int MaxPageSize = 200;
}

/// <summary>
/// One page of a case's timeline and the case's version: while the last event's seq is below <see cref="Version"/>, more
/// remain (ask again after it).
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.TimelinePage")]
public sealed record TimelinePage([property: Id(0)] IReadOnlyList<TimelineEntry> Events, [property: Id(1)] int Version)
{
    /// <summary>
    /// A partner's page leaves out the events that are not its business: the seq it read up to (the next page starts
    /// after it), whether or not the last event read was in the page. Null: the last event of the page.
    /// </summary>
    [Id(2)] public long? ReadTo { get; init; }

    /// <summary>The seq the page read up to: the last event in it, or <paramref name="afterSeq"/> when it is empty.</summary>
    public long LastSeq(long afterSeq) => ReadTo ?? (Events.Count == 0 ? afterSeq : Events[^1].Seq);

    /// <summary>True when events after this page remain.</summary>
    public bool More(long afterSeq) => LastSeq(afterSeq) < Version;
}

[GenerateSerializer, Immutable, Alias("cg.CasePage")]
public sealed record CasePage(
    [property: Id(0)] IReadOnlyList<CaseSummary> Items,
    [property: Id(1)] int Page,
    [property: Id(2)] int PageSize,
    [property: Id(3)] long Total);

/// <summary>One access to a case's personal data or one command on it: who, role, what, why, when.</summary>
[GenerateSerializer, Immutable, Alias("cg.AccessLogEntry")]
public sealed record AccessLogEntry(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] string UserId,
    [property: Id(2)] string Role,
    [property: Id(3)] string Action,
    [property: Id(4)] string Purpose,
    [property: Id(5)] DateTimeOffset At)
{
    /// <summary>Where the access came from (the client's address), when it was recorded; commands and older rows have none.</summary>
    [Id(6)] public string? Origin { get; init; }
}

/// <summary>
/// What the data protection officer searches the access log by: an account, a case, an action, a period (from
/// inclusive, to exclusive); newest first, at most <see cref="Limit"/> (1–500, 100 when not given).
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.AccessLogQuery")]
public sealed record AccessLogQuery(
    [property: Id(0)] string? UserId,
    [property: Id(1)] string? CaseNumber,
    [property: Id(2)] string? Action,
    [property: Id(3)] DateTimeOffset? From,
    [property: Id(4)] DateTimeOffset? To,
    [property: Id(5)] int? Limit);

/// <summary>Where a case is and who mentors it: enough for the registry to decide what a caller may be told.</summary>
[GenerateSerializer, Immutable, Alias("cg.CaseScope")]
public sealed record CaseScope(
    [property: Id(0)] CaseStatus Status,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string? MentorId);

/// <summary>
/// Everything held about one beneficiary, for their right of access (UU 27/2022 PDP): the case as it stands, the NIK
/// in clear, every event of the timeline, every consent, and every access to the case (who, as what, why, when).
/// The export itself is in <see cref="AccessLog"/>'s last entry.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.SubjectAccessExport")]
public sealed record SubjectAccessExport(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] DateTimeOffset ExportedAt,
    [property: Id(2)] string ExportedBy,
    [property: Id(3)] string Purpose,
    [property: Id(4)] CaseView Profile,
    [property: Id(5)] string? Nik,
    [property: Id(6)] IReadOnlyList<ConsentEntry> Consents,
    [property: Id(7)] IReadOnlyList<TimelineEntry> Timeline,
    [property: Id(8)] IReadOnlyList<AccessLogEntry> AccessLog)
{
    public override string ToString() => $"SubjectAccessExport {{ {CaseNumber}, {Timeline.Count} events }}";
}

/// <summary>One consent as the timeline holds it: at intake, recorded later with its form, date and witness, or withdrawn.</summary>
[GenerateSerializer, Immutable, Alias("cg.ConsentEntry")]
public sealed record ConsentEntry(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset RecordedAt,
    [property: Id(2)] string RecordedBy,
    [property: Id(3)] string Method,
    [property: Id(4)] string? FormVersion,
    [property: Id(5)] DateOnly? GivenOn,
    [property: Id(6)] string? Witness)
{
    /// <summary>The purposes given (or, when <see cref="Withdrawn"/>, taken back); every purpose for the intake's and older forms.</summary>
    [Id(7)] public IReadOnlyList<Domain.Privacy.ConsentPurpose> Purposes { get; init; } = [];

    /// <summary>True for a withdrawal (<see cref="GivenOn"/> is then the day it was withdrawn).</summary>
    [Id(8)] public bool Withdrawn { get; init; }

    /// <summary>A withdrawal's note.</summary>
    [Id(9)] public string? Note { get; init; }
}

/// <summary>A subject access export, or the refusal.</summary>
[GenerateSerializer, Immutable, Alias("cg.SubjectAccess")]
public sealed record SubjectAccess([property: Id(0)] SubjectAccessExport? Export, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>A clear NIK revealed for a stated purpose (audited), or a refusal.</summary>
[GenerateSerializer, Immutable, Alias("cg.NikReveal")]
public sealed record NikReveal([property: Id(0)] string? Nik, [property: Id(1)] RefusalInfo? Refusal)
{
    public override string ToString() => Refusal is null ? "NikReveal { revealed }" : $"NikReveal {{ {Refusal.Code} }}";
}

/// <summary>A case's access log, or why it is not shown (not found / forbidden).</summary>
[GenerateSerializer, Immutable, Alias("cg.AccessLog")]
public sealed record AccessLog([property: Id(0)] IReadOnlyList<AccessLogEntry>? Entries, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>
/// The answer to an erasure request: the case, when its person's data was erased and at which timeline event; the same
/// for a repeated request (<see cref="Replayed"/>); or the refusal.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.ErasureOutcome")]
public sealed record ErasureOutcome(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] DateTimeOffset? ErasedAt,
    [property: Id(2)] long? Seq,
    [property: Id(3)] bool Replayed,
    [property: Id(4)] RefusalInfo? Refusal);

/// <summary>A case past its retention period: when it ended, the purpose whose period ended first, and what the run did.</summary>
[GenerateSerializer, Immutable, Alias("cg.RetentionItem")]
public sealed record RetentionItem(
    [property: Id(0)] string CaseNumber,
    [property: Id(1)] string RegionCode,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset EndedAt,
    [property: Id(4)] string Purpose,
    [property: Id(5)] string Period,
    [property: Id(6)] DateTimeOffset DueAt,
    [property: Id(7)] bool Erased,
    [property: Id(8)] string? Refusal);

/// <summary>
/// The retention sweep's report: the periods in force, the cases past theirs (at most the run's limit; <see cref="More"/>
/// when there are others), how many each purpose made due, and in a real run how many were erased.
/// </summary>
[GenerateSerializer, Immutable, Alias("cg.RetentionReport")]
public sealed record RetentionReport(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] bool DryRun,
    [property: Id(2)] IReadOnlyDictionary<string, string> Periods,
    [property: Id(3)] IReadOnlyList<RetentionItem> Due,
    [property: Id(4)] IReadOnlyDictionary<string, int> ByPurpose,
    [property: Id(5)] int Erased,
    [property: Id(6)] bool More,
    [property: Id(7)] RefusalInfo? Refusal);
