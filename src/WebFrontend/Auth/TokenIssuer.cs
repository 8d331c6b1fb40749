using System.Security.Claims;
using CaseGrains.Grains.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CaseGrains.WebFrontend.Auth;

/// <summary>Issues bearer tokens (JWT, HMAC-SHA256) naming the user; role and regions are read from the account per request.</summary>
public sealed class TokenIssuer(SymmetricSecurityKey key, AuthSettings settings)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTimeOffset ExpiresAt) Issue(Actor actor, int sessionVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var expires = now.AddMinutes(settings.TokenLifetimeMinutes);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity([new Claim(CurrentActor.UserIdClaim, actor.Id), new Claim("role", actor.Role.ToString()),
                new Claim(CurrentActor.SessionClaim, sessionVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
