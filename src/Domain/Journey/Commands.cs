using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Privacy;

namespace CaseGrains.Domain.Journey;

/// <summary>What a caller asks of a case. The decider turns an accepted command into exactly one event.</summary>
public abstract record CaseCommand;

/// <summary>
/// Intake. The caller (the registry) has parsed the NIK and computed its keyed hash; the case only ever holds
/// the hash, the masked form and the gender the NIK encodes: never the digits, nor the birth date (which would
/// narrow the masked NIK down to a few hundred candidates).
/// </summary>
public sealed record OpenCase(
    string CaseNumber,
    string NikHash,
    string NikMasked,
    Gender Gender,
    string FullName,
    string RegionCode,
    Segment Segment,
    string? Nib,
    bool ConsentGiven) : CaseCommand
{
    public static OpenCase For(string caseNumber, Nik nik, string nikHash, string fullName, string regionCode, Segment segment, string? nib, bool consentGiven) =>
        new(caseNumber, nikHash, nik.Masked, nik.Gender, fullName, regionCode, segment, nib, consentGiven);
}

/// <summary>
/// The beneficiary's consent as given: how (<paramref name="Method"/>, for example a signed form or a thumbprint), which
/// version of the consent form, on which day, and who witnessed it.
/// </summary>
public sealed record RecordConsent(
    string Method,
    string? FormVersion = null,
    DateOnly? GivenOn = null,
    string? Witness = null,
    IReadOnlyList<ConsentPurpose>? Purposes = null) : CaseCommand;

/// <summary>The beneficiary withdraws consent for some purposes (all of them when case management is one).</summary>
public sealed record WithdrawConsent(IReadOnlyList<ConsentPurpose> Purposes, string Method, DateOnly? WithdrawnOn, string? Witness, string? Note) : CaseCommand;

/// <summary>Assessment: the business profile and the needs that the later stages serve.</summary>
public sealed record RecordAssessment(
    string Sector,
    long AnnualTurnoverIdr,
    long BusinessCapitalIdr,
    int Workers,
    IReadOnlyList<string> Needs) : CaseCommand;

public sealed record StartStage(Stage Stage) : CaseCommand;

public sealed record CompleteStage(Stage Stage) : CaseCommand;

public sealed record SkipStage(Stage Stage, string Reason) : CaseCommand;

public sealed record CloseCase(CloseReason Reason, string? Note) : CaseCommand;

public sealed record ReopenCase(string Reason) : CaseCommand;

/// <summary>Ask the supervisors to close the case (a caseworker's way to close); <paramref name="RequestedBy"/> is told the decision.</summary>
public sealed record RequestClosure(CloseReason Reason, string? Note, string RequestedBy) : CaseCommand;

/// <summary>Ask the supervisors to reopen a closed case.</summary>
public sealed record RequestReopening(string Reason, string RequestedBy) : CaseCommand;

/// <summary>A supervisor's answer to the pending closure or reopening request; declining needs a reason.</summary>
public sealed record DecideRequest(ApprovalRequestKind Kind, bool Approve, string? Reason) : CaseCommand;

public sealed record AddNote(string Text) : CaseCommand;

public sealed record AssignMentor(string MentorId) : CaseCommand;

public sealed record LogMentoringSession(DateOnly Date, string Topic, string? Notes, string? NextStep) : CaseCommand;

/// <summary>Outcome indicators at graduation: turnover after, jobs, and (derived) the class change.</summary>
public sealed record RecordOutcomes(long AnnualTurnoverAfterIdr, long BusinessCapitalAfterIdr, int WorkersAfter) : CaseCommand;

/// <summary>
/// Corrects the recorded assessment: the answers as they should have been and why. The original stays in the timeline;
/// the class is derived again.
/// </summary>
public sealed record CorrectAssessment(
    string Sector,
    long AnnualTurnoverIdr,
    long BusinessCapitalIdr,
    int Workers,
    IReadOnlyList<string> Needs,
    string Reason) : CaseCommand;

/// <summary>Corrects the details of the mentoring session logged at timeline <paramref name="SessionSeq"/> and says why.</summary>
public sealed record CorrectMentoringSession(int SessionSeq, DateOnly Date, string Topic, string? Notes, string? NextStep, string Reason) : CaseCommand;
