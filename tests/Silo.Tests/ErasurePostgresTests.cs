using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage.Postgres;
using Npgsql;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Erasure by crypto-shredding on PostgreSQL, through a silo process of a real cluster (issue 19, deliverable 3): a case
/// written with its key and one written before the keys (its personal fields in clear, redacted at erasure) are erased,
/// both verify, read as erased, the NIK finds neither, and no text or binary column of any table holds the person.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ErasurePostgresTests(PostgresServer server)
{
    private const string Distinct = "Wirokromo";
    private static readonly Actor Supervisor = new("sv-erasure", Role.Supervisor, ["35.79"]);
    private static readonly Actor Dpo = new("dpo-erasure", Role.DataProtectionOfficer, []);

    [Fact]
    public async Task ErasedCases_Verify_ReadAsErased_AreNotFoundByNik_AndNoColumnOfAnyTableHoldsThePerson()
    {
        await using var cluster = await TestCluster.StartAsync(server, 1);
        var intake = cluster.NewIntake() with { FullName = "Sutinah " + Distinct };
        var opened = await cluster.Grains.GetGrain<IIntakeGrain>(0).Open(intake, TestCluster.Caseworker);
        Assert.True(opened.Accepted, opened.Refusal?.Code);
        var number = opened.CaseNumber;
        var c = cluster.Grains.GetGrain<ICaseGrain>(number);
        Assert.True((await c.Execute(new AddNoteRequest { CommandId = Guid.NewGuid().ToString(), Text = $"Bu {Distinct} menelepon." }, TestCluster.Caseworker)).Accepted);
        Assert.Equal("erasure.case_open", (await c.Erase(Dpo, "Permintaan", "UU 27/2022 Pasal 8")).Refusal?.Code);
        Assert.True((await c.Execute(new CloseCaseRequest { CommandId = Guid.NewGuid().ToString(), Reason = CloseReason.Moved, Note = $"Pindah ke rumah {Distinct}" }, Supervisor)).Accepted);
        var legacy = await WriteLegacyCaseAsync(cluster.Spec.ConnectionString);
        Assert.Equal("Sutinah " + Distinct, (await c.GetView(Supervisor, "test"))!.FullName);
        Assert.Contains(number, await ByNikAsync(cluster, intake.Nik!));

        // The retention sweep's query sees both ended cases (and, below, neither once erased).
        await using var source = NpgsqlDataSource.Create(cluster.Spec.ConnectionString);
        using var store = new PostgresCaseEventStore(source);
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1);
        Assert.Equal([legacy, number], (await store.EndedCasesAsync(tomorrow, 10, CancellationToken.None)).Select(e => e.CaseNumber));

        // The registry entry is keyed by the NIK's keyed hash (with the key, it confirms a guessed NIK): there before, gone after.
        var nikHash = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Convert.FromBase64String(cluster.Spec.NikHmacKey), System.Text.Encoding.ASCII.GetBytes(intake.Nik!)));
        Assert.NotEmpty(await ColumnsHoldingAsync(cluster.Spec.ConnectionString, nikHash));

        var erased = await c.Erase(Dpo, "Permintaan penghapusan", "UU 27/2022 Pasal 8");
        var legacyErased = await cluster.Grains.GetGrain<ICaseGrain>(legacy).Erase(Supervisor, "Masa simpan berakhir", "UU 27/2022 Pasal 43");
        var again = await c.Erase(Supervisor, "Permintaan penghapusan", "UU 27/2022 Pasal 8");

        Assert.Null(erased.Refusal);
        Assert.Null(legacyErased.Refusal);
        Assert.Equal((erased.ErasedAt, erased.Seq, true), (again.ErasedAt, again.Seq, again.Replayed));
        var verified = await c.VerifyChain(Supervisor);
        Assert.True(verified!.Valid, verified.Problem);
        Assert.Equal(0, verified.RedactedEvents);
        var legacyVerified = await cluster.Grains.GetGrain<ICaseGrain>(legacy).VerifyChain(Supervisor);
        Assert.True(legacyVerified!.Valid, legacyVerified.Problem);
        Assert.Equal((4L, 3L), (legacyVerified.EventsChecked, legacyVerified.RedactedEvents));
        Assert.Equal(PersonalFields.Erased, (await c.GetView(Supervisor, "test"))!.FullName);
        var timeline = await c.GetTimeline(Supervisor, 0, 100, "test");
        Assert.DoesNotContain(timeline!.Events, e => e.PayloadJson.Contains(Distinct, StringComparison.Ordinal));
        Assert.DoesNotContain(number, await ByNikAsync(cluster, intake.Nik!));
        Assert.Equal("case.erased", (await c.Execute(new AddNoteRequest { CommandId = Guid.NewGuid().ToString(), Text = "lagi" }, TestCluster.Caseworker)).Refusal?.Code);

        Assert.Empty(await store.EndedCasesAsync(tomorrow, 10, CancellationToken.None));

        var found = await ColumnsHoldingAsync(cluster.Spec.ConnectionString, Distinct, intake.Nik!, nikHash);
        Assert.True(found.Count == 0, string.Join("; ", found));
    }

    private static async Task<IReadOnlyList<string>> ByNikAsync(TestCluster cluster, string nik)
    {
        var page = await cluster.Grains.GetGrain<ICaseSearchGrain>(0).Search(new CaseQuery(null, null, null, null, nik, 1, 50), TestCluster.Caseworker);
        return [.. page!.Items.Select(i => i.CaseNumber)];
    }

    /// <summary>A closed case in the earlier release's form: three events with the person in clear inside hashed payloads.</summary>
    private static async Task<string> WriteLegacyCaseAsync(string connectionString)
    {
        const string number = "3579-900002";
        var at = DateTimeOffset.UtcNow.AddDays(-400);
        string[] types = ["CaseOpened", "NoteAdded", "CaseClosed"];
        string[] payloads =
        [
            $$"""{"caseNumber":"{{number}}","nikHash":"{{new string('b', 64)}}","nikMasked":"3579**********24","fullName":"Warsini {{Distinct}}","gender":"Female","regionCode":"35.79.02","segment":"Umkm","nib":null,"consentGiven":true}""",
            $$"""{"text":"Bu {{Distinct}} menelepon."}""",
            $$"""{"reason":"Moved","note":"Pindah ke rumah {{Distinct}}","activeStage":"Intake"}""",
        ];
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var head = EventChain.Genesis;
        for (var i = 0; i < types.Length; i++)
        {
            var time = at.AddMinutes(i);
            var hash = EventChain.Hash(head, number, i + 1, types[i], "cw-old", "Caseworker", time, $"old-{i}", payloads[i]);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO case_events (case_number, seq, type, actor_id, actor_role, occurred_at, payload, command_id, command_hash, prev_hash, hash)
                VALUES (@case, @seq, @type, 'cw-old', 'Caseworker', @at, @payload, @cid, @cid, @prev, @hash)
                """, conn);
            insert.Parameters.AddWithValue("case", number);
            insert.Parameters.AddWithValue("seq", (long)(i + 1));
            insert.Parameters.AddWithValue("type", types[i]);
            insert.Parameters.AddWithValue("at", EventChain.FormatTime(time));
            insert.Parameters.AddWithValue("payload", payloads[i]);
            insert.Parameters.AddWithValue("cid", $"old-{i}");
            insert.Parameters.AddWithValue("prev", head);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync();
            head = hash;
        }

        await using var index = new NpgsqlCommand("""
            INSERT INTO case_index (case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage, current_stage_state,
                                    version, opened_at, updated_at, name_key)
            VALUES (@case, @name, '3579**********24', '35.79.02', 'Umkm', 'Female', 'Closed', 'Intake', 'Active', 3, @at, @at, @key)
            """, conn);
        index.Parameters.AddWithValue("case", number);
        index.Parameters.AddWithValue("name", "Warsini " + Distinct);
        index.Parameters.AddWithValue("key", Domain.SearchText.StoredKey("Warsini " + Distinct));
        index.Parameters.AddWithValue("at", at);
        await index.ExecuteNonQueryAsync();
        return number;
    }

    /// <summary>Every column of every table of the database (text as text, binary as bytes) that holds one of <paramref name="needles"/>.</summary>
    private static async Task<IReadOnlyList<string>> ColumnsHoldingAsync(string connectionString, params string[] needles)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json')
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                columns.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
            }
        }

        Assert.Contains(columns, c => c.Table.StartsWith("case_events", StringComparison.Ordinal) && c.Column == "payload");
        var found = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            foreach (var needle in needles)
            {
                var test = type == "bytea" ? $"position(convert_to(@needle, 'UTF8') in \"{column}\") > 0" : $"\"{column}\"::text LIKE '%' || @needle || '%'";
                await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" WHERE {test}", conn);
                cmd.Parameters.AddWithValue("needle", needle);
                if ((long)(await cmd.ExecuteScalarAsync())! > 0)
                {
                    found.Add($"{table}.{column} holds {needle}");
                }
            }
        }

        return found;
    }
}
