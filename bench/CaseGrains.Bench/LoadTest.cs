using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CaseGrains.Bench;

/// <summary>Settings of one load run.</summary>
internal sealed record LoadOptions
{
    public required Uri Url { get; init; }
    public required string AdminUser { get; init; }
    public required string AdminPassword { get; init; }
    public int Cases { get; init; } = 1000;
    public int Mentors { get; init; } = 50;
    public int Workers { get; init; } = 16;
    /// <summary>Commands per second over all workers; 0 = flat out.</summary>
    public double Rate { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>PostgreSQL connection string, for commits/s (pg_stat_database).</summary>
    public string? Postgres { get; init; }
    /// <summary>The embedded deployment's SQLite file, for appends committed/s (timeline rows; one transaction each).</summary>
    public string? Sqlite { get; init; }
    /// <summary>Processes whose CPU and peak memory are reported; empty = every CaseGrains and postgres process found.</summary>
    public IReadOnlyList<int> Pids { get; init; } = [];
}

/// <summary>What one run measured.</summary>
internal sealed record LoadReport(
    double Seconds,
    long Acknowledged,
    IReadOnlyDictionary<string, long> Errors,
    long Pushed,
    LongHistogram Latency,
    double? CommitsPerSecond,
    IReadOnlyList<(int Pid, string Name, double CpuCores, long PeakRssBytes)> Processes)
{
    public double CommandsPerSecond => Acknowledged / Seconds;

    /// <summary>The database rate counts SQLite timeline appends (no commit counter there), not PostgreSQL commits.</summary>
    public bool SqliteAppends { get; init; }

    public long ErrorCount => Errors.Values.Sum();

    public double PercentileMs(double p) => Latency.TotalCount == 0 ? double.NaN : Latency.GetValueAtPercentile(p) / 1000.0;

    public string Format()
    {
        var lines = new List<string>
        {
            $"duration          {Seconds:F1} s (after warm-up)",
            $"acknowledged      {Acknowledged} commands = {CommandsPerSecond:F0}/s",
            $"errors            {ErrorCount} ({(Acknowledged + ErrorCount == 0 ? 0 : 100.0 * ErrorCount / (Acknowledged + ErrorCount)):F2} %)"
                + string.Concat(Errors.Select(e => $"\n                    {e.Value} × {e.Key}")),
            $"pushed to mentors {Pushed} of the acknowledged commands' events",
            $"POST → mentor     p50 {PercentileMs(50):F1} ms · p99 {PercentileMs(99):F1} ms · p99.9 {PercentileMs(99.9):F1} ms · max {(Latency.TotalCount == 0 ? double.NaN : Latency.GetMaxValue() / 1000.0):F1} ms",
        };
        if (CommitsPerSecond is { } c)
        {
            lines.Add(SqliteAppends ? $"database appends  {c:F0}/s committed (SQLite: one transaction each)" : $"database commits  {c:F0}/s");
        }

        foreach (var group in Processes.GroupBy(p => p.Name))
        {
            lines.Add(group.Key == "postgres"
                ? $"postgres          CPU {group.Sum(p => p.CpuCores):F2} cores ({group.Count()} processes)"
                : string.Join("\n", group.Select(p => $"{p.Name,-17} pid {p.Pid}: CPU {p.CpuCores:F2} cores, peak RSS {p.PeakRssBytes / 1048576.0:F0} MiB")));
        }

        return string.Join('\n', lines);
    }
}

/// <summary>
/// The load generator: creates caseworker and mentor accounts, opens cases and assigns them to mentors over the real
/// REST API, connects every mentor with a real SignalR client, then has workers issue journey commands (RecordConsent)
/// at a target rate or flat out for a bounded time. Each command's POST time and the time its event reaches the mentor
/// are taken on this process's clock, so the latency needs no clock sync.
/// </summary>
internal sealed class LoadTest(LoadOptions options, TextWriter log)
{
    private static readonly string[] BatuRegion = ["35.79"];
    private readonly ConcurrentDictionary<string, long> _sentAt = new();
    // Commands acknowledged inside the window, and every command whose event reached its mentor (in either order).
    private readonly ConcurrentQueue<string> _acknowledgedIds = new();
    private readonly ConcurrentDictionary<string, string> _caseOf = new();
    private readonly ConcurrentDictionary<string, bool> _pushedIds = new();
    private readonly LongHistogram _latency = new(TimeSpan.FromMinutes(1).Ticks / 10, 3);
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private long _acknowledged;
    private long _pushed;
    private volatile bool _measuring;

    public async Task<LoadReport> RunAsync(CancellationToken ct = default)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
        var run = Guid.NewGuid().ToString("N")[..6];
        var admin = await BenchClient.TokenAsync(http, options.AdminUser, options.AdminPassword);

        log.WriteLine($"setting up: {options.Workers} caseworkers, {options.Mentors} mentors, {options.Cases} cases (run {run})");
        var caseworkers = Enumerable.Range(0, options.Workers).Select(i => $"bench-{run}-cw{i}").ToArray();
        var mentors = Enumerable.Range(0, options.Mentors).Select(i => $"bench-{run}-m{i}").ToArray();
        await ForEachAsync(caseworkers, 8, id => BenchClient.PutUserAsync(http, admin, id, "Caseworker", BatuRegion));
        await ForEachAsync(mentors, 8, async id =>
        {
            await BenchClient.PutUserAsync(http, admin, id, "Mentor", []);
            await SendAsync(http, HttpMethod.Put, $"/api/mentors/{id}/profile", admin, new { sectors = Array.Empty<string>(), regions = BatuRegion, capacity = 500 });
        });
        var tokens = new ConcurrentDictionary<string, string>();
        await ForEachAsync(caseworkers.Concat(mentors), 8, async id => tokens[id] = await BenchClient.TokenAsync(http, id, BenchClient.Password));

        var cases = new string[options.Cases];
        var salt = Random.Shared.Next(0, 900_000);
        await ForEachAsync(Enumerable.Range(0, options.Cases), 16, async i =>
        {
            var cw = tokens[caseworkers[i % caseworkers.Length]];
            for (var attempt = 0; ; attempt++)
            {
                var opened = await SendAsync(http, HttpMethod.Post, "/api/cases", cw, new
                {
                    commandId = Guid.NewGuid().ToString(), nik = Nik(salt + i + (attempt * 7919)), fullName = "Penerima Beban",
                    regionCode = "35.79.01", segment = "Umkm", consentGiven = true,
                }, allowConflict: true);
                if (opened is { } body)
                {
                    cases[i] = body.GetProperty("caseNumber").GetString()!;
                    break;
                }
            }

            await SendAsync(http, HttpMethod.Post, $"/api/cases/{cases[i]}/mentor", cw, new { commandId = Guid.NewGuid().ToString(), mentorId = mentors[i % mentors.Length] });
        });

        log.WriteLine("connecting mentors");
        var stopping = false;
        var connections = new List<HubConnection>();
        foreach (var mentor in mentors)
        {
            var connection = BenchClient.MentorHub(options.Url, tokens[mentor]);
            connection.Closed += _ =>
            {
                if (!stopping)
                {
                    _errors.AddOrUpdate("mentor connection closed", 1, (_, n) => n + 1);
                }

                return Task.CompletedTask;
            };
            connection.On<JsonElement>("CaseEvent", OnPushed);
            await connection.StartAsync(ct);
            await connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>(), ct);
            connections.Add(connection);
        }

        log.WriteLine($"running: {(options.Rate > 0 ? $"{options.Rate}/s" : "flat out")} for {options.Warmup.TotalSeconds:F0} s warm-up + {options.Duration.TotalSeconds:F0} s");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var perWorker = caseworkers.Select((cw, w) => (tokens[cw], cases.Where((_, i) => i % caseworkers.Length == w).ToArray())).ToArray();
        var workers = perWorker.Select(p => Task.Run(() => WorkAsync(http, p.Item1, p.Item2, stop.Token))).ToArray();

        await Task.Delay(options.Warmup, ct);
        var commitsBefore = await CommitsAsync();
        Interlocked.Exchange(ref _acknowledged, 0);
        Interlocked.Exchange(ref _pushed, 0);
        _errors.Clear();
        lock (_latency)
        {
            _latency.Reset();
        }

        _measuring = true;
        var measured = Stopwatch.StartNew();
        var stats = new ProcessStats(options.Pids.Count > 0 ? options.Pids : ProcessStats.FindCaseGrainsProcesses());
        await Task.Delay(options.Duration, ct);
        _measuring = false;
        var elapsed = measured.Elapsed;
        var acknowledged = Interlocked.Read(ref _acknowledged);
        var commitsAfter = await CommitsAsync();
        var processes = stats.Finish(elapsed);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        stopping = true;
        // Let the last pushes arrive before the mentors disconnect (they count as delivered, not in the latency).
        for (var i = 0; i < 100 && _acknowledgedIds.Any(c => !_pushedIds.ContainsKey(c)); i++)
        {
            await Task.Delay(100, CancellationToken.None);
        }
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        LongHistogram latency;
        lock (_latency)
        {
            latency = (LongHistogram)_latency.Copy();
        }

        if (_acknowledgedIds.Count(c => !_pushedIds.ContainsKey(c)) is > 0 and var unpushed)
        {
            var lostCases = _acknowledgedIds.Where(c => !_pushedIds.ContainsKey(c)).Select(c => _caseOf[c]).ToHashSet();
            var mentorOf = cases.Select((c, i) => (c, i % mentors.Length)).ToDictionary(x => x.c, x => x.Item2);
            log.WriteLine($"not pushed: {unpushed} commands on {lostCases.Count} cases of {lostCases.Select(c => mentorOf[c]).Distinct().Count()} mentors");
            _errors["acknowledged but never pushed to the mentor within 10 s"] = unpushed;
        }

        return new LoadReport(elapsed.TotalSeconds, acknowledged, new Dictionary<string, long>(_errors), Interlocked.Read(ref _pushed),
            latency, commitsBefore is { } b && commitsAfter is { } a ? (a - b) / elapsed.TotalSeconds : null, processes)
        {
            SqliteAppends = options.Sqlite is not null,
        };
    }

    private void OnPushed(JsonElement e)
    {
        var now = Stopwatch.GetTimestamp();
        if (!e.TryGetProperty("commandId", out var id) || id.GetString() is not { } commandId)
        {
            return;
        }

        _pushedIds[commandId] = true;
        if (_sentAt.TryRemove(commandId, out var sent) && _measuring)
        {
            Interlocked.Increment(ref _pushed);
            var micros = (now - sent) * 1_000_000 / Stopwatch.Frequency;
            lock (_latency)
            {
                _latency.RecordValue(Math.Max(1, micros));
            }
        }
    }

    private async Task WorkAsync(HttpClient http, string token, string[] cases, CancellationToken ct)
    {
        var interval = options.Rate > 0 ? TimeSpan.FromSeconds(options.Workers / options.Rate) : TimeSpan.Zero;
        var next = Stopwatch.GetTimestamp();
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            if (interval > TimeSpan.Zero)
            {
                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = TimeSpan.FromSeconds((next - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }

            var commandId = Guid.NewGuid().ToString();
            _sentAt[commandId] = Stopwatch.GetTimestamp();
            // A 503 (the cluster is replacing a silo) is waited out as its Retry-After asks, and the same command (same
            // id: safe) is sent again, as the web page does.
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{cases[i % cases.Length]}/consent")
                {
                    Content = JsonContent.Create(new { commandId, method = "bench" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                try
                {
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    if (response.IsSuccessStatusCode)
                    {
                        if (_measuring)
                        {
                            Interlocked.Increment(ref _acknowledged);
                            _acknowledgedIds.Enqueue(commandId);
                            _caseOf[commandId] = cases[i % cases.Length];
                        }
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 10 && !ct.IsCancellationRequested)
                    {
                        CountError("HTTP 503 (backed off, sent again)");
                        await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2), CancellationToken.None);
                        continue;
                    }
                    else
                    {
                        _sentAt.TryRemove(commandId, out _);
                        CountError($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    _sentAt.TryRemove(commandId, out _);
                    CountError(ex.GetType().Name);
                }

                break;
            }
        }
    }

    private void CountError(string kind)
    {
        if (_measuring)
        {
            _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }
    }

    private async Task<long?> CommitsAsync()
    {
        if (options.Sqlite is not null)
        {
            await using var file = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={options.Sqlite};Mode=ReadOnly");
            await file.OpenAsync();
            await using var rows = file.CreateCommand();
            rows.CommandText = "SELECT (SELECT count(*) FROM case_events) + (SELECT count(*) FROM case_refusals)";
            return (long)(await rows.ExecuteScalarAsync())!;
        }

        if (options.Postgres is null)
        {
            return null;
        }

        await using var conn = new NpgsqlConnection(options.Postgres);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT sum(xact_commit)::bigint FROM pg_stat_database", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A valid Kota Batu (kecamatan Batu) NIK, distinct for distinct n below 28 × 12 × 100 × 9999.</summary>
    internal static string Nik(int n)
    {
        var seq = 1 + (n % 9999);
        n /= 9999;
        var day = 1 + (n % 28);
        n /= 28;
        var month = 1 + (n % 12);
        n /= 12;
        return $"357901{day:D2}{month:D2}{n % 100:D2}{seq:D4}";
    }

    private static async Task<JsonElement?> SendAsync(HttpClient http, HttpMethod method, string path, string token, object body, bool allowConflict = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (allowConflict && response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? text.Length == 0 ? default(JsonElement) : JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    }

    private static Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, (item, _) => new ValueTask(body(item)));
}
