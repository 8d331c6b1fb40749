using System.Net;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The data protection officer's page in real headless Chromium at 360 px: the access log in words with its origin,
/// filtered by action, the record of processing activities, in Bahasa Indonesia and English, nothing wider than the
/// phone and no case content.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PrivacyPageTests
{
    [Fact]
    public async Task TheOfficer_ReadsTheAccessLogInWords_FiltersIt_AndReadsTheRecordOfProcessing()
    {
        await using var session = await BrowserApp.StartAsync();
        var app = session.App;
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = "3579024703910088", fullName = "Ibu Tidak Terlihat", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{number}/nik/reveal", new { purpose = "cocokkan dengan KTP" });
        (await app.Client.GetAsync($"/api/cases/{number}")).Dispose();

        var page = await Chromium.SignInAsync(session.Browser, app.BaseAddress, AppHost.PrivacyOfficer);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Pelindungan data pribadi");
        var reveal = page.Locator("#pv-rows tr[data-action='reveal-nik']");
        await Assertions.Expect(reveal).ToHaveCountAsync(1);
        await Assertions.Expect(reveal).ToContainTextAsync("membuka NIK lengkap");
        await Assertions.Expect(reveal).ToContainTextAsync("cocokkan dengan KTP");
        await Assertions.Expect(reveal).ToContainTextAsync("127.0.0.1");
        await Assertions.Expect(reveal).ToContainTextAsync(number);
        await Assertions.Expect(page.Locator("#pv-rows tr[data-action='read-case']")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#pv-activities details")).ToHaveCountAsync(5);
        await PlainPage.AssertPlainAsync(page, "privacy officer");
        Assert.DoesNotContain("Tidak Terlihat", await page.InnerTextAsync("#app"), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than the phone");

        await page.SelectOptionAsync("#pv-action", "reveal-nik");
        await page.ClickAsync("#pv-search");
        await Assertions.Expect(page.Locator("#pv-rows tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#pv-message")).ToContainTextAsync("1 catatan");

        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Personal data protection");
        await Assertions.Expect(page.Locator("#pv-rows tr[data-action='reveal-nik']").First).ToContainTextAsync("revealed a full NIK");
        await page.ClickAsync("#pv-activities details[data-activity='access-audit'] summary");
        await Assertions.Expect(page.Locator("#pv-activities details[data-activity='access-audit']")).ToContainTextAsync("append-only");
        await PlainPage.AssertPlainAsync(page, "privacy officer (English)");
        await page.ClickAsync("#lang");
    }
}
