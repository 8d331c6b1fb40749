using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Grains.Abstractions;
using CaseGrains.LiveClient;
using CaseGrains.TestSupport;

namespace CaseGrains.Bench;

/// <summary>
/// What issue 15 measures (BENCHMARKS.md, "Through failures"), each on a real PostgreSQL cluster this benchmark starts
/// itself (silo and frontend processes, as deploy/local/cluster.sh does): recovery after <c>kill -9</c> of a silo (to the
/// first command on a case of the lost silo, to the first live push), the drain rate of a consequence backlog, and a fault
/// run (commands under load with a share of the consequences failing at random) that must end with zero drift.
/// </summary>
internal static class ResilienceBench
{
    private const string Admin = "bench.admin";
    private const string Password = BenchClient.Password;
    private static readonly string[] KotaBatu = ["35.79"];
    private static readonly string[] Umkm = ["Umkm"];
    private static readonly string[] DigitalMarketing = ["Pemasaran Digital"];

    // 503 answers seen by the workers (each sent again after its Retry-After).
    private static long _unavailable;

    /// <summary>The PostgreSQL server (the one given, else a throwaway one) and a cluster of silos and a frontend on it.</summary>
    private sealed class Deployment : IAsyncDisposable
    {
        private PostgresServer _server = null!;

        public TestCluster Cluster { get; private set; } = null!;

        public Node Frontend { get; private set; } = null!;

        public HttpClient Admin { get; private set; } = null!;

        public static async Task<Deployment> StartAsync(string? postgres, int silos, params string[] siloArguments)
        {
            if (postgres is not null)
            {
                Environment.SetEnvironmentVariable(PostgresServer.EnvironmentVariable, postgres);
            }

            var d = new Deployment { _server = new PostgresServer() };
            await d._server.InitializeAsync();
            d.Cluster = await TestCluster.StartAsync(d._server, silos, siloArguments);
            // CASEGRAINS_BENCH_LOGS (a folder): the processes' logs are kept there, the frontend's with the relay's details.
            string[] diagnostics = string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CASEGRAINS_BENCH_LOGS")) ? [] :
                ["--Logging:LogLevel:CaseGrains=Debug"];
            d.Frontend = await Node.StartFrontendAsync(d.Cluster.Spec, "frontend", ["--create-admin", ResilienceBench.Admin,
                "--CaseGrains:Auth:RequestsPerMinute=10000000", "--CaseGrains:Auth:SignInsPerMinute=100000", .. diagnostics]);
            d.Admin = await d.Frontend.ClientForAsync(ResilienceBench.Admin, await d.Frontend.AdminPasswordAsync());
            return d;
        }

        public async Task UserAsync(string id, string role, params string[] regions)
        {
            using var response = await Admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = id, role, regions, password = Password });
            Check(response, await response.Content.ReadAsStringAsync());
        }

        public Task<JsonElement> BacklogAsync() => AdminAsync(HttpMethod.Get, "/api/admin/consequences");

        /// <summary>An admin's request, sent again after each 503's Retry-After (a silo may just have been lost); the answer's JSON.</summary>
        public async Task<JsonElement> AdminAsync(HttpMethod method, string path)
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await Admin.SendAsync(new HttpRequestMessage(method, path));
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 30)
                {
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2));
                    continue;
                }

                Check(response, text);
                return JsonDocument.Parse(text).RootElement.Clone();
            }
        }

        /// <summary>Waits until no case is behind and nothing is being retried; returns the seconds it took.</summary>
        public async Task<double> WaitDrainedAsync(TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var b = await BacklogAsync();
                if (b.GetProperty("casesBehind").GetInt64() == 0 && b.GetProperty("failing").GetInt64() == 0)
                {
                    return clock.Elapsed.TotalSeconds;
                }

                if (clock.Elapsed > limit)
                {
                    throw new TimeoutException($"the consequences did not drain in {limit}: {b}");
                }

                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Admin?.Dispose();
            if (Frontend is not null)
            {
                await Frontend.DisposeAsync();
            }

            if (Cluster is not null)
            {
                await Cluster.DisposeAsync();
            }

            await _server.DisposeAsync();
        }
    }

    private static void Check(HttpResponseMessage response, string body)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>A POST as a caller, sent again (same body, same command id) after each 503's Retry-After; the answer's JSON.</summary>
    private static async Task<JsonElement> PostAsync(HttpClient http, string token, string path, object body)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 30)
            {
                Interlocked.Increment(ref _unavailable);
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2));
                continue;
            }

            Check(response, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static string Nik(int n) => string.Create(CultureInfo.InvariantCulture, $"357901{1 + (n % 28):D2}{1 + (n / 28 % 12):D2}85{n % 10000:D4}");

    /// <summary>Opens <paramref name="count"/> cases as the caseworker and gives each the mentor.</summary>
    private static async Task<IReadOnlyList<string>> CasesAsync(HttpClient http, string caseworker, string? mentor, int count, int salt)
    {
        var cases = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var opened = await PostAsync(http, caseworker, "/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = Nik(salt + i), fullName = "Penerima Uji Tahan", regionCode = "35.79.01", segment = "Umkm", consentGiven = true,
            });
            var number = opened.GetProperty("caseNumber").GetString()!;
            if (mentor is not null)
            {
                await PostAsync(http, caseworker, $"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = mentor });
            }

            cases.Add(number);
        });
        return [.. cases];
    }

    /// <summary>
    /// Rounds of: notes on a mentor's cases through the frontend all along, <c>kill -9</c> of the silo hosting most of them,
    /// a new silo joining. Per round: from the kill to the first command acknowledged on a case of the lost silo, the push
    /// time of the first event acknowledged after the kill and of the first on a case of the lost silo, the slowest
    /// delivery, and events not delivered or delivered twice.
    /// </summary>
    public static async Task<string> RecoveryAsync(string? postgres, int rounds, int caseCount, TextWriter log)
    {
        await using var d = await Deployment.StartAsync(postgres, 2);
        await d.UserAsync("bench.cw", "Caseworker", "35.79");
        await d.UserAsync("bench.mentor", "Mentor");
        using (var profile = await d.Admin.PutAsJsonAsync("/api/mentors/bench.mentor/profile", new { sectors = Array.Empty<string>(), regions = KotaBatu, capacity = 500 }))
        {
            Check(profile, await profile.Content.ReadAsStringAsync());
        }

        using var http = new HttpClient { BaseAddress = d.Frontend.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var cw = await BenchClient.TokenAsync(http, "bench.cw", Password);
        var mentorToken = await BenchClient.TokenAsync(http, "bench.mentor", Password);
        var cases = await CasesAsync(http, cw, "bench.mentor", caseCount, Random.Shared.Next(0, 5000));
        await using var mentor = await CaseFeedClient.ConnectAsync(d.Frontend.BaseAddress, () => Task.FromResult<string?>(mentorToken),
            cases.ToDictionary(c => c, _ => 2L));
        var delivered = new ConcurrentDictionary<(string, long), long>();
        var twice = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var e in mentor.Events.ReadAllAsync())
            {
                if (!delivered.TryAdd((e.CaseNumber, e.Seq), Stopwatch.GetTimestamp()))
                {
                    Interlocked.Increment(ref twice);
                }
            }
        });

        var acks = new ConcurrentQueue<Ack>();
        using var stop = new CancellationTokenSource();
        var workerCount = Math.Min(8, cases.Count);
        var workers = Enumerable.Range(0, workerCount).Select(w => Task.Run(async () =>
        {
            var mine = cases.Where((_, i) => i % workerCount == w).ToArray();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var n = mine[i % mine.Length];
                var sent = Stopwatch.GetTimestamp();
                var answer = await PostAsync(http, cw, $"/api/cases/{n}/notes", new { commandId = Guid.NewGuid().ToString(), text = $"catatan {i}" });
                acks.Enqueue(new Ack(n, answer.GetProperty("seq").GetInt64(), sent, Stopwatch.GetTimestamp()));
                await Task.Delay(25);
            }
        })).ToArray();

        var lines = new List<string>();
        var management = d.Cluster.Grains.GetGrain<IManagementGrain>(0);
        for (var round = 1; round <= rounds; round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var hosts = new Dictionary<string, string>();
            foreach (var n in cases)
            {
                hosts[n] = (await management.GetActivationAddress(d.Cluster.Grains.GetGrain<ICaseGrain>(n)))?.ToParsableString() ?? "";
            }

            var live = d.Cluster.Nodes.Where(n => !n.HasExited).ToList();
            var victim = live.OrderByDescending(node => hosts.Values.Count(h => h.Contains($":{node.SiloPort}@", StringComparison.Ordinal))).First();
            var affected = cases.Where(c => hosts[c].Contains($":{victim.SiloPort}@", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            await victim.KillAsync();
            var killedAt = Stopwatch.GetTimestamp();
            var probe = ProbeAsync(http, cw, affected.First(), killedAt);
            var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 60);
            var unavailableBefore = Volatile.Read(ref _unavailable);
            while (!(Seconds(killedAt, Stopwatch.GetTimestamp()) > 10 && acks.Any(a => a.Sent > killedAt && affected.Contains(a.Case))))
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"round {round}: no case of the lost silo took a command again within 60 s");
                }

                await Task.Delay(100);
            }

            // Commands sent after the kill: the first acknowledged on a case of the lost silo says when those cases work again.
            var window = acks.Where(a => a.Sent > killedAt).ToList();
            var outage = acks.Where(a => a.At > killedAt - Stopwatch.Frequency * 2 && a.Sent <= killedAt + Stopwatch.Frequency * 10).ToList();
            await WaitDeliveredAsync(outage, delivered);
            var first = window.MinBy(a => a.At)!;
            var firstAffected = window.Where(a => affected.Contains(a.Case)).MinBy(a => a.At)!;
            var missing = outage.Count(a => !delivered.ContainsKey((a.Case, a.Seq)));
            var slowest = outage.Where(a => delivered.ContainsKey((a.Case, a.Seq))).Max(a => Seconds(a.At, delivered[(a.Case, a.Seq)]));
            var longestWait = outage.Max(a => Seconds(a.Sent, a.At));
            var recovered = await probe;
            var slowestAck = outage.Where(a => delivered.ContainsKey((a.Case, a.Seq))).MaxBy(a => Seconds(a.At, delivered[(a.Case, a.Seq)]))!;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {affected.Count}/{cases.Count} cases on the lost silo · a command every 100 ms on one of them: first acknowledged {recovered:F2} s after the kill · " +
                $"the workers' first on one (503 answers waited out) {Seconds(killedAt, firstAffected.At):F2} s · " +
                $"longest wait for an acknowledgement {longestWait:F2} s ({Volatile.Read(ref _unavailable) - unavailableBefore} answers 503, sent again) · " +
                $"first event sent after the kill pushed {Latency(first, delivered):F0} ms after its acknowledgement, first on a case of the lost silo {Latency(firstAffected, delivered):F0} ms · " +
                $"slowest delivery (acknowledged 2 s before to 10 s after) {slowest:F2} s (acknowledged {Seconds(killedAt, slowestAck.At):F2} s after the kill{(affected.Contains(slowestAck.Case) ? ", a case of the lost silo" : "")}) · " +
                $"{missing} not delivered · {Volatile.Read(ref twice)} twice"));
            log.WriteLine(lines[^1]);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  kill at {DateTime.UtcNow.AddSeconds(-Seconds(killedAt, Stopwatch.GetTimestamp())):HH:mm:ss.fff}, slowest acknowledged at {DateTime.UtcNow.AddSeconds(-Seconds(slowestAck.At, Stopwatch.GetTimestamp())):HH:mm:ss.fff} ({slowestAck.Case} #{slowestAck.Seq})"));
            await d.Cluster.AddSiloAsync();
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        if (Environment.GetEnvironmentVariable("CASEGRAINS_BENCH_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "frontend.log"), d.Frontend.Log);
            foreach (var node in d.Cluster.Nodes)
            {
                await File.WriteAllTextAsync(Path.Combine(logs, node.Name + ".log"), node.Log);
            }
        }

        await mentor.DisposeAsync();
        await reader;
        return string.Join('\n', [string.Create(CultureInfo.InvariantCulture, $"-- recovery after kill -9 of a silo (2 silos, 1 frontend, {workerCount} workers posting notes, 1 mentor connected, {cases.Count} cases) --"), .. lines]);
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    /// <summary>
    /// Sends a note on the case every 100 ms (each once, not waiting for the previous) until one is acknowledged; the seconds
    /// from <paramref name="killedAt"/> to that acknowledgement: when the cluster serves the lost silo's cases again.
    /// </summary>
    private static async Task<double> ProbeAsync(HttpClient http, string token, string caseNumber, long killedAt)
    {
        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new List<Task>();
        for (var i = 0; !done.Task.IsCompleted && Seconds(killedAt, Stopwatch.GetTimestamp()) < 60; i++)
        {
            sent.Add(Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseNumber}/notes")
                {
                    Content = JsonContent.Create(new { commandId = Guid.NewGuid().ToString(), text = "uji pulih" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    done.TrySetResult(Seconds(killedAt, Stopwatch.GetTimestamp()));
                }
            }));
            await Task.WhenAny(done.Task, Task.Delay(100));
        }

        await Task.WhenAll(sent);
        return done.Task.IsCompleted ? await done.Task : double.NaN;
    }

    /// <summary>A command acknowledged: its case and seq, when it was first sent and when it was acknowledged (timestamps).</summary>
    private sealed record Ack(string Case, long Seq, long Sent, long At);

    private static double Latency(Ack a, ConcurrentDictionary<(string, long), long> delivered) =>
        delivered.TryGetValue((a.Case, a.Seq), out var at) ? Seconds(a.At, at) * 1000 : double.NaN;

    private static async Task WaitDeliveredAsync(IEnumerable<Ack> acks, ConcurrentDictionary<(string, long), long> delivered)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (acks.Any(a => !delivered.ContainsKey((a.Case, a.Seq))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// A backlog built on purpose: every consequence of <paramref name="cases"/> × <paramref name="notes"/> commands parked
    /// (injected failures, one attempt), the silo replaced by one without faults, then an admin's retry: how fast the
    /// consequences catch up (events per second, each running its 7 kinds).
    /// </summary>
    public static async Task<string> DrainAsync(string? postgres, int cases, int notes, TextWriter log)
    {
        await using var d = await Deployment.StartAsync(postgres, 1,
            "--CaseGrains:Faults:Enabled=true", "--CaseGrains:Faults:Consequences=all=always", "--CaseGrains:Consequences:MaxAttempts=1");
        var numbers = await d.Cluster.OpenCasesAsync(cases);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(numbers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, _) =>
        {
            for (var i = 0; i < notes; i++)
            {
                var outcome = await d.Cluster.Grains.GetGrain<ICaseGrain>(n).Execute(new AddNoteRequest { CommandId = Guid.NewGuid().ToString(), Text = $"catatan {i}" }, TestCluster.Caseworker);
                if (!outcome.Accepted)
                {
                    throw new InvalidOperationException(outcome.Refusal?.Code);
                }
            }
        });
        var written = clock.Elapsed.TotalSeconds;
        var events = cases * (notes + 1L);
        var parked = await d.BacklogAsync();
        log.WriteLine($"backlog built: {events} events in {written:F1} s, {parked.GetProperty("parked").GetInt64()} (case, kind) parked");

        // The cause is fixed: a silo without the fault takes over, and an admin retries everything parked.
        await d.Cluster.Nodes[0].KillAsync();
        await d.Cluster.AddSiloAsync();
        clock.Restart();
        await d.AdminAsync(HttpMethod.Post, "/api/admin/consequences/retry");
        var drainedIn = await d.WaitDrainedAsync(TimeSpan.FromMinutes(10));
        var after = await d.BacklogAsync();
        return string.Create(CultureInfo.InvariantCulture, $"""
            -- consequence backlog drain (1 silo on PostgreSQL) --
            backlog           {cases} cases × {notes + 1} events = {events} events, every kind parked ({parked.GetProperty("parked").GetInt64()} held (case, kind))
            drained in        {drainedIn:F1} s after the admin's retry (a new silo: every case activated again from its timeline)
            drain rate        {events / drainedIn:F0} events/s, {events * 7 / drainedIn:F0} consequences/s (7 kinds each)
            left              {after.GetProperty("parked").GetInt64()} parked, {after.GetProperty("failing").GetInt64()} failing, {after.GetProperty("casesBehind").GetInt64()} behind
            """);
    }

    /// <summary>
    /// Journeys under load with each consequence failing at random with <paramref name="probability"/> per attempt: intake,
    /// a mentor, a note, a course, a new mentor, the course withdrawn, a closure asked and approved. Afterwards the
    /// consequences drain and the reconciliation must find zero drift.
    /// </summary>
    public static async Task<string> FaultsAsync(string? postgres, double probability, TimeSpan duration, int workers, TextWriter log)
    {
        await using var d = await Deployment.StartAsync(postgres, 2, "--CaseGrains:Faults:Enabled=true",
            $"--CaseGrains:Faults:Consequences=all={probability.ToString(CultureInfo.InvariantCulture)}", "--CaseGrains:Consequences:FirstRetry=00:00:00.2");
        await d.UserAsync("bench.cw", "Caseworker", "35.79");
        await d.UserAsync("bench.sv", "Supervisor", "35.79");
        foreach (var m in new[] { "bench.m1", "bench.m2" })
        {
            await d.UserAsync(m, "Mentor");
            using var profile = await d.Admin.PutAsJsonAsync($"/api/mentors/{m}/profile", new { sectors = Array.Empty<string>(), regions = KotaBatu, capacity = 500 });
            Check(profile, await profile.Content.ReadAsStringAsync());
        }

        using (var course = await d.Admin.PutAsJsonAsync("/api/offers/bench-kursus", new
        {
            name = "Kursus Uji Tahan", type = "Training", category = "Pemasaran Digital", provider = "Dinas", level = "KabKota",
            segments = Umkm, regions = KotaBatu, start = "2026-01-01", end = "2030-12-31", capacity = 100000,
        }))
        {
            Check(course, await course.Content.ReadAsStringAsync());
        }

        using var http = new HttpClient { BaseAddress = d.Frontend.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var cw = await BenchClient.TokenAsync(http, "bench.cw", Password);
        var sv = await BenchClient.TokenAsync(http, "bench.sv", Password);
        var commands = 0L;
        var journeys = 0L;
        var peakFailing = 0L;
        using var stop = new CancellationTokenSource(duration);
        var salt = Random.Shared.Next(0, 5000);
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakFailing = Math.Max(peakFailing, (await d.BacklogAsync()).GetProperty("failing").GetInt64());
                await Task.Delay(500);
            }
        });
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var j = 0; !stop.IsCancellationRequested; j++)
            {
                var c = (await PostAsync(http, cw, "/api/cases", new
                {
                    commandId = Guid.NewGuid().ToString(), nik = Nik(salt + (w * 100_000) + j), fullName = "Penerima Uji Tahan", regionCode = "35.79.01",
                    segment = "Umkm", consentGiven = true,
                })).GetProperty("caseNumber").GetString()!;
                var steps = new (string Token, string Path, object Body)[]
                {
                    (cw, "/mentor", new { mentorId = "bench.m1" }),
                    (cw, "/notes", new { text = "kunjungan pertama" }),
                    (cw, "/stages/intake/complete", new { }),
                    (cw, "/stages/assessment/start", new { }),
                    (cw, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 300_000_000, businessCapitalIdr = 50_000_000, workers = 2, needs = DigitalMarketing }),
                    (cw, "/stages/assessment/complete", new { }),
                    (cw, "/stages/training/start", new { }),
                    (cw, "/enrolments", new { offerId = "bench-kursus" }),
                    (cw, "/mentor", new { mentorId = "bench.m2" }),
                    (cw, "/enrolments/bench-kursus/withdraw", new { reason = "jadwal bentrok" }),
                    (cw, "/closure-request", new { reason = "Moved" }),
                    (sv, "/closure-request/approve", new { }),
                };
                foreach (var (token, path, body) in steps)
                {
                    var fields = JsonSerializer.SerializeToElement(body).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
                    fields["commandId"] = Guid.NewGuid().ToString();
                    await PostAsync(http, token, $"/api/cases/{c}{path}", fields);
                    Interlocked.Increment(ref commands);
                }

                Interlocked.Increment(ref journeys);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        await sampler;
        log.WriteLine($"load done: {journeys} journeys, {commands} commands in {seconds:F1} s; draining");
        var drainedIn = await d.WaitDrainedAsync(TimeSpan.FromMinutes(5));
        var backlog = await d.BacklogAsync();
        var report = await d.AdminAsync(HttpMethod.Post, "/api/admin/reconcile");
        return string.Create(CultureInfo.InvariantCulture, $"""
            -- fault run: {probability:P0} of consequence attempts fail at random (2 silos, 1 frontend, {workers} workers) --
            load              {journeys} journeys, {commands} commands in {seconds:F1} s = {commands / seconds:F0} commands/s, every one acknowledged
            held up           at most {peakFailing} (case, kind) being retried at once; {backlog.GetProperty("parked").GetInt64()} parked
            drained           {drainedIn:F1} s after the load stopped
            reconcile         {report.GetProperty("casesRead").GetInt32()} cases read: drift {report.GetProperty("drift").GetInt32()} (caseloads {report.GetProperty("caseloadDrift").GetArrayLength()}, places {report.GetProperty("placeDrift").GetArrayLength()}, counters {report.GetProperty("counterDrift").GetArrayLength()}, notices {report.GetProperty("noticeDrift").GetArrayLength()})
            """);
    }
}
