namespace CaseGrains.Domain.Journey;

/// <summary>
/// The one table of allowed moves. Anything not listed is refused. The ordering rule (stages run in
/// <see cref="Stage"/> order, one at a time) and the gates are checked by <see cref="CaseDecider"/> on top.
/// </summary>
public static class Transitions
{
    public sealed record StageRule(StageState From, StageAction Action, StageState To);

    public sealed record CaseRule(CaseStatus From, CaseAction Action, CaseStatus To);

    public static IReadOnlyList<StageRule> StageRules { get; } =
    [
        //      from                  action               to
        new(StageState.NotStarted, StageAction.Start,    StageState.Active),
        new(StageState.Active,     StageAction.Complete, StageState.Completed),
        new(StageState.NotStarted, StageAction.Skip,     StageState.Skipped),
        new(StageState.Active,     StageAction.Skip,     StageState.Skipped),
    ];

    public static IReadOnlyList<CaseRule> CaseRules { get; } =
    [
        //      from               action              to
        new(CaseStatus.Open,   CaseAction.Close,    CaseStatus.Closed),
        new(CaseStatus.Closed, CaseAction.Reopen,   CaseStatus.Open),
        new(CaseStatus.Open,   CaseAction.Graduate, CaseStatus.Graduated),
    ];

    /// <summary>Stages that may be skipped (with a reason). Identity, assessment and graduation never are.</summary>
    public static IReadOnlySet<Stage> Skippable { get; } =
        new HashSet<Stage> { Stage.Training, Stage.Mentoring, Stage.Matching, Stage.Financing };

    public static StageState? Next(StageState from, StageAction action) =>
        StageRules.FirstOrDefault(r => r.From == from && r.Action == action)?.To;

    public static CaseStatus? Next(CaseStatus from, CaseAction action) =>
        CaseRules.FirstOrDefault(r => r.From == from && r.Action == action)?.To;
}
