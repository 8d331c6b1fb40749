using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The partner's live queue in real headless Chromium on a 360 px phone (issue 20, deliverables 3 and 5): a bank officer
/// sees the applications addressed to the bank, a new one arrives without a reload, and the officer's decision reaches the
/// caseworker's open case page live; the beneficiary's withdrawal of sharing takes the case off the bank's page at once.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PartnerPageTests
{
    [Fact]
    public async Task ABankOfficerDecidesOnItsQueue_AndTheCaseworkersOpenPageShowsTheAnswerLive_InBothLanguages()
    {
        await using var app = AppHost.Start();
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
            await app.CreatePartner("mitra-bri", "mitra.bri", "kur-bri-mikro");
            var flow = new ServicesFlow(app, app.Client);
            var number = await flow.AssessedAsync();
            Assert.Null((await flow.Enrol(number, "kur-bri-mikro", amountIdr: 12_000_000)).Code);

            var cw = await Chromium.SignInAsync(browser, app.BaseAddress, AppHost.Caseworker);
            await cw.GotoAsync($"/#/cases/{number}");
            await Assertions.Expect(cw.Locator("#timeline")).ToBeVisibleAsync();

            var bank = await Chromium.SignInAsync(browser, app.BaseAddress, "mitra.bri");
            await Assertions.Expect(bank.Locator("h1")).ToHaveTextAsync("Antrean mitra");
            var item = bank.Locator($"#pc-{number}");
            await Assertions.Expect(item).ToBeVisibleAsync();
            await Assertions.Expect(item).ToContainTextAsync("NIK ");
            await Assertions.Expect(item).ToContainTextAsync("Menunggu Anda: Putuskan pengajuan pembiayaan");
            var width = await bank.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(width <= 360, $"the partner's page is {width} px wide on a 360 px phone");

            // A new application reaches the bank's open page without a reload.
            var second = await flow.AssessedAsync();
            Assert.Null((await flow.Enrol(second, "kur-bri-mikro", amountIdr: 5_000_000)).Code);
            await Assertions.Expect(bank.Locator($"#pc-{second}")).ToBeVisibleAsync();

            // The officer approves a lower ceiling; the item moves on to the disbursement, and the caseworker sees who decided.
            await bank.FillAsync($"#plafond-{number}-kur-bri-mikro", "10000000");
            await bank.ClickAsync($"#approve-{number}-kur-bri-mikro");
            await Assertions.Expect(item).ToContainTextAsync("Menunggu Anda: Catat pencairan");
            await Assertions.Expect(cw.Locator("#timeline")).ToContainTextAsync("mitra.bri (Mitra)");
            var enrolment = await flow.EnrolmentAsync(number, "kur-bri-mikro");
            Assert.Equal(("Approved", 10_000_000), (enrolment.GetProperty("status").GetString(), enrolment.GetProperty("plafondIdr").GetInt64()));

            // A decline needs its reason, said on the page; nothing is sent without it.
            await bank.ClickAsync($"#reject-{second}-kur-bri-mikro");
            await Assertions.Expect(bank.Locator($"#task-{second}-kur-bri-mikro .task-message")).ToHaveTextAsync("Tuliskan alasannya.");
            Assert.Equal("Applied", (await flow.EnrolmentAsync(second, "kur-bri-mikro")).GetProperty("status").GetString());

            // The beneficiary withdraws sharing with partners: the case leaves the bank's page at once.
            await app.PostOk($"/api/cases/{second}/consent/withdrawal", new
            {
                commandId = Guid.NewGuid().ToString(), purposes = new[] { "PartnerSharing" }, method = "Surat penarikan ditandatangani",
            });
            await Assertions.Expect(bank.Locator($"#pc-{second}")).ToHaveCountAsync(0);
            await Assertions.Expect(bank.Locator("#status")).ToHaveAttributeAsync("data-reason", "consent-withdrawn");
            await Assertions.Expect(bank.Locator("#status")).ToContainTextAsync("persetujuan berbagi data dengan mitra");

            // English on request.
            await bank.ClickAsync("#lang");
            await Assertions.Expect(bank.Locator("h1")).ToHaveTextAsync("Partner queue");
            await Assertions.Expect(item).ToContainTextAsync("Waiting for you: Record the disbursement");
            Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync($"/api/cases/{number}")).StatusCode);
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
