using System.Collections.Immutable;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

public sealed class SlaPolicyTests
{
    private static readonly SlaPolicy Policy = SlaPolicy.Default;

    /// <summary>When the active stage of <paramref name="c"/> started (the scenario folds event n at OpenedAt + n hours).</summary>
    private static DateTimeOffset StartedAt(CaseScenario c) => c.State[c.State.ActiveStage!.Value].StartedAt!.Value;

    [Theory]
    [InlineData(Stage.Intake)]
    [InlineData(Stage.Assessment)]
    [InlineData(Stage.Training)]
    [InlineData(Stage.Mentoring)]
    [InlineData(Stage.Matching)]
    [InlineData(Stage.Financing)]
    [InlineData(Stage.Graduated)]
    public void Next_BeforeTheTarget_WaitsUntilStartPlusTheStagesTarget(Stage stage)
    {
        // Once warned (or with warnings off) the timer waits for the target itself.
        var c = CaseScenario.WithStage(stage, StageState.Active);
        var due = StartedAt(c) + Policy.Targets[stage];
        var unwarned = Policy.Next(c.State, due.AddTicks(-1));
        c.Apply(unwarned.Event!);

        var step = Policy.Next(c.State, due.AddTicks(-1));
        var withoutWarnings = (Policy with { WarnAtPercent = 0 }).Next(CaseScenario.WithStage(stage, StageState.Active).State, due.AddTicks(-1));

        Assert.IsType<SlaWarned>(unwarned.Event);
        Assert.Null(step.Event);
        Assert.Equal(due, step.At);
        Assert.Null(withoutWarnings.Event);
        Assert.Equal(due, withoutWarnings.At);
    }

    [Theory]
    [InlineData(Stage.Intake)]
    [InlineData(Stage.Mentoring)]
    [InlineData(Stage.Financing)]
    public void Next_AtEightyPercentOfTheTarget_WarnsOnce_NamingStageStartAndDue(Stage stage)
    {
        var c = CaseScenario.WithStage(stage, StageState.Active);
        var started = StartedAt(c);
        var due = started + Policy.Targets[stage];
        var warnAt = started + Policy.Targets[stage] * 0.8;

        var early = Policy.Next(c.State, warnAt.AddTicks(-1));
        var warning = Policy.Next(c.State, warnAt);
        c.Apply(warning.Event!);
        var after = Policy.Next(c.State, warnAt.AddHours(1));

        Assert.Equal(SlaStep.WaitUntil(warnAt), early);
        Assert.Equal(new SlaWarned(stage, started, due), warning.Event);
        Assert.True(c.State[stage].SlaWarned);
        Assert.Equal(SlaStep.WaitUntil(due), after);
    }

    [Fact]
    public void Next_PastTheTargetWithoutAWarning_BreachesAtOnce_WithoutAWarningAfterTheFact()
    {
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);
        var due = StartedAt(c) + TimeSpan.FromDays(14);

        Assert.IsType<SlaBreached>(Policy.Next(c.State, due).Event);
    }

    [Fact]
    public void AReopenedCase_IsWarnedAgain_OnItsFreshClock()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        c.Apply(Policy.Next(c.State, StartedAt(c) + TimeSpan.FromDays(50)).Event!);
        Assert.True(c.State[Stage.Training].SlaWarned);
        c.Do(new CloseCase(CloseReason.Moved, null)).Do(new ReopenCase("Kembali ke Batu"));
        var reopenedAt = c.State.ReopenedAt!.Value;

        Assert.False(c.State[Stage.Training].SlaWarned);
        Assert.Equal(SlaStep.WaitUntil(reopenedAt + TimeSpan.FromDays(48)), Policy.Next(c.State, reopenedAt));
    }

    [Fact]
    public void Next_AtTheTarget_AppendsSlaBreached_NamingStageStartAndDue()
    {
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);
        var started = StartedAt(c);
        var due = started + TimeSpan.FromDays(14);

        var step = Policy.Next(c.State, due);

        Assert.Equal(new SlaBreached(Stage.Assessment, started, due), step.Event);
    }

    [Fact]
    public void Next_AfterABreach_WaitsForTheGrace_ThenEscalatesToTheKabKota()
    {
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);
        var due = StartedAt(c) + TimeSpan.FromDays(14);
        c.Apply(Policy.Next(c.State, due).Event!);
        Assert.True(c.State[Stage.Assessment].SlaBreached);

        var waiting = Policy.Next(c.State, due.AddDays(1));
        var escalating = Policy.Next(c.State, due + Policy.EscalationGrace);

        Assert.Equal(due + Policy.EscalationGrace, waiting.At);
        Assert.Equal(new SlaEscalated(Stage.Assessment, due, "35.79"), escalating.Event);
        c.Apply(escalating.Event!);
        Assert.Same(SlaStep.Nothing, Policy.Next(c.State, due.AddYears(1)));
    }

    [Fact]
    public void Next_ForAClosedCase_OrAStageWithoutTarget_DoesNothing()
    {
        var closed = CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new CloseCase(CloseReason.DroppedOut, null));
        var noTargets = Policy with { Targets = ImmutableDictionary<Stage, TimeSpan>.Empty };
        var open = CaseScenario.WithStage(Stage.Training, StageState.Active);

        Assert.Same(SlaStep.Nothing, Policy.Next(closed.State, DateTimeOffset.MaxValue.AddYears(-1)));
        Assert.Same(SlaStep.Nothing, noTargets.Next(open.State, DateTimeOffset.MaxValue.AddYears(-1)));
        Assert.Same(SlaStep.Nothing, Policy.Next(null, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void AStageStartedAgain_AfterABreach_HasAFreshTimer()
    {
        // Completing the breached stage and starting the next one: the next stage's timer starts clean.
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);
        c.Apply(Policy.Next(c.State, DateTimeOffset.MaxValue.AddYears(-1)).Event!);
        c.Complete(Stage.Assessment).Start(Stage.Training);

        var step = Policy.Next(c.State, StartedAt(c));

        Assert.False(c.State[Stage.Training].SlaBreached);
        Assert.Equal(StartedAt(c) + TimeSpan.FromDays(48), step.At); // its warning, at 80 % of its 60 days
    }

    [Fact]
    public void CommandIds_AreStablePerStageActivation_SoARepeatedTickAppendsOnce()
    {
        var t = new DateTimeOffset(2025, 3, 3, 2, 0, 0, TimeSpan.Zero);
        var a = SlaPolicy.CommandIdFor(new SlaBreached(Stage.Training, t, t.AddDays(60)));
        var b = SlaPolicy.CommandIdFor(new SlaBreached(Stage.Training, t, t.AddDays(60)));
        var other = SlaPolicy.CommandIdFor(new SlaBreached(Stage.Training, t.AddDays(1), t.AddDays(61)));
        var escalation = SlaPolicy.CommandIdFor(new SlaEscalated(Stage.Training, t.AddDays(60), "35.79"));
        var warning = SlaPolicy.CommandIdFor(new SlaWarned(Stage.Training, t, t.AddDays(60)));

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.NotEqual(a, escalation);
        Assert.Equal(warning, SlaPolicy.CommandIdFor(new SlaWarned(Stage.Training, t, t.AddDays(60))));
        Assert.NotEqual(a, warning);
    }

    [Theory]
    [InlineData("35.79.01.2001", "35.79")]
    [InlineData("35.79.01", "35.79")]
    [InlineData("35.79", "35.79")]
    [InlineData("35", "35")]
    public void SupervisorRegion_IsTheKabKotaOfTheCase(string region, string expected) =>
        Assert.Equal(expected, SlaPolicy.SupervisorRegion(region));

    [Fact]
    public void AReopenedCase_RestartsTheActiveStagesClock_AndClearsItsBreach()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        c.Apply(Policy.Next(c.State, DateTimeOffset.MaxValue.AddYears(-1)).Event!);
        c.Do(new CloseCase(CloseReason.Moved, null)).Do(new ReopenCase("Kembali ke Batu"));
        var reopenedAt = c.State.ReopenedAt!.Value;

        var step = Policy.Next(c.State, reopenedAt);

        Assert.False(c.State[Stage.Training].SlaBreached);
        Assert.Equal(reopenedAt + TimeSpan.FromDays(48), step.At); // the warning of the fresh 60 days, at 80 %
    }

    [Fact]
    public void Escalations_GoToTheMostSpecificSupervisorsServingTheKabKota()
    {
        var kota = new Caller("sv-batu", Role.Supervisor, ["35.79"]);
        var province = new Caller("sv-jatim", Role.Supervisor, ["35"]);
        var kecamatan = new Caller("sv-bumiaji", Role.Supervisor, ["35.79.02"]);
        var elsewhere = new Caller("sv-malang", Role.Supervisor, ["35.73"]);
        var caseworker = new Caller("cw-batu", Role.Caseworker, ["35.79"]);

        Assert.Equal([kota], SlaPolicy.EscalationRecipients([province, kota, kecamatan, elsewhere, caseworker], "35.79"));
        Assert.Equal([province], SlaPolicy.EscalationRecipients([province, kecamatan, elsewhere], "35.79"));
        Assert.Empty(SlaPolicy.EscalationRecipients([kecamatan, elsewhere], "35.79"));
    }
}
