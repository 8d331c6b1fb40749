using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Services;

/// <summary>Where a case stands with one offer. Which states an offer type uses is in <see cref="Enrolment"/>.</summary>
public enum EnrolmentStatus
{
    /// <summary>Training or mentoring programme: full, waiting for a seat.</summary>
    Waitlisted,
    Enrolled,
    Completed,
    Withdrawn,
    /// <summary>Matchmaking: referred to the partner, waiting for their answer.</summary>
    ReferralOffered,
    ReferralAccepted,
    ReferralDeclined,
    /// <summary>Matchmaking: the partner's outcome (accepted, contracted or declined) is reported.</summary>
    ReferralClosed,
    /// <summary>Financing: applied for, waiting for the lender's decision.</summary>
    Applied,
    Approved,
    Rejected,
    Disbursed,
}

/// <summary>A disbursed loan's repayment, as the lender reports it.</summary>
public enum RepaymentStatus
{
    Current,
    Late,
    Defaulted,
    Repaid,
}

/// <summary>What the offer's roster gave the case when it asked for a place.</summary>
public enum SeatOutcome
{
    Granted,
    Waitlisted,
}

/// <summary>
/// One enrolment of a case in an offer, as the case's events left it. <see cref="Offer"/> is the offer as it was at
/// enrolment (the event carries it), so the overlap rules and the course's threshold do not change under the case.
/// <see cref="Seq"/> is the sequence number of the event that created it.
/// </summary>
public sealed record Enrolment(long Seq, Offer Offer, EnrolmentStatus Status, DateTimeOffset Since)
{
    public int? WaitlistPosition { get; init; }
    public DateTimeOffset? RespondBy { get; init; }
    public bool ResponseOverdue { get; init; }
    public long? AmountIdr { get; init; }
    public long? PlafondIdr { get; init; }
    public long? DisbursedIdr { get; init; }
    public DateOnly? DisbursedOn { get; init; }
    public RepaymentStatus? Repayment { get; init; }
    public int? AttendancePercent { get; init; }
    public bool? Passed { get; init; }
    public MatchOutcome? Outcome { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<string> OverlapsAcknowledged { get; init; } = [];

    /// <summary>
    /// The beneficiary receives (or received, or awaits) this intervention: what the overlap rules compare against and
    /// what makes a second enrolment in the same offer a duplicate. Withdrawn, declined, rejected and repaid ones do not count.
    /// </summary>
    public bool Counts => Status is not (EnrolmentStatus.Withdrawn or EnrolmentStatus.ReferralDeclined or EnrolmentStatus.Rejected)
        && Repayment != RepaymentStatus.Repaid;

    /// <summary>Holds a place in the offer's capacity (a waiting-list entry is not a place).</summary>
    public bool HoldsSeat => Counts && Status != EnrolmentStatus.Waitlisted
        && !(Offer.CompletionFreesSeat && Status is EnrolmentStatus.Completed or EnrolmentStatus.ReferralClosed);
}
