using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A Kota Batu caseworker's whole day in real headless Chromium on a 360 px phone (issue 18): an intake without consent,
/// the consent recorded from the case page, the assessment with the catalog's pickers, an enrolment with the overlap
/// warning acknowledged and its confirmation, a wrong attendance corrected, a mentor assigned and a session's topic
/// corrected, graduation. Every screen on the way is read for
/// raw identifiers in Bahasa Indonesia, and the graduated case page again in English. (The supervisor approving a closure
/// from the supervision view: <c>WorkbenchActionsTests.ACaseworkerAsksToClose_TheSupervisorApprovesFromTheSupervisionView_…</c>.)
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class CaseworkerDayTests(ITestOutputHelper output)
{
    private static ILocator Stage(IPage page, string stage) => CasePage.Stage(page, stage);

    private static ILocator Enrolment(IPage page, string offerId) => CasePage.Enrolment(page, offerId);

    [Fact]
    public async Task IntakeWithoutConsent_Consent_AssessmentWithPickers_EnrolWithTheOverlapWarning_CorrectAnAttendance_Graduate()
    {
        // The reading below knows what to look for.
        Assert.Superset(new HashSet<string> { "KabKota", "NotStarted", "Micro", "Current" }, PlainPage.RawNames("id").ToHashSet());
        Assert.Superset(new HashSet<string> { "EkonomiKreatif", "ReferralOffered" }, PlainPage.RawNames("en").ToHashSet());
        Assert.DoesNotContain("Koperasi", PlainPage.RawNames("id"));

        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        await session.SetMentorProfileAsync(AppHost.Mentor);
        var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(cw.Locator("h1")).ToHaveTextAsync("Kasus wilayah saya");
        await PlainPage.AssertPlainAsync(cw, "case list");

        // Intake without consent: the form says why consent is needed; the case opens and waits at Intake.
        await cw.ClickAsync("#intake-panel summary");
        await Assertions.Expect(cw.Locator("#i-consent-why")).ToContainTextAsync("UU 27/2022");
        await cw.FillAsync("#i-nik", "3579024703910005");
        await cw.FillAsync("#i-name", "Ibu Sehari Penuh");
        await cw.SelectOptionAsync("#i-region", "35.79.02");
        await cw.SelectOptionAsync("#i-segment", "Umkm");
        await cw.ClickAsync("#intake button[type=submit]");
        await Assertions.Expect(cw.Locator("#case-title")).ToContainTextAsync("Ibu Sehari Penuh");
        await Assertions.Expect(cw.Locator("#next-action")).ToContainTextAsync("Catat persetujuan");
        await Assertions.Expect(Stage(cw, "Intake")).ToHaveAttributeAsync("aria-current", "step");
        await PlainPage.AssertPlainAsync(cw, "case waiting for consent");

        // Consent from the case page: method, form version, date, witness; then Intake completes.
        await cw.SelectOptionAsync("#consent-method", "Cap jempol pada formulir, dengan saksi");
        await cw.FillAsync("#consent-version", "2");
        await cw.FillAsync("#consent-witness", "Bu Rina, kader desa");
        await cw.ClickAsync("#consent-submit");
        await Assertions.Expect(cw.Locator("#complete-Intake")).ToHaveClassAsync("primary");
        await Assertions.Expect(cw.Locator("#timeline li[data-type='ConsentRecorded']")).ToContainTextAsync("saksi Bu Rina, kader desa");
        await cw.ClickAsync("#complete-Intake");
        await Assertions.Expect(Stage(cw, "Intake")).ToHaveAttributeAsync("data-state", "Completed");

        // The assessment picks its sector and needs from the catalog's words.
        await cw.ClickAsync("#start-Assessment");
        await Assertions.Expect(Stage(cw, "Assessment")).ToHaveAttributeAsync("data-state", "Active");
        await cw.SelectOptionAsync("#a-sector", "Kuliner");
        await cw.FillAsync("#a-turnover", "300000000");
        await cw.FillAsync("#a-capital", "50000000");
        await cw.FillAsync("#a-workers", "3");
        await cw.CheckAsync("#a-needs input[value='Pemasaran Digital']");
        await PlainPage.AssertPlainAsync(cw, "assessment");
        await cw.ClickAsync("#assessment button[type=submit]");
        await Assertions.Expect(cw.Locator("#profile")).ToContainTextAsync("usaha mikro");
        await Assertions.Expect(cw.Locator("#profile")).ToContainTextAsync("Rp 300.000.000");
        await cw.ClickAsync("#complete-Assessment");
        await Assertions.Expect(Stage(cw, "Assessment")).ToHaveAttributeAsync("data-state", "Completed");
        await cw.ClickAsync("#start-Training");
        await Assertions.Expect(Stage(cw, "Training")).ToHaveAttributeAsync("data-state", "Active");

        // Only the courses are offered in Training; the city's course is confirmed with what comes next, the national one
        // overlaps: warned, acknowledged, recorded.
        await Assertions.Expect(cw.Locator("#candidates-Mentor")).ToHaveCountAsync(0);
        await cw.ClickAsync("#accept-Course-dm-batu-2026");
        await Assertions.Expect(Enrolment(cw, "dm-batu-2026")).ToHaveAttributeAsync("data-status", "Enrolled");
        await Assertions.Expect(cw.Locator("#confirm")).ToContainTextAsync("kehadiran akhir");
        await cw.ClickAsync("#accept-Course-dm-pusat-2026");
        await Assertions.Expect(cw.Locator("#overlap-warning")).ToContainTextAsync("Kelas Pemasaran Digital Kota Batu");
        await Assertions.Expect(cw.Locator("#overlap-warning")).ToContainTextAsync("kabupaten/kota");
        await cw.ClickAsync("#acknowledge");
        await Assertions.Expect(Enrolment(cw, "dm-pusat-2026")).ToHaveAttributeAsync("data-status", "Enrolled");
        await PlainPage.AssertPlainAsync(cw, "training with two courses");
        var trainingHeight = await cw.EvaluateAsync<int>("() => document.documentElement.scrollHeight");

        // A wrong attendance: 60 % is below the course's 80 %, the gate says so with the figures; corrected to 85 % with a
        // reason, the original stays on the timeline and Training completes.
        await cw.FillAsync("#attendance-dm-batu-2026", "60");
        await cw.ClickAsync("#attend-dm-batu-2026");
        await Assertions.Expect(Enrolment(cw, "dm-batu-2026")).ToHaveAttributeAsync("data-status", "Completed");
        await Assertions.Expect(cw.Locator("#next-action")).ToContainTextAsync("perlu 80%");
        await Enrolment(cw, "dm-batu-2026").Locator("details.correction summary").ClickAsync();
        await cw.FillAsync("#correct-attendance-dm-batu-2026", "85");
        await cw.FillAsync("#correct-attendance-reason-dm-batu-2026", "Daftar hadir pertemuan keempat terlewat");
        await cw.ClickAsync("#correct-attend-dm-batu-2026");
        await Assertions.Expect(cw.Locator("#timeline li[data-type='AttendanceCorrected']")).ToContainTextAsync("dari 60% menjadi 85%");
        await Assertions.Expect(cw.Locator("#timeline li[data-type='TrainingCompletionRecorded']")).ToContainTextAsync("hadir 60%");
        await Assertions.Expect(cw.Locator("#complete-Training")).ToHaveClassAsync("primary");
        await cw.ClickAsync("#complete-Training");
        await Assertions.Expect(Stage(cw, "Training")).ToHaveAttributeAsync("data-state", "Completed");

        // Mentoring: the top mentor assigned (and confirmed); the mentor logs a session from their phone, the caseworker
        // corrects its topic with a reason; the stage is then skipped (the rest comes from the BUMDes).
        await cw.ClickAsync("#start-Mentoring");
        await Assertions.Expect(cw.Locator($"#accept-Mentor-{AppHost.Mentor}")).ToBeVisibleAsync();
        await cw.ClickAsync($"#accept-Mentor-{AppHost.Mentor}");
        await Assertions.Expect(cw.Locator("#confirm")).ToContainTextAsync("halaman pendamping");
        var number = (await cw.Locator("#case-title").TextContentAsync())!.Split(" · ")[1];
        using (var mentorClient = await app.ClientFor(AppHost.Mentor))
        {
            await new ServicesFlow(app, mentorClient).Command(number, "/mentoring-sessions", new { date = DateOnly.FromDateTime(DateTime.UtcNow), topic = "Kas" });
        }

        var sessionItem = cw.Locator("#sessions li").First;
        await Assertions.Expect(sessionItem).ToContainTextAsync("Kas");
        await sessionItem.Locator("summary").ClickAsync();
        var seq = await sessionItem.GetAttributeAsync("data-session");
        await cw.FillAsync($"#session-topic-{seq}", "Arus kas harian");
        await cw.FillAsync($"#session-reason-{seq}", "Topik tercatat terlalu singkat");
        await cw.ClickAsync($"#session-correct-{seq}");
        await Assertions.Expect(cw.Locator("#timeline li[data-type='MentoringSessionCorrected']")).ToContainTextAsync("Arus kas harian");
        await Assertions.Expect(cw.Locator("#sessions li").First).ToContainTextAsync("Arus kas harian");
        await PlainPage.AssertPlainAsync(cw, "mentoring with a corrected session");

        // The rest of the journey is skipped with reasons, then the outcomes and graduation.
        foreach (var (stage, reason) in new[] { ("Mentoring", "Pendampingan lanjut oleh BUMDes"), ("Matching", "Sudah punya pembeli tetap"), ("Financing", "Tidak membutuhkan pembiayaan") })
        {
            await cw.ClickAsync("#next-action summary");
            await cw.FillAsync($"#skip-reason-{stage}", reason);
            await cw.ClickAsync($"#skip-{stage}");
            await Assertions.Expect(Stage(cw, stage)).ToHaveAttributeAsync("data-state", "Skipped");
        }

        await cw.ClickAsync("#start-Graduated");
        await Assertions.Expect(Stage(cw, "Graduated")).ToHaveAttributeAsync("data-state", "Active");
        await cw.FillAsync("#o-turnover", "450000000");
        await cw.FillAsync("#o-capital", "60000000");
        await cw.FillAsync("#o-workers", "4");
        await cw.ClickAsync("#outcomes button[type=submit]");
        await Assertions.Expect(cw.Locator("#complete-Graduated")).ToHaveClassAsync("primary");
        await cw.ClickAsync("#complete-Graduated");
        await Assertions.Expect(cw.Locator("#stage")).ToContainTextAsync("Mandiri");

        // The graduated case's page is short: no candidates, no forms but the note, and it says the journey is complete.
        await Assertions.Expect(cw.Locator("#next-action")).ToContainTextAsync("Perjalanan selesai");
        await Assertions.Expect(cw.Locator("#next-action button")).ToHaveCountAsync(0);
        await Assertions.Expect(cw.Locator("[id^='candidates-']")).ToHaveCountAsync(0);
        await Assertions.Expect(cw.Locator("#assessment-correct, details.correction")).ToHaveCountAsync(0);
        await PlainPage.AssertPlainAsync(cw, "graduated case");
        // Less than half the page it was in Training although its timeline is longer: the tools are gone, the timeline folded.
        var graduatedHeight = await cw.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        output.WriteLine($"case page at 360 px: {trainingHeight} px in Training, {graduatedHeight} px graduated");
        Assert.True(graduatedHeight < trainingHeight / 2, $"graduated {graduatedHeight} px, in Training {trainingHeight} px");
        await cw.ClickAsync("#lang");
        await Assertions.Expect(cw.Locator("#next-action")).ToContainTextAsync("The journey is complete");
        await PlainPage.AssertPlainAsync(cw, "graduated case (English)");
        await cw.ClickAsync("#lang");
    }

}
