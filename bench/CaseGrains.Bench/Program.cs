using System.Globalization;
using CaseGrains.Bench;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

// CaseGrains benchmarks; see BENCHMARKS.md for the method and the exact commands.
//   load        --url U --admin-user A --admin-password P [--cases N] [--mentors M] [--workers K] [--rate R]
//               [--duration S] [--warmup S] [--postgres CS | --sqlite FILE] [--baseline true|false]
//   baseline    [--postgres CS] [--concurrency K] [--duration S]
//   activation  --cases N [--concurrency C] [--postgres CS] [--directory-cache N] (the silo's CaseGrains:DirectoryCacheSize)
//   connections --url U --admin-user A --admin-password P --frontend-pid PID [--users U] [--connections C]
//   matching    --url U --admin-user A --admin-password P [--offers N] [--mentors M] [--iterations K]
//   recovery    [--postgres ADMIN_CS] [--rounds 3] [--cases 40]        (starts its own cluster; kill -9 of a silo)
//   drain       [--postgres ADMIN_CS] [--cases 200] [--notes 20]       (a parked backlog, then an admin's retry)
//   faults      [--postgres ADMIN_CS] [--probability 0.1] [--duration 60] [--workers 8]
//   people      [--postgres CS] [--caseworkers 50000] [--mentors 10000] [--supervisors 5000] [--lookups 2000]
//   search      [--postgres CS] [--cases 1000000 | 100000 on SQLite] [--lookups 2000]
//   snapshots   [--postgres CS] [--cases 10] [--rounds 5]             (activation time for 10, 1,000, 10,000 events)
//   deadlines   --postgres CS [--cases 1000000] [--due 100000]         (the SLA sweep at the national shape)
//   dashboard   --postgres CS [--rate 2000] [--seconds 20]             (the national dashboard signal's lag)
//   storage     --postgres CS [--cases 2000]                           (bytes per event and per case)
//   national    [--postgres ADMIN_CS] [--scale 1] [--rate 500] [--seconds 60] [--workers 32] [--keep]
//               (the national shape on a cluster of 2 silos + 2 frontends, against the plain peer; see BENCHMARKS.md)
//   mentor-link [--cases 12] [--rtt 300] [--kbps 400] [--budget-kb 120]
//               (the mentor's page in headless Chromium on a throttled link: size and time to usable, cold and warm)
//   peer        --postgres CS --port P --jwt-key K                     (the plain peer's process, started by `national`)
//   import      [--rows 200000] [--timeout 900]                        (a beneficiary CSV through the real endpoint, embedded default)
var command = args.Length > 0 ? args[0] : "help";
var options = Args.Parse(args.Skip(1));
var output = Console.Out;
switch (command)
{
    case "load":
    {
        var load = new LoadOptions
        {
            Url = new Uri(options.Required("url")),
            AdminUser = options.Required("admin-user"),
            AdminPassword = options.Required("admin-password"),
            Cases = options.Int("cases", 1000),
            Mentors = options.Int("mentors", 50),
            Workers = options.Int("workers", 16),
            Rate = options.Double("rate", 0),
            Duration = TimeSpan.FromSeconds(options.Double("duration", 30)),
            Warmup = TimeSpan.FromSeconds(options.Double("warmup", 5)),
            Postgres = options.Optional("postgres"),
            Sqlite = options.Optional("sqlite"),
        };
        var report = await new LoadTest(load, output).RunAsync();
        output.WriteLine(report.Format());
        if (options.Optional("baseline") != "false")
        {
            await BaselineAsync(load.Postgres, load.Workers, TimeSpan.FromSeconds(10), report);
        }

        return report.Acknowledged > 0 ? 0 : 1;
    }

    case "baseline":
        await BaselineAsync(options.Optional("postgres"), options.Int("concurrency", 16), TimeSpan.FromSeconds(options.Double("duration", 10)), null);
        return 0;

    case "activation":
        output.WriteLine(await ActivationBench.RunAsync(options.Int("cases", 100_000), options.Int("concurrency", 64), options.Optional("postgres"), output,
            TimeSpan.FromSeconds(options.Int("hold-seconds", 0)), options.Optional("directory-cache")));
        return 0;

    case "connections":
        output.WriteLine(await ConnectionsBench.RunAsync(new Uri(options.Required("url")), options.Required("admin-user"), options.Required("admin-password"),
            options.Int("users", 500), options.Int("connections", 10_000), options.Int("frontend-pid", 0), output));
        return 0;

    case "matching":
        output.WriteLine(await MatchingBench.RunAsync(new Uri(options.Required("url")), options.Required("admin-user"), options.Required("admin-password"),
            options.Int("offers", 200), options.Int("mentors", 100), options.Int("iterations", 200), output));
        return 0;

    case "recovery":
        output.WriteLine(await ResilienceBench.RecoveryAsync(options.Optional("postgres"), options.Int("rounds", 3), options.Int("cases", 40), output));
        return 0;

    case "drain":
        output.WriteLine(await ResilienceBench.DrainAsync(options.Optional("postgres"), options.Int("cases", 200), options.Int("notes", 20), output));
        return 0;

    case "faults":
        output.WriteLine(await ResilienceBench.FaultsAsync(options.Optional("postgres"), options.Double("probability", 0.1),
            TimeSpan.FromSeconds(options.Double("duration", 60)), options.Int("workers", 8), output));
        return 0;

    case "people":
        output.WriteLine(await PeopleBench.RunAsync(options.Optional("postgres"), options.Int("caseworkers", 50_000), options.Int("mentors", 10_000),
            options.Int("supervisors", 5_000), options.Int("lookups", 2_000), output));
        return 0;
    case "search":
    {
        var postgres = options.Optional("postgres");
        output.WriteLine(await SearchBench.RunAsync(postgres, options.Int("cases", postgres is null ? 100_000 : 1_000_000), options.Int("lookups", 2_000), output));
        return 0;
    }
    case "storage":
        output.WriteLine(await StorageBench.RunAsync(options.Required("postgres"), options.Int("cases", 2_000), output));
        return 0;
    case "dashboard":
        output.WriteLine(await DashboardBench.RunAsync(options.Required("postgres"), options.Int("rate", 2_000), options.Int("seconds", 20), output));
        return 0;
    case "deadlines":
        output.WriteLine(await DeadlineBench.RunAsync(options.Required("postgres"), options.Int("cases", 1_000_000), options.Int("due", 100_000), output));
        return 0;
    case "national":
        output.WriteLine(await NationalBench.RunAsync(new NationalBench.Options
        {
            Postgres = options.Optional("postgres"), Scale = options.Double("scale", 1), Rate = options.Double("rate", 500),
            Seconds = options.Int("seconds", 60), Workers = options.Int("workers", 32), Keep = options.Optional("keep") == "true",
        }, output));
        return 0;
    case "mentor-link":
        return await MentorLinkBench.RunAsync(options.Int("cases", 12), options.Int("rtt", 300), options.Int("kbps", 400), options.Int("budget-kb", 120), output);

    case "peer":
        await PlainPeer.ServeAsync(options.Required("postgres"), options.Int("port", 0), options.Required("jwt-key"));
        return 0;
    case "import":
        return await ImportBench.RunAsync(options.Int("rows", 200_000), TimeSpan.FromSeconds(options.Double("timeout", 900)), output);
    case "snapshots":
        output.WriteLine(await SnapshotBench.RunAsync(options.Optional("postgres"), options.Int("cases", 10), options.Int("rounds", 5), output));
        return 0;
    default:
        output.WriteLine("usage: CaseGrains.Bench load|baseline|activation|connections|matching|recovery|drain|faults|people|search|snapshots|deadlines|dashboard|storage|national|import|peer [options]  (see BENCHMARKS.md)");
        return 2;
}

async Task BaselineAsync(string? postgres, int concurrency, TimeSpan duration, LoadReport? report)
{
    // The database doing exactly the case grain's append, at the load's concurrency.
    double appends;
    double? oneCommitEach = null;
    (double Young, double Old) byAge;
    string where;
    if (postgres is not null)
    {
        await PostgresSchema.ApplyAsync(postgres);
        await using var source = NpgsqlDataSource.Create(postgres);
        using var store = new PostgresCaseEventStore(source);
        oneCommitEach = await Baselines.OneCommitPerAppendRateAsync(source, concurrency, duration);
        appends = await Baselines.AppendRateAsync(store, concurrency, duration);
        byAge = await Baselines.AppendCostByAgeAsync(store, 10, 1000, 500);
        where = "PostgreSQL";
    }
    else
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-baseline-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var settings = new CaseGrainsOptions { DataDirectory = dir };
        SqliteSchema.Apply(settings.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(settings));
        appends = await Baselines.AppendRateAsync(store, concurrency, duration);
        byAge = await Baselines.AppendCostByAgeAsync(store, 10, 1000, 500);
        Directory.Delete(dir, recursive: true);
        where = "SQLite (a fresh file in /tmp)";
    }

    var (echo, echoLatency) = await Baselines.SignalREchoAsync(concurrency, TimeSpan.FromSeconds(5));
    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        -- physical limits, same machine --
        {where} append through the store (event row + case-list row, atomic), {concurrency} at once: {appends:F0}/s{(oneCommitEach is { } one ? $" · one commit per append: {one:F0}/s" : "")}
        append to a case at 10 events: {byAge.Young:F0}/s · at 1,000 events: {byAge.Old:F0}/s (one writer; flat = same cost)
        SignalR round trip to an empty hub, {concurrency} clients: {echo:F0}/s · p50 {echoLatency.GetValueAtPercentile(50) / 1000.0:F2} ms · p99 {echoLatency.GetValueAtPercentile(99) / 1000.0:F2} ms
        """));
    if (report is not null)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios: end-to-end commands/s ÷ store appends/s = {report.CommandsPerSecond / appends:F2}{(oneCommitEach is { } raw ? $" · ÷ one-commit-per-append rate = {report.CommandsPerSecond / raw:F2}" : "")} · POST→mentor p99 ÷ SignalR round-trip p99 = {report.PercentileMs(99) / (echoLatency.GetValueAtPercentile(99) / 1000.0):F1}"));
    }
}

/// <summary>--name value pairs.</summary>
internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                key = a[2..];
                values[key] = "true";
            }
            else if (key is not null)
            {
                values[key] = a;
                key = null;
            }
        }

        return new Args(values);
    }

    public string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
