namespace CaseGrains.Domain.Journey;

/// <summary>
/// When a mentoring session is due (the domain has no planned next session, only the sessions logged): an open case in
/// the Mentoring stage whose mentor has logged no session for <see cref="Period"/> gets <see cref="MentoringSessionDue"/>,
/// a reminder to that mentor. The period runs from the latest of the Mentoring stage's start (or the case's reopening),
/// the mentor's assignment, the last session logged and the last reminder, so an idle case reminds its mentor once per
/// period. Pure: time is passed in.
/// </summary>
public sealed record SessionCadence(TimeSpan Period)
{
    /// <summary>The programme's default: a reminder after 30 days without a session.</summary>
    public static SessionCadence Default { get; } = new(TimeSpan.FromDays(30));

    /// <summary>
    /// What the session timer should do for <paramref name="state"/> at <paramref name="now"/>: append the reminder now,
    /// wait until it is due, or nothing (no open case in Mentoring, no mentor, or reminders off).
    /// </summary>
    public SlaStep Next(CaseState? state, DateTimeOffset now)
    {
        if (Period <= TimeSpan.Zero || state is not { Status: CaseStatus.Open, MentorId: { } mentor } || state.ActiveStage != Stage.Mentoring
            || state[Stage.Mentoring].StartedAt is not { } started)
        {
            return SlaStep.Nothing;
        }

        var since = new[] { started, state.ReopenedAt ?? started, state.MentoringMovedAt ?? started }.Max();
        var due = since + Period;
        return now >= due ? SlaStep.Append(new MentoringSessionDue(mentor, since, due)) : SlaStep.WaitUntil(due);
    }

    /// <summary>A stable command id for a reminder: a repeated or concurrent tick appends it once.</summary>
    public static string CommandIdFor(MentoringSessionDue due)
    {
        ArgumentNullException.ThrowIfNull(due);
        return $"session-due:{due.Since.UtcTicks}";
    }
}
