using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The "belanja masalah" screen in real headless Chromium on a 360 px phone viewport (issue 8, deliverable 6): a Kota
/// Batu caseworker records field problems through the form (a refused one says why and records nothing); they appear in
/// the list and in the summary per kecamatan and category, where a category no catalog offer meets is marked unmet and
/// listed first; the analyst reaches the same screen from the dashboard, without the form, in both languages.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class FieldProblemPageTests
{
    private static async Task FillAsync(IPage page, string kecamatan, string? desa, string category, string reporter, string kind)
    {
        await page.SelectOptionAsync("#pb-kecamatan", kecamatan);
        await page.FillAsync("#pb-desa", desa ?? "");

        await page.FillAsync("#pb-sector", "Kuliner");
        await page.FillAsync("#pb-category", category);
        await page.FillAsync("#pb-description", "Anggota belum bisa mengurus " + category.Trim().ToLowerInvariant());
        await page.FillAsync("#pb-reporter", reporter);
        await page.SelectOptionAsync("#pb-kind", kind);
    }

    [Fact]
    public async Task ACaseworkerRecordsProblems_TheyAreListedAndCounted_AnUnmetNeedIsMarkedFirst_AndTheAnalystSeesThemWithoutTheForm()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        var halal = "Sertifikasi Halal";
        var page = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Kasus wilayah saya");
        await page.ClickAsync("#to-problems");
        await Assertions.Expect(page.Locator("#pb-title")).ToContainTextAsync("Belanja masalah · ");
        await Assertions.Expect(page.Locator("#pb-title")).ToContainTextAsync("Batu", new() { IgnoreCase = true });
        await Assertions.Expect(page.Locator("#pb-list")).ToContainTextAsync("Belum ada masalah tercatat.");
        await Assertions.Expect(page.Locator("#pb-up")).ToHaveCountAsync(0); // Jawa Timur is not the caseworker's to read
        // The picker offers Kota Batu's kecamatan only.
        Assert.Equal(["35.79.01", "35.79.02", "35.79.03"], await page.Locator("#pb-kecamatan option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        // A category of blanks passes the browser's check but not the server's: the message says why, nothing is recorded.
        await FillAsync(page, "35.79.01", null, "   ", "Koperasi Wanita Sisir", "Partner");
        await page.ClickAsync("#pb-form button[type=submit]");
        await Assertions.Expect(page.Locator("#pb-message")).ToHaveClassAsync("error");
        await Assertions.Expect(page.Locator("#pb-message")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#pb-category")).ToBeFocusedAsync();
        Assert.Empty((await app.GetOk("/api/problems?region=35.79")).EnumerateArray());

        // A need no offer in the catalog meets, in a desa of Bumiaji.
        await FillAsync(page, "35.79.02", "2004", halal, "Kelompok Tani Apel Bumiaji", "Community");
        await page.ClickAsync("#pb-form button[type=submit]");
        await Assertions.Expect(page.Locator("#pb-message")).ToHaveTextAsync("Masalah tercatat.");
        await Assertions.Expect(page.Locator("#pb-problems li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#pb-problems li").First).ToContainTextAsync(halal);
        await Assertions.Expect(page.Locator("#pb-problems li").First).ToContainTextAsync("Kelompok Tani Apel Bumiaji (Masyarakat / kelompok warga)");
        var unmet = page.Locator($"#pb-counts tr[data-region='35.79.02'][data-category='{halal}']");
        await Assertions.Expect(unmet).ToHaveClassAsync("unmet");
        await Assertions.Expect(unmet).ToContainTextAsync("Belum ada layanan");
        await Assertions.Expect(unmet).ToHaveAttributeAsync("data-offers", "0");

        // A need the catalog meets (the national, provincial, city and Bumiaji courses): counted, not marked.
        await FillAsync(page, "35.79.02", null, "Pemasaran Digital", "Koperasi Wanita Sisir", "Partner");
        await page.ClickAsync("#pb-form button[type=submit]");
        await Assertions.Expect(page.Locator("#pb-problems li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#pb-problems li").First).ToContainTextAsync("Pemasaran Digital"); // newest first
        var met = page.Locator("#pb-counts tr[data-region='35.79.02'][data-category='Pemasaran Digital']");
        await Assertions.Expect(met).ToHaveAttributeAsync("data-offers", "4");
        await Assertions.Expect(met).Not.ToHaveClassAsync("unmet");
        await Assertions.Expect(met).Not.ToContainTextAsync("Belum ada layanan");
        await Assertions.Expect(page.Locator("#pb-counts tbody tr").First).ToHaveAttributeAsync("data-category", halal);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 360, $"the field problems screen is {width} px wide on a 360 px phone");

        // Recorded as the form said.
        var recorded = (await app.GetOk("/api/problems?region=35.79")).EnumerateArray().ToList();
        Assert.Equal(
            [("35.79.02", "Pemasaran Digital", "Koperasi Wanita Sisir", "Partner"), ("35.79.02.2004", halal, "Kelompok Tani Apel Bumiaji", "Community")],
            recorded.Select(p => (Text(p, "regionCode"), Text(p, "category"), Text(p, "reporter"), Text(p, "reporterKind"))));

        // Drill-down to Bumiaji: counted per desa, and back up to Kota Batu.
        await page.ClickAsync("#pb-counts tr[data-region='35.79.02'] a >> nth=0");
        await Assertions.Expect(page.Locator("#pb-title")).ToContainTextAsync("Bumiaji", new() { IgnoreCase = true });
        await Assertions.Expect(page.Locator($"#pb-counts tr[data-region='35.79.02.2004'][data-category='{halal}']")).ToHaveClassAsync("unmet");
        await Assertions.Expect(page.Locator("#pb-kecamatan")).ToHaveValueAsync("35.79.02");
        await Assertions.Expect(page.Locator("#pb-desa")).ToHaveValueAsync("");
        await page.ClickAsync("#pb-up");
        await Assertions.Expect(page.Locator("#pb-counts tr[data-region='35.79.02']")).ToHaveCountAsync(2);

        // The analyst, from Kota Batu's dashboard: the list and the summary, no form; then in English.
        var analyst = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Analyst);
        await Assertions.Expect(analyst.Locator("#dash-title")).ToContainTextAsync("Indonesia");
        await analyst.EvaluateAsync("() => { location.hash = '#/dashboard/35.79'; }");
        await Assertions.Expect(analyst.Locator("#dash-title")).ToContainTextAsync("Batu", new() { IgnoreCase = true });
        await analyst.ClickAsync("#to-problems");
        await Assertions.Expect(analyst.Locator("#pb-problems li")).ToHaveCountAsync(2);
        await Assertions.Expect(analyst.Locator("#pb-counts tr.unmet")).ToHaveCountAsync(1);
        await Assertions.Expect(analyst.Locator("#pb-form")).ToHaveCountAsync(0);
        await analyst.ClickAsync("#lang");
        await Assertions.Expect(analyst.Locator("#pb-title")).ToContainTextAsync("Field problems · ");
        await Assertions.Expect(analyst.Locator("#pb-counts tr.unmet")).ToContainTextAsync("No matching offer");
        await Assertions.Expect(analyst.Locator("#pb-up")).ToBeVisibleAsync();
    }

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
