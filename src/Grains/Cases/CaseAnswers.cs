using System.IO.Hashing;
using System.Runtime.InteropServices;
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
/// <remarks>
/// Memory holds a 64-bit hash of each id, not the id (8 bytes each, in a sorted array): a hash found is only a hint, and
/// the answer is the store's. An id whose hash is held but that has no answer in the store is a new command.
/// </remarks>
internal sealed class CaseAnswers(string caseNumber, ICaseTimelineStore store, TimeProvider clock, Func<string, ulong>? hash = null)
{
    private ulong[] _hashes = [];
    private int _count;

    /// <summary>Whether the id's hash is held: the id may have an answer (the store says whether it has).</summary>
    public bool MayHaveAnswered(string commandId) => _hashes.AsSpan(0, _count).BinarySearch(HashOf(commandId)) >= 0;

    /// <summary>Whether <paramref name="commandId"/> has an answer: asked of the store only when its hash is held.</summary>
    public async Task<bool> AnsweredAsync(string commandId) =>
        MayHaveAnswered(commandId)
        && (await store.FindByCommandAsync(caseNumber, commandId, CancellationToken.None) is not null
            || await store.FindRefusalAsync(caseNumber, commandId, CancellationToken.None) is not null);

    /// <summary>
    /// The first answer to <paramref name="commandId"/> again (or a refusal when it came with another command) when this
    /// activation holds it; null for a new command.
    /// </summary>
    public async Task<CommandOutcome?> AnswerAsync(string commandId, string fingerprint, int version) =>
        MayHaveAnswered(commandId) ? await StoredAnswerAsync(commandId, fingerprint, version) : null;

    public void Add(string commandId)
    {
        var h = HashOf(commandId);
        var at = _hashes.AsSpan(0, _count).BinarySearch(h);
        if (at >= 0)
        {
            return;
        }

        at = ~at;
        if (_count == _hashes.Length)
        {
            Array.Resize(ref _hashes, Math.Max(4, _count * 2));
        }

        Array.Copy(_hashes, at, _hashes, at + 1, _count - at);
        _hashes[at] = h;
        _count++;
    }

    public void Reset(IEnumerable<string> commandIds)
    {
        // Exactly as many as there are ids: an idle case keeps no room to grow.
        var hashes = commandIds.Select(HashOf).Order().Distinct().ToArray();
        (_hashes, _count) = (hashes, hashes.Length);
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
            Add(commandId);
            return e.CommandHash == fingerprint ? new CommandOutcome(caseNumber, true, e.Seq, e.Type, checked((int)e.Seq), null, true) : Refused(Refusals.CommandIdReused(), version);
        }

        if (await store.FindRefusalAsync(caseNumber, commandId, CancellationToken.None) is not { } refusal)
        {
            return null;
        }

        Add(commandId);
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

        Add(commandId);
        return new CommandOutcome(caseNumber, false, null, null, v, info, false);
    }

    public CommandOutcome Refused(Refusal refusal, int version) => new(caseNumber, false, null, null, version, RefusalInfo.From(refusal), false);

    /// <summary>An id's hash (the constructor's <c>hash</c> stands in for it in tests, to make ids collide).</summary>
    private ulong HashOf(string commandId) => hash?.Invoke(commandId) ?? XxHash3.HashToUInt64(MemoryMarshal.AsBytes(commandId.AsSpan()));
}
