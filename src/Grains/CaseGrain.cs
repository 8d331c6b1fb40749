using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>
/// One case: load → ask the domain → append → fold. The timeline table is the only state; the grain keeps the
/// folded state, the head hash and the command ids it has answered, all rebuilt from the store on activation.
/// </summary>
public sealed partial class CaseGrain(
    ICaseEventStore store,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    NikProtector nikProtector,
    CasePolicies policies,
    ILogger<CaseGrain> logger) : Grain, ICaseGrain, IRemindable
{
    /// <summary>The durable timer of the active stage's SLA (one per case; re-aimed when a stage starts or ends).</summary>
    internal const string SlaReminder = "sla";

    /// <summary>The durable timer of the earliest unanswered referral's response deadline.</summary>
    internal const string ReferralReminder = "referral";

    /// <summary>Who the timeline names for events the case's own timer appends.</summary>
    internal const string SystemActorId = "system:sla";
    internal const string SystemRole = "System";

    /// <summary>Who the timeline names for a waiting-list promotion (the offer's roster gave the place).</summary>
    internal const string RosterActorId = "system:roster";

    /// <summary>Who the timeline names for an overdue referral.</summary>
    internal const string ReferralActorId = "system:referral";

    private readonly SlaPolicy _sla = policies.Sla;
    private readonly TimeSpan _slaRetry = policies.SlaRetry;

    // What this activation last asked the reminder service for: null = unknown (e.g. just activated).
    private DateTimeOffset? _slaAimedAt;
    private bool? _slaRegistered;
    private bool _slaAimFailed;

    private readonly JourneyPolicy _policy = policies.Journey;

    // The referral timer as this activation last aimed it (null = unknown).
    private DateTimeOffset? _referralAimedAt;
    private bool? _referralRegistered;

    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);

    // Users following this case live (in memory: frontends renew follows periodically, so a deactivation loses nothing for long).
    private HashSet<string>? _followers;
    private CaseState? _state;
    private string _head = EventChain.Genesis;

    private string CaseNumber => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<CommandOutcome> Execute(CaseCommandRequest command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(actor);
        if (CommandMapper.CheckCommandId(command.CommandId) is { } badId)
        {
            return Refused(badId);
        }

        // Out of scope (or no case): answer exactly as for a missing case, before anything else, so the caller learns
        // nothing, not even whether a command id was used. The attempt goes to the case's access log.
        var access = AccessPolicy.CheckCommand(actor.ToCaller(), _state, CommandMapper.KindOf(command), CommandMapper.RegionOf(command));
        if (access is not null && (_state is null || access.Code == Refusals.CaseNotFound().Code))
        {
            if (_state is not null)
            {
                await AuditAsync(actor, "denied-command", command.GetType().Name.Replace("Request", "", StringComparison.Ordinal));
            }

            return new CommandOutcome(CaseNumber, false, null, null, 0, RefusalInfo.From(access), false);
        }

        var fingerprint = CommandMapper.Fingerprint(command);

        // Another activation (during a silo failure) may have appended first: reload and decide again.
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await TryExecuteAsync(command, command.CommandId!, fingerprint, actor, access);
            if (outcome is not null)
            {
                return outcome;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"Case {CaseNumber}: append kept conflicting after reloads.");
            }

            LogAppendConflict(CaseNumber, attempt);
            await LoadAsync(CancellationToken.None);
        }
    }

    public async Task<CaseView?> GetView(Actor caller, string purpose)
    {
        if (!await CanReadAsync(caller))
        {
            return null;
        }

        await AuditAsync(caller, "read-case", purpose);
        return ViewMapper.ToView(_state!, _policy);
    }

    public Task<CaseScope?> GetScope() =>
        Task.FromResult(_state is null ? null : new CaseScope(_state.Status, _state.RegionCode, _state.MentorId));

    public async Task<bool> Follow(Actor caller)
    {
        if (!await CanReadAsync(caller))
        {
            return false;
        }

        (_followers ??= new HashSet<string>(StringComparer.Ordinal)).Add(caller.Id);
        return true;
    }

    public Task Unfollow(string userId)
    {
        _followers?.Remove(userId);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<TimelineEntry>?> GetTimeline(Actor caller, long afterSeq, int limit, string purpose)
    {
        if (!await CanReadAsync(caller))
        {
            return null;
        }

        await AuditAsync(caller, "read-timeline", purpose);
        var events = await store.ReadAsync(CaseNumber, Math.Max(0, afterSeq), Math.Clamp(limit, 1, 1000), CancellationToken.None);
        return [.. events.Select(e => e.ToEntry())];
    }

    public async Task<NikReveal> RevealNik(Actor caller, string purpose)
    {
        if (!await CanReadAsync(caller))
        {
            return new NikReveal(null, RefusalInfo.From(Refusals.CaseNotFound()));
        }

        if (!AccessPolicy.MayRevealNik(caller.ToCaller(), _state!))
        {
            await AuditAsync(caller, "reveal-nik-denied", purpose);
            return new NikReveal(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (CaseDecider.Text(purpose, "purpose", CaseDecider.MaxShortText, required: true) is { } badPurpose)
        {
            return new NikReveal(null, RefusalInfo.From(badPurpose));
        }

        var protectedNik = await GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).GetProtectedNik();
        if (protectedNik is null)
        {
            return new NikReveal(null, RefusalInfo.From(Refusals.NikNotStored()));
        }

        await AuditAsync(caller, "reveal-nik", purpose);
        return new NikReveal(nikProtector.Unprotect(protectedNik), null);
    }

    public async Task<AccessLog> GetAccessLog(Actor caller, int limit)
    {
        if (!await CanReadAsync(caller))
        {
            return new AccessLog(null, RefusalInfo.From(Refusals.CaseNotFound()));
        }

        return AccessPolicy.MayReadAccessLog(caller.ToCaller(), _state!)
            ? new AccessLog(await store.ReadAccessLogAsync(CaseNumber, Math.Clamp(limit, 1, 1000), CancellationToken.None), null)
            : new AccessLog(null, RefusalInfo.From(Refusals.Forbidden()));
    }

    public async Task<ChainVerification?> VerifyChain(Actor caller)
    {
        if (!await CanReadAsync(caller))
        {
            return null;
        }

        var events = await store.ReadAsync(CaseNumber, 0, int.MaxValue, CancellationToken.None);
        var prev = EventChain.Genesis;
        long expectedSeq = 1;
        foreach (var e in events)
        {
            string? problem = e.Seq != expectedSeq ? $"sequence gap: expected {expectedSeq}, found {e.Seq}"
                : e.PrevHash != prev ? "previous-hash link does not match the event before"
                : EventChain.Hash(prev, e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId, e.PayloadJson) != e.Hash
                    ? "stored hash does not match the event's content"
                    : null;
            if (problem is not null)
            {
                return new ChainVerification(CaseNumber, false, expectedSeq - 1, e.Seq, problem, prev);
            }

            prev = e.Hash;
            expectedSeq++;
        }

        // Rows removed from the end leave a consistent chain: compare with what this activation knows it appended.
        if (events.Count != _state!.Version || prev != _head)
        {
            return new ChainVerification(CaseNumber, false, events.Count, events.Count + 1L,
                $"events missing: the case is at version {_state.Version}, the table holds {events.Count}", prev);
        }

        return new ChainVerification(CaseNumber, true, events.Count, null, null, prev);
    }

    private async Task<CommandOutcome?> TryExecuteAsync(CaseCommandRequest command, string commandId, string fingerprint, Actor actor, Refusal? forbidden)
    {
        if (_answered.Contains(commandId))
        {
            return await ReplayAsync(commandId, fingerprint);
        }

        // In scope but not the role's to do: a refusal like any other, recorded against the command id.
        if (forbidden is not null)
        {
            return await RefuseAsync(commandId, fingerprint, actor, forbidden);
        }

        var version = _state?.Version ?? 0;
        if (command.ExpectedVersion is { } expected && expected != version)
        {
            return await RefuseAsync(commandId, fingerprint, actor, Refusals.StaleVersion(version));
        }

        var now = clock.GetUtcNow();
        var mapped = command is EnrolRequest enrol ? await PrepareEnrolmentAsync(enrol, now) : CommandMapper.ToDomain(command, actor.Id);
        if (mapped.IsRefused)
        {
            return await RefuseAsync(commandId, fingerprint, actor, mapped.Refusal!);
        }

        if (mapped.Value is AssignMentor assign && !await IsMentorAsync(assign.MentorId))
        {
            return await RefuseAsync(commandId, fingerprint, actor, Refusals.UnknownMentor());
        }

        var decision = CaseDecider.Decide(_state, mapped.Value, new DecisionContext(now, _policy));
        if (decision.IsRefused)
        {
            if (mapped.Value is Enrol reserved)
            {
                // Not expected (the same rules passed just before the place was reserved, on the same state and time), but a
                // place taken for a command that is not going ahead goes back.
                await GrainFactory.GetGrain<IOfferGrain>(reserved.Offer.Id).Release(CaseNumber);
            }

            return await RefuseAsync(commandId, fingerprint, actor, decision.Refusal!);
        }

        var @event = decision.Value;
        if (@event is CaseReopened && await ClaimRegistryAsync() is { } openCase)
        {
            // Name the other open case only to someone who may see it.
            var other = await GrainFactory.GetGrain<ICaseGrain>(openCase).GetScope();
            var visible = other is not null && AccessPolicy.CanRead(actor.ToCaller(), other.RegionCode, other.MentorId);
            return await RefuseAsync(commandId, fingerprint, actor, visible ? Refusals.DuplicateCase(openCase) : Refusals.DuplicateCaseElsewhere());
        }

        if (@event is MentorAssigned assigned && assigned.MentorId != assigned.PreviousMentorId
            && await GrainFactory.GetGrain<IMentorGrain>(assigned.MentorId).Reserve(CaseNumber) is { } full)
        {
            return await RefuseAsync(commandId, fingerprint, actor, new Refusal(full.Code, full.Indonesian, full.English) { Field = full.Field });
        }

        if (await AppendAsync(@event, commandId, fingerprint, actor.Id, actor.Role.ToString(), now) is not { } seq)
        {
            return null;
        }

        return new CommandOutcome(CaseNumber, true, seq, @event.Type, checked((int)seq), null, false);
    }

    /// <summary>
    /// Appends one event (one insert; earlier rows untouched), folds it, and runs its consequences. Null when another
    /// activation appended first (the caller reloads and decides again).
    /// </summary>
    private async Task<long?> AppendAsync(CaseEvent @event, string commandId, string fingerprint, string actorId, string role, DateTimeOffset now)
    {
        var seq = (_state?.Version ?? 0) + 1;
        var payload = EventJson.Serialize(@event);
        var hash = EventChain.Hash(_head, CaseNumber, seq, @event.Type, actorId, role, now, commandId, payload);
        var stored = new StoredEvent(CaseNumber, seq, @event.Type, actorId, role, now, payload, commandId, fingerprint, _head, hash);
        var next = CaseState.Apply(_state, @event, seq, now);
        var projections = new CaseProjections(ViewMapper.ToEnrolmentRows(_state, next), Domain.Metrics.ProgrammeMetrics.Deltas(_state, next, @event));
        if (!await store.TryAppendAsync(stored, ViewMapper.ToIndexRow(next), projections, CancellationToken.None))
        {
            return null;
        }

        if (projections.Metrics.Count > 0)
        {
            // One-way: the dashboards watching this case's regions fetch their numbers again (at most once a second).
            foreach (var region in ProgrammeStatsGrain.RegionsOf(next.RegionCode))
            {
                _ = GrainFactory.GetGrain<IDashboardFeedGrain>(region).Changed();
            }
        }

        var previous = _state;
        _state = next;
        _head = hash;
        _answered.Add(commandId);
        LogAccepted(CaseNumber, seq, @event.Type, actorId);
        // The timers first: a push that fails after this must not leave the case without its deadlines.
        await TryAimSlaTimerAsync(@event);
        await TryAimReferralTimerAsync(@event);
        await AfterAppendAsync(@event, stored.ToEntry(), previous);
        return seq;
    }

    /// <summary>
    /// The SLA timer fired: append what is due (a breach, then an escalation if its grace has passed too), then aim the
    /// timer at the next deadline. Each SLA event has a stable command id, so a repeated tick appends nothing twice.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReferralReminder)
        {
            await ReferralTickAsync();
            return;
        }

        if (reminderName != SlaReminder)
        {
            return;
        }

        _slaRegistered = true;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var now = clock.GetUtcNow();
            if (_sla.Next(_state, now).Event is not { } due)
            {
                break;
            }

            var commandId = SlaPolicy.CommandIdFor(due);
            if (_answered.Contains(commandId))
            {
                break;
            }

            if (await AppendAsync(due, commandId, commandId, SystemActorId, SystemRole, now) is null)
            {
                LogAppendConflict(CaseNumber, attempt + 1);
                await LoadAsync(CancellationToken.None);
            }
        }

        _slaAimedAt = null;
        await AimSlaTimerAsync(null);
    }

    /// <summary>
    /// Aims the SLA timer after an accepted event without failing the command: the event is already durable, so a
    /// reminder-table error is logged and the timer is aimed again with the next event of any kind. The first event
    /// after an activation always aims it (the activation does not know what the reminder table holds), which also
    /// gives a timer to a case whose previous activation died between its append and its aim.
    /// </summary>
    private async Task TryAimSlaTimerAsync(CaseEvent @event)
    {
        try
        {
            await AimSlaTimerAsync(_slaAimFailed || _slaRegistered is null ? null : @event);
            _slaAimFailed = false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _slaAimFailed = true;
            _slaAimedAt = null;
            _slaRegistered = null;
            LogSlaAimFailed(ex, CaseNumber);
        }
    }

    /// <summary>
    /// Points the case's durable reminder at the next SLA deadline, or removes it when none is left. Only events that
    /// move a deadline touch the reminder table, so an ordinary command costs no extra write.
    /// </summary>
    private async Task AimSlaTimerAsync(CaseEvent? cause)
    {
        if (cause is not (null or CaseOpened or StageStarted or StageCompleted or StageSkipped or CaseClosed or CaseReopened))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var step = _sla.Next(_state, now);
        if (step.Event is null && step.At is null)
        {
            if (_slaRegistered != false)
            {
                if (await this.GetReminder(SlaReminder) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }

                _slaRegistered = false;
                _slaAimedAt = null;
            }

            return;
        }

        var at = step.At ?? now;
        if (_slaAimedAt == at)
        {
            return;
        }

        var dueIn = at - now;
        await this.RegisterOrUpdateReminder(SlaReminder, dueIn < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : dueIn, _slaRetry);
        _slaAimedAt = at;
        _slaRegistered = true;
    }

    private async Task<CommandOutcome> ReplayAsync(string commandId, string fingerprint)
    {
        if (await store.FindByCommandAsync(CaseNumber, commandId, CancellationToken.None) is { } e)
        {
            return e.CommandHash == fingerprint
                ? new CommandOutcome(CaseNumber, true, e.Seq, e.Type, checked((int)e.Seq), null, true)
                : Refused(Refusals.CommandIdReused());
        }

        var refusal = await store.FindRefusalAsync(CaseNumber, commandId, CancellationToken.None)
            ?? throw new InvalidOperationException($"Case {CaseNumber}: answered command has no stored outcome.");
        return refusal.CommandHash == fingerprint
            ? new CommandOutcome(CaseNumber, false, null, null, refusal.Version,
                JsonSerializer.Deserialize<RefusalInfo>(refusal.RefusalJson, EventJson.Options), true)
            : Refused(Refusals.CommandIdReused());
    }

    private async Task<CommandOutcome?> RefuseAsync(string commandId, string fingerprint, Actor actor, Refusal refusal)
    {
        var info = RefusalInfo.From(refusal);
        var version = _state?.Version ?? 0;
        if (_state is null)
        {
            // Nothing to record against a case that does not exist.
            return new CommandOutcome(CaseNumber, false, null, null, 0, info, false);
        }

        var stored = new StoredRefusal(commandId, fingerprint, JsonSerializer.Serialize(info, EventJson.Options), version, actor.Id, actor.Role.ToString());
        if (!await store.TryRecordRefusalAsync(CaseNumber, stored, clock.GetUtcNow(), CancellationToken.None))
        {
            return null;
        }

        _answered.Add(commandId);
        LogRefused(CaseNumber, refusal.Code);
        return new CommandOutcome(CaseNumber, false, null, null, version, info, false);
    }

    private CommandOutcome Refused(Refusal refusal) =>
        new(CaseNumber, false, null, null, _state?.Version ?? 0, RefusalInfo.From(refusal), false);

    /// <summary>
    /// The consequences of an accepted event, in one place: a closed or graduated case releases the person's registry
    /// entry; caseloads follow the case's mentor and status; then the live push: the previous mentor is told their access
    /// ended before anything else is sent, and the event goes to the current mentor and to the followers who may still
    /// read the case. Awaited in order, so each feed receives a case's events in sequence.
    /// </summary>
    private async Task AfterAppendAsync(CaseEvent @event, TimelineEntry entry, CaseState? previous)
    {
        var ended = @event is CaseClosed || _state!.Status == CaseStatus.Graduated;
        if (ended)
        {
            await ReleaseRegistryAsync();
        }

        await ReleasePlacesAsync(previous);

        var mentorBefore = previous?.MentorId;
        var mentorNow = _state!.MentorId;
        if (mentorBefore is not null && mentorBefore != mentorNow)
        {
            await GrainFactory.GetGrain<IMentorGrain>(mentorBefore).Release(CaseNumber);
            await GrainFactory.GetGrain<IUserFeedGrain>(mentorBefore).Publish(new FeedItem(mentorBefore, CaseNumber, null, AccessEnded: true));
        }

        if (mentorNow is not null && ended)
        {
            await GrainFactory.GetGrain<IMentorGrain>(mentorNow).Release(CaseNumber);
        }
        else if (mentorNow is not null && @event is CaseReopened)
        {
            // A reopened case counts again, even if that takes the mentor over capacity (a supervisor's decision).
            await GrainFactory.GetGrain<IMentorGrain>(mentorNow).Reserve(CaseNumber);
        }

        if (mentorNow is not null)
        {
            await GrainFactory.GetGrain<IUserFeedGrain>(mentorNow).Publish(new FeedItem(mentorNow, CaseNumber, entry, AccessEnded: false));
        }

        foreach (var follower in _followers?.Where(f => f != mentorNow).ToList() ?? [])
        {
            var view = await GrainFactory.GetGrain<IUserGrain>(follower).GetView();
            var stillAllowed = view is { Disabled: false } && AccessPolicy.CanRead(new Caller(follower, view.Role, view.Regions), _state);
            if (!stillAllowed)
            {
                _followers!.Remove(follower);
            }

            await GrainFactory.GetGrain<IUserFeedGrain>(follower).Publish(new FeedItem(follower, CaseNumber, stillAllowed ? entry : null, AccessEnded: !stillAllowed));
        }

        if (previous?.PendingApproval is { } asked && _state.PendingApproval is null)
        {
            await NotifyRequesterAsync(asked.RequestedBy, entry);
        }

        if (@event is SlaEscalated escalated)
        {
            await NotifySupervisorsAsync(escalated.SupervisorRegion, supervisors => SlaPolicy.EscalationRecipients(supervisors, escalated.SupervisorRegion), entry);
        }
        else if (@event is ClosureRequested or ReopeningRequested)
        {
            // Every supervisor who may decide the request is told: those whose regions hold the case, at any level.
            var state = _state;
            await NotifySupervisorsAsync(state.RegionCode, supervisors => [.. supervisors.Where(s => AccessPolicy.CanRead(s, state))], entry);
        }
    }

    /// <summary>
    /// Whoever asked for a closure or reopening is told how it was settled (approved, declined, or overtaken by a direct
    /// close, reopen or graduation), even when not following the case, as long as they may still read it. Best effort.
    /// </summary>
    private async Task NotifyRequesterAsync(string requesterId, TimelineEntry entry)
    {
        if (_followers?.Contains(requesterId) == true || requesterId == _state!.MentorId)
        {
            return; // already sent above
        }

        try
        {
            if (await GrainFactory.GetGrain<IUserGrain>(requesterId).GetView() is { Disabled: false } view
                && AccessPolicy.CanRead(new Caller(requesterId, view.Role, view.Regions), _state!))
            {
                await GrainFactory.GetGrain<IUserFeedGrain>(requesterId).Publish(new FeedItem(requesterId, CaseNumber, entry, AccessEnded: false));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDecisionNotDelivered(ex, CaseNumber);
        }
    }

    /// <summary>
    /// An escalation goes to the supervisors of the case's kab/kota or, when it has none, of the level above (the
    /// province); a request for approval to every supervisor who may decide it. Best effort after the event is durable:
    /// a failed delivery is logged, and the event stays on the timeline and in the supervisors' case lists.
    /// </summary>
    private async Task NotifySupervisorsAsync(string supervisorRegion, Func<IReadOnlyList<Caller>, IReadOnlyList<Caller>> recipientsOf, TimelineEntry entry)
    {
        try
        {
            var supervisors = new List<Caller>();
            foreach (var userId in await GrainFactory.GetGrain<IUserDirectoryGrain>(0).List())
            {
                if (await GrainFactory.GetGrain<IUserGrain>(userId).GetView() is { Disabled: false, Role: Role.Supervisor } view)
                {
                    supervisors.Add(new Caller(userId, view.Role, view.Regions));
                }
            }

            var recipients = recipientsOf(supervisors);
            if (recipients.Count == 0)
            {
                LogNoSupervisor(CaseNumber, supervisorRegion);
                return;
            }

            foreach (var userId in recipients.Select(r => r.UserId).Where(u => _followers?.Contains(u) != true && u != _state!.MentorId))
            {
                await GrainFactory.GetGrain<IUserFeedGrain>(userId).Publish(new FeedItem(userId, CaseNumber, entry, AccessEnded: false));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogEscalationNotDelivered(ex, CaseNumber);
        }
    }

    /// <summary>
    /// Enrolment needs the offer (as it is now) and a place on its roster before the decision: the rules are checked
    /// first so that a refused enrolment takes no place, then the place (or waiting-list position) is reserved.
    /// </summary>
    private async Task<Result<CaseCommand>> PrepareEnrolmentAsync(EnrolRequest request, DateTimeOffset now)
    {
        if (CaseDecider.Text(request.OfferId, "offerId", 64, required: true) is { } badId)
        {
            return badId;
        }

        var offerId = request.OfferId!.Trim();
        var offer = OfferRules.IsValidId(offerId) ? await GrainFactory.GetGrain<IOfferGrain>(offerId).Get() : null;
        if (offer is null)
        {
            return new Refusal("offer.not_found", "Layanan tidak ditemukan di katalog.", "No such offer in the catalog.") { Field = "offerId" };
        }

        var acknowledge = request.AcknowledgeOverlap ?? false;
        if (_state is not { Status: CaseStatus.Open })
        {
            // Nothing is reserved for a case that cannot enrol.
            return _state is null ? Refusals.CaseNotFound() : Refusals.CaseClosed(_state.Status);
        }

        var check = EnrolmentDecider.Check(_state, offer, acknowledge, request.AmountIdr, now);
        if (check.IsRefused)
        {
            return check.Refusal!;
        }

        var grant = await GrainFactory.GetGrain<IOfferGrain>(offerId).Reserve(CaseNumber);
        return grant.Refusal is { } full
            ? new Refusal(full.Code, full.Indonesian, full.English) { Field = full.Field }
            : new Enrol(offer, grant.Outcome, grant.WaitlistPosition, acknowledge, request.AmountIdr);
    }

    /// <summary>Gives back the places (or waiting-list entries) of the enrolments the last event ended.</summary>
    private async Task ReleasePlacesAsync(CaseState? previous)
    {
        static bool Holds(Enrolment e) => e.HoldsSeat || e.Status == EnrolmentStatus.Waitlisted;
        for (var i = 0; i < (previous?.Enrolments.Count ?? 0); i++)
        {
            var before = previous!.Enrolments[i];
            if (!ReferenceEquals(before, _state!.Enrolments[i]) && Holds(before) && !Holds(_state.Enrolments[i]))
            {
                await GrainFactory.GetGrain<IOfferGrain>(before.Offer.Id).Release(CaseNumber);
            }
        }
    }

    public async Task SeatGranted(string offerId)
    {
        var roster = GrainFactory.GetGrain<IOfferGrain>(offerId);
        var current = _state is null ? null : EnrolmentDecider.Current(_state, offerId);
        if (current is { Status: EnrolmentStatus.Waitlisted })
        {
            var commandId = $"waitlist-promoted:{current.Seq}";
            var decision = CaseDecider.Decide(_state, new PromoteFromWaitlist(offerId), new DecisionContext(clock.GetUtcNow(), _policy));
            if (!_answered.Contains(commandId) && !decision.IsRefused
                && await AppendAsync(decision.Value, commandId, commandId, RosterActorId, SystemRole, clock.GetUtcNow()) is null)
            {
                // Another activation appended meanwhile; the roster repeats its notice and the reloaded case answers it.
                await LoadAsync(CancellationToken.None);
                return;
            }

            current = EnrolmentDecider.Current(_state!, offerId);
        }

        if (current is { HoldsSeat: true })
        {
            await roster.ConfirmSeat(CaseNumber);
        }
        else
        {
            // No longer waiting (withdrawn, case closed): the place goes to the next case.
            await roster.Release(CaseNumber);
        }
    }

    public async Task<MatchResult> Match(Actor caller, CandidateKind kind, long? amountIdr, int limit)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!await CanReadAsync(caller))
        {
            return new MatchResult(null, RefusalInfo.From(Refusals.CaseNotFound()));
        }

        if (!AccessPolicy.MayIssue(caller.Role, CommandKind.JourneyStep) || !Enum.IsDefined(kind))
        {
            return new MatchResult(null, RefusalInfo.From(Refusals.Forbidden()));
        }

        if (amountIdr is < 1)
        {
            return new MatchResult(null, RefusalInfo.From(Refusals.OutOfRange("amountIdr", "> 0")));
        }

        var state = _state!;
        if (kind == CandidateKind.Mentor)
        {
            var mentors = new List<MentorInfo>();
            foreach (var userId in await GrainFactory.GetGrain<IUserDirectoryGrain>(0).List())
            {
                if (await GrainFactory.GetGrain<IUserGrain>(userId).GetView() is { Disabled: false, Role: Role.Mentor } view
                    && (await GrainFactory.GetGrain<IMentorGrain>(userId).GetCaseload(caller)).Caseload is { } load)
                {
                    mentors.Add(new MentorInfo(userId, view.DisplayName, load.Profile.Sectors, load.Profile.Regions, load.Profile.Capacity, load.ActiveCases.Count));
                }
            }

            return new MatchResult(Matching.Mentors(state, mentors, limit), null);
        }

        var lists = await Task.WhenAll(CatalogKeys.Reaching(state.RegionCode).Select(k => GrainFactory.GetGrain<ICatalogGrain>(k).List()));
        var offers = lists.SelectMany(l => l).DistinctBy(o => o.Id).Where(o => o.Covers(state.RegionCode)).ToList();
        var places = await Task.WhenAll(offers.Select(o => GrainFactory.GetGrain<IOfferGrain>(o.Id).GetPlaces()));
        var catalog = offers.Zip(places, (o, p) => new OfferInfo(o, p?.Free ?? 0));
        return new MatchResult(Matching.Offers(state, kind, catalog, clock.GetUtcNow(), amountIdr, limit), null);
    }

    /// <summary>Appends what is overdue among the referrals (each once: a stable command id per enrolment), then re-aims.</summary>
    private async Task ReferralTickAsync()
    {
        _referralRegistered = true;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var now = clock.GetUtcNow();
            if (EnrolmentDecider.NextReferralDeadline(_state, now).Due is not { } due)
            {
                break;
            }

            var commandId = $"referral-overdue:{_state!.LastEnrolment(due.OfferId).Seq}";
            if (_answered.Contains(commandId))
            {
                break;
            }

            if (await AppendAsync(due, commandId, commandId, ReferralActorId, SystemRole, now) is null)
            {
                LogAppendConflict(CaseNumber, attempt + 1);
                await LoadAsync(CancellationToken.None);
            }
        }

        _referralAimedAt = null;
        await AimReferralTimerAsync();
    }

    /// <summary>Re-aims the referral timer after an event that can move a referral deadline; a failure waits for the next event.</summary>
    private async Task TryAimReferralTimerAsync(CaseEvent @event)
    {
        if (_referralRegistered is not null && @event is not (ReferralOffered or ReferralAccepted or ReferralDeclined or ReferralResponseOverdue
            or EnrolmentWithdrawn or CaseClosed or CaseReopened))
        {
            return;
        }

        try
        {
            await AimReferralTimerAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _referralAimedAt = null;
            _referralRegistered = null;
            LogSlaAimFailed(ex, CaseNumber);
        }
    }

    private async Task AimReferralTimerAsync()
    {
        var now = clock.GetUtcNow();
        var (due, at) = EnrolmentDecider.NextReferralDeadline(_state, now);
        var target = due is not null ? now : at;
        if (target is null)
        {
            // Only a case that has had a referral can have a referral reminder: others skip the reminder table entirely
            // (every activation's first event would otherwise read it, for almost every case).
            if (_referralRegistered != false && _state?.Enrolments.Any(e => e.Offer.Type == OfferType.Matchmaking) != true)
            {
                _referralRegistered = false;
                _referralAimedAt = null;
            }

            if (_referralRegistered != false)
            {
                if (await this.GetReminder(ReferralReminder) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }

                _referralRegistered = false;
                _referralAimedAt = null;
            }

            return;
        }

        if (_referralAimedAt == target)
        {
            return;
        }

        var dueIn = target.Value - now;
        await this.RegisterOrUpdateReminder(ReferralReminder, dueIn < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : dueIn, _slaRetry);
        _referralAimedAt = target;
        _referralRegistered = true;
    }

    private async Task<bool> IsMentorAsync(string? mentorId) =>
        UserIds.IsValid(mentorId?.Trim()) && await GrainFactory.GetGrain<IUserGrain>(mentorId!.Trim()).GetView() is { Disabled: false, Role: Role.Mentor };

    private Task<string?> ClaimRegistryAsync() =>
        GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).Claim(CaseNumber);

    // One-way and best effort: the registry checks a case's real status before refusing an intake, so a lost
    // release cannot block the beneficiary, and a close never waits on the registry.
    private Task ReleaseRegistryAsync() =>
        GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).Release(CaseNumber);

    private async Task<bool> CanReadAsync(Actor caller)
    {
        if (_state is null)
        {
            // A probe of a number that has no case: do not keep an empty activation around.
            DeactivateOnIdle();
            return false;
        }

        if (AccessPolicy.CanRead(caller.ToCaller(), _state))
        {
            return true;
        }

        // Out of scope: the caller sees "not found"; the case's supervisors see the attempt.
        await AuditAsync(caller, "denied-read", "");
        return false;
    }

    private Task AuditAsync(Actor caller, string action, string purpose) =>
        store.RecordAccessAsync(new AccessLogEntry(CaseNumber, caller.Id, caller.Role.ToString(), action, Purpose(purpose), clock.GetUtcNow()), CancellationToken.None);

    /// <summary>A stated purpose as recorded: trimmed, control characters dropped, at most 200 characters.</summary>
    private static string Purpose(string? purpose)
    {
        var clean = new string((purpose ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? "case-work" : clean[..Math.Min(clean.Length, CaseDecider.MaxShortText)];
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var (events, refused) = await store.LoadAsync(CaseNumber, ct);
        CaseState? state = null;
        var head = EventChain.Genesis;
        _answered.Clear();
        foreach (var e in events)
        {
            state = CaseState.Apply(state, EventJson.Deserialize(e.Type, e.PayloadJson), checked((int)e.Seq), e.OccurredAt);
            head = e.Hash;
            _answered.Add(e.CommandId);
        }

        _answered.UnionWith(refused);
        _state = state;
        _head = head;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} appended #{Seq} {EventType} by {ActorId}")]
    private partial void LogAccepted(string caseNumber, long seq, string eventType, string actorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} refused a command: {Code}")]
    private partial void LogRefused(string caseNumber, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: a timer (SLA or referral) could not be aimed; retrying with the next command")]
    private partial void LogSlaAimFailed(Exception exception, string caseNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: an escalation or approval request could not be pushed to the supervisors")]
    private partial void LogEscalationNotDelivered(Exception exception, string caseNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: the decision on a closure or reopening request could not be pushed to its requester")]
    private partial void LogDecisionNotDelivered(Exception ex, string caseNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: no supervisor serves {RegionCode} to receive an escalation or approval request")]
    private partial void LogNoSupervisor(string caseNumber, string regionCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: append conflict (attempt {Attempt}); reloading from the store")]
    private partial void LogAppendConflict(string caseNumber, int attempt);

}
