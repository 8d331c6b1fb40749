using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Journey;

/// <summary>
/// Enrol the case in <paramref name="Offer"/> (a course or programme, a referral to a partner, or a financing
/// application for <paramref name="AmountIdr"/>). <paramref name="Seat"/> is what the offer's roster granted;
/// overlaps that only warn need <paramref name="AcknowledgeOverlap"/>. <paramref name="Elsewhere"/> is the person's active
/// financing in their other cases (read by NIK before a financing application).
/// </summary>
public sealed record Enrol(Offer Offer, SeatOutcome Seat, int WaitlistPosition, bool AcknowledgeOverlap, long? AmountIdr,
    IReadOnlyList<FinancingHolding>? Elsewhere = null) : CaseCommand;

public sealed record WithdrawEnrolment(string OfferId, string Reason) : CaseCommand;

/// <summary>A course ended: the participant's attendance, judged against the course's own threshold.</summary>
public sealed record CompleteTraining(string OfferId, int AttendancePercent) : CaseCommand;

/// <summary>A course's recorded attendance was wrong: the right figure and why (judged again against the same threshold).</summary>
public sealed record CorrectAttendance(string OfferId, int AttendancePercent, string Reason) : CaseCommand;

/// <summary>A mentoring programme ended.</summary>
public sealed record CompleteProgramme(string OfferId, string? Note) : CaseCommand;

/// <summary>A waiting case got a place (sent by the offer's roster, appended by the system).</summary>
public sealed record PromoteFromWaitlist(string OfferId) : CaseCommand;

/// <summary>The partner's answer to a referral (a reason is needed to decline).</summary>
public sealed record RespondToReferral(string OfferId, bool Accepted, string? Reason) : CaseCommand;

/// <summary>What came of an accepted referral (a reason is needed when declined).</summary>
public sealed record ReportReferralOutcome(string OfferId, MatchOutcome Outcome, string? Reason) : CaseCommand;

/// <summary>The lender's decision: approved with a plafond, or rejected with a reason.</summary>
public sealed record DecideFinancing(string OfferId, bool Approved, long? PlafondIdr, string? Reason) : CaseCommand;

public sealed record DisburseFinancing(string OfferId, long AmountIdr, DateOnly Date) : CaseCommand;

public sealed record RecordRepayment(string OfferId, RepaymentStatus Status) : CaseCommand;
