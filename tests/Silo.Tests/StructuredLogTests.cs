using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Cluster mode logs JSON, one object per line, with the trace id, the account, the case number and the command id as
/// fields; a whole scenario (sign-in, intake with a NIK and a name, a reveal, searches, a refused command, a failed
/// sign-in) writes none of the personal data it handled, at the most talkative level.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StructuredLogTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task InClusterMode_EveryLineIsJson_WithTheTraceUserCaseAndCommand_AndNoPersonalData()
    {
        string[] talkative = ["--Logging:LogLevel:Default=Information", "--Logging:LogLevel:CaseGrains=Debug", "--Logging:LogLevel:Microsoft.AspNetCore=Debug"];
        await using var cluster = await TestCluster.StartAsync(server, silos: 1, talkative);
        var admin = new Actor("admin-logs", Role.Admin, []);
        await cluster.Grains.GetGrain<IUserGrain>("cw-logs").Upsert(new UpsertUserRequest
        {
            DisplayName = "Petugas Rahasia Sekali", Role = Role.Caseworker, Regions = ["35.79"], Password = Password,
        }, admin);
        await using var frontend = await Node.StartFrontendAsync(cluster.Spec, "frontend", talkative);

        const string nik = "3579021508880042";
        const string name = "Siti Kartikasari Wulandari";
        using var http = new HttpClient { BaseAddress = frontend.BaseAddress };
        using var wrong = await http.PostAsJsonAsync("/api/auth/token", new { userId = "cw-logs", password = "not the password at all" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var token = await http.PostAsJsonAsync("/api/auth/token", new { userId = "cw-logs", password = Password });
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());

        var commandId = "log-intake-" + Guid.NewGuid().ToString("N")[..8];
        using var intake = await http.PostAsJsonAsync("/api/cases", new
        {
            commandId, nik, fullName = name, regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        });
        var opened = await intake.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(intake.StatusCode == HttpStatusCode.Created, opened.ToString());
        var number = opened.GetProperty("caseNumber").GetString()!;
        using var reveal = await http.PostAsJsonAsync($"/api/cases/{number}/nik/reveal", new { purpose = "verifikasi data Wulandari" });
        Assert.Equal(HttpStatusCode.OK, reveal.StatusCode);
        using var byName = await http.GetAsync(new Uri("/api/cases?q=Wulandari", UriKind.Relative));
        using var byNik = await http.GetAsync(new Uri($"/api/cases?q={nik}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, byNik.StatusCode);
        using var stale = await http.PostAsJsonAsync($"/api/cases/{number}/consent", new { commandId = "log-stale-1", method = "Wulandari", expectedVersion = 99 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        using var bad = await http.PostAsJsonAsync("/api/cases", new { commandId = "log-bad-1", nik = "35790215088800", fullName = name, regionCode = "35.79.02", segment = "Umkm" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // The console logger writes from its own queue: wait (with a deadline) for the intake's entry in the silo's log.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!cluster.Nodes[0].Lines.Any(l => l.Contains(commandId, StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var lines = cluster.Nodes.Concat([frontend]).SelectMany(n => n.Lines.Select(l => (Node: n.Name, Line: l))).Where(l => l.Line.Length > 0).ToList();
        output.WriteLine($"{lines.Count} lines");
        Assert.True(lines.Count > 50, "too few lines to judge");
        var entries = new List<JsonElement>();
        foreach (var (node, line) in lines)
        {
            Assert.True(line.StartsWith('{'), $"{node}: not JSON: {line}");
            entries.Add(JsonDocument.Parse(line).RootElement.Clone());
            foreach (var secret in (string[])[nik, Domain.Identity.Nik.Mask(nik), name, "Wulandari", "Kartikasari", Password, "not the password at all", "Petugas Rahasia"])
            {
                Assert.False(line.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{node} logged '{secret}': {line}");
            }
        }

        Assert.All(entries, e => Assert.True(e.TryGetProperty("Timestamp", out _) && e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _)));
        var fields = entries.Select(e => e.TryGetProperty("Scopes", out var s) ? s.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object)
            .SelectMany(x => x.EnumerateObject()).Select(p => (p.Name, Value: p.Value.ToString())).ToList() : []).ToList();
        // The frontend's request entries carry the trace id and the account; the silo's case entries the case and command.
        Assert.Contains(fields, f => f.Any(p => p.Name == "TraceId" && p.Value.Length == 32) && f.Any(p => p is { Name: "UserId", Value: "cw-logs" }));
        Assert.Contains(fields, f => f.Any(p => p.Name == "TraceId") && f.Any(p => p.Name == "CaseNumber" && p.Value == number)
            && f.Any(p => p.Name == "CommandId" && p.Value == commandId));
    }
}
