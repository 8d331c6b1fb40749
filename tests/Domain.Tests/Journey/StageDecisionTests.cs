using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;
using static CaseGrains.Domain.Journey.Stage;
using static CaseGrains.Domain.Journey.StageAction;
using static CaseGrains.Domain.Journey.StageState;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// Every stage × reachable state × action through <see cref="CaseDecider.Decide"/>, starting from a case in
/// which every earlier stage is completed, nothing else is active, and an Active stage has no gate facts yet
/// (so Complete meets its gate refusal here; <see cref="GateTests"/> shows each gate accepting once met).
/// </summary>
public sealed class StageDecisionTests
{
    private const string StartedEvent = nameof(StageStarted);
    private const string SkippedEvent = nameof(StageSkipped);
    private const string NotAllowed = "stage.transition_not_allowed";
    private const string NotSkippable = "stage.not_skippable";
    private const string NotOpen = "case.not_open";

    public static TheoryData<Stage, StageState, StageAction, string> StageTable => new()
    {
        // Intake is never NotStarted (opening a case starts it) and never skippable.
        { Intake, Active, Start, NotAllowed }, { Intake, Active, Complete, "gate.intake.consent_missing" }, { Intake, Active, Skip, NotSkippable },
        { Intake, Completed, Start, NotAllowed }, { Intake, Completed, Complete, NotAllowed }, { Intake, Completed, Skip, NotAllowed },

        // Assessment is never skippable.
        { Assessment, NotStarted, Start, StartedEvent }, { Assessment, NotStarted, Complete, NotAllowed }, { Assessment, NotStarted, Skip, NotSkippable },
        { Assessment, Active, Start, NotAllowed }, { Assessment, Active, Complete, "gate.assessment.profile_missing" }, { Assessment, Active, Skip, NotSkippable },
        { Assessment, Completed, Start, NotAllowed }, { Assessment, Completed, Complete, NotAllowed }, { Assessment, Completed, Skip, NotAllowed },

        { Training, NotStarted, Start, StartedEvent }, { Training, NotStarted, Complete, NotAllowed }, { Training, NotStarted, Skip, SkippedEvent },
        { Training, Active, Start, NotAllowed }, { Training, Active, Complete, "gate.training.no_completed_enrolment" }, { Training, Active, Skip, SkippedEvent },
        { Training, Completed, Start, NotAllowed }, { Training, Completed, Complete, NotAllowed }, { Training, Completed, Skip, NotAllowed },
        { Training, Skipped, Start, NotAllowed }, { Training, Skipped, Complete, NotAllowed }, { Training, Skipped, Skip, NotAllowed },

        { Mentoring, NotStarted, Start, StartedEvent }, { Mentoring, NotStarted, Complete, NotAllowed }, { Mentoring, NotStarted, Skip, SkippedEvent },
        { Mentoring, Active, Start, NotAllowed }, { Mentoring, Active, Complete, "gate.mentoring.no_mentor" }, { Mentoring, Active, Skip, SkippedEvent },
        { Mentoring, Completed, Start, NotAllowed }, { Mentoring, Completed, Complete, NotAllowed }, { Mentoring, Completed, Skip, NotAllowed },
        { Mentoring, Skipped, Start, NotAllowed }, { Mentoring, Skipped, Complete, NotAllowed }, { Mentoring, Skipped, Skip, NotAllowed },

        { Matching, NotStarted, Start, StartedEvent }, { Matching, NotStarted, Complete, NotAllowed }, { Matching, NotStarted, Skip, SkippedEvent },
        { Matching, Active, Start, NotAllowed }, { Matching, Active, Complete, "gate.matching.no_outcome" }, { Matching, Active, Skip, SkippedEvent },
        { Matching, Completed, Start, NotAllowed }, { Matching, Completed, Complete, NotAllowed }, { Matching, Completed, Skip, NotAllowed },
        { Matching, Skipped, Start, NotAllowed }, { Matching, Skipped, Complete, NotAllowed }, { Matching, Skipped, Skip, NotAllowed },

        { Financing, NotStarted, Start, StartedEvent }, { Financing, NotStarted, Complete, NotAllowed }, { Financing, NotStarted, Skip, SkippedEvent },
        { Financing, Active, Start, NotAllowed }, { Financing, Active, Complete, "gate.financing.no_decision" }, { Financing, Active, Skip, SkippedEvent },
        { Financing, Completed, Start, NotAllowed }, { Financing, Completed, Complete, NotAllowed }, { Financing, Completed, Skip, NotAllowed },
        { Financing, Skipped, Start, NotAllowed }, { Financing, Skipped, Complete, NotAllowed }, { Financing, Skipped, Skip, NotAllowed },

        // Graduated is never skippable; once completed the case itself is Graduated and takes no command.
        { Graduated, NotStarted, Start, StartedEvent }, { Graduated, NotStarted, Complete, NotAllowed }, { Graduated, NotStarted, Skip, NotSkippable },
        { Graduated, Active, Start, NotAllowed }, { Graduated, Active, Complete, "gate.graduated.outcomes_missing" }, { Graduated, Active, Skip, NotSkippable },
        { Graduated, Completed, Start, NotOpen }, { Graduated, Completed, Complete, NotOpen }, { Graduated, Completed, Skip, NotOpen },
    };

    /// <summary>States no event sequence reaches: the table above lists everything else.</summary>
    private static bool IsReachable(Stage stage, StageState state) =>
        !(stage == Intake && state == NotStarted)
        && !(state == Skipped && !Transitions.Skippable.Contains(stage));

    private static CaseCommand Command(Stage stage, StageAction action) => action switch
    {
        Start => new StartStage(stage),
        Complete => new CompleteStage(stage),
        Skip => new SkipStage(stage, CaseScenario.SkipReason),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    [Theory]
    [MemberData(nameof(StageTable))]
    public void Decide_StageActionFromEachReachableState_IsAcceptedOrRefusedAsTheTableSays(Stage stage, StageState from, StageAction action, string expected)
    {
        var c = CaseScenario.WithStage(stage, from);
        Assert.Equal(from, c.State[stage].State);

        var result = c.Decide(Command(stage, action));

        Assert.Equal(expected, result.Outcome());
        if (!result.IsRefused)
        {
            // An accepted move lands exactly where the transition table says.
            c.Apply(result.Value);
            Assert.Equal(Transitions.Next(from, action), c.State[stage].State);
        }
    }

    [Fact]
    public void StageTable_CoversEveryReachableStageStateAndAction()
    {
        var rows = StageTable.Select(r => ((Stage)r[0], (StageState)r[1], (StageAction)r[2])).ToList();
        var expected =
            from stage in Enum.GetValues<Stage>()
            from state in Enum.GetValues<StageState>()
            where IsReachable(stage, state)
            from action in Enum.GetValues<StageAction>()
            select (stage, state, action);

        Assert.Equal(rows.Count, rows.Distinct().Count());
        Assert.Equal(expected.OrderBy(r => r), rows.OrderBy(r => r));
    }

    [Fact]
    public void Start_WhenStageAlreadyActive_IsRefusedNamingStageAndState()
    {
        var c = CaseScenario.WithStage(Training, Active);

        var refusal = ResultAssert.Refused(c.Decide(new StartStage(Training)), NotAllowed);

        Assert.Equal("Training", refusal.Details["stage"]);
        Assert.Equal("Active", refusal.Details["state"]);
        Assert.Equal("Tahap Pelatihan berstatus aktif; tidak dapat dimulai.", refusal.Indonesian);
        Assert.Equal("Stage Training is active; it cannot be started.", refusal.English);
    }

    [Fact]
    public void Complete_WhenStageNotStarted_IsRefusedAsTransitionNotAllowed()
    {
        var refusal = ResultAssert.Refused(CaseScenario.WithStage(Training, NotStarted).Decide(new CompleteStage(Training)), NotAllowed);

        Assert.Equal("NotStarted", refusal.Details["state"]);
    }

    [Fact]
    public void Start_TrainingWhileAssessmentActive_IsRefusedOutOfOrderNamingAssessment()
    {
        var c = CaseScenario.WithStage(Assessment, Active);

        var refusal = ResultAssert.Refused(c.Decide(new StartStage(Training)), "stage.out_of_order");

        Assert.Equal("Training", refusal.Details["stage"]);
        Assert.Equal("Assessment", refusal.Details["blockingStage"]);
        Assert.Equal("Tahap Pelatihan belum dapat dimulai: tahap Asesmen belum selesai atau dilewati.", refusal.Indonesian);
        Assert.Equal("Stage Training cannot start yet: stage Assessment is not completed or skipped.", refusal.English);
    }

    [Fact]
    public void Start_AssessmentWhileIntakeActive_IsRefusedOutOfOrderNamingIntake()
    {
        var refusal = ResultAssert.Refused(CaseScenario.Open().Decide(new StartStage(Assessment)), "stage.out_of_order");

        Assert.Equal("Intake", refusal.Details["blockingStage"]);
    }

    [Fact]
    public void Start_StageTwoAhead_IsRefusedNamingTheFirstUnfinishedStage()
    {
        // Assessment completed, Training not started: Matching is blocked by Training, not by Mentoring.
        var c = CaseScenario.WithStage(Training, NotStarted);

        var refusal = ResultAssert.Refused(c.Decide(new StartStage(Matching)), "stage.out_of_order");

        Assert.Equal("Training", refusal.Details["blockingStage"]);
    }

    [Fact]
    public void Skip_LaterStageWhileEarlierStageActive_IsRefusedOutOfOrder()
    {
        var c = CaseScenario.WithStage(Training, Active);

        var refusal = ResultAssert.Refused(c.Decide(new SkipStage(Mentoring, CaseScenario.SkipReason)), "stage.out_of_order");

        Assert.Equal("Training", refusal.Details["blockingStage"]);
    }

    [Fact]
    public void Stages_RunInOrderOneAtATime_AtMostOneActiveThroughAFullJourney()
    {
        var c = CaseScenario.Open();
        foreach (var stage in Enum.GetValues<Stage>())
        {
            c.Start(stage);
            Assert.Equal(stage, c.State.ActiveStage);
            Assert.Single(c.State.Stages.Entries, s => s.Value.State == Active);
            c.MeetGate(stage).Do(new CompleteStage(stage));
            Assert.Null(c.State.ActiveStage);
            Assert.Equal(stage, c.State.CurrentStage);
        }

        Assert.Equal(CaseStatus.Graduated, c.State.Status);
    }

    [Fact]
    public void Skip_EverySkippableStage_LetsGraduatedStartAfterAssessment()
    {
        var c = CaseScenario.WithStage(Training, NotStarted);
        foreach (var stage in new[] { Training, Mentoring, Matching, Financing })
        {
            c.Do(new SkipStage(stage, CaseScenario.SkipReason));
        }

        ResultAssert.Accepted<StageStarted>(c.Decide(new StartStage(Graduated)));
        Assert.All(new[] { Training, Mentoring, Matching, Financing }, s => Assert.Equal(CaseScenario.SkipReason, c.State[s].SkipReason));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Skip_WithoutReason_IsRefusedAsRequired(string reason)
    {
        var c = CaseScenario.WithStage(Training, Active);

        var refusal = ResultAssert.Refused(c.Decide(new SkipStage(Training, reason)), "input.required", "reason");

        Assert.Equal("Kolom 'reason' wajib diisi.", refusal.Indonesian);
    }

    [Fact]
    public void Skip_WithReasonTooLong_IsRefused()
    {
        var c = CaseScenario.WithStage(Training, Active);

        ResultAssert.Refused(c.Decide(new SkipStage(Training, new string('a', CaseDecider.MaxLongText + 1))), "input.too_long", "reason");
    }

    [Fact]
    public void Skip_WithReason_RecordsTheTrimmedReasonAndEndTime()
    {
        var c = CaseScenario.WithStage(Mentoring, NotStarted);

        var skipped = ResultAssert.Accepted<StageSkipped>(c.Decide(new SkipStage(Mentoring, "  Sudah punya pendamping dari dinas  ")));
        c.Apply(skipped);

        Assert.Equal(new StageSkipped(Mentoring, "Sudah punya pendamping dari dinas"), skipped);
        Assert.Equal(Skipped, c.State[Mentoring].State);
        Assert.Equal("Sudah punya pendamping dari dinas", c.State[Mentoring].SkipReason);
        Assert.NotNull(c.State[Mentoring].EndedAt);
    }

    [Theory]
    [InlineData(Intake)]
    [InlineData(Assessment)]
    [InlineData(Graduated)]
    public void Skip_StageThatIsNeverSkippable_IsRefusedEvenWithReason(Stage stage)
    {
        var c = CaseScenario.WithStage(stage, stage == Intake ? Active : NotStarted);

        var refusal = ResultAssert.Refused(c.Decide(new SkipStage(stage, CaseScenario.SkipReason)), NotSkippable);

        Assert.Contains("tidak boleh dilewati", refusal.Indonesian, StringComparison.Ordinal);
    }
}
