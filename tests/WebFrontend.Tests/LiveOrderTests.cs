using System.Net;
using System.Text.Json;
using CaseGrains.LiveClient;
using CaseGrains.WebFrontend.Apis;
using CaseGrains.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// One ordering (issue 15, deliverable 7): the live path relies on the case sequence numbers alone. Events pushed to the
/// client out of order and twice (straight through the hub, past the relay) are shown once each, in order, by the .NET
/// client of the protocol (src/LiveClient) and by the page in real headless Chromium; a gap is filled by a resume.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LiveOrderTests
{
    /// <summary>A case with the mentor and <paramref name="notes"/> notes; returns its number and its events.</summary>
    internal static async Task<(string CaseNumber, IReadOnlyList<TimelineEvent> Events)> CaseWithNotesAsync(AppHost app, string nik, int notes)
    {
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Urutan", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        for (var i = 0; i < notes; i++)
        {
            await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = $"catatan {i}" });
        }

        return (number, (await app.GetOk($"/api/cases/{number}/timeline")).Deserialize<TimelineEvent[]>(AppHost.Json)!);
    }

    /// <summary>Pushes the events with these seqs, in this order, to the user's connections (past the relay's own checks).</summary>
    private static async Task PushAsync(AppHost app, string userId, IReadOnlyList<TimelineEvent> events, params long[] seqs)
    {
        var hub = app.Services.GetRequiredService<IHubContext<CaseHub, ICaseClient>>();
        foreach (var seq in seqs)
        {
            await hub.Clients.User(userId).CaseEvent(events.Single(e => e.Seq == seq));
        }
    }

    [Fact]
    public async Task TheDotNetClient_ShowsEachEventOnce_InOrder_WhenPushesComeReorderedAndTwice()
    {
        var app = AppHost.Start();
        try
        {
            var (number, events) = await CaseWithNotesAsync(app, "3579025703900061", notes: 6); // seqs 1..8
            var token = await app.TokenFor(AppHost.Supervisor);
            // The supervisor may read the case but neither follows it nor is its mentor: only the pushes below reach them.
            await using var client = await CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token));

            // #1 is next; #3 comes before #2 (a gap: the client resumes and gets 2..8 in order); the rest repeat.
            await PushAsync(app, AppHost.Supervisor, events, 1, 3, 2, 2, 4, 6, 5, 8, 7, 8, 1);

            var seen = new List<long>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (seen.Count < 8)
            {
                var e = await client.Events.ReadAsync(timeout.Token);
                Assert.Equal(number, e.CaseNumber);
                seen.Add(e.Seq);
            }

            Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], seen);
            await Task.Delay(300); // nothing more comes: no event twice
            Assert.False(client.Events.TryRead(out var extra), $"an event came twice: #{extra?.Seq}");
            Assert.Equal(8, client.Positions[number]);
        }
        finally
        {
            await ConsequenceTests.StopAsync(app);
        }
    }

    [Fact]
    public async Task ThePage_ShowsEachEventOnce_InOrder_WhenPushesComeReorderedAndTwice()
    {
        await using var browserApp = await BrowserApp.StartAsync();
        var app = browserApp.App;
        var (number, events) = await CaseWithNotesAsync(app, "3579025703900062", notes: 3); // seqs 1..5
        var page = await Chromium.SignInAsync(browserApp.Browser, app.BaseAddress, AppHost.Mentor);
        await page.Locator($"li[data-case='{number}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(5);

        // Duplicates and an old event out of order: nothing changes. Then new events, the later one first: both shown, in order.
        await PushAsync(app, AppHost.Mentor, events, 5, 3, 4, 4, 1);
        var note = async (string text) => (await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text })).GetProperty("seq").GetInt64();
        var six = await note("catatan enam");
        var seven = await note("catatan tujuh");
        var all = (await app.GetOk($"/api/cases/{number}/timeline")).Deserialize<TimelineEvent[]>(AppHost.Json)!;
        await PushAsync(app, AppHost.Mentor, all, seven, six, seven, six);

        await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(7);
        var shown = await page.Locator("#timeline li .seq").AllTextContentsAsync();
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"#{i} "), shown);
    }
}
