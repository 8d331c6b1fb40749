using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using Npgsql;

namespace CaseGrains.Silo.Tests;

/// <summary>The PostgreSQL timeline store's group commit: every append gets its own answer, conflicts included.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server)
{
    private static (StoredEvent, CaseIndexRow) Event(string caseNumber, long seq, string commandId, string prev = "")
    {
        var at = DateTimeOffset.UtcNow;
        var hash = EventChain.Hash(prev, caseNumber, seq, "ConsentRecorded", "cw", "Caseworker", at, commandId, "{}");
        return (new StoredEvent(caseNumber, seq, "ConsentRecorded", "cw", "Caseworker", at, "{}", commandId, commandId, prev, hash),
            new CaseIndexRow(caseNumber, "Nama " + commandId, "3579**********01", "35.79.01", "Umkm", "Female", "Open", "Intake", "Active",
                checked((int)seq), at, at, null));
    }

    [Fact]
    public async Task ManyConcurrentAppends_EachGetTheirOwnAnswer_AndAConflictTouchesNeitherTheTimelineNorTheCaseList()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);

        // 200 cases × (seq 1 from two "activations" at once) + a reused command id: groups form and mix outcomes.
        var attempts = Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            (Case: $"3579-{i:D6}", Winner: true, Append: Event($"3579-{i:D6}", 1, $"a{i}")),
            (Case: $"3579-{i:D6}", Winner: false, Append: Event($"3579-{i:D6}", 1, $"b{i}")),
        }).ToList();
        var outcomes = await Task.WhenAll(attempts.Select(a => store.TryAppendAsync(a.Append.Item1, a.Append.Item2, CancellationToken.None)));
        var reused = await store.TryAppendAsync(Event("3579-000000", 2, "a0").Item1, Event("3579-000000", 2, "a0").Item2, CancellationToken.None);

        // Exactly one of each pair went in, whichever came first.
        for (var i = 0; i < attempts.Count; i += 2)
        {
            Assert.True(outcomes[i] ^ outcomes[i + 1], $"case {attempts[i].Case}: {outcomes[i]} / {outcomes[i + 1]}");
        }

        Assert.False(reused);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var check = new NpgsqlCommand("""
            SELECT count(*) FROM case_events e JOIN case_index x USING (case_number)
            WHERE x.full_name = 'Nama ' || e.command_id
            """, conn);
        // The case-list row of each case was written by the append that won, and only by it.
        Assert.Equal(200L, (long)(await check.ExecuteScalarAsync())!);
        await using var total = new NpgsqlCommand("SELECT count(*) FROM case_events", conn);
        Assert.Equal(200L, (long)(await total.ExecuteScalarAsync())!);

        // Loads share round trips the same way: 200 at once, each answered with its own case's rows.
        Assert.True(await store.TryRecordRefusalAsync("3579-000007", new StoredRefusal("r7", "h", "{}", 1, "cw", "Caseworker"), DateTimeOffset.UtcNow, CancellationToken.None));
        var loads = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.LoadAsync($"3579-{i:D6}", CancellationToken.None)));
        for (var i = 0; i < 200; i++)
        {
            var (events, refused) = loads[i];
            var winner = outcomes[2 * i] ? $"a{i}" : $"b{i}";
            Assert.Equal($"3579-{i:D6}", Assert.Single(events).CaseNumber);
            Assert.Equal(winner, events[0].CommandId);
            Assert.Equal(i == 7 ? ["r7"] : [], refused);
        }
    }
}
