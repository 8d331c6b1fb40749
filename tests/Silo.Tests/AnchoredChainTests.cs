using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CaseGrains.Domain.Timeline;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Issue 19, deliverable 7: a chain a database writer cannot rewrite. Cases are written through the app; the app is
/// stopped; a writer with full access to the database (the append-only triggers out of the way) changes an event's
/// payload and recomputes every hash after it with <see cref="EventChain.Hash"/>, so the plain chain walks cleanly; a new
/// app process on the same SQLite file or PostgreSQL database then reports the case through <c>GET /api/cases/{n}/verify</c>
/// (the checkpoint's head no longer matches, the checkpoint is gone, or its MAC is forged), an untouched case verifies
/// as anchored, and <c>anchors verify</c> finds every rewritten case in the file <c>anchors export</c> wrote before.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AnchoredChainTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Admin = "admin.anchor";
    private const string Caseworker = "petugas.anchor";
    private const string Password = "correct horse battery staple";

    /// <summary>A key other than the installation's: a MAC made with it is a forgery.</summary>
    private static readonly byte[] WrongKey = Encoding.ASCII.GetBytes("not-the-installation-anchor-key-32b!");

    [Fact]
    public async Task ATimelineRewrittenWithAllItsHashes_InTheSqliteFile_IsReportedByVerify_AndByTheExportedCheckpoints()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-anchor-" + Guid.NewGuid().ToString("N"));
        var file = Path.Combine(Path.GetTempPath(), "casegrains-anchors-" + Guid.NewGuid().ToString("N"), "anchors.jsonl");
        var serviceId = $"--CaseGrains:ServiceId=cg-app-{Path.GetFileName(data)}";
        try
        {
            await RunAsync(
                first => Node.StartEmbeddedAppAsync(data, first ? "app (first process)" : "app (after the rewrite)", first ? new[] { "--create-admin", Admin } : []),
                () => new SqliteConnection($"Data Source={Path.Combine(data, "casegrains.db")};Pooling=False"),
                // The database's owner can drop the append-only trigger.
                "DROP TRIGGER case_events_no_update",
                arguments => Node.RunCommandAsync("WebFrontend", [.. arguments, $"--CaseGrains:DataDirectory={data}", serviceId]),
                file);
        }
        finally
        {
            Node.DeleteData(data);
            Node.DeleteData(Path.GetDirectoryName(file)!);
        }
    }

    [Fact]
    public async Task ATimelineRewrittenWithAllItsHashes_InPostgres_IsReportedByVerify_AndByTheExportedCheckpoints()
    {
        var spec = new ClusterSpec(await server.CreateDatabaseAsync(), "cg-anchor-" + Guid.NewGuid().ToString("N")[..8]);
        await Node.MigrateAsync(spec);
        var file = Path.Combine(Path.GetTempPath(), "casegrains-anchors-" + Guid.NewGuid().ToString("N"), "anchors.jsonl");
        var silos = new List<Node>();
        try
        {
            await RunAsync(
                async first =>
                {
                    silos.Add(await Node.StartSiloAsync(spec, first ? "silo (first)" : "silo (after the rewrite)"));
                    return await Node.StartFrontendAsync(spec, first ? "frontend (first)" : "frontend (after the rewrite)", first ? new[] { "--create-admin", Admin } : []);
                },
                () => new NpgsqlConnection(spec.ConnectionString),
                // A superuser (or the tables' owner) can switch the triggers off for its session.
                "SET session_replication_role = replica",
                arguments => Node.RunCommandAsync("Silo", [.. arguments, .. spec.CommonArguments()]),
                file,
                stopBackEnd: async () =>
                {
                    foreach (var silo in silos)
                    {
                        await silo.TerminateAsync(TimeSpan.FromSeconds(60));
                    }
                });
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            Node.DeleteData(Path.GetDirectoryName(file)!);
        }
    }

    /// <summary>
    /// Five cases of three events each: one left alone, and four rewritten (payload of seq 2 changed, every hash from
    /// there recomputed): one with its checkpoint as it was, one with the checkpoint deleted, one with the checkpoint
    /// moved to the new head under a forged MAC, one with the checkpoint made to look like a case from before anchoring.
    /// </summary>
    private async Task RunAsync(Func<bool, Task<Node>> start, Func<DbConnection> connect, string allowRewrite,
        Func<string[], Task<(int ExitCode, string Output)>> command, string file, Func<Task>? stopBackEnd = null)
    {
        string[] cases;
        await using (var app = await start(true))
        {
            using var caseworker = await SignInAsync(app, await app.AdminPasswordAsync());
            cases = new string[5];
            for (var i = 0; i < cases.Length; i++)
            {
                cases[i] = await WriteCaseAsync(caseworker, i);
            }

            // Anchored as written: the checkpoint is at the last event.
            foreach (var n in cases)
            {
                var verified = await VerifyAsync(caseworker, n);
                Assert.True(verified.GetProperty("valid").GetBoolean() && verified.GetProperty("anchored").GetBoolean(), $"{n}: {verified}");
                Assert.Equal(3, verified.GetProperty("checkpointSeq").GetInt64());
            }

            var (exportCode, exported) = await command(["anchors", "export", "--to", file]);
            output.WriteLine(exported);
            Assert.True(exportCode == 0, exported);
            Assert.Equal(cases.Length, File.ReadAllLines(file).Length);
            // Append-only: a second export adds nothing when nothing moved.
            var (againCode, again) = await command(["anchors", "export", "--to", file]);
            Assert.True(againCode == 0, again);
            Assert.Equal(cases.Length, File.ReadAllLines(file).Length);
            await app.TerminateAsync(TimeSpan.FromSeconds(60));
        }

        if (stopBackEnd is not null)
        {
            await stopBackEnd();
        }

        var (untouched, rewritten, deleted, forged, downgraded) = (cases[0], cases[1], cases[2], cases[3], cases[4]);
        await using (var db = connect())
        {
            await db.OpenAsync();
            await ExecuteAsync(db, allowRewrite);
            foreach (var n in cases[1..])
            {
                var head = await RewriteAsync(db, n);
                if (n == deleted)
                {
                    await ExecuteAsync(db, "DELETE FROM chain_checkpoints WHERE case_number = @case", ("@case", n));
                }
                else if (n == forged)
                {
                    await ExecuteAsync(db, "UPDATE chain_checkpoints SET head = @head, mac = @mac WHERE case_number = @case",
                        ("@case", n), ("@head", head), ("@mac", ChainAnchor.Mac(WrongKey, n, 3, head, DateTimeOffset.UtcNow)));
                }
                else if (n == downgraded)
                {
                    await ExecuteAsync(db, "UPDATE chain_checkpoints SET head = @head, mac = NULL WHERE case_number = @case", ("@case", n), ("@head", head));
                }
            }
        }

        await using (var app = await start(false))
        {
            using var caseworker = await app.ClientForAsync(Caseworker, Password);
            var problems = new Dictionary<string, JsonElement>();
            foreach (var n in cases)
            {
                problems[n] = await VerifyAsync(caseworker, n);
                output.WriteLine($"{n}: {problems[n]}");
            }

            Assert.True(problems[untouched].GetProperty("valid").GetBoolean() && problems[untouched].GetProperty("anchored").GetBoolean(), problems[untouched].ToString());
            AssertReported(problems[rewritten], "timeline rewritten", anchored: true);
            AssertReported(problems[deleted], "no checkpoint", anchored: false);
            AssertReported(problems[forged], "checkpoint MAC does not verify", anchored: false);
            // Made to look like a case from before anchoring began: the database alone cannot tell (it says so: not
            // anchored); the auditor's file below can.
            Assert.False(problems[downgraded].GetProperty("anchored").GetBoolean(), problems[downgraded].ToString());
        }

        var (verifyCode, said) = await command(["anchors", "verify", "--from", file]);
        output.WriteLine(said);
        Assert.Equal(1, verifyCode);
        foreach (var n in cases[1..])
        {
            Assert.Contains($"{n}: timeline rewritten", said, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(untouched, said, StringComparison.Ordinal);
        Assert.Contains("Checked 5 cases", said, StringComparison.Ordinal);

        // The next export refuses to carry the deleted and the forged checkpoints, and the one that lost its MAC, into the file.
        var (nextCode, next) = await command(["anchors", "export", "--to", file]);
        output.WriteLine(next);
        Assert.Equal(1, nextCode);
        Assert.Contains($"{deleted}: exported before, but the database holds no checkpoint", next, StringComparison.Ordinal);
        Assert.Contains($"{forged}: checkpoint at seq 3 has a MAC that does not verify", next, StringComparison.Ordinal);
        Assert.Contains($"{downgraded}: exported before with a MAC", next, StringComparison.Ordinal);
        Assert.Equal(cases.Length, File.ReadAllLines(file).Length);
    }

    private static void AssertReported(JsonElement verified, string problem, bool anchored)
    {
        Assert.False(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.StartsWith(problem, verified.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(anchored, verified.GetProperty("anchored").GetBoolean());
    }

    /// <summary>
    /// Changes the consent event's payload and recomputes the hash of every event from there, writing prev_hash and hash
    /// as the store would have: the plain chain of the rows walks cleanly afterwards. Returns the new head.
    /// </summary>
    private static async Task<string> RewriteAsync(DbConnection db, string caseNumber)
    {
        var links = new List<EventChain.Link>();
        await using (var read = db.CreateCommand())
        {
            read.CommandText = "SELECT seq, type, actor_id, actor_role, occurred_at, payload, command_id, prev_hash, hash FROM case_events WHERE case_number = @case ORDER BY seq";
            AddParameter(read, "@case", caseNumber);
            await using var r = await read.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                links.Add(new EventChain.Link(caseNumber, r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), EventChain.ParseTime(r.GetString(4)),
                    r.GetString(6), r.GetString(5), r.GetString(7), r.GetString(8)));
            }
        }

        Assert.Equal(3, links.Count);
        var prev = EventChain.Genesis;
        var rewritten = new List<EventChain.Link>();
        foreach (var link in links)
        {
            var payload = link.Seq == 2 ? link.PayloadJson.Replace("formulir", "lisan", StringComparison.Ordinal) : link.PayloadJson;
            Assert.True(link.Seq != 2 || payload != link.PayloadJson, $"the consent payload names no method: {link.PayloadJson}");
            var hash = EventChain.Hash(prev, caseNumber, link.Seq, link.Type, link.ActorId, link.ActorRole, link.OccurredAt, link.CommandId, payload);
            await ExecuteAsync(db, "UPDATE case_events SET payload = @payload, prev_hash = @prev, hash = @hash WHERE case_number = @case AND seq = @seq",
                ("@payload", payload), ("@prev", prev), ("@hash", hash), ("@case", caseNumber), ("@seq", link.Seq));
            rewritten.Add(link with { PayloadJson = payload, PrevHash = prev, Hash = hash });
            prev = hash;
        }

        // What the plain SHA-256 chain alone would say: sound.
        var walk = EventChain.Walk(rewritten);
        Assert.Null(walk.Break);
        Assert.NotEqual(links[^1].Hash, walk.Head);
        return walk.Head;
    }

    private static async Task ExecuteAsync(DbConnection db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            AddParameter(cmd, name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    /// <summary>The first process of an installation: the admin creates the caseworker, who signs in.</summary>
    private static async Task<HttpClient> SignInAsync(Node app, string adminPassword)
    {
        using (var admin = await app.ClientForAsync(Admin, adminPassword))
        {
            using var created = await admin.PutAsJsonAsync($"/api/users/{Caseworker}", new { displayName = "Petugas", role = "Caseworker", regions = new[] { "35.79" }, password = Password });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        return await app.ClientForAsync(Caseworker, Password);
    }

    /// <summary>A Kota Batu case of three events: intake, consent (method "formulir"), intake completed.</summary>
    private static async Task<string> WriteCaseAsync(HttpClient caseworker, int i)
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var opened = await PostOkAsync(caseworker, "/api/cases", new
        {
            commandId = $"{prefix}-intake",
            nik = $"357903550392{i + 1:D4}",
            fullName = "Ratna Sari",
            regionCode = "35.79.03.2006",
            segment = "Koperasi",
            consentGiven = true,
        }, HttpStatusCode.Created);
        var number = opened.GetProperty("caseNumber").GetString()!;
        await PostOkAsync(caseworker, $"/api/cases/{number}/consent", new { commandId = $"{prefix}-consent", method = "formulir" });
        await PostOkAsync(caseworker, $"/api/cases/{number}/stages/intake/complete", new { commandId = $"{prefix}-complete" });
        return number;
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient caseworker, string caseNumber)
    {
        using var response = await caseworker.GetAsync(new Uri($"/api/cases/{caseNumber}/verify", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"verify {caseNumber} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PostOkAsync(HttpClient client, string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
