using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
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
        var admin = await TokenAsync(http, adminUser, adminPassword);
        var run = Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, users).Select(i => $"conn-{run}-m{i}").ToArray();
        log.WriteLine($"creating {users} mentor accounts");
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (id, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{id}")
            {
                Content = JsonContent.Create(new { displayName = id, role = "Mentor", regions = Array.Empty<string>(), password = "bench password 12345" }),
            };
            request.Headers.Authorization = new("Bearer", admin);
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
        });
        var tokens = new string[users];
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => tokens[i] = await TokenAsync(http, ids[i], "bench password 12345"));

        var before = Rss(frontendPid);
        log.WriteLine($"connecting {connections} SignalR clients");
        var hubs = new HubConnection[connections];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, connections), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var token = tokens[i % users];
            var hub = new HubConnectionBuilder().WithUrl(new Uri(url, "/hubs/cases"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }).Build();
            await hub.StartAsync(ct);
            await hub.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>(), ct);
            hubs[i] = hub;
        });
        var connectSeconds = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10));
        GC.KeepAlive(hubs);
        var after = Rss(frontendPid);
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

    private static long Rss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    private static async Task<string> TokenAsync(HttpClient http, string user, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { userId = user, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
