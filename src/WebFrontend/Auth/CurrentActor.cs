using System.Security.Claims;
using CaseGrains.Grains.Abstractions;

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

    /// <summary>The actor resolved for this request. Only endpoints that require authorization ask for it.</summary>
    public Actor For(HttpContext context) =>
        context.Items[ItemKey] as Actor ?? throw new InvalidOperationException("No authenticated actor on this request.");

    /// <summary>Resolves the actor after authentication; false when the account is gone or disabled.</summary>
    public static async Task<bool> ResolveAsync(HttpContext context, IGrainFactory grains)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        var userId = context.User.FindFirstValue(UserIdClaim);
        var actor = userId is null ? null : await grains.GetGrain<IUserGrain>(userId).GetActor();
        if (actor is null)
        {
            return false;
        }

        context.Items[ItemKey] = actor;
        // Roles for endpoint policies come from the account, not from what the token said at issue time.
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(UserIdClaim, actor.Id), new Claim(ClaimTypes.Role, actor.Role.ToString())],
            context.User.Identity.AuthenticationType, UserIdClaim, ClaimTypes.Role));
        return true;
    }
}
