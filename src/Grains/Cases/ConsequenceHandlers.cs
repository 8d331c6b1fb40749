using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Metrics;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>One accepted event handed to its consequences: the stored entry, the event, and the case before and after it.</summary>
internal sealed record ConsequenceItem(TimelineEntry Entry, CaseEvent Event, CaseState? Before, CaseState After)
{
    public long Seq => Entry.Seq;
}

/// <summary>
/// What each kind of consequence does for one event. Each is idempotent per (case, seq) and, where it can be, decided
/// from the case as it is now (<c>current</c>) rather than as it was at the event, so running an event's consequence
/// again, late or after later events, changes nothing that is already right.
/// </summary>
internal sealed class ConsequenceHandlers(string caseNumber, IGrainFactory grains, ICaseTimelineStore store, CaseFeed feed, CaseTimers timers, DashboardSignals signals,
    Notifications.NoticeEnqueuer outbox, TimeProvider clock)
{
    public Task RunAsync(ConsequenceKind kind, ConsequenceItem item, CaseState current) => kind switch
    {
        ConsequenceKind.Timers => timers.AimAsync(current, item.Event),
        ConsequenceKind.Registry => RegistryAsync(item),
        ConsequenceKind.Places => PlacesAsync(item, current),
        ConsequenceKind.Caseload => CaseloadAsync(item, current),
        ConsequenceKind.Feed => feed.PushAsync(item.Entry, item.Event, item.Before, item.After, current),
        ConsequenceKind.Notices => NoticesAsync(item, current),
        ConsequenceKind.Dashboard => DashboardAsync(item),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown consequence"),
    };

    /// <summary>A closed or graduated case gives back the person's registry entry (the registry checks the case is not open again).</summary>
    private Task RegistryAsync(ConsequenceItem item) =>
        item.Event is CaseClosed || (item.After.Status == CaseStatus.Graduated && item.Before?.Status != CaseStatus.Graduated)
            ? grains.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(item.After.NikHash)).Release(caseNumber)
            : Task.CompletedTask;

    /// <summary>Each offer whose enrolment the event changed is told what the case holds on it now.</summary>
    private async Task PlacesAsync(ConsequenceItem item, CaseState current)
    {
        foreach (var offerId in ChangedOffers(item.Before, item.After))
        {
            await grains.GetGrain<IOfferGrain>(offerId).Settle(caseNumber, PlaceOf(current, offerId));
        }
    }

    /// <summary>What the case holds on an offer's roster, as its timeline says.</summary>
    public static PlaceHolding PlaceOf(CaseState? state, string offerId) => (state is null ? null : EnrolmentDecider.Current(state, offerId)) switch
    {
        { HoldsSeat: true } => PlaceHolding.Seat,
        { Status: EnrolmentStatus.Waitlisted } => PlaceHolding.Waiting,
        _ => PlaceHolding.None,
    };

    /// <summary>The offers of the enrolments an event created or changed (a close withdraws the ones in progress).</summary>
    private static IEnumerable<string> ChangedOffers(CaseState? before, CaseState after)
    {
        var count = before?.Enrolments.Count ?? 0;
        return after.Enrolments.Where((e, i) => i >= count || !ReferenceEquals(e, before!.Enrolments[i])).Select(e => e.Offer.Id).Distinct(StringComparer.Ordinal);
    }

    /// <summary>The mentors the event concerns (the one it took the case from, the one it has) are told whether it counts for them now.</summary>
    private async Task CaseloadAsync(ConsequenceItem item, CaseState current)
    {
        if (item.Before?.MentorId == item.After.MentorId && item.Before?.Status == item.After.Status)
        {
            return;
        }

        foreach (var mentor in new[] { item.Before?.MentorId, item.After.MentorId }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            await grains.GetGrain<IMentorGrain>(mentor).Settle(caseNumber, current.MentorId == mentor && current.Status == CaseStatus.Open);
        }
    }

    /// <summary>
    /// Notices kept in each recipient's inbox, pushed to those the feed does not reach, and put in the outbox for those who
    /// asked to be told by e-mail or WhatsApp/SMS (each at most once per recipient, event and channel).
    /// </summary>
    private async Task NoticesAsync(ConsequenceItem item, CaseState current)
    {
        var (kind, recipients) = await NoticeRules.ForAsync(item, current, grains, store);
        if (recipients.Count == 0)
        {
            return;
        }

        await store.RecordNoticesAsync([.. recipients.Select(r => new NoticeRow(r.UserId, caseNumber, item.Seq, kind, item.Entry.Type, clock.GetUtcNow()))], CancellationToken.None);
        // A partner's users hear the event in their organisation's view from the feed itself, never the staff's entry.
        foreach (var recipient in recipients.Where(r => r.Role != Role.Partner && !feed.Reaches(r.UserId, current)))
        {
            await feed.Publish(recipient.UserId, item.Entry);
        }

        await outbox.EnqueueAsync(caseNumber, item.Seq, kind, item.Entry.Type, recipients.Select(r => r.UserId));
    }

    /// <summary>
    /// The dashboards watching the case's regions fetch their numbers again: the regions are marked in the silo's
    /// <see cref="DashboardSignals"/>, which tells each feed once per flush (and the feed its watchers at most once a second).
    /// </summary>
    private Task DashboardAsync(ConsequenceItem item)
    {
        if (ProgrammeMetrics.Deltas(item.Before, item.After, item.Event).Count > 0)
        {
            signals.Changed(ProgrammeStatsGrain.RegionsOf(item.After.RegionCode));
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Who is told of an event beyond its feed: approvals to decide (every supervisor whose regions hold the case), escalations
/// (the supervisors of the right level), a settled request (whoever asked, while they may read the case), a stage near
/// its SLA target (the caseworkers serving the case, and its mentor in Mentoring), a referral answered or a financing
/// application decided (whoever made it, unless they recorded the answer themselves, while they may read the case), a
/// mentoring session due (the case's mentor), and a new referral, application or course place to a partner organisation (its
/// users, while the beneficiary shares with partners). The same rules for the Notices consequence and for the reconciliation
/// (docs/notifications.md).
/// </summary>
internal static class NoticeRules
{
    public static async Task<(string Kind, IReadOnlyList<Caller> Recipients)> ForAsync(ConsequenceItem item, CaseState current, IGrainFactory grains,
        ICaseTimelineStore timelines) => item.Event switch
    {
        SlaEscalated escalated => ("escalated", SlaPolicy.EscalationRecipients(await SupervisorsAsync(grains, escalated.SupervisorRegion), escalated.SupervisorRegion)),
        // Only while the warned stage is still running toward its target: a late run after the breach (or the stage's end) tells no one.
        SlaWarned warned => ("sla-warning", current is { Status: CaseStatus.Open } && current.ActiveStage == warned.Stage && current[warned.Stage] is { SlaWarned: true, SlaBreached: false }
            ? await StageWorkersAsync(grains, current, warned.Stage) : []),
        // The mentor reminded while they still are and no session was logged since (a session logged meanwhile answers it).
        MentoringSessionDue due => ("session-due", current is { Status: CaseStatus.Open, ActiveStage: Stage.Mentoring } && current.MentorId == due.MentorId
            && current.MentoringMovedAt == item.After.MentoringMovedAt && await UserAsync(grains, due.MentorId) is { } mentor && AccessPolicy.CanRead(mentor, current)
                ? [mentor] : []),
        ReferralAccepted or ReferralDeclined or ReferralOutcomeReported => ("referral-answered", await MakerAsync(item, current, grains, timelines)),
        FinancingApproved or FinancingRejected => ("financing-decided", await MakerAsync(item, current, grains, timelines)),
        // A new referral, application or course place addressed to a partner organisation: its users, while they may see it.
        ReferralOffered or FinancingApplied or Enrolled when PartnerScope.CreatedOffer(item.Event)?.PartnerOrgId is { } org =>
            ("partner-request", await PartnerUsersAsync(grains, org, current)),
        ClosureRequested or ReopeningRequested => ("approval-requested", [.. (await SupervisorsAsync(grains, current.RegionCode)).Where(s => AccessPolicy.CanRead(s, current))]),
        // The mentor assigned hears of it while they still are (the event itself reaches them live).
        MentorAssigned assigned => ("case-assigned", current.MentorId == assigned.MentorId && await UserAsync(grains, assigned.MentorId) is { } mentor ? [mentor] : []),
        _ when item.Before?.PendingApproval is { } asked && item.After.PendingApproval is null =>
            ("request-settled", await UserAsync(grains, asked.RequestedBy) is { } requester && AccessPolicy.CanRead(requester, current) ? [requester] : []),
        _ => ("", []),
    };

    /// <summary>True for events that have notice recipients by kind (whether anyone receives them depends on the accounts).</summary>
    public static bool Concerns(ConsequenceItem item) =>
        // Not MentorAssigned, nor the referral and financing answers: those made before their notices existed have none
        // (repairing them would fill inboxes with old news), and each event itself reached the case's followers live.
        item.Event is SlaEscalated or SlaWarned or MentoringSessionDue or ClosureRequested or ReopeningRequested
        || (item.Before?.PendingApproval is not null && item.After.PendingApproval is null);

    /// <summary>
    /// Who made the referral or the financing application an answer is about (the actor of the event that created the
    /// enrolment, read from the timeline): told of the answer unless they recorded it themselves, while they may read the
    /// case. Who recorded the answer (a caseworker, a supervisor, later the partner) matters only in that.
    /// </summary>
    private static async Task<IReadOnlyList<Caller>> MakerAsync(ConsequenceItem item, CaseState current, IGrainFactory grains, ICaseTimelineStore timelines)
    {
        var offerId = PartnerScope.OfferOf(item.Event);
        if (item.After.Enrolments.FindLast(e => e.Offer.Id == offerId) is not { } enrolment)
        {
            return [];
        }

        var made = await timelines.ReadAsync(item.Entry.CaseNumber, enrolment.Seq - 1, 1, CancellationToken.None);
        return made is [{ } created] && created.Seq == enrolment.Seq && created.ActorId != item.Entry.ActorId
            && await UserAsync(grains, created.ActorId) is { } maker && AccessPolicy.CanRead(maker, current)
            ? [maker]
            : [];
    }

    /// <summary>The enabled caseworkers serving the case's region who may read it, and in Mentoring its mentor.</summary>
    private static async Task<IReadOnlyList<Caller>> StageWorkersAsync(IGrainFactory grains, CaseState current, Stage stage)
    {
        var workers = (await grains.GetGrain<IPeopleGrain>(0).Find(Role.Caseworker, current.RegionCode, PeopleReach.Covering))
            .Where(p => !p.Disabled).Select(p => p.ToCaller()).Where(c => AccessPolicy.CanRead(c, current)).ToList();
        if (stage == Stage.Mentoring && current.MentorId is { } mentorId && await UserAsync(grains, mentorId) is { } mentor && AccessPolicy.CanRead(mentor, current))
        {
            workers.Add(mentor);
        }

        return workers;
    }

    /// <summary>The enabled users of a partner organisation (enabled too) that sees the case (its consent to sharing holds).</summary>
    private static async Task<IReadOnlyList<Caller>> PartnerUsersAsync(IGrainFactory grains, string org, CaseState current)
    {
        if (!PartnerScope.Sees(current, org) || await grains.GetGrain<IPartnerOrgGrain>(org).Get() is not { Disabled: false } organisation)
        {
            return [];
        }

        var users = new List<Caller>();
        foreach (var member in organisation.Members)
        {
            if (await grains.GetGrain<IUserGrain>(member).GetView() is { Disabled: false, Role: Role.Partner } view && view.PartnerOrg == org)
            {
                users.Add(view.ToCaller());
            }
        }

        return users;
    }

    /// <summary>The enabled supervisors serving <paramref name="regionCode"/> (there or above), from the people index, with the regions that do.</summary>
    private static async Task<IReadOnlyList<Caller>> SupervisorsAsync(IGrainFactory grains, string regionCode) =>
        [.. (await grains.GetGrain<IPeopleGrain>(0).Find(Role.Supervisor, regionCode, PeopleReach.Covering))
            .Where(p => !p.Disabled).Select(p => p.ToCaller())];

    private static async Task<Caller?> UserAsync(IGrainFactory grains, string userId) =>
        await grains.GetGrain<IUserGrain>(userId).GetView() is { Disabled: false } view ? view.ToCaller() : null;
}
