using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.TestSupport;
using HdrHistogram;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CaseGrains.Bench;

/// <summary>
/// <c>bench national</c> (issue 16, deliverables 7 and 8): the nation on one machine. On the PostgreSQL server given (else
/// a throwaway one) it makes a database through the production migrate step, bulk-loads the national shape by COPY
/// (cases over every kab/kota with the skew of <see cref="NationalShape"/>, each with its SLA deadline, a tenth of those
/// due; the people index's accounts), starts two silos and two frontends as processes (as deploy/local/cluster.sh does),
/// imports the offers as one CSV, then measures in this order: the SLA sweep of the due deadlines; a mixed interactive
/// load at a fixed rate, open loop, over both frontends (journey steps, case reads, searches, enrolments), with the
/// national dashboard's lag watched over its hub; people look-ups; the same journey steps and reads flat out against
/// CaseGrains and against <see cref="PlainPeer"/> (same load generator, same cases, same tokens); then, with the cluster
/// stopped, cold activations and memory per active case, and activation against case length, in a silo hosted here on
/// the same database. <c>--scale</c> multiplies every count (0.01 for a quick check).
/// </summary>
internal static class NationalBench
{
    private const string Admin = "national.admin";

    public sealed record Options
    {
        public string? Postgres { get; init; }
        public double Scale { get; init; } = 1;
        public double Rate { get; init; } = 500;
        public int Seconds { get; init; } = 60;
        public int Workers { get; init; } = 32;
        public bool Keep { get; init; }
    }

    public static async Task<string> RunAsync(Options options, TextWriter log)
    {
        int Scaled(int full, int min) => Math.Max(min, (int)Math.Round(full * options.Scale));
        var (caseCount, caseworkers, mentors, supervisors, offerCount, due) =
            (Scaled(1_000_000, 2_000), Scaled(50_000, 100), Scaled(10_000, 50), Scaled(5_000, 20), Scaled(2_000, 40), Scaled(100_000, 200));
        var report = new List<string>();
        void Report(string line)
        {
            report.Add(line);
            log.WriteLine(line);
        }

        if (options.Postgres is not null)
        {
            Environment.SetEnvironmentVariable(PostgresServer.EnvironmentVariable, options.Postgres);
        }

        var server = new PostgresServer();
        await server.InitializeAsync();
        var national = await server.CreateDatabaseAsync("national");
        var peerDatabase = await server.CreateDatabaseAsync("peer");
        var spec = new ClusterSpec(national, "national-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            Report(string.Create(CultureInfo.InvariantCulture,
                $"== national shape ×{options.Scale}: {caseCount:N0} cases, {caseworkers:N0} caseworkers, {mentors:N0} mentors, {supervisors:N0} supervisors, {offerCount:N0} offers, {due:N0} SLA deadlines due =="));
            await Node.MigrateAsync(spec);

            // The shape: every case in a desa/kelurahan of a kab/kota drawn with the skew; every open case has its intake
            // SLA deadline, one in ten of them due (opened eight days ago, the target is seven).
            var shape = new NationalShape(new Random(16));
            var nameRandom = new Random(5);
            var now = DateTimeOffset.UtcNow;
            var intake = SlaPolicy.Default.TargetFor(Stage.Intake)!.Value;
            var rows = new (string Number, string Region, DateTimeOffset Opened)[caseCount];
            var names = new string[caseCount];
            var perRegency = new Dictionary<string, int>(StringComparer.Ordinal);
            var step = Math.Max(1, caseCount / due);
            for (var i = 0; i < caseCount; i++)
            {
                var regency = shape.Regency();
                var n = perRegency[regency] = perRegency.GetValueOrDefault(regency) + 1;
                var opened = i % step == 0 && i / step < due ? now - intake - TimeSpan.FromDays(1) : now - TimeSpan.FromMinutes(i % (6 * 24 * 60));
                rows[i] = (CaseNumbers.Format(regency, 500_000 + n), shape.Village(regency), opened);
                names[i] = SearchBench.Name(nameRandom, i);
            }

            var loading = Stopwatch.StartNew();
            await using (var source = NpgsqlDataSource.Create(national))
            await using (var conn = await source.OpenConnectionAsync())
            {
                await OpenCasesCopy.WriteAsync(conn, rows, names);
                await DeadlineBench.CopyDeadlinesAsync(conn, rows, intake);
                await using var analyze = new NpgsqlCommand("ANALYZE case_events; ANALYZE case_index; ANALYZE case_deadlines", conn);
                await analyze.ExecuteNonQueryAsync();
            }

            var casesLoaded = loading.Elapsed.TotalSeconds;
            await using var people = await BenchStore.OpenAsync(national);
            var accounts = PeopleBench.Generate(shape, caseworkers, mentors, supervisors);
            loading.Restart();
            await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (p, ct) => await people.People.ReplacePersonAsync(p, ct));
            var peopleLoaded = loading.Elapsed.TotalSeconds;
            loading.Restart();
            await PlainPeer.LoadAsync(peerDatabase, rows, names);
            var peerLoaded = loading.Elapsed.TotalSeconds;
            // A database that has lived for months has been vacuumed; one just bulk-loaded has not, and autovacuum would
            // then spend the measurements' CPU on it. Both databases are vacuumed first (each table's visibility map set).
            loading.Restart();
            foreach (var database in new[] { national, peerDatabase })
            {
                await using var conn = new NpgsqlConnection(database);
                await conn.OpenAsync();
                await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", conn) { CommandTimeout = 3600 };
                await vacuum.ExecuteNonQueryAsync();
            }

            var vacuumed = loading.Elapsed.TotalSeconds;
            Report(string.Create(CultureInfo.InvariantCulture,
                $"load              cases {casesLoaded:F1} s ({caseCount:N0} CaseOpened events + case-list rows + deadlines by COPY, {caseCount / casesLoaded:F0} cases/s) · people index {peopleLoaded:F1} s ({accounts.Count:N0} accounts, {accounts.Count / peopleLoaded:F0}/s) · the peer's copy {peerLoaded:F1} s · VACUUM (ANALYZE) of both {vacuumed:F1} s"));

            // The cluster; its deadline sweep starts with the first silo.
            var sweeping = Stopwatch.StartNew();
            var nodes = new List<Node>();
            try
            {
                nodes.Add(await Node.StartSiloAsync(spec, "silo1"));
                nodes.Add(await Node.StartSiloAsync(spec, "silo2"));
                string[] open = ["--CaseGrains:Auth:RequestsPerMinute=100000000", "--CaseGrains:Auth:SignInsPerMinute=100000"];
                var front1 = await Node.StartFrontendAsync(spec, "frontend1", ["--create-admin", Admin, .. open]);
                nodes.Add(front1);
                nodes.Add(await Node.StartFrontendAsync(spec, "frontend2", open));
                var frontends = nodes.Where(n => n.Name.StartsWith("frontend", StringComparison.Ordinal)).ToArray();
                await using var nationalSource = NpgsqlDataSource.Create(national);
                var sweep = await DeadlineBench.WaitSweptAsync(nationalSource, now, "", sweeping, TimeSpan.FromMinutes(10));
                Report(string.Create(CultureInfo.InvariantCulture,
                    $"SLA sweep         {(sweep.Left == 0 ? "" : $"NOT DONE ({sweep.Left:N0} still due) after ")}{sweep.Swept.TotalSeconds:F1} s from the first silo's start to no due deadline: {due:N0} due of {caseCount:N0} ({due / sweep.Swept.TotalSeconds:F0} cases/s; silo starts included) · {sweep.Breaches:N0} SlaBreached appended · reminder rows {sweep.Reminders}"));

                // The bench's own accounts through the API: a caseworker per province, a ministry analyst.
                using var admin = await front1.ClientForAsync(Admin, await front1.AdminPasswordAsync());
                var adminToken = admin.DefaultRequestHeaders.Authorization!.Parameter!;
                var provinces = rows.Select(r => RegionTable.ProvinceOf(r.Region)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                var workerOf = provinces.ToDictionary(p => p, p => "nat.cw." + p, StringComparer.Ordinal);
                foreach (var (province, id) in workerOf)
                {
                    await BenchClient.PutUserAsync(admin, adminToken, id, "Caseworker", [province]);
                    await PlainPeer.AddUserAsync(peerDatabase, id, Role.Caseworker, [province]);
                }

                await BenchClient.PutUserAsync(admin, adminToken, "nat.analyst", "MinistryAnalyst", []);
                var offers = await ImportOffersAsync(admin, provinces, offerCount, log);
                using var traffic = new Traffic(frontends.Select(f => f.BaseAddress).ToArray());
                var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (province, id) in workerOf)
                {
                    tokens[province] = await BenchClient.TokenAsync(traffic.First, id, BenchClient.Password);
                }

                string TokenOf(int i) => tokens[RegionTable.ProvinceOf(rows[i].Region)];
                var random = new Random(9);
                var order = Enumerable.Range(0, caseCount).OrderBy(_ => random.Next()).ToArray();
                var journeyPool = order.Take(Math.Min(caseCount / 4, 20_000)).ToArray();
                var comparePool = order.Skip(journeyPool.Length).Take(Math.Min(caseCount / 4, 20_000)).ToArray();
                var coldPool = order.Skip(journeyPool.Length + comparePool.Length).Take(Math.Min(caseCount / 4, 60_000)).ToArray();
                var elsewhere = order.Skip(journeyPool.Length + comparePool.Length + coldPool.Length).ToArray();

                // 1. Mixed interactive load, open loop, with the dashboard watched.
                var analystToken = await BenchClient.TokenAsync(traffic.First, "nat.analyst", BenchClient.Password);
                var notices = new ConcurrentQueue<long>();
                await using var watcher = new HubConnectionBuilder()
                    .WithUrl(new Uri(front1.BaseAddress, "/hubs/dashboard"), o =>
                    {
                        o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                        o.SkipNegotiation = true;
                        o.AccessTokenProvider = () => Task.FromResult<string?>(analystToken);
                    }).Build();
                watcher.On<string>("DashboardChanged", region =>
                {
                    if (region == Domain.Services.Offer.National)
                    {
                        notices.Enqueue(Stopwatch.GetTimestamp());
                    }
                });
                // A ping every 5 s: the server drops a client silent for 15 s.
                watcher.KeepAliveInterval = TimeSpan.FromSeconds(5);
                var watcherClosed = false;
                watcher.Closed += _ =>
                {
                    watcherClosed = true;
                    return Task.CompletedTask;
                };
                await watcher.StartAsync();
                if (!await watcher.InvokeAsync<bool>("Watch", Domain.Services.Offer.National))
                {
                    throw new InvalidOperationException("the analyst may not watch the national dashboard");
                }

                var journey = new Journey(journeyPool);
                MixedLoad Mix(double rate)
                {
                    var mix = new MixedLoad(rate, TimeSpan.FromSeconds(Math.Max(5, options.Seconds / 6)), TimeSpan.FromSeconds(options.Seconds));
                    mix.Add("journey step", 35, async () =>
                    {
                        if (!journey.TryTake(out var i, out var step))
                        {
                            return null;
                        }

                        var answer = await traffic.SendAsync(HttpMethod.Post, Journey.Path(rows[i].Number, step), TokenOf(i), Journey.Body(step));
                        journey.Return(i);
                        return answer with { MovesDashboard = step < Journey.Steps };
                    });
                    mix.Add("case read", 40, async () =>
                    {
                        var i = elsewhere[Random.Shared.Next(elsewhere.Length)];
                        return await traffic.SendAsync(HttpMethod.Get, $"/api/cases/{rows[i].Number}", TokenOf(i), null);
                    });
                    mix.Add("search", 15, async () =>
                    {
                        var i = elsewhere[Random.Shared.Next(elsewhere.Length)];
                        var q = string.Join(' ', Domain.SearchText.Words(names[i]).Take(2).Select(w => w.Length <= 3 ? w : w[..3]));
                        return await traffic.SendAsync(HttpMethod.Get, $"/api/cases?region={RegionTable.RegencyOf(rows[i].Region)}&q={Uri.EscapeDataString(q)}", TokenOf(i), null);
                    });
                    mix.Add("enrolment", 10, async () =>
                    {
                        var i = elsewhere[Random.Shared.Next(elsewhere.Length)];
                        var choices = offers[RegionTable.ProvinceOf(rows[i].Region)];
                        var answer = await traffic.SendAsync(HttpMethod.Post, $"/api/cases/{rows[i].Number}/enrolments", TokenOf(i),
                            new { commandId = Guid.NewGuid().ToString(), offerId = choices[Random.Shared.Next(choices.Length)], acknowledgeOverlap = true });
                        return answer with { MovesDashboard = true };
                    });
                    return mix;
                }

                // The same mix at a quarter and at half the rate first: where the latency goal holds on this machine.
                foreach (var lower in new[] { options.Rate / 4, options.Rate / 2 })
                {
                    log.WriteLine($"mixed load: {lower}/s for {options.Seconds} s over {frontends.Length} frontends");
                    var lowerCpu = Cpu.Start();
                    var lowerCommits = await CommitsAsync(national);
                    foreach (var line in (await Mix(lower).RunAsync()).Lines())
                    {
                        Report(line);
                    }

                    Report(lowerCpu.Line() + await CommitRateAsync(national, lowerCommits, lowerCpu.Elapsed));
                }

                log.WriteLine($"mixed load: {options.Rate}/s for {options.Seconds} s over {frontends.Length} frontends");
                var cpu = Cpu.Start();
                var commits = await CommitsAsync(national);
                notices.Clear();
                var mixed = await Mix(options.Rate).RunAsync();
                foreach (var line in mixed.Lines())
                {
                    Report(line);
                }

                Report(cpu.Line() + await CommitRateAsync(national, commits, cpu.Elapsed));
                Report(DashboardLag(mixed.DashboardAcks, [.. notices]) + (watcherClosed ? " · THE WATCHER'S CONNECTION CLOSED" : ""));
                Report("consequences      " + await admin.GetStringAsync("/api/admin/consequences") + " (right after the mix)");

                // 2. People look-ups on the loaded index, while the cluster runs.
                Report("people look-ups (the production store on the national database, one at a time):");
                foreach (var line in await PeopleBench.MeasureAsync(people.People, new NationalShape(new Random(17)), Math.Max(200, (int)(2_000 * Math.Min(1, options.Scale * 10))), TextWriter.Null))
                {
                    Report("  " + line);
                }

                // 3. The plain peer against ours: the same journey steps and reads, flat out, the same workers, the same cases.
                var compare = TimeSpan.FromSeconds(Math.Max(10, options.Seconds / 3));
                var workingSet = comparePool.Take(options.Workers * 8).ToArray();
                Report($"-- CaseGrains against the plain peer: {options.Workers} workers flat out, {compare.TotalSeconds:F0} s each --");
                Report($"   warm: a caseworker's working set ({workingSet.Length:N0} cases, 8 a worker, each case's steps in turn); cold: each step or read on a case untouched so far ({coldPool.Length:N0} cases; reads anywhere in the country)");
                cpu = Cpu.Start();
                var ours = await FlatOutAsync(traffic, rows, workingSet, coldPool, elsewhere, TokenOf, options.Workers, compare);
                var oursCpu = cpu.Line();
                await using var peer = await PlainPeer.Process.StartAsync(peerDatabase, spec.JwtSigningKey);
                using var peerTraffic = new Traffic([peer.BaseAddress]);
                cpu = Cpu.Start();
                var plain = await FlatOutAsync(peerTraffic, rows, workingSet, coldPool, elsewhere, TokenOf, options.Workers, compare);
                var plainCpu = cpu.Line();
                foreach (var (name, kind) in new (string, Func<FlatOut, Tally>)[]
                {
                    ("journey steps, warm", f => f.StepsWarm), ("journey steps, cold", f => f.StepsCold),
                    ("case reads, warm   ", f => f.ReadsWarm), ("case reads, cold   ", f => f.ReadsCold),
                })
                {
                    Report(FlatOut.Line("CaseGrains " + name, kind(ours)));
                    Report(FlatOut.Line("plain peer " + name, kind(plain)));
                    Report(string.Create(CultureInfo.InvariantCulture,
                        $"  ratio           throughput {kind(ours).Rate / kind(plain).Rate:F2}× the peer's · p99 {kind(ours).P(99) / kind(plain).P(99):F2}× (goal: ≥ 1.0× throughput at equal or lower p99)"));
                }

                Report(oursCpu + " (CaseGrains' four runs)");
                Report(plainCpu + " (the peer's four runs)");
            }
            finally
            {
                foreach (var node in Enumerable.Reverse(nodes))
                {
                    await node.DisposeAsync();
                }
            }

            // 4. With the cluster stopped: activations in a silo hosted here, on the national database.
            Report("-- activations (a silo in this process on the national database) --");
            // 250,000: more than the silo's directory cache holds (CaseGrains:DirectoryCacheSize, 100,000), so "one more
            // active case" is what a silo of a national caseload pays for it.
            Report(await ActivationBench.RunAsync(Scaled(250_000, 2_000), 64, national, TextWriter.Null));
            Report(await SnapshotBench.RunAsync(national, 3, 3, TextWriter.Null, options.Scale >= 0.1 ? null : [10, 100, 1_000]));
            return string.Join('\n', report);
        }
        finally
        {
            if (!options.Keep)
            {
                await DropAsync(server, national);
                await DropAsync(server, peerDatabase);
            }
            else
            {
                log.WriteLine($"kept: {national} and {peerDatabase}");
            }

            await server.DisposeAsync();
        }
    }

    private static async Task DropAsync(PostgresServer server, string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(server.AdminConnectionString);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Transactions committed in the national database (reads included), WAL fsyncs of the server, and the case list's
    /// row updates with those made in place (HOT: no index written), so far (the statistics lag up to half a second).
    /// </summary>
    private static async Task<(long Commits, long WalSyncs, long Updates, long InPlace)> CommitsAsync(string national)
    {
        await using var conn = new NpgsqlConnection(national);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), (SELECT wal_sync FROM pg_stat_wal),
                   (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'case_index'), (SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'case_index')
            """, conn);
        await using var row = await cmd.ExecuteReaderAsync();
        await row.ReadAsync();
        return (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3));
    }

    private static async Task<string> CommitRateAsync(string national, (long Commits, long WalSyncs, long Updates, long InPlace) before, TimeSpan elapsed)
    {
        var after = await CommitsAsync(national);
        var updates = after.Updates - before.Updates;
        return string.Create(CultureInfo.InvariantCulture,
            $" · database: {(after.Commits - before.Commits) / elapsed.TotalSeconds:F0} transactions/s (reads included), {(after.WalSyncs - before.WalSyncs) / elapsed.TotalSeconds:F0} WAL fsyncs/s, case list {updates / elapsed.TotalSeconds:F0} row updates/s ({(updates == 0 ? 0 : 100.0 * (after.InPlace - before.InPlace) / updates):F0} % in place)");
    }

    /// <summary>The catalog as one CSV import: training courses at province level, spread over the provinces; their ids by province.</summary>
    private static async Task<Dictionary<string, string[]>> ImportOffersAsync(HttpClient admin, string[] provinces, int count, TextWriter log)
    {
        var csv = new StringBuilder(MatchingBench.CatalogHeader);
        var byProvince = provinces.ToDictionary(p => p, _ => new List<string>(), StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var province = provinces[i % provinces.Length];
            var id = $"nat-{i:D5}";
            byProvince[province].Add(id);
            csv.Append(CultureInfo.InvariantCulture, $"{id},Pelatihan {i},Training,Pemasaran Digital,Dinas {province},Provinsi,,Umkm,{province},2026-01-01,2030-12-31,1000000,,,,,Kuliner\n");
        }

        var clock = Stopwatch.StartNew();
        using var import = new HttpRequestMessage(HttpMethod.Post, "/api/offers/import") { Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv") };
        using var response = await admin.SendAsync(import);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || !body.Contains("\"rejected\":0", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"offer import failed: {(int)response.StatusCode} {body}");
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"imported {count:N0} offers in {clock.Elapsed.TotalSeconds:F1} s"));
        return byProvince.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>For each accepted command that moves the dashboard: the time from its answer to the next national notice.</summary>
    private static string DashboardLag(IReadOnlyList<long> acks, long[] notices)
    {
        Array.Sort(notices);
        var lag = new LongHistogram(600_000_000, 3);
        var missed = 0;
        foreach (var ack in acks)
        {
            var at = Array.BinarySearch(notices, ack);
            at = at < 0 ? ~at : at;
            if (at == notices.Length)
            {
                missed++;
                continue;
            }

            lag.RecordValue(Math.Max(1, (notices[at] - ack) * 1_000_000 / Stopwatch.Frequency));
        }

        var silence = notices.Length < 2 ? 0 : notices.Zip(notices.Skip(1), (a, b) => (b - a) / (double)Stopwatch.Frequency).Max();
        return lag.TotalCount == 0 ? $"dashboard lag     no notice received ({acks.Count} commands that move it)" : string.Create(CultureInfo.InvariantCulture,
            $"dashboard lag     p50 {lag.GetValueAtPercentile(50) / 1000.0:F0} ms · p99 {lag.GetValueAtPercentile(99) / 1000.0:F0} ms · max {lag.GetMaxValue() / 1000.0:F0} ms from a command's answer to the national notice after it ({lag.TotalCount:N0} commands, {notices.Length:N0} notices, the longest silence between two {silence:F1} s{(missed > 0 ? $", {missed} answered after the last notice" : "")})");
    }

    /// <summary>
    /// Journey steps and case reads flat out by <paramref name="workers"/> workers (one request at a time per case): on a
    /// working set (each case's next step in turn; reads of those cases), then cold (each step the first of a case not
    /// touched before, until <paramref name="coldCases"/> run out; reads anywhere in <paramref name="nationwide"/>).
    /// </summary>
    private static async Task<FlatOut> FlatOutAsync(Traffic traffic, (string Number, string Region, DateTimeOffset Opened)[] rows, int[] workingSet, int[] coldCases,
        int[] nationwide, Func<int, string> tokenOf, int workers, TimeSpan duration)
    {
        var result = new FlatOut();
        await RunAsync(result.StepsWarm, Steps(new Journey(workingSet), again: true));
        await RunAsync(result.StepsCold, Steps(new Journey(coldCases), again: false));
        await RunAsync(result.ReadsWarm, Reads(workingSet));
        await RunAsync(result.ReadsCold, Reads(nationwide));
        return result;

        Func<Task<Answer?>> Steps(Journey journey, bool again) => async () =>
        {
            if (!journey.TryTake(out var i, out var step))
            {
                return null;
            }

            var answer = await traffic.SendAsync(HttpMethod.Post, Journey.Path(rows[i].Number, step), tokenOf(i), Journey.Body(step));
            if (again)
            {
                journey.Return(i);
            }

            return answer;
        };

        Func<Task<Answer?>> Reads(int[] cases) => async () =>
        {
            var i = cases[Random.Shared.Next(cases.Length)];
            return await traffic.SendAsync(HttpMethod.Get, $"/api/cases/{rows[i].Number}", tokenOf(i), null);
        };

        async Task RunAsync(Tally tally, Func<Task<Answer?>> op)
        {
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                // A worker stops with the clock, or when its pool has no case left for it.
                while (!stop.IsCancellationRequested && await op() is { } answer)
                {
                    tally.Record(answer);
                }
            })));
            tally.Seconds = clock.Elapsed.TotalSeconds;
        }
    }

    /// <summary>
    /// CPU of every process of the run (silos, frontends, the peer, PostgreSQL, this generator), in cores (a PostgreSQL
    /// connection that ended during the run is missing from it).
    /// </summary>
    private sealed class Cpu
    {
        private readonly ProcessStats _stats = new(ProcessStats.FindCaseGrainsProcesses().Append(Environment.ProcessId));
        private readonly (long Busy, long Total) _machine = Machine();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public static Cpu Start() => new();

        public TimeSpan Elapsed => _clock.Elapsed;

        public string Line()
        {
            var now = Machine();
            var busy = (now.Busy - _machine.Busy) / (double)Math.Max(1, now.Total - _machine.Total);
            return "cpu (cores)       " + string.Join(" · ", _stats.Finish(_clock.Elapsed, ProcessStats.FindCaseGrainsProcesses()).GroupBy(p => p.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key + " " + (g.Key == "postgres" ? g.Sum(p => p.CpuCores).ToString("F2", CultureInfo.InvariantCulture)
                    : string.Join(" + ", g.Select(p => p.CpuCores.ToString("F2", CultureInfo.InvariantCulture))))))
                + string.Create(CultureInfo.InvariantCulture, $" · the machine {busy:P0} busy ({Environment.ProcessorCount} cores, kernel included)");
        }

        /// <summary>The machine's CPU time, busy and in all (/proc/stat, every core).</summary>
        private static (long Busy, long Total) Machine()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + fields[4];
            return (fields.Sum() - idle, fields.Sum());
        }
    }

    private sealed class FlatOut
    {
        public Tally StepsWarm { get; } = new();

        public Tally StepsCold { get; } = new();

        public Tally ReadsWarm { get; } = new();

        public Tally ReadsCold { get; } = new();

        public static string Line(string name, Tally t) => string.Create(CultureInfo.InvariantCulture,
            $"{name}  {t.Rate:F0}/s · p50 {t.P(50):F1} ms · p99 {t.P(99):F1} ms · p99.9 {t.P(99.9):F1} ms · {t.Summary()}");
    }
}
