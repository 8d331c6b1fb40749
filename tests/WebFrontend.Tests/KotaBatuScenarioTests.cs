using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Issue 7's scenario on a fresh embedded app: the Kota Batu inventory (samples/catalog-kota-batu.csv, overlapping
/// digital-marketing courses from Pusat, Provinsi, Kota and a desa, two KUR Mikro products) imported over HTTP, 100
/// beneficiaries across the four segments, enrolments giving exactly the planted refusals and warnings, the redundancy
/// map listing exactly the planted overlaps with its beneficiary counts, and cases graduating through every gate.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class KotaBatuScenarioTests
{
    private static readonly string[] Segments = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"];

    [Fact]
    public async Task KotaBatu_OverlappingInventory_HundredBeneficiaries_ExpectedRefusalsAndWarnings_ExactRedundancyMap_AndGraduations()
    {
        await using var app = AppHost.Start();
        try
        {
            using var admin = await app.ClientFor(AppHost.Administrator);
            var csv = await File.ReadAllTextAsync(Path.Combine(Repo.Root(), "samples", "catalog-kota-batu.csv"));
            var (status, report) = await ServicesFlow.ImportAsync(admin, csv);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal((14, 0), (report.GetProperty("created").GetInt32(), report.GetProperty("rejected").GetInt32()));

            var flow = new ServicesFlow(app, app.Client);
            await app.CreateUser("pendamping.kuliner", Domain.Access.Role.Mentor);
            using (var supervisor = await app.ClientFor(AppHost.Supervisor))
            {
                var profile = await supervisor.PutAsync("/api/mentors/pendamping.kuliner/profile", System.Net.Http.Json.JsonContent.Create(new
                {
                    sectors = new[] { "Kuliner", "Kerajinan" }, regions = new[] { "35.79" }, capacity = 100,
                }));
                Assert.True(profile.IsSuccessStatusCode, await profile.Content.ReadAsStringAsync());
            }

            var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
            void Count(string what) => outcomes[what] = outcomes.GetValueOrDefault(what) + 1;
            var cases = new List<(string Number, string Segment)>();
            for (var i = 0; i < 100; i++)
            {
                var segment = Segments[i % 4];
                var region = i % 2 == 0 ? "35.79.02.2004" : "35.79.01.1001";   // desa Bumiaji, kelurahan Sisir
                var n = await flow.AssessedAsync(segment, i % 3 == 0 ? "Kerajinan" : "Kuliner", 120_000_000 + i * 1_000_000, region, female: i % 5 < 2);
                cases.Add((n, segment));

                // 1. The city's own course (every segment): a place for the first 60, the waiting list after that.
                var kota = await flow.Enrol(n, "dm-batu-2026");
                Assert.Null(kota.Code);
                Count(i < 60 ? "kota:enrolled" : "kota:waitlisted");

                // 2. The national course overlaps it: a warning naming the city's course, its provider and level.
                var pusat = await flow.Enrol(n, "dm-pusat-2026");
                Assert.Equal("enrolment.overlap_unacknowledged", pusat.Code);
                Assert.Contains("Dinas Koperasi dan Usaha Mikro Kota Batu, kabupaten/kota", pusat.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
                Count("pusat:warned");
                if (i % 4 == 1)
                {
                    Assert.Null((await flow.Enrol(n, "dm-pusat-2026", acknowledge: true)).Code);
                    Count("pusat:acknowledged");
                }

                // 3. The province's course targets Umkm and EkonomiKreatif only.
                var jatim = await flow.Enrol(n, "dm-jatim-2026", acknowledge: true);
                Count(segment is "Koperasi" or "PekerjaMigran" ? "jatim:" + jatim.Code : jatim.Code is null ? "jatim:enrolled" : "jatim:" + jatim.Code);

                // 4. Financing: one KUR Mikro at a time; Bank Jatim's does not serve cooperatives.
                var bri = await flow.Enrol(n, "kur-bri-mikro", amountIdr: 10_000_000 + i * 100_000);
                Assert.Null(bri.Code);
                var bankJatim = await flow.Enrol(n, "kur-jatim-mikro", acknowledge: true, amountIdr: 5_000_000);
                Count("kur-jatim:" + bankJatim.Code);
            }

            Assert.Equal(60, outcomes["kota:enrolled"]);
            Assert.Equal(40, outcomes["kota:waitlisted"]);
            Assert.Equal(100, outcomes["pusat:warned"]);
            Assert.Equal(25, outcomes["pusat:acknowledged"]);
            Assert.Equal(50, outcomes["jatim:enrolment.segment_not_targeted"]);
            // Every Umkm/EkonomiKreatif case is already in the city's course (or its waiting list): the province's overlaps, acknowledged.
            Assert.Equal(50, outcomes["jatim:enrolled"]);
            Assert.Equal(75, outcomes["kur-jatim:enrolment.financing_overlap"]);
            Assert.Equal(25, outcomes["kur-jatim:enrolment.segment_not_targeted"]);

            // The redundancy map of Kota Batu: exactly the planted sets, with the beneficiaries holding a place in each.
            using var analyst = await app.ClientFor(AppHost.Analyst);
            var map = await analyst.GetFromJsonAsync<JsonElement>("/api/catalog/redundancy?region=35.79");
            var sets = map.GetProperty("sets").EnumerateArray().Select(s => s.GetProperty("offers").EnumerateArray()
                .ToDictionary(o => o.GetProperty("offer").GetProperty("id").GetString()!, o => o.GetProperty("beneficiaries").GetInt64())).ToList();
            Assert.Equal(2, sets.Count);
            Assert.Equal(new Dictionary<string, long> { ["dm-batu-2026"] = 60, ["dm-bumiaji-2026"] = 0, ["dm-jatim-2026"] = 50, ["dm-pusat-2026"] = 25 }, sets[0]);
            Assert.Equal(new Dictionary<string, long> { ["kur-bri-mikro"] = 100, ["kur-jatim-mikro"] = 0 }, sets[1]);
            // The set's total is people, not enrolments (60 + 50 + 25 = 135 enrolments): those in two of its offers count once.
            Assert.Equal(90, map.GetProperty("sets")[0].GetProperty("beneficiaries").GetInt64());

            // Graduation through every gate for two cases of each segment (among those holding a place in the city's course).
            await using var mentorLive = await LiveClient.ConnectAsync(app, "pendamping.kuliner");
            var graduates = cases.Take(60).GroupBy(c => c.Segment).SelectMany(g => g.Take(2)).ToList();
            var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (n, _) in graduates)
            {
                await flow.Command(n, "/enrolments/dm-batu-2026/attendance", new { attendancePercent = 85 });
                await flow.Stage(n, "training", "complete");
                await flow.Stage(n, "mentoring", "start");
                var mentors = await flow.Get($"/api/cases/{n}/candidates?kind=Mentor");
                Assert.Equal("pendamping.kuliner", mentors[0].GetProperty("id").GetString());
                await flow.Command(n, "/mentor", new { mentorId = "pendamping.kuliner" });
                for (var s = 0; s < 3; s++)
                {
                    await flow.Command(n, "/mentoring-sessions", new { date = today, topic = $"Sesi {s + 1}" });
                }

                await flow.Stage(n, "mentoring", "complete");
                await flow.Stage(n, "matching", "start");
                await flow.Enrol(n, "buyer-hotel-2026");
                await flow.Command(n, "/enrolments/buyer-hotel-2026/referral-response", new { accepted = true });
                await flow.Command(n, "/enrolments/buyer-hotel-2026/referral-outcome", new { outcome = "Contracted" });
                await flow.Stage(n, "matching", "complete");
                await flow.Stage(n, "financing", "start");
                Assert.Equal("gate.financing.no_decision", (await flow.Try(n, "/stages/financing/complete", new { })).Code);
                var amount = (await flow.EnrolmentAsync(n, "kur-bri-mikro")).GetProperty("amountIdr").GetInt64();
                await flow.Command(n, "/enrolments/kur-bri-mikro/financing-decision", new { approved = true, plafondIdr = amount });
                await flow.Command(n, "/enrolments/kur-bri-mikro/disbursement", new { amountIdr = amount, date = today });
                await flow.Stage(n, "financing", "complete");
                await flow.Stage(n, "graduated", "start");
                await flow.Command(n, "/outcomes", new { annualTurnoverAfterIdr = 2_400_000_000L, businessCapitalAfterIdr = 300_000_000L, workersAfter = 9 });
                await flow.Stage(n, "graduated", "complete");
                var view = await flow.Get($"/api/cases/{n}");
                Assert.Equal("Graduated", view.GetProperty("status").GetString());
                Assert.Equal(("Micro", "Small"), (view.GetProperty("outcomes").GetProperty("umkmClassBefore").GetString(), view.GetProperty("outcomes").GetProperty("umkmClassAfter").GetString()));
                Assert.True((await flow.Get($"/api/cases/{n}/verify")).GetProperty("valid").GetBoolean());
            }

            Assert.Equal(8, graduates.Count);
            // The mentor saw the enrolment steps of their cases live (the referral's answer among them).
            var pushed = new List<string>();
            while (pushed.Count(t => t == "ReferralOutcomeReported") < graduates.Count)
            {
                pushed.Add((await mentorLive.NextEventAsync()).GetProperty("type").GetString()!);
            }

            // Financing totals for the city: 100 applications (the refused second KUR left no trace), 8 disbursed.
            var totals = await analyst.GetFromJsonAsync<JsonElement>("/api/financing/totals?region=35.79");
            var briTotal = totals.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("offerId").GetString() == "kur-bri-mikro");
            var expectedApplied = Enumerable.Range(0, 100).Sum(i => 10_000_000L + i * 100_000L);
            Assert.Equal((100L, expectedApplied, 8L), (briTotal.GetProperty("applications").GetInt64(), briTotal.GetProperty("appliedIdr").GetInt64(), briTotal.GetProperty("disbursed").GetInt64()));
            Assert.Equal(1, totals.GetProperty("products").GetArrayLength());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}
