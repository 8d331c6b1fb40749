using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Rules that hold across a person's cases (by NIK): one active KUR per debtor whatever the product and the bank, on the
/// same case and through a new intake after graduation; and the redundancy map counts people, not enrolments.
/// </summary>
[Trait("Category", "Quick")]
public sealed class PersonRulesTests
{
    private const string Nik = "3579024107880011";

    [Fact]
    public async Task AGraduatedDebtorWithACurrentKur_GetsNoSecondKurThroughANewIntake_AndTheRedundancyMapCountsThePersonOnce()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-person-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = AppHost.Start(dir);
            await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
            using (var admin = await app.ClientFor(AppHost.Administrator))
            {
                using var saved = await admin.PutAsJsonAsync("/api/offers/kur-jatim-supermikro", new
                {
                    name = "KUR Super Mikro Bank Jatim", type = "FinancingProduct", category = "KUR Super Mikro", provider = "Bank Jatim", level = "Partner",
                    partnerRole = "Business", segments = new[] { "Umkm" }, regions = new[] { "35" }, start = "2026-01-01", end = "2030-12-31", capacity = 1000,
                    minAmountIdr = 1_000_000, maxAmountIdr = 10_000_000, eligibleClasses = new[] { "Micro" },
                }, AppHost.Json);
                Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
            }

            var flow = new ServicesFlow(app, app.Client);
            var first = await OpenAsync(app);
            await AssessAsync(flow, first);
            Assert.Null((await flow.Enrol(first, "dm-batu-2026")).Code);
            await flow.Command(first, "/enrolments/dm-batu-2026/attendance", new { attendancePercent = 90 });
            await flow.Stage(first, "training", "complete");
            await flow.Stage(first, "mentoring", "skip", "Sudah didampingi BUMDes");
            await flow.Stage(first, "matching", "skip", "Sudah punya pembeli tetap");
            await flow.Stage(first, "financing", "start");
            Assert.Null((await flow.Enrol(first, "kur-bri-mikro", amountIdr: 20_000_000)).Code);
            await flow.Command(first, "/enrolments/kur-bri-mikro/financing-decision", new { approved = true, plafondIdr = 20_000_000 });
            await flow.Command(first, "/enrolments/kur-bri-mikro/disbursement", new { amountIdr = 20_000_000, date = DateOnly.FromDateTime(DateTime.UtcNow) });
            var superMikroSameCase = await flow.Enrol(first, "kur-jatim-supermikro", amountIdr: 5_000_000);
            var umiSameCase = await flow.Enrol(first, "umi-pip-2026", amountIdr: 5_000_000);
            await flow.Stage(first, "financing", "complete");
            await flow.Stage(first, "graduated", "start");
            await flow.Command(first, "/outcomes", new { annualTurnoverAfterIdr = 400_000_000L, businessCapitalAfterIdr = 60_000_000L, workersAfter = 4 });
            await flow.Stage(first, "graduated", "complete");

            // The graduation gives the person's registry entry back (a consequence): a new intake then opens a second case.
            var second = await OpenAsync(app);
            Assert.NotEqual(first, second);
            await AssessAsync(flow, second);
            Assert.Null((await flow.Enrol(second, "dm-jatim-2026")).Code);
            await flow.Stage(second, "training", "skip", "Sudah lulus pelatihan pada kasus sebelumnya");
            await flow.Stage(second, "mentoring", "skip", "Tidak perlu");
            await flow.Stage(second, "matching", "skip", "Tidak perlu");
            await flow.Stage(second, "financing", "start");
            var kurOtherCase = await flow.Enrol(second, "kur-jatim-mikro", amountIdr: 30_000_000);

            Assert.Equal((HttpStatusCode.UnprocessableEntity, "financing.scheme_active"), (superMikroSameCase.Status, superMikroSameCase.Code));
            Assert.Contains("KUR Mikro BRI", superMikroSameCase.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("financing.scheme_active", umiSameCase.Code);
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "financing.scheme_active"), (kurOtherCase.Status, kurOtherCase.Code));
            Assert.Contains("kasus lain", kurOtherCase.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(first, kurOtherCase.Body.GetRawText(), StringComparison.Ordinal);
            var types = await flow.EventTypesAsync(second);
            Assert.DoesNotContain("FinancingApplied", types);

            // The person is in dm-batu-2026 (first case) and dm-jatim-2026 (second case), offers of one overlapping set: one person.
            using var analyst = await app.ClientFor(AppHost.Analyst);
            var map = await analyst.GetFromJsonAsync<JsonElement>("/api/catalog/redundancy?region=35.79");
            var set = map.GetProperty("sets").EnumerateArray().Single(s => s.GetProperty("offers").EnumerateArray()
                .Any(o => o.GetProperty("offer").GetProperty("id").GetString() == "dm-batu-2026"));
            var perOffer = set.GetProperty("offers").EnumerateArray().ToDictionary(o => o.GetProperty("offer").GetProperty("id").GetString()!, o => o.GetProperty("beneficiaries").GetInt64());
            Assert.Equal(1, perOffer["dm-batu-2026"]);
            Assert.Equal(1, perOffer["dm-jatim-2026"]);
            Assert.Equal(1, set.GetProperty("beneficiaries").GetInt64());
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }

    /// <summary>The intake of the person (retried while the previous case's registry entry is still being given back).</summary>
    private static async Task<string> OpenAsync(AppHost app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await app.Client.PostAsJsonAsync("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = Nik, fullName = "Sri Wahyuni", regionCode = "35.79.02.2004", segment = "Umkm", consentGiven = true,
            });
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return body.GetProperty("caseNumber").GetString()!;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Conflict && DateTime.UtcNow < deadline, body.GetRawText());
            await Task.Delay(200);
        }
    }

    private static async Task AssessAsync(ServicesFlow flow, string n)
    {
        await flow.Stage(n, "intake", "complete");
        await flow.Stage(n, "assessment", "start");
        await flow.Command(n, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 300_000_000L, businessCapitalIdr = 50_000_000L, workers = 3, needs = new[] { "Pemasaran Digital" } });
        await flow.Stage(n, "assessment", "complete");
        await flow.Stage(n, "training", "start");
    }
}
