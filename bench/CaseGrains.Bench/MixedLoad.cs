using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;

namespace CaseGrains.Bench;

/// <summary>One answer: its HTTP status (0: no answer), the problem's code when refused, its latency and when it came.</summary>
internal sealed record Answer(int Status, string? Code, long Micros, long AnsweredAt)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>An accepted command that moves the national dashboard's numbers.</summary>
    public bool MovesDashboard { get; init; }
}

/// <summary>Requests as a browser sends them (bearer token, JSON), spread round-robin over the given base addresses.</summary>
internal sealed class Traffic : IDisposable
{
    private readonly HttpClient[] _clients;
    private int _next;

    public Traffic(Uri[] baseAddresses) =>
        _clients = [.. baseAddresses.Select(b => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = b,
            Timeout = TimeSpan.FromSeconds(30),
        })];

    public HttpClient First => _clients[0];

    public async Task<Answer> SendAsync(HttpMethod method, string path, string token, object? body)
    {
        var client = _clients[(uint)Interlocked.Increment(ref _next) % _clients.Length];
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            string? code = null;
            if (!response.IsSuccessStatusCode)
            {
                try
                {
                    code = JsonDocument.Parse(text).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                }
                catch (JsonException)
                {
                    code = null;
                }
            }

            var end = Stopwatch.GetTimestamp();
            return new Answer((int)response.StatusCode, code, (end - start) * 1_000_000 / Stopwatch.Frequency, end);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var end = Stopwatch.GetTimestamp();
            return new Answer(0, e.GetType().Name, (end - start) * 1_000_000 / Stopwatch.Frequency, end);
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }
}

/// <summary>Answers of one kind: latency of every answer, accepted ones counted, the others by status and code.</summary>
internal sealed class Tally
{
    private readonly LongHistogram _latency = new(60_000_000, 3);
    private readonly ConcurrentDictionary<string, long> _other = new(StringComparer.Ordinal);
    private long _ok;

    public double Seconds { get; set; }

    public long Count => _latency.TotalCount;

    public double Rate => Seconds == 0 ? 0 : Interlocked.Read(ref _ok) / Seconds;

    public void Record(Answer answer)
    {
        if (answer.Ok)
        {
            Interlocked.Increment(ref _ok);
        }
        else
        {
            _other.AddOrUpdate(answer.Status == 0 ? $"no answer ({answer.Code})" : $"{answer.Status} {answer.Code}", 1, (_, n) => n + 1);
        }

        lock (_latency)
        {
            _latency.RecordValue(Math.Clamp(answer.Micros, 1, 59_000_000));
        }
    }

    /// <summary>Percentile in ms.</summary>
    public double P(double percentile)
    {
        lock (_latency)
        {
            return _latency.TotalCount == 0 ? double.NaN : _latency.GetValueAtPercentile(percentile) / 1000.0;
        }
    }

    public void AddTo(LongHistogram all)
    {
        lock (_latency)
        {
            all.Add(_latency);
        }
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Read(ref _ok):N0} accepted")
        + string.Concat(_other.OrderByDescending(o => o.Value).Select(o => string.Create(CultureInfo.InvariantCulture, $", {o.Value:N0} × {o.Key}")));
}

/// <summary>
/// Cases taken through their journey one step at a time, each case by one request at a time: from the bulk-loaded state
/// (intake active, consent given) the intake is completed, the assessment started, recorded and completed, training started
/// and skipped, mentoring and matching skipped; after that each step is a note.
/// </summary>
internal sealed class Journey(int[] pool)
{
    /// <summary>The steps that change the case's stage (the ones after them are notes).</summary>
    public const int Steps = 8;

    private static readonly string[] Needs = ["Pemasaran Digital"];
    private readonly ConcurrentQueue<int> _ready = new(pool);
    private readonly ConcurrentDictionary<int, int> _taken = new();

    public bool TryTake(out int index, out int step)
    {
        if (_ready.TryDequeue(out index))
        {
            step = _taken.AddOrUpdate(index, 0, (_, s) => s + 1);
            return true;
        }

        step = 0;
        return false;
    }

    public void Return(int index) => _ready.Enqueue(index);

    public static string Path(string caseNumber, int step) => $"/api/cases/{caseNumber}/" + step switch
    {
        0 => "stages/Intake/complete",
        1 => "stages/Assessment/start",
        2 => "assessment",
        3 => "stages/Assessment/complete",
        4 => "stages/Training/start",
        5 => "stages/Training/skip",
        6 => "stages/Mentoring/skip",
        7 => "stages/Matching/skip",
        _ => "notes",
    };

    public static object Body(int step)
    {
        var commandId = Guid.NewGuid().ToString();
        return step switch
        {
            2 => new { commandId, sector = "Kuliner", annualTurnoverIdr = 250_000_000L, businessCapitalIdr = 40_000_000L, workers = 3, needs = Needs },
            5 or 6 or 7 => new { commandId, reason = "tidak dibutuhkan (uji beban)" } as object,
            < Steps => new { commandId },
            _ => new { commandId, text = "kunjungan lapangan (uji beban)" },
        };
    }
}

/// <summary>
/// An open-loop mix at a fixed rate: each tick starts the operations that are due (kinds drawn by weight), whether or not
/// earlier ones have answered, so a slow answer delays no other request (no coordinated omission). A request's latency is
/// from its start to its answer. After a warm-up, the answers of requests started inside the window are counted.
/// </summary>
internal sealed class MixedLoad(double rate, TimeSpan warmup, TimeSpan duration)
{
    private const int MaxInFlight = 20_000;
    private readonly List<(string Name, int Weight, Func<Task<Answer?>> Op, Tally Tally)> _kinds = [];

    public void Add(string name, int weight, Func<Task<Answer?>> op) => _kinds.Add((name, weight, op, new Tally()));

    public async Task<Result> RunAsync()
    {
        var weights = _kinds.Sum(k => k.Weight);
        var pick = new Random(3);
        var acks = new ConcurrentQueue<long>();
        var inFlight = 0;
        long skipped = 0;
        long capped = 0;
        var pending = new ConcurrentDictionary<Task, bool>();
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var interval = Stopwatch.Frequency / rate;
        var nextDue = (double)start;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }

            while (nextDue <= now)
            {
                nextDue += interval;
                var roll = pick.Next(weights);
                var kind = _kinds.First(k => (roll -= k.Weight) < 0);
                var counted = now >= windowStart;
                if (Volatile.Read(ref inFlight) >= MaxInFlight)
                {
                    capped += counted ? 1 : 0;
                    continue;
                }

                Interlocked.Increment(ref inFlight);
                var task = Task.Run(async () =>
                {
                    try
                    {
                        var answer = await kind.Op();
                        if (!counted)
                        {
                            return;
                        }

                        if (answer is null)
                        {
                            Interlocked.Increment(ref skipped);
                            return;
                        }

                        kind.Tally.Record(answer);
                        if (answer.Ok && answer.MovesDashboard)
                        {
                            acks.Enqueue(answer.AnsweredAt);
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                });
                pending[task] = true;
                _ = task.ContinueWith(t => pending.TryRemove(t, out _), TaskScheduler.Default);
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending.Keys);
        foreach (var kind in _kinds)
        {
            kind.Tally.Seconds = duration.TotalSeconds;
        }

        return new Result(rate, duration, [.. _kinds.Select(k => (k.Name, k.Tally))], [.. acks], skipped, capped);
    }

    public sealed record Result(double Rate, TimeSpan Duration, IReadOnlyList<(string Name, Tally Tally)> Kinds, IReadOnlyList<long> DashboardAcks, long Skipped, long Capped)
    {
        public IEnumerable<string> Lines()
        {
            var all = new LongHistogram(60_000_000, 3);
            foreach (var (_, tally) in Kinds)
            {
                tally.AddTo(all);
            }

            double Ms(double p) => all.TotalCount == 0 ? double.NaN : all.GetValueAtPercentile(p) / 1000.0;
            var notSent = Capped + Skipped > 0
                ? string.Create(CultureInfo.InvariantCulture, $" · not sent: {Capped:N0} over the in-flight cap, {Skipped:N0} with no free journey case")
                : "";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"mixed load        offered {Rate:F0}/s for {Duration.TotalSeconds:F0} s: answered {all.TotalCount / Duration.TotalSeconds:F0}/s · p50 {Ms(50):F1} ms · p99 {Ms(99):F1} ms · p99.9 {Ms(99.9):F1} ms · max {(all.TotalCount == 0 ? double.NaN : all.GetMaxValue() / 1000.0):F0} ms (goal p99 ≤ 50 ms){notSent}");
            foreach (var (name, tally) in Kinds)
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-13} {tally.Count / Duration.TotalSeconds:F0}/s · p50 {tally.P(50):F1} ms · p99 {tally.P(99):F1} ms · p99.9 {tally.P(99.9):F1} ms · {tally.Summary()}");
            }
        }
    }
}
