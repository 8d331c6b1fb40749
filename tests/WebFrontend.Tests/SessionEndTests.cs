using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CaseGrains.Domain.Access;
using CaseGrains.LiveClient;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A session's end cuts its streams (issue 15, deliverable 5): sign-out, a disabled account, a new password, another role
/// or other regions → every open hub connection of the user is told why within a second, receives nothing more and is
/// closed; connecting again with the old token is refused. Real SignalR clients over loopback, and the page in Chromium.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SessionEndTests
{
    public static TheoryData<string, string> Triggers => new()
    {
        { "sign-out", "signed-out" },
        { "disable", "account-disabled" },
        { "password", "password-changed" },
        { "role", "access-changed" },
        { "regions", "access-changed" },
    };

    [Theory]
    [MemberData(nameof(Triggers))]
    public async Task EveryOpenConnectionOfTheUser_IsToldWhyWithinASecond_ReceivesNothingMore_AndTheOldTokenIsRefused(string trigger, string reason)
    {
        var app = AppHost.Start();
        try
        {
            var userId = "petugas." + trigger.Replace("-", "", StringComparison.Ordinal);
            await app.CreateUser(userId, Role.Caseworker, "35.79");
            using var user = await app.ClientFor(userId);
            var number = (await app.PostOk("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = $"35790257039{Math.Abs(userId.GetHashCode(StringComparison.Ordinal)) % 100000:D5}",
                fullName = "Warga Sesi", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
            var token = user.DefaultRequestHeaders.Authorization!.Parameter!;
            await using var first = await CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token));
            await using var second = await CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token));
            await first.FollowAsync(number);
            await second.FollowAsync(number);
            await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "sebelum" });
            foreach (var client in new[] { first, second })
            {
                // The follow hands out the case's history (#1), then the note is pushed (#2).
                var history = await client.Events.ReadAsync(Timeout());
                var note = await client.Events.ReadAsync(Timeout());
                Assert.Equal((1L, 2L), (history.Seq, note.Seq));
            }

            var clock = Stopwatch.StartNew();
            await TriggerAsync(app, user, userId, trigger);
            var ended = await Task.WhenAll(first.SessionEnded.WaitAsync(TimeSpan.FromSeconds(5)), second.SessionEnded.WaitAsync(TimeSpan.FromSeconds(5)));
            var within = clock.Elapsed;

            Assert.Equal([reason, reason], ended);
            Assert.True(within < TimeSpan.FromSeconds(1), $"the connections were told after {within.TotalMilliseconds:F0} ms");
            await WaitClosedAsync(first);
            await WaitClosedAsync(second);
            await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "sesudah" });
            await Task.Delay(300);
            Assert.False(first.Events.TryRead(out _) || second.Events.TryRead(out _), "an event reached a connection of an ended session");

            // The old token opens nothing any more.
            var again = await Assert.ThrowsAsync<HttpRequestException>(() => CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token)));
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        }
        finally
        {
            await ConsequenceTests.StopAsync(app);
        }
    }

    [Fact]
    public async Task ThePage_SaysWhyItsSessionEnded_WhenTheUserSignsOutElsewhere()
    {
        await using var browserApp = await BrowserApp.StartAsync();
        var app = browserApp.App;
        var page = await Chromium.SignInAsync(browserApp.Browser, app.BaseAddress, AppHost.Mentor);
        await page.WaitForSelectorAsync("#cases, main p");

        // The same person signs out on another device: every session of the account ends, this page's too.
        using var elsewhere = await app.ClientFor(AppHost.Mentor);
        using var logout = await elsewhere.PostAsync("/api/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await Assertions.Expect(page.Locator("#session-ended")).ToContainTextAsync("Sesi Anda berakhir", new() { Timeout = 5000 });
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
    }

    private static async Task TriggerAsync(AppHost app, HttpClient user, string userId, string trigger)
    {
        if (trigger == "sign-out")
        {
            using var logout = await user.PostAsync("/api/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            return;
        }

        object change = trigger switch
        {
            "disable" => new { disabled = true },
            "password" => new { password = "another long password here" },
            "role" => new { role = "Supervisor" },
            _ => new { regions = new[] { "35.07" } },
        };
        using var admin = await app.ClientFor(AppHost.Administrator);
        using var response = await admin.PutAsJsonAsync($"/api/users/{userId}", change, AppHost.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitClosedAsync(CaseFeedClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (client.Connection.State != HubConnectionState.Disconnected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the connection is still {client.Connection.State}");
            await Task.Delay(50);
        }
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;
}
