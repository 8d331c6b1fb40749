using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Access;

/// <summary>
/// What a partner organisation sees of a case it serves (docs/partners.md): the events about its own offers' enrolments
/// (a referral, an application, an enrolment, and everything answered on it since), without what they say of other
/// offers, and the closing of the case that ended them (its reason, not its note). Nothing else: no notes, no mentoring, no assessment, no other
/// partner's offers.
/// </summary>
public static class PartnerScope
{
    /// <summary>The offer an event is about, or null when it is not about one offer.</summary>
    public static string? OfferOf(CaseEvent e) => e switch
    {
        Enrolled x => x.Offer.Id,
        Waitlisted x => x.Offer.Id,
        ReferralOffered x => x.Offer.Id,
        FinancingApplied x => x.Offer.Id,
        WaitlistPromoted x => x.OfferId,
        EnrolmentWithdrawn x => x.OfferId,
        EnrolmentCompleted x => x.OfferId,
        ReferralAccepted x => x.OfferId,
        ReferralDeclined x => x.OfferId,
        ReferralResponseOverdue x => x.OfferId,
        ReferralOutcomeReported x => x.OfferId,
        FinancingApproved x => x.OfferId,
        FinancingRejected x => x.OfferId,
        FinancingDisbursed x => x.OfferId,
        RepaymentStatusRecorded x => x.OfferId,
        TrainingCompletionRecorded x => x.OfferId,
        AttendanceCorrected x => x.OfferId,
        _ => null,
    };

    /// <summary>True when the case holds an enrolment with an offer of <paramref name="org"/> (as the offer was at enrolment).</summary>
    public static bool Serves(CaseState state, string org) => state.Enrolments.Any(e => e.Offer.PartnerOrgId == org);

    /// <summary>The organisations whose offers the case holds enrolments with.</summary>
    public static IEnumerable<string> OrganisationsOf(CaseState? state) =>
        state is null ? [] : state.Enrolments.Select(e => e.Offer.PartnerOrgId).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The event as <paramref name="org"/> sees it on the case <paramref name="state"/> (the case as it is now: its
    /// enrolments say whose each offer is), or null when it is none of the organisation's business. An enrolment's event
    /// loses the other offers it acknowledged overlapping with; a closing keeps only its name.
    /// </summary>
    public static CaseEvent? Project(CaseEvent e, string org, CaseState state)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(state);
        if (e is CaseClosed closed)
        {
            return Serves(state, org) ? closed with { Note = null, ActiveStage = null } : null;
        }

        if (OfferOf(e) is not { } offerId || !state.Enrolments.Any(x => x.Offer.Id == offerId && x.Offer.PartnerOrgId == org))
        {
            return null;
        }

        return e switch
        {
            Enrolled x => x with { OverlapsAcknowledged = [] },
            Waitlisted x => x with { OverlapsAcknowledged = [] },
            ReferralOffered x => x with { OverlapsAcknowledged = [] },
            FinancingApplied x => x with { OverlapsAcknowledged = [] },
            _ => e,
        };
    }

    /// <summary>
    /// What waits for the partner on an enrolment (<see cref="PartnerTask"/>), or null when nothing does: a referral to
    /// answer, a referral's outcome, a lender's decision, a disbursement, repayments, a course's attendance.
    /// </summary>
    public static PartnerTask? WaitingOn(Enrolment enrolment)
    {
        ArgumentNullException.ThrowIfNull(enrolment);
        return (enrolment.Offer.Type, enrolment.Status) switch
        {
            (OfferType.Matchmaking, EnrolmentStatus.ReferralOffered) => PartnerTask.ReferralResponse,
            (OfferType.Matchmaking, EnrolmentStatus.ReferralAccepted) => PartnerTask.ReferralOutcome,
            (OfferType.FinancingProduct, EnrolmentStatus.Applied) => PartnerTask.FinancingDecision,
            (OfferType.FinancingProduct, EnrolmentStatus.Approved) => PartnerTask.Disbursement,
            (OfferType.FinancingProduct, EnrolmentStatus.Disbursed) when enrolment.Repayment is not RepaymentStatus.Repaid => PartnerTask.Repayment,
            (OfferType.Training, EnrolmentStatus.Enrolled) => PartnerTask.Attendance,
            _ => null,
        };
    }
}

/// <summary>What a partner has to do on one enrolment.</summary>
public enum PartnerTask
{
    ReferralResponse,
    ReferralOutcome,
    FinancingDecision,
    Disbursement,
    Repayment,
    Attendance,
}
