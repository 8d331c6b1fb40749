using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The subject access document in real headless Chromium: from the case page, with a purpose, the person's identity with
/// the full NIK, every consent, every event in words and every access (the export itself last), in Bahasa Indonesia and
/// in English, printable, and downloadable as JSON with each event in words in both languages.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SubjectAccessPageTests
{
    [Fact]
    public async Task FromTheCasePage_TheDocumentShowsEverythingHeld_InWords_InBothLanguages_AndDownloadsAsJson()
    {
        await using var session = await BrowserApp.StartAsync();
        var app = session.App;
        const string nik = "3579024703910077";
        var number = (await app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = "Ibu Akses Data", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await app.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "formulir bertanda tangan", formVersion = "3", witness = "Pak Lurah" });
        await app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Minta salinan datanya." });

        var page = await Chromium.SignInAsync(session.Browser, app.BaseAddress, AppHost.Caseworker);
        await page.GotoAsync($"{app.BaseAddress}#/cases/{number}");
        await page.ClickAsync("#subject-access-link");
        await page.FillAsync("#sa-purpose", "permintaan Ibu Akses Data di loket");
        await page.ClickAsync("#sa-export");

        var doc = page.Locator("#subject-access");
        await Assertions.Expect(doc.Locator("h1")).ToHaveTextAsync("Data pribadi yang disimpan tentang Ibu Akses Data");
        await Assertions.Expect(page.Locator("#sa-identity")).ToContainTextAsync(nik);
        await Assertions.Expect(page.Locator("#sa-consents li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#sa-consents li").Nth(1)).ToContainTextAsync("saksi Pak Lurah");
        await Assertions.Expect(page.Locator("#sa-timeline li")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#sa-timeline li").Nth(2)).ToContainTextAsync("Catatan: Minta salinan datanya.");
        await Assertions.Expect(page.Locator("#sa-access li[data-action='subject-access-export']")).ToContainTextAsync("permintaan Ibu Akses Data di loket");
        await Assertions.Expect(page.Locator("#sa-print")).ToBeVisibleAsync();
        await PlainPage.AssertPlainAsync(page, "subject access document");

        // Printed, it is the document alone.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(page.Locator("#sa-print")).ToBeHiddenAsync();
        await Assertions.Expect(doc).ToBeVisibleAsync();
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        await page.ClickAsync("#lang");
        await Assertions.Expect(doc.Locator("h1")).ToHaveTextAsync("Personal data held about Ibu Akses Data");
        await Assertions.Expect(page.Locator("#sa-timeline li").Nth(2)).ToContainTextAsync("Note: Minta salinan datanya.");
        await PlainPage.AssertPlainAsync(page, "subject access document (English)");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#sa-download"));
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync())).RootElement;
        Assert.Equal(nik, json.GetProperty("nik").GetString());
        var inWords = json.GetProperty("timelineInWords").EnumerateArray().ToList();
        Assert.Equal(3, inWords.Count);
        Assert.Equal("Catatan: Minta salinan datanya.", inWords[2].GetProperty("id").GetString());
        Assert.Equal("Note: Minta salinan datanya.", inWords[2].GetProperty("en").GetString());
        await page.ClickAsync("#lang");
    }
}
