using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The main flow in real headless Chromium, three people at once (issue 8, deliverable 8): a caseworker registers a
/// beneficiary on the workbench, records the assessment, enrols them in a course, meets the overlap warning of a second
/// course and acknowledges it, records attendance, assigns the mentor the matching ranks first and completes the stages
/// — while the mentor's page and the ministry's dashboard, in other browser contexts, update without a reload.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class WorkbenchFlowTests
{
    private static async Task Step(IPage page, string button, string stage, string state)
    {
        await page.ClickAsync(button);
        await Assertions.Expect(page.Locator($"#stages li[data-stage='{stage}']")).ToHaveAttributeAsync("data-state", state);
    }

    [Fact]
    public async Task IntakeAssessmentEnrolmentWithAnOverlapWarningMentorAndStages_UpdateTheMentorPageAndTheDashboardLive()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        await session.SetMentorProfileAsync(AppHost.Mentor);

        var mentor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
        await Assertions.Expect(mentor.Locator("h1")).ToHaveTextAsync("Kasus dampingan saya");
        var dashboard = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Analyst);
        await Assertions.Expect(dashboard.Locator("#dash-title")).ToContainTextAsync("Indonesia");
        await dashboard.EvaluateAsync("() => { location.hash = '#/dashboard/35.79'; window.__noReload = true; }");
        await Assertions.Expect(dashboard.Locator("#kpi-cases strong")).ToHaveTextAsync("0");
        await mentor.EvaluateAsync("() => { window.__noReload = true; }");

        // Intake on the workbench: the NIK is checked as typed.
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(cw.Locator("h1")).ToHaveTextAsync("Kasus wilayah saya");
        await cw.ClickAsync("#intake-panel summary");
        await cw.FillAsync("#i-nik", "35790255089300");
        await Assertions.Expect(cw.Locator("#i-nik-hint")).ToHaveTextAsync("14/16 digit.");
        await cw.FillAsync("#i-nik", "3579025508930031");
        await Assertions.Expect(cw.Locator("#i-nik-hint")).ToHaveTextAsync("Format NIK benar.");
        await cw.FillAsync("#i-name", "Ibu Lestari Workbench");
        await cw.SelectOptionAsync("#i-region", "35.79.02");
        await cw.SelectOptionAsync("#i-segment", "Umkm");
        await cw.CheckAsync("#i-consent");
        await cw.ClickAsync("#intake button[type=submit]");
        await Assertions.Expect(cw.Locator("#case-title")).ToContainTextAsync("Ibu Lestari Workbench");
        await Assertions.Expect(dashboard.Locator("#kpi-cases strong")).ToHaveTextAsync("1", new() { Timeout = 15_000 });

        // Assessment, then Training (each step waits for the page to show its result).
        await Step(cw, "#complete-Intake", "Intake", "Completed");
        await Step(cw, "#start-Assessment", "Assessment", "Active");
        await cw.SelectOptionAsync("#a-sector", "Kuliner");
        await cw.FillAsync("#a-turnover", "300000000");
        await cw.FillAsync("#a-capital", "50000000");
        await cw.FillAsync("#a-workers", "3");
        await cw.CheckAsync("#a-needs input[value='Pemasaran Digital']");
        await cw.ClickAsync("#assessment button[type=submit]");
        await Assertions.Expect(cw.Locator("#assessment")).ToHaveCountAsync(0);
        await Step(cw, "#complete-Assessment", "Assessment", "Completed");
        await Step(cw, "#start-Training", "Training", "Active");

        // Enrol in the city's course; the national one overlaps: warned, acknowledged, recorded.
        await cw.ClickAsync("#accept-Course-dm-batu-2026");
        await Assertions.Expect(cw.Locator("#enrolments li[data-offer='dm-batu-2026']")).ToHaveAttributeAsync("data-status", "Enrolled");
        await cw.ClickAsync("#accept-Course-dm-pusat-2026");
        await Assertions.Expect(cw.Locator("#overlap-warning")).ToContainTextAsync("Kelas Pemasaran Digital Kota Batu");
        await cw.ClickAsync("#acknowledge");
        await Assertions.Expect(cw.Locator("#enrolments li[data-offer='dm-pusat-2026']")).ToHaveAttributeAsync("data-status", "Enrolled");

        // Attendance meets the course's threshold; Training completes; the top-ranked mentor is assigned.
        await cw.ClickAsync("#attend-dm-batu-2026");
        await Assertions.Expect(cw.Locator("#enrolments li[data-offer='dm-batu-2026']")).ToHaveAttributeAsync("data-status", "Completed");
        await Step(cw, "#complete-Training", "Training", "Completed");
        await Step(cw, "#start-Mentoring", "Mentoring", "Active");
        await Assertions.Expect(cw.Locator("#candidates-Mentor li").First).ToHaveAttributeAsync("data-candidate", AppHost.Mentor);
        await cw.ClickAsync($"#accept-Mentor-{AppHost.Mentor}");
        await Assertions.Expect(cw.Locator("#stage")).ToContainTextAsync($"pendamping: {AppHost.Mentor}");

        // The mentor's page and the dashboard moved by themselves.
        var number = (await cw.TextContentAsync("#case-title"))!.Split(" · ")[1];
        await Assertions.Expect(mentor.Locator($"li[data-case='{number}']")).ToContainTextAsync("Pendampingan", new() { Timeout = 15_000 });
        await Assertions.Expect(dashboard.Locator("#funnel tr[data-stage='Mentoring'] td").Last).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        Assert.True(await mentor.EvaluateAsync<bool>("() => window.__noReload === true"), "the mentor page reloaded");
        Assert.True(await dashboard.EvaluateAsync<bool>("() => window.__noReload === true"), "the dashboard reloaded");
        // Opened, Intake done, Assessment started/recorded/done, Training started, two enrolments, attendance, Training done, Mentoring started, mentor.
        await Assertions.Expect(cw.Locator("#timeline li")).ToHaveCountAsync(12);
    }
}
