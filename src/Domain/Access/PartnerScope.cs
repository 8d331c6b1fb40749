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
    /// <summary>The offer (as it was then) of an event that creates an enrolment, or null for any other event.</summary>
    public static Offer? CreatedOffer(CaseEvent e) => e switch
    {
        Enrolled x => x.Offer,
        Waitlisted x => x.Offer,
        ReferralOffered x => x.Offer,
        FinancingApplied x => x.Offer,
        _ => null,
    };

    /// <summary>The offer an event is about, or null when it is not about one offer.</summary>
    public static string? OfferOf(CaseEvent e) => CreatedOffer(e)?.Id ?? e switch
    {
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

    /// <summary>
    /// Whether the organisation's users see the case: one of its enrolments is the organisation's, and the beneficiary
    /// consents to sharing with partners (and was not erased).
    /// </summary>
    public static bool Sees(CaseState state, string org) =>
        !state.Erased && state.Consents(Privacy.ConsentPurpose.PartnerSharing) && Serves(state, org);

    /// <summary>
    /// Whether the organisation answers the next step on the offer: the enrolment a step acts on (the case's latest with
    /// that offer) is the organisation's. An earlier enrolment with the same offer under another organisation is not.
    /// </summary>
    public static bool Owns(CaseState state, string org, string offerId) =>
        state.Enrolments.LastOrDefault(e => e.Offer.Id == offerId)?.Offer.PartnerOrgId == org;

    /// <summary>The organisations whose offers the case holds enrolments with.</summary>
    public static IEnumerable<string> OrganisationsOf(CaseState? state) =>
        state is null ? [] : state.Enrolments.Select(e => e.Offer.PartnerOrgId).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The event at <paramref name="seq"/> as <paramref name="org"/> sees it, or null when it is none of the organisation's
    /// business. Whose an event is comes from the enrolment it belongs to (the one it created, or the latest with its offer
    /// created before it; <paramref name="state"/> holds every enrolment), as the offer was at that enrolment: an
    /// enrolment made before the offer was the organisation's stays hidden from it. An enrolment's event loses the other
    /// offers it acknowledged overlapping with; a closing after the organisation's first enrolment keeps only its reason.
    /// </summary>
    public static CaseEvent? Project(CaseEvent e, long seq, string org, CaseState state)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(state);
        if (e is CaseClosed closed)
        {
            return state.Enrolments.Any(x => x.Seq < seq && x.Offer.PartnerOrgId == org) ? closed with { Note = null, ActiveStage = null } : null;
        }

        var owner = CreatedOffer(e) is { } created ? created.PartnerOrgId
            : OfferOf(e) is { } offerId ? state.Enrolments.LastOrDefault(x => x.Offer.Id == offerId && x.Seq < seq)?.Offer.PartnerOrgId
            : null;
        if (owner != org)
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
