using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Journey;

// Enrolment steps on the case timeline (issue 7). Each event that starts an enrolment carries the offer as it was then,
// and the overlapping offers the caseworker acknowledged (their ids; the warning named them with provider and level).

/// <summary>Enrolled in a course or mentoring programme with a place (capacity checked by the offer's roster).</summary>
public sealed record Enrolled(Offer Offer, IReadOnlyList<string> OverlapsAcknowledged) : CaseEvent;

/// <summary>The course or programme was full: the case waits at <see cref="Position"/> (1 = next).</summary>
public sealed record Waitlisted(Offer Offer, int Position, IReadOnlyList<string> OverlapsAcknowledged) : CaseEvent;

/// <summary>A place freed up and the waiting case took it.</summary>
public sealed record WaitlistPromoted(string OfferId) : CaseEvent;

/// <summary>The case left an offer before finishing it (or left its waiting list, or withdrew an application or referral).</summary>
public sealed record EnrolmentWithdrawn(string OfferId, string Reason) : CaseEvent;

/// <summary>A mentoring programme finished.</summary>
public sealed record EnrolmentCompleted(string OfferId, string? Note) : CaseEvent;

/// <summary>Referred to a partner's matchmaking offer (buyer, partner, event); the partner answers by <see cref="RespondBy"/>.</summary>
public sealed record ReferralOffered(Offer Offer, DateTimeOffset RespondBy, IReadOnlyList<string> OverlapsAcknowledged) : CaseEvent;

public sealed record ReferralAccepted(string OfferId) : CaseEvent;

/// <summary>The partner declined; counts as a declined match (Matching gate).</summary>
public sealed record ReferralDeclined(string OfferId, string Reason) : CaseEvent;

/// <summary>The partner did not answer in time (appended by the case's timer). The referral stays open.</summary>
public sealed record ReferralResponseOverdue(string OfferId, DateTimeOffset RespondBy) : CaseEvent;

/// <summary>What came of an accepted referral (Matching gate).</summary>
public sealed record ReferralOutcomeReported(string OfferId, MatchOutcome Outcome, string? Reason) : CaseEvent;

/// <summary>Applied for a financing product, for an exact amount in rupiah, with the product's lender.</summary>
public sealed record FinancingApplied(Offer Offer, long AmountIdr, IReadOnlyList<string> OverlapsAcknowledged) : CaseEvent;

/// <summary>The lender approved, with the plafond (credit limit) in rupiah.</summary>
public sealed record FinancingApproved(string OfferId, long PlafondIdr) : CaseEvent;

/// <summary>The lender rejected, with its reason: a final decision (Financing gate).</summary>
public sealed record FinancingRejected(string OfferId, string Reason) : CaseEvent;

/// <summary>The money reached the beneficiary: a final decision (Financing gate).</summary>
public sealed record FinancingDisbursed(string OfferId, long AmountIdr, DateOnly Date) : CaseEvent;

public sealed record RepaymentStatusRecorded(string OfferId, RepaymentStatus Status) : CaseEvent;
