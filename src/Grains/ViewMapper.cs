using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

internal static class ViewMapper
{
    public static CaseView ToView(CaseState s, JourneyPolicy policy) => new(
        s.CaseNumber,
        s.Version,
        s.Status,
        s.CloseReason,
        s.CurrentStage,
        s.NikMasked,
        s.FullName,
        s.Gender,
        s.RegionCode,
        RegionTable.Kemendagri.Find(s.RegionCode)?.Name ?? RegionTable.Kemendagri.Find(RegionTable.ParentCode(s.RegionCode) ?? "")?.Name ?? s.RegionCode,
        s.Segment,
        s.Nib,
        s.HasConsent,
        [.. Enum.GetValues<Stage>().Select(stage =>
        {
            var p = s[stage];
            var missing = Gates.Check(s, stage, policy);
            return new StageView(stage, p.State, p.StartedAt, p.EndedAt, p.SkipReason, missing is null,
                missing is null ? null : RefusalInfo.From(missing));
        })],
        s.Profile is { } b ? new BusinessProfileView(b.Sector, b.AnnualTurnoverIdr, b.BusinessCapitalIdr, b.Workers, b.Needs, b.UmkmClass) : null,
        s.MentorId,
        s.MentoringSessions,
        s.Trainings.Count(t => t.Passed),
        s.Matches.Count,
        s.Financing.Count,
        s.Outcomes is { } o ? new OutcomesView(o.AnnualTurnoverAfterIdr, o.BusinessCapitalAfterIdr, o.WorkersAfter, o.UmkmClassAfter, s.Profile?.UmkmClass) : null,
        s.OpenedAt,
        s.UpdatedAt,
        [.. s.Enrolments.Select(e => new EnrolmentView(e.Offer.Id, e.Offer.Name, e.Offer.Type, e.Offer.Provider, e.Offer.Level, e.Status, e.Since,
            e.WaitlistPosition, e.RespondBy, e.ResponseOverdue, e.AmountIdr, e.PlafondIdr, e.DisbursedIdr, e.DisbursedOn, e.Repayment, e.AttendancePercent,
            e.Offer.Type == Domain.Services.OfferType.Training ? e.Offer.AttendanceThresholdPercent ?? policy.DefaultAttendanceThresholdPercent : null,
            e.Passed, e.Outcome, e.Reason, e.OverlapsAcknowledged))],
        s.PendingApproval is { } p ? new PendingApprovalView(p.Kind, p.Reason, p.CloseReason, p.RequestedAt, p.RequestedBy) : null,
        s.Consent is { } c ? new ConsentView(c.Method, c.FormVersion, c.GivenOn, c.Witness, c.RecordedAt) : null)
    {
        ConsentPurposes = [.. s.ConsentedPurposes],
        Withdrawal = s.Withdrawal is { } w ? new ConsentWithdrawalView([.. w.Purposes], w.Method, w.WithdrawnOn, w.Witness, w.Note, w.RecordedAt) : null,
        ErasedAt = s.ErasedAt,
    };

    /// <summary>
    /// The case as partner organisation <paramref name="org"/> sees it: the beneficiary as far as shared with partners, and
    /// the enrolments with the organisation's offers, each with what waits for the partner on it.
    /// </summary>
    public static PartnerCaseView ToPartnerView(CaseState s, string org, JourneyPolicy policy)
    {
        var full = ToView(s, policy);
        var enrolments = s.Enrolments.Select((e, i) => (e, view: full.Enrolments[i]))
            .Where(x => x.e.Offer.PartnerOrgId == org)
            .Select(x => new PartnerEnrolmentView(x.view with { OverlapsAcknowledged = [] }, s.Status == CaseStatus.Open ? Domain.Access.PartnerScope.WaitingOn(x.e) : null));
        return new PartnerCaseView(s.CaseNumber, s.Version, s.Status, s.FullName, s.NikMasked, s.Segment, s.Nib, s.Profile?.Sector, s.Profile?.UmkmClass,
            s.RegionCode, full.RegionName, [.. enrolments]);
    }

    /// <summary>The projection rows of the enrolments an event added or changed (compared by reference: Apply keeps unchanged ones).</summary>
    public static IReadOnlyList<EnrolmentRow> ToEnrolmentRows(CaseState? previous, CaseState next)
    {
        var rows = new List<EnrolmentRow>();
        for (var i = 0; i < next.Enrolments.Count; i++)
        {
            var e = next.Enrolments[i];
            if (previous is not null && i < previous.Enrolments.Count && ReferenceEquals(previous.Enrolments[i], e))
            {
                continue;
            }

            rows.Add(new EnrolmentRow(next.CaseNumber, e.Seq, e.Offer.Id, e.Offer.Type.ToString(), e.Offer.Name, e.Offer.Provider, next.RegionCode,
                next.Segment.ToString(), e.Status.ToString(), e.Counts, e.AmountIdr, e.PlafondIdr, e.DisbursedIdr, e.Repayment?.ToString(), next.UpdatedAt, next.NikHash, e.Offer.PartnerOrgId));
        }

        return rows;
    }

    public static CaseIndexRow ToIndexRow(CaseState s) => new(
        s.CaseNumber, s.FullName, s.NikMasked, s.RegionCode, s.Segment.ToString(), s.Gender.ToString(), s.Status.ToString(),
        s.CurrentStage.ToString(), s[s.CurrentStage].State.ToString(), s.Version, s.OpenedAt, s.UpdatedAt, s.MentorId,
        (s.ActiveStage is { } active && s.Status == CaseStatus.Open ? s[active] switch
        {
            { SlaEscalated: true } => SlaState.Escalated,
            { SlaBreached: true } => SlaState.Breached,
            _ => SlaState.OnTime,
        } : SlaState.OnTime).ToString(),
        s.PendingApproval?.Kind.ToString());
}
