using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class CaseApiTests(AppFixture fx)
{
    private AppHost App => fx.App;

    private static Dictionary<string, object?> Cmd(object? extra = null)
    {
        var d = new Dictionary<string, object?> { ["commandId"] = Guid.NewGuid().ToString() };
        if (extra is not null)
        {
            foreach (var p in extra.GetType().GetProperties())
            {
                d[p.Name] = p.GetValue(extra);
            }
        }

        return d;
    }

    [Fact]
    public async Task Intake_Returns201WithLocation_AndTheCaseShowsOnlyTheMaskedNik()
    {
        var nik = fx.NextNik();
        using var response = await App.Client.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(),
            nik,
            fullName = "Siti Aminah",
            regionCode = "35.79.01.1001",
            segment = "Umkm",
            consentGiven = true,
            nib = "1234567890123",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var number = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseNumber").GetString()!;
        Assert.Equal($"/api/cases/{number}", response.Headers.Location!.OriginalString);

        using var get = await App.Client.GetAsync(response.Headers.Location);
        var text = await get.Content.ReadAsStringAsync();
        var timeline = await App.Client.GetStringAsync($"/api/cases/{number}/timeline");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("\"1\"", get.Headers.ETag!.Tag);
        var view = JsonDocument.Parse(text).RootElement;
        Assert.Equal(nik[..4] + "**********" + nik[^2..], view.GetProperty("nikMasked").GetString());
        Assert.Equal("Male", view.GetProperty("gender").GetString());
        // Desa codes are validated under their kecamatan; the name shown is the kecamatan's (the table holds no desa).
        Assert.Equal("Batu", view.GetProperty("regionName").GetString());
        Assert.Equal("Intake", view.GetProperty("currentStage").GetString());
        Assert.DoesNotContain(nik, text, StringComparison.Ordinal);
        Assert.DoesNotContain(nik, timeline, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(App.DataDirectory, "casegrains.db")));
    }

    [Fact]
    public async Task JourneyCommands_AdvanceTheCase_AndTheTimelineAndChainFollow()
    {
        var n = await fx.OpenCaseAsync();
        var u = $"/api/cases/{n}";

        await App.PostOk($"{u}/stages/intake/complete", Cmd());
        await App.PostOk($"{u}/stages/Assessment/start", Cmd());
        var refused = await App.Client.PostAsJsonAsync($"{u}/stages/assessment/complete", Cmd());
        await App.PostOk($"{u}/assessment", Cmd(new
        {
            sector = "Kerajinan",
            annualTurnoverIdr = 3_000_000_000L,
            businessCapitalIdr = 400_000_000L,
            workers = 8,
            needs = new[] { "akses pasar", "sertifikasi halal" },
        }));
        var completed = await App.PostOk($"{u}/stages/assessment/complete", Cmd());
        await App.PostOk($"{u}/stages/training/skip", Cmd(new { reason = "Sudah mengikuti pelatihan serupa" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("gate.assessment.profile_missing", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(5, completed.GetProperty("seq").GetInt32());
        var view = await App.GetOk(u);
        Assert.Equal("Small", view.GetProperty("profile").GetProperty("umkmClass").GetString());
        Assert.Equal("Training", view.GetProperty("currentStage").GetString());
        var since3 = await App.GetOk($"{u}/timeline?after=3");
        Assert.Equal([4, 5, 6], since3.EnumerateArray().Select(e => e.GetProperty("seq").GetInt32()));
        Assert.Equal("Kerajinan", since3[0].GetProperty("payload").GetProperty("sector").GetString());
        Assert.Equal("StageSkipped", since3[2].GetProperty("type").GetString());
        Assert.Equal(AppHost.Caseworker, since3[2].GetProperty("actorId").GetString());
        Assert.Equal("Caseworker", since3[2].GetProperty("actorRole").GetString());
        var verify = await App.GetOk($"{u}/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(6, verify.GetProperty("eventsChecked").GetInt32());
    }

    [Fact]
    public async Task AnIntakeWithoutConsent_WaitsAtIntake_UntilConsentIsRecordedWithItsFormDateAndWitness()
    {
        var n = await fx.OpenCaseAsync(consent: false);
        var u = $"/api/cases/{n}";
        var refused = await App.Client.PostAsJsonAsync($"{u}/stages/intake/complete", Cmd());
        var before = await App.GetOk(u);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        await App.PostOk($"{u}/consent", Cmd(new { method = "Formulir persetujuan ditandatangani", formVersion = "2", givenOn = today.AddDays(-1), witness = "Bu Rina (kader desa)" }));
        await App.PostOk($"{u}/stages/intake/complete", Cmd());

        Assert.Equal("gate.intake.consent_missing", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.False(before.GetProperty("consentRecorded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("consent").ValueKind);
        var view = await App.GetOk(u);
        Assert.True(view.GetProperty("consentRecorded").GetBoolean());
        var consent = view.GetProperty("consent");
        Assert.Equal("Formulir persetujuan ditandatangani", consent.GetProperty("method").GetString());
        Assert.Equal("2", consent.GetProperty("formVersion").GetString());
        Assert.Equal(today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), consent.GetProperty("givenOn").GetString());
        Assert.Equal("Bu Rina (kader desa)", consent.GetProperty("witness").GetString());
        Assert.Equal("Assessment", view.GetProperty("stages")[1].GetProperty("stage").GetString());
        Assert.Equal("Completed", view.GetProperty("stages")[0].GetProperty("state").GetString());
        var recorded = (await App.GetOk($"{u}/timeline")).EnumerateArray().Single(e => e.GetProperty("type").GetString() == "ConsentRecorded");
        Assert.Equal(AppHost.Caseworker, recorded.GetProperty("actorId").GetString());
        Assert.Equal("Bu Rina (kader desa)", recorded.GetProperty("payload").GetProperty("witness").GetString());
    }

    [Fact]
    public async Task RepeatedCommand_ReturnsTheFirstOutcome_WithAReplayHeader()
    {
        var n = await fx.OpenCaseAsync();
        var body = Cmd(new { method = "tanda tangan" });

        using var first = await App.Client.PostAsJsonAsync($"/api/cases/{n}/consent", body);
        using var again = await App.Client.PostAsJsonAsync($"/api/cases/{n}/consent", body);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt32());
        Assert.Equal(2, (await App.GetOk($"/api/cases/{n}/timeline")).GetArrayLength());
    }

    [Fact]
    public async Task StaleExpectedVersion_Is409_WithTheCurrentVersion()
    {
        var n = await fx.OpenCaseAsync();
        await App.PostOk($"/api/cases/{n}/consent", Cmd(new { method = "lisan", expectedVersion = 1 }));

        using var stale = await App.Client.PostAsJsonAsync($"/api/cases/{n}/stages/intake/complete", Cmd(new { expectedVersion = 1 }));
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType!.MediaType);
        Assert.Equal("case.version_conflict", problem.GetProperty("code").GetString());
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
    }

    [Fact]
    public async Task DuplicateIntake_Is409_NamingTheExistingCase_InTheCallersLanguage()
    {
        var nik = fx.NextNik();
        object Body() => new { commandId = Guid.NewGuid().ToString(), nik, fullName = "Agus", regionCode = "35.79.03", segment = "PekerjaMigran", consentGiven = true };
        var first = await App.PostOk("/api/cases", Body(), HttpStatusCode.Created);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Body()) };
        request.Headers.AcceptLanguage.ParseAdd("en-US");

        using var dup = await App.Client.SendAsync(request);
        var problem = await dup.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, dup.StatusCode);
        Assert.Equal("case.duplicate", problem.GetProperty("code").GetString());
        Assert.Equal(first.GetProperty("caseNumber").GetString(), problem.GetProperty("existingCaseNumber").GetString());
        Assert.StartsWith("A beneficiary with this NIK already has an open case", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FiltersByRegionPrefixStageSegmentAndText_AndPages()
    {
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // A desa of its own, so other tests' cases never push these off the page.
            mine.Add(await fx.OpenCaseAsync(region: "35.79.02.2010"));
        }

        await App.PostOk($"/api/cases/{mine[0]}/stages/intake/complete", Cmd());
        await App.PostOk($"/api/cases/{mine[0]}/stages/assessment/start", Cmd());

        var bumiaji = await App.GetOk("/api/cases?region=35.79.02.2010&pageSize=200");
        var assessment = await App.GetOk("/api/cases?region=35.79.02&stage=Assessment&segment=EkonomiKreatif&pageSize=200");
        var page2 = await App.GetOk("/api/cases?region=35.79.02.2010&pageSize=2&page=2");
        var wholeKecamatan = await App.GetOk("/api/cases?region=35.79.02&pageSize=1");
        var elsewhere = await App.GetOk("/api/cases?region=35.07");
        var byNumber = await App.GetOk($"/api/cases?q={mine[3]}");

        var numbers = bumiaji.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("caseNumber").GetString()!).ToList();
        Assert.True(mine.ToHashSet().IsSubsetOf(numbers), $"missing {string.Join(",", mine.Except(numbers))} of total {bumiaji.GetProperty("total")} in [{string.Join(",", numbers)}]");
        Assert.Contains(mine[0], assessment.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("caseNumber").GetString()));
        Assert.All(assessment.GetProperty("items").EnumerateArray(), e => Assert.Equal("Assessment", e.GetProperty("currentStage").GetString()));
        Assert.Equal(2, page2.GetProperty("items").GetArrayLength());
        Assert.Equal(numbers.Skip(2).Take(2), page2.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("caseNumber").GetString()));
        Assert.Equal(bumiaji.GetProperty("total").GetInt64(), page2.GetProperty("total").GetInt64());
        Assert.Equal(0, elsewhere.GetProperty("total").GetInt64());
        Assert.Equal(5, bumiaji.GetProperty("total").GetInt64());
        Assert.True(wholeKecamatan.GetProperty("total").GetInt64() >= 5);
        Assert.Equal(mine[3], byNumber.GetProperty("items")[0].GetProperty("caseNumber").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_IsServed_WithEnumsAsStrings()
    {
        var doc = await App.GetOk("/openapi/v1.json");

        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/cases/{caseNumber}/stages/{stage}/complete", out _));
        var stage = doc.GetProperty("components").GetProperty("schemas").GetProperty("Stage");
        Assert.Equal("string", stage.GetProperty("type").GetString());
        Assert.Equal(Enum.GetNames<CaseGrains.Domain.Journey.Stage>(), stage.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task TheOpenApiDocument_SaysEachSuccessCode_TheErrorsWithTheirProblemCodes_AndHowToSignIn()
    {
        var doc = await App.GetOk("/openapi/v1.json");
        JsonElement Operation(string path, string method) => doc.GetProperty("paths").GetProperty(path).GetProperty(method);
        static IEnumerable<string> Codes(JsonElement op) => op.GetProperty("responses").EnumerateObject().Select(r => r.Name);

        var intake = Operation("/api/cases", "post");
        var complete = Operation("/api/cases/{caseNumber}/stages/{stage}/complete", "post");
        var login = Operation("/api/auth/login", "post");

        Assert.Contains("201", Codes(intake));
        Assert.DoesNotContain("200", Codes(intake));
        Assert.Contains("204", Codes(Operation("/api/auth/logout", "post")));
        Assert.Contains("202", Codes(Operation("/api/cases/import", "post")));
        Assert.Contains("200", Codes(Operation("/api/cases/{caseNumber}", "get")));
        Assert.Superset(new HashSet<string> { "200", "400", "401", "403", "404", "409", "422" }, Codes(complete).ToHashSet());
        var refused = complete.GetProperty("responses").GetProperty("422");
        Assert.Contains("gate.", refused.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("#/components/schemas/Problem", refused.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Contains("case.version_conflict", complete.GetProperty("responses").GetProperty("409").GetProperty("description").GetString(), StringComparison.Ordinal);

        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("apiKey", "cookie", "casegrains.session"), (schemes.GetProperty("cookie").GetProperty("type").GetString(), schemes.GetProperty("cookie").GetProperty("in").GetString(), schemes.GetProperty("cookie").GetProperty("name").GetString()));
        Assert.Equal(("header", "X-CSRF-TOKEN"), (schemes.GetProperty("csrf").GetProperty("in").GetString(), schemes.GetProperty("csrf").GetProperty("name").GetString()));
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        var security = complete.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Select(p => p.Name).Order().ToList()).ToList();
        Assert.Equal([["cookie", "csrf"], ["bearer"]], security);
        Assert.False(login.TryGetProperty("security", out _));
        Assert.DoesNotContain("401", Codes(login));
    }

    [Fact]
    public async Task AProblemsStatus_IsItsHttpCode_AndItsVersionsAreNumbers_InWordsOfOneLanguage()
    {
        var n = await fx.OpenCaseAsync();
        await App.PostOk($"/api/cases/{n}/consent", Cmd(new { method = "lisan" }));

        // An enrolment step on an offer the case is not in, a stale version, a malformed body: each answers its own status.
        using var notEnrolled = await App.Client.PostAsJsonAsync($"/api/cases/{n}/enrolments/kur-bri-mikro/repayment", Cmd(new { status = "Current" }));
        using var stale = await App.Client.PostAsJsonAsync($"/api/cases/{n}/stages/intake/complete", Cmd(new { expectedVersion = 1 }));
        using var malformed = await App.Client.PostAsync($"/api/cases/{n}/notes", new StringContent("{\"commandId\":\"a\",\"txt\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));

        var problems = new List<JsonElement>();
        foreach (var response in new[] { notEnrolled, stale, malformed })
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
            Assert.DoesNotContain("unknown field", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            problems.Add(problem);
        }

        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.Conflict, HttpStatusCode.BadRequest), (notEnrolled.StatusCode, stale.StatusCode, malformed.StatusCode));
        Assert.Equal(JsonValueKind.Number, problems[1].GetProperty("currentVersion").ValueKind);
    }

    [Fact]
    public async Task Regions_ListKotaBatuKecamatan_WithAttribution()
    {
        var kecamatan = await App.GetOk("/api/regions?parent=35.79");
        var attribution = await App.Client.GetStringAsync("/api/regions/attribution");

        Assert.Equal(["Batu", "Bumiaji", "Junrejo"], kecamatan.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Contains("ODbL", attribution, StringComparison.Ordinal);
    }
}
