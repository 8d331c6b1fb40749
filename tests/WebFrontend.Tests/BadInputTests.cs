using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Bad input answers 4xx problem+json with a stable code, changes nothing, and is never a 500.</summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class BadInputTests(AppFixture fx)
{
    private AppHost App => fx.App;

    public static TheoryData<string, string, string?, HttpStatusCode, string> CommandCases => new()
    {
        // path suffix, content type, body, status, code
        { "/consent", "application/json", "{\"commandId\":", HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "application/json", "not json at all", HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "application/json", "[]", HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "application/json", null, HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "text/plain", "{\"commandId\":\"a\",\"method\":\"x\"}", HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"methd\":\"x\"}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "input.required" },
        { "/consent", "application/json", "{\"method\":\"x\"}", HttpStatusCode.BadRequest, "input.required" },
        { "/consent", "application/json", "{\"commandId\":\"" + new string('c', 101) + "\",\"method\":\"x\"}", HttpStatusCode.BadRequest, "input.too_long" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"method\":\"" + new string('m', 201) + "\"}", HttpStatusCode.BadRequest, "input.too_long" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"method\":\"a\\u0000b\"}", HttpStatusCode.BadRequest, "input.control_characters" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"method\":42}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"method\":\"x\",\"expectedVersion\":\"one\"}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/closure-request", "application/json", "{\"commandId\":\"a\",\"reason\":\"Bored\"}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/closure-request", "application/json", "{\"commandId\":\"a\",\"reason\":1}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/closure-request", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "input.required" },
        { "/notes", "application/json", "{\"commandId\":\"a\",\"text\":\"  \"}", HttpStatusCode.BadRequest, "input.required" },
        { "/notes", "application/json", "{\"commandId\":\"a\",\"text\":\"" + new string('n', 2001) + "\"}", HttpStatusCode.BadRequest, "input.too_long" },
        { "/reopening-request", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "input.required" },
        { "/stages/Nope/start", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "request.unknown_stage" },
        { "/stages/3/start", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "request.unknown_stage" },
        { "/stages/intake,assessment/complete", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "request.unknown_stage" },
        { "/stages/1,2/start", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "request.unknown_stage" },
        { "/stages/training/skip", "application/json", "{\"commandId\":\"a\",\"reason\":\"  \"}", HttpStatusCode.BadRequest, "input.required" },
        { "/assessment", "application/json", "{\"commandId\":\"a\",\"sector\":\"x\",\"annualTurnoverIdr\":1e30,\"businessCapitalIdr\":1,\"workers\":1,\"needs\":[\"a\"]}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/assessment", "application/json", "{\"commandId\":\"a\",\"sector\":\"x\",\"annualTurnoverIdr\":1.5,\"businessCapitalIdr\":1,\"workers\":1,\"needs\":[\"a\"]}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/assessment", "application/json", "{\"commandId\":\"a\",\"sector\":\"x\",\"annualTurnoverIdr\":1,\"businessCapitalIdr\":1,\"workers\":1,\"needs\":[\"a\"]}", HttpStatusCode.UnprocessableEntity, "stage.not_active" },
        { "/mentoring-sessions", "application/json", "{\"commandId\":\"a\",\"date\":\"2026-02-30\",\"topic\":\"x\"}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/mentoring-sessions", "application/json", "{\"commandId\":\"a\",\"date\":\"2026-11-01\",\"topic\":\"x\"}", HttpStatusCode.UnprocessableEntity, "mentor.not_assigned" },
        { "/enrolments", "application/json", "{\"commandId\":\"a\",\"offerId\":\"kur-bri-mikro\",\"amountIdr\":-5}", HttpStatusCode.UnprocessableEntity, "financing.profile_missing" },
        { "/enrolments", "application/json", "{\"commandId\":\"a\",\"offerId\":\"tidak-ada\"}", HttpStatusCode.NotFound, "offer.not_found" },
        { "/enrolments", "application/json", "{\"commandId\":\"a\",\"offerId\":\"BAD ID!\"}", HttpStatusCode.NotFound, "offer.not_found" },
        { "/enrolments", "application/json", "{\"commandId\":\"a\",\"offerId\":\"buku-batu-2026\",\"amountIdr\":1.5}", HttpStatusCode.BadRequest, "request.malformed" },
        { "/enrolments/buku-batu-2026/attendance", "application/json", "{\"commandId\":\"a\",\"attendancePercent\":90}", HttpStatusCode.UnprocessableEntity, "enrolment.not_found" },
        { "/enrolments/buku-batu-2026/referral-response", "application/json", "{\"commandId\":\"a\"}", HttpStatusCode.BadRequest, "input.required" },
        { "/reopen", "application/json", "{\"commandId\":\"a\",\"reason\":\"x\"}", HttpStatusCode.Forbidden, "access.forbidden" },
        { "/consent", "application/json", "{\"commandId\":\"a\",\"method\":\"'; DROP TABLE case_events; --\",\"expectedVersion\":99}", HttpStatusCode.Conflict, "case.version_conflict" },
    };

    [Theory]
    [MemberData(nameof(CommandCases))]
    public async Task BadCommand_IsAProblemWithAStableCode_AndChangesNothing(string suffix, string contentType, string? body, HttpStatusCode status, string code)
    {
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType);

        using var response = await App.Client.PostAsync($"/api/cases/{n}{suffix}", content);

        await AssertProblem(response, status, code);
        Assert.Equal(before, await Snapshot(n));
    }

    public static TheoryData<string, string, string> StrictJsonCases => new()
    {
        // path suffix, body, the field the problem names
        { "/closure-request", "{\"commandId\":\"a\",\"reason\":\"droppedOut\"}", "reason" },
        { "/closure-request", "{\"commandId\":\"a\",\"reason\":\"DROPPEDOUT\"}", "reason" },
        { "/closure-request", "{\"commandId\":\"a\",\"reason\":\"DroppedOut, Moved\"}", "reason" },
        { "/closure-request", "{\"commandId\":\"a\",\"reason\":\"1\"}", "reason" },
        { "/closure-request", "{\"commandId\":\"a\",\"reason\":\" DroppedOut\"}", "reason" },
        { "/assessment", "{\"commandId\":\"a\",\"sector\":\"x\",\"annualTurnoverIdr\":\"600000000\",\"businessCapitalIdr\":1,\"workers\":1,\"needs\":[\"a\"]}", "annualTurnoverIdr" },
        { "/consent", "{\"commandId\":\"a\",\"method\":\"x\",\"expectedVersion\":\"2\"}", "expectedVersion" },
        { "/enrolments/buku-batu-2026/attendance", "{\"commandId\":\"a\",\"attendancePercent\":\"90\"}", "attendancePercent" },
        { "/consent", "{\"commandId\":\"a\",\"method\":\"formulir\",\"method\":\"lisan\"}", "method" },
        { "/consent", "{\"commandId\":\"a\",\"commandId\":\"b\",\"method\":\"x\"}", "commandId" },
        { "/notes", "{\"commandId\":\"a\",\"text\":\"satu\",\"Text\":\"dua\"}", "Text" },
    };

    /// <summary>
    /// Enum values only by their exact names, numbers only as numbers, each key once: anything else is
    /// <c>request.malformed</c> naming the field, in both languages, and the case is unchanged.
    /// </summary>
    [Theory]
    [MemberData(nameof(StrictJsonCases))]
    public async Task StrictJson_ALooseEnumANumberInQuotesOrARepeatedKey_IsMalformedNamingTheField_AndChangesNothing(string suffix, string body, string field)
    {
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);

        var problems = new List<JsonElement>();
        foreach (var language in new[] { "id", "en" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{n}{suffix}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.AcceptLanguage.ParseAdd(language);
            using var response = await App.Client.SendAsync(request);
            await AssertProblem(response, HttpStatusCode.BadRequest, "request.malformed");
            problems.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        Assert.All(problems, p => Assert.Equal(field, p.GetProperty("field").GetString()));
        Assert.NotEqual(problems[0].GetProperty("title").GetString(), problems[1].GetProperty("title").GetString());
        Assert.Contains(field, problems[1].GetProperty("title").GetString()!, StringComparison.Ordinal);
        Assert.Equal(before, await Snapshot(n));
    }

    [Theory]
    [InlineData("{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"umkm\",\"consentGiven\":true}", "segment")]
    [InlineData("{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"nik\":\"3579021508850002\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", "nik")]
    public async Task StrictJson_AnIntakeWithALooseEnumOrARepeatedKey_IsMalformedNamingTheField_AndOpensNoCase(string body, string field)
    {
        var before = (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await App.Client.PostAsync("/api/cases", content);

        await AssertProblem(response, HttpStatusCode.BadRequest, "request.malformed");
        Assert.Equal(field, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        Assert.Equal(before, (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task StrictJson_AnAccountWithARoleInAnotherCasing_IsMalformed_AndNoAccountIsMade()
    {
        using var admin = await App.ClientFor(AppHost.Administrator);
        using var content = new StringContent("{\"displayName\":\"Petugas Baru\",\"role\":\"caseworker\",\"regions\":[\"35.79\"],\"password\":\"" + AppHost.Password + "\"}",
            Encoding.UTF8, "application/json");

        using var response = await admin.PutAsync("/api/users/petugas.huruf", content);
        using var after = await admin.GetAsync("/api/users/petugas.huruf");

        await AssertProblem(response, HttpStatusCode.BadRequest, "request.malformed");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    /// <summary>The live hub reads its arguments like the API reads bodies: a repeated key or a number in quotes is refused, nothing followed.</summary>
    [Fact]
    public async Task TheLiveHub_RefusesARepeatedKeyOrANumberInQuotes_AsMalformed()
    {
        var n = await fx.OpenCaseAsync();
        await using var live = await LiveClient.ConnectAsync(App, AppHost.Caseworker);
        using var repeated = JsonDocument.Parse($"{{\"{n}\":0,\"{n}\":1}}");

        var twice = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => live.Connection.InvokeAsync<JsonElement>("Resume", repeated.RootElement));
        var quoted = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => live.Connection.InvokeAsync<JsonElement>("Follow", n, "0"));
        var followed = await live.Connection.InvokeAsync<JsonElement>("Follow", n, 0L);

        Assert.Contains("request.malformed", twice.Message, StringComparison.Ordinal);
        Assert.Contains("request.malformed", quoted.Message, StringComparison.Ordinal);
        Assert.NotEmpty(followed.GetProperty("events").EnumerateArray());
    }

    public static TheoryData<string, HttpStatusCode, string> IntakeCases => new()
    {
        { "{\"commandId\":\"i\",\"nik\":\"35790215088\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "nik.invalid_format" },
        { "{\"commandId\":\"i\",\"nik\":\"35790216088500x1\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "nik.invalid_format" },
        { "{\"commandId\":\"i\",\"nik\":\"3579027208850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "nik.invalid_birth_date" },
        { "{\"commandId\":\"i\",\"nik\":\"9979021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "nik.unknown_region" },
        { "{\"commandId\":\"i\",\"nik\":\"3579041508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "nik.unknown_district" },
        { "{\"commandId\":\"i\",\"nik\":3579021608850001,\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "request.malformed" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Retail\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "request.malformed" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":0,\"consentGiven\":true}", HttpStatusCode.BadRequest, "request.malformed" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "input.required" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "region.too_coarse" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.09\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "region.unknown" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02' OR 1=1 --\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "region.unknown" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true}", HttpStatusCode.BadRequest, "input.required" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\",\"consentGiven\":true,\"nib\":\"12\"}", HttpStatusCode.BadRequest, "nib.invalid_format" },
        { "{\"commandId\":\"i\",\"nik\":\"3579021508850001\",\"fullName\":\"A\",\"regionCode\":\"35.79.02\",\"segment\":\"Umkm\"}", HttpStatusCode.BadRequest, "input.required" },
    };

    [Theory]
    [MemberData(nameof(IntakeCases))]
    public async Task BadIntake_IsAProblemWithAStableCode_AndOpensNoCase(string body, HttpStatusCode status, string code)
    {
        var before = (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await App.Client.PostAsync("/api/cases", content);

        await AssertProblem(response, status, code);
        Assert.Equal(before, (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
    }

    /// <summary>
    /// Every free-text name — a beneficiary's full name, a consent witness, an account's display name, an offer's name and
    /// provider, a field problem's reporter — needs a visible letter and refuses invisible and text-direction characters;
    /// nothing is saved.
    /// </summary>
    [Fact]
    public async Task EveryNameField_WithInvisibleOrDirectionCharacters_OrNoLetter_IsRefused_AndNothingIsSaved()
    {
        using var admin = await App.ClientFor(AppHost.Administrator);
        var n = await fx.OpenCaseAsync();
        var caseBefore = await Snapshot(n);
        var casesBefore = (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64();
        using var problemsClient = await App.ClientFor(AppHost.Analyst);
        var problemsBefore = await (await problemsClient.GetAsync("/api/problems?region=35.79")).Content.ReadAsStringAsync();
        var offerId = "t-nama-" + Guid.NewGuid().ToString("N")[..8];
        object Offer(string name, string provider) => new
        {
            name, type = "Training", category = "Fotografi Produk", provider, level = "KabKota", segments = new[] { "Umkm" },
            regions = new[] { "35.79" }, start = "2026-01-01", end = "2030-12-31", capacity = 30,
        };

        var answers = new List<(string What, HttpResponseMessage Response, string Code, string Field)>
        {
            ("intake", await App.Client.PostAsJsonAsync("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = fx.NextNik(), fullName = "Siti\u200bRahayu", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }), "input.invisible_characters", "fullName"),
            ("intake", await App.Client.PostAsJsonAsync("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = fx.NextNik(), fullName = "123 456", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }), "input.no_letters", "fullName"),
            ("witness", await App.Client.PostAsJsonAsync($"/api/cases/{n}/consent", new { commandId = Guid.NewGuid().ToString(), method = "formulir", witness = "Pak \u202eokoJ" }),
                "input.invisible_characters", "witness"),
            ("account", await admin.PutAsJsonAsync("/api/users/petugas.tak.terlihat", new
            {
                displayName = "\u2066Petugas\u2069", role = "Caseworker", regions = new[] { "35.79" }, password = AppHost.Password,
            }), "input.invisible_characters", "displayName"),
            ("account", await admin.PutAsJsonAsync("/api/users/petugas.tak.terlihat", new
            {
                displayName = "\u3164", role = "Caseworker", regions = new[] { "35.79" }, password = AppHost.Password,
            }), "input.invisible_characters", "displayName"),
            ("offer name", await admin.PutAsJsonAsync($"/api/offers/{offerId}", Offer("Kursus\ufeff Foto", "Dinas Koperasi Kota Batu")), "input.invisible_characters", "name"),
            ("offer provider", await admin.PutAsJsonAsync($"/api/offers/{offerId}", Offer("Kursus Foto", "Dinas\u200e Koperasi")), "input.invisible_characters", "provider"),
            ("offer provider", await admin.PutAsJsonAsync($"/api/offers/{offerId}", Offer("Kursus Foto", "- - -")), "input.no_letters", "provider"),
            ("reporter", await App.Client.PostAsJsonAsync("/api/problems", new
            {
                regionCode = "35.79.01", sector = "Kuliner", category = "Pemasaran", description = "Belum bisa pemasaran", reporter = "Kelompok\u2060Tani", reporterKind = "Community",
            }), "input.invisible_characters", "reporter"),
        };

        var failures = new List<string>();
        foreach (var (what, response, code, field) in answers)
        {
            var text = await response.Content.ReadAsStringAsync();
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(text).RootElement : default;
            if (response.StatusCode != HttpStatusCode.BadRequest || problem.ValueKind != JsonValueKind.Object
                || problem.GetProperty("code").GetString() != code || problem.GetProperty("field").GetString() != field)
            {
                failures.Add($"{what}: expected 400 {code} on {field}, got {(int)response.StatusCode} {text}");
            }

            response.Dispose();
        }

        using var account = await admin.GetAsync("/api/users/petugas.tak.terlihat");
        using var offer = await admin.GetAsync($"/api/offers/{offerId}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(caseBefore, await Snapshot(n));
        Assert.Equal(casesBefore, (await App.GetOk("/api/cases?pageSize=1")).GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, account.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, offer.StatusCode);
        Assert.Equal(problemsBefore, await (await problemsClient.GetAsync("/api/problems?region=35.79")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/cases/import", "text/plain")]
    [InlineData("/api/cases/import", "application/json")]
    [InlineData("/api/offers/import", "text/plain")]
    public async Task ACsvImportWithAnotherMediaType_Is415Problem_AsEveryOtherEndpointAnswersIt(string path, string contentType)
    {
        using var client = path.StartsWith("/api/offers", StringComparison.Ordinal) ? await App.ClientFor(AppHost.Administrator) : null;
        using var content = new StringContent("nik,full_name\n", Encoding.UTF8, contentType);

        using var response = await (client ?? App.Client).PostAsync(path, content);

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type");
    }

    // The writes that read no body at all (a wrong Content-Type cannot matter to them), and the uploads (text/csv).
    private static readonly string[] NoBody = ["POST /api/auth/logout", "POST /api/dashboard/rebuild", "POST /api/admin/consequences/retry", "POST /api/admin/reconcile",
        "POST /api/admin/notice-deliveries/retry", "POST /api/privacy/retention"];
    private static readonly string[] Uploads = ["POST /api/cases/import", "POST /api/offers/import"];

    /// <summary>
    /// One content-type rule: every endpoint that reads a JSON body, and every upload, answers another media type with 415
    /// <c>request.unsupported_media_type</c>. A new write fails here until it is one of the three kinds.
    /// </summary>
    [Fact]
    public async Task EveryJsonEndpointAndEveryUpload_AnswersAnotherMediaTypeWith415()
    {
        var n = await fx.OpenCaseAsync();
        var clients = new List<HttpClient> { App.Client };
        foreach (var user in new[] { AppHost.Supervisor, AppHost.Administrator, AppHost.Mentor })
        {
            clients.Add(await App.ClientFor(user));
        }

        var failures = new List<string>();
        var checkedOnes = new List<string>();
        var endpoints = App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Endpoint: e)))
            .Where(e => e.Method is "POST" or "PUT" && !e.Endpoint.RoutePattern.RawText!.StartsWith("/hubs", StringComparison.Ordinal));
        foreach (var (method, endpoint) in endpoints)
        {
            var key = $"{method} {endpoint.RoutePattern.RawText!.TrimEnd('/')}";
            var json = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is { } accepts
                && accepts.ContentTypes.Contains("application/json");
            if (NoBody.Contains(key))
            {
                continue;
            }

            if (!json && !Uploads.Contains(key))
            {
                failures.Add($"{key} reads neither JSON nor an upload: classify it here");
                continue;
            }

            var path = endpoint.RoutePattern.RawText!
                .Replace("{caseNumber}", n, StringComparison.Ordinal).Replace("{stage}", "Training", StringComparison.Ordinal)
                .Replace("{seq}", "2", StringComparison.Ordinal).Replace("{userId}", "petugas.media", StringComparison.Ordinal)
                .Replace("{mentorId}", AppHost.Mentor, StringComparison.Ordinal).Replace("{offerId}", "kur-bri-mikro", StringComparison.Ordinal);
            var answered = false;
            foreach (var client in clients)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = new StringContent(json ? "commandId,nik\n" : "{\"commandId\":\"media\"}", Encoding.UTF8, json ? "text/csv" : "application/json"),
                };
                using var response = await client.SendAsync(request);
                if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                {
                    continue;
                }

                answered = true;
                checkedOnes.Add(key);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.UnsupportedMediaType || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || JsonDocument.Parse(text).RootElement.GetProperty("code").GetString() != "request.unsupported_media_type")
                {
                    failures.Add($"{key}: {(int)response.StatusCode} {text}");
                }

                break;
            }

            if (!answered)
            {
                failures.Add($"{key}: no role got past the role policy");
            }
        }

        foreach (var client in clients.Skip(1))
        {
            client.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Subset(checkedOnes.ToHashSet(), Uploads.ToHashSet());
        Assert.Contains("POST /api/cases", checkedOnes);
        Assert.True(checkedOnes.Count >= 35, string.Join(", ", checkedOnes));
    }

    [Fact]
    public async Task OversizedBody_Is413Problem()
    {
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);
        var body = "{\"commandId\":\"big\",\"method\":\"" + new string('x', 70 * 1024) + "\"}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await App.Client.PostAsync($"/api/cases/{n}/consent", content);

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
        Assert.Equal(before, await Snapshot(n));
    }

    [Theory]
    [InlineData("GET", "/api/cases/3579-999999", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("GET", "/api/cases/not-a-case", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("GET", "/api/cases/3579-999999/timeline", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("GET", "/api/cases/3579-999999/verify", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("POST", "/api/cases/3579-999999/consent", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("POST", "/api/cases/%27%3B--/consent", HttpStatusCode.NotFound, "case.not_found")]
    [InlineData("GET", "/api/cases?stage=Flying", HttpStatusCode.BadRequest, "request.unknown_value")]
    [InlineData("GET", "/api/cases?stage=1", HttpStatusCode.BadRequest, "request.unknown_value")]
    [InlineData("GET", "/api/cases?segment=Umkm,Koperasi", HttpStatusCode.BadRequest, "request.unknown_value")]
    [InlineData("GET", "/api/cases?page=abc", HttpStatusCode.BadRequest, "request.malformed")]
    [InlineData("GET", "/api/regions/99.99", HttpStatusCode.NotFound, "region.not_found")]
    [InlineData("GET", "/api/nothing-here", HttpStatusCode.NotFound, "http.not_found")]
    [InlineData("DELETE", "/api/cases", HttpStatusCode.MethodNotAllowed, "http.method_not_allowed")]
    public async Task UnknownOrMalformedAddress_IsAProblem(string method, string path, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { commandId = "x", method = "y" });
        }

        using var response = await App.Client.SendAsync(request);

        await AssertProblem(response, status, code);
    }

    /// <summary>
    /// A control character in a path value — a case number, a stage, an offer id, a user or mentor id, an import id, a
    /// region code — is a 400 problem naming that value, whoever asks, and changes nothing.
    /// </summary>
    [Theory]
    [InlineData("GET", "/api/cases/{n}%01", "caseNumber")]
    [InlineData("GET", "/api/cases/{n}%0A/timeline", "caseNumber")]
    [InlineData("POST", "/api/cases/{n}%1F/consent", "caseNumber")]
    [InlineData("POST", "/api/cases/{n}%7F/notes", "caseNumber")]
    [InlineData("POST", "/api/cases/{n}%C2%85/notes", "caseNumber")] // U+0085, a C1 control
    [InlineData("POST", "/api/cases/{n}/stages/Training%01/start", "stage")]
    [InlineData("POST", "/api/cases/{n}/enrolments/kur-bri-mikro%1B/withdraw", "offerId")]
    [InlineData("GET", "/api/offers/kur-bri-mikro%09", "offerId")]
    [InlineData("GET", "/api/mentors/pendamping%0D/caseload", "mentorId")]
    [InlineData("GET", "/api/users/petugas%01", "userId")]
    [InlineData("GET", "/api/imports/0123456789abcdef%01", "importId")]
    [InlineData("GET", "/api/regions/35.79%01", "code")]
    public async Task AControlCharacterInAPathValue_IsA400ProblemNamingIt_AndChangesNothing(string method, string path, string field)
    {
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{n}", n, StringComparison.Ordinal));
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { commandId = Guid.NewGuid().ToString(), method = "formulir", text = "catatan" });
        }

        using var response = await App.Client.SendAsync(request);
        using var anonymous = await App.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{n}", n, StringComparison.Ordinal)));

        var text = await response.Content.ReadAsStringAsync();
        await AssertProblem(response, HttpStatusCode.BadRequest, "input.control_characters");
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        Assert.Equal(before, await Snapshot(n));
    }

    /// <summary>
    /// A NUL in the path never reaches the app: Kestrel refuses the request line itself with a bare 400 (no body, the
    /// connection closed) before any middleware runs, so it cannot be a problem+json (docs/api.md, "Path values"). It
    /// still changes nothing and is never a 5xx.
    /// </summary>
    [Fact]
    public async Task ANulInAPathValue_IsRefusedByTheHttpServerItself_With400_AndChangesNothing()
    {
        var n = await fx.OpenCaseAsync();
        var before = await Snapshot(n);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{n[..4]}%00{n[4..]}/consent")
        {
            Content = JsonContent.Create(new { commandId = Guid.NewGuid().ToString(), method = "formulir" }),
        };

        using var response = await App.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await Snapshot(n));
    }

    [Theory]
    [InlineData("?after=-1")]
    [InlineData("?limit=0")]
    [InlineData("?limit=100000")]
    [InlineData("?after=x")]
    public async Task TimelineWithBadParameters_IsA400Problem(string query)
    {
        var n = await fx.OpenCaseAsync();

        using var response = await App.Client.GetAsync($"/api/cases/{n}/timeline{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    private async Task<string> Snapshot(string caseNumber) =>
        (await App.GetOk($"/api/cases/{caseNumber}")).GetRawText() + (await App.GetOk($"/api/cases/{caseNumber}/timeline")).GetRawText();
}
