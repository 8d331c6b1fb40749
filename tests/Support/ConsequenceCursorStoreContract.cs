using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;

namespace CaseGrains.TestSupport;

/// <summary>
/// What either store must do with each case's consequence cursor (docs/decisions.md, "Durable consequences") since it
/// left the case list (migration 21): the cursors of a database of the release before come over (a case behind stays
/// behind at its cursor, a caught-up one has no row); an append marks its case behind from the event before it; the
/// cursor only moves forward; a case is caught up only when the cursor reaches its last event, so an advance that an
/// append overtook leaves it behind.
/// </summary>
public static class ConsequenceCursorStoreContract
{
    /// <summary>Runs the checks on a database at version 20, which <paramref name="migrate"/> takes to 21; <paramref name="execute"/> runs SQL on it.</summary>
    public static async Task CheckAsync(ICaseTimelineStore store, IOperationsStore operations, Func<string, Task> execute, Func<Task> migrate)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(execute);
        ArgumentNullException.ThrowIfNull(migrate);
        const string Behind = "3579-000901", CaughtUp = "3579-000902", Fresh = "3579-000903";
        foreach (var (number, version, cursor) in new[] { (Behind, 4, 2), (CaughtUp, 3, 3) })
        {
            await execute($"""
                INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                                        version, opened_at, updated_at, consequences_seq)
                VALUES ('{number}', 'Nama', '3579**********01', '35.79.01', 'Umkm', 'Female', 'Open', 'Intake', 'Active', {version},
                        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', {cursor})
                """);
        }

        await migrate();
        var now = DateTimeOffset.UtcNow;
        async Task<IReadOnlyList<string>> DueAsync() => [.. (await operations.DueConsequencesAsync(now, 100, CancellationToken.None)).Order(StringComparer.Ordinal)];
        async Task<long> DoneAsync(string number) => (await store.LoadAsync(number, CancellationToken.None)).ConsequencesDone;

        Assert.Equal([Behind], await DueAsync());
        Assert.Equal(1, (await operations.ReadConsequenceBacklogAsync(now, CancellationToken.None)).CasesBehind);
        Assert.Equal(2, await DoneAsync(Behind));

        var prev = EventChain.Genesis;
        async Task AppendAsync(long seq)
        {
            var at = DateTimeOffset.UtcNow;
            var hash = EventChain.Hash(prev, Fresh, seq, "ConsentRecorded", "cw", "Caseworker", at, $"c{seq}", "{}");
            Assert.True(await store.TryAppendAsync(new StoredEvent(Fresh, seq, "ConsentRecorded", "cw", "Caseworker", at, "{}", $"c{seq}", "h", prev, hash),
                new CaseIndexRow(Fresh, "Nama", "3579**********01", "35.79.01", "Umkm", "Female", "Open", "Intake", "Active", checked((int)seq), at, at, null),
                CancellationToken.None));
            prev = hash;
        }

        for (var seq = 1; seq <= 3; seq++)
        {
            await AppendAsync(seq);
        }

        Assert.Equal(0, await DoneAsync(Fresh));
        Assert.Equal([Behind, Fresh], await DueAsync());
        await store.AdvanceConsequencesAsync([(Fresh, 2)], CancellationToken.None);
        await store.AdvanceConsequencesAsync([(Fresh, 1)], CancellationToken.None);
        Assert.Equal(2, await DoneAsync(Fresh));
        Assert.Equal([Behind, Fresh], await DueAsync());

        await store.AdvanceConsequencesAsync([(Behind, 4), (Fresh, 3)], CancellationToken.None);
        Assert.Empty(await DueAsync());
        Assert.Equal(3, await DoneAsync(Fresh));
        Assert.Equal(0, (await operations.ReadConsequenceBacklogAsync(now, CancellationToken.None)).CasesBehind);

        // The next event marks it behind from the one before; an advance an append overtook leaves it behind.
        await AppendAsync(4);
        Assert.Equal(3, await DoneAsync(Fresh));
        await AppendAsync(5);
        await store.AdvanceConsequencesAsync([(Fresh, 4)], CancellationToken.None);
        Assert.Equal(4, await DoneAsync(Fresh));
        Assert.Equal([Fresh], await DueAsync());
        await store.AdvanceConsequencesAsync([(Fresh, 5)], CancellationToken.None);
        Assert.Empty(await DueAsync());
        Assert.Equal(5, await DoneAsync(Fresh));
    }
}
