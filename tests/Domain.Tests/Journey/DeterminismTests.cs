using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>The decider is pure: same state, command and context, same event (or refusal).</summary>
public sealed class DeterminismTests
{
    public static TheoryData<Stage, CaseCommand> Commands => new()
    {
        { Stage.Intake,     new RecordConsent("Tanda tangan basah") },
        { Stage.Assessment, new RecordAssessment("Kuliner", 3_000_000_000, 0, 5, ["Modal", "Pemasaran"]) },
        { Stage.Training,   new Enrol(TestOffers.Course(), Domain.Services.SeatOutcome.Granted, 0, false, null) },
        { Stage.Training,   new SkipStage(Stage.Training, "Sudah terlatih") },
        { Stage.Training,   new CloseCase(CloseReason.Moved, "Pindah") },
        { Stage.Training,   new CompleteStage(Stage.Training) },
        { Stage.Mentoring,  new AssignMentor("mentor-7") },
        { Stage.Matching,   new Enrol(TestOffers.Buyer(), Domain.Services.SeatOutcome.Granted, 0, false, null) },
        { Stage.Financing,  new Enrol(TestOffers.Kur(), Domain.Services.SeatOutcome.Granted, 0, false, 10_000_000) },
        { Stage.Financing,  new DecideFinancing("kur-9", false, null, "Agunan") },
        { Stage.Graduated,  new RecordOutcomes(16_000_000_000, 0, 12) },
        { Stage.Graduated,  new StartStage(Stage.Graduated) },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Decide_SameStateCommandAndContextTwice_GivesTheSameResult(Stage active, CaseCommand command)
    {
        var c = CaseScenario.WithStage(active, StageState.Active);

        var first = c.Decide(command);
        var second = c.Decide(command);

        AssertSameResult(first, second);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Decide_OnTwoIndependentlyBuiltEqualStates_GivesTheSameResult(Stage active, CaseCommand command)
    {
        var first = CaseScenario.WithStage(active, StageState.Active).Decide(command);
        var second = CaseScenario.WithStage(active, StageState.Active).Decide(command);

        AssertSameResult(first, second);
    }

    private static void AssertSameResult(Result<CaseEvent> first, Result<CaseEvent> second)
    {
        Assert.Equal(first.IsRefused, second.IsRefused);
        if (first.IsRefused)
        {
            Assert.Equivalent(first.Refusal, second.Refusal, strict: true);
        }
        else
        {
            Assert.Equal(first.Value.GetType(), second.Value.GetType());
            Assert.Equivalent(first.Value, second.Value, strict: true);
        }
    }
}
