using CaseGrains.Domain.Journey;
using static CaseGrains.Domain.Journey.CaseAction;
using static CaseGrains.Domain.Journey.CaseStatus;
using static CaseGrains.Domain.Journey.StageAction;
using static CaseGrains.Domain.Journey.StageState;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>The raw table of allowed moves, every pair, nothing else.</summary>
public sealed class TransitionTableTests
{
    public static TheoryData<StageState, StageAction, StageState?> StageMoves => new()
    {
        // from        action     to (null = refused)
        { NotStarted, Start,    Active },
        { NotStarted, Complete, null },
        { NotStarted, Skip,     Skipped },
        { Active,     Start,    null },
        { Active,     Complete, Completed },
        { Active,     Skip,     Skipped },
        { Completed,  Start,    null },
        { Completed,  Complete, null },
        { Completed,  Skip,     null },
        { Skipped,    Start,    null },
        { Skipped,    Complete, null },
        { Skipped,    Skip,     null },
    };

    public static TheoryData<CaseStatus, CaseAction, CaseStatus?> CaseMoves => new()
    {
        // from     action    to (null = refused)
        { Open,      Close,    Closed },
        { Open,      Reopen,   null },
        { Open,      Graduate, CaseStatus.Graduated },
        { Closed,    Close,    null },
        { Closed,    Reopen,   Open },
        { Closed,    Graduate, null },
        { CaseStatus.Graduated, Close,    null },
        { CaseStatus.Graduated, Reopen,   null },
        { CaseStatus.Graduated, Graduate, null },
    };

    [Theory]
    [MemberData(nameof(StageMoves))]
    public void Next_ForStageStateAndAction_IsTheTableEntryOrNull(StageState from, StageAction action, StageState? expected) =>
        Assert.Equal(expected, Transitions.Next(from, action));

    [Theory]
    [MemberData(nameof(CaseMoves))]
    public void Next_ForCaseStatusAndAction_IsTheTableEntryOrNull(CaseStatus from, CaseAction action, CaseStatus? expected) =>
        Assert.Equal(expected, Transitions.Next(from, action));

    [Fact]
    public void StageMoves_CoverEveryStateActionPair()
    {
        var rows = StageMoves.Select(r => ((StageState)r[0], (StageAction)r[1])).ToHashSet();
        var all = Enum.GetValues<StageState>().SelectMany(s => Enum.GetValues<StageAction>().Select(a => (s, a)));
        Assert.Equal(all.OrderBy(p => p), rows.OrderBy(p => p));
    }

    [Fact]
    public void CaseMoves_CoverEveryStatusActionPair()
    {
        var rows = CaseMoves.Select(r => ((CaseStatus)r[0], (CaseAction)r[1])).ToHashSet();
        var all = Enum.GetValues<CaseStatus>().SelectMany(s => Enum.GetValues<CaseAction>().Select(a => (s, a)));
        Assert.Equal(all.OrderBy(p => p), rows.OrderBy(p => p));
    }

    [Fact]
    public void Skippable_IsExactlyTrainingMentoringMatchingFinancing() =>
        Assert.Equal(
            new[] { Stage.Training, Stage.Mentoring, Stage.Matching, Stage.Financing },
            Transitions.Skippable.OrderBy(s => s));
}
