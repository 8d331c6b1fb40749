using System.Net;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The ministry dashboard page in real headless Chromium on a 360 px phone viewport: the nation's numbers, drill-down to
/// Jawa Timur and Kota Batu, charts drawn, no personal data; a caseworker's intake elsewhere moves the numbers on the
/// page without a reload; the English switch.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DashboardPageTests
{
    private static Task<string> IntakeAsync(AppHost app, string nik, string region) =>
        app.PostOk("/api/cases", new { commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Dasbor", regionCode = region, segment = "Koperasi", consentGiven = true },
            HttpStatusCode.Created).ContinueWith(t => t.Result.GetProperty("caseNumber").GetString()!, TaskScheduler.Default);

    [Fact]
    public async Task TheAnalyst_DrillsDownToKotaBatu_AndSeesAnIntakeArriveWithoutReload_InBothLanguages()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await IntakeAsync(app, "3579026107900051", "35.79.02.2004");
        await IntakeAsync(app, "3579016107900052", "35.79.01");
        var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Analyst);

        await Assertions.Expect(page.Locator("#dash-title")).ToHaveTextAsync("Dasbor program · Indonesia");
        await Assertions.Expect(page.Locator("#kpi-cases strong")).ToHaveTextAsync("2");
        await page.ClickAsync("#children tr[data-region='35'] a");
        await Assertions.Expect(page.Locator("#dash-title")).ToContainTextAsync("JAWA TIMUR", new() { IgnoreCase = true });
        await page.ClickAsync("#children tr[data-region='35.79'] a");
        await Assertions.Expect(page.Locator("#dash-title")).ToContainTextAsync("BATU", new() { IgnoreCase = true });
        await Assertions.Expect(page.Locator("#funnel tr[data-stage='Intake'] td").Last).ToHaveTextAsync("2");
        Assert.Equal(2, await page.Locator("#children tbody tr").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('funnel-chart').width > 0"), "the funnel chart was not drawn");
        Assert.DoesNotContain("Warga Dasbor", await page.ContentAsync(), StringComparison.Ordinal);

        // An intake in Kota Batu moves the page's numbers by itself.
        await page.EvaluateAsync("() => { window.__noReload = true; }");
        await IntakeAsync(app, "3579036107900053", "35.79.03.2001");
        await Assertions.Expect(page.Locator("#kpi-cases strong")).ToHaveTextAsync("3", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#children tbody tr")).ToHaveCountAsync(3);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page reloaded");

        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("#dash-title")).ToContainTextAsync("Programme dashboard");
        await Assertions.Expect(page.Locator("#funnel th").First).ToHaveTextAsync("Stage");
        await page.ClickAsync("#up");
        await Assertions.Expect(page.Locator("#dash-title")).ToContainTextAsync("JAWA TIMUR", new() { IgnoreCase = true });
    }
}
