using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.Bench;

/// <summary>
/// Many connected mentors on one frontend: <c>connections</c> SignalR connections spread over <c>users</c> mentor
/// accounts (a person may have several tabs or devices), each connected and resumed as the web page does. Reports the
/// frontend's resident memory before and after, and the time to connect them all.
/// </summary>
internal static class ConnectionsBench
{
    public static async Task<string> RunAsync(Uri url, string adminUser, string adminPassword, int users, int connections, int frontendPid, TextWriter log)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var admin = await BenchClient.TokenAsync(http, adminUser, adminPassword);
        var run = Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, users).Select(i => $"conn-{run}-m{i}").ToArray();
        log.WriteLine($"creating {users} mentor accounts");
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (id, _) => await BenchClient.PutUserAsync(http, admin, id, "Mentor", []));
        var tokens = new string[users];
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => tokens[i] = await BenchClient.TokenAsync(http, ids[i], BenchClient.Password));

        var before = ProcessStats.Rss(frontendPid);
        log.WriteLine($"connecting {connections} SignalR clients");
        var hubs = new HubConnection[connections];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, connections), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var hub = BenchClient.MentorHub(url, tokens[i % users]);
            await hub.StartAsync(ct);
            await hub.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>(), ct);
            hubs[i] = hub;
        });
        var connectSeconds = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10));
        GC.KeepAlive(hubs);
        var after = ProcessStats.Rss(frontendPid);
        var peak = ProcessStats.Read(frontendPid)?.PeakRss ?? 0;
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }

        return $"""
            connections           {connections} over {users} mentor accounts, connected and resumed in {connectSeconds:F1} s
            frontend RSS          {before / 1048576.0:F0} MiB → {after / 1048576.0:F0} MiB ({(after - before) / (double)connections / 1024:F1} KiB per connection); peak {peak / 1048576.0:F0} MiB
            """;
    }
}
