using CaseGrains.Domain.Business;
using CaseGrains.Domain.Privacy;

namespace CaseGrains.Domain.Journey;

/// <summary>
/// A fact in a case's timeline. The class name is the stored type name: renaming a subclass breaks stored
/// timelines (a test pins the set). Payloads never hold the clear NIK.
/// </summary>
public abstract record CaseEvent
{
    /// <summary>The stored type name (kept in its own column, not in the payload).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Type => GetType().Name;
}

public sealed record CaseOpened(
    string CaseNumber,
    string NikHash,
    string NikMasked,
    string FullName,
    Gender Gender,
    string RegionCode,
    Segment Segment,
    string? Nib,
    bool ConsentGiven) : CaseEvent;

/// <summary>
/// Consent recorded after intake (older timelines hold the method only). <see cref="Purposes"/> null: every purpose
/// (the form of the time covered the programme as a whole).
/// </summary>
public sealed record ConsentRecorded(
    string Method,
    string? FormVersion = null,
    DateOnly? GivenOn = null,
    string? Witness = null,
    IReadOnlyList<ConsentPurpose>? Purposes = null) : CaseEvent;

/// <summary>
/// The beneficiary withdrew consent for <see cref="Purposes"/> (case management ends them all): those purposes stop at
/// once, and the case record stays for the legal basis that remains. How, on which day, the witness, and a note.
/// </summary>
public sealed record ConsentWithdrawn(
    IReadOnlyList<ConsentPurpose> Purposes,
    string Method,
    DateOnly? WithdrawnOn,
    string? Witness,
    string? Note) : CaseEvent;

public sealed record AssessmentRecorded(
    string Sector,
    long AnnualTurnoverIdr,
    long BusinessCapitalIdr,
    int Workers,
    IReadOnlyList<string> Needs,
    UmkmClass UmkmClass) : CaseEvent;

/// <summary>
/// The assessment's answers corrected (<see cref="Changed"/> names the fields that differ from what was on record); the
/// earlier <see cref="AssessmentRecorded"/> or correction stays in the timeline. The actor is the one who corrected.
/// </summary>
public sealed record AssessmentCorrected(
    string Sector,
    long AnnualTurnoverIdr,
    long BusinessCapitalIdr,
    int Workers,
    IReadOnlyList<string> Needs,
    UmkmClass UmkmClass,
    IReadOnlyList<string> Changed,
    string Reason) : CaseEvent;

public sealed record StageStarted(Stage Stage) : CaseEvent;

public sealed record StageCompleted(Stage Stage) : CaseEvent;

public sealed record StageSkipped(Stage Stage, string Reason) : CaseEvent;

public sealed record CaseClosed(CloseReason Reason, string? Note, Stage? ActiveStage) : CaseEvent;

public sealed record CaseReopened(string Reason) : CaseEvent;

/// <summary>A caseworker asks the region's supervisors to close the case; the case stays open until one decides.</summary>
public sealed record ClosureRequested(CloseReason Reason, string? Note, string RequestedBy) : CaseEvent;

/// <summary>A supervisor turned the pending closure request down (approving it is <see cref="CaseClosed"/>).</summary>
public sealed record ClosureRequestDeclined(string Reason) : CaseEvent;

/// <summary>A caseworker asks the region's supervisors to reopen a closed case.</summary>
public sealed record ReopeningRequested(string Reason, string RequestedBy) : CaseEvent;

/// <summary>A supervisor turned the pending reopening request down (approving it is <see cref="CaseReopened"/>).</summary>
public sealed record ReopeningRequestDeclined(string Reason) : CaseEvent;

/// <summary>A free-text case note by the case's staff (what a phone call or a visit found).</summary>
public sealed record NoteAdded(string Text) : CaseEvent;

public sealed record TrainingCompletionRecorded(
    string OfferId,
    string CourseName,
    int AttendancePercent,
    int AttendanceThresholdPercent,
    bool Passed) : CaseEvent;

public sealed record MentorAssigned(string MentorId, string? PreviousMentorId) : CaseEvent;

public sealed record MentoringSessionLogged(DateOnly Date, string Topic, string? Notes, string? NextStep) : CaseEvent;

/// <summary>The details of the session logged at timeline <see cref="SessionSeq"/>, corrected; that event stays as it was.</summary>
public sealed record MentoringSessionCorrected(int SessionSeq, DateOnly Date, string Topic, string? Notes, string? NextStep, string Reason) : CaseEvent;

/// <summary>A course's final attendance corrected from <see cref="PreviousPercent"/>, judged against the threshold recorded with it.</summary>
public sealed record AttendanceCorrected(
    string OfferId,
    string CourseName,
    int PreviousPercent,
    int AttendancePercent,
    int AttendanceThresholdPercent,
    bool Passed,
    string Reason) : CaseEvent;

/// <summary>Legacy (before the services catalog): a free-text match outcome. No longer produced; stored timelines still hold it.</summary>
public sealed record MatchOutcomeRecorded(string PartnerName, MatchOutcome Outcome, string? Reason) : CaseEvent;

/// <summary>Legacy (before the financing pipeline): a free-text final decision. No longer produced; stored timelines still hold it.</summary>
public sealed record FinancingDecisionRecorded(
    string ProductName,
    string Lender,
    long AmountIdr,
    FinancingDecision Decision,
    string? Reason) : CaseEvent;

public sealed record OutcomesRecorded(
    long AnnualTurnoverAfterIdr,
    long BusinessCapitalAfterIdr,
    int WorkersAfter,
    UmkmClass UmkmClassAfter) : CaseEvent;

/// <summary>
/// A stage is near its target (<see cref="SlaPolicy.WarnAtPercent"/> of it has passed, <see cref="DueAt"/> not yet): a
/// warning to whoever works the case, once per stage activation; appended by the case's timer, not by a person.
/// </summary>
public sealed record SlaWarned(Stage Stage, DateTimeOffset StartedAt, DateTimeOffset DueAt) : CaseEvent;

/// <summary>A stage ran past its target (<see cref="SlaPolicy"/>); appended by the case's timer, not by a person.</summary>
public sealed record SlaBreached(Stage Stage, DateTimeOffset StartedAt, DateTimeOffset DueAt) : CaseEvent;

/// <summary>A breached stage stayed overdue past the grace period; escalated to the supervisors of <see cref="SupervisorRegion"/>.</summary>
public sealed record SlaEscalated(Stage Stage, DateTimeOffset DueAt, string SupervisorRegion) : CaseEvent;

/// <summary>
/// The case's mentor logged no session since <see cref="Since"/> (the Mentoring stage's start, the mentor's assignment,
/// the last session logged or the last such reminder) for the programme's period (<see cref="SessionCadence"/>): a
/// reminder to <see cref="MentorId"/> that a session is due. Appended by the case's timer, not by a person.
/// </summary>
public sealed record MentoringSessionDue(string MentorId, DateTimeOffset Since, DateTimeOffset DueAt) : CaseEvent;

/// <summary>
/// The person's data was erased (crypto-shredded: the case's key destroyed, older clear payloads redacted). Holds no
/// personal data: the reason and legal basis are the erasing officer's words, and stay readable afterwards.
/// <see cref="Redacted"/> names each older event the erasure rewrites and the SHA-256 of its rewritten payload, so the
/// chain (and its anchored checkpoint) vouches for the redactions too (<see cref="Timeline.RedactionCheck"/>).
/// </summary>
public sealed record SubjectErased(string Reason, string LegalBasis, IReadOnlyList<RedactedEvent>? Redacted = null) : CaseEvent;

/// <summary>An event an erasure redacted: its sequence number and the SHA-256 (hex) of its payload as rewritten.</summary>
public sealed record RedactedEvent(long Seq, string Sha256);

/// <summary>The stored type names, from the sealed subclasses above.</summary>
public static class CaseEventTypes
{
    public static IReadOnlyDictionary<string, Type> ByName { get; } = typeof(CaseEvent).Assembly.GetTypes()
        .Where(t => t.IsSealed && t.IsSubclassOf(typeof(CaseEvent)))
        .ToDictionary(t => t.Name, StringComparer.Ordinal);
}
