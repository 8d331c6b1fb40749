using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>A real silo process and two frontends as its clients: a push crosses from one frontend to the other.</summary>
[Collection(SerialCollection.Name)]
public sealed class TwoFrontendTests
{
    [Fact]
    public async Task ACommandThroughOneFrontendProcess_ReachesAMentorConnectedToAnotherProcess()
    {
        await using var silo = await Node.StartEmbeddedSiloAsync();
        await using var frontendA = await Node.StartClientFrontendAsync(silo, "frontendA", createAdmin: "admin.cluster");
        await using var frontendB = await Node.StartClientFrontendAsync(silo, "frontendB");
        using var admin = await frontendA.ClientForAsync("admin.cluster", await frontendA.AdminPasswordAsync());
        foreach (var (id, role, regions) in new[] { ("petugas.two", "Caseworker", new[] { "35.79" }), ("mentor.two", "Mentor", Array.Empty<string>()) })
        {
            using var created = await admin.PutAsJsonAsync($"/api/users/{id}", new { displayName = id, role, regions, password = AppHost.Password });
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var caseworker = await frontendA.ClientForAsync("petugas.two", AppHost.Password);
        using var mentorApi = await frontendB.ClientForAsync("mentor.two", AppHost.Password);
        var token = mentorApi.DefaultRequestHeaders.Authorization!.Parameter;
        var events = Channel.CreateUnbounded<JsonElement>();
        await using var mentor = new HubConnectionBuilder()
            .WithUrl(new Uri(frontendB.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        mentor.On<JsonElement>("CaseEvent", e => events.Writer.TryWrite(e));
        await mentor.StartAsync();
        await mentor.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>());

        using var opened = await caseworker.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = "3579025508910021", fullName = "Warga Dua Frontend",
            regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        });
        var number = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString();
        Assert.Equal(HttpStatusCode.OK, (await caseworker.PostAsJsonAsync($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "mentor.two" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await caseworker.PostAsJsonAsync($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "form" })).StatusCode);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await events.Reader.ReadAsync(cts.Token);
        var second = await events.Reader.ReadAsync(cts.Token);

        // Both events, once each, in sequence order: the feed grain numbers a user's items and the receiving frontend
        // delivers them in that order (CI runs once saw seq 3 before seq 2 here, before the feed was numbered).
        Assert.All(new[] { first, second }, e => Assert.Equal(number, e.GetProperty("caseNumber").GetString()));
        Assert.Equal([(2L, "MentorAssigned"), (3L, "ConsentRecorded")],
            new[] { first, second }.Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString())));
        // The state lives in the silo: the other frontend serves the same case.
        Assert.Equal(HttpStatusCode.OK, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);
    }

    [Fact]
    public async Task WhenTheMentorsFrontendRestarts_TheClientResumesOnANewOne_AndMissesNothing()
    {
        await using var silo = await Node.StartEmbeddedSiloAsync();
        var client = new Dictionary<string, string>
        {
            ["CaseGrains:Frontend"] = "Client",
            ["CaseGrains:GatewayPort"] = silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["CaseGrains:ServiceId"] = silo.ServiceId,
        };
        await using var frontendA = AppHost.Start(overrides: client);
        var frontendB = AppHost.Start(overrides: client);
        try
        {
            var number = (await frontendA.PostOk("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = "3579025508910022", fullName = "Warga Restart",
                regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
            await frontendA.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
            var token = await frontendB.TokenFor(AppHost.Mentor);
            var events = Channel.CreateUnbounded<JsonElement>();
            var before = new HubConnectionBuilder()
                .WithUrl(new Uri(frontendB.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            before.On<JsonElement>("CaseEvent", e => events.Writer.TryWrite(e));
            await before.StartAsync();
            await before.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long>());
            await frontendA.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "form" });
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var last = (await events.Reader.ReadAsync(cts.Token)).GetProperty("seq").GetInt64();

            // The mentor's frontend goes away; work goes on through the other one.
            await before.DisposeAsync();
            var dir = frontendB.DataDirectory;
            await frontendB.DisposeAsync();
            AppHost.DeleteData(dir);
            await frontendA.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "again" });
            await frontendA.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() });

            frontendB = AppHost.Start(overrides: client);
            await using var after = new HubConnectionBuilder()
                .WithUrl(new Uri(frontendB.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
                .Build();
            await after.StartAsync();
            var resumed = await after.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long> { [number] = last });

            Assert.Equal([last + 1, last + 2], resumed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        }
        finally
        {
            AppHost.DeleteData(frontendA.DataDirectory);
            AppHost.DeleteData(frontendB.DataDirectory);
            await frontendB.DisposeAsync();
        }
    }

    [Fact]
    public async Task Readiness_FollowsTheSilo_WhileLivenessFollowsTheProcess()
    {
        var silo = await Node.StartEmbeddedSiloAsync();
        await using var frontend = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["CaseGrains:Frontend"] = "Client",
            ["CaseGrains:GatewayPort"] = silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["CaseGrains:ServiceId"] = silo.ServiceId,
        });
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await frontend.Anonymous.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await frontend.Anonymous.GetAsync("/health/ready")).StatusCode);

            await silo.DisposeAsync();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var ready = await frontend.Anonymous.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"readiness took {clock.Elapsed.TotalSeconds:F1} s to answer");
            Assert.Equal(HttpStatusCode.OK, (await frontend.Anonymous.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await silo.DisposeAsync();
            AppHost.DeleteData(frontend.DataDirectory);
        }
    }
}
