using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
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

    /// <summary>
    /// Today's store writes each append's consequence cursor in a table of its own (migration 21): on a database of an
    /// earlier release, the tests that write with it give that database the table first.
    /// </summary>
    private const string CursorTable = "CREATE TABLE case_consequences_behind (case_number text PRIMARY KEY, done bigint NOT NULL, version bigint NOT NULL)";

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var cmd = source.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task TheStoresConnections_RunWithoutJit_AndPrepareWhatTheyRunOften_UnlessTheConnectionStringSaysOtherwise()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using (var source = NpgsqlDataSource.Create(CaseGrainsSilo.StoreConnectionString(connectionString)))
        {
            Assert.Equal("off", await ShowAsync(source, "jit"));
            Assert.Equal(64, new NpgsqlConnectionStringBuilder(source.ConnectionString).MaxAutoPrepare);
        }

        // An operator's own choice is kept.
        await using (var chosen = NpgsqlDataSource.Create(CaseGrainsSilo.StoreConnectionString(connectionString + ";Options=-c jit=on;Max Auto Prepare=8")))
        {
            Assert.Equal("on", await ShowAsync(chosen, "jit"));
            Assert.Equal(8, new NpgsqlConnectionStringBuilder(chosen.ConnectionString).MaxAutoPrepare);
        }

        // Other options stay, jit joins them.
        await using var other = NpgsqlDataSource.Create(CaseGrainsSilo.StoreConnectionString(connectionString + ";Options=-c statement_timeout=5000"));
        Assert.Equal("off", await ShowAsync(other, "jit"));
        Assert.Equal("5s", await ShowAsync(other, "statement_timeout"));
    }

    private static async Task<string?> ShowAsync(NpgsqlDataSource source, string setting)
    {
        await using var cmd = source.CreateCommand($"SHOW {setting}");
        return (string?)await cmd.ExecuteScalarAsync();
    }

    [Fact]
    public async Task ThePeopleIndex_FindsAccountsByRoleAroundARegion_PagesThemById_AndAReplaceLeavesNoOldRow()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await PeopleStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheAccessLog_KeepsEachAccessesOrigin_AndIsSearchedByAccountCaseActionAndPeriod()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await AccessLogStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheNameIndex_KeepsNoPendingList_SoCaseListUpdatesNeverQueueWorkForEverySearch()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        // 40 cases with 5 events each: every event rewrites its case-list row (a new version, the name's trigrams again).
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), async (c, ct) =>
        {
            var prev = "";
            for (long seq = 1; seq <= 5; seq++)
            {
                var (e, row) = Event($"3579-{c:D6}", seq, $"cmd-{c}-{seq}", prev);
                Assert.True(await store.TryAppendAsync(e, row with { CurrentStage = seq % 2 == 0 ? "Assessment" : "Intake" }, ct));
                prev = e.Hash;
            }
        });

        await using var cmd = source.CreateCommand("""
            CREATE EXTENSION IF NOT EXISTS pgstattuple;
            SELECT (SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'case_index_name_key'),
                   (SELECT pending_tuples FROM pgstatginindex('case_index_name_key'))
            """);
        await using var result = await cmd.ExecuteReaderAsync();
        Assert.True(await result.ReadAsync());
        Assert.Equal("fastupdate=off", result.GetString(0));
        Assert.Equal(0L, result.GetInt64(1));
        Assert.Equal(40, (await store.SearchAsync(new CaseQuery(null, null, null, null, "nama cmd", 1, 50), new ListScope(["35.79"], null), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Snapshots_LoadWithTheEventsAfterThem_KeepTheLatestPerFormat_AndNoRefusalGoesOverAnEvent()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await SnapshotStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheStore_MarksTheHeadsOfEarlierCasesUnanchored_AndWritesEachAppendsCheckpointInItsStatement()
    {
        var connectionString = await server.CreateDatabaseAsync();
        const int checkpoints = 17; // the migration that brings chain_checkpoints
        await PostgresSchema.ApplyAsync(connectionString, upTo: checkpoints - 1);
        await using var source = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(source, CursorTable);
        using var store = new PostgresCaseEventStore(source);
        await CheckpointStoreContract.CheckAsync(store, store, () => PostgresSchema.ApplyAsync(connectionString, upTo: checkpoints));
    }

    [Fact]
    public async Task AnExistingDatabase_MigratesToTheHashPartitionedTimeline_KeepingEveryEventItsKeysAndItsAppendOnlyGuard()
    {
        var connectionString = await server.CreateDatabaseAsync();
        const int partitioned = 13; // the migration that partitions the timeline
        await PostgresSchema.ApplyAsync(connectionString, upTo: partitioned - 1);
        await using var source = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(source, CursorTable);
        using (var before = new PostgresCaseEventStore(source))
        {
            // A database of the release before: 60 cases of 5 chained events each.
            for (var i = 0; i < 60; i++)
            {
                var prev = EventChain.Genesis;
                for (var seq = 1; seq <= 5; seq++)
                {
                    var (e, row) = Event($"3579-8{i:D5}", seq, $"m{i}-{seq}", prev);
                    Assert.True(await before.TryAppendAsync(e, row, CancellationToken.None));
                    prev = e.Hash;
                }
            }
        }

        async Task<List<string>> RowsAsync()
        {
            await using var cmd = source.CreateCommand("SELECT concat_ws('|', case_number, seq, type, occurred_at, payload, command_id, prev_hash, hash) FROM case_events ORDER BY case_number, seq");
            var rows = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                rows.Add(r.GetString(0));
            }

            return rows;
        }

        var rowsBefore = await RowsAsync();
        Assert.Equal(300, rowsBefore.Count);

        await ExecuteAsync(source, "DROP TABLE case_consequences_behind");
        Assert.Equal(PostgresSchema.Versions.Where(v => v >= partitioned), await PostgresSchema.ApplyAsync(connectionString));
        Assert.Equal(rowsBefore, await RowsAsync());
        await using (var kind = source.CreateCommand("SELECT relkind::text, (SELECT count(*) FROM pg_inherits WHERE inhparent = 'case_events'::regclass) FROM pg_class WHERE relname = 'case_events'"))
        await using (var r = await kind.ExecuteReaderAsync())
        {
            Assert.True(await r.ReadAsync());
            Assert.Equal("p", r.GetString(0));
            Assert.Equal(16L, r.GetInt64(1));
        }

        // The store goes on: every chain verifies from the rows, the next append lands, a taken seq or command id is refused.
        using var store = new PostgresCaseEventStore(source);
        for (var i = 0; i < 60; i++)
        {
            var events = (await store.LoadAsync($"3579-8{i:D5}", CancellationToken.None)).Events;
            Assert.Equal(5, events.Count);
            var head = EventChain.Genesis;
            foreach (var e in events)
            {
                Assert.Equal(head, e.PrevHash);
                Assert.Equal(e.Hash, EventChain.Hash(e.PrevHash, e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId, e.PayloadJson));
                head = e.Hash;
            }
        }

        var last = (await store.LoadAsync("3579-800007", CancellationToken.None)).Events[^1];
        var (next, nextRow) = Event("3579-800007", 6, "m7-6", last.Hash);
        Assert.True(await store.TryAppendAsync(next, nextRow, CancellationToken.None));
        Assert.False(await store.TryAppendAsync(next, nextRow, CancellationToken.None));
        var (reused, reusedRow) = Event("3579-800007", 7, "m7-2", next.Hash);
        Assert.False(await store.TryAppendAsync(reused, reusedRow, CancellationToken.None));

        // Still append-only, through the parent and through a partition.
        foreach (var sql in new[] { "UPDATE case_events SET type = 'x'", "DELETE FROM case_events", "TRUNCATE case_events", "DELETE FROM case_events_p03" })
        {
            await using var cmd = source.CreateCommand(sql);
            var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", ex.MessageText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OffersRosters_AreRows_AWriteTouchingOnlyTheRowsItNames()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await PlacesStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheNameSearch_FindsNamesByWordsAndParts_WithoutCaseOrDiacritics_WithinTheScope_AndKeysOlderRows()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await SearchStoreContract.CheckAsync(store, store, store, sql => ExecuteAsync(source, sql));
    }

    [Fact]
    public async Task EachCasesConsequenceCursor_IsKeptInATableOfTheCasesBehind_FromADatabaseOfTheReleaseBefore()
    {
        var connectionString = await server.CreateDatabaseAsync();
        const int cursorTable = 21; // the migration that takes the cursor off the case list
        await PostgresSchema.ApplyAsync(connectionString, upTo: cursorTable - 1);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        await ConsequenceCursorStoreContract.CheckAsync(store, store, sql => ExecuteAsync(source, sql),
            () => PostgresSchema.ApplyAsync(connectionString, upTo: cursorTable));
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
        byte[] wrapped = [7, 7, 7];
        Assert.Equal(wrapped, await store.AddSubjectKeyAsync("3579-000009", wrapped, DateTimeOffset.UtcNow, CancellationToken.None));
        var loads = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.LoadAsync($"3579-{i:D6}", CancellationToken.None)));
        for (var i = 0; i < 200; i++)
        {
            var (events, refused, _, _, _, key) = loads[i];
            var winner = outcomes[2 * i] ? $"a{i}" : $"b{i}";
            Assert.Equal($"3579-{i:D6}", Assert.Single(events).CaseNumber);
            Assert.Equal(winner, events[0].CommandId);
            Assert.Equal(i == 7 ? ["r7"] : [], refused);
            Assert.Equal(i == 9 ? wrapped : null, key?.WrappedKey);
        }
    }

    [Fact]
    public async Task AFailingAppendInAGroupCommit_FailsOnlyItsOwnCommand_AndTheOthersOfTheGroupCommit()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);

        // 256 appends submitted together (groups of up to 64 form); every 32nd carries a payload PostgreSQL refuses (a NUL
        // character in text): its statement fails, and with it the transaction of the group it is in.
        var appends = Enumerable.Range(0, 256).Select(i =>
        {
            var (e, row) = Event($"3579-{i:D6}", 1, $"c{i}");
            return (Bad: i % 32 == 5, Event: i % 32 == 5 ? e with { PayloadJson = "{\"x\":\"\u0000\"}" } : e, Row: row);
        }).ToList();
        var outcomes = await Task.WhenAll(appends.Select(async a =>
        {
            try
            {
                return (Appended: await store.TryAppendAsync(a.Event, a.Row, CancellationToken.None), Error: (Exception?)null);
            }
            catch (PostgresException ex)
            {
                return (Appended: false, Error: ex);
            }
        }));

        for (var i = 0; i < appends.Count; i++)
        {
            if (appends[i].Bad)
            {
                Assert.NotNull(outcomes[i].Error);
            }
            else
            {
                Assert.True(outcomes[i].Appended, $"append {i} failed with its group: {outcomes[i].Error?.Message}");
            }
        }

        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var total = new NpgsqlCommand("SELECT count(*) FROM case_events", conn);
        Assert.Equal(256L - 8, (long)(await total.ExecuteScalarAsync())!);
        await using var listed = new NpgsqlCommand("SELECT count(*) FROM case_index", conn);
        Assert.Equal(256L - 8, (long)(await listed.ExecuteScalarAsync())!);
    }

    private static EnrolmentRow Enrolment(string caseNumber, long seq, string region, string status, long? applied, long? plafond = null, long? disbursed = null,
        string? repayment = null, string offer = "kur-bri-mikro") =>
        new(caseNumber, seq, offer, offer.StartsWith("kur", StringComparison.Ordinal) ? "FinancingProduct" : "Training", "KUR Mikro BRI", "Bank BRI", region, "Umkm", status, status != "Rejected", applied, plafond, disbursed,
            repayment, DateTimeOffset.UtcNow);

    [Fact]
    public async Task EnrolmentRows_AreWrittenWithTheirEventOnly_AndTheTotalsAndCountsAreExact()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);

        // Case A applies (seq 1), is approved (seq 2), disbursed and late (seq 3): one row, updated in place. Case B in another kecamatan is rejected.
        var a1 = Event("3579-100001", 1, "a1");
        Assert.True(await store.TryAppendAsync(a1.Item1, a1.Item2, new CaseProjections([Enrolment("3579-100001", 1, "35.79.01.1001", "Applied", 12_345_678)], []), CancellationToken.None));
        var a2 = Event("3579-100001", 2, "a2", a1.Item1.Hash);
        Assert.True(await store.TryAppendAsync(a2.Item1, a2.Item2, new CaseProjections([Enrolment("3579-100001", 1, "35.79.01.1001", "Approved", 12_345_678, 12_000_001)], []), CancellationToken.None));
        var a3 = Event("3579-100001", 3, "a3", a2.Item1.Hash);
        Assert.True(await store.TryAppendAsync(a3.Item1, a3.Item2,
            new CaseProjections([Enrolment("3579-100001", 1, "35.79.01.1001", "Disbursed", 12_345_678, 12_000_001, 11_999_999, "Late"),
             Enrolment("3579-100001", 3, "35.79.01.1001", "Enrolled", null, offer: "dm-batu-2026")], []), CancellationToken.None));
        var b1 = Event("3579-100002", 1, "b1");
        Assert.True(await store.TryAppendAsync(b1.Item1, b1.Item2, new CaseProjections([Enrolment("3579-100002", 1, "35.79.02.2004", "Rejected", 40_000_001)], []), CancellationToken.None));

        // A conflicting append (seq taken) writes no enrolment row either.
        var lost = Event("3579-100002", 1, "lost");
        Assert.False(await store.TryAppendAsync(lost.Item1, lost.Item2, new CaseProjections([Enrolment("3579-100002", 1, "35.79.02.2004", "Approved", 40_000_001, 40_000_001)], []), CancellationToken.None));

        var kota = Assert.Single(await store.FinancingTotalsAsync("35.79", CancellationToken.None));
        var batu = Assert.Single(await store.FinancingTotalsAsync("35.79.01", CancellationToken.None));
        var national = Assert.Single(await store.FinancingTotalsAsync("ID", CancellationToken.None));
        Assert.Empty(await store.FinancingTotalsAsync("35.73", CancellationToken.None));

        Assert.Equal(new Grains.Abstractions.FinancingTotal("kur-bri-mikro", "KUR Mikro BRI", "Bank BRI", 2, 52_345_679, 1, 12_000_001, 1, 1, 11_999_999, 0, 1, 0, 0), kota);
        Assert.Equal(kota, national);
        Assert.Equal((1L, 12_345_678L, 0L), (batu.Applications, batu.AppliedIdr, batu.Rejected));
        var counts = await store.CountBeneficiariesAsync("35.79", ["kur-bri-mikro", "dm-batu-2026", "nothing"], CancellationToken.None);
        Assert.Equal(new Dictionary<string, long> { ["kur-bri-mikro"] = 1, ["dm-batu-2026"] = 1 }, counts);
    }

    [Fact]
    public async Task TheRedundancyCounts_AreDistinctPeople_AcrossTheirCasesAndTheOffersOfASet()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);

        // One person in dm-batu-2026 through a graduated case and in dm-jatim-2026 through a new one; a second person in
        // dm-batu-2026; a row without a person key (written before the column) counts by its case.
        async Task Enrol(string caseNumber, string offer, string? person)
        {
            var e = Event(caseNumber, 1, caseNumber + offer);
            Assert.True(await store.TryAppendAsync(e.Item1, e.Item2,
                new CaseProjections([Enrolment(caseNumber, 1, "35.79.01.1001", "Enrolled", null, offer: offer) with { PersonKey = person }], []), CancellationToken.None));
        }

        await Enrol("3579-200001", "dm-batu-2026", "person-a");
        await Enrol("3579-200002", "dm-jatim-2026", "person-a");
        await Enrol("3579-200003", "dm-batu-2026", "person-b");
        await Enrol("3579-200004", "dm-pusat-2026", null);

        var perOffer = await store.CountBeneficiariesAsync("35.79", ["dm-batu-2026", "dm-jatim-2026", "dm-pusat-2026"], CancellationToken.None);
        var perSet = await store.CountPeopleInSetsAsync("35.79", [["dm-batu-2026", "dm-jatim-2026", "dm-pusat-2026"], ["dm-jatim-2026"], ["nothing"]], CancellationToken.None);

        Assert.Equal(new Dictionary<string, long> { ["dm-batu-2026"] = 2, ["dm-jatim-2026"] = 1, ["dm-pusat-2026"] = 1 }, perOffer);
        Assert.Equal(new Dictionary<int, long> { [0] = 3, [1] = 1 }, perSet);
        Assert.Empty(await store.CountPeopleInSetsAsync("35.73", [["dm-batu-2026"]], CancellationToken.None));
    }

    [Fact]
    public async Task Counters_AreAddedWithTheirEventsOnly_ConcurrentGroupsNeverDeadlock_AndARebuildReplacesThem()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        using var store = new PostgresCaseEventStore(source);
        Domain.Metrics.MetricDelta Cell(string stage, long delta) => new("35.79.01", "funnel", "Umkm", "Female", stage, "Open", delta);

        // 300 cases, each moving Training → Mentoring or Mentoring → Training (opposite lock orders if unsorted), from
        // four group writers at once, plus a losing duplicate of each whose deltas must not count.
        var attempts = Enumerable.Range(0, 300).SelectMany(i => new[]
        {
            (Event($"3579-2{i:D5}", 1, $"m{i}"), i % 2 == 0 ? new[] { Cell("Training", -1), Cell("Mentoring", 2) } : [Cell("Mentoring", -1), Cell("Training", 3)]),
            (Event($"3579-2{i:D5}", 1, $"x{i}"), new[] { Cell("Matching", 1000) }),
        }).ToList();
        var outcomes = await Task.WhenAll(attempts.Select(a => store.TryAppendAsync(a.Item1.Item1, a.Item1.Item2, new CaseProjections([], a.Item2), CancellationToken.None)));

        var won = attempts.Where((_, i) => outcomes[i]).ToList();
        var expected = won.SelectMany(a => a.Item2).GroupBy(d => d.D3).ToDictionary(g => g.Key, g => g.Sum(d => d.Delta));
        var rows = await store.ReadMetricsAsync("35.79", 5, "funnel", CancellationToken.None);
        Assert.Equal(expected.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key), rows.ToDictionary(r => r.D3, r => r.Value).OrderBy(kv => kv.Key));
        Assert.All(rows, r => Assert.Equal("35.79", r.Child));
        // One attempt per case won (which one depends on which group loop took it first under load).
        Assert.All(Enumerable.Range(0, 300), i => Assert.True(outcomes[2 * i] ^ outcomes[2 * i + 1], $"case {i}"));

        await store.ReplaceMetricsAsync([Cell("Intake", 5), Cell("Intake", 2)], CancellationToken.None);
        var replaced = Assert.Single(await store.ReadAllMetricsAsync(CancellationToken.None));
        Assert.Equal(7, replaced.Delta);
        Assert.Equal(300, (await store.ListCaseNumbersAsync(CancellationToken.None)).Count);
    }
}
