using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Erasure in real headless Chromium: a supervisor erases a closed case's person from its page; the page then says so,
/// in Bahasa Indonesia and in English, shows nothing of the person and offers no more actions on it.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ErasurePageTests
{
    [Fact]
    public async Task ASupervisor_ErasesAClosedCaseFromItsPage_WhichThenShowsThePersonAsErased()
    {
        await using var session = await BrowserApp.StartAsync();
        var app = session.App;
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = "3579024703910078", fullName = "Ibu Hapus Halaman", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Ibu Hapus Halaman pindah ke Malang." });
        using var supervisor = await app.ClientFor(AppHost.Supervisor);
        using (var close = await supervisor.PostAsJsonAsync($"/api/cases/{number}/close", new { commandId = Guid.NewGuid().ToString(), reason = "Moved" }))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        var page = await Chromium.SignInAsync(session.Browser, app.BaseAddress, AppHost.Supervisor);
        await page.GotoAsync($"{app.BaseAddress}#/cases/{number}");
        await Assertions.Expect(page.Locator("#case-title")).ToHaveTextAsync($"Ibu Hapus Halaman · {number}");
        await page.FillAsync("#erase-reason", "Permintaan penerima manfaat");
        await page.CheckAsync("#erase-sure");
        await page.ClickAsync("#erasure-form button");

        await Assertions.Expect(page.Locator("#case-title")).ToHaveTextAsync($"Data dihapus · {number}");
        await Assertions.Expect(page.Locator("#erased")).ToContainTextAsync("telah dihapus");
        await Assertions.Expect(page.Locator("#note-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#erasure-form")).ToHaveCountAsync(0);
        Assert.DoesNotContain("Hapus Halaman", await page.Locator("main, body").First.InnerTextAsync(), StringComparison.Ordinal);
        await PlainPage.AssertPlainAsync(page, "erased case page");

        await page.ClickAsync("#lang");
        await Assertions.Expect(page.Locator("#case-title")).ToHaveTextAsync($"Erased · {number}");
        await Assertions.Expect(page.Locator("#erased")).ToContainTextAsync("was erased");
        await page.ClickAsync("#lang");
    }
}
