using System.Diagnostics;
using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Metrics;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>
/// One case: load → check → decide → append → hand to its consequences. The timeline is the only state: the grain keeps
/// the folded state, the head hash and the command ids it has answered, all rebuilt from the store on activation. What
/// an accepted event causes (caseloads, places, the live push, notices, dashboards, timers) is run by
/// <see cref="CaseConsequences"/> from the durable timeline, and never fails the command.
/// </summary>
public sealed partial class CaseGrain(CaseGrainDependencies shared) : Grain, ICaseGrain, IRemindable
{
    private CaseState? _state;
    private HashText _head = HashText.Genesis;
    private CaseAnswers _answers = null!;
    // Made on first use (most activations of a national caseload only answer a few reads or nothing before they idle out).
    private CaseReads? _reads;
    private CaseServices? _services;
    private CaseFeed? _feed;
    private CaseTimers? _timers;
    // Made when an event is appended, or when the load finds consequences owed (events past the cursor, or held kinds);
    // until then the cursor the load found is kept here, for them to start from.
    private CaseConsequences? _consequences;
    private long _consequencesDone;
    private long _snapshotSeq;
    private Task _snapshotWrite = Task.CompletedTask;

    // The case's data key (issue 19), unwrapped only here, in the activation's memory; none (null) before its first
    // personal field, none after its erasure (_keyErased).
    private SubjectCipher? _cipher;
    private bool _keyErased;
    private string? _caseNumber;

    /// <summary>The grain's key, made once (each <c>GetPrimaryKeyString</c> makes a new string, and every helper holds one).</summary>
    private string CaseNumber => _caseNumber ??= this.GetPrimaryKeyString();

    /// <summary>The case's cipher; while it has no key, one without (made for the call).</summary>
    private SubjectCipher Cipher => _cipher ?? new SubjectCipher(CaseNumber, null);

    private ICaseTimelineStore Store => shared.Store;

    private TimeProvider Clock => shared.Clock;

    private ILogger Logger => shared.Logger;

    private JourneyPolicy Policy => shared.Policies.Journey;

    private CaseReads Reads => _reads ??= new CaseReads(CaseNumber, Store, GrainFactory, shared.NikProtector, shared.AnchorKey, Clock, (type, payload) => Cipher.Open(type, payload));

    private CaseServices Services => _services ??= new CaseServices(CaseNumber, GrainFactory);

    private CaseFeed Feed => _feed ??= new CaseFeed(CaseNumber, GrainFactory, shared.LocalFeed);

    private CaseTimers Timers => _timers ??= new CaseTimers(CaseNumber, shared.Deadlines, shared.Policies.Sla, shared.Policies.Sessions, Clock);

    private CaseConsequences Consequences => _consequences ??= NewConsequences();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _answers = new CaseAnswers(CaseNumber, Store, Clock);
        await LoadAsync(cancellationToken);
        if (_state is { Erased: true } && !_keyErased)
        {
            // An erasure whose event was appended but whose key was not destroyed (the silo stopped half way): finish it.
            await ShredAsync(RetentionGrain.System);
        }

        if (_consequences is { Pending: true })
        {
            // Events past the cursor (the last activation died before their consequences) or held kinds: run them now.
            _consequences.Schedule(TimeSpan.Zero);
        }
    }

    public async Task<CommandOutcome> Execute(CaseCommandRequest command, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(actor);
        if (CommandMapper.CheckCommandId(command.CommandId) is { } badId)
        {
            CountRefused(badId.Code);
            return _answers.Refused(badId, _state?.Version ?? 0);
        }

        // Out of scope (or no case): answer exactly as for a missing case, before anything else, so the caller learns
        // nothing, not even whether a command id was used. The attempt goes to the case's access log.
        var access = AccessPolicy.CheckCommand(actor.ToCaller(), _state, CommandMapper.KindOf(command), CommandMapper.RegionOf(command), CommandMapper.OfferOf(command));
        if (access is not null && (_state is null || access.Code == Refusals.CaseNotFound().Code))
        {
            if (_state is not null)
            {
                await Reads.AuditAsync(actor, "denied-command", command.GetType().Name.Replace("Request", "", StringComparison.Ordinal));
            }

            CountRefused(access.Code);
            return new CommandOutcome(CaseNumber, false, null, null, 0, RefusalInfo.From(access), false);
        }

        var fingerprint = CommandMapper.Fingerprint(command);
        using var fields = Logger.BeginFields(new("CaseNumber", CaseNumber), new("CommandId", command.CommandId), new("UserId", actor.Id));

        // Another activation (during a silo failure) may have appended first: reload and decide again.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryExecuteAsync(command, command.CommandId!, fingerprint, actor, access) is { } outcome)
            {
                return outcome;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"Case {CaseNumber}: append kept conflicting after reloads.");
            }

            LogAppendConflict(Logger, CaseNumber, attempt);
            await LoadAsync(CancellationToken.None);
        }
    }

    private async Task<CommandOutcome?> TryExecuteAsync(CaseCommandRequest command, string commandId, string fingerprint, Actor actor, Refusal? forbidden)
    {
        if (await _answers.AnswerAsync(commandId, fingerprint, _state?.Version ?? 0) is { } answered)
        {
            return answered;
        }

        // In scope but not the role's to do: a refusal like any other, recorded against the command id.
        var version = _state?.Version ?? 0;
        if ((forbidden ?? (command.ExpectedVersion is { } expected && expected != version ? Refusals.StaleVersion(version) : null)) is { } early)
        {
            return await RefuseAsync(commandId, fingerprint, actor, early);
        }

        var now = Clock.GetUtcNow();
        var mapped = command is EnrolRequest enrol ? await Services.PrepareEnrolmentAsync(_state, enrol, now) : CommandMapper.ToDomain(command, actor.Id);
        if (mapped.IsRefused || (mapped.Value is AssignMentor assign && !await Services.IsMentorAsync(assign.MentorId)))
        {
            return await RefuseAsync(commandId, fingerprint, actor, mapped.Refusal ?? Refusals.UnknownMentor());
        }

        // A place taken for the enrolment, or a mentor's, is given back unless the event that holds it is appended.
        Func<Task>? giveBack = mapped.Value is Enrol reserved ? () => GrainFactory.GetGrain<IOfferGrain>(reserved.Offer.Id).Release(CaseNumber) : null;
        long? seq = null;
        try
        {
            var decision = CaseDecider.Decide(_state, mapped.Value, new DecisionContext(now, Policy));
            if (decision.IsRefused)
            {
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

            if (@event is MentorAssigned assigned && assigned.MentorId != assigned.PreviousMentorId)
            {
                var mentor = GrainFactory.GetGrain<IMentorGrain>(assigned.MentorId);
                if (await mentor.Reserve(CaseNumber) is { } full)
                {
                    return await RefuseAsync(commandId, fingerprint, actor, new Refusal(full.Code, full.Indonesian, full.English) { Field = full.Field });
                }

                giveBack = () => mentor.CancelReservation(CaseNumber);
            }

            seq = await AppendAsync(@event, commandId, fingerprint, actor.Id, actor.Role.ToString(), now);
            // Not appended: the seq was taken (another activation wrote first: reload, decide again), or the command id
            // was (answered before the snapshot this activation started from: that answer again).
            return seq is null
                ? await _answers.StoredAnswerAsync(commandId, fingerprint, version)
                : new CommandOutcome(CaseNumber, true, seq, @event.Type, checked((int)seq), null, false);
        }
        finally
        {
            if (seq is null && giveBack is not null)
            {
                await GiveBackAsync(giveBack);
            }
        }
    }

    /// <summary>
    /// Appends one event (one insert; earlier rows untouched), folds it, and hands it to its consequences. Null when
    /// another activation appended first (the caller reloads and decides again). When the store fails, whether the row
    /// went in is unknown: this activation ends, and the next one reads what the store holds.
    /// </summary>
    private async Task<long?> AppendAsync(CaseEvent @event, string commandId, string fingerprint, string actorId, string role, DateTimeOffset now)
    {
        var seq = (_state?.Version ?? 0) + 1;
        var clear = EventJson.Serialize(@event);
        // Personal fields are encrypted under the case's key before the payload is hashed: destroying the key later
        // leaves the stored text, and so the chain, as it is.
        await EnsureSubjectKeyAsync(@event, now);
        var payload = Cipher.Seal(@event.Type, clear);
        var head = _head.ToString();
        var hash = EventChain.Hash(head, CaseNumber, seq, @event.Type, actorId, role, now, commandId, payload);
        var stored = new StoredEvent(CaseNumber, seq, @event.Type, actorId, role, now, payload, commandId, fingerprint, head, hash);
        var next = CaseState.Apply(_state, @event, seq, now);
        // The checkpoint of the new head, under the anchor key, is written in the append's own transaction.
        var projections = new CaseProjections(ViewMapper.ToEnrolmentRows(_state, next), ProgrammeMetrics.Deltas(_state, next, @event))
        {
            Checkpoint = shared.AnchorKey.Sign(CaseNumber, seq, hash, now),
        };
        // The append's span (a child of the grain call, itself a child of the HTTP request) and its duration.
        using (var span = CaseGrainsTelemetry.Source.StartActivity("case.append"))
        {
            span?.SetTag("casegrains.case_number", CaseNumber).SetTag("casegrains.event_type", @event.Type).SetTag("casegrains.seq", seq);
            var started = Stopwatch.GetTimestamp();
            try
            {
                shared.Faults.BeforeAppend();
                if (!await Store.TryAppendAsync(stored, ViewMapper.ToIndexRow(next), projections, CancellationToken.None))
                {
                    span?.SetStatus(ActivityStatusCode.Error, "append conflict");
                    return null;
                }
            }
            catch (Exception ex)
            {
                span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                DeactivateOnIdle();
                throw;
            }

            CaseGrainsTelemetry.AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var previous = _state;
        (_state, _head) = (next, HashText.From(hash));
        _answers.Add(commandId);
        LogAccepted(Logger, CaseNumber, seq, @event.Type, actorId);
        CaseGrainsTelemetry.CommandsAccepted.Add(1, new KeyValuePair<string, object?>("event", @event.Type));
        shared.Faults.AfterCommit();
        Consequences.Add(new ConsequenceItem(stored.ToEntry() with { PayloadJson = clear }, @event, previous, next));
        await Consequences.RunAsync();
        KeepSnapshot();
        return seq;
    }

    /// <summary>Runs what the consequences owe; nothing when none were made (the load found none owed, and nothing was appended since).</summary>
    public Task RunConsequences(bool force) => _consequences?.RunAsync(force) ?? Task.CompletedTask;

    /// <summary>The consequences, from the cursor the last load found (nothing else is owed when they are made on first use).</summary>
    private CaseConsequences NewConsequences()
    {
        var handlers = new ConsequenceHandlers(CaseNumber, GrainFactory, Store, Feed, Timers, shared.DashboardSignals, shared.Outbox, TimeProvider.System);
        var consequences = new CaseConsequences(this, () => _state, CaseNumber, handlers, Store, shared.Cursor, shared.Faults, shared.Options.Consequences, TimeProvider.System, Logger);
        consequences.Load(_consequencesDone, [], []);
        return consequences;
    }

    /// <summary>
    /// A timer is due (found by the deadline sweep): the SLA one appends what is due (a warning, a breach, then an
    /// escalation once its grace has passed too), the referral one appends the overdue referrals, the session one the
    /// mentoring session due; then they are aimed again. Each such
    /// event has a stable command id, so a repeated sweep appends nothing twice.
    /// </summary>
    public async Task DeadlineDue(string kind)
    {
        Timers.Fired(kind);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var now = Clock.GetUtcNow();
            var (due, commandId, actor) = Timers.DueOn(kind, _state, now);
            if (due is null || await _answers.AnsweredAsync(commandId))
            {
                break;
            }

            if (await AppendAsync(due, commandId, commandId, actor, SystemActors.Role, now) is null)
            {
                LogAppendConflict(Logger, CaseNumber, attempt + 1);
                await LoadAsync(CancellationToken.None);
            }
        }

        await Timers.AimAsync(_state, null);
    }

    /// <summary>
    /// A reminder of the release before the deadline index (one per case and timer): handled as the deadline it stood
    /// for, then removed; the case's deadlines are in the index from then on.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await DeadlineDue(reminderName);
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task SeatGranted(string offerId)
    {
        var roster = GrainFactory.GetGrain<IOfferGrain>(offerId);
        var current = _state is null ? null : EnrolmentDecider.Current(_state, offerId);
        if (current is { Status: EnrolmentStatus.Waitlisted })
        {
            var commandId = $"waitlist-promoted:{current.Seq}";
            var decision = CaseDecider.Decide(_state, new PromoteFromWaitlist(offerId), new DecisionContext(Clock.GetUtcNow(), Policy));
            if (!decision.IsRefused && !await _answers.AnsweredAsync(commandId)
                && await AppendAsync(decision.Value, commandId, commandId, SystemActors.Roster, SystemActors.Role, Clock.GetUtcNow()) is null)
            {
                // Another activation appended meanwhile; the roster repeats its notice and the reloaded case answers it.
                await LoadAsync(CancellationToken.None);
                return;
            }

            current = EnrolmentDecider.Current(_state!, offerId);
        }

        // No longer waiting (withdrawn, case closed): the place goes to the next case.
        await (current is { HoldsSeat: true } ? roster.ConfirmSeat(CaseNumber) : roster.Release(CaseNumber));
    }

    public async Task<CaseView?> GetView(Actor caller, string purpose) =>
        await CanReadAsync(caller, "read-case", purpose) ? ViewMapper.ToView(_state!, Policy) : null;

    public Task<CaseScope?> GetScope() =>
        Task.FromResult(_state is null ? null : new CaseScope(_state.Status, _state.RegionCode, _state.MentorId));

    public Task<IReadOnlyList<FinancingHoldingView>> GetActiveFinancing() =>
        Task.FromResult<IReadOnlyList<FinancingHoldingView>>(_state is null ? [] : [.. FinancingSchemes.HeldBy(_state).Select(FinancingHoldingView.From)]);

    public Task<PlaceHolding> GetPlace(string offerId) => Task.FromResult(ConsequenceHandlers.PlaceOf(_state, offerId));

    public async Task<bool> Follow(Actor caller) => await CanReadAsync(caller) && Feed.Follow(caller.Id);

    public Task Unfollow(string userId)
    {
        _feed?.Unfollow(userId);
        return Task.CompletedTask;
    }

    public async Task<TimelinePage?> GetTimeline(Actor caller, long afterSeq, int limit, string purpose)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role == Role.Partner)
        {
            return await PartnerSeesAsync(caller, "read-timeline", purpose) ? await Reads.PartnerPageAsync(_state!, caller.Id, caller.PartnerOrg!, afterSeq, limit) : null;
        }

        return await CanReadAsync(caller, "read-timeline", purpose) ? new TimelinePage(await Reads.PageAsync(afterSeq, limit, _state!.Version), _state.Version) : null;
    }

    public async Task<PartnerCaseView?> GetPartnerView(Actor caller, string purpose)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return await PartnerSeesAsync(caller, "read-case", purpose) ? ViewMapper.ToPartnerView(_state!, caller.PartnerOrg!, Policy) : null;
    }

    public async Task<ChainVerification?> VerifyChain(Actor caller)
    {
        if (!await CanReadAsync(caller))
        {
            return null;
        }

        // A redacted event must be as its erasure recorded it (CaseReads.VerifyAsync, RedactionCheck).
        return await Reads.VerifyAsync(_state!.Version, _head.ToString());
    }

    public async Task<NikReveal> RevealNik(Actor caller, string purpose) =>
        await CanReadAsync(caller) ? await Reads.RevealNikAsync(_state!, caller, purpose) : new NikReveal(null, RefusalInfo.From(Refusals.CaseNotFound()));

    public Task Rest()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<SubjectAccess> ExportSubjectAccess(Actor caller, string purpose) =>
        await CanReadAsync(caller) ? await Reads.SubjectAccessAsync(_state!, () => ViewMapper.ToView(_state!, Policy), caller, purpose)
            : new SubjectAccess(null, RefusalInfo.From(Refusals.CaseNotFound()));

    public async Task<AccessLog> GetAccessLog(Actor caller, int limit) =>
        await CanReadAsync(caller) ? await Reads.AccessLogAsync(_state!, caller, limit) : new AccessLog(null, RefusalInfo.From(Refusals.CaseNotFound()));

    public async Task<MatchResult> Match(Actor caller, CandidateKind kind, long? amountIdr, int limit)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return await CanReadAsync(caller)
            ? await Services.MatchAsync(_state!, caller, kind, amountIdr, limit, Clock.GetUtcNow())
            : new MatchResult(null, RefusalInfo.From(Refusals.CaseNotFound()));
    }

    public async Task<ErasureOutcome> Erase(Actor caller, string? reason, string? legalBasis)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_state is null)
        {
            DeactivateOnIdle();
            return new ErasureOutcome(CaseNumber, null, null, false, RefusalInfo.From(Refusals.CaseNotFound()));
        }

        if (AccessPolicy.CheckErasure(caller.ToCaller(), _state) is { } denied)
        {
            await Reads.AuditAsync(caller, denied.Code == Refusals.CaseNotFound().Code ? "denied-command" : "erasure-denied", "");
            return new ErasureOutcome(CaseNumber, null, null, false, RefusalInfo.From(denied));
        }

        if (_state.Erased && _keyErased)
        {
            // Done before: the same answer, nothing changed (the request itself is on the access log).
            await Reads.AuditAsync(caller, "erasure-repeated", "subject-erasure");
            return new ErasureOutcome(CaseNumber, _state.ErasedAt, _state.Version, true, null);
        }

        var replayed = _state.Erased;
        if (!_state.Erased)
        {
            var decided = Erasure.Decide(_state, reason, legalBasis);
            if (decided.IsRefused)
            {
                CountRefused(decided.Refusal!.Code);
                return new ErasureOutcome(CaseNumber, null, null, false, RefusalInfo.From(decided.Refusal!));
            }

            // The older events the erasure will rewrite, and their rewritten payloads' hashes, go in its event: the chain
            // then vouches for the redactions as for any other content.
            var recorded = decided.Value with
            {
                Redacted = [.. (await RedactionsAsync()).Select(r => new RedactedEvent(r.Key, RedactionCheck.Sha256(r.Value)))],
            };
            var now = Clock.GetUtcNow();
            if (await AppendAsync(recorded, ErasureCommandId, ErasureCommandId, caller.Id, caller.Role.ToString(), now) is null)
            {
                // Another activation appended meanwhile: reload, and the caller's repeat answers from what it finds.
                await LoadAsync(CancellationToken.None);
                return await Erase(caller, reason, legalBasis);
            }
        }

        await ShredAsync(caller);
        return new ErasureOutcome(CaseNumber, _state!.ErasedAt, _state.Version, replayed, null);
    }

    /// <summary>The command id of the one erasure event a case can have (a repeat finds it taken).</summary>
    private const string ErasureCommandId = "subject-erasure";

    /// <summary>
    /// Completes an erasure whose event is appended (again after a crash half way: every step is idempotent): the person's
    /// registry entry forgets the case while its NIK hash can still be read, then the key row, redactions, snapshot and
    /// case-list row in one transaction; the activation then reloads with no key, so every read says erased.
    /// </summary>
    private async Task ShredAsync(Actor caller)
    {
        var state = _state!;
        if (!string.Equals(state.NikHash, PersonalFields.Erased, StringComparison.Ordinal))
        {
            await GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(state.NikHash)).Forget(CaseNumber);
        }

        // A snapshot write still under way must not land after the erasure drops the snapshot.
        await _snapshotWrite;
        var redactions = await RedactionsAsync();
        await shared.SubjectKeys.EraseSubjectAsync(new SubjectErasure(CaseNumber, state.ErasedAt!.Value, redactions, PersonalFields.Erased), CancellationToken.None);
        await Reads.AuditAsync(caller, "erasure", "subject-erasure");
        LogErased(Logger, CaseNumber, redactions.Count, caller.Id);
        await LoadAsync(CancellationToken.None);
    }

    /// <summary>
    /// The stored events still holding personal fields in clear (written before per-case keys), each with its payload as
    /// the erasure rewrites it. Deterministic: the erasure's event records them, and completing it later finds the same.
    /// </summary>
    private async Task<List<KeyValuePair<long, string>>> RedactionsAsync()
    {
        var redactions = new List<KeyValuePair<long, string>>();
        for (long after = 0; ;)
        {
            var page = await Store.ReadAsync(CaseNumber, after, CaseReads.MaxPage, CancellationToken.None);
            foreach (var e in page.Where(e => !e.Redacted))
            {
                if (SubjectCipher.Redact(e.Type, e.PayloadJson) is { } redacted)
                {
                    redactions.Add(new(e.Seq, redacted));
                }
            }

            if (page.Count < CaseReads.MaxPage)
            {
                return redactions;
            }

            after = page[^1].Seq;
        }
    }

    /// <summary>Makes sure the case has its data key before an event with personal fields is sealed (created on first need).</summary>
    private async Task EnsureSubjectKeyAsync(CaseEvent @event, DateTimeOffset now)
    {
        if (_cipher is { HasKey: true } || PersonalFields.Of(@event.Type).Count == 0)
        {
            return;
        }

        var (key, wrapped) = shared.KeyRing.NewKey(CaseNumber);
        var kept = await shared.SubjectKeys.AddSubjectKeyAsync(CaseNumber, wrapped, now, CancellationToken.None)
            ?? throw new InvalidOperationException($"Case {CaseNumber} is erased: no personal data may be written to it.");
        _cipher = new SubjectCipher(CaseNumber, kept.AsSpan().SequenceEqual(wrapped) ? key : shared.KeyRing.Unwrap(CaseNumber, kept));
    }

    private async Task<CommandOutcome> RefuseAsync(string commandId, string fingerprint, Actor actor, Refusal refusal)
    {
        var outcome = await _answers.RefuseAsync(commandId, fingerprint, actor, refusal, _state?.Version);
        LogRefused(Logger, CaseNumber, refusal.Code);
        CountRefused(refusal.Code);
        return outcome;
    }

    private static void CountRefused(string code) => CaseGrainsTelemetry.CommandsRefused.Add(1, new KeyValuePair<string, object?>("code", code));

    private Task<string?> ClaimRegistryAsync() =>
        GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).Claim(CaseNumber);

    private async Task GiveBackAsync(Func<Task> giveBack)
    {
        try
        {
            await giveBack();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The reservation's lease ends it: the roster or mentor asks the case after a while.
            LogGiveBackFailed(Logger, ex, CaseNumber);
        }
    }

    /// <summary>Whether a partner's user sees the case (<see cref="AccessPolicy.PartnerSees"/>); audited like every read.</summary>
    private async Task<bool> PartnerSeesAsync(Actor caller, string action, string purpose)
    {
        if (_state is null)
        {
            DeactivateOnIdle();
            return false;
        }

        var allowed = AccessPolicy.PartnerSees(caller.ToCaller(), _state);
        if (allowed || purpose != PartnerQueueGrain.QueuePurpose)
        {
            // The queue reads each case of the organisation's waiting enrolments: one it may not see is left out, not a refused read.
            await Reads.AuditAsync(caller, allowed ? action : "denied-read", allowed ? purpose : "");
        }

        return allowed;
    }

    /// <summary>Whether the caller may read the case (a read of personal data is audited with <paramref name="action"/>).</summary>
    private async Task<bool> CanReadAsync(Actor caller, string? action = null, string purpose = "")
    {
        if (_state is null)
        {
            // A probe of a number that has no case: do not keep an empty activation around.
            DeactivateOnIdle();
            return false;
        }

        return await Reads.MayReadAsync(_state, caller, action, purpose);
    }

    /// <summary>
    /// Folds the timeline from the case's snapshot (the whole timeline when it has none that fits), and hands the
    /// consequences what they have yet to run (events past their cursor or held).
    /// </summary>
    private async Task LoadAsync(CancellationToken ct)
    {
        var load = await Store.LoadAsync(CaseNumber, CaseSnapshots.Format, ct);
        _keyErased = load.SubjectKey?.ErasedAt is not null;
        _cipher = load.SubjectKey?.WrappedKey is { } wrapped ? new SubjectCipher(CaseNumber, shared.KeyRing.Unwrap(CaseNumber, wrapped)) : null;
        var keepFrom = CaseConsequences.KeepFrom(load.ConsequencesDone, load.Failures);
        var (state, head) = load.Snapshot is { } snapshot && keepFrom > snapshot.Seq ? Restore(snapshot, load.Events) : (null, EventChain.Genesis);
        if (state is null && load.Snapshot is not null)
        {
            // Consequences are owed at or before the snapshot (they need the states there), or it does not fit: replay all.
            load = await Store.LoadAsync(CaseNumber, null, ct);
            keepFrom = CaseConsequences.KeepFrom(load.ConsequencesDone, load.Failures);
        }

        _snapshotSeq = state?.Version ?? 0;
        var items = new List<ConsequenceItem>();
        var answered = new List<string>(load.Events.Count + load.RefusedCommandIds.Count);
        var cipher = Cipher;
        foreach (var e in load.Events)
        {
            var payload = cipher.Open(e.Type, e.PayloadJson);
            var @event = EventJson.Deserialize(e.Type, payload);
            var next = CaseState.Apply(state, @event, checked((int)e.Seq), e.OccurredAt);
            if (e.Seq >= keepFrom)
            {
                items.Add(new ConsequenceItem(e.ToEntry() with { PayloadJson = payload }, @event, state, next));
            }

            (state, head) = (next, e.Hash);
            answered.Add(e.CommandId);
        }

        _answers.Reset(answered.Concat(load.RefusedCommandIds));
        if (state is not null && !ReferenceEquals(state.CaseNumber, CaseNumber) && state.CaseNumber == CaseNumber)
        {
            // The case number as read from the store is a string of its own: the state holds the grain's instead.
            state = state with { CaseNumber = CaseNumber };
        }

        (_state, _head) = (state, HashText.From(head));
        if (state is { Erased: true })
        {
            // Erased, whether or not the key row is destroyed yet: no read decrypts anything from here on.
            _cipher = null;
        }

        _consequencesDone = load.ConsequencesDone;
        if (_consequences is not null || items.Count > 0 || load.Failures.Count > 0)
        {
            Consequences.Load(load.ConsequencesDone, load.Failures, items);
        }

        KeepSnapshot();
    }

    /// <summary>The snapshot's state when it fits the events after it (the first one chains on to its head); null otherwise.</summary>
    private (CaseState? State, string Head) Restore(StoredSnapshot snapshot, IReadOnlyList<StoredEvent> after)
    {
        try
        {
            var state = CaseSnapshots.Read(snapshot.State);
            if (state.CaseNumber == CaseNumber && state.Version == snapshot.Seq && (after.Count == 0 || (after[0].Seq == snapshot.Seq + 1 && after[0].PrevHash == snapshot.Head)))
            {
                return (state, snapshot.Head);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException or NotSupportedException)
        {
            LogSnapshotUnreadable(Logger, ex, CaseNumber, snapshot.Seq);
            return (null, EventChain.Genesis);
        }

        LogSnapshotUnreadable(Logger, null, CaseNumber, snapshot.Seq);
        return (null, EventChain.Genesis);
    }

    /// <summary>
    /// Writes a snapshot once the case has <see cref="CaseSnapshots.Every"/> events past its last one. In the background:
    /// a snapshot is a cache, a lost or failed write costs only a longer replay at the next activation.
    /// </summary>
    private void KeepSnapshot()
    {
        // An erased case is never snapshotted: its state is folded from the erased events at each activation.
        if (_state is not { } state || state.Erased || state.Version - _snapshotSeq < CaseSnapshots.Every)
        {
            return;
        }

        _snapshotSeq = state.Version;
        var snapshot = new StoredSnapshot(state.Version, CaseSnapshots.Format, CaseSnapshots.Write(state), _head.ToString());
        var caseNumber = CaseNumber;
        _snapshotWrite = Task.Run(async () =>
        {
            try
            {
                await Store.WriteSnapshotAsync(caseNumber, snapshot, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSnapshotNotWritten(Logger, ex, caseNumber, snapshot.Seq);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: the snapshot at #{Seq} does not fit its timeline; replaying every event")]
    private static partial void LogSnapshotUnreadable(ILogger logger, Exception? exception, string caseNumber, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: the snapshot at #{Seq} was not written (the next activation replays further)")]
    private static partial void LogSnapshotNotWritten(ILogger logger, Exception exception, string caseNumber, long seq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} appended #{Seq} {EventType} by {ActorId}")]
    private static partial void LogAccepted(ILogger logger, string caseNumber, long seq, string eventType, string actorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: the person's data erased by {ActorId} ({Redacted} earlier events redacted)")]
    private static partial void LogErased(ILogger logger, string caseNumber, int redacted, string actorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} refused a command: {Code}")]
    private static partial void LogRefused(ILogger logger, string caseNumber, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: append conflict (attempt {Attempt}); reloading from the store")]
    private static partial void LogAppendConflict(ILogger logger, string caseNumber, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: a reservation for an event that was not appended could not be given back; its lease will")]
    private static partial void LogGiveBackFailed(ILogger logger, Exception exception, string caseNumber);
}
