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
        s.UpdatedAt);

    public static CaseIndexRow ToIndexRow(CaseState s) => new(
        s.CaseNumber, s.FullName, s.NikMasked, s.RegionCode, s.Segment.ToString(), s.Gender.ToString(), s.Status.ToString(),
        s.CurrentStage.ToString(), s[s.CurrentStage].State.ToString(), s.Version, s.OpenedAt, s.UpdatedAt, s.MentorId);
}
