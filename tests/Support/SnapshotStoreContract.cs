using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What either store must do with case snapshots (issue 16, deliverable 2): a load in a format gives the snapshot in
/// it and only the events after it, a load without one (or in another) every event; a later snapshot is kept over an
/// earlier one, a new format replaces an old one; and a refusal is never recorded for a command id an event holds
/// (an activation that started from a snapshot learns of such an id from the store).
/// </summary>
public static class SnapshotStoreContract
{
    public static async Task CheckAsync(ICaseTimelineStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        const string number = "3579-000777";
        var prev = EventChain.Genesis;
        var hashes = new List<string>();
        for (var seq = 1; seq <= 3; seq++)
        {
            var at = DateTimeOffset.UtcNow;
            var hash = EventChain.Hash(prev, number, seq, "ConsentRecorded", "cw", "Caseworker", at, $"c{seq}", "{}");
            Assert.True(await store.TryAppendAsync(new StoredEvent(number, seq, "ConsentRecorded", "cw", "Caseworker", at, "{}", $"c{seq}", "h", prev, hash),
                new CaseIndexRow(number, "Nama", "3579**********01", "35.79.01", "Umkm", "Female", "Open", "Intake", "Active", seq, at, at, null), CancellationToken.None));
            (prev, hashes) = (hash, [.. hashes, hash]);
        }

        Assert.Null((await store.LoadAsync(number, "f1", CancellationToken.None)).Snapshot);
        await store.WriteSnapshotAsync(number, new StoredSnapshot(2, "f1", "{\"at\":2}", hashes[1]), CancellationToken.None);

        var load = await store.LoadAsync(number, "f1", CancellationToken.None);
        Assert.Equal(new StoredSnapshot(2, "f1", "{\"at\":2}", hashes[1]), load.Snapshot);
        Assert.Equal([3L], load.Events.Select(e => e.Seq));
        Assert.Equal([1L, 2L, 3L], (await store.LoadAsync(number, CancellationToken.None)).Events.Select(e => e.Seq));
        var other = await store.LoadAsync(number, "f2", CancellationToken.None);
        Assert.Null(other.Snapshot);
        Assert.Equal(3, other.Events.Count);

        // An earlier snapshot in the same format is not kept over a later one; one in a new format replaces it.
        await store.WriteSnapshotAsync(number, new StoredSnapshot(1, "f1", "{\"at\":1}", hashes[0]), CancellationToken.None);
        Assert.Equal(2, (await store.LoadAsync(number, "f1", CancellationToken.None)).Snapshot!.Seq);
        await store.WriteSnapshotAsync(number, new StoredSnapshot(1, "f2", "{\"at\":1}", hashes[0]), CancellationToken.None);
        Assert.Null((await store.LoadAsync(number, "f1", CancellationToken.None)).Snapshot);
        var newer = await store.LoadAsync(number, "f2", CancellationToken.None);
        Assert.Equal(1, newer.Snapshot!.Seq);
        Assert.Equal([2L, 3L], newer.Events.Select(e => e.Seq));

        // A command id on the timeline takes no refusal; a new one does, once.
        var refusal = new StoredRefusal("c1", "h", "{}", 3, "cw", "Caseworker");
        Assert.False(await store.TryRecordRefusalAsync(number, refusal, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Null(await store.FindRefusalAsync(number, "c1", CancellationToken.None));
        Assert.True(await store.TryRecordRefusalAsync(number, refusal with { CommandId = "r1" }, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.False(await store.TryRecordRefusalAsync(number, refusal with { CommandId = "r1" }, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(["r1"], (await store.LoadAsync(number, "f2", CancellationToken.None)).RefusedCommandIds);
    }
}
