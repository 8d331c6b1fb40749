using System.Text.Json;
using CaseGrains.Domain;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>
/// The command ids a case has answered, and how: an accepted one is on the timeline, a refused one in the refusals
/// table with its refusal. A repeat gets its first answer again (marked replayed); the same id with another command
/// is refused. Held in memory: every refused id, and the ids of the events this activation read or appended (those
/// after the snapshot it started from); an older id is found in the store when an append or a refusal of it
/// conflicts there (the timeline is unique per case and command id, and a refusal is not recorded over an event).
/// </summary>
internal sealed class CaseAnswers(string caseNumber, ICaseTimelineStore store, TimeProvider clock)
{
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);

    public bool Contains(string commandId) => _answered.Contains(commandId);

    public void Add(string commandId) => _answered.Add(commandId);

    public void Reset(IEnumerable<string> commandIds)
    {
        _answered.Clear();
        _answered.UnionWith(commandIds);
    }

    /// <summary>The first answer to <paramref name="commandId"/> again, or a refusal when it came with another command.</summary>
    public async Task<CommandOutcome> ReplayAsync(string commandId, string fingerprint, int version) =>
        await StoredAnswerAsync(commandId, fingerprint, version)
            ?? throw new InvalidOperationException($"Case {caseNumber}: answered command has no stored outcome.");

    /// <summary>As <see cref="ReplayAsync"/> when the store holds an answer to <paramref name="commandId"/>; null when it holds none.</summary>
    public async Task<CommandOutcome?> StoredAnswerAsync(string commandId, string fingerprint, int version)
    {
        if (await store.FindByCommandAsync(caseNumber, commandId, CancellationToken.None) is { } e)
        {
            _answered.Add(commandId);
            return e.CommandHash == fingerprint ? new CommandOutcome(caseNumber, true, e.Seq, e.Type, checked((int)e.Seq), null, true) : Refused(Refusals.CommandIdReused(), version);
        }

        if (await store.FindRefusalAsync(caseNumber, commandId, CancellationToken.None) is not { } refusal)
        {
            return null;
        }

        _answered.Add(commandId);
        return refusal.CommandHash == fingerprint
            ? new CommandOutcome(caseNumber, false, null, null, refusal.Version, JsonSerializer.Deserialize<RefusalInfo>(refusal.RefusalJson, EventJson.Options), true)
            : Refused(Refusals.CommandIdReused(), version);
    }

    /// <summary>Records a refusal against the command id (nothing is appended); when the id already has an answer, that answer.</summary>
    public async Task<CommandOutcome> RefuseAsync(string commandId, string fingerprint, Actor actor, Refusal refusal, int? version)
    {
        if (version is not { } v)
        {
            // Nothing to record against a case that does not exist.
            return Refused(refusal, 0);
        }

        var info = RefusalInfo.From(refusal);
        var stored = new StoredRefusal(commandId, fingerprint, JsonSerializer.Serialize(info, EventJson.Options), v, actor.Id, actor.Role.ToString());
        if (!await store.TryRecordRefusalAsync(caseNumber, stored, clock.GetUtcNow(), CancellationToken.None))
        {
            // Answered before: by another activation, or by an event older than this activation's snapshot.
            return await ReplayAsync(commandId, fingerprint, v);
        }

        _answered.Add(commandId);
        return new CommandOutcome(caseNumber, false, null, null, v, info, false);
    }

    public CommandOutcome Refused(Refusal refusal, int version) => new(caseNumber, false, null, null, version, RefusalInfo.From(refusal), false);
}
