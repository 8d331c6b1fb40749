using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// One case: load → ask the domain → append → fold. The timeline table is the only state; the grain keeps the
/// folded state, the head hash and the command ids it has answered, all rebuilt from the store on activation.
/// </summary>
public sealed partial class CaseGrain(
    ICaseEventStore store,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    IOptions<CaseGrainsOptions> options,
    ILogger<CaseGrain> logger) : Grain, ICaseGrain
{
    private readonly JourneyPolicy _policy = new()
    {
        MentoringSessionsRequired = options.Value.Journey.MentoringSessionsRequired,
        DefaultAttendanceThresholdPercent = options.Value.Journey.DefaultAttendanceThresholdPercent,
    };

    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
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

        var fingerprint = CommandMapper.Fingerprint(command);

        // Another activation (during a silo failure) may have appended first: reload and decide again.
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await TryExecuteAsync(command, command.CommandId!, fingerprint, actor);
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

    public Task<CaseView?> GetView() => Task.FromResult(_state is null ? null : ViewMapper.ToView(_state, _policy));

    public Task<CaseStatus?> GetStatus() => Task.FromResult(_state?.Status);

    public async Task<IReadOnlyList<TimelineEntry>> GetTimeline(long afterSeq, int limit)
    {
        if (_state is null)
        {
            return [];
        }

        var events = await store.ReadAsync(CaseNumber, Math.Max(0, afterSeq), Math.Clamp(limit, 1, 1000), CancellationToken.None);
        return [.. events.Select(e => e.ToEntry())];
    }

    public async Task<ChainVerification?> VerifyChain()
    {
        if (_state is null)
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

        return new ChainVerification(CaseNumber, true, events.Count, null, null, prev);
    }

    private async Task<CommandOutcome?> TryExecuteAsync(CaseCommandRequest command, string commandId, string fingerprint, Actor actor)
    {
        if (_answered.Contains(commandId))
        {
            return await ReplayAsync(commandId, fingerprint);
        }

        var version = _state?.Version ?? 0;
        if (command.ExpectedVersion is { } expected && expected != version)
        {
            return await RefuseAsync(commandId, fingerprint, Refusals.StaleVersion(version));
        }

        var mapped = CommandMapper.ToDomain(command);
        if (mapped.IsRefused)
        {
            return await RefuseAsync(commandId, fingerprint, mapped.Refusal!);
        }

        var now = clock.GetUtcNow();
        var decision = CaseDecider.Decide(_state, mapped.Value, new DecisionContext(now, _policy));
        if (decision.IsRefused)
        {
            return await RefuseAsync(commandId, fingerprint, decision.Refusal!);
        }

        var @event = decision.Value;
        if (@event is CaseReopened && !await ClaimRegistryAsync())
        {
            return await RefuseAsync(commandId, fingerprint, Refusals.DuplicateCase(await RegistryHolderAsync() ?? "?"));
        }

        var seq = version + 1;
        var payload = EventJson.Serialize(@event);
        var hash = EventChain.Hash(_head, CaseNumber, seq, @event.Type, actor.Id, actor.Role, now, commandId, payload);
        var stored = new StoredEvent(CaseNumber, seq, @event.Type, actor.Id, actor.Role, now, payload, commandId, fingerprint, _head, hash);
        var next = CaseState.Apply(_state, @event, seq, now);
        if (!await store.TryAppendAsync(stored, ViewMapper.ToIndexRow(next), CancellationToken.None))
        {
            return null;
        }

        _state = next;
        _head = hash;
        _answered.Add(commandId);
        LogAccepted(CaseNumber, seq, @event.Type, actor.Id);
        if (@event is CaseClosed || next.Status == CaseStatus.Graduated)
        {
            await ReleaseRegistryAsync();
        }

        return new CommandOutcome(CaseNumber, true, seq, @event.Type, seq, null, false);
    }

    private async Task<CommandOutcome> ReplayAsync(string commandId, string fingerprint)
    {
        var version = _state?.Version ?? 0;
        if (await store.FindByCommandAsync(CaseNumber, commandId, CancellationToken.None) is { } e)
        {
            return e.CommandHash == fingerprint
                ? new CommandOutcome(CaseNumber, true, e.Seq, e.Type, version, null, true)
                : Refused(Refusals.CommandIdReused());
        }

        var refusal = await store.FindRefusalAsync(CaseNumber, commandId, CancellationToken.None)
            ?? throw new InvalidOperationException($"Case {CaseNumber}: answered command has no stored outcome.");
        return refusal.CommandHash == fingerprint
            ? new CommandOutcome(CaseNumber, false, null, null, version,
                JsonSerializer.Deserialize<RefusalInfo>(refusal.RefusalJson, EventJson.Options), true)
            : Refused(Refusals.CommandIdReused());
    }

    private async Task<CommandOutcome?> RefuseAsync(string commandId, string fingerprint, Refusal refusal)
    {
        var info = RefusalInfo.From(refusal);
        var version = _state?.Version ?? 0;
        if (_state is null)
        {
            // Nothing to record against a case that does not exist.
            return new CommandOutcome(CaseNumber, false, null, null, 0, info, false);
        }

        var stored = new StoredRefusal(commandId, fingerprint, JsonSerializer.Serialize(info, EventJson.Options), version);
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

    private Task<bool> ClaimRegistryAsync() =>
        GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).Claim(CaseNumber);

    private Task<string?> RegistryHolderAsync() =>
        GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).GetOpenCase();

    private async Task ReleaseRegistryAsync()
    {
        // Best effort: the registry checks a case's real status before refusing an intake, so a lost release
        // cannot block the beneficiary.
        try
        {
            await GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(_state!.NikHash)).Release(CaseNumber);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReleaseFailed(ex, CaseNumber);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: append conflict (attempt {Attempt}); reloading from the store")]
    private partial void LogAppendConflict(string caseNumber, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: could not release the registry entry")]
    private partial void LogReleaseFailed(Exception ex, string caseNumber);
}
