using System.Diagnostics;
using System.Globalization;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.Bench;

/// <summary>
/// Activation time against the length of a case's timeline (issue 16, deliverable 2), in a real silo hosted by this
/// process on the store the hosts use. Cases of 10, 1,000 and 10,000 events (notes and mentoring sessions, chained and
/// stored exactly as the case grain stores them) are written to the store; each is activated once with no snapshot (the
/// whole timeline replayed: the cost before snapshots, and the activation that writes the first snapshot), then every
/// long case takes 9 more events through the grain (one short of the next snapshot: the longest tail an activation
/// replays). Then, round after round, every case is deactivated and activated again, one at a time: the time from the
/// call to its answer, which is the load of the snapshot and the events after it, the fold, and Orleans' own work.
/// </summary>
internal static class SnapshotBench
{
    private static readonly int[] NationalLengths = [10, 1_000, 10_000];

    /// <summary>Runs it; <c>lengths</c> are the case lengths (10, 1,000 and 10,000 unless given; the first is the short one).</summary>
    public static async Task<string> RunAsync(string? postgres, int casesPerLength, int rounds, TextWriter log, int[]? lengths = null)
    {
        var sizes = lengths ?? NationalLengths;
        var (host, dataDirectory) = await ActivationBench.StartSiloAsync(postgres);
        try
        {
            var store = host.Services.GetRequiredService<ICaseTimelineStore>();
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var prefix = $"8{Random.Shared.Next(100, 999)}-";
            var cases = sizes.SelectMany((length, l) => Enumerable.Range(0, casesPerLength).Select(i => (Number: $"{prefix}{l}{i:D5}", Length: length))).ToArray();

            log.WriteLine($"writing {cases.Length} cases of {string.Join(", ", sizes)} events to the {(postgres is null ? "SQLite file" : "PostgreSQL database")}");
            var seeding = Stopwatch.StartNew();
            await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, ct) => await WriteAsync(store, c.Number, c.Length, ct));
            var written = cases.Sum(c => (long)c.Length);
            log.WriteLine($"  {written:N0} events in {seeding.Elapsed.TotalSeconds:F0} s ({written / seeding.Elapsed.TotalSeconds:F0}/s)");

            log.WriteLine("first activations (no snapshot: the whole timeline)");
            var full = await ActivateAllAsync(grains, cases);

            var actor = new Actor("bench-snapshots", Role.Caseworker, ["35.79"]);
            foreach (var (number, length) in cases.Where(c => c.Length != sizes[0]))
            {
                for (var i = 0; i < 9; i++)
                {
                    var outcome = await grains.GetGrain<ICaseGrain>(number).Execute(new AddNoteRequest { CommandId = Guid.NewGuid().ToString(), Text = $"catatan {i}" }, actor);
                    if (!outcome.Accepted)
                    {
                        throw new InvalidOperationException($"{number}: {outcome.Refusal?.Code}");
                    }
                }
            }

            var fromSnapshot = new Dictionary<int, List<double>>();
            for (var round = 0; round < rounds; round++)
            {
                log.WriteLine($"round {round + 1} of {rounds}: every case deactivated, then activated one at a time");
                foreach (var (length, times) in await ActivateAllAsync(grains, cases))
                {
                    (fromSnapshot.TryGetValue(length, out var all) ? all : fromSnapshot[length] = []).AddRange(times);
                }
            }

            var baseMedian = Percentile(fromSnapshot[sizes[0]], 0.5);
            var lines = sizes.Select(length =>
            {
                var f = full[length];
                var s = fromSnapshot[length];
                var tail = length == sizes[0] ? (length >= 10 ? $"snapshot at #{length}, nothing after" : "no snapshot") : "snapshot + 9 events after it";
                return string.Create(CultureInfo.InvariantCulture,
                    $"  {length,6:N0} events   whole timeline p50 {Percentile(f, 0.5),7:F2} ms   |   {tail,-34} p50 {Percentile(s, 0.5),5:F2} ms  p90 {Percentile(s, 0.9),5:F2} ms  max {s.Max(),6:F2} ms   p50 ratio to 10 events {Percentile(s, 0.5) / baseMedian:F2}x");
            });
            return $"""
                snapshots ({(postgres is null ? "Embedded, SQLite" : "Cluster, PostgreSQL")}): {casesPerLength} cases per length, {rounds} rounds of cold activations one at a time
                {string.Join(Environment.NewLine, lines)}
                """;
        }
        finally
        {
            await ActivationBench.StopSiloAsync(host, dataDirectory);
        }
    }

    /// <summary>Deactivates every case, waits for the consequences' cursors and the snapshots, then times each activation.</summary>
    private static async Task<Dictionary<int, List<double>>> ActivateAllAsync(IGrainFactory grains, (string Number, int Length)[] cases)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        await Task.Delay(TimeSpan.FromSeconds(1));
        var times = new Dictionary<int, List<double>>();
        foreach (var (number, length) in cases.OrderBy(_ => Random.Shared.Next()))
        {
            var watch = Stopwatch.StartNew();
            if (await grains.GetGrain<ICaseGrain>(number).GetScope() is null)
            {
                throw new InvalidOperationException($"case {number} activated without its timeline");
            }

            (times.TryGetValue(length, out var list) ? list : times[length] = []).Add(watch.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    /// <summary>CaseOpened, then notes and mentoring sessions in turn, each chained on to the one before.</summary>
    private static async Task WriteAsync(ICaseTimelineStore store, string number, int length, CancellationToken ct)
    {
        var at = DateTimeOffset.UtcNow;
        var (opened, index) = Seeding.Opened(number, at);
        if (!await store.TryAppendAsync(opened, index, ct))
        {
            throw new InvalidOperationException($"{number}: seq 1 taken");
        }

        var prev = opened.Hash;
        for (var seq = 2; seq <= length; seq++)
        {
            CaseEvent e = seq % 2 == 0
                ? new NoteAdded($"Catatan kunjungan lapangan nomor {seq}: usaha berjalan, stok bahan baku cukup.")
                : new MentoringSessionLogged(new DateOnly(2026, 11, 2), "Pembukuan sederhana", "Mencatat kas harian", "Pisahkan uang usaha dan pribadi");
            var (stored, row) = Seeding.Event(number, seq, e, prev, at);
            if (!await store.TryAppendAsync(stored, row, ct))
            {
                throw new InvalidOperationException($"{number}: seq {seq} taken");
            }

            prev = stored.Hash;
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
