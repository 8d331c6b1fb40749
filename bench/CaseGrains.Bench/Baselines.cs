using System.Diagnostics;
using CaseGrains.Grains.Storage;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Bench;

/// <summary>
/// The physical limits a load run is compared with, measured on the same machine: the database doing exactly the
/// case grain's append (one event row + one case-list row, one transaction) at a given concurrency, and SignalR itself
/// (a round trip to a hub that does nothing).
/// </summary>
internal static class Baselines
{
    /// <summary>Appends as fast as <paramref name="concurrency"/> cases can, each its own sequence; returns appends/s.</summary>
    public static async Task<double> AppendRateAsync(ICaseTimelineStore store, int concurrency, TimeSpan duration)
    {
        var prefix = "9" + Random.Shared.Next(100, 999) + "-";
        var count = 0L;
        using var stop = new CancellationTokenSource(duration);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var caseNumber = $"{prefix}{w:D6}";
            var (first, index) = Seeding.Opened(caseNumber, DateTimeOffset.UtcNow);
            await store.TryAppendAsync(first, index, CancellationToken.None);
            var prev = first.Hash;
            for (long seq = 2; !stop.IsCancellationRequested; seq++)
            {
                var (e, row) = Seeding.Consent(caseNumber, seq, prev, DateTimeOffset.UtcNow);
                if (!await store.TryAppendAsync(e, row, CancellationToken.None))
                {
                    throw new InvalidOperationException("baseline append conflicted");
                }

                prev = e.Hash;
                Interlocked.Increment(ref count);
            }
        })));
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The database's own limit for this write: the same append statement, one transaction (one commit) per append,
    /// from <paramref name="concurrency"/> writers (what a one-commit-per-command design can at most reach).
    /// </summary>
    public static async Task<double> OneCommitPerAppendRateAsync(Npgsql.NpgsqlDataSource source, int concurrency, TimeSpan duration)
    {
        var prefix = "6" + Random.Shared.Next(100, 999) + "-";
        var count = 0L;
        using var stop = new CancellationTokenSource(duration);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var caseNumber = $"{prefix}{w:D6}";
            var prev = "";
            for (long seq = 1; !stop.IsCancellationRequested; seq++)
            {
                var (e, row) = seq == 1 ? Seeding.Opened(caseNumber, DateTimeOffset.UtcNow) : Seeding.Consent(caseNumber, seq, prev, DateTimeOffset.UtcNow);
                await using var batch = source.CreateBatch();
                batch.BatchCommands.Add(Grains.Storage.Postgres.PostgresCaseEventStore.AppendCommand(e, row));
                await batch.ExecuteNonQueryAsync();
                prev = e.Hash;
                Interlocked.Increment(ref count);
            }
        })));
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Append cost at two case ages: appends/s to a case holding <paramref name="young"/> events vs one holding
    /// <paramref name="old"/>, one writer, measured in alternating rounds so that drift of the machine hits both alike.
    /// </summary>
    public static async Task<(double Young, double Old)> AppendCostByAgeAsync(ICaseTimelineStore store, int young, int old, int appends)
    {
        async Task<(string Case, long Seq, string Prev)> Build(int age)
        {
            var caseNumber = $"8{Random.Shared.Next(100, 999)}-{age:D6}";
            var (first, index) = Seeding.Opened(caseNumber, DateTimeOffset.UtcNow);
            await store.TryAppendAsync(first, index, CancellationToken.None);
            var prev = first.Hash;
            for (long seq = 2; seq <= age; seq++)
            {
                var (e, row) = Seeding.Consent(caseNumber, seq, prev, DateTimeOffset.UtcNow);
                await store.TryAppendAsync(e, row, CancellationToken.None);
                prev = e.Hash;
            }

            return (caseNumber, age + 1, prev);
        }

        var cases = new[] { await Build(young), await Build(old) };
        var elapsed = new double[2];
        const int Rounds = 10;
        for (var round = 0; round < Rounds; round++)
        {
            for (var which = 0; which < 2; which++)
            {
                var (caseNumber, seq, prev) = cases[which];
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < appends / Rounds; i++, seq++)
                {
                    var (e, row) = Seeding.Consent(caseNumber, seq, prev, DateTimeOffset.UtcNow);
                    await store.TryAppendAsync(e, row, CancellationToken.None);
                    prev = e.Hash;
                }

                elapsed[which] += watch.Elapsed.TotalSeconds;
                cases[which] = (caseNumber, seq, prev);
            }
        }

        var perCase = appends / Rounds * Rounds;
        return (perCase / elapsed[0], perCase / elapsed[1]);
    }

    /// <summary>A hub that answers at once, on loopback: round trips/s and latency with <paramref name="clients"/> clients flat out.</summary>
    public static async Task<(double PerSecond, LongHistogram Latency)> SignalREchoAsync(int clients, TimeSpan duration)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<EchoHub>("/echo");
        await app.StartAsync();
        var url = new Uri(app.Urls.First() + "/echo");
        var connections = new List<HubConnection>();
        for (var i = 0; i < clients; i++)
        {
            var c = new HubConnectionBuilder().WithUrl(url, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            }).Build();
            await c.StartAsync();
            connections.Add(c);
        }

        var histogram = new LongHistogram(60_000_000, 3);
        var count = 0L;
        using var stop = new CancellationTokenSource(duration);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(connections.Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sent = Stopwatch.GetTimestamp();
                await c.InvokeAsync<long>("Echo", sent);
                var micros = (Stopwatch.GetTimestamp() - sent) * 1_000_000 / Stopwatch.Frequency;
                lock (histogram)
                {
                    histogram.RecordValue(Math.Clamp(micros, 1, 59_000_000));
                }

                Interlocked.Increment(ref count);
            }
        })));
        var rate = count / watch.Elapsed.TotalSeconds;
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        await app.StopAsync();
        return (rate, histogram);
    }

    private sealed class EchoHub : Hub
    {
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "SignalR invokes instance methods only.")]
        public long Echo(long value) => value;
    }
}
