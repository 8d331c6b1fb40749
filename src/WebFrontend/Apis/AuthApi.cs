using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Credentials for a local account.</summary>
public sealed record SignInRequest(string? UserId, string? Password)
{
    public override string ToString() => $"SignInRequest {{ UserId = {UserId} }}";
}

/// <summary>Sign-in (cookie for the web UI, bearer token for API and SignalR clients), sign-out, who am I.</summary>
public static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sign-in");
        auth.MapPost("/token", Token).AllowAnonymous().RequireRateLimiting(Policies.SignInRate)
            .WithName("IssueToken").WithSummary("Exchange a user id and password for a bearer token.");
        auth.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(Policies.SignInRate)
            .WithName("Login").WithSummary("Sign in with a cookie (web UI); answers the antiforgery token to send on writes.");
        auth.MapPost("/logout", async (HttpContext http, CurrentActor actor, IGrainFactory grains) =>
        {
            // Ends every session of the account on the server (a copied cookie or token stops working too).
            await grains.GetGrain<IUserGrain>(actor.For(http).Id).EndSessions();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).RequireAuthorization(Policies.SignedIn).WithName("Logout").WithSummary("Sign out everywhere.").Produces(StatusCodes.Status204NoContent);
        auth.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
            Results.Ok(new { token = antiforgery.GetAndStoreTokens(http).RequestToken, headerName = AuthSetup.AntiforgeryHeader }))
            .RequireAuthorization(Policies.SignedIn).WithName("GetAntiforgeryToken");
        auth.MapGet("/oidc/login", (IOptions<AuthSettings> settings) => settings.Value.Oidc.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [OpenIdConnectDefaults.AuthenticationScheme])
                : Results.Problem(statusCode: 404, title: "OpenID Connect is not configured.", extensions: new Dictionary<string, object?> { ["code"] = "auth.oidc_not_configured" }))
            .AllowAnonymous().WithName("OidcLogin").WithSummary("Sign in through the configured OpenID Connect provider.");
        app.MapGet("/api/me", (HttpContext http, CurrentActor actor) => Results.Ok(actor.For(http)))
            .RequireAuthorization(Policies.SignedIn).WithTags("Sign-in").WithName("Me");
    }

    private static async Task<IResult> Token(HttpContext http, SignInRequest body, IGrainFactory grains, TokenIssuer issuer, TimeProvider clock)
    {
        var result = await SignInAsync(http, grains, body);
        if (result.Status != SignInStatus.Succeeded)
        {
            return Failed(http, result);
        }

        var (token, expires) = issuer.Issue(result.Actor!, result.SessionVersion, clock.GetUtcNow());
        return Results.Ok(new { accessToken = token, tokenType = "Bearer", expiresAt = expires, userId = result.Actor!.Id, role = result.Actor.Role });
    }

    private static async Task<IResult> Login(HttpContext http, SignInRequest body, IGrainFactory grains, IAntiforgery antiforgery, TimeProvider clock)
    {
        var result = await SignInAsync(http, grains, body);
        if (result.Status != SignInStatus.Succeeded)
        {
            return Failed(http, result);
        }

        var principal = CurrentActor.CookiePrincipal(result.Actor!, result.SessionVersion, clock.GetUtcNow(), CookieAuthenticationDefaults.AuthenticationScheme);
        // Persistent (within the sliding cookie lifetime and the session's absolute limit): a mentor who closes the
        // browser in the field finds the session, and the actions waiting in the page's outbox, when it opens again
        // (docs/offline.md). Signing out ends it, on the server as well.
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, new AuthenticationProperties { IsPersistent = true });
        http.User = principal;
        var tokens = antiforgery.GetAndStoreTokens(http);
        return Results.Ok(new { userId = result.Actor!.Id, role = result.Actor.Role, antiforgeryToken = tokens.RequestToken, antiforgeryHeader = AuthSetup.AntiforgeryHeader });
    }

    // Every well-formed id goes to its grain, existing or not, so both answer alike (and lock alike per address).
    private static Task<SignInResult> SignInAsync(HttpContext http, IGrainFactory grains, SignInRequest body) =>
        UserIds.IsValid(body.UserId?.Trim().ToLowerInvariant()) && body.Password is not null
            ? grains.GetGrain<IUserGrain>(body.UserId!.Trim().ToLowerInvariant()).SignIn(body.Password, ClientAddress.Key(http))
            : Task.FromResult(new SignInResult(SignInStatus.InvalidCredentials, null, null));

    private static IResult Failed(HttpContext http, SignInResult result) => result.Status switch
    {
        SignInStatus.LockedOut => ProblemResults.From(http, new RefusalInfo("auth.locked_out",
            "Akun dikunci sementara karena terlalu banyak percobaan gagal.", "The account is locked for a while after too many failed attempts.",
            null, new Dictionary<string, string> { ["lockedUntil"] = result.LockedUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "" })),
        _ => ProblemResults.From(http, new RefusalInfo("auth.invalid_credentials",
            "ID pengguna atau kata sandi salah.", "Wrong user id or password.", null, new Dictionary<string, string>())),
    };
}
