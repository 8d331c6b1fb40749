using System.Net;
using System.Net.Http.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>Cluster mode end to end: the migrate command, silos and frontends as processes, on a real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterModeTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly Actor Admin = new("admin-cluster", Role.Admin, []);

    [Fact]
    public async Task Migrate_AppliesEveryVersionOnce_AndIsSafeToRunAgain()
    {
        var spec = new ClusterSpec(await server.CreateDatabaseAsync(), "cg-migrate");

        var first = await Node.MigrateAsync(spec);
        var second = await Node.MigrateAsync(spec);

        var latest = PostgresSchema.LatestVersion;
        Assert.Contains("applied " + string.Join(", ", PostgresSchema.Versions), first, StringComparison.Ordinal);
        Assert.Contains("up to date", second, StringComparison.Ordinal);
        await using var conn = new NpgsqlConnection(spec.ConnectionString);
        await conn.OpenAsync();
        await using var versions = new NpgsqlCommand("SELECT count(*), max(version) FROM schema_migrations", conn);
        await using (var r = await versions.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            Assert.Equal((long)PostgresSchema.Versions.Count, r.GetInt64(0));
            Assert.Equal(latest, r.GetInt32(1));
        }

        // Every query key the three Orleans providers load is there.
        await using var keys = new NpgsqlCommand("SELECT count(*) FROM orleansquery", conn);
        Assert.Equal(20L, (long)(await keys.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ConcurrentMigrators_EndWithOneSchema()
    {
        var spec = new ClusterSpec(await server.CreateDatabaseAsync(), "cg-migrate2");

        var outputs = await Task.WhenAll(Node.MigrateAsync(spec), Node.MigrateAsync(spec), Node.MigrateAsync(spec));

        Assert.Single(outputs, o => o.Contains("applied 1, 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheStorageTable_RefusesASecondRowForOneGrainIdentity_AndTheTimelineRefusesEdits()
    {
        var spec = new ClusterSpec(await server.CreateDatabaseAsync(), "cg-unique");
        await Node.MigrateAsync(spec);
        await using var conn = new NpgsqlConnection(spec.ConnectionString);
        await conn.OpenAsync();
        const string insert = """
            INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
            VALUES (1, 0, 0, 2, 'registry', NULL, 's', '\x00', now(), 1)
            """;
        await using (var first = new NpgsqlCommand(insert, conn))
        {
            await first.ExecuteNonQueryAsync();
        }

        await using var second = new NpgsqlCommand(insert, conn);
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => second.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);

        await using var add = new NpgsqlCommand("""
            INSERT INTO case_events VALUES ('3579-000001', 1, 'CaseOpened', 'a', 'Caseworker', '2026-01-01T00:00:00.0000000Z', '{}', 'c1', 'h', 'p', 'h1')
            """, conn);
        await add.ExecuteNonQueryAsync();
        await using var edit = new NpgsqlCommand("UPDATE case_events SET payload = '{\"x\":1}'", conn);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => edit.ExecuteNonQueryAsync());
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASilo_WontStartOnAnUnmigratedDatabase_SayingWhatToRun()
    {
        var spec = new ClusterSpec(await server.CreateDatabaseAsync(), "cg-unmigrated");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Node.StartSiloAsync(spec, "silo"));

        Assert.Contains("migrate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSilosAndTwoFrontends_ShareOneCluster_SessionsAndTokensWorkOnEveryFrontend()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 2);
        await cluster.Grains.GetGrain<IUserGrain>("cw-batu").Upsert(new UpsertUserRequest
        {
            DisplayName = "Petugas Batu", Role = Role.Caseworker, Regions = ["35.79"], Password = "correct horse battery staple",
        }, Admin);
        await using var front1 = await Node.StartFrontendAsync(cluster.Spec, "frontend1");
        await using var front2 = await Node.StartFrontendAsync(cluster.Spec, "frontend2");

        // Both silos are members, active, with their gateways open; both answer ready.
        await using (var conn = new NpgsqlConnection(cluster.Spec.ConnectionString))
        {
            await conn.OpenAsync();
            await using var members = new NpgsqlCommand("SELECT count(*) FROM orleansmembershiptable WHERE status = 3 AND proxyport > 0", conn);
            Assert.Equal(2L, (long)(await members.ExecuteScalarAsync())!);
        }

        // A cookie session from frontend 1 is honoured by frontend 2 (one Data Protection key ring in the database) …
        using var cookies1 = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var http1 = new HttpClient(cookies1) { BaseAddress = front1.BaseAddress };
        using var login = await http1.PostAsJsonAsync("/api/auth/login", new { userId = "cw-batu", password = "correct horse battery staple" });
        Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        using var http2 = new HttpClient { BaseAddress = front2.BaseAddress };
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        withCookie.Headers.Add("Cookie", cookies1.CookieContainer.GetCookieHeader(front1.BaseAddress));
        using var listed = await http2.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);

        // … and a bearer token from frontend 2 works on frontend 1; a case opened through one is read through the other.
        using var tokenResponse = await http2.PostAsJsonAsync("/api/auth/token", new { userId = "cw-batu", password = "correct horse battery staple" });
        var token = (await tokenResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        var number = (await cluster.OpenCasesAsync(1))[0];
        using var bearer1 = new HttpClient { BaseAddress = front1.BaseAddress };
        bearer1.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var read = await bearer1.GetAsync(new Uri($"/api/cases/{number}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        output.WriteLine($"case {number} read through frontend 1 with a token from frontend 2");

        // A cluster client, built as a frontend builds its own, works out each grain interface's type once (GrainInterfaceTypeCache).
        Assert.IsType<GrainInterfaceTypeCache>(cluster.ClientServices.GetServices<Orleans.Runtime.IGrainInterfaceTypeProvider>().First());

        // The services catalog in cluster mode: offers (Orleans storage in PostgreSQL, crossing processes), a place taken
        // through one frontend and seen through the other, the enrolment on the timeline.
        await using var sample = File.OpenRead(Path.Combine(Repo.Root(), "samples", "catalog-kota-batu.csv"));
        var catalog = (await CaseGrains.WebFrontend.Apis.CsvRecords.ReadAllAsync(sample, CancellationToken.None)).Value;
        var report = await cluster.Grains.GetGrain<ICatalogQueryGrain>(0).Import(catalog.Header, catalog.Rows, Admin);
        Assert.Equal((14, 0), (report.Created, report.Rejected));
        using var enrol = await bearer1.PostAsJsonAsync(new Uri($"/api/cases/{number}/enrolments", UriKind.Relative), new { commandId = "enrol-1", offerId = "buku-batu-2026" });
        Assert.True(enrol.IsSuccessStatusCode, await enrol.Content.ReadAsStringAsync());
        using var bearer2 = new HttpClient { BaseAddress = front2.BaseAddress };
        bearer2.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var offer = await bearer2.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/api/offers/buku-batu-2026", UriKind.Relative));
        Assert.Equal(1, offer.GetProperty("places").GetProperty("taken").GetInt32());
        var timeline = await bearer2.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri($"/api/cases/{number}/timeline", UriKind.Relative));
        Assert.Equal("Enrolled", timeline.EnumerateArray().Last().GetProperty("type").GetString());
    }

    [Fact]
    public async Task AFrontendThatCoHostsASilo_JoinsTheCluster_WithItsGatewayClosed_AndServesRequests()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        await cluster.Grains.GetGrain<IUserGrain>("cw-cohost").Upsert(new UpsertUserRequest
        {
            DisplayName = "Petugas", Role = Role.Caseworker, Regions = ["35.79"], Password = "correct horse battery staple",
        }, Admin);

        await using var front = await Node.StartFrontendAsync(cluster.Spec, "cohosting-frontend",
            "--CaseGrains:Frontend=Silo", $"--CaseGrains:SiloPort={Ports.Free()}");

        await using (var conn = new NpgsqlConnection(cluster.Spec.ConnectionString))
        {
            await conn.OpenAsync();
            await using var members = new NpgsqlCommand("SELECT count(*) FILTER (WHERE proxyport > 0), count(*) FILTER (WHERE proxyport = 0) FROM orleansmembershiptable WHERE status = 3", conn);
            await using var r = await members.ExecuteReaderAsync();
            await r.ReadAsync();
            Assert.Equal(1L, r.GetInt64(0)); // the standalone silo, with its gateway
            Assert.Equal(1L, r.GetInt64(1)); // the frontend's silo: no gateway (grains trust the actor they are given)
        }

        using var http = new HttpClient { BaseAddress = front.BaseAddress };
        using var tokenResponse = await http.PostAsJsonAsync("/api/auth/token", new { userId = "cw-cohost", password = "correct horse battery staple" });
        Assert.True(tokenResponse.IsSuccessStatusCode, await tokenResponse.Content.ReadAsStringAsync());
        var token = (await tokenResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var opened = await http.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = "3579014101900042", fullName = "Warga Klaster",
            regionCode = "35.79.01", segment = "Umkm", consentGiven = true,
        });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
    }

    [Fact]
    public async Task ASiloStoppedWithSigterm_ExitsCleanly_AndLeavesTheClusterAsDead()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 2);
        var leaving = cluster.Nodes[1];

        var exitCode = await leaving.TerminateAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        await using var conn = new NpgsqlConnection(cluster.Spec.ConnectionString);
        await conn.OpenAsync();
        await using var status = new NpgsqlCommand("SELECT status FROM orleansmembershiptable WHERE port = @port", conn);
        status.Parameters.AddWithValue("port", leaving.SiloPort);
        Assert.Equal(6, (int)(await status.ExecuteScalarAsync())!); // SiloStatus.Dead, written by the silo itself
        var cases = await cluster.OpenCasesAsync(5);
        Assert.Equal(5, cases.Count);
    }

    [Fact]
    public async Task StageSlaTimers_AreDeadlineRowsInPostgres_NotReminders_AndFireAfterEverySiloWasKilledAndReplaced()
    {
        string[] sla = ["--CaseGrains:Sla:Targets:Intake=00:00:05", "--CaseGrains:Sla:CheckPeriod=00:00:01", "--CaseGrains:Sla:EscalationGrace=01:00:00"];
        await using var cluster = await TestCluster.StartAsync(server, 1, sla);
        var number = (await cluster.OpenCasesAsync(1))[0];
        await using var conn = new NpgsqlConnection(cluster.Spec.ConnectionString);
        await conn.OpenAsync();
        await using (var row = new NpgsqlCommand("SELECT count(*) FROM case_deadlines WHERE case_number = @c AND kind = 'sla'", conn))
        {
            // Written by a consequence of the intake, just after its answer.
            row.Parameters.AddWithValue("c", number);
            var until = DateTime.UtcNow.AddSeconds(5);
            while ((long)(await row.ExecuteScalarAsync())! == 0 && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }

            Assert.Equal(1L, (long)(await row.ExecuteScalarAsync())!);
        }

        await using (var reminder = new NpgsqlCommand("SELECT count(*) FROM orleansreminderstable WHERE grainid = @g", conn))
        {
            reminder.Parameters.AddWithValue("g", "case/" + number);
            Assert.Equal(0L, (long)(await reminder.ExecuteScalarAsync())!);
        }

        await using var breached = new NpgsqlCommand("SELECT count(*) FROM case_events WHERE case_number = @c AND type = 'SlaBreached'", conn);
        breached.Parameters.AddWithValue("c", number);
        Assert.Equal(0L, (long)(await breached.ExecuteScalarAsync())!);

        // No silo survives: the timer exists only as its row in PostgreSQL (and the sweeper's one reminder).
        await cluster.Nodes[0].KillAsync();
        await cluster.AddSiloAsync(sla);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long found;
        while ((found = (long)(await breached.ExecuteScalarAsync())!) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(1L, found);
        output.WriteLine($"case {number}: SlaBreached appended by the replacement silo");
    }
}
