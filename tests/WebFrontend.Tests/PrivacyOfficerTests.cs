using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The data protection officer (issue 19, deliverable 5): searches who read, revealed or exported which case, when,
/// why and from where, across cases, with filters; reads the record of processing activities; sees no case content.
/// Nobody else searches the log. The origin of each access reads back in a new process.
/// </summary>
[Trait("Category", "Quick")]
public sealed class PrivacyOfficerTests : IAsyncLifetime
{
    private const string Officer = AppHost.PrivacyOfficer;
    private AppHost _app = null!;

    public async Task InitializeAsync()
    {
        _app = AppHost.Start();
        await _app.CreateUser("petugas-malang-dpo", Role.Caseworker, "35.73");
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    private async Task<string> OpenCaseAsync(string name)
    {
        return (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}", fullName = name,
            regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
    }

    private static async Task<List<JsonElement>> SearchAsync(HttpClient dpo, string query)
    {
        using var response = await dpo.GetAsync($"/api/privacy/access-log{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query} → {(int)response.StatusCode}: {text}");
        return [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public async Task TheOfficer_SearchesWhoReadWhatWhenAndFromWhere_AcrossCases_WithFilters()
    {
        var first = await OpenCaseAsync("Warga Pertama Privasi");
        var second = await OpenCaseAsync("Warga Kedua Privasi");
        (await _app.Client.GetAsync($"/api/cases/{first}")).Dispose();
        await _app.PostOk($"/api/cases/{first}/nik/reveal", new { purpose = "cek dokumen bank" });
        await _app.PostOk($"/api/cases/{second}/subject-access", new { purpose = "permintaan warga" });
        using (var outsider = await _app.ClientFor("petugas-malang-dpo"))
        {
            (await outsider.GetAsync($"/api/cases/{first}")).Dispose();
        }

        using var dpo = await _app.ClientFor(Officer);
        var all = await SearchAsync(dpo, "");
        Assert.Contains(all, e => e.GetProperty("caseNumber").GetString() == first && e.GetProperty("action").GetString() == "reveal-nik"
            && e.GetProperty("purpose").GetString() == "cek dokumen bank" && e.GetProperty("origin").GetString() == "127.0.0.1");
        Assert.Contains(all, e => e.GetProperty("caseNumber").GetString() == second && e.GetProperty("action").GetString() == "subject-access-export");
        Assert.Contains(all, e => e.GetProperty("caseNumber").GetString() == first && e.GetProperty("action").GetString() == "denied-read"
            && e.GetProperty("userId").GetString() == "petugas-malang-dpo");
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.GetProperty("at").GetDateTimeOffset() >= p.Second.GetProperty("at").GetDateTimeOffset()), "not newest first");
        // No case content: entries name cases and accounts, never a beneficiary.
        Assert.DoesNotContain("Privasi", JsonSerializer.Serialize(all), StringComparison.Ordinal);

        var ofFirst = await SearchAsync(dpo, $"?case={first}");
        Assert.NotEmpty(ofFirst);
        Assert.All(ofFirst, e => Assert.Equal(first, e.GetProperty("caseNumber").GetString()));
        var reveals = await SearchAsync(dpo, "?action=reveal-nik");
        Assert.Equal([first], reveals.Select(e => e.GetProperty("caseNumber").GetString()).Distinct());
        var byOutsider = await SearchAsync(dpo, "?user=petugas-malang-dpo");
        Assert.All(byOutsider, e => Assert.Equal("denied-read", e.GetProperty("action").GetString()));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Empty(await SearchAsync(dpo, $"?from={future}"));
        var window = await SearchAsync(dpo, $"?to={future}&limit=2");
        Assert.Equal(2, window.Count);

        // The officer's own searches are on record too.
        var searches = await SearchAsync(dpo, "?case=privacy:access-log&action=access-log-search");
        Assert.Contains(searches, e => e.GetProperty("userId").GetString() == Officer && e.GetProperty("purpose").GetString() == "action=reveal-nik");

        // Bad filters: a clear problem, never a 500.
        using var badLimit = await dpo.GetAsync("/api/privacy/access-log?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        using var badTime = await dpo.GetAsync("/api/privacy/access-log?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        using var backwards = await dpo.GetAsync($"/api/privacy/access-log?from={future}&to=2020-01-01T00:00:00Z");
        Assert.Equal("input.out_of_range", (await backwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // The origin is stored, not only passed along: a new process reads it back.
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        _app = AppHost.Start(dir);
        using var again = await _app.ClientFor(Officer);
        Assert.Contains(await SearchAsync(again, $"?case={first}&action=reveal-nik"), e => e.GetProperty("origin").GetString() == "127.0.0.1");
    }

    [Fact]
    public async Task TheOfficer_SeesNoCaseContent_AndNobodyElseSearchesTheLog()
    {
        var number = await OpenCaseAsync("Warga Rahasia Privasi");
        using var dpo = await _app.ClientFor(Officer);
        foreach (var path in new[] { "/api/cases", $"/api/cases/{number}", $"/api/cases/{number}/timeline", $"/api/cases/{number}/access-log" })
        {
            using var response = await dpo.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{path} → {(int)response.StatusCode}");
            Assert.DoesNotContain("Rahasia", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var user in new[] { AppHost.Caseworker, AppHost.Supervisor, AppHost.Mentor, AppHost.Analyst, AppHost.Administrator })
        {
            using var client = await _app.ClientFor(user);
            using var log = await client.GetAsync("/api/privacy/access-log");
            Assert.Equal(HttpStatusCode.Forbidden, log.StatusCode);
            using var ropa = await client.GetAsync("/api/privacy/processing-activities");
            Assert.Equal(HttpStatusCode.Forbidden, ropa.StatusCode);
        }

        var activities = await dpo.GetFromJsonAsync<JsonElement>("/api/privacy/processing-activities");
        Assert.Equal(["case-management", "mentoring", "partners-and-financing", "programme-statistics", "access-audit"],
            activities.EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.All(activities.EnumerateArray(), a =>
        {
            foreach (var field in new[] { "name", "purpose", "legalBasis", "dataSubjects", "dataCategories", "recipients", "retention", "safeguards" })
            {
                Assert.False(string.IsNullOrWhiteSpace(a.GetProperty(field).GetProperty("indonesian").GetString()), field);
                Assert.False(string.IsNullOrWhiteSpace(a.GetProperty(field).GetProperty("english").GetString()), field);
            }
        });
    }
}
