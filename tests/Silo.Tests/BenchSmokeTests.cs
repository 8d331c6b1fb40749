using CaseGrains.Bench;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage.Postgres;
using Npgsql;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// A few seconds of each benchmark against a tiny real deployment, so the load generator cannot rot. The figures are
/// not judged here (performance lives in bench/ and BENCHMARKS.md); only that every part measures something.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BenchSmokeTests(PostgresServer server)
{
    [Fact]
    public async Task TheLoadGenerator_DrivesACluster_AndMeasuresCommandsAndPushLatency()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        await cluster.Grains.GetGrain<IUserGrain>("bench-admin").Upsert(new UpsertUserRequest
        {
            DisplayName = "Bench", Role = Role.Admin, Regions = [], Password = "bench admin password",
        }, new Actor("system", Role.Admin, []));
        await using var front = await Node.StartFrontendAsync(cluster.Spec, "frontend",
            "--CaseGrains:Auth:RequestsPerMinute=1000000", "--CaseGrains:Auth:SignInsPerMinute=100000");

        var report = await new LoadTest(new LoadOptions
        {
            Url = front.BaseAddress, AdminUser = "bench-admin", AdminPassword = "bench admin password",
            Cases = 20, Mentors = 2, Workers = 2, Duration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.FromSeconds(1),
            Postgres = cluster.Spec.ConnectionString,
        }, TextWriter.Null).RunAsync();

        Assert.True(report.Acknowledged > 0, report.Format());
        Assert.Equal(0, report.ErrorCount);
        Assert.True(report.Latency.TotalCount > 0, "no pushed event was timed");
        Assert.True(report.CommitsPerSecond > 0);
        Assert.Contains(report.Processes, p => p.Name == "frontend" && p.PeakRssBytes > 0);

        // The matching benchmark on the same cluster, small: a catalog, mentors, one case, every kind timed.
        var matching = await MatchingBench.RunAsync(front.BaseAddress, "bench-admin", "bench admin password", 24, 4, 5, TextWriter.Null);
        Assert.Equal(4, matching.Split('\n').Count(l => l.Contains(" p99 ", StringComparison.Ordinal) && !l.Contains("(0 candidates", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheBaselines_MeasureTheDatabaseAppendAndSignalR()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(connectionString);
        await using var source = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresCaseEventStore(source);

        var appends = await Baselines.AppendRateAsync(store, 4, TimeSpan.FromSeconds(1));
        var (young, old) = await Baselines.AppendCostByAgeAsync(store, 10, 50, 20);
        var (echo, latency) = await Baselines.SignalREchoAsync(2, TimeSpan.FromSeconds(1));

        Assert.True(appends > 0 && young > 0 && old > 0 && echo > 0);
        Assert.True(latency.TotalCount > 0);
    }

    [Fact]
    public async Task ThePeopleBenchmark_LoadsAccountsAndTimesEachLookUp_OnPostgresAndSqlite()
    {
        foreach (var postgres in new[] { await server.CreateDatabaseAsync(), null })
        {
            var report = await PeopleBench.RunAsync(postgres, caseworkers: 300, mentors: 60, supervisors: 40, lookups: 20, TextWriter.Null);

            Assert.Contains("load              400 accounts", report, StringComparison.Ordinal);
            Assert.Contains("approvers of a case", report, StringComparison.Ordinal);
            Assert.Equal(5, report.Split('\n').Count(l => l.Contains(" p99 ", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task TheSearchBenchmark_LoadsCaseRowsAndTimesEachQuery_OnPostgresAndSqlite()
    {
        foreach (var postgres in new[] { await server.CreateDatabaseAsync(), null })
        {
            var report = await SearchBench.RunAsync(postgres, caseCount: 2_000, lookups: 20, TextWriter.Null);

            Assert.Contains("load              2000 rows", report, StringComparison.Ordinal);
            // Every query found the case it was made from (on the first page or beyond it).
            Assert.Equal(4, report.Split('\n').Count(l => l.Contains("the case sought on the page or beyond it 20/20", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task TheSnapshotBenchmark_TimesActivationsOfShortAndLongCases_FromTheirSnapshots()
    {
        var report = await SnapshotBench.RunAsync(await server.CreateDatabaseAsync(), casesPerLength: 1, rounds: 1, TextWriter.Null, lengths: [10, 100, 300]);

        Assert.Contains("snapshots (Cluster, PostgreSQL)", report, StringComparison.Ordinal);
        Assert.Equal(2, report.Split('\n').Count(l => l.Contains("snapshot + 9 events after it", StringComparison.Ordinal)));
        Assert.Equal(3, report.Split('\n').Count(l => l.Contains("p50 ratio to 10 events", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheMentorLinkBenchmark_LoadsTheMentorsPageOnAThrottledLink_AndChecksTheSizeBudget()
    {
        using var output = new StringWriter();
        var exit = await MentorLinkBench.RunAsync(caseCount: 3, rttMs: 300, kbps: 400, budgetKb: 120, output);
        var report = output.ToString();

        // The exit code is the size budget (bytes are deterministic; the times are reported, not judged here).
        Assert.True(exit == 0, report);
        Assert.Matches(@"cold, signed in \(first visit\)\s+[\d.]+s\s+[\d.]+KB\s+[\d.]+KB\s+[\d.]+KB", report);
        Assert.Matches(@"warm \(installed, cases on the phone\)\s+[\d.]+s", report);
        Assert.Contains("first load ≤ 120 KB transferred", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheImportBenchmark_UploadsASemicolonFile_AndMeasuresRowsPerSecondProgressAndMemory()
    {
        using var output = new StringWriter();
        var exit = await ImportBench.RunAsync(rows: 60, TimeSpan.FromSeconds(60), output);
        var report = output.ToString();

        Assert.True(exit == 0, report);
        Assert.Matches(@"processing → done: [\d.]+ s, \d+ rows/s \(60 created, 0 unchanged, 0 updated, 0 rejected\)", report);
        Assert.Matches(@"live progress: \d+ ImportProgress pushes, .* processed never going back: True", report);
        Assert.Contains("held at the 202 (full GC)", report, StringComparison.Ordinal);
        Assert.Contains("check: 60 cases in the caseworker's list; the report has 60 rows", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeadlineBenchmark_SweepsEveryDueCaseOnce_WithNoReminderPerCase()
    {
        var report = await DeadlineBench.RunAsync(await server.CreateDatabaseAsync(), cases: 2_000, due: 200, TextWriter.Null);

        Assert.Contains("200 SlaBreached appended (one per due case: yes)", report, StringComparison.Ordinal);
        Assert.Contains("deadline rows     2,000 (one per open case)", report, StringComparison.Ordinal);
        Assert.Contains("reminder rows     2 in the reminder table", report, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT DONE", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDashboardBenchmark_MeasuresTheNationalSignalsLag_BehindEveryAcceptedCommand()
    {
        var report = await DashboardBench.RunAsync(await server.CreateDatabaseAsync(), rate: 100, seconds: 2, TextWriter.Null);

        Assert.Contains("200 accepted", report, StringComparison.Ordinal);
        Assert.Contains("0 failed", report, StringComparison.Ordinal);
        Assert.Matches(@"lag, answer → next national signal: p50 \d+ ms · p99 \d+ ms · max \d+ ms", report);
    }

    [Fact]
    public async Task TheStorageBenchmark_TakesCasesThroughAJourney_AndReportsBytesPerEventAndPerCase()
    {
        var report = await StorageBench.RunAsync(await server.CreateDatabaseAsync(), cases: 40, TextWriter.Null);

        Assert.Contains("40 cases, 1,120 events (28.0 per case)", report, StringComparison.Ordinal);
        Assert.Matches(@"per event\s+\d{3,4} B", report);
        Assert.Matches(@"case_events\s+[\d.]+ MiB\s+1,120 rows", report);
    }

    [Fact]
    public async Task TheNationalBenchmark_LoadsTheShape_RunsTheMixOnTwoSilosAndTwoFrontends_AndComparesWithThePlainPeer()
    {
        var report = await NationalBench.RunAsync(new NationalBench.Options
        {
            Postgres = server.AdminConnectionString, Scale = 0.001, Rate = 40, Seconds = 6, Workers = 4,
        }, TextWriter.Null);

        // Every due deadline swept once, with no reminder per case.
        Assert.Matches(@"SLA sweep\s+[\d.]+ s from the first silo's start to no due deadline: 200 due of 2,000 .* 200 SlaBreached appended · reminder rows [0-2]\b", report);
        // Every kind of the mix answered, and accepted (enrolments may meet a case already enrolled in the same course).
        foreach (var kind in new[] { "journey step", "case read", "search", "enrolment" })
        {
            Assert.Matches($@"\n  {kind}\s+\d+/s · p50 [\d.]+ ms · p99 [\d.]+ ms · p99\.9 [\d.]+ ms · [\d,]*[1-9][\d,]* accepted", report);
        }

        Assert.DoesNotContain("no answer", report, StringComparison.Ordinal);
        Assert.Matches(@"dashboard lag\s+p50 \d+ ms", report);
        Assert.DoesNotContain("WATCHER'S CONNECTION CLOSED", report, StringComparison.Ordinal);
        // Both sides of the comparison did the same journey steps and reads, all accepted.
        foreach (var side in new[] { "CaseGrains", "plain peer" })
        {
            foreach (var kind in new[] { "journey steps, warm", "journey steps, cold", "case reads, warm", "case reads, cold" })
            {
                Assert.Matches($@"{side} {kind}\s+\d+/s · .* [\d,]*[1-9][\d,]* accepted\n", report);
            }
        }

        Assert.Equal(4, report.Split('\n').Count(l => l.StartsWith("  ratio           throughput ", StringComparison.Ordinal)));
        Assert.Contains("cold activations", report, StringComparison.Ordinal);
        Assert.Contains("snapshot + 9 events after it", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheActivationBenchmark_ActivatesCasesFromTheDatabase()
    {
        var connectionString = await server.CreateDatabaseAsync();

        var report = await ActivationBench.RunAsync(200, 16, connectionString, TextWriter.Null);

        Assert.Contains("cold activations", report, StringComparison.Ordinal);
        Assert.Contains("bytes per active case", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheResilienceBenchmarks_KillASilo_DrainABacklog_AndEndAFaultRunWithoutDrift()
    {
        var recovery = await ResilienceBench.RecoveryAsync(server.AdminConnectionString, rounds: 1, caseCount: 6, TextWriter.Null);
        Assert.Contains("round 1:", recovery, StringComparison.Ordinal);
        Assert.Contains(" 0 not delivered · 0 twice", recovery, StringComparison.Ordinal);

        var drain = await ResilienceBench.DrainAsync(server.AdminConnectionString, cases: 4, notes: 2, TextWriter.Null);
        Assert.Contains("left              0 parked, 0 failing, 0 behind", drain, StringComparison.Ordinal);

        var faults = await ResilienceBench.FaultsAsync(server.AdminConnectionString, 0.1, TimeSpan.FromSeconds(4), workers: 2, TextWriter.Null);
        Assert.Contains(": drift 0 (", faults, StringComparison.Ordinal);
    }
}
