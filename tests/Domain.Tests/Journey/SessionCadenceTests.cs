using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>The session-due rule: a case in Mentoring whose mentor logged no session for the period reminds them, once per period.</summary>
public sealed class SessionCadenceTests
{
    private static readonly SessionCadence Cadence = SessionCadence.Default;

    /// <summary>A case in Mentoring with mentor-7 assigned (after the stage started) and no session logged.</summary>
    private static CaseScenario InMentoring()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active);
        return c.AssignMentorIfNone();
    }

    private static DateTimeOffset At(int seq) => CaseScenario.OpenedAt.AddHours(seq);

    [Fact]
    public void Next_WaitsThirtyDaysFromTheAssignment_ThenRemindsTheMentor()
    {
        var c = InMentoring();
        var assignedAt = At(c.State.Version);
        var due = assignedAt + TimeSpan.FromDays(30);

        Assert.Equal(SlaStep.WaitUntil(due), Cadence.Next(c.State, assignedAt));
        Assert.Equal(SlaStep.WaitUntil(due), Cadence.Next(c.State, due.AddTicks(-1)));
        Assert.Equal(new MentoringSessionDue("mentor-7", assignedAt, due), Cadence.Next(c.State, due).Event);
    }

    [Fact]
    public void AReminder_RestartsThePeriod_SoAnIdleCaseRemindsOncePerPeriod_WithADifferentCommandId()
    {
        var c = InMentoring();
        var first = (MentoringSessionDue)Cadence.Next(c.State, DateTimeOffset.MaxValue.AddYears(-1)).Event!;
        c.Apply(first);
        var remindedAt = At(c.State.Version);

        var next = Cadence.Next(c.State, remindedAt.AddDays(1));
        var second = (MentoringSessionDue)Cadence.Next(c.State, remindedAt.AddDays(30)).Event!;

        Assert.Equal(SlaStep.WaitUntil(remindedAt.AddDays(30)), next);
        Assert.Equal(remindedAt, second.Since);
        var again = (MentoringSessionDue)Cadence.Next(InMentoring().State, DateTimeOffset.MaxValue.AddYears(-1)).Event!;
        Assert.Equal(SessionCadence.CommandIdFor(first), SessionCadence.CommandIdFor(again));
        Assert.NotEqual(SessionCadence.CommandIdFor(first), SessionCadence.CommandIdFor(second));
    }

    [Fact]
    public void ALoggedSession_RestartsThePeriod()
    {
        var c = InMentoring().LogSessions(1);
        var loggedAt = At(c.State.Version);

        Assert.Equal(SlaStep.WaitUntil(loggedAt.AddDays(30)), Cadence.Next(c.State, loggedAt));
    }

    [Fact]
    public void Nothing_OutsideMentoring_WithoutAMentor_ForAClosedCase_OrWithRemindersOff()
    {
        var far = DateTimeOffset.MaxValue.AddYears(-1);
        var training = CaseScenario.WithStage(Stage.Training, StageState.Active).AssignMentorIfNone();
        var noMentor = CaseScenario.WithStage(Stage.Mentoring, StageState.Active);
        var closed = InMentoring().Do(new CloseCase(CloseReason.DroppedOut, null));
        var done = InMentoring().MeetGate(Stage.Mentoring).Do(new CompleteStage(Stage.Mentoring));

        Assert.Same(SlaStep.Nothing, Cadence.Next(training.State, far));
        Assert.Null(noMentor.State.MentorId);
        Assert.Same(SlaStep.Nothing, Cadence.Next(noMentor.State, far));
        Assert.Same(SlaStep.Nothing, Cadence.Next(closed.State, far));
        Assert.Same(SlaStep.Nothing, Cadence.Next(done.State, far));
        Assert.Same(SlaStep.Nothing, new SessionCadence(TimeSpan.Zero).Next(InMentoring().State, far));
        Assert.Same(SlaStep.Nothing, Cadence.Next(null, far));
    }

    [Fact]
    public void AMentorAssignedBeforeTheStage_CountsFromTheStagesStart()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).AssignMentorIfNone();
        c.MeetGate(Stage.Training).Do(new CompleteStage(Stage.Training)).Start(Stage.Mentoring);
        var started = c.State[Stage.Mentoring].StartedAt!.Value;

        Assert.Equal(SlaStep.WaitUntil(started.AddDays(30)), Cadence.Next(c.State, started));
    }
}
