using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Metrics;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Metrics;

/// <summary>The dashboard counters as a function of one event: funnel moves, completions by week and duration, class changes.</summary>
public sealed class ProgrammeMetricsTests
{
    /// <summary>Replays a scenario's events through the metrics function, as the rebuild does, and sums per counter.</summary>
    private static Dictionary<(string, string, string, string, string, string), long> Replay(IEnumerable<(CaseState? Before, CaseState After, CaseEvent Event)> steps) =>
        steps.SelectMany(s => ProgrammeMetrics.Deltas(s.Before, s.After, s.Event)).GroupBy(d => d.Key)
            .ToDictionary(g => g.Key, g => g.Sum(d => d.Delta)).Where(kv => kv.Value != 0).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void OpeningACase_AddsItToTheFunnelOfItsKecamatan()
    {
        var c = CaseScenario.Open();

        var deltas = ProgrammeMetrics.Deltas(null, c.State, CaseDecider.Decide(null, CaseScenario.OpenCommand(), c.Context).Value);

        Assert.Equal([new MetricDelta("35.79.01", ProgrammeMetrics.Funnel, "Umkm", "Male", "Intake", "Open", 1)], deltas);
    }

    [Fact]
    public void AStageMove_TakesTheCaseFromOneFunnelCellToTheNext_AndACompletionCountsItsWeekAndDays()
    {
        var c = CaseScenario.Open();
        var before = c.State;
        c.Do(new CompleteStage(Stage.Intake));

        var completed = ProgrammeMetrics.Deltas(before, c.State, c.LastEvent!);
        before = c.State;
        c.Do(new StartStage(Stage.Assessment));
        var started = ProgrammeMetrics.Deltas(before, c.State, c.LastEvent!);

        // Completing Intake leaves the case "at" Intake (Completed); starting Assessment moves it.
        var week = ProgrammeMetrics.Week(c.State[Stage.Intake].EndedAt!.Value);
        Assert.Equal(
        [
            new MetricDelta("35.79.01", ProgrammeMetrics.Completed, "Intake", week, "", "", 1),
            new MetricDelta("35.79.01", ProgrammeMetrics.StageDays, "Intake", "00000", "", "", 1),
        ], completed);
        Assert.Equal(
        [
            new MetricDelta("35.79.01", ProgrammeMetrics.Funnel, "Umkm", "Male", "Intake", "Open", -1),
            new MetricDelta("35.79.01", ProgrammeMetrics.Funnel, "Umkm", "Male", "Assessment", "Open", 1),
        ], started);
    }

    [Fact]
    public void AWholeJourney_LeavesExactlyOneFunnelCell_AndTheClassChangeOnce_EvenWhenOutcomesAreCorrected()
    {
        var c = CaseScenario.Open();
        var captured = new List<(CaseState?, CaseState, CaseEvent)> { (null, c.State, CaseDecider.Decide(null, CaseScenario.OpenCommand(), c.Context).Value) };
        CaseCommand[] journey =
        [
            new CompleteStage(Stage.Intake), new StartStage(Stage.Assessment),
            new RecordAssessment("Kuliner", 300_000_000, 50_000_000, 2, ["Pembukuan"]), new CompleteStage(Stage.Assessment),
            new StartStage(Stage.Training), new Enrol(TestOffers.Course(), Domain.Services.SeatOutcome.Granted, 0, false, null),
            new CompleteTraining("course-1", 90), new CompleteStage(Stage.Training),
            new StartStage(Stage.Mentoring), new AssignMentor("mentor-7"),
            new LogMentoringSession(CaseScenario.SessionDate, "1", null, null), new LogMentoringSession(CaseScenario.SessionDate, "2", null, null),
            new LogMentoringSession(CaseScenario.SessionDate, "3", null, null), new CompleteStage(Stage.Mentoring),
            new StartStage(Stage.Matching), new Enrol(TestOffers.Buyer(), Domain.Services.SeatOutcome.Granted, 0, false, null),
            new RespondToReferral("buyer-1", true, null), new ReportReferralOutcome("buyer-1", MatchOutcome.Contracted, null), new CompleteStage(Stage.Matching),
            new StartStage(Stage.Financing), new Enrol(TestOffers.Kur(), Domain.Services.SeatOutcome.Granted, 0, false, 20_000_000),
            new DecideFinancing("kur-1", true, 20_000_000, null), new DisburseFinancing("kur-1", 20_000_000, CaseScenario.SessionDate), new CompleteStage(Stage.Financing),
            new StartStage(Stage.Graduated), new RecordOutcomes(100_000_000, 10_000_000, 2), new RecordOutcomes(2_500_000_000, 10_000_000, 9),
            new CompleteStage(Stage.Graduated),
        ];
        foreach (var command in journey)
        {
            var before = c.State;
            c.Do(command);
            captured.Add((before, c.State, c.LastEvent!));
        }

        var totals = Replay(captured);

        Assert.Equal(1, totals[("35.79.01", ProgrammeMetrics.Funnel, "Umkm", "Male", "Graduated", "Graduated")]);
        Assert.Single(totals, kv => kv.Key.Item2 == ProgrammeMetrics.Funnel);
        // The first outcomes (Micro → Micro) were corrected: only Micro → Small remains.
        Assert.Equal(1, totals[("35.79.01", ProgrammeMetrics.ClassChange, "Micro", "Small", "", "")]);
        Assert.Single(totals, kv => kv.Key.Item2 == ProgrammeMetrics.ClassChange);
        Assert.Equal(7, totals.Where(kv => kv.Key.Item2 == ProgrammeMetrics.Completed).Sum(kv => kv.Value));
        Assert.Equal(7, totals.Where(kv => kv.Key.Item2 == ProgrammeMetrics.StageDays).Sum(kv => kv.Value));
    }

    [Fact]
    public void ClosingAndReopening_MoveTheCaseBetweenStatuses_AndBackToWhereItWas()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        var open = c.State;
        c.Do(new CloseCase(CloseReason.Moved, null));
        var closed = c.State;
        var closing = ProgrammeMetrics.Deltas(open, closed, c.LastEvent!);
        c.Do(new ReopenCase("Kembali ke Batu"));
        var reopening = ProgrammeMetrics.Deltas(closed, c.State, c.LastEvent!);

        Assert.Equal([-1L, 1L], closing.Select(d => d.Delta));
        Assert.Equal(("Training", "Open", "Training", "Closed"), (closing[0].D3, closing[0].D4, closing[1].D3, closing[1].D4));
        Assert.Equal(closing.Select(d => d with { Delta = -d.Delta }).Reverse(), reopening);
    }

    [Theory]
    [InlineData("2026-11-27T23:00:00+00:00", "2026-W48")]
    [InlineData("2027-01-01T00:00:00+00:00", "2026-W53")]
    [InlineData("2027-01-03T20:00:00-07:00", "2027-W01")]
    public void Weeks_AreIsoWeeksOfTheUtcTime(string at, string week) =>
        Assert.Equal(week, ProgrammeMetrics.Week(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}
