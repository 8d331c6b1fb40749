using System.Diagnostics;
using System.Globalization;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using HdrHistogram;

namespace CaseGrains.Bench;

/// <summary>
/// The people index at the national shape (issue 16, deliverable 1): the accounts of every kab/kota written through the
/// production store (caseworkers at a kecamatan, supervisors at a kab/kota or a province, mentors working in one to three
/// kecamatan of a province; kab/kota sizes skewed), then each kind of look-up the platform makes, timed one at a time.
/// </summary>
internal static class PeopleBench
{
    public static async Task<string> RunAsync(string? postgres, int caseworkers, int mentors, int supervisors, int lookups, TextWriter log)
    {
        await using var bench = await BenchStore.OpenAsync(postgres);
        var store = bench.People;
        var where = bench.Where;
        if (await store.AnyPeopleAsync(CancellationToken.None))
        {
            throw new InvalidOperationException("the people index of this database is not empty: give an empty database");
        }

        var shape = new NationalShape(new Random(16));
        var people = Generate(shape, caseworkers, mentors, supervisors);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (p, ct) => await store.ReplacePersonAsync(p, ct));
        var loaded = clock.Elapsed.TotalSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded {people.Count} accounts in {loaded:F1} s"));

        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"-- people index on {where}: {caseworkers} caseworkers, {supervisors} supervisors, {mentors} mentors over {shape.RegencyCount} kab/kota --"),
            string.Create(CultureInfo.InvariantCulture, $"load              {people.Count} accounts in {loaded:F1} s ({people.Count / loaded:F0}/s, one replace each, 16 at a time)"),
        };
        lines.AddRange(await MeasureAsync(store, shape, lookups, log));
        return string.Join('\n', lines);
    }

    /// <summary>The national accounts: caseworkers at a kecamatan, supervisors at a kab/kota or province, mentors in one to three kecamatan.</summary>
    internal static List<Person> Generate(NationalShape shape, int caseworkers, int mentors, int supervisors)
    {
        var people = new List<Person>();
        for (var i = 0; i < caseworkers; i++)
        {
            people.Add(new Person($"cw{i:D6}", Role.Caseworker, $"Petugas {i}", [shape.District(shape.Regency())], false));
        }

        for (var i = 0; i < supervisors; i++)
        {
            var regency = shape.Regency();
            string[] regions = (i % 20) switch
            {
                < 3 => [RegionTable.ProvinceOf(regency)],
                3 => [regency, shape.Regency()],
                _ => [regency],
            };
            people.Add(new Person($"sv{i:D6}", Role.Supervisor, $"Supervisor {i}", regions, i % 50 == 0));
        }

        for (var i = 0; i < mentors; i++)
        {
            var regency = shape.Regency();
            people.Add(new Person($"m{i:D6}", Role.Mentor, $"Pendamping {i}", [.. Enumerable.Range(0, 1 + (i % 3)).Select(_ => shape.District(regency)).Distinct()], false));
        }

        return people;
    }

    /// <summary>Each kind of look-up the platform makes, one at a time, for kecamatan where cases are (the skew's busy and quiet places).</summary>
    internal static async Task<List<string>> MeasureAsync(IPeopleStore store, NationalShape shape, int lookups, TextWriter log)
    {
        var lines = new List<string>();
        var cases = Enumerable.Range(0, lookups).Select(_ => shape.District(shape.Regency())).ToArray();
        (string Name, Func<string, Task<int>> Run)[] kinds =
        [
            ("approvers of a case (supervisors at its kecamatan or above)", async c => (await store.FindPeopleAsync(Role.Supervisor, c, PeopleReach.Covering, CancellationToken.None)).Count),
            ("mentor candidates (mentors within the case's province)", async c => (await store.FindPeopleAsync(Role.Mentor, RegionTable.ProvinceOf(c), PeopleReach.Within, CancellationToken.None)).Count),
            ("mentors reaching a kab/kota (supervisor view)", async c => (await store.FindPeopleAsync(Role.Mentor, RegionTable.RegencyOf(c)!, PeopleReach.Reaching, CancellationToken.None)).Count),
            ("caseworkers of a kab/kota", async c => (await store.FindPeopleAsync(Role.Caseworker, RegionTable.RegencyOf(c)!, PeopleReach.Within, CancellationToken.None)).Count),
            ("admin page: 200 caseworkers of a province", async c => (await store.ListPeopleAsync(Role.Caseworker, RegionTable.ProvinceOf(c), "", 200, CancellationToken.None)).Count),
        ];
        foreach (var (name, run) in kinds)
        {
            for (var i = 0; i < Math.Min(50, lookups); i++)
            {
                await run(cases[i]); // warm-up
            }

            var histogram = new LongHistogram(60_000_000, 3);
            long found = 0;
            foreach (var c in cases)
            {
                var start = Stopwatch.GetTimestamp();
                found += await run(c);
                histogram.RecordValue(Math.Max(1, (Stopwatch.GetTimestamp() - start) * 1_000_000 / Stopwatch.Frequency));
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: p50 {histogram.GetValueAtPercentile(50) / 1000.0:F2} ms · p99 {histogram.GetValueAtPercentile(99) / 1000.0:F2} ms · max {histogram.GetMaxValue() / 1000.0:F2} ms · {found / (double)cases.Length:F0} accounts per answer ({cases.Length} look-ups)"));
            log.WriteLine(lines[^1]);
        }

        return lines;
    }
}
