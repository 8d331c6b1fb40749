using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The dashboard's counters (issue 8, deliverable 4): written with each event per kecamatan and summed up the hierarchy;
/// they equal the case list, survive a restart, and the numbers rebuilt from the timelines equal the live ones — and
/// repair them after a lost write.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class DashboardTests
{
    [Fact]
    public async Task TheCounters_MatchTheCaseList_DrillDownTheHierarchy_SurviveARestart_AndEqualTheirRebuildFromTheTimelines()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-dashboard-" + Guid.NewGuid().ToString("N"));
        try
        {
            string batuBefore, nationalBefore;
            await using (var app = AppHost.Start(dir))
            {
                await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedAsync();
                using var analyst = await app.ClientFor(AppHost.Analyst);
                var batu = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79");
                var list = (await app.GetOk("/api/cases?region=35.79&pageSize=200")).GetProperty("items").EnumerateArray().ToList();

                // The funnel equals the case list, cell by cell (current stage × status × segment × gender).
                var fromList = list.GroupBy(i => (i.GetProperty("currentStage").GetString(), i.GetProperty("status").GetString(), i.GetProperty("segment").GetString(), i.GetProperty("gender").GetString()))
                    .ToDictionary(g => g.Key, g => (long)g.Count());
                var fromCounters = batu.GetProperty("funnel").EnumerateArray().ToDictionary(
                    c => (c.GetProperty("stage").GetString(), c.GetProperty("status").GetString(), c.GetProperty("segment").GetString(), c.GetProperty("gender").GetString()),
                    c => c.GetProperty("cases").GetInt64());
                Assert.Equal(fromList.OrderBy(kv => kv.Key.ToString()), fromCounters.OrderBy(kv => kv.Key.ToString()));
                Assert.Equal(list.Count, batu.GetProperty("cases").GetInt64());
                Assert.Equal(7, fromCounters.Keys.Select(k => k.Item1).Distinct().Count());

                // Drill-down: the nation → Jawa Timur → Kota Batu → its kecamatan, totals consistent at each level.
                var national = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard");
                var jatim = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35");
                Assert.Equal(("ID", "35", list.Count), (national.GetProperty("regionCode").GetString(), Assert.Single(national.GetProperty("children").EnumerateArray()).GetProperty("code").GetString(), (int)national.GetProperty("cases").GetInt64()));
                Assert.Equal("35.79", Assert.Single(jatim.GetProperty("children").EnumerateArray()).GetProperty("code").GetString());
                var kecamatan = batu.GetProperty("children").EnumerateArray().ToList();
                Assert.Equal(["35.79.01", "35.79.02", "35.79.03"], kecamatan.Select(k => k.GetProperty("code").GetString()));
                Assert.Equal(list.Count, kecamatan.Sum(k => k.GetProperty("cases").GetInt64()));
                Assert.Equal(list.Count(i => i.GetProperty("regionCode").GetString()!.StartsWith("35.79.02", StringComparison.Ordinal)), kecamatan[1].GetProperty("cases").GetInt64());
                var bumiaji = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79.02");
                Assert.Equal(kecamatan[1].GetProperty("cases").GetInt64(), bumiaji.GetProperty("cases").GetInt64());

                // Throughput and medians come from the completions; financing from the enrolments; no personal data anywhere.
                Assert.True(batu.GetProperty("throughput").EnumerateArray().Sum(w => w.GetProperty("completions").GetInt64()) > list.Count);
                Assert.Contains(batu.GetProperty("medianDays").EnumerateArray(), m => m.GetProperty("stage").GetString() == "Intake");
                Assert.True(batu.GetProperty("financing").GetProperty("disbursedIdr").GetInt64() > 0);
                var text = batu.GetRawText();
                Assert.DoesNotContain("fullName", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("3579", text.Replace("35.79", "", StringComparison.Ordinal), StringComparison.Ordinal);
                batuBefore = text;
                nationalBefore = national.GetRawText();
            }

            await using (var app = AppHost.Start(dir))
            {
                using var analyst = await app.ClientFor(AppHost.Analyst);
                using var admin = await app.ClientFor(AppHost.Administrator);
                Assert.Equal(batuBefore, (await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetRawText());
                Assert.Equal(nationalBefore, (await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard")).GetRawText());

                // Rebuilt from the timelines: equal to the live counters.
                var check = await Rebuild(admin, apply: false);
                Assert.Equal(DemoSeederCases(), check.GetProperty("cases").GetInt64());
                Assert.Empty(check.GetProperty("differences").EnumerateArray());

                // A lost write (simulated: counters removed behind the app's back) is found, and repaired.
                await using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "casegrains.db") }.ToString()))
                {
                    await conn.OpenAsync();
                    await using var drop = conn.CreateCommand();
                    drop.CommandText = "DELETE FROM region_metrics WHERE region_code = '35.79.02' AND metric = 'funnel'";
                    Assert.True(await drop.ExecuteNonQueryAsync() > 0);
                }

                Assert.NotEqual(batuBefore, (await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetRawText());
                Assert.NotEmpty((await Rebuild(admin, apply: false)).GetProperty("differences").EnumerateArray());
                Assert.True((await Rebuild(admin, apply: true)).GetProperty("applied").GetBoolean());
                Assert.Equal(batuBefore, (await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetRawText());
                Assert.Empty((await Rebuild(admin, apply: false)).GetProperty("differences").EnumerateArray());
            }
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }

    [Fact]
    public async Task TheDashboard_IsForTheMinistryAdminsAndTheRegionsSupervisors_AndStopsAtTheKecamatan()
    {
        await using var app = AppHost.Start();
        try
        {
            using var mentor = await app.ClientFor(AppHost.Mentor);
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            using var analyst = await app.ClientFor(AppHost.Analyst);

            Assert.Equal(HttpStatusCode.Forbidden, (await mentor.GetAsync("/api/dashboard?region=35.79")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await supervisor.GetAsync("/api/dashboard?region=35.79.01")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/dashboard?region=35")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/dashboard?region=35.79.02.2004")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/dashboard?region=99.99")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.PostAsync("/api/dashboard/rebuild", null)).StatusCode);
            var empty = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79");
            Assert.Equal((0L, 0), (empty.GetProperty("cases").GetInt64(), empty.GetProperty("funnel").GetArrayLength()));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private static long DemoSeederCases() => Demo.DemoSeeder.Beneficiaries;

    private static async Task<JsonElement> Rebuild(HttpClient admin, bool apply)
    {
        using var response = await admin.PostAsync($"/api/dashboard/rebuild?apply={(apply ? "true" : "false")}", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
