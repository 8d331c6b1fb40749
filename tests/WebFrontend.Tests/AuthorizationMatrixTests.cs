using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Every endpoint the app actually maps × every role × a case (and a mentor) in and out of the caller's scope. A new endpoint
/// fails here until it declares a policy and its row is added to <see cref="Expected"/> (and docs/access.md).
/// </summary>
[Trait("Category", "Quick")]
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private const string Anonymous = "anonymous";
    private AppHost _app = null!;
    private string _inScope = "";
    private string _outOfScope = "";

    /// <summary>A mentor whose profile serves only Kabupaten Malang (35.07): outside the Kota Batu caseworker's regions.</summary>
    private const string MalangMentor = "pendamping.malang";

    /// <summary>
    /// What a caller gets: A = allowed (any answer but 401/403/404), F = 403, N = 404, U = 401; '*' in the table is a
    /// public endpoint: reachable without sign-in, any answer but a 5xx (a wrong password is a 401 from the handler).
    /// </summary>
    private enum Outcome
    {
        A,
        F,
        N,
        U,
    }

    private static readonly string[] Callers = [AppHost.Caseworker, AppHost.Supervisor, AppHost.Mentor, AppHost.Analyst, AppHost.Administrator, AppHost.PrivacyOfficer, Partner, Anonymous];

    /// <summary>A partner's user, of the organisation answering for KUR Mikro BRI; the case in scope applied for it, the other did not.</summary>
    private const string Partner = "mitra.bri";

    private const string PartnerOrg = "bri-batu";

    // Per endpoint: expected outcome per caller, in the order of Callers, for a case in scope and one out of scope.
    // For endpoints without a case, both columns are the same.
    private static readonly Dictionary<string, (string InScope, string OutOfScope)> Expected = new()
    {
        //                                                     cw sv me an ad dpo pa anon    cw sv me an ad dpo pa anon
        ["GET /openapi/{documentName}.json"] = ("********", "********"),
        ["GET /health/live"] = ("********", "********"),
        ["GET /health/ready"] = ("********", "********"),
        ["POST /api/auth/token"] = ("********", "********"),
        ["POST /api/auth/login"] = ("********", "********"),
        ["GET /api/auth/oidc/login"] = ("********", "********"),
        ["POST /api/auth/logout"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/auth/antiforgery"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/me"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/me/notifications"] = ("AAAAAAAU", "AAAAAAAU"),
        ["PUT /api/me/notifications"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/admin/notice-deliveries"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/admin/notice-deliveries/retry"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/regions/"] = ("********", "********"),
        ["GET /api/regions/{code}"] = ("********", "********"),
        ["GET /api/regions/attribution"] = ("********", "********"),
        ["GET /api/users/"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/users/{userId}"] = ("FFFFAFFU", "FFFFAFFU"),
        ["PUT /api/users/{userId}"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/cases/"] = ("AAFFFFFU", "FFFFFFFU"),
        ["GET /api/cases/"] = ("AAAFFFFU", "AAAFFFFU"),
        ["GET /api/cases/{caseNumber}"] = ("AAAFFFFU", "NNNFFFFU"),
        ["GET /api/cases/{caseNumber}/timeline"] = ("AAAFFFFU", "NNNFFFFU"),
        ["GET /api/cases/{caseNumber}/verify"] = ("AAAFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/nik/reveal"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/subject-access"] = ("AAFFFFFU", "NNNFFFFU"),
        // Supervisors of the region and the data protection officer (any case); the open cases here answer 409 erasure.case_open.
        ["POST /api/cases/{caseNumber}/erasure"] = ("FAFFFAFU", "FNFFFAFU"),
        ["GET /api/cases/{caseNumber}/access-log"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/consent"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/consent/withdrawal"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/assessment"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/assessment/correct"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/stages/{stage}/start"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/stages/{stage}/complete"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/stages/{stage}/skip"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/close"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/closure-request"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/closure-request/approve"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/closure-request/decline"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/reopening-request"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/reopening-request/approve"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/reopening-request/decline"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/notes"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/reopen"] = ("FAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/mentor"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/mentoring-sessions"] = ("AAAFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/mentoring-sessions/{seq}/correct"] = ("AAAFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/outcomes"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/withdraw"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/attendance"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/attendance/correct"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/complete"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/referral-response"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/referral-outcome"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/financing-decision"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/disbursement"] = ("AAFFFFFU", "NNNFFFFU"),
        ["POST /api/cases/{caseNumber}/enrolments/{offerId}/repayment"] = ("AAFFFFFU", "NNNFFFFU"),
        ["GET /api/cases/{caseNumber}/candidates"] = ("AAFFFFFU", "NNNFFFFU"),
        ["GET /api/offers/"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/offers/{offerId}"] = ("AAAAAAAU", "AAAAAAAU"),
        ["PUT /api/offers/{offerId}"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/offers/import"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/catalog/redundancy"] = ("FFFAAFFU", "FFFAAFFU"),
        ["GET /api/catalog/terms"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /api/financing/totals"] = ("FFFAAFFU", "FFFAAFFU"),
        ["GET /api/dashboard"] = ("FFFAAFFU", "FFFAAFFU"),
        ["POST /api/dashboard/rebuild"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/cases/import"] = ("AAFFFFFU", "AAFFFFFU"),
        ["GET /api/imports/{importId}"] = ("AAFFFFFU", "AAFFFFFU"),
        ["GET /api/cases/export"] = ("AAAFFFFU", "AAAFFFFU"),
        ["POST /api/problems/"] = ("AAFFFFFU", "AAFFFFFU"),
        ["GET /api/problems/"] = ("FFFAAFFU", "FFFAAFFU"),
        ["GET /api/problems/summary"] = ("FFFAAFFU", "FFFAAFFU"),
        ["GET /api/mentors"] = ("FAFFAFFU", "FAFFAFFU"),
        // In scope: a mentor serving Kota Batu (the caseworker's region); out: one serving Kabupaten Malang only.
        ["GET /api/mentors/{mentorId}/caseload"] = ("AAAFFFFU", "NAFFFFFU"),
        ["PUT /api/mentors/{mentorId}/profile"] = ("FAFFAFFU", "FAFFAFFU"),
        ["GET /api/privacy/access-log"] = ("FFFFFAFU", "FFFFFAFU"),
        ["GET /api/privacy/retention"] = ("FFFFFAFU", "FFFFFAFU"),
        ["POST /api/privacy/retention"] = ("FFFFFAFU", "FFFFFAFU"),
        ["GET /api/privacy/processing-activities"] = ("FFFFFAFU", "FFFFFAFU"),
        ["GET /api/admin/consequences"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/admin/consequences/retry"] = ("FFFFAFFU", "FFFFAFFU"),
        ["POST /api/admin/reconcile"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/me/notices"] = ("AAAAAAAU", "AAAAAAAU"),
        // The hub carries the case-work policy (LiveTests connect to it; per-case checks are in the grains). Not sent here.
        ["GET /hubs/cases/negotiate"] = ("AAAFFFAU", "AAAFFFAU"),
        ["GET /hubs/cases"] = ("AAAFFFAU", "AAAFFFAU"),
        // Partners: admins keep the organisations; a partner's user reads and answers what is addressed to its organisation.
        ["GET /api/admin/partners/"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/admin/partners/{orgId}"] = ("FFFFAFFU", "FFFFAFFU"),
        ["PUT /api/admin/partners/{orgId}"] = ("FFFFAFFU", "FFFFAFFU"),
        ["GET /api/partner/queue"] = ("FFFFFFAU", "FFFFFFAU"),
        ["GET /api/partner/cases/{caseNumber}"] = ("FFFFFFAU", "FFFFFFNU"),
        ["GET /api/partner/cases/{caseNumber}/timeline"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/referral-response"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/referral-outcome"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/financing-decision"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/disbursement"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/repayment"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/attendance"] = ("FFFFFFAU", "FFFFFFNU"),
        ["POST /api/partner/cases/{caseNumber}/enrolments/{offerId}/attendance/correct"] = ("FFFFFFAU", "FFFFFFNU"),
        ["GET /hubs/dashboard/negotiate"] = ("AAAAAAAU", "AAAAAAAU"),
        ["GET /hubs/dashboard"] = ("AAAAAAAU", "AAAAAAAU"),
    };

    public async Task InitializeAsync()
    {
        _app = AppHost.Start();
        await _app.Services.GetRequiredService<Demo.DemoSeeder>().SeedCatalogAsync();
        await _app.CreateUser("petugas.malang", Role.Caseworker, "35.07");
        using var malang = await _app.ClientFor("petugas.malang");
        _inScope = await Open(_app.Client, "35.79.01");
        _outOfScope = await Open(malang, "35.07.01");
        await _app.PostOk($"/api/cases/{_inScope}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        // The case in scope applied for the partner's loan product; the one out of scope did not (it is not the partner's).
        await _app.CreatePartner(PartnerOrg, Partner, "kur-bri-mikro");
        var flow = new ServicesFlow(_app, _app.Client);
        await flow.Stage(_inScope, "intake", "complete");
        await flow.Stage(_inScope, "assessment", "start");
        await flow.Command(_inScope, "/assessment", new { sector = "Kuliner", annualTurnoverIdr = 250_000_000L, businessCapitalIdr = 20_000_000L, workers = 2, needs = new[] { "Modal" } });
        var applied = await flow.Enrol(_inScope, "kur-bri-mikro", amountIdr: 10_000_000);
        Assert.True(applied.Status == HttpStatusCode.OK, applied.Body.GetRawText());
        await _app.CreateUser(MalangMentor, Role.Mentor);
        using var admin = await _app.ClientFor(AppHost.Administrator);
        foreach (var (mentor, region) in new[] { (AppHost.Mentor, "35.79"), (MalangMentor, "35.07") })
        {
            using var profile = await admin.PutAsJsonAsync($"/api/mentors/{mentor}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { region }, capacity = 30 });
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        var dir = _app.DataDirectory;
        await _app.DisposeAsync();
        AppHost.DeleteData(dir);
    }

    [Fact]
    public void EveryEndpoint_DeclaresAPolicyOrAnonymousAccess_AndHasARowInTheMatrix()
    {
        var endpoints = Endpoints();

        Assert.NotEmpty(endpoints);
        var problems = new List<string>();
        foreach (var (key, endpoint) in endpoints)
        {
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Where(a => a.Policy is not null).ToList();
            if (!anonymous && policies.Count == 0)
            {
                problems.Add($"{key} declares no authorization policy");
            }

            if (!Expected.ContainsKey(key))
            {
                problems.Add($"{key} has no row in the authorization matrix");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        Assert.Empty(Expected.Keys.Except(endpoints.Select(e => e.Key)));
    }

    [Fact]
    public async Task EveryEndpoint_ForEveryRole_InAndOutOfScope_AnswersAsTheMatrixSays()
    {
        var clients = new Dictionary<string, HttpClient> { [Anonymous] = _app.Anonymous };
        foreach (var user in Callers.Where(c => c != Anonymous))
        {
            clients[user] = await _app.ClientFor(user);
        }

        var failures = new List<string>();
        foreach (var (key, _) in Endpoints().Where(e => !e.Key.Contains("/hubs/", StringComparison.Ordinal)))
        {
            foreach (var (scope, caseNumber, column) in new[] { ("in", _inScope, 0), ("out", _outOfScope, 1) })
            {
                var expected = column == 0 ? Expected[key].InScope : Expected[key].OutOfScope;
                for (var i = 0; i < Callers.Length; i++)
                {
                    var caller = Callers[i];
                    using var response = await Send(clients[caller], key, caseNumber, scope);
                    if (key == "POST /api/auth/logout" && caller != Anonymous)
                    {
                        // Signing out ends the account's sessions: sign in again for the rest of the matrix.
                        clients[caller].Dispose();
                        clients[caller] = await _app.ClientFor(caller);
                    }

                    if (expected[i] == '*')
                    {
                        Assert.True((int)response.StatusCode < 500, $"{key} as {caller}: {(int)response.StatusCode}");
                        continue;
                    }

                    var want = Enum.Parse<Outcome>(expected[i].ToString());
                    var got = (int)response.StatusCode switch
                    {
                        401 => Outcome.U,
                        403 => Outcome.F,
                        404 => Outcome.N,
                        _ => Outcome.A,
                    };
                    var body = await response.Content.ReadAsStringAsync();
                    if (got != want)
                    {
                        failures.Add($"{key} as {caller} ({scope} of scope): expected {want}, got {(int)response.StatusCode} {body[..Math.Min(160, body.Length)]}");
                    }

                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{key} as {caller} ({scope}): server error {body}");
                    }

                    if (got is Outcome.N or Outcome.F && caseNumber.Length > 0 && body.Contains("Penerima Matriks", StringComparison.Ordinal))
                    {
                        failures.Add($"{key} as {caller} ({scope}): a refusal revealed case data");
                    }

                    if (scope == "out" && got == Outcome.N && key.Contains("{mentorId}", StringComparison.Ordinal))
                    {
                        // A mentor outside the caller's regions must read exactly like a mentor that does not exist.
                        using var missing = await Send(clients[caller], key, caseNumber, scope, mentorId: "pendamping.tidak.ada");
                        var missingBody = await missing.Content.ReadAsStringAsync();
                        if (missing.StatusCode != response.StatusCode || WithoutTrace(missingBody) != WithoutTrace(body))
                        {
                            failures.Add($"{key} as {caller}: a mentor out of the caller's regions answered differently from a missing one: {body} vs {missingBody}");
                        }
                    }

                    if (scope == "out" && got == Outcome.N && key.Contains("{caseNumber}", StringComparison.Ordinal))
                    {
                        // Out of scope must read exactly like a case that does not exist.
                        using var missing = await Send(clients[caller], key, "3579-999999", scope);
                        var missingBody = await missing.Content.ReadAsStringAsync();
                        if (missing.StatusCode != response.StatusCode || WithoutTrace(missingBody) != WithoutTrace(body))
                        {
                            failures.Add($"{key} as {caller}: out of scope answered differently from a missing case: {body} vs {missingBody}");
                        }
                    }
                }
            }
        }

        foreach (var client in clients.Where(c => c.Key != Anonymous))
        {
            client.Value.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private List<KeyValuePair<string, RouteEndpoint>> Endpoints() =>
        [.. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new KeyValuePair<string, RouteEndpoint>($"{m} {Normalize(e.RoutePattern.RawText)}", e)))];

    private static string WithoutTrace(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    private static string Normalize(string? pattern) => "/" + (pattern ?? "").TrimStart('/');

    private static async Task<HttpResponseMessage> Send(HttpClient client, string key, string caseNumber, string scope, string? mentorId = null)
    {
        var method = key[..key.IndexOf(' ', StringComparison.Ordinal)];
        var path = key[(method.Length + 1)..]
            .Replace("{caseNumber}", caseNumber, StringComparison.Ordinal)
            .Replace("{stage}", "training", StringComparison.Ordinal)
            .Replace("{seq}", "3", StringComparison.Ordinal)
            .Replace("{userId}", AppHost.Caseworker, StringComparison.Ordinal)
            .Replace("{orgId}", PartnerOrg, StringComparison.Ordinal)
            .Replace("{mentorId}", mentorId ?? (scope == "in" ? AppHost.Mentor : MalangMentor), StringComparison.Ordinal)
            .Replace("{code}", "35.79", StringComparison.Ordinal)
            .Replace("{offerId}", "kur-bri-mikro", StringComparison.Ordinal)
            .Replace("{importId}", "0123456789abcdef0123456789abcdef", StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = JsonContent.Create(Body(path, scope));
        }

        return await client.SendAsync(request);
    }

    private static object Body(string path, string scope) => path switch
    {
        "/api/auth/token" or "/api/auth/login" => new { userId = "nobody", password = "wrong password" },
        "/api/cases/" or "/api/cases" => new
        {
            commandId = Guid.NewGuid().ToString(), nik = "3579011508900001", fullName = "Penerima Matriks",
            regionCode = scope == "in" ? "35.79.01" : "35.07.01", segment = "Umkm", consentGiven = true,
        },
        _ when path.StartsWith("/api/users/", StringComparison.Ordinal) => new { displayName = "Petugas" },
        _ when path.EndsWith("/profile", StringComparison.Ordinal) => new { sectors = new[] { "Kuliner" }, regions = new[] { scope == "in" ? "35.79" : "35.07" }, capacity = 30 },
        _ when path.EndsWith("/nik/reveal", StringComparison.Ordinal) || path.EndsWith("/subject-access", StringComparison.Ordinal) => new { purpose = "matriks akses" },
        _ when path.EndsWith("/erasure", StringComparison.Ordinal) => new { reason = "matriks akses", legalBasis = "UU 27/2022 Pasal 8" },
        _ when path.EndsWith("/mentoring-sessions", StringComparison.Ordinal) => new
        {
            commandId = Guid.NewGuid().ToString(), date = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), topic = "Matriks",
        },
        _ => new { commandId = Guid.NewGuid().ToString() },
    };

    private static async Task<string> Open(HttpClient client, string region)
    {
        using var response = await client.PostAsJsonAsync("/api/cases", new
        {
            commandId = Guid.NewGuid().ToString(),
            nik = region.StartsWith("35.79", StringComparison.Ordinal) ? "3579015508900003" : "3507015508900004",
            fullName = "Penerima Matriks",
            regionCode = region,
            segment = "Koperasi",
            consentGiven = true,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("caseNumber").GetString()!;
    }
}
