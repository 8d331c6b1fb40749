using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Hexa-helix partners in the platform (issue 20, deliverables 1 and 2, and the live half of 3): a partner's user sees
/// only the applications, referrals and enrolments addressed to its organisation, of beneficiaries who share with
/// partners, with the NIK masked and only those enrolments' events; answers them itself, as events with the partner as
/// actor that the caseworker sees live; and hears of its new work live, on the same hub, until the consent ends.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PartnerTests : IAsyncLifetime
{
    private const string Bri = "mitra-bri";
    private const string BriUser = "mitra.bri";
    private const string Jatim = "mitra-jatim";
    private const string JatimUser = "mitra.jatim";

    private AppHost _app = null!;
    private ServicesFlow _flow = null!;

    public async Task InitializeAsync()
    {
        _app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Live:RenewSeconds"] = "1" });
        await _app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        await _app.CreatePartner(Bri, BriUser, "kur-bri-mikro");
        await _app.CreatePartner(Jatim, JatimUser, "kur-jatim-mikro");
        _flow = new ServicesFlow(_app, _app.Client);
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    /// <summary>An assessed case in Bumiaji with a known NIK, a note the partner must never see, applying for <paramref name="offerId"/>.</summary>
    private async Task<(string Number, string Nik)> ApplyingCaseAsync(string offerId, string name = "Warga Mitra")
    {
        var nik = ServicesFlow.NextNik(female: true);
        var number = (await _app.PostOk("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(), nik, fullName = name, regionCode = "35.79.02.2004", segment = "Umkm", consentGiven = true,
        }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        await _flow.Stage(number, "intake", "complete");
        await _flow.Stage(number, "assessment", "start");
        await _flow.Command(number, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 250_000_000L, businessCapitalIdr = 20_000_000L, workers = 2, needs = new[] { "Modal" } });
        await _flow.Command(number, "/notes", new { text = "Catatan internal petugas: utang keluarga" });
        var applied = await _flow.Enrol(number, offerId, amountIdr: 15_000_000);
        Assert.True(applied.Status == HttpStatusCode.OK, applied.Body.GetRawText());
        return (number, nik);
    }

    private static async Task<(HttpStatusCode Status, string Body)> Send(HttpClient client, string path, object? body = null)
    {
        using var response = body is null ? await client.GetAsync(path) : await client.PostAsJsonAsync(path, body, AppHost.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{path} → {(int)response.StatusCode}: {text}");
        return (response.StatusCode, text);
    }

    private static async Task<JsonElement> Ok(HttpClient client, string path, object? body = null)
    {
        var (status, text) = await Send(client, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{path} → {(int)status}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Dictionary<string, object?> Command(object fields) =>
        JsonSerializer.SerializeToElement(fields, AppHost.Json).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            .Append(new KeyValuePair<string, object?>("commandId", Guid.NewGuid().ToString())).ToDictionary();

    private static async Task<JsonElement> NextOfType(LiveClient live, string type)
    {
        JsonElement e;
        do
        {
            e = await live.NextEventAsync(TimeSpan.FromSeconds(10));
        }
        while (e.GetProperty("type").GetString() != type);

        return e;
    }

    [Fact]
    public async Task APartnersUser_SeesOnlyItsOrganisationsApplications_WithTheNikMasked_AndOnlyThoseEnrolmentsEvents()
    {
        var (mine, nik) = await ApplyingCaseAsync("kur-bri-mikro", "Warga Pemohon BRI");
        var (theirs, _) = await ApplyingCaseAsync("kur-jatim-mikro", "Warga Pemohon Jatim");
        using var partner = await _app.ClientFor(BriUser);

        var (queueStatus, queueText) = await Send(partner, "/api/partner/queue");
        Assert.Equal(HttpStatusCode.OK, queueStatus);
        var queue = JsonDocument.Parse(queueText).RootElement;
        Assert.Equal(Bri, queue.GetProperty("organisation").GetProperty("orgId").GetString());
        var listed = Assert.Single(queue.GetProperty("cases").EnumerateArray());
        Assert.Equal(mine, listed.GetProperty("caseNumber").GetString());
        Assert.Equal("Warga Pemohon BRI", listed.GetProperty("beneficiaryName").GetString());
        Assert.Contains("*", listed.GetProperty("nikMasked").GetString(), StringComparison.Ordinal);
        var waiting = Assert.Single(listed.GetProperty("enrolments").EnumerateArray());
        Assert.Equal("kur-bri-mikro", waiting.GetProperty("enrolment").GetProperty("offerId").GetString());
        Assert.Equal("FinancingDecision", waiting.GetProperty("waitingOn").GetString());
        // Never the clear NIK, the note, or the other organisation's applicant.
        Assert.DoesNotContain(nik, queueText, StringComparison.Ordinal);
        Assert.DoesNotContain("utang keluarga", queueText, StringComparison.Ordinal);
        Assert.DoesNotContain("Jatim", queueText.Replace("mitra-jatim", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var (_, viewText) = await Send(partner, $"/api/partner/cases/{mine}");
        Assert.DoesNotContain(nik, viewText, StringComparison.Ordinal);
        var timeline = await Ok(partner, $"/api/partner/cases/{mine}/timeline");
        var seen = Assert.Single(timeline.EnumerateArray());
        Assert.Equal("FinancingApplied", seen.GetProperty("type").GetString());
        Assert.Equal("", seen.GetProperty("hash").GetString());
        Assert.DoesNotContain("utang", timeline.GetRawText(), StringComparison.Ordinal);

        // Another organisation's applicant answers exactly like a case that does not exist; staff endpoints are closed.
        var (otherStatus, otherBody) = await Send(partner, $"/api/partner/cases/{theirs}");
        var (missingStatus, missingBody) = await Send(partner, "/api/partner/cases/3579-999999");
        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        Assert.Equal((missingStatus, WithoutTrace(missingBody)), (otherStatus, WithoutTrace(otherBody)));
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(partner, $"/api/cases/{mine}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(partner, "/api/cases")).Status);
        Assert.Equal(HttpStatusCode.NotFound,
            (await Send(partner, $"/api/partner/cases/{theirs}/enrolments/kur-jatim-mikro/financing-decision", Command(new { approved = true, plafondIdr = 15_000_000 }))).Status);
    }

    [Fact]
    public async Task APartnersAnswers_AreEventsWithThePartnerAsActor_SeenLiveByTheCaseworker_AndItsNewWorkReachesItLive()
    {
        var (number, _) = await ApplyingCaseAsync("kur-bri-mikro");
        await using var caseworker = await LiveClient.ConnectAsync(_app, AppHost.Caseworker);
        await caseworker.Connection.InvokeAsync<JsonElement>("Follow", number, 0L);
        await using var partnerLive = await LiveClient.ConnectAsync(_app, BriUser);
        using var partner = await _app.ClientFor(BriUser);

        // A new application reaches the partner's stream without its asking, as its organisation sees it.
        var (fresh, _) = await ApplyingCaseAsync("kur-bri-mikro", "Warga Baru");
        var pushed = await NextOfType(partnerLive, "FinancingApplied");
        Assert.Equal(fresh, pushed.GetProperty("caseNumber").GetString());
        Assert.Equal(0, pushed.GetProperty("payload").GetProperty("overlapsAcknowledged").GetArrayLength());

        var clock = Stopwatch.StartNew();
        await Ok(partner, $"/api/partner/cases/{number}/enrolments/kur-bri-mikro/financing-decision", Command(new { approved = true, plafondIdr = 15_000_000 }));
        var acknowledged = clock.Elapsed;
        var live = await NextOfType(caseworker, "FinancingApproved");
        Assert.True(clock.Elapsed - acknowledged < TimeSpan.FromSeconds(2), $"the caseworker saw it {(clock.Elapsed - acknowledged).TotalMilliseconds} ms later");
        Assert.Equal(BriUser, live.GetProperty("actorId").GetString());
        Assert.Equal("Partner", live.GetProperty("actorRole").GetString());
        var echoed = await NextOfType(partnerLive, "FinancingApproved");
        Assert.Equal(number, echoed.GetProperty("caseNumber").GetString());

        await Ok(partner, $"/api/partner/cases/{number}/enrolments/kur-bri-mikro/disbursement",
            Command(new { amountIdr = 15_000_000, date = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }));
        await Ok(partner, $"/api/partner/cases/{number}/enrolments/kur-bri-mikro/repayment", Command(new { status = "Late" }));
        var enrolment = await _flow.EnrolmentAsync(number, "kur-bri-mikro");
        Assert.Equal("Disbursed", enrolment.GetProperty("status").GetString());
        Assert.Equal("Late", enrolment.GetProperty("repayment").GetString());
        var timeline = (await _flow.Get($"/api/cases/{number}/timeline?limit=1000")).EnumerateArray().ToList();
        Assert.All(timeline.Where(e => e.GetProperty("type").GetString() is "FinancingApproved" or "FinancingDisbursed" or "RepaymentStatusRecorded"),
            e => Assert.Equal(BriUser, e.GetProperty("actorId").GetString()));
        // The partner's timeline, a page of one at a time: only its enrolment's events, each page naming the next.
        var pages = new List<string>();
        for (var path = $"/api/partner/cases/{number}/timeline?limit=1"; path is not null;)
        {
            using var page = await partner.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            pages.AddRange((await page.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e => e.GetProperty("type").GetString()!));
            path = page.Headers.TryGetValues("Link", out var link) ? System.Text.RegularExpressions.Regex.Match(link.Single(), "<([^>]+)>").Groups[1].Value : null;
        }

        Assert.Equal(["FinancingApplied", "FinancingApproved", "FinancingDisbursed", "RepaymentStatusRecorded"], pages);
        // A resume from the start answers the same events, in the partner's view.
        var resumed = await partnerLive.Connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long> { [number] = 0 });
        Assert.Equal(pages, resumed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()!));
        Assert.Empty(resumed.GetProperty("more").EnumerateObject());

        var queued = (await Ok(partner, "/api/partner/queue")).GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("caseNumber").GetString() == number);
        Assert.Equal("Repayment", queued.GetProperty("enrolments")[0].GetProperty("waitingOn").GetString());

        // Only answers, only on its own offers: a note is not a partner's to write; another offer is not its to answer.
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(partner, $"/api/cases/{number}/notes", Command(new { text = "x" }))).Status);
        var (status, body) = await Send(partner, $"/api/partner/cases/{number}/enrolments/kur-jatim-mikro/financing-decision", Command(new { approved = false, reason = "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("forbidden", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithdrawingTheConsentToSharing_EndsThePartnersSightAtOnce_StreamQueueReadsAndAnswers()
    {
        var (number, _) = await ApplyingCaseAsync("kur-bri-mikro");
        await using var partnerLive = await LiveClient.ConnectAsync(_app, BriUser);
        using var partner = await _app.ClientFor(BriUser);
        Assert.Equal(HttpStatusCode.OK, (await Send(partner, $"/api/partner/cases/{number}")).Status);

        var clock = Stopwatch.StartNew();
        await _app.PostOk($"/api/cases/{number}/consent/withdrawal", new
        {
            commandId = Guid.NewGuid().ToString(), purposes = new[] { "PartnerSharing" }, method = "Surat penarikan ditandatangani",
        });
        var acknowledged = clock.Elapsed;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        Assert.Equal(number, await partnerLive.Ended.Reader.ReadAsync(cts.Token));
        Assert.True(clock.Elapsed - acknowledged < TimeSpan.FromSeconds(1));
        Assert.Equal(AccessEndReasons.ConsentWithdrawn, partnerLive.EndReasons[number]);

        Assert.Empty((await Ok(partner, "/api/partner/queue")).GetProperty("cases").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(partner, $"/api/partner/cases/{number}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(partner, $"/api/partner/cases/{number}/timeline")).Status);
        Assert.Equal(HttpStatusCode.NotFound,
            (await Send(partner, $"/api/partner/cases/{number}/enrolments/kur-bri-mikro/financing-decision", Command(new { approved = true, plafondIdr = 1_000_000 }))).Status);
        // A resume after the withdrawal says the same.
        var resumed = await partnerLive.Connection.InvokeAsync<JsonElement>("Resume", new Dictionary<string, long> { [number] = 0 });
        Assert.Equal([number], resumed.GetProperty("accessEnded").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task ATrainingProvider_RecordsAttendanceForItsOwnCourse_AndAReferralNotAnsweredStillComesDueForTheCaseworker()
    {
        // A partner-level course run by an incubator that answers for it itself.
        await _app.CreatePartner("inkubator-ub", "mitra.ub");
        using var admin = await _app.ClientFor(AppHost.Administrator);
        using var put = await admin.PutAsJsonAsync("/api/offers/kelas-ekspor-ub", new
        {
            name = "Kelas Ekspor Inkubator UB", type = "Training", category = "Ekspor", provider = "Inkubator Universitas Brawijaya", level = "Partner",
            partnerRole = "Academia", partnerOrgId = "inkubator-ub", segments = new[] { "Umkm" }, regions = new[] { "35.79" },
            start = "2026-01-01", end = "2030-12-31", capacity = 20, attendanceThresholdPercent = 75,
        }, AppHost.Json);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var number = await _flow.AssessedAsync();
        Assert.Null((await _flow.Enrol(number, "kelas-ekspor-ub")).Code);
        using var provider = await _app.ClientFor("mitra.ub");
        var queue = await Ok(provider, "/api/partner/queue");
        Assert.Equal("Attendance", queue.GetProperty("cases")[0].GetProperty("enrolments")[0].GetProperty("waitingOn").GetString());
        await Ok(provider, $"/api/partner/cases/{number}/enrolments/kelas-ekspor-ub/attendance", Command(new { attendancePercent = 85 }));
        var recorded = (await _flow.Get($"/api/cases/{number}/timeline?limit=1000")).EnumerateArray().Last();
        Assert.Equal(("TrainingCompletionRecorded", "mitra.ub", "Partner"),
            (recorded.GetProperty("type").GetString(), recorded.GetProperty("actorId").GetString(), recorded.GetProperty("actorRole").GetString()));
        Assert.Empty((await Ok(provider, "/api/partner/queue")).GetProperty("cases").EnumerateArray());
    }

    [Fact]
    public async Task DisablingTheOrganisation_EndsItsUsersSessions_AndTheirSignIns()
    {
        await ApplyingCaseAsync("kur-bri-mikro");
        using var partner = await _app.ClientFor(BriUser);
        Assert.Equal(HttpStatusCode.OK, (await Send(partner, "/api/partner/queue")).Status);
        await using var partnerLive = await LiveClient.ConnectAsync(_app, BriUser);
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        partnerLive.Connection.On<string>("SessionEnded", reason => ended.TrySetResult(reason));
        using var admin = await _app.ClientFor(AppHost.Administrator);
        using var disable = await admin.PutAsJsonAsync($"/api/admin/partners/{Bri}", new { disabled = true });
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);

        // Its open live connection is told, and closed.
        Assert.Equal("access-changed", await ended.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(partner, "/api/partner/queue")).Status);
        using var signIn = await _app.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId = BriUser, password = AppHost.Password });
        Assert.False(signIn.IsSuccessStatusCode);
        using var enable = await admin.PutAsJsonAsync($"/api/admin/partners/{Bri}", new { disabled = false });
        using var again = await _app.ClientFor(BriUser);
        Assert.Single((await Ok(again, "/api/partner/queue")).GetProperty("cases").EnumerateArray());
    }

    [Fact]
    public async Task AnOfferMovedToAnotherOrganisation_LeavesTheEnrolmentsMadeBeforeWithTheFirst_AndGivesTheSecondOnlyTheNewOnes()
    {
        var (before, _) = await ApplyingCaseAsync("kur-jatim-mikro", "Warga Sebelum Pindah");
        await _app.AssignOffer("kur-jatim-mikro", Bri);
        var (after, _) = await ApplyingCaseAsync("kur-jatim-mikro", "Warga Sesudah Pindah");
        using var jatim = await _app.ClientFor(JatimUser);
        using var bri = await _app.ClientFor(BriUser);

        static IEnumerable<string?> Listed(JsonElement queue) => queue.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("caseNumber").GetString());
        Assert.Equal([before], Listed(await Ok(jatim, "/api/partner/queue")));
        Assert.Equal([after], Listed(await Ok(bri, "/api/partner/queue")));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(bri, $"/api/partner/cases/{before}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(jatim, $"/api/partner/cases/{after}")).Status);
        // Each answers its own enrolment only.
        await Ok(jatim, $"/api/partner/cases/{before}/enrolments/kur-jatim-mikro/financing-decision", Command(new { approved = false, reason = "Agunan kurang" }));
        Assert.Equal(HttpStatusCode.NotFound,
            (await Send(bri, $"/api/partner/cases/{before}/enrolments/kur-jatim-mikro/financing-decision", Command(new { approved = true, plafondIdr = 5_000_000 }))).Status);
        Assert.Equal("Rejected", (await _flow.EnrolmentAsync(before, "kur-jatim-mikro")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnAccountWhoseAccessChanged_NoLongerListsTheNoticesOfItsFormerScope()
    {
        // A closure asked in Kota Batu reaches its supervisor's inbox.
        var number = await _flow.OpenAsync();
        await _flow.Command(number, "/closure-request", new { reason = "Moved", note = "Pindah" });
        await Operations.WaitDrainedAsync(_app);
        Assert.Contains((number, "approval-requested"), await Operations.NoticesAsync(_app, AppHost.Supervisor));

        // Moved to Kabupaten Malang: the Kota Batu notice is no longer listed.
        using var admin = await _app.ClientFor(AppHost.Administrator);
        using var moved = await admin.PutAsJsonAsync($"/api/users/{AppHost.Supervisor}", new { regions = new[] { "35.07" } });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Empty(await Operations.NoticesAsync(_app, AppHost.Supervisor));
    }

    [Fact]
    public async Task BadInput_ForOrganisationsAndPartnerAccounts_IsAProblemWithAStableCode_AndChangesNothing()
    {
        using var admin = await _app.ClientFor(AppHost.Administrator);
        foreach (var (path, body, code) in new (string, object, string)[]
        {
            ("/api/admin/partners/X!", new { name = "Mitra", kind = "Business", regions = new[] { "35.79" } }, "partner.invalid_id"),
            ("/api/admin/partners/mitra-baru", new { kind = "Business", regions = new[] { "35.79" } }, "input.required"),
            ("/api/admin/partners/mitra-baru", new { name = "Mitra", regions = new[] { "35.79" } }, "input.required"),
            ("/api/admin/partners/mitra-baru", new { name = "Mitra", kind = "Business", regions = new[] { "99.99" } }, "region.unknown"),
            ("/api/users/mitra.lain", new { displayName = "Mitra", role = "Partner", password = AppHost.Password }, "user.partner_org_unknown"),
            ("/api/users/mitra.lain", new { displayName = "Mitra", role = "Partner", partnerOrg = "tidak-ada", password = AppHost.Password }, "user.partner_org_unknown"),
            ("/api/users/mitra.lain", new { displayName = "Mitra", role = "Partner", partnerOrg = Bri, regions = new[] { "35.79" }, password = AppHost.Password }, "user.partner_regions"),
            ("/api/users/petugas.lain", new { displayName = "Petugas", role = "Caseworker", partnerOrg = Bri, regions = new[] { "35.79" }, password = AppHost.Password }, "user.partner_org_role"),
        })
        {
            using var response = await admin.PutAsJsonAsync(path, body, AppHost.Json);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        }

        Assert.Equal([Bri, Jatim], (await Ok(admin, "/api/admin/partners")).EnumerateArray().Select(o => o.GetProperty("orgId").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(admin, "/api/users/mitra.lain")).Status);
        using var unknownOrg = await admin.PutAsJsonAsync("/api/offers/kelas-mitra-lain", new
        {
            name = "Kelas Mitra", type = "Training", category = "Ekspor", provider = "Mitra", level = "Partner", partnerRole = "Academia",
            partnerOrgId = "tidak-ada", segments = new[] { "Umkm" }, regions = new[] { "35.79" }, start = "2026-01-01", end = "2030-12-31", capacity = 20,
        }, AppHost.Json);
        Assert.Equal("offer.partner_org_unknown", JsonDocument.Parse(await unknownOrg.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(admin, "/api/offers/kelas-mitra-lain")).Status);
    }

    private static string WithoutTrace(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}

/// <summary>A referral's deadline with partners in the platform: seconds here (configuration), the real sweep.</summary>
[Collection(SerialCollection.Name)]
public sealed class PartnerReferralDeadlineTests
{
    [Fact]
    public async Task AReferralThePartnerDoesNotAnswer_StillComesDue_ForTheCaseworkerAndThePartner_AndItsLateAnswerIsTaken()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Journey:ReferralResponseTime"] = "00:00:02" });
        try
        {
            await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
            // The organisation answering for the apple buyer's offer is set through the catalog CSV's partner_org column.
            await app.CreatePartner("koperasi-apel", "mitra.apel");
            using var admin = await app.ClientFor(AppHost.Administrator);
            var csv = (await File.ReadAllLinesAsync(Path.Combine(Repo.Root(), "samples", "catalog-kota-batu.csv")))
                .Where((line, i) => i == 0 || line.StartsWith("buyer-apel-2026,", StringComparison.Ordinal)).ToList();
            var (imported, report) = await ServicesFlow.ImportAsync(admin, string.Join("\n", csv[0] + ",partner_org", csv[1] + ",koperasi-apel") + "\n");
            Assert.True(imported == HttpStatusCode.OK, report.GetRawText());
            Assert.Equal("koperasi-apel", (await admin.GetFromJsonAsync<JsonElement>("/api/offers/buyer-apel-2026")).GetProperty("offer").GetProperty("partnerOrgId").GetString());

            var flow = new ServicesFlow(app, app.Client);
            var n = await flow.AssessedAsync();
            await using var caseworker = await LiveClient.ConnectAsync(app, AppHost.Caseworker);
            await caseworker.Connection.InvokeAsync<JsonElement>("Follow", n, 0L);
            await using var partnerLive = await LiveClient.ConnectAsync(app, "mitra.apel");
            Assert.Null((await flow.Enrol(n, "buyer-apel-2026")).Code);

            foreach (var live in new[] { caseworker, partnerLive })
            {
                JsonElement due;
                do
                {
                    due = await live.NextEventAsync(TimeSpan.FromSeconds(30));
                }
                while (due.GetProperty("type").GetString() != "ReferralResponseOverdue");

                Assert.Equal(("system:referral", n), (due.GetProperty("actorId").GetString(), due.GetProperty("caseNumber").GetString()));
            }

            using var partner = await app.ClientFor("mitra.apel");
            using var declined = await partner.PostAsJsonAsync($"/api/partner/cases/{n}/enrolments/buyer-apel-2026/referral-response",
                new { commandId = Guid.NewGuid().ToString(), accepted = false, reason = "Stok musim ini sudah terpenuhi" });
            Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
            var last = (await flow.Get($"/api/cases/{n}/timeline?limit=1000")).EnumerateArray().Last();
            Assert.Equal(("ReferralDeclined", "mitra.apel"), (last.GetProperty("type").GetString(), last.GetProperty("actorId").GetString()));
            Assert.Equal("Stok musim ini sudah terpenuhi", last.GetProperty("payload").GetProperty("reason").GetString());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }
}

/// <summary>The codes the hub gives for an ended access (as <c>AccessEnd</c> in the grains' abstractions).</summary>
internal static class AccessEndReasons
{
    public const string ConsentWithdrawn = "consent-withdrawn";
}

/// <summary>The organisations and their users read back in a new process on the same embedded database.</summary>
public sealed class PartnerRestartTests
{
    [Fact]
    public async Task OrganisationsTheirUsersAndOffers_ReadBackInANewProcess_AndTheQueueWithThem()
    {
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-partner-restart-" + Guid.NewGuid().ToString("N"));
        string number;
        try
        {
            await using (var app = AppHost.Start(dir))
            {
                await app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
                await app.CreatePartner("mitra-bri", "mitra.bri", "kur-bri-mikro");
                var flow = new ServicesFlow(app, app.Client);
                number = await flow.AssessedAsync();
                Assert.Null((await flow.Enrol(number, "kur-bri-mikro", amountIdr: 10_000_000)).Code);
            }

            await using (var app = AppHost.Start(dir))
            {
                using var admin = await app.ClientFor(AppHost.Administrator);
                var org = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/partners/mitra-bri"));
                Assert.Equal(["mitra.bri"], org.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
                Assert.Equal(["kur-bri-mikro"], org.GetProperty("offers").EnumerateArray().Select(m => m.GetString()));
                var user = await admin.GetFromJsonAsync<JsonElement>("/api/users/mitra.bri");
                Assert.Equal(("Partner", "mitra-bri"), (user.GetProperty("role").GetString(), user.GetProperty("partnerOrg").GetString()));
                using var partner = await app.ClientFor("mitra.bri");
                var queue = await partner.GetFromJsonAsync<JsonElement>("/api/partner/queue");
                Assert.Equal([number], queue.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("caseNumber").GetString()));
            }
        }
        finally
        {
            AppHost.DeleteData(dir);
        }
    }
}
