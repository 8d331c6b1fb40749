using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Grains.Abstractions;
using CaseGrains.LiveClient;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Live delivery and recovery through the loss of a silo (issue 15, deliverables 3 and 6), on the real PostgreSQL
/// cluster: two silo processes, a frontend process, a mentor connected to it with the .NET client of the live protocol,
/// commands on the mentor's cases all along, and <c>kill -9</c> of the silo that hosts most of them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloLossTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Admin = "admin.hilang";
    private const string Mentor = "pendamping.hilang";
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task KillingTheSiloOfAMentorsCases_TheFirstEventAfterItReachesThemWithin3s_EveryEventOnce_AndCasesWorkAgainWithin5s()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 2);
        await using var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend", "--create-admin", Admin);
        using var admin = await frontend.ClientForAsync(Admin, await frontend.AdminPasswordAsync());
        using (var created = await admin.PutAsJsonAsync($"/api/users/{Mentor}", new { displayName = "Pendamping", role = "Mentor", regions = Array.Empty<string>(), password = Password }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        using (var profile = await admin.PutAsJsonAsync($"/api/mentors/{Mentor}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79" }, capacity = 50 }))
        {
            Assert.True(profile.IsSuccessStatusCode, await profile.Content.ReadAsStringAsync());
        }

        var cases = await cluster.OpenCasesAsync(24);
        foreach (var n in cases)
        {
            var assigned = await cluster.Grains.GetGrain<ICaseGrain>(n).Execute(new AssignMentorRequest { CommandId = Guid.NewGuid().ToString(), MentorId = Mentor }, TestCluster.Caseworker);
            Assert.True(assigned.Accepted, assigned.Refusal?.Code);
        }

        using var mentorApi = await frontend.ClientForAsync(Mentor, Password);
        var token = mentorApi.DefaultRequestHeaders.Authorization!.Parameter;
        await using var mentor = await CaseFeedClient.ConnectAsync(frontend.BaseAddress, () => Task.FromResult(token),
            cases.ToDictionary(c => c, _ => 2L));
        var delivered = new ConcurrentDictionary<(string, long), long>();
        var twice = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var e in mentor.Events.ReadAllAsync())
            {
                if (!delivered.TryAdd((e.CaseNumber, e.Seq), Stopwatch.GetTimestamp()))
                {
                    Interlocked.Increment(ref twice);
                }
            }
        });

        // The silo that hosts most of the mentor's cases is the one to lose.
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var hosts = new Dictionary<string, string>();
        foreach (var n in cases)
        {
            hosts[n] = (await management.GetActivationAddress(cluster.Grains.GetGrain<ICaseGrain>(n)))?.ToParsableString() ?? "";
        }

        var victim = cluster.Nodes.Single(node => hosts.Values.GroupBy(h => h).OrderByDescending(g => g.Count()).First().Key.Contains($":{node.SiloPort}@", StringComparison.Ordinal));
        var affected = cases.Where(c => hosts[c].Contains($":{victim.SiloPort}@", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{affected.Count} of {cases.Count} cases on {victim.Name}");

        await using var load = new NoteLoad(cluster, cases);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var killedAt = Stopwatch.GetTimestamp();
        await victim.KillAsync();
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 60);
        while (!(Seconds(killedAt, Stopwatch.GetTimestamp()) > 12 && affected.All(c => load.Acks.Count(a => a.Case == c && a.At > killedAt) >= 3)))
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"the affected cases did not work again: {load.Failures} failed attempts");
            await Task.Delay(200);
        }

        await load.StopAsync();
        var acks = load.Acks.ToList();
        var wait = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 30);
        while (acks.Any(a => !delivered.ContainsKey((a.Case, a.Seq))) && Stopwatch.GetTimestamp() < wait)
        {
            await Task.Delay(100);
        }

        var missing = acks.Where(a => !delivered.ContainsKey((a.Case, a.Seq))).ToList();
        var afterKill = acks.Where(a => a.At > killedAt).OrderBy(a => a.At).ToList();
        var first = afterKill[0];
        var firstLatency = Seconds(first.At, delivered.GetValueOrDefault((first.Case, first.Seq), long.MaxValue));
        var firstAffected = afterKill.First(a => affected.Contains(a.Case));
        var firstAffectedLatency = Seconds(firstAffected.At, delivered.GetValueOrDefault((firstAffected.Case, firstAffected.Seq), long.MaxValue));
        var recovery = Seconds(killedAt, firstAffected.At);
        var worst = acks.Where(a => delivered.ContainsKey((a.Case, a.Seq))).Max(a => Seconds(a.At, delivered[(a.Case, a.Seq)]));
        output.WriteLine($"kill -9 of {victim.Name}: {acks.Count} commands acknowledged ({afterKill.Count} after the kill, {load.Failures} failed attempts retried); " +
            $"first acknowledged after the kill pushed in {firstLatency * 1000:F0} ms; first on a case of the lost silo acknowledged {recovery:F2} s after the kill " +
            $"and pushed in {firstAffectedLatency * 1000:F0} ms; slowest delivery {worst:F2} s; {missing.Count} not delivered, {twice} twice");

        Assert.Empty(missing);
        Assert.Equal(0, twice);
        Assert.True(firstLatency <= 3, $"the first event acknowledged after the kill reached the mentor after {firstLatency:F2} s (≤ 3 s)");
        Assert.True(firstAffectedLatency <= 3, $"the first event of a case of the lost silo reached the mentor after {firstAffectedLatency:F2} s (≤ 3 s)");
        Assert.True(recovery <= 5, $"cases of the lost silo took commands again only {recovery:F2} s after the kill (≤ 5 s)");
        await mentor.DisposeAsync();
        await reader;
    }

    [Fact]
    public async Task WhileNoSiloCanBeReached_TheApiAnswers503WithRetryAfter_NeverA500_AndWorksAgainOnceASiloIsBack()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        await using var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend", "--create-admin", Admin);
        using var admin = await frontend.ClientForAsync(Admin, await frontend.AdminPasswordAsync());
        await cluster.OpenCasesAsync(1);

        await cluster.Nodes[0].KillAsync();
        foreach (var (method, path) in new[] { ("GET", "/api/users"), ("GET", $"/api/offers?region=35.79"), ("PUT", "/api/users/petugas.hilang") })
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "PUT")
            {
                request.Content = JsonContent.Create(new { displayName = "Petugas", role = "Caseworker", regions = new[] { "35.79" }, password = Password });
            }

            using var response = await admin.SendAsync(request);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            output.WriteLine($"{method} {path} with no silo: {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms");
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}\n{frontend.Log[^Math.Min(frontend.Log.Length, 4000)..]}");
            Assert.Equal("server.unavailable", body.GetProperty("code").GetString());
            Assert.Equal("2", response.Headers.RetryAfter?.ToString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"the answer took {clock.Elapsed.TotalSeconds:F1} s");
        }

        // A silo is back: the same requests work again, without restarting the frontend.
        await cluster.AddSiloAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var users = await admin.GetAsync("/api/users");
            if (users.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, users.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the frontend did not reach the new silo");
            await Task.Delay(500);
        }

        using var write = await admin.PutAsJsonAsync("/api/users/petugas.hilang", new { displayName = "Petugas", role = "Caseworker", regions = new[] { "35.79" }, password = Password });
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    /// <summary>Notes on every case, round-robin, by 8 workers; a failed attempt is retried with the same command id until acknowledged.</summary>
    private sealed class NoteLoad : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _workers;
        private int _failures;

        public NoteLoad(TestCluster cluster, IReadOnlyList<string> cases)
        {
            _workers = [.. Enumerable.Range(0, 8).Select(w => Task.Run(() => WorkAsync(cluster, [.. cases.Where((_, i) => i % 8 == w)])))];
        }

        public ConcurrentQueue<(string Case, long Seq, long At)> Acks { get; } = new();

        public int Failures => Volatile.Read(ref _failures);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            _stop.Dispose();
        }

        private async Task WorkAsync(TestCluster cluster, string[] cases)
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var command = new AddNoteRequest { CommandId = Guid.NewGuid().ToString(), Text = $"catatan {i}" };
                var caseNumber = cases[i % cases.Length];
                while (true)
                {
                    try
                    {
                        var outcome = await cluster.Grains.GetGrain<ICaseGrain>(caseNumber).Execute(command, TestCluster.Caseworker);
                        Assert.True(outcome.Accepted, outcome.Refusal?.Code);
                        Acks.Enqueue((caseNumber, outcome.Seq!.Value, Stopwatch.GetTimestamp()));
                        break;
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        Interlocked.Increment(ref _failures);
                        await Task.Delay(50);
                    }
                }

                await Task.Delay(20);
            }
        }
    }
}
