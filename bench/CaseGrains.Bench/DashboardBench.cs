using System.Collections.Concurrent;
using System.Diagnostics;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CaseGrains.Bench;

/// <summary>
/// How far the national dashboard's live signal lags the events (issue 16, deliverable 4: ≤ 2 s behind at 2,000
/// events/s), on PostgreSQL, in a real silo hosted by this process. Cases over the country (COPY, as in the deadline
/// benchmark) take commands that move the dashboard's counters (intake completed, then assessment started: the funnel
/// changes stage), offered at a fixed rate, open loop. A watcher subscribes to the national feed as a frontend does.
/// For each accepted command, the lag is from its answer to the first national signal after it: how long a watching
/// ministry page waits before it fetches numbers that hold the event (the numbers are written with the event itself).
/// </summary>
internal static class DashboardBench
{
    public static async Task<string> RunAsync(string postgres, int rate, int seconds, TextWriter log)
    {
        await PostgresSchema.ApplyAsync(postgres);
        await using var source = NpgsqlDataSource.Create(postgres);
        var commands = rate * seconds;
        var cases = (commands + 1) / 2;
        var prefix = $"7{Random.Shared.Next(100, 999)}-";
        log.WriteLine($"loading {cases:N0} cases over the country");
        var numbers = await LoadAsync(source, prefix, cases);

        var (host, dataDirectory) = await ActivationBench.StartSiloAsync(postgres);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var watcher = new Watcher();
            var reference = grains.CreateObjectReference<IDashboardObserver>(watcher);
            await grains.GetGrain<IDashboardFeedGrain>(Domain.Services.Offer.National).Subscribe(reference);

            var provinces = RegionTable.Kemendagri.All.Where(r => r.Level == RegionLevel.Province).Select(r => r.Code).ToArray();
            var actor = new Actor("bench-dashboard", Role.Caseworker, provinces);
            log.WriteLine($"activating the {cases:N0} cases");
            await Parallel.ForEachAsync(numbers, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (n, _) => await grains.GetGrain<ICaseGrain>(n).GetScope());

            // Open loop at the offered rate, a bounded number in flight (a command that would exceed it waits: the
            // achieved rate is then what the silo sustains).
            var answered = new ConcurrentBag<(long At, bool Accepted)>();
            var failed = 0;
            using var slots = new SemaphoreSlim(512);
            log.WriteLine($"{commands:N0} commands offered at {rate}/s");
            var clock = Stopwatch.StartNew();
            var inFlight = new List<Task>(commands);
            for (var i = 0; i < commands; i++)
            {
                var due = TimeSpan.FromSeconds(i / (double)rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                // Each case: intake completed, then (half the run later) assessment started.
                var number = numbers[i % cases];
                var command = i < cases
                    ? new StageCommandRequest { CommandId = Guid.NewGuid().ToString(), Stage = Stage.Intake, Action = StageAction.Complete }
                    : new StageCommandRequest { CommandId = Guid.NewGuid().ToString(), Stage = Stage.Assessment, Action = StageAction.Start };
                await slots.WaitAsync();
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        var outcome = await grains.GetGrain<ICaseGrain>(number).Execute(command, actor);
                        answered.Add((Stopwatch.GetTimestamp(), outcome.Accepted));
                    }
                    catch (Exception ex) when (ex is TimeoutException or OrleansException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
            }

            await Task.WhenAll(inFlight);
            var offered = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            await grains.GetGrain<IDashboardFeedGrain>(Domain.Services.Offer.National).Unsubscribe(reference);

            var signals = watcher.Signals.Order().ToArray();
            var lags = answered.Where(a => a.Accepted).Select(a =>
            {
                var index = Array.BinarySearch(signals, a.At);
                index = index < 0 ? ~index : index;
                return index < signals.Length ? (signals[index] - a.At) * 1000.0 / Stopwatch.Frequency : double.PositiveInfinity;
            }).Order().ToArray();
            double P(double p) => lags[Math.Min(lags.Length - 1, (int)Math.Ceiling(p * lags.Length) - 1)];
            var accepted = lags.Length;
            return $"""
                dashboard (Cluster, PostgreSQL, one silo): {commands:N0} counter-moving commands offered at {rate}/s over {cases:N0} cases
                achieved          {accepted:N0} accepted in {offered.TotalSeconds:F1} s ({accepted / offered.TotalSeconds:F0} events/s; {failed} failed, 512 at most in flight)
                national signals  {signals.Length} ({signals.Length / offered.TotalSeconds:F1}/s)
                lag, answer → next national signal: p50 {P(0.5):F0} ms · p99 {P(0.99):F0} ms · max {lags[^1]:F0} ms
                """;
        }
        finally
        {
            await ActivationBench.StopSiloAsync(host, dataDirectory);
        }
    }

    private sealed class Watcher : IDashboardObserver
    {
        public ConcurrentBag<long> Signals { get; } = [];

        public void OnChanged(string regionCode) => Signals.Add(Stopwatch.GetTimestamp());
    }

    private static async Task<string[]> LoadAsync(NpgsqlDataSource source, string prefix, int cases)
    {
        var shape = new NationalShape(new Random(4));
        var now = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, cases).Select(i => ($"{prefix}{i:D7}", shape.District(shape.Regency()), now)).ToArray();
        await using var conn = await source.OpenConnectionAsync();
        await OpenCasesCopy.WriteAsync(conn, rows);
        await using var analyze = new NpgsqlCommand("ANALYZE case_events; ANALYZE case_index", conn);
        await analyze.ExecuteNonQueryAsync();
        return [.. rows.Select(r => r.Item1)];
    }
}
