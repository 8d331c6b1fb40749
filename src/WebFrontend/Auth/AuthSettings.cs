using Microsoft.Extensions.Options;

namespace CaseGrains.WebFrontend.Auth;

/// <summary>Settings under <c>CaseGrains:Auth</c>.</summary>
public sealed class AuthSettings
{
    public const string Section = "CaseGrains:Auth";

    /// <summary>
    /// <c>CaseGrains:Auth:JwtSigningKey</c>: base64 HMAC-SHA256 key (≥ 32 bytes) for bearer tokens. When empty, a random
    /// key is generated once into <c>&lt;DataDirectory&gt;/jwt-signing.key</c>. Every frontend of a cluster needs the same key.
    /// </summary>
    public string? JwtSigningKey { get; set; }

    public string Issuer { get; set; } = "casegrains";

    public string Audience { get; set; } = "casegrains-api";

    /// <summary><c>CaseGrains:Auth:TokenLifetimeMinutes</c>: bearer token lifetime (default 60).</summary>
    public int TokenLifetimeMinutes { get; set; } = 60;

    /// <summary><c>CaseGrains:Auth:CookieLifetimeMinutes</c>: sliding cookie session lifetime (default 480).</summary>
    public int CookieLifetimeMinutes { get; set; } = 480;

    /// <summary><c>CaseGrains:Auth:Oidc:*</c>: an external OpenID Connect provider, used when Authority is set.</summary>
    public OidcSettings Oidc { get; set; } = new();

    /// <summary><c>CaseGrains:Auth:RequestsPerMinute</c>: per-user (or per-address when anonymous) API rate (default 600).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary><c>CaseGrains:Auth:SignInsPerMinute</c>: sign-in attempts per address per minute (default 20).</summary>
    public int SignInsPerMinute { get; set; } = 20;

    public sealed class OidcSettings
    {
        public string? Authority { get; set; }

        public string? ClientId { get; set; }

        public string? ClientSecret { get; set; }

        /// <summary>The claim that carries the person's subject at the provider (matched to an account's external subject).</summary>
        public string SubjectClaim { get; set; } = "sub";

        public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

        /// <summary>Plain HTTP is accepted only for a provider on this machine (development, tests).</summary>
        public bool IsLoopbackHttp => Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;
    }

    /// <summary>The signing key bytes: configured, or generated once beside the database.</summary>
    public byte[] ResolveSigningKey(string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(JwtSigningKey))
        {
            return Convert.FromBase64String(JwtSigningKey);
        }

        return Grains.Identity.KeyFiles.LoadOrCreate(Path.Combine(Path.GetFullPath(dataDirectory), "jwt-signing.key"), $"{Section}:JwtSigningKey");
    }
}

public sealed class AuthSettingsValidator : IValidateOptions<AuthSettings>
{
    public ValidateOptionsResult Validate(string? name, AuthSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = AuthSettings.Section;
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.JwtSigningKey)
            && Grains.Hosting.CaseGrainsOptionsValidator.NikKeyBytes(options.JwtSigningKey) is not { Length: >= 32 })
        {
            errors.Add($"{s}:JwtSigningKey must be base64 of at least 32 bytes.");
        }

        if (options.TokenLifetimeMinutes is < 1 or > 1440)
        {
            errors.Add($"{s}:TokenLifetimeMinutes must be 1..1440.");
        }

        if (options.CookieLifetimeMinutes is < 1 or > 10080)
        {
            errors.Add($"{s}:CookieLifetimeMinutes must be 1..10080.");
        }

        if (options.RequestsPerMinute < 1 || options.SignInsPerMinute < 1)
        {
            errors.Add($"{s}:RequestsPerMinute and {s}:SignInsPerMinute must be at least 1.");
        }

        if (options.Oidc.Enabled && (string.IsNullOrWhiteSpace(options.Oidc.ClientId) || !Uri.TryCreate(options.Oidc.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && !options.Oidc.IsLoopbackHttp)))
        {
            errors.Add($"{s}:Oidc:ClientId is required and {s}:Oidc:Authority must be an https URL (http only on loopback) when OpenID Connect is enabled.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
