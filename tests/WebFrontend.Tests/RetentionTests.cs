using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Privacy;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Retention (issue 19, deliverable 4) with the journey clock injected: past a case's period after it ended, the
/// data protection officer's dry run lists it (and changes nothing), the run erases it, and a case that ended more
/// recently, or is still open, is left alone until its own period has passed.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["CaseGrains:Retention:CaseManagement"] = "P1Y",
            ["CaseGrains:Retention:Mentoring"] = "P2Y",
            ["CaseGrains:Retention:PartnerSharing"] = "P18M",
        }, services: s => s.AddKeyedSingleton<TimeProvider>(ProviderNames.Clock, _clock));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    [Fact]
    public async Task PastItsPeriod_ACaseIsListedByTheDryRun_ThenErasedByTheRun_WhileRecentAndOpenCasesStay()
    {
        using var supervisor = await _app.ClientFor(AppHost.Supervisor);
        using var dpo = await _app.ClientFor(AppHost.PrivacyOfficer);
        var early = await OpenAsync("Retensi Lama");
        var later = await OpenAsync("Retensi Baru");
        var open = await OpenAsync("Retensi Terbuka");
        await CloseAsync(supervisor, early);
        _clock.Advance(TimeSpan.FromDays(200));
        await CloseAsync(supervisor, later);

        // Nothing is due yet.
        Assert.Empty((await DryRunAsync(dpo)).GetProperty("due").EnumerateArray());

        // A year and a day after the first case ended: it alone is due, by the case-management period.
        _clock.Advance(TimeSpan.FromDays(366 - 200 + 1));
        var dry = await DryRunAsync(dpo);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal("P1Y", dry.GetProperty("periods").GetProperty("CaseManagement").GetString());
        var due = dry.GetProperty("due").EnumerateArray().ToList();
        Assert.Equal([early], due.Select(d => d.GetProperty("caseNumber").GetString()));
        Assert.Equal(("CaseManagement", "P1Y", false), (due[0].GetProperty("purpose").GetString(), due[0].GetProperty("period").GetString(), due[0].GetProperty("erased").GetBoolean()));
        Assert.Equal(1, dry.GetProperty("byPurpose").GetProperty("CaseManagement").GetInt32());
        Assert.Equal("Retensi Lama", (await _app.GetOk($"/api/cases/{early}")).GetProperty("fullName").GetString());

        // Only the data protection officer runs it.
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/privacy/retention")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.PostAsync("/api/privacy/retention", null)).StatusCode);

        var run = await RunAsync(dpo);
        Assert.False(run.GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, run.GetProperty("erased").GetInt32());
        var erased = await _app.GetOk($"/api/cases/{early}");
        Assert.Equal(PersonalFields.Erased, erased.GetProperty("fullName").GetString());
        Assert.True((await _app.GetOk($"/api/cases/{early}/verify")).GetProperty("valid").GetBoolean());
        var last = (await _app.GetOk($"/api/cases/{early}/timeline")).EnumerateArray().Last();
        Assert.Equal(("SubjectErased", "retention"), (last.GetProperty("type").GetString(), last.GetProperty("actorId").GetString()));
        Assert.Equal("Retensi Baru", (await _app.GetOk($"/api/cases/{later}")).GetProperty("fullName").GetString());
        Assert.Equal("Retensi Terbuka", (await _app.GetOk($"/api/cases/{open}")).GetProperty("fullName").GetString());
        Assert.Empty((await DryRunAsync(dpo)).GetProperty("due").EnumerateArray());

        // A year after the second one ended, it is due in turn; the open case never is.
        _clock.Advance(TimeSpan.FromDays(200));
        Assert.Equal([later], (await DryRunAsync(dpo)).GetProperty("due").EnumerateArray().Select(d => d.GetProperty("caseNumber").GetString()));
        Assert.Equal(1, (await RunAsync(dpo)).GetProperty("erased").GetInt32());
        Assert.Equal("Retensi Terbuka", (await _app.GetOk($"/api/cases/{open}")).GetProperty("fullName").GetString());
    }

    private async Task<string> OpenAsync(string name) =>
        (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = $"35790215088{Random.Shared.Next(10000, 99999)}", fullName = name, regionCode = "35.79.02",
            segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;

    private static async Task CloseAsync(HttpClient supervisor, string number)
    {
        using var close = await supervisor.PostAsJsonAsync($"/api/cases/{number}/close", new { commandId = Guid.NewGuid().ToString(), reason = "DroppedOut" });
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
    }

    private static async Task<JsonElement> DryRunAsync(HttpClient dpo) => await dpo.GetFromJsonAsync<JsonElement>("/api/privacy/retention");

    private static async Task<JsonElement> RunAsync(HttpClient dpo)
    {
        using var response = await dpo.PostAsync("/api/privacy/retention", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
