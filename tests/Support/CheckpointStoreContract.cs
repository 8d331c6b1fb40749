using System.Text;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What either store must do with chain checkpoints (issue 19, deliverable 7): the migration that brings them marks each
/// existing case's head with no MAC (nothing vouches for what was written before); an append carrying a checkpoint
/// replaces the case's one in the append's transaction, and an append that conflicts writes none; the export reads them
/// a page at a time in case order.
/// </summary>
public static class CheckpointStoreContract
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("checkpoint-contract-key-of-32-bytes!");

    /// <param name="store">A store on a database one migration short of the checkpoints.</param>
    /// <param name="operations">The same store, as the export reads it.</param>
    /// <param name="migrate">Applies the remaining migrations; returns the versions applied.</param>
    public static async Task CheckAsync(ICaseTimelineStore store, IOperationsStore operations, Func<Task<IReadOnlyList<int>>> migrate)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(migrate);
        string[] numbers = ["3579-000901", "3579-000902"];
        var heads = new Dictionary<string, string>();
        foreach (var number in numbers)
        {
            var prev = EventChain.Genesis;
            for (var seq = 1; seq <= 3; seq++)
            {
                (prev, _) = await AppendAsync(store, number, seq, prev, sign: false);
            }

            heads[number] = prev;
        }

        Assert.Equal(1, (await migrate()).Count);

        foreach (var number in numbers)
        {
            var mark = await store.ReadCheckpointAsync(number, CancellationToken.None);
            Assert.NotNull(mark);
            Assert.Equal((3L, heads[number], (string?)null), (mark.Seq, mark.Head, mark.Mac));
            Assert.Equal(new ChainAnchor.AnchorCheck(false, null, null), ChainAnchor.Check(Key, mark, 3, heads[number]));
        }

        // The next append brings the case's first real checkpoint; an append that loses its seq brings none.
        var (head, appended) = await AppendAsync(store, numbers[0], 4, heads[numbers[0]], sign: true);
        Assert.True(appended);
        var checkpoint = await store.ReadCheckpointAsync(numbers[0], CancellationToken.None);
        Assert.NotNull(checkpoint);
        Assert.Equal((4L, head), (checkpoint.Seq, checkpoint.Head));
        Assert.Equal(new ChainAnchor.AnchorCheck(true, 4, null), ChainAnchor.Check(Key, checkpoint, 4, head));

        var (_, lost) = await AppendAsync(store, numbers[0], 4, heads[numbers[0]], sign: true, commandId: "another");
        Assert.False(lost);
        Assert.Equal(checkpoint, await store.ReadCheckpointAsync(numbers[0], CancellationToken.None));
        Assert.Null(await store.ReadCheckpointAsync("3579-000999", CancellationToken.None));

        var first = await operations.ReadCheckpointsAsync("", 1, CancellationToken.None);
        Assert.Equal([numbers[0]], first.Select(c => c.CaseNumber));
        Assert.Equal([numbers[1]], (await operations.ReadCheckpointsAsync(numbers[0], 10, CancellationToken.None)).Select(c => c.CaseNumber));
    }

    private static async Task<(string Hash, bool Appended)> AppendAsync(ICaseTimelineStore store, string number, long seq, string prev, bool sign, string? commandId = null)
    {
        var at = DateTimeOffset.UtcNow;
        commandId ??= $"c{seq}";
        var hash = EventChain.Hash(prev, number, seq, "ConsentRecorded", "cw", "Caseworker", at, commandId, "{}");
        var row = new CaseIndexRow(number, "Nama", "3579**********01", "35.79.01", "Umkm", "Female", "Open", "Intake", "Active", checked((int)seq), at, at, null);
        var projections = CaseProjections.None with { Checkpoint = sign ? ChainAnchor.Create(Key, number, seq, hash, at) : null };
        var appended = await store.TryAppendAsync(new StoredEvent(number, seq, "ConsentRecorded", "cw", "Caseworker", at, "{}", commandId, "h", prev, hash), row, projections, CancellationToken.None);
        return (hash, appended);
    }
}
