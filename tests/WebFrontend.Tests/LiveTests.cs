using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using CaseGrains.Domain.Access;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Real SignalR clients over 127.0.0.1 against the real app: push, order, resume, revocation, scope.</summary>
[Collection(SerialCollection.Name)]
public sealed class LiveTests : IAsyncLifetime
{
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Live:RenewSeconds"] = "1" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    private async Task<string> OpenAssignedCaseAsync(string mentorId = AppHost.Mentor)
    {
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}",
            fullName = "Warga Live", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId });
        return number;
    }

    private Task<JsonElement> Consent(string number) => _app.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "live" });

    [Fact]
    public async Task AMentor_ReceivesEveryEventOfTheirCases_InOrder_WithSequenceNumbers()
    {
        var number = await OpenAssignedCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);

        for (var i = 0; i < 5; i++)
        {
            await Consent(number);
        }

        var seqs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var e = await mentor.NextEventAsync();
            Assert.Equal(number, e.GetProperty("caseNumber").GetString());
            seqs.Add(e.GetProperty("seq").GetInt64());
        }

        Assert.Equal([3L, 4, 5, 6, 7], seqs);
    }

    [Fact]
    public async Task AfterADroppedConnection_ResumeGivesExactlyTheMissedEvents()
    {
        var number = await OpenAssignedCaseAsync();
        var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        await Consent(number);
        var last = (await mentor.NextEventAsync()).GetProperty("seq").GetInt64();
        await mentor.DisposeAsync();

        await Consent(number);
        await Consent(number);
        await using var back = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        var resumed = await back.Connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long> { [number] = last });
        await Consent(number);
        var live = await back.NextEventAsync();

        Assert.Equal([last + 1, last + 2], resumed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Empty(resumed.GetProperty("accessEnded").EnumerateArray());
        Assert.Equal(last + 3, live.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task AReassignment_EndsThePreviousMentorsStreamWithinOneSecond_AndTheirReads()
    {
        await _app.CreateUser("mentor.two", Role.Mentor);
        var number = await OpenAssignedCaseAsync();
        await using var before = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        await using var after = await LiveClient.ConnectAsync(_app, "mentor.two");
        using var mentorApi = await _app.ClientFor(AppHost.Mentor);
        Assert.Equal(HttpStatusCode.OK, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);

        var clock = Stopwatch.StartNew();
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "mentor.two" });
        var acknowledged = clock.Elapsed;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var ended = await before.Ended.Reader.ReadAsync(cts.Token);
        var endedAfter = clock.Elapsed;
        await Consent(number);
        var toNewMentor = await after.NextEventAsync();

        Assert.Equal(number, ended);
        Assert.True(endedAfter - acknowledged < TimeSpan.FromSeconds(1), $"access ended {(endedAfter - acknowledged).TotalMilliseconds} ms after the acknowledgement");
        Assert.Equal(number, toNewMentor.GetProperty("caseNumber").GetString());
        Assert.False(before.Events.Reader.TryRead(out _), "the previous mentor received an event after the reassignment");
        Assert.Equal(HttpStatusCode.NotFound, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);
        var resume = await before.Connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long> { [number] = 0 });
        Assert.Equal([number], resume.GetProperty("accessEnded").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ACaseworker_FollowsACaseOfTheirRegion_ButFollowingOneOutsideIsRefusedLikeAMissingCase()
    {
        var number = await OpenAssignedCaseAsync();
        await _app.CreateUser("petugas.malang2", Role.Caseworker, "35.07");
        await using var batu = await LiveClient.ConnectAsync(_app, AppHost.Caseworker);
        await using var malang = await LiveClient.ConnectAsync(_app, "petugas.malang2");

        var history = await batu.Connection.InvokeAsync<JsonElement>("Follow", number, 0L);
        await Consent(number);
        var live = await batu.NextEventAsync();
        var outside = await Assert.ThrowsAsync<HubException>(() => malang.Connection.InvokeAsync<JsonElement>("Follow", number, 0L));
        var missing = await Assert.ThrowsAsync<HubException>(() => malang.Connection.InvokeAsync<JsonElement>("Follow", "3579-999999", 0L));

        Assert.Equal(2, history.GetProperty("events").GetArrayLength());
        Assert.False(history.GetProperty("more").GetBoolean());
        Assert.Equal(3, live.GetProperty("seq").GetInt64());
        Assert.Equal(missing.Message, outside.Message);
        Assert.False(malang.Events.Reader.TryRead(out _));
    }

    [Fact]
    public async Task AnAnalyst_CannotConnectToTheHub()
    {
        var token = await _app.TokenFor(AppHost.Analyst);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_app.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task AMentorsCapacity_IsEnforced_WithAClearRefusal_AndTheCaseloadIsListed()
    {
        await _app.CreateUser("mentor.full", Role.Mentor);
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        using var profile = await supervisor.PutAsJsonAsync("/api/mentors/mentor.full/profile",
            new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79" }, capacity = 1 });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        var first = await OpenAssignedCaseAsync("mentor.full");

        var second = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}",
            fullName = "Warga Penuh", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString();
        using var refused = await _app.Client.PostAsJsonAsync($"/api/cases/{second}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = "mentor.full" });
        var caseload = await _app.Client.GetFromJsonAsync<JsonElement>("/api/mentors/mentor.full/caseload");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("mentor.at_capacity", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal([first], caseload.GetProperty("activeCases").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1, caseload.GetProperty("profile").GetProperty("capacity").GetInt32());
    }
}
