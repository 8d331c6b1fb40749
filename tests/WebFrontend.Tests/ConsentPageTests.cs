using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Consent per purpose on the case page in real headless Chromium: the caseworker records the beneficiary's withdrawal of
/// consent to mentoring, and the mentor's phone, open at the same time, drops the case at once saying why.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConsentPageTests
{
    [Fact]
    public async Task ACaseworkerRecordsAWithdrawalOfMentoring_AndTheMentorsPageDropsTheCaseSayingWhy_ThenConsentIsGivenAgain()
    {
        await using var app = AppHost.Start();
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900043", "Ibu Wulan Persetujuan");
            var mentor = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Mentor);
            var row = mentor.Locator($"li[data-case='{number}']");
            await Assertions.Expect(row).ToBeVisibleAsync();

            var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
            await cw.GotoAsync($"/#/cases/{number}");
            var mentoring = cw.Locator("#consent li[data-purpose='Mentoring']");
            await Assertions.Expect(mentoring).ToHaveAttributeAsync("data-given", "true");
            await Assertions.Expect(mentoring).ToContainTextAsync("Pendampingan usaha: diberikan");

            await cw.ClickAsync("#withdraw-consent summary");
            await cw.CheckAsync("#withdraw-purpose-Mentoring");
            await cw.FillAsync("#withdraw-method", "Surat penarikan ditandatangani");
            await cw.FillAsync("#withdraw-witness", "Bu Rina (kader desa)");
            await cw.ClickAsync("#withdraw-submit");

            await Assertions.Expect(mentoring).ToHaveAttributeAsync("data-given", "false");
            await Assertions.Expect(mentoring).ToContainTextAsync("ditarik");
            await Assertions.Expect(mentoring).ToContainTextAsync("Surat penarikan ditandatangani, saksi Bu Rina (kader desa)");
            await Assertions.Expect(cw.Locator("#consent li[data-purpose='CaseManagement']")).ToHaveAttributeAsync("data-given", "true");
            await Assertions.Expect(cw.Locator("#timeline")).ToContainTextAsync("Persetujuan ditarik untuk pendampingan usaha");

            // The mentor's phone, without a reload: the case is gone, and the status line says the beneficiary withdrew consent.
            await Assertions.Expect(row).ToHaveCountAsync(0);
            await Assertions.Expect(mentor.Locator("#status")).ToContainTextAsync("menarik persetujuan pendampingan");
            await Assertions.Expect(mentor.Locator("#status")).ToHaveAttributeAsync("data-reason", "consent-withdrawn");

            // Given again on the case page: the purpose is back, and a mentor may be assigned again.
            await cw.ClickAsync("#regive-consent summary");
            await cw.CheckAsync("#regive-purpose-Mentoring");
            await cw.ClickAsync("#regive-submit");
            await Assertions.Expect(mentoring).ToHaveAttributeAsync("data-given", "true");
            await app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
            await mentor.ReloadAsync();
            await Assertions.Expect(mentor.Locator($"li[data-case='{number}']")).ToBeVisibleAsync();

            // English on request.
            await cw.ClickAsync("#lang");
            await Assertions.Expect(cw.Locator("#consent h2")).ToHaveTextAsync("Consent per purpose (PDP law)");
            await Assertions.Expect(mentoring).ToContainTextAsync("Business mentoring: given");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
