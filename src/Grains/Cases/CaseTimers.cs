using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// A case's three durable timers, as rows of the deadline index (<see cref="CaseDeadlineTable"/>; swept by
/// <see cref="DeadlineSweeperGrain"/>, not one Orleans reminder per case): the active stage's SLA deadline (its warning,
/// breach and escalation), the earliest unanswered referral's response deadline, and the next mentoring session due. Aimed from the case's state after each event that can move a
/// deadline (a consequence of the event, so a failed write is retried like any other); it remembers what it last
/// wrote, so an ordinary command costs no deadline write. Something due now is written as due now: the next sweep
/// brings it, and brings it again (every sweep) until the case has appended what was due.
/// </summary>
internal sealed class CaseTimers(string caseNumber, IDeadlineStore deadlines, SlaPolicy sla, SessionCadence sessions, TimeProvider clock)
{
    /// <summary>The timer of the active stage's SLA (one per case; re-aimed when a stage starts or ends).</summary>
    public const string SlaReminder = "sla";

    /// <summary>The timer of the earliest unanswered referral's response deadline.</summary>
    public const string ReferralReminder = "referral";

    /// <summary>The timer of the mentoring session due (only while the case is in Mentoring with a mentor).</summary>
    public const string SessionReminder = "session";

    // What this activation last wrote: null = unknown (just activated, or a write failed).
    private DateTimeOffset? _slaAimedAt;
    private bool? _slaRegistered;
    private DateTimeOffset? _referralAimedAt;
    private bool? _referralRegistered;
    private DateTimeOffset? _sessionAimedAt;
    private bool? _sessionRegistered;

    /// <summary>
    /// Aims the timers after <paramref name="cause"/> (null: whatever happened, e.g. a retry or a tick). Only events that
    /// can move a deadline touch the index; the first aim of an activation always does (it cannot know what the index
    /// holds), which also gives a timer to a case whose previous activation died before aiming.
    /// </summary>
    public async Task AimAsync(CaseState? state, CaseEvent? cause)
    {
        try
        {
            // The timers' writes go to the index together (they can share one group commit), not one after another: each
            // touches only its own fields here.
            var aims = new List<Task>(3);
            if (cause is null or CaseOpened or StageStarted or StageCompleted or StageSkipped or CaseClosed or CaseReopened || _slaRegistered is null)
            {
                aims.Add(AimSlaAsync(state));
            }

            if (cause is null or ReferralOffered or ReferralAccepted or ReferralDeclined or ReferralResponseOverdue or EnrolmentWithdrawn or CaseClosed or CaseReopened
                || _referralRegistered is null)
            {
                aims.Add(AimReferralAsync(state));
            }

            if (cause is null or StageStarted or StageCompleted or StageSkipped or CaseClosed or CaseReopened or MentorAssigned or MentoringSessionLogged
                or MentoringSessionDue or ConsentWithdrawn || _sessionRegistered is null)
            {
                aims.Add(AimSessionAsync(state));
            }

            await Task.WhenAll(aims);
        }
        catch
        {
            // What the index holds is unknown now: the retry aims them all from scratch.
            (_slaAimedAt, _slaRegistered, _referralAimedAt, _referralRegistered, _sessionAimedAt, _sessionRegistered) = (null, null, null, null, null, null);
            throw;
        }
    }

    /// <summary>
    /// What a timer finds due now, with a stable command id (a repeated tick appends nothing twice) and the system actor
    /// the timeline names: the SLA's next event (a warning, a breach, or an escalation once its grace passed too), the
    /// earliest overdue referral, or the mentoring session due; nothing when nothing is due.
    /// </summary>
    public (CaseEvent? Due, string CommandId, string Actor) DueOn(string reminderName, CaseState? state, DateTimeOffset now)
    {
        if (reminderName == SlaReminder && sla.Next(state, now).Event is { } due)
        {
            return (due, SlaPolicy.CommandIdFor(due), SystemActors.Sla);
        }

        if (reminderName == SessionReminder && sessions.Next(state, now).Event is MentoringSessionDue session)
        {
            return (session, SessionCadence.CommandIdFor(session), SystemActors.Sessions);
        }

        return reminderName == ReferralReminder && EnrolmentDecider.NextReferralDeadline(state, now).Due is { } overdue
            ? (overdue, $"referral-overdue:{state!.LastEnrolment(overdue.OfferId).Seq}", SystemActors.Referral)
            : (null, "", "");
    }

    /// <summary>A timer fired: what it was aimed at is spent.</summary>
    public void Fired(string reminderName)
    {
        if (reminderName == SlaReminder)
        {
            (_slaAimedAt, _slaRegistered) = (null, true);
        }
        else if (reminderName == ReferralReminder)
        {
            (_referralAimedAt, _referralRegistered) = (null, true);
        }
        else if (reminderName == SessionReminder)
        {
            (_sessionAimedAt, _sessionRegistered) = (null, true);
        }
    }

    private async Task AimSlaAsync(CaseState? state)
    {
        var now = clock.GetUtcNow();
        var step = sla.Next(state, now);
        if (step.Event is null && step.At is null)
        {
            await RemoveAsync(SlaReminder, _slaRegistered);
            (_slaRegistered, _slaAimedAt) = (false, null);
            return;
        }

        var at = step.At ?? now;
        if (_slaAimedAt != at)
        {
            await AimAtAsync(SlaReminder, at, now);
            (_slaAimedAt, _slaRegistered) = (at, true);
        }
    }

    private async Task AimReferralAsync(CaseState? state)
    {
        var now = clock.GetUtcNow();
        var (due, at) = EnrolmentDecider.NextReferralDeadline(state, now);
        var target = due is not null ? now : at;
        if (target is null)
        {
            // Only a case that has had a referral can have a referral deadline: others skip the index entirely (every
            // activation's first event would otherwise write it, for almost every case).
            var known = _referralRegistered;
            if (known != false && state?.Enrolments.Any(e => e.Offer.Type == OfferType.Matchmaking) != true)
            {
                known = false;
            }

            await RemoveAsync(ReferralReminder, known);
            (_referralRegistered, _referralAimedAt) = (false, null);
            return;
        }

        if (_referralAimedAt != target)
        {
            await AimAtAsync(ReferralReminder, target.Value, now);
            (_referralAimedAt, _referralRegistered) = (target, true);
        }
    }

    private async Task AimSessionAsync(CaseState? state)
    {
        var now = clock.GetUtcNow();
        var step = sessions.Next(state, now);
        if (step.Event is null && step.At is null)
        {
            // Only a case whose Mentoring stage has started can have a session deadline: others skip the index entirely.
            var known = _sessionRegistered;
            if (known != false && state?[Stage.Mentoring].StartedAt is null)
            {
                known = false;
            }

            await RemoveAsync(SessionReminder, known);
            (_sessionRegistered, _sessionAimedAt) = (false, null);
            return;
        }

        var at = step.At ?? now;
        if (_sessionAimedAt != at)
        {
            await AimAtAsync(SessionReminder, at, now);
            (_sessionAimedAt, _sessionRegistered) = (at, true);
        }
    }

    private Task AimAtAsync(string name, DateTimeOffset at, DateTimeOffset now) =>
        deadlines.SetDeadlineAsync(caseNumber, name, at < now ? now : at, CancellationToken.None);

    private async Task RemoveAsync(string name, bool? registered)
    {
        if (registered != false)
        {
            await deadlines.SetDeadlineAsync(caseNumber, name, null, CancellationToken.None);
        }
    }
}

/// <summary>Who the timeline names for the events the platform itself appends.</summary>
internal static class SystemActors
{
    /// <summary>The role of every system actor.</summary>
    public const string Role = "System";

    /// <summary>The case's SLA timer (a warning, a breach, an escalation).</summary>
    public const string Sla = "system:sla";

    /// <summary>An offer's roster (a waiting-list promotion).</summary>
    public const string Roster = "system:roster";

    /// <summary>The referral timer (an overdue referral).</summary>
    public const string Referral = "system:referral";

    /// <summary>The mentoring session timer (a session due).</summary>
    public const string Sessions = "system:sessions";
}
