using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CaseGrains.Bench;

/// <summary>
/// Matching latency on a Kota Batu-sized catalog: imports <c>offers</c> synthetic offers reaching Kota Batu (of every type,
/// a quarter of them overlapping sets), creates <c>mentors</c> mentors with profiles, opens and assesses one case, then
/// times GET /api/cases/{n}/candidates for each kind, sequentially (one caseworker asking), warm. Reports p50/p99/max
/// per kind, end to end through the HTTP API on the deployment given.
/// </summary>
internal static class MatchingBench
{
    private static readonly string[] Kinds = ["Mentor", "Course", "Partner", "Financing"];
    private static readonly string[] Categories = ["Pemasaran Digital", "Pembukuan", "Fotografi Produk", "Kemasan", "Keamanan Pangan", "Ekspor", "Legalitas Usaha", "Barista"];
    /// <summary>The header line of the catalog's CSV import.</summary>
    internal const string CatalogHeader = "id,name,type,category,provider,level,partner_role,segments,regions,start,end,capacity,attendance_threshold,min_amount_idr,max_amount_idr,eligible_classes,sectors\n";

    private static readonly string[] Sectors = ["Kuliner", "Kerajinan", "Fesyen", "Pertanian apel", "Jasa wisata"];

    public static async Task<string> RunAsync(Uri url, string adminUser, string adminPassword, int offerCount, int mentorCount, int iterations, TextWriter output)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(5) };
        var adminToken = await BenchClient.TokenAsync(http, adminUser, adminPassword);
        var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

        // The catalog, as one CSV import.
        var csv = new StringBuilder(CatalogHeader);
        string[] levels = ["Pusat", "Provinsi", "KabKota", "Desa", "Partner"];
        for (var i = 0; i < offerCount; i++)
        {
            var type = (i % 4) switch { 0 => "Training", 1 => "MentoringProgramme", 2 => "Matchmaking", _ => "FinancingProduct" };
            var level = levels[i % levels.Length];
            var region = level switch { "Pusat" => "ID", "Provinsi" => "35", "Desa" => "35.79.02.2004", _ => "35.79" };
            var role = level == "Partner" ? "Business" : "";
            var financing = type == "FinancingProduct" ? $"1000000,{10_000_000 * (1 + i % 5)},Micro;Small" : ",,";
            csv.Append(CultureInfo.InvariantCulture, $"mb-{run}-{i},Layanan {i},{type},{Categories[i % Categories.Length]},Penyedia {i % 17},{level},{role},Umkm;Koperasi;EkonomiKreatif;PekerjaMigran,{region},2026-01-01,2030-12-31,{20 + i % 50},,{financing},{Sectors[i % Sectors.Length]}\n");
        }

        using (var import = new HttpRequestMessage(HttpMethod.Post, "/api/offers/import") { Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv") })
        {
            import.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var response = await http.SendAsync(import);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (!response.IsSuccessStatusCode || report.GetProperty("rejected").GetInt32() > 0)
            {
                throw new InvalidOperationException($"catalog import failed: {report}");
            }
        }

        for (var m = 0; m < mentorCount; m++)
        {
            var id = $"mb{run}-mentor-{m}";
            await BenchClient.PutUserAsync(http, adminToken, id, "Mentor", []);
            using var profile = new HttpRequestMessage(HttpMethod.Put, $"/api/mentors/{id}/profile")
            {
                Content = JsonContent.Create(new { sectors = new[] { Sectors[m % Sectors.Length] }, regions = new[] { m % 3 == 0 ? "35.79.02" : "35.79" }, capacity = 20 + m % 30 }),
            };
            profile.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            (await http.SendAsync(profile)).EnsureSuccessStatusCode();
        }

        // One assessed case in Kota Batu, as a caseworker of the city.
        var caseworker = $"mb{run}-petugas";
        await BenchClient.PutUserAsync(http, adminToken, caseworker, "Caseworker", ["35.79"]);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await BenchClient.TokenAsync(http, caseworker, BenchClient.Password));
        var nik = string.Create(CultureInfo.InvariantCulture, $"35790217{Random.Shared.Next(1, 12):D2}{Random.Shared.Next(70, 99):D2}{Random.Shared.Next(1000, 9999):D4}");
        using var opened = await http.PostAsJsonAsync("/api/cases", new { commandId = Guid.NewGuid().ToString(), nik, fullName = "Warga Uji Pencocokan", regionCode = "35.79.02.2004", segment = "Umkm", consentGiven = true });
        var n = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString()
            ?? throw new InvalidOperationException("intake failed");
        foreach (var (path, body) in new (string, object)[]
        {
            ("/stages/intake/complete", new { }), ("/stages/assessment/start", new { }),
            ("/assessment", new { sector = "Kuliner", annualTurnoverIdr = 400_000_000, businessCapitalIdr = 80_000_000, workers = 3, needs = new[] { "Pemasaran Digital", "Kemasan" } }),
        })
        {
            var fields = JsonSerializer.SerializeToElement(body).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
            fields["commandId"] = Guid.NewGuid().ToString();
            (await http.PostAsJsonAsync($"/api/cases/{n}{path}", fields)).EnsureSuccessStatusCode();
        }

        var lines = new List<string> { $"matching: {offerCount} offers, {mentorCount} mentors, {iterations} requests per kind, sequential, warm (case {n})" };
        foreach (var kind in Kinds)
        {
            var query = $"/api/cases/{n}/candidates?kind={kind}" + (kind == "Financing" ? "&amountIdr=8000000" : "");
            for (var w = 0; w < 20; w++)
            {
                (await http.GetAsync(query)).EnsureSuccessStatusCode();
            }

            var times = new List<double>();
            var candidates = 0;
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(query);
                var json = await response.Content.ReadFromJsonAsync<JsonElement>();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                response.EnsureSuccessStatusCode();
                candidates = json.GetArrayLength();
            }

            times.Sort();
            var line = string.Create(CultureInfo.InvariantCulture,
                $"  {kind,-10} p50 {times[times.Count / 2],6:F1} ms   p99 {times[(int)(times.Count * 0.99)],6:F1} ms   max {times[^1],6:F1} ms   ({candidates} candidates returned)");
            lines.Add(line);
            output.WriteLine(line);
        }

        return string.Join(Environment.NewLine, lines);
    }
}
