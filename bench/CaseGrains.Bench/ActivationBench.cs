using System.Diagnostics;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CaseGrains.Bench;

/// <summary>
/// Memory per active case and cold activation rate, in a real silo hosted by this process (the same configuration the
/// hosts use: SQLite in Embedded mode, PostgreSQL in Cluster mode). Cases are written to the store exactly as the case
/// grain writes them (one CaseOpened event each, its consequences done), then activated by a grain call: each
/// activation loads its timeline from the database.
/// </summary>
internal static class ActivationBench
{
    /// <summary>
    /// <paramref name="cases"/> cases activated with <paramref name="concurrency"/> calls in flight, on SQLite or the
    /// <paramref name="postgres"/> database; progress to <paramref name="log"/>. <paramref name="hold"/> keeps the active
    /// cases that long before the floor is measured (to take a heap dump of this process); <paramref name="directoryCache"/>
    /// sets the silo's directory cache size (null: the hosts' default).
    /// </summary>
    public static async Task<string> RunAsync(int cases, int concurrency, string? postgres, TextWriter log, TimeSpan hold = default, string? directoryCache = null)
    {
        var (host, dataDirectory) = await StartSiloAsync(postgres, directoryCache is null ? null : new Dictionary<string, string?> { ["CaseGrains:DirectoryCacheSize"] = directoryCache });
        try
        {
            var store = host.Services.GetRequiredService<ICaseTimelineStore>();
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var prefix = $"7{Random.Shared.Next(100, 999)}-";
            var numbers = Enumerable.Range(0, cases).Select(i => $"{prefix}{i:D6}").ToArray();

            log.WriteLine($"writing {cases} cases to the {(postgres is null ? "SQLite file" : "PostgreSQL database")}");
            var seeding = Stopwatch.StartNew();
            await Parallel.ForEachAsync(numbers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, ct) =>
            {
                var (e, index) = Seeding.Opened(n, DateTimeOffset.UtcNow);
                await store.TryAppendAsync(e, index, ct);
            });
            log.WriteLine($"  {cases / seeding.Elapsed.TotalSeconds:F0} appends/s while seeding");

            // Their consequences done, as for a case the grain wrote (else each activation would first run them).
            foreach (var chunk in numbers.Chunk(5_000))
            {
                await store.AdvanceConsequencesAsync([.. chunk.Select(n => (n, 1L))], CancellationToken.None);
            }

            var heapBefore = Heap();
            var rssBefore = ProcessStats.Read(Environment.ProcessId)!.Value.PeakRss;
            log.WriteLine($"activating {cases} cases, {concurrency} calls in flight (random order), in two halves");
            var order = numbers.OrderBy(_ => Random.Shared.Next()).ToArray();
            var activating = Stopwatch.StartNew();
            await ActivateAsync(grains, order[..(cases / 2)], concurrency);
            activating.Stop();
            var heapHalf = Heap();
            activating.Start();
            await ActivateAsync(grains, order[(cases / 2)..], concurrency);
            var rate = cases / activating.Elapsed.TotalSeconds;
            var heapAfter = Heap();
            var rssAfter = ProcessStats.Read(Environment.ProcessId)!.Value.PeakRss;
            var perCase = (heapAfter - heapBefore) / (double)cases;
            // What one more active case costs: the second half against the first (without what the first activations
            // of the process allocate once, and without the heap's start, which varies by tens of MiB between runs).
            var marginal = (heapAfter - heapHalf) / (double)(cases - cases / 2);
            if (hold > TimeSpan.Zero)
            {
                log.WriteLine($"holding the {cases} active cases for {hold.TotalSeconds:F0} s: dotnet-gcdump collect -p {Environment.ProcessId}");
                await Task.Delay(hold);
            }

            // The floor: the same number of the smallest grain there is (no state, one reference), to see what an
            // activation costs Orleans itself.
            log.WriteLine($"activating {cases} minimal grains for the Orleans floor");
            var probing = Stopwatch.StartNew();
            await Parallel.ForEachAsync(numbers[..(cases / 2)], new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (n, _) => await grains.GetGrain<IProbeGrain>(n).Ping());
            probing.Stop();
            var probeHalf = Heap();
            probing.Start();
            await Parallel.ForEachAsync(numbers[(cases / 2)..], new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (n, _) => await grains.GetGrain<IProbeGrain>(n).Ping());
            var probeRate = cases / probing.Elapsed.TotalSeconds;
            var probeAfter = Heap();
            var perMinimal = (probeAfter - heapAfter) / (double)cases;
            var marginalMinimal = (probeAfter - probeHalf) / (double)(cases - cases / 2);
            return $"""
                cases                 {cases} ({(postgres is null ? "Embedded, SQLite" : "Cluster, PostgreSQL")}; directory cache {host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize} addresses)
                cold activations      {rate:F0}/s ({concurrency} in flight; each loads its timeline and refusals from the database)
                managed heap          {heapBefore / 1048576.0:F1} MiB → {heapAfter / 1048576.0:F1} MiB after a full GC = {perCase:F0} bytes per active case
                one more active case  {marginal:F0} bytes (the second half of the cases against the first, after a full GC each)
                Orleans floor         {perMinimal:F0} bytes per activation of a grain with no state, {marginalMinimal:F0} one more (so the case itself holds {perCase - perMinimal:F0}, {marginal - marginalMinimal:F0} one more); {probeRate:F0} such activations/s (no database)
                peak RSS              {rssBefore / 1048576.0:F0} MiB → {rssAfter / 1048576.0:F0} MiB
                """;
        }
        finally
        {
            await StopSiloAsync(host, dataDirectory);
        }
    }

    /// <summary>
    /// A silo in this process with the hosts' configuration (SQLite in a temporary folder in Embedded mode; the
    /// PostgreSQL database given, its schema applied, in Cluster mode), started.
    /// </summary>
    private static Task ActivateAsync(IGrainFactory grains, string[] numbers, int concurrency) =>
        Parallel.ForEachAsync(numbers, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (n, _) =>
        {
            if (await grains.GetGrain<ICaseGrain>(n).GetScope() is null)
            {
                throw new InvalidOperationException($"case {n} activated without its timeline");
            }
        });

    internal static async Task<(IHost Host, string DataDirectory)> StartSiloAsync(string? postgres, IReadOnlyDictionary<string, string?>? more = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "casegrains-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string?>
        {
            ["CaseGrains:DataDirectory"] = dataDirectory,
            ["CaseGrains:ServiceId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["CaseGrains:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CaseGrains:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CaseGrains:AdvertisedAddress"] = "127.0.0.1",
        };
        if (postgres is not null)
        {
            settings["CaseGrains:Mode"] = Modes.Cluster;
            settings[CaseGrainsSilo.ConnectionStringKey] = postgres;
            settings["CaseGrains:NikHmacKey"] = Convert.ToBase64String(new byte[32]);
            settings["CaseGrains:SubjectKeyEncryptionKey"] = Convert.ToBase64String(new byte[32]);
            settings["CaseGrains:ChainAnchorKey"] = Convert.ToBase64String(new byte[32]);
            await Grains.Storage.Postgres.PostgresSchema.ApplyAsync(postgres);
        }

        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.UseOrleans(silo => silo.AddCaseGrains(config, openGateway: false));
        var host = builder.Build();
        await host.StartAsync();
        return (host, dataDirectory);
    }

    internal static async Task StopSiloAsync(IHost host, string dataDirectory)
    {
        await host.StopAsync();
        host.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp (or never made: Cluster mode may write nothing there).
        }
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
