using System.Globalization;
using System.Net;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The mentor page in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), on a 360 px phone
/// viewport: a caseworker's action updates the page without a reload, and the page recovers when its server goes away.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MentorPageTests
{
    private static async Task<IPage> SignInAsMentorAsync(IBrowser browser, Uri baseAddress)
    {
        var page = await Chromium.SignInAsync(browser, baseAddress, AppHost.Mentor);
        await page.WaitForSelectorAsync("#cases, main p");
        return page;
    }

    /// <summary>A Kota Batu case opened by the caseworker and assigned to the test mentor.</summary>
    internal static async Task<string> OpenAssignedCaseAsync(AppHost app, string nik, string name = "Ibu Sri Rahayu")
    {
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = name, regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        return number;
    }

    [Fact]
    public async Task ACaseworkersAction_UpdatesTheMentorPageWithoutReload_AndTheMentorLogsASession()
    {
        await using var app = AppHost.Start();
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await OpenAssignedCaseAsync(app, "3579026107900041");
            var page = await SignInAsMentorAsync(browser, app.BaseAddress);
            var row = page.Locator($"li[data-case='{number}']");
            await Assertions.Expect(row).ToContainTextAsync("Pendaftaran");
            Assert.Equal("Kasus dampingan saya", await page.TextContentAsync("h1"));
            await page.EvaluateAsync("() => { window.__noReload = true; }");

            await app.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() });
            await app.PostOk($"/api/cases/{number}/stages/assessment/start", new { commandId = Guid.NewGuid().ToString() });

            await Assertions.Expect(row).ToContainTextAsync("Asesmen");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "4");
            await Assertions.Expect(row).ToHaveClassAsync("changed");
            Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page reloaded");

            // Open the case, log a session: the timeline grows by itself.
            await row.Locator("a").ClickAsync();
            await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(4);
            await page.FillAsync("#topic", "Pembukuan sederhana");
            await page.FillAsync("#next", "Rekap kas mingguan");
            await page.ClickAsync("#session button[type=submit]");
            await Assertions.Expect(page.Locator("#session-message")).ToHaveTextAsync("Sesi tersimpan.");
            await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(5);

            // English on request.
            await page.ClickAsync("#lang");
            await Assertions.Expect(page.Locator("#session h2")).ToHaveTextAsync("Log a mentoring session");
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 360, $"the page is {width} px wide on a 360 px phone");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ACaseWhoseReadFailsOrAnswersFromBeforeThePush_IsReadAgain_AndALateOlderAnswerNeverReplacesANewerOne()
    {
        await using var app = AppHost.Start();
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await OpenAssignedCaseAsync(app, "3579026107900045");
            var page = await SignInAsMentorAsync(browser, app.BaseAddress);
            var row = page.Locator($"li[data-case='{number}']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "2");
            await page.WaitForSelectorAsync("body[data-started='mentor']");
            const string readView = "n => fetch('/api/cases/' + n, { headers: { Accept: 'application/json' } }).then(r => r.text())";
            var atTwo = await page.EvaluateAsync<string>(readView, number);

            // The push of version 3 is followed by a read that fails, then by one answered from before the change.
            var reads = 0;
            await page.RouteAsync($"**/api/cases/{number}", async route =>
            {
                switch (Interlocked.Increment(ref reads))
                {
                    case 1:
                        await route.AbortAsync("connectionreset");
                        break;
                    case 2:
                        await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = atTwo });
                        break;
                    default:
                        await route.ContinueAsync();
                        break;
                }
            });
            await app.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() });
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "3", new() { Timeout = 30_000 });
            Assert.True(Volatile.Read(ref reads) >= 3, $"{reads} reads");
            await page.UnrouteAllAsync();

            // Two pushes: the first one's read answers (from before the second change) only after the second one's read
            // has been shown. The row goes to 5 and never back.
            var atThree = await page.EvaluateAsync<string>(readView, number);
            await page.EvaluateAsync(@"n => {
                window.__versions = [];
                new MutationObserver(() => window.__versions.push(document.querySelector(`li[data-case='${n}']`)?.dataset.version))
                    .observe(document.getElementById('app'), { subtree: true, childList: true, attributes: true });
            }", number);
            var secondShown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var lateAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            reads = 0;
            await page.RouteAsync($"**/api/cases/{number}", async route =>
            {
                if (Interlocked.Increment(ref reads) == 1)
                {
                    await secondShown.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = atThree });
                    lateAnswered.SetResult();
                }
                else
                {
                    await route.ContinueAsync();
                }
            });
            await app.PostOk($"/api/cases/{number}/stages/assessment/start", new { commandId = Guid.NewGuid().ToString() });
            await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Ditelepon: siap asesmen" });
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "5", new() { Timeout = 30_000 });
            secondShown.SetResult();
            await lateAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // The late answer's case is drawn (or not) within a moment; a drawn 3 would be seen by the observer.
            await page.WaitForTimeoutAsync(2000);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "5");
            var versions = await page.EvaluateAsync<string?[]>("() => window.__versions");
            Assert.DoesNotContain("3", versions.SkipWhile(v => v != "5"));
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task ACaseOpenedWhileTheLiveFeedStillConnects_KeepsWhatTheMentorTypes_WhenTheStartEnds()
    {
        await using var app = AppHost.Start();
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await OpenAssignedCaseAsync(app, "3579026107900047", "Ibu Ani");
            var context = await Chromium.PhoneContextAsync(browser, app.BaseAddress);
            var page = await context.NewPageAsync();
            // The live feed's socket waits (as on a slow link) until the mentor has opened the case and typed.
            var feed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await page.RouteWebSocketAsync("**/hubs/cases", async socket =>
            {
                await feed.Task;
                socket.ConnectToServer();
            });
            await Chromium.SignInOnAsync(page, AppHost.Mentor);

            await page.ClickAsync($"li[data-case='{number}'] a");
            await page.FillAsync("#topic", "Perizinan usaha");
            Assert.Null(await page.EvaluateAsync<string?>("() => document.body.dataset.started ?? null"));
            feed.SetResult();

            await page.WaitForFunctionAsync("() => document.body.dataset.started === 'mentor'");
            await Assertions.Expect(page.Locator("#topic")).ToHaveValueAsync("Perizinan usaha");
            // The header is the signed-in one, though no route drew the page at the start's end.
            await Assertions.Expect(page.Locator("#notify-link")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#logout")).ToBeVisibleAsync();
            await page.ClickAsync("#session button[type=submit]");
            await Assertions.Expect(page.Locator("#session-message")).ToHaveTextAsync("Sesi tersimpan.", new() { Timeout = 30_000 });
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task WhenTheConnectionDropsAndItsServerIsReplaced_ThePageSaysReconnecting_ThenResumesWithWhatItMissed()
    {
        await using var silo = await Node.StartEmbeddedSiloAsync();
        var client = new Dictionary<string, string>
        {
            ["CaseGrains:Frontend"] = "Client",
            ["CaseGrains:GatewayPort"] = silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["CaseGrains:ServiceId"] = silo.ServiceId,
        };
        var port = AppHost.FreeTcpPort();
        await using var other = AppHost.Start(overrides: client);
        var served = AppHost.Start(overrides: client, port: port);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await OpenAssignedCaseAsync(other, "3579026107900042");
            var page = await SignInAsMentorAsync(browser, served.BaseAddress);
            var row = page.Locator($"li[data-case='{number}']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "2");

            // Record every text the status line shows (it may show "reconnecting" only briefly).
            await page.EvaluateAsync("""
                () => {
                  const status = document.getElementById('status');
                  window.__statuses = [];
                  new MutationObserver(() => { if (!status.hidden) window.__statuses.push(status.textContent); })
                    .observe(status, { childList: true, characterData: true, subtree: true, attributes: true });
                }
                """);

            // The connection drops (the page's network goes; deterministic, unlike waiting for a dead socket to time
            // out), its server is replaced meanwhile, and work goes on through the other frontend.
            await page.Context.SetOfflineAsync(true);
            // Offline closes the socket at once in most runs; otherwise the 15 s server timeout notices. Generous bound
            // for a loaded two-core machine: a fast page passes in a second.
            await page.WaitForFunctionAsync("() => window.__statuses.some(s => s.includes('menghubungkan ulang'))", null, new() { Timeout = 45_000 });
            var dir = served.DataDirectory;
            await served.DisposeAsync();
            AppHost.DeleteData(dir);
            await other.PostOk($"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() });
            served = AppHost.Start(overrides: client, port: port);
            await page.Context.SetOfflineAsync(false);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-version", "3", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#status")).ToBeHiddenAsync();
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(other.DataDirectory);
            AppHost.DeleteData(served.DataDirectory);
            await served.DisposeAsync();
        }
    }
}
