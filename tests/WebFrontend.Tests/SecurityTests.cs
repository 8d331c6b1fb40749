using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Personal data in logs, rate limits, the external identity provider, account administration, the NIK reveal, the
/// security headers of every answer and forwarded addresses.
/// </summary>
public sealed partial class SecurityTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [GeneratedRegex("/assets/[A-Za-z0-9_.-]+\\.(?:js|css)")]
    private static partial Regex HashedFile();

    [GeneratedRegex("workbox-[A-Za-z0-9]+\\.js")]
    private static partial Regex WorkboxScript();

    /// <summary>
    /// The UI's files (the page, hashed scripts and styles, manifest, service worker, icons; compressed or not, fresh or
    /// 304), the API's answers and every kind of error — including those written by the exception handler (an unreadable
    /// body) — carry the same security headers.
    /// </summary>
    [Fact]
    public async Task EveryAnswer_StaticFilesAndErrorsIncluded_CarriesTheSecurityHeaders()
    {
        var app = fixture.App;
        using var page = await app.Anonymous.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        using var worker = await app.Anonymous.GetAsync("/sw.js");
        var hashed = HashedFile().Matches(html).Select(m => m.Value).Distinct().ToList();
        Assert.Contains(hashed, f => f.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(hashed, f => f.EndsWith(".css", StringComparison.Ordinal));
        var files = new[] { "/", "/index.html", "/manifest.webmanifest", "/sw.js", "/" + WorkboxScript().Match(await worker.Content.ReadAsStringAsync()).Value,
            "/favicon.ico", "/favicon.svg", "/icon-192.png", "/icon-512.png", "/maskable-512.png", "/apple-touch-icon.png" }.Concat(hashed);

        var answers = new List<(string What, HttpResponseMessage Response)>();
        foreach (var file in files)
        {
            answers.Add(($"GET {file}", await app.Anonymous.GetAsync(file)));
            using var compressed = new HttpRequestMessage(HttpMethod.Get, file);
            compressed.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
            answers.Add(($"GET {file} (br)", await app.Anonymous.SendAsync(compressed)));
        }

        using (var again = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            again.Headers.IfNoneMatch.Add(page.Headers.ETag!);
            answers.Add(("GET / (304)", await app.Anonymous.SendAsync(again)));
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, "/index.html"))
        {
            answers.Add(("HEAD /index.html", await app.Anonymous.SendAsync(head)));
        }

        answers.Add(("GET /no-such-file.png (anonymous)", await app.Anonymous.GetAsync("/no-such-file.png")));
        answers.Add(("GET /no-such-file.png", await app.Client.GetAsync("/no-such-file.png")));
        answers.Add(("GET /api/nothing-here", await app.Client.GetAsync("/api/nothing-here")));
        answers.Add(("GET /api/regions", await app.Client.GetAsync("/api/regions")));
        answers.Add(("GET /health/live", await app.Anonymous.GetAsync("/health/live")));
        answers.Add(("DELETE /api/cases", await app.Client.DeleteAsync("/api/cases")));
        answers.Add(("POST /api/cases (unreadable)", await app.Client.PostAsync("/api/cases", new StringContent("{\"commandId\":", Encoding.UTF8, "application/json"))));
        answers.Add(("POST /api/cases (text/plain)", await app.Client.PostAsync("/api/cases", new StringContent("{}", Encoding.UTF8, "text/plain"))));
        answers.Add(("POST /api/cases (too large)", await app.Client.PostAsync("/api/cases",
            new StringContent("{\"fullName\":\"" + new string('x', 70 * 1024) + "\"}", Encoding.UTF8, "application/json"))));

        var failures = new List<string>();
        foreach (var (what, response) in answers)
        {
            var headers = response.Headers;
            string? One(string name) => headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
            var csp = One("Content-Security-Policy") ?? "";
            if (One("X-Content-Type-Options") != "nosniff" || One("Referrer-Policy") != "no-referrer" || One("X-Frame-Options") != "DENY"
                || !csp.Contains("default-src 'self'", StringComparison.Ordinal) || !csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal))
            {
                failures.Add($"{what} → {(int)response.StatusCode}: nosniff={One("X-Content-Type-Options")}, referrer={One("Referrer-Policy")}, frame={One("X-Frame-Options")}, csp={csp}");
            }

            response.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// The API's answers (a case, its timeline, the list, a person's caseload, a refusal, a problem, an anonymous 401) are
    /// never stored by the browser's HTTP cache or a proxy: sign-out could not clear them from a shared phone. The page's
    /// files stay cacheable.
    /// </summary>
    [Fact]
    public async Task NoApiAnswer_IsStoredByTheBrowserOrAProxy_WhileThePagesFilesAre()
    {
        var app = fixture.App;
        var number = (await app.PostOk("/api/cases", new { commandId = Guid.NewGuid().ToString(), nik = "3579016107900071", fullName = "Ani Cache",
            regionCode = "35.79.01", segment = "Umkm", consentGiven = true }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("GET case", await app.Client.GetAsync($"/api/cases/{number}")),
            ("GET timeline", await app.Client.GetAsync($"/api/cases/{number}/timeline")),
            ("GET list", await app.Client.GetAsync("/api/cases?q=Ani")),
            ("GET me", await app.Client.GetAsync("/api/me")),
            ("GET unknown case", await app.Client.GetAsync("/api/cases/3579-999999")),
            ("GET bad filter", await app.Client.GetAsync("/api/cases?stage=Nope")),
            ("GET case (anonymous)", await app.Anonymous.GetAsync($"/api/cases/{number}")),
            ("POST note", await app.Client.PostAsJsonAsync($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = "Catatan" })),
        };
        var failures = answers.Where(a => a.Response.Headers.CacheControl?.NoStore != true)
            .Select(a => $"{a.What} → {(int)a.Response.StatusCode}: Cache-Control: {a.Response.Headers.CacheControl}").ToList();
        Assert.Contains(answers, a => a.Response.StatusCode == HttpStatusCode.OK);
        Assert.Contains(answers, a => a.Response.StatusCode == HttpStatusCode.NotFound);
        Assert.Contains(answers, a => a.Response.StatusCode == HttpStatusCode.BadRequest);
        Assert.Contains(answers, a => a.Response.StatusCode == HttpStatusCode.Unauthorized);
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        using var page = await app.Anonymous.GetAsync("/");
        Assert.NotEqual(true, page.Headers.CacheControl?.NoStore);
        foreach (var (_, response) in answers)
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// The page under its own policy in real Chromium: the workbench, a case, the dashboard's charts and the mentor's page
    /// with its service worker installed, and not one violation reported.
    /// </summary>
    [Fact]
    public async Task TheUi_UnderItsContentSecurityPolicy_RunsForEveryRole_WithoutAViolation()
    {
        await using var session = await BrowserApp.StartAsync();
        var (app, browser) = (session.App, session.Browser);
        var number = await MentorPageTests.OpenAssignedCaseAsync(app, "3579026107900071");
        var violations = new ConcurrentQueue<string>();

        async Task<IPage> OpenAsync(string userId)
        {
            var context = await Chromium.PhoneContextAsync(browser, app.BaseAddress);
            await context.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
            var page = await context.NewPageAsync();
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.StartsWith("CSP violation", StringComparison.Ordinal))
                {
                    violations.Enqueue($"{userId}: {message.Text}");
                }
            };
            await Chromium.SignInOnAsync(page, userId);
            return page;
        }

        var caseworker = await OpenAsync(AppHost.Caseworker);
        await Assertions.Expect(caseworker.Locator($"li[data-case='{number}']")).ToBeVisibleAsync();
        await caseworker.GotoAsync($"/#/cases/{number}");
        await Assertions.Expect(caseworker.Locator("#stages")).ToBeVisibleAsync();
        var analyst = await OpenAsync(AppHost.Analyst);
        await Assertions.Expect(analyst.Locator("#kpi-cases")).ToBeVisibleAsync();
        await analyst.WaitForFunctionAsync("() => [...document.querySelectorAll('canvas')].some(c => c.width > 0)");
        var mentor = await OpenAsync(AppHost.Mentor);
        await Assertions.Expect(mentor.Locator($"li[data-case='{number}']")).ToBeVisibleAsync();
        await mentor.WaitForFunctionAsync("async () => (await navigator.serviceWorker.ready).active?.state === 'activated'", null, new() { Timeout = 30_000 });

        Assert.True(violations.IsEmpty, string.Join("\n", violations));
    }

    [Fact]
    public async Task AFullScenario_LogsAtEveryLevel_WithoutASingleNik()
    {
        var sink = new CollectingLoggerProvider();
        var dir = Path.Combine(Path.GetTempPath(), "casegrains-logs-" + Guid.NewGuid().ToString("N"));
        const string nik = "3579025203880011", badNik = "3579027703880012";
        await using (var app = AppHost.Start(dir, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Orleans"] = "Trace", ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace", ["Logging:LogLevel:Polly"] = "Trace", ["Logging:LogLevel:CaseGrains"] = "Trace",
        }, sink))
        {
            var created = await app.PostOk("/api/cases", new { commandId = "log-1", nik, fullName = "Sri Log", regionCode = "35.79.02", segment = "Umkm", consentGiven = true }, HttpStatusCode.Created);
            var number = created.GetProperty("caseNumber").GetString();
            await app.Client.PostAsJsonAsync("/api/cases", new { commandId = "log-2", nik, fullName = "Sri Log", regionCode = "35.79.02", segment = "Umkm", consentGiven = true });
            await app.Client.PostAsJsonAsync("/api/cases", new { commandId = "log-3", nik = badNik, fullName = "X", regionCode = "35.79.02", segment = "Umkm", consentGiven = true });
            await app.Client.PostAsync("/api/cases", new StringContent($"{{\"nik\":\"{nik}\",", System.Text.Encoding.UTF8, "application/json"));
            await app.PostOk($"/api/cases/{number}/consent", new { commandId = "log-4", method = "form" });
            await app.PostOk($"/api/cases/{number}/nik/reveal", new { purpose = "uji log" });
            await app.GetOk($"/api/cases/{number}");
            await app.GetOk($"/api/cases/{number}/timeline");
        }

        AppHost.DeleteData(dir);
        Assert.True(sink.Messages.Count > 100, $"only {sink.Messages.Count} log lines: the capture is not working");
        Assert.DoesNotContain(sink.Messages, m => m.Contains(nik, StringComparison.Ordinal) || m.Contains(badNik, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooManyRequests_Are429Problems_WithRetryAfter_PerUser()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Auth:RequestsPerMinute"] = "5" });
        try
        {
            var statuses = new List<HttpStatusCode>();
            HttpResponseMessage? limited = null;
            for (var i = 0; i < 8; i++)
            {
                var response = await app.Client.GetAsync("/api/me");
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    limited ??= response;
                }
            }

            using var other = await app.ClientFor(AppHost.Supervisor);
            using var otherUser = await other.GetAsync("/api/me");

            Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
            Assert.Equal("request.rate_limited", (await limited!.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.True(limited.Headers.RetryAfter is not null);
            Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task WithAnOidcProviderConfigured_SignInRedirectsToItsAuthorizationEndpoint_WithPkce()
    {
        // A stand-in provider on loopback that publishes only its discovery document (no user ever signs in here).
        var idp = WebApplication.CreateBuilder();
        idp.WebHost.UseUrls("http://127.0.0.1:0");
        idp.Logging.ClearProviders();
        await using var provider = idp.Build();
        string? authority = null;
        provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new
        {
            issuer = authority,
            authorization_endpoint = authority + "/authorize",
            token_endpoint = authority + "/token",
            jwks_uri = authority + "/jwks",
            response_types_supported = new[] { "code" },
            subject_types_supported = new[] { "public" },
            id_token_signing_alg_values_supported = new[] { "RS256" },
        }));
        provider.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        await provider.StartAsync();
        authority = provider.Urls.First();

        await using var app = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["CaseGrains:Auth:Oidc:Authority"] = authority,
            ["CaseGrains:Auth:Oidc:ClientId"] = "casegrains-web",
            ["CaseGrains:Auth:Oidc:ClientSecret"] = "secret",
        });
        try
        {
            using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
            using var response = await noRedirect.GetAsync("/api/auth/oidc/login");

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var location = response.Headers.Location!.ToString();
            Assert.StartsWith(authority + "/authorize?", location, StringComparison.Ordinal);
            Assert.Contains("client_id=casegrains-web", location, StringComparison.Ordinal);
            Assert.Contains("code_challenge=", location, StringComparison.Ordinal);
            Assert.Contains("response_type=code", location, StringComparison.Ordinal);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
            await provider.StopAsync();
        }
    }

    [Fact]
    public async Task AnAdmin_CreatesAUserWithRoleAndRegions_WhoCanThenSignIn_AndBadAccountInputIsRefused()
    {
        await using var app = AppHost.Start();
        try
        {
            using var admin = await app.ClientFor(AppHost.Administrator);
            using var created = await admin.PutAsJsonAsync("/api/users/petugas.junrejo", new
            {
                displayName = "Petugas Junrejo", role = "Caseworker", regions = new[] { "35.79.03" }, password = "kata sandi panjang sekali",
            });
            using var shortPassword = await admin.PutAsJsonAsync("/api/users/x.short", new { displayName = "X", role = "Mentor", password = "pendek" });
            using var badRegion = await admin.PutAsJsonAsync("/api/users/x.region", new { displayName = "X", role = "Caseworker", regions = new[] { "99.99" }, password = "kata sandi panjang sekali" });
            using var noRegion = await admin.PutAsJsonAsync("/api/users/x.noregion", new { displayName = "X", role = "Supervisor", password = "kata sandi panjang sekali" });
            using var badId = await admin.PutAsJsonAsync("/api/users/Bad%20Id", new { displayName = "X", role = "Mentor", password = "kata sandi panjang sekali" });
            using var byCaseworker = await app.Client.PutAsJsonAsync("/api/users/sneaky", new { displayName = "X", role = "Admin", password = "kata sandi panjang sekali" });
            var list = await admin.GetFromJsonAsync<JsonElement>("/api/users");
            using var newcomer = await app.ClientFor("petugas.junrejo", "kata sandi panjang sekali");
            var me = await newcomer.GetFromJsonAsync<JsonElement>("/api/me");

            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.DoesNotContain("kata sandi", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("input.out_of_range", (await shortPassword.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.Equal("region.unknown", (await badRegion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.Equal("user.regions_required", (await noRegion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.Equal("user.invalid_id", (await badId.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.Forbidden, byCaseworker.StatusCode);
            Assert.Contains(list.EnumerateArray(), u => u.GetProperty("userId").GetString() == "petugas.junrejo");
            Assert.DoesNotContain(list.EnumerateArray(), u => u.GetProperty("userId").GetString() == "sneaky");
            Assert.Equal("35.79.03", me.GetProperty("regions")[0].GetString());
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task RevealingTheNik_NeedsAPurpose_IsNotCached_AndShowsInTheSupervisorsAccessLog()
    {
        await using var app = AppHost.Start();
        try
        {
            const string nik = "3579016105910031";
            var number = (await app.PostOk("/api/cases", new { commandId = "r1", nik, fullName = "Ani Reveal", regionCode = "35.79.01", segment = "Umkm", consentGiven = true }, HttpStatusCode.Created))
                .GetProperty("caseNumber").GetString();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cases/{number}");
            request.Headers.Add("X-Purpose", "Verifikasi dokumen KUR");
            using var read = await app.Client.SendAsync(request);
            using var noPurpose = await app.Client.PostAsJsonAsync($"/api/cases/{number}/nik/reveal", new { purpose = "" });
            using var revealed = await app.Client.PostAsJsonAsync($"/api/cases/{number}/nik/reveal", new { purpose = "Pencocokan data bank" });
            using var supervisor = await app.ClientFor(AppHost.Supervisor);
            var log = await supervisor.GetFromJsonAsync<JsonElement>($"/api/cases/{number}/access-log");
            using var caseworkerLog = await app.Client.GetAsync($"/api/cases/{number}/access-log");

            Assert.DoesNotContain(nik, await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);
            Assert.Equal(nik, (await revealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nik").GetString());
            Assert.Equal("no-store", revealed.Headers.CacheControl!.ToString());
            Assert.Contains(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "reveal-nik"
                && e.GetProperty("purpose").GetString() == "Pencocokan data bank" && e.GetProperty("userId").GetString() == AppHost.Caseworker);
            Assert.Contains(log.EnumerateArray(), e => e.GetProperty("action").GetString() == "read-case"
                && e.GetProperty("purpose").GetString() == "Verifikasi dokumen KUR");
            Assert.Equal(HttpStatusCode.Forbidden, caseworkerLog.StatusCode);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task TheEmbeddedSilo_OpensNoGateway_SoNoOtherProcessCanCallItsGrains()
    {
        var gatewayPort = 0;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            gatewayPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var app = AppHost.Start(overrides: new Dictionary<string, string>
        {
            ["CaseGrains:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            var refused = await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, gatewayPort));
            Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, refused.SocketErrorCode);
            Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/api/me")).StatusCode);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task XForwardedFor_FromAPeerThatIsNotAListedProxy_IsIgnored_SoTheSignInLimitCannotBeDodged()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Auth:SignInsPerMinute"] = "3" });
        try
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                // A loopback peer that is not a listed proxy claims a new address each time.
                using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
                {
                    Content = JsonContent.Create(new { userId = AppHost.Caseworker, password = "not the password" }),
                };
                login.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
                using var response = await app.Anonymous.SendAsync(login);
                statuses.Add(response.StatusCode);
            }

            // Three sign-ins a minute from this address (the host's own sign-in took one): the claimed addresses change nothing.
            Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 2 && statuses[^1] == HttpStatusCode.TooManyRequests, string.Join(",", statuses));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Code)> SignInFromAsync(AppHost app, string userId, string password, string? forwardedFor)
    {
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { userId, password }) };
        if (forwardedFor is not null)
        {
            login.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await app.Anonymous.SendAsync(login);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode ? null : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task XForwardedFor_RotatedByALoopbackPeer_WithNoProxyListed_StillEndsInTheLockOut()
    {
        await fixture.App.CreateUser("petugas.xff", Domain.Access.Role.Caseworker, "35.79");
        var answers = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            // A process on the host claims a new client address with every wrong password.
            answers.Add((await SignInFromAsync(fixture.App, "petugas.xff", "not the password", $"203.0.113.{i + 1}")).Code);
        }

        var right = await SignInFromAsync(fixture.App, "petugas.xff", AppHost.Password, "198.51.100.1");

        // Five wrong passwords from the one real address (127.0.0.1) lock it out, whatever addresses it claimed.
        Assert.Equal(["auth.invalid_credentials", "auth.invalid_credentials", "auth.invalid_credentials", "auth.invalid_credentials", "auth.locked_out", "auth.locked_out"], answers);
        Assert.Equal((HttpStatusCode.Locked, "auth.locked_out"), right);
    }

    [Fact]
    public async Task XForwardedFor_FromAListedProxy_IsTheClientAddress_ThatTheLockOutCounts_AnIPv6ClientByItsSlash64()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Web:KnownProxies:0"] = "127.0.0.1" });
        try
        {
            await app.CreateUser("petugas.proksi", Domain.Access.Role.Caseworker, "35.79");
            // Clients behind the proxy, each with its own address: none of them reaches five.
            var rotated = new List<HttpStatusCode>();
            for (var i = 0; i < 8; i++)
            {
                rotated.Add((await SignInFromAsync(app, "petugas.proksi", "not the password", $"203.0.113.{i + 1}")).Status);
            }

            // One client behind the proxy: locked out after five, while another client of the same proxy signs in.
            var one = new List<string?>();
            for (var i = 0; i < 5; i++)
            {
                one.Add((await SignInFromAsync(app, "petugas.proksi", "not the password", "198.51.100.7")).Code);
            }

            var lockedClient = await SignInFromAsync(app, "petugas.proksi", AppHost.Password, "198.51.100.7");
            var otherClient = await SignInFromAsync(app, "petugas.proksi", AppHost.Password, "198.51.100.8");

            // An IPv6 client holds a whole /64: rotating within it is still one client.
            var ipv6 = new List<string?>();
            for (var i = 0; i < 5; i++)
            {
                ipv6.Add((await SignInFromAsync(app, "petugas.proksi", "not the password", $"2001:db8:1:2::{i + 1:x}")).Code);
            }

            var sameNetwork = await SignInFromAsync(app, "petugas.proksi", AppHost.Password, "2001:db8:1:2:ffff::9");
            var nextNetwork = await SignInFromAsync(app, "petugas.proksi", AppHost.Password, "2001:db8:1:3::1");

            Assert.All(rotated, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
            Assert.Equal("auth.locked_out", one[^1]);
            Assert.Equal((HttpStatusCode.Locked, "auth.locked_out"), lockedClient);
            Assert.Equal(HttpStatusCode.OK, otherClient.Status);
            Assert.Equal("auth.locked_out", ipv6[^1]);
            Assert.Equal((HttpStatusCode.Locked, "auth.locked_out"), sameNetwork);
            Assert.Equal(HttpStatusCode.OK, nextNetwork.Status);
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    public async Task BehindAKnownTlsProxy_TheSessionCookieIsSecure_AndHstsIsSent()
    {
        await using var app = AppHost.Start(overrides: new Dictionary<string, string> { ["CaseGrains:Web:KnownProxies:0"] = "127.0.0.1" });
        try
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
            {
                Content = JsonContent.Create(new { userId = AppHost.Caseworker, password = AppHost.Password }),
            };
            login.Headers.Add("X-Forwarded-Proto", "https");
            using var response = await app.Anonymous.SendAsync(login);

            var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("casegrains.session=", StringComparison.Ordinal));
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheDataFolder_IsOnlyForTheServiceUser()
    {
        await using var app = AppHost.Start();
        try
        {
            // The database, its WAL files, the key ring and the key files are all inside.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(app.DataDirectory));
            Assert.True(File.Exists(Path.Combine(app.DataDirectory, "casegrains.db")));
        }
        finally
        {
            AppHost.DeleteData(app.DataDirectory);
        }
    }

    /// <summary>Keeps every formatted log line and exception text, from every category, at every level.</summary>
    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(CollectingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                owner.Messages.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception} {state}");
        }
    }
}
