using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The dashboard's numbers update live (issue 8, deliverable 3, server side): a watcher of a region is told over
/// <c>/hubs/dashboard</c> when its counters move, and fetches them again; watching is checked like reading.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DashboardLiveTests(AppFixture fx)
{
    private static async Task<(HubConnection Connection, Channel<string> Changed)> ConnectAsync(AppHost app, string userId)
    {
        var token = await app.TokenFor(userId);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "/hubs/dashboard"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var changed = Channel.CreateUnbounded<string>();
        connection.On<string>("DashboardChanged", region => changed.Writer.TryWrite(region));
        await connection.StartAsync();
        return (connection, changed);
    }

    [Fact]
    public async Task AWatchedRegion_IsToldWhenItsNumbersMove_AndTheNumbersHaveMoved()
    {
        var (analyst, changed) = await ConnectAsync(fx.App, AppHost.Analyst);
        await using var _ = analyst;
        using var analystHttp = await fx.App.ClientFor(AppHost.Analyst);
        Assert.True(await analyst.InvokeAsync<bool>("Watch", "35.79"));
        Assert.True(await analyst.InvokeAsync<bool>("Watch", "ID"));
        var before = (await analystHttp.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetProperty("cases").GetInt64();

        await fx.OpenCaseAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var told = new HashSet<string>();
        while (!told.IsSupersetOf(["35.79", "ID"]))
        {
            told.Add(await changed.Reader.ReadAsync(timeout.Token));
        }

        // Other tests open cases too: at least this one more.
        Assert.True((await analystHttp.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetProperty("cases").GetInt64() > before);
        await analyst.InvokeAsync("Unwatch", "35.79");
    }

    [Theory]
    [InlineData(AppHost.Mentor, "35.79", false)]
    [InlineData(AppHost.Caseworker, "35.79", true)]
    [InlineData(AppHost.Caseworker, "35", false)]
    [InlineData(AppHost.Supervisor, "35.79.02", true)]
    [InlineData(AppHost.Analyst, "35.79.02.2004", false)]
    [InlineData(AppHost.Analyst, "99", false)]
    public async Task Watching_IsAllowedExactlyWhereReadingTheNumbersIs(string userId, string region, bool allowed)
    {
        var (connection, _) = await ConnectAsync(fx.App, userId);
        await using var __ = connection;

        Assert.Equal(allowed, await connection.InvokeAsync<bool>("Watch", region));
    }
}
