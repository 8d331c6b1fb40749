using System.Security.Claims;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;

namespace CaseGrains.WebFrontend.Auth;

/// <summary>
/// The one place that says who is calling. The signed-in identity (cookie, bearer token or OpenID Connect) names a
/// user id; the account grain gives the current role and regions on every request, so disabling an account or
/// changing its regions takes effect at once, whatever token the client still holds.
/// </summary>
public sealed class CurrentActor
{
    private const string ItemKey = "casegrains.actor";

    public const string UserIdClaim = "sub";

    /// <summary>The account's session version when the cookie or token was issued; a later sign-out or password change ends it.</summary>
    public const string SessionClaim = "sv";

    /// <summary>When the cookie session began (unix seconds); sessions end after <see cref="AbsoluteSessionLifetime"/> whatever the sliding renewals.</summary>
    public const string SessionStartClaim = "ss";

    public static readonly TimeSpan AbsoluteSessionLifetime = TimeSpan.FromHours(12);

    /// <summary>The actor resolved for this request. Only endpoints that require authorization ask for it.</summary>
    public Actor For(HttpContext context) =>
        context.Items[ItemKey] as Actor ?? throw new InvalidOperationException("No authenticated actor on this request.");

    /// <summary>
    /// Resolves the actor after authentication; false when the account is gone or disabled. With a
    /// <paramref name="cache"/> (a frontend that is a client of separate silos), from its leased copy when it has one.
    /// </summary>
    public static async Task<bool> ResolveAsync(HttpContext context, IGrainFactory grains, AccountCache? cache = null)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        var actor = await LookupAsync(context.User, grains, cache);
        if (actor is null)
        {
            return false;
        }

        var session = context.User.FindFirstValue(SessionClaim)!;
        // The address the request came from (forwarded headers are honoured from known proxies only), for the access log.
        context.Items[ItemKey] = actor with { Origin = context.Connection.RemoteIpAddress?.ToString() };
        // Roles for endpoint policies come from the account, not from what the token said at issue time.
        // The session's start goes along: a hub connection keeps this principal, and its calls and pushes check the
        // session's lifetime with it as every request does.
        Claim[] started = context.User.FindFirst(SessionStartClaim) is { } start ? [new Claim(SessionStartClaim, start.Value)] : [];
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(UserIdClaim, actor.Id), new Claim(SessionClaim, session), new Claim(ClaimTypes.Role, actor.Role.ToString()), .. started],
            context.User.Identity.AuthenticationType, UserIdClaim, ClaimTypes.Role));
        return true;
    }

    /// <summary>
    /// The account behind a signed-in principal as it is now, or null when the principal names no user, its session
    /// was ended (sign-out, new password, disable) or it is older than <see cref="AbsoluteSessionLifetime"/>.
    /// Used for every HTTP request and every hub call.
    /// </summary>
    public static async Task<Actor?> LookupAsync(ClaimsPrincipal? user, IGrainFactory grains, AccountCache? cache = null)
    {
        var userId = user?.FindFirstValue(UserIdClaim);
        if (userId is null || !int.TryParse(user!.FindFirstValue(SessionClaim), out var session) || IsPastLifetime(user))
        {
            return null;
        }

        return cache is null ? await grains.GetGrain<IUserGrain>(userId).GetActor(session) : await cache.GetActorAsync(userId, session);
    }

    /// <summary>True when the principal's session began more than <see cref="AbsoluteSessionLifetime"/> ago.</summary>
    public static bool IsPastLifetime(ClaimsPrincipal? user) =>
        long.TryParse(user?.FindFirstValue(SessionStartClaim), out var s) && DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(s) > AbsoluteSessionLifetime;

    /// <summary>The principal a cookie sign-in stores: user, session version, session start.</summary>
    public static ClaimsPrincipal CookiePrincipal(Actor actor, int sessionVersion, DateTimeOffset now, string scheme) =>
        new(new ClaimsIdentity(
            [new Claim(UserIdClaim, actor.Id), new Claim(SessionClaim, sessionVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             new Claim(SessionStartClaim, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))],
            scheme, UserIdClaim, ClaimTypes.Role));
}
