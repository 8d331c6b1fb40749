using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using CaseGrains.Domain.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Sign-in flows: tokens, cookies with antiforgery, wrong passwords, lock-out, expiry, disabled accounts.</summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class SignInTests(AppFixture fx)
{
    private AppHost App => fx.App;

    [Fact]
    public async Task Token_ForTheRightPassword_AuthenticatesTheApi_AndMeShowsTheAccountsRoleAndRegions()
    {
        using var client = await App.ClientFor(AppHost.Supervisor);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(AppHost.Supervisor, me.GetProperty("id").GetString());
        Assert.Equal("Supervisor", me.GetProperty("role").GetString());
        Assert.Equal("35.79", me.GetProperty("regions")[0].GetString());
    }

    [Theory]
    [InlineData("petugas", "wrong password!")]
    [InlineData("no-such-user", "correct horse battery staple")]
    [InlineData("BAD ID", "x")]
    [InlineData("", "")]
    public async Task WrongCredentials_Are401_WithTheSameAnswerWhetherOrNotTheAccountExists(string userId, string password)
    {
        using var response = await App.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId, password });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.invalid_credentials", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenForTheRightPassword()
    {
        await App.CreateUser("lockme", Role.Caseworker, "35.79");
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await App.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId = "lockme", password = "nope nope nope" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var fifth = await App.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId = "lockme", password = "nope nope nope" });
        using var right = await App.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId = "lockme", password = AppHost.Password });

        Assert.Equal((HttpStatusCode)423, fifth.StatusCode);
        Assert.Equal((HttpStatusCode)423, right.StatusCode);
        var problem = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("auth.locked_out", problem.GetProperty("code").GetString());
        Assert.True(DateTimeOffset.Parse(problem.GetProperty("lockedUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task AnUnknownId_GetsExactlyTheSameAnswers_AsAKnownOne_ThroughTheLockOut()
    {
        await App.CreateUser("known.one", Role.Caseworker, "35.79");
        async Task<List<string>> Answers(string id)
        {
            var codes = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                using var r = await App.Anonymous.PostAsJsonAsync("/api/auth/token", new { userId = id, password = "nope nope nope" });
                codes.Add($"{(int)r.StatusCode} {(await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()}");
            }

            return codes;
        }

        Assert.Equal(await Answers("known.one"), await Answers("unknown.one"));
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("wrong-audience")]
    [InlineData("wrong-issuer")]
    [InlineData("no-session")]
    public async Task ATokenNotIssuedByThisServer_Is401(string flaw)
    {
        var key = flaw == "wrong-key" ? Convert.FromBase64String("b3RoZXIta2V5LW9mLTMyLWJ5dGVzLWZvci1zaWduaW5nISE=") : Convert.FromBase64String(AppHost.SigningKey);
        var claims = new List<Claim> { new("sub", AppHost.Caseworker) };
        if (flaw != "no-session")
        {
            claims.Add(new Claim("sv", "0"));
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = flaw == "wrong-issuer" ? "someone-else" : "casegrains",
            Audience = flaw == "wrong-audience" ? "other-api" : "casegrains-api",
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new("Bearer", token);

        using var response = await App.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ANewPassword_EndsTheOldTokenAtOnce()
    {
        await App.CreateUser("rotates", Role.Caseworker, "35.79");
        using var client = await App.ClientFor("rotates");
        using var admin = await App.ClientFor(AppHost.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);

        using var reset = await admin.PutAsJsonAsync("/api/users/rotates", new { password = "a brand new long password" });
        using var after = await client.GetAsync("/api/me");

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task AnExpiredToken_Is401_TokenExpired()
    {
        var handler = new JsonWebTokenHandler();
        var expired = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "casegrains",
            Audience = "casegrains-api",
            Subject = new ClaimsIdentity([new Claim("sub", AppHost.Caseworker), new Claim("sv", "0")]),
            NotBefore = DateTime.UtcNow.AddHours(-3),
            IssuedAt = DateTime.UtcNow.AddHours(-3),
            Expires = DateTime.UtcNow.AddHours(-2),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(AppHost.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        request.Headers.Authorization = new("Bearer", expired);

        using var response = await App.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.token_expired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("Bearer not.a.token")]
    [InlineData("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJwZXR1Z2FzIn0.")]
    public async Task AForgedOrUnsignedToken_Is401(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await App.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task NoCredentials_Is401Problem_NeverARedirect()
    {
        using var response = await App.Anonymous.GetAsync("/api/cases");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task DisablingAnAccount_StopsItsExistingTokenAtOnce()
    {
        await App.CreateUser("leaver", Role.Caseworker, "35.79");
        using var client = await App.ClientFor("leaver");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/cases")).StatusCode);

        using var admin = await App.ClientFor(AppHost.Administrator);
        using var disable = await admin.PutAsJsonAsync("/api/users/leaver", new { disabled = true });
        using var after = await client.GetAsync("/api/cases");

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("auth.account_unavailable", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task CookieSignIn_IsHttpOnlyAndStrict_AndWritesNeedTheAntiforgeryToken()
    {
        // Its own account: signing out ends every session of the account, and the other tests share the caseworker's.
        await App.CreateUser("cookie.user", Role.Caseworker, "35.79");
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies };
        using var browser = new HttpClient(handler) { BaseAddress = App.BaseAddress };

        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userId = "cookie.user", password = AppHost.Password });
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        var setCookie = string.Join("\n", login.Headers.GetValues("Set-Cookie"));
        using var read = await browser.GetAsync("/api/cases");
        var intake = new { commandId = Guid.NewGuid().ToString(), nik = fx.NextNik(), fullName = "Lewat Cookie", regionCode = "35.79.01", segment = "Umkm", consentGiven = true };
        using var withoutToken = await browser.PostAsJsonAsync("/api/cases", intake);
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(intake) };
        withToken.Headers.Add(body.GetProperty("antiforgeryHeader").GetString()!, body.GetProperty("antiforgeryToken").GetString());
        using var accepted = await browser.SendAsync(withToken);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Add(body.GetProperty("antiforgeryHeader").GetString()!, body.GetProperty("antiforgeryToken").GetString());
        var sessionCookie = cookies.GetCookies(App.BaseAddress)["casegrains.session"]!.Value;
        using var loggedOut = await browser.SendAsync(logout);
        using var afterLogout = await browser.GetAsync("/api/cases");
        // A copy of the old cookie, replayed by someone else, is refused by the server too.
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/api/cases");
        replay.Headers.Add("Cookie", $"casegrains.session={sessionCookie}");
        using var replayed = await App.Anonymous.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("casegrains.session=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal("auth.antiforgery_failed", (await withoutToken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task EveryResponse_CarriesTheSecurityHeaders_AndErrorsCarryNoStackTrace()
    {
        using var ok = await App.Client.GetAsync("/api/regions");
        using var error = await App.Client.GetAsync("/api/cases/3579-000000x");

        foreach (var response in new[] { ok, error })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OidcLogin_WhenNoProviderIsConfigured_IsAClear404Problem()
    {
        using var response = await App.Anonymous.GetAsync("/api/auth/oidc/login");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("auth.oidc_not_configured", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
