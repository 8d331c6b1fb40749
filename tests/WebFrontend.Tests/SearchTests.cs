using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The case list's search box through the API (issue 16, deliverable 5): a name's words in any case and without its
/// diacritics, a case number, and a NIK through its keyed look-up, always within the caller's scope, each listing in the
/// case's access log (a NIK search says so); the workbench's search box asks the same.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SearchTests
{
    [Fact]
    public async Task TheSearchBox_FindsByNameWordsCaseNumberAndNik_OnlyWithinScope_AndANikSearchIsInTheAccessLog()
    {
        await using var app = AppHost.Start();
        try
        {
            await app.CreateUser("petugas.malang", Domain.Access.Role.Caseworker, "35.07");
            const string nik = "3579016105910032";
            var number = (await app.PostOk("/api/cases", new { commandId = "s1", nik, fullName = "Dédé Kurniawati, S.Pd.", regionCode = "35.79.01", segment = "Umkm", consentGiven = true },
                HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
            await app.PostOk("/api/cases", new { commandId = "s2", nik = "3579016105910041", fullName = "Bambang Kurnia", regionCode = "35.79.02", segment = "Umkm", consentGiven = true },
                HttpStatusCode.Created);

            async Task<List<string>> Search(HttpClient client, string q) =>
                [.. (await client.GetFromJsonAsync<JsonElement>($"/api/cases?q={Uri.EscapeDataString(q)}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("fullName").GetString()!)];

            Assert.Equal(["Dédé Kurniawati, S.Pd."], await Search(app.Client, "dede kurni"));
            Assert.Equal(["Bambang Kurnia", "Dédé Kurniawati, S.Pd."], (await Search(app.Client, "KURNIA")).Order(StringComparer.Ordinal));
            Assert.Equal(["Dédé Kurniawati, S.Pd."], await Search(app.Client, number));
            Assert.Equal(["Dédé Kurniawati, S.Pd."], await Search(app.Client, nik));
            Assert.Empty(await Search(app.Client, "3579016105910099")); // a NIK with no case
            Assert.Empty(await Search(app.Client, "%_%"));

            // Outside the caller's regions: neither the name nor the NIK finds it.
            using var malang = await app.ClientFor("petugas.malang");
            Assert.Empty(await Search(malang, "dede"));
            Assert.Empty(await Search(malang, nik));

            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            var log = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log");
            Assert.Contains(log.EnumerateArray(), e => e.GetProperty("purpose").GetString() == "nik-search" && e.GetProperty("userId").GetString() == AppHost.Caseworker);

            // The workbench's search box is the same search.
            var (playwright, browser) = await Chromium.LaunchAsync();
            try
            {
                var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
                await Assertions.Expect(page.Locator("#wb-total")).ToHaveTextAsync("2 kasus");
                foreach (var query in new[] { "dede kurni", nik })
                {
                    await page.FillAsync("#f-q", query);
                    await page.ClickAsync("form:has(#f-q) button[type=submit]");
                    await Assertions.Expect(page.Locator("#wb-total")).ToHaveTextAsync("1 kasus");
                    await Assertions.Expect(page.Locator("#app")).ToContainTextAsync("Dédé Kurniawati, S.Pd.");
                }
            }
            finally
            {
                await browser.DisposeAsync();
                playwright.Dispose();
            }
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
