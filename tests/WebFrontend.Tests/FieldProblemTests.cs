using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// "Belanja masalah" (issue 8, deliverable 6): field problems recorded by the region's staff, listed and counted per
/// region and category, set against the catalog so that needs with no matching offer stand out.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FieldProblemTests(AppFixture fx)
{
    private static object Problem(string region, string category, string reporter = "Kelompok Tani Apel Bumiaji", string kind = "Community") =>
        new { regionCode = region, sector = "Kuliner", category, description = "Anggota belum bisa " + category.ToLowerInvariant(), reporter, reporterKind = kind };

    [Fact]
    public async Task Problems_AreCountedPerRegionAndCategory_AgainstTheCatalog_UnmetNeedsFirst()
    {
        var halal = "Sertifikasi Halal " + Guid.NewGuid().ToString("N")[..6];
        var flow = new ServicesFlow(fx.App, fx.App.Client);
        using var supervisor = await fx.App.ClientFor(AppHost.Supervisor);
        using var analyst = await fx.App.ClientFor(AppHost.Analyst);
        using var mentor = await fx.App.ClientFor(AppHost.Mentor);

        await flow.Post("/api/problems", Problem("35.79.01.1001", halal), HttpStatusCode.Created);
        await flow.Post("/api/problems", Problem("35.79.01", halal, "Koperasi Wanita Sisir", "Partner"), HttpStatusCode.Created);
        await flow.Post("/api/problems", Problem("35.79.02.2004", "Pemasaran Digital"), HttpStatusCode.Created);
        using (var bySupervisor = await supervisor.PostAsJsonAsync("/api/problems", Problem("35.79.03", "pemasaran  digital", "Petugas Junrejo", "Caseworker")))
        {
            Assert.Equal(HttpStatusCode.Created, bySupervisor.StatusCode);
        }

        var summary = await analyst.GetFromJsonAsync<JsonElement>("/api/problems/summary?region=35.79");
        var cells = summary.GetProperty("counts").EnumerateArray().ToList();
        var unmet = cells.Single(c => c.GetProperty("category").GetString() == halal);
        Assert.Equal(("35.79.01", 2L, 0), (unmet.GetProperty("regionCode").GetString(), unmet.GetProperty("problems").GetInt64(), unmet.GetProperty("matchingOffers").GetInt32()));
        Assert.Equal("Batu", unmet.GetProperty("regionName").GetString());
        Assert.True(cells.IndexOf(unmet) < cells.FindIndex(c => c.GetProperty("matchingOffers").GetInt32() > 0));
        var digital = cells.Where(c => c.GetProperty("category").GetString()!.Equals("Pemasaran Digital", StringComparison.OrdinalIgnoreCase)).ToList();
        // The city's, province's, national and (in Bumiaji) the desa's digital-marketing courses reach these kecamatan.
        Assert.Contains(digital, c => c.GetProperty("regionCode").GetString() == "35.79.02" && c.GetProperty("matchingOffers").GetInt32() == 4);
        Assert.Contains(digital, c => c.GetProperty("regionCode").GetString() == "35.79.03" && c.GetProperty("matchingOffers").GetInt32() == 3);

        var national = await analyst.GetFromJsonAsync<JsonElement>("/api/problems/summary");
        Assert.Contains(national.GetProperty("counts").EnumerateArray(), c => c.GetProperty("regionCode").GetString() == "35" && c.GetProperty("category").GetString() == halal);
        var listed = await analyst.GetFromJsonAsync<JsonElement>($"/api/problems?region=35.79&category={Uri.EscapeDataString(halal.ToUpperInvariant())}");
        Assert.Equal(["Koperasi Wanita Sisir", "Kelompok Tani Apel Bumiaji"], listed.EnumerateArray().Select(p => p.GetProperty("reporter").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await mentor.GetAsync("/api/problems?region=35.79")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/problems/summary?region=35")).StatusCode);
    }

    [Theory]
    [InlineData("35.07.01", "Pemasaran Digital", "Community", HttpStatusCode.Forbidden, "access.forbidden")]
    [InlineData("35.79", "Pemasaran Digital", "Community", HttpStatusCode.BadRequest, "region.too_coarse")]
    [InlineData("35.79.01.9999", "Pemasaran Digital", "Community", HttpStatusCode.BadRequest, "region.unknown")]
    [InlineData("35.79.01", " ", "Community", HttpStatusCode.BadRequest, "input.required")]
    [InlineData("35.79.01", "Pemasaran Digital", "Dinas", HttpStatusCode.BadRequest, "request.malformed")]
    public async Task ABadProblem_IsAProblemWithACode_AndRecordsNothing(string region, string category, string kind, HttpStatusCode status, string code)
    {
        using var response = await fx.App.Client.PostAsJsonAsync("/api/problems", Problem(region, category, kind: kind));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((status, code), (response.StatusCode, body.GetProperty("code").GetString()));
    }
}
