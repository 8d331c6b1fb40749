using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Consent per purpose over HTTP and the live path (issue 19, deliverable 1): each purpose's withdrawal stops what it
/// covers at once — a mentor's stream ends within a second saying why — and the case record stays.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConsentTests : IAsyncLifetime
{
    private AppHost _app = null!;

    public Task InitializeAsync()
    {
        _app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Live:RenewSeconds"] = "1" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    private async Task<string> OpenAssignedCaseAsync()
    {
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik = ServicesFlow.NextNik(female: true), fullName = "Warga Persetujuan",
            regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        return number;
    }

    private Task<JsonElement> Withdraw(string number, params string[] purposes) => _app.PostOk($"/api/cases/{number}/consent/withdrawal", new
    {
        commandId = Guid.NewGuid().ToString(), purposes, method = "Surat penarikan ditandatangani", witness = "Bu Rina (kader desa)",
        note = "Tidak ingin dilanjutkan",
    });

    private static async Task<(HttpStatusCode Status, string? Code)> Try(HttpClient client, string path, object? body = null)
    {
        using var response = body is null ? await client.GetAsync(path) : await client.PostAsJsonAsync(path, body, AppHost.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{path} → {(int)response.StatusCode}: {text}");
        return (response.StatusCode, response.IsSuccessStatusCode ? null : JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
    }

    private static string[] Purposes(JsonElement view) => [.. view.GetProperty("consentPurposes").EnumerateArray().Select(p => p.GetString()!)];

    [Fact]
    public async Task WithdrawingMentoring_EndsTheMentorsStreamWithinOneSecond_SayingWhy_AndTheirReads_AndMentorMatching()
    {
        var number = await OpenAssignedCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        using var mentorApi = await _app.ClientFor(AppHost.Mentor);
        Assert.Equal(HttpStatusCode.OK, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);
        Assert.Equal(["CaseManagement", "Mentoring", "PartnerSharing"], Purposes(await _app.GetOk($"/api/cases/{number}")));

        var clock = Stopwatch.StartNew();
        await Withdraw(number, "Mentoring");
        var acknowledged = clock.Elapsed;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var ended = await mentor.Ended.Reader.ReadAsync(cts.Token);
        var endedAfter = clock.Elapsed;

        Assert.Equal(number, ended);
        Assert.True(endedAfter - acknowledged < TimeSpan.FromSeconds(1), $"the stream ended {(endedAfter - acknowledged).TotalMilliseconds} ms after the acknowledgement");
        Assert.Equal("consent-withdrawn", mentor.EndReasons[number]);
        Assert.False(mentor.Events.Reader.TryRead(out _), "the mentor received the withdrawal itself");
        Assert.Equal(HttpStatusCode.NotFound, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);
        var caseload = await mentorApi.GetFromJsonAsync<JsonElement>($"/api/mentors/{AppHost.Mentor}/caseload");
        Assert.DoesNotContain(number, caseload.ToString(), StringComparison.Ordinal);

        // The record stays for the caseworkers, with the withdrawal on it; mentoring cannot start again without consent.
        var view = await _app.GetOk($"/api/cases/{number}");
        Assert.Equal(["CaseManagement", "PartnerSharing"], Purposes(view));
        Assert.Equal(JsonValueKind.Null, view.GetProperty("mentorId").ValueKind);
        Assert.Equal(["Mentoring"], view.GetProperty("withdrawal").GetProperty("purposes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("Bu Rina (kader desa)", view.GetProperty("withdrawal").GetProperty("witness").GetString());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"),
            await Try(_app.Client, $"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor }));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"), await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Mentor"));
        Assert.Equal(HttpStatusCode.OK, (await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Course")).Status);

        // Given again, it works again.
        await _app.PostOk($"/api/cases/{number}/consent", new { commandId = Guid.NewGuid().ToString(), method = "Formulir baru", purposes = new[] { "Mentoring" } });
        await _app.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        Assert.Equal(HttpStatusCode.OK, (await mentorApi.GetAsync($"/api/cases/{number}")).StatusCode);
    }

    [Fact]
    public async Task WithdrawingSharing_SkipsPartnersAndLendersInMatching_AndKeepsTheMentor()
    {
        var number = await OpenAssignedCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);

        await Withdraw(number, "PartnerSharing");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"), await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Partner"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"), await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Financing&amountIdr=10000000"));
        Assert.Equal(HttpStatusCode.OK, (await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Mentor")).Status);
        var pushed = await mentor.NextEventAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ConsentWithdrawn", pushed.GetProperty("type").GetString());
        Assert.Equal(AppHost.Mentor, (await _app.GetOk($"/api/cases/{number}")).GetProperty("mentorId").GetString());
    }

    [Fact]
    public async Task WithdrawingCaseManagement_EndsEveryPurpose_StopsTheJourney_KeepsTheRecordAndTheCounts()
    {
        var number = await OpenAssignedCaseAsync();
        await using var mentor = await LiveClient.ConnectAsync(_app, AppHost.Mentor);
        using var analyst = await _app.ClientFor(AppHost.Analyst);
        var dashboard = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79");
        for (var deadline = Stopwatch.StartNew(); dashboard.GetProperty("cases").GetInt64() < 1 && deadline.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(100))
        {
            dashboard = await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79");
        }

        var countsBefore = dashboard.GetProperty("funnel").ToString();
        Assert.Equal(1, dashboard.GetProperty("cases").GetInt64());

        await Withdraw(number, "CaseManagement");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        Assert.Equal(number, await mentor.Ended.Reader.ReadAsync(cts.Token));
        Assert.Equal("consent-withdrawn", mentor.EndReasons[number]);
        var view = await _app.GetOk($"/api/cases/{number}");
        Assert.Empty(Purposes(view));
        Assert.False(view.GetProperty("consentRecorded").GetBoolean());
        Assert.Equal("Open", view.GetProperty("status").GetString());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"),
            await Try(_app.Client, $"/api/cases/{number}/stages/intake/complete", new { commandId = Guid.NewGuid().ToString() }));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "consent.withdrawn"), await Try(_app.Client, $"/api/cases/{number}/candidates?kind=Course"));
        await _app.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Penerima manfaat menarik diri" });
        await _app.PostOk($"/api/cases/{number}/closure-request", new { commandId = Guid.NewGuid().ToString(), reason = "DroppedOut" });

        // Counts are not personal data (public task): the withdrawal leaves them as they were.
        Assert.Equal(countsBefore, (await analyst.GetFromJsonAsync<JsonElement>("/api/dashboard?region=35.79")).GetProperty("funnel").ToString());

        // The subject access export lists the withdrawal with what it ended.
        var export = await _app.PostOk($"/api/cases/{number}/subject-access", new { purpose = "permintaan subjek data" });
        var withdrawal = export.GetProperty("consents").EnumerateArray().Single(c => c.GetProperty("withdrawn").GetBoolean());
        Assert.Equal(["CaseManagement", "Mentoring", "PartnerSharing"], withdrawal.GetProperty("purposes").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task ABadWithdrawal_IsAProblem_AndChangesNothing()
    {
        var number = await OpenAssignedCaseAsync();
        var before = (await _app.GetOk($"/api/cases/{number}")).GetProperty("version").GetInt32();
        using var mentorApi = await _app.ClientFor(AppHost.Mentor);
        var path = $"/api/cases/{number}/consent/withdrawal";

        Assert.Equal((HttpStatusCode.BadRequest, "input.required"), await Try(_app.Client, path, new { commandId = "w1", method = "Surat" }));
        Assert.Equal((HttpStatusCode.BadRequest, "input.required"), await Try(_app.Client, path, new { commandId = "w2", purposes = new[] { "Mentoring" } }));
        Assert.Equal(HttpStatusCode.BadRequest, (await Try(_app.Client, path, new { commandId = "w3", method = "Surat", purposes = new[] { "Statistics" } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Try(_app.Client, path, new { commandId = "w4", method = "Surat", purposes = new[] { "mentoring" } })).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "input.out_of_range"),
            await Try(_app.Client, path, new { commandId = "w5", method = "Surat", purposes = new[] { "Mentoring", "Mentoring" } }));
        Assert.Equal((HttpStatusCode.Forbidden, "access.forbidden"), await Try(mentorApi, path, new { commandId = "w6", method = "Surat", purposes = new[] { "Mentoring" } }));

        Assert.Equal(before, (await _app.GetOk($"/api/cases/{number}")).GetProperty("version").GetInt32());
    }
}
