using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Journey and catalog steps over HTTP, as a caseworker's client sends them (shared by the services tests).</summary>
internal sealed class ServicesFlow(AppHost app, HttpClient client)
{
    private static int _nik = 5000;

    public HttpClient Client => client;

    /// <summary>A valid unused NIK in kecamatan Bumiaji (35.79.02), born 16 Sep 1985–1994 (a day no other test uses).</summary>
    public static string NextNik(bool female)
    {
        var n = Interlocked.Increment(ref _nik);
        return $"357902{(16 + (female ? 40 : 0)):D2}09{85 + n / 10000 % 10:D2}{n % 10000:D4}";
    }

    public async Task<string> OpenAsync(string segment = "Umkm", string region = "35.79.02.2004", bool female = false, string name = "Warga Layanan")
    {
        var body = await Post("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = NextNik(female), fullName = name, regionCode = region, segment, consentGiven = true,
        }, HttpStatusCode.Created);
        return body.GetProperty("caseNumber").GetString()!;
    }

    /// <summary>Intake completed, Assessment recorded and completed, Training started.</summary>
    public async Task<string> AssessedAsync(string segment = "Umkm", string sector = "Kuliner", long turnover = 300_000_000, string region = "35.79.02.2004",
        bool female = false, string[]? needs = null)
    {
        var n = await OpenAsync(segment, region, female);
        await Stage(n, "intake", "complete");
        await Stage(n, "assessment", "start");
        await Command(n, "/assessment", new { sector, annualTurnoverIdr = turnover, businessCapitalIdr = 50_000_000, workers = 3, needs = needs ?? ["Pemasaran Digital"] });
        await Stage(n, "assessment", "complete");
        await Stage(n, "training", "start");
        return n;
    }

    public Task<JsonElement> Stage(string n, string stage, string action, string? reason = null) =>
        Command(n, $"/stages/{stage}/{action}", new { reason });

    public Task<JsonElement> Command(string n, string suffix, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        Post($"/api/cases/{n}{suffix}", WithCommandId(body), expected);

    /// <summary>POST a command and return the status and problem code (or null when accepted).</summary>
    public async Task<(HttpStatusCode Status, string? Code, JsonElement Body)> Try(string n, string suffix, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/cases/{n}{suffix}", WithCommandId(body), AppHost.Json);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, response.IsSuccessStatusCode ? null : json.GetProperty("code").GetString(), json);
    }

    public Task<(HttpStatusCode Status, string? Code, JsonElement Body)> Enrol(string n, string offerId, bool acknowledge = false, long? amountIdr = null) =>
        Try(n, "/enrolments", new { offerId, acknowledgeOverlap = acknowledge, amountIdr });

    public async Task<JsonElement> Get(string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> Post(string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsJsonAsync(path, body, AppHost.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Imports a catalog CSV as the admin; returns the status and body (the report, or the problem).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(HttpClient admin, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await admin.PostAsync("/api/offers/import", content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async Task<IReadOnlyList<string>> EventTypesAsync(string n) =>
        [.. (await Get($"/api/cases/{n}/timeline?limit=1000")).EnumerateArray().Select(e => e.GetProperty("type").GetString()!)];

    public async Task<JsonElement> EnrolmentAsync(string n, string offerId) =>
        (await Get($"/api/cases/{n}")).GetProperty("enrolments").EnumerateArray().Last(e => e.GetProperty("offerId").GetString() == offerId);

    private static Dictionary<string, object?> WithCommandId(object body)
    {
        var fields = JsonSerializer.SerializeToElement(body, AppHost.Json).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        fields.TryAdd("commandId", Guid.NewGuid().ToString());
        return fields;
    }

    public AppHost App => app;
}
