using System.Security.Claims;
using System.Threading.RateLimiting;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.WebFrontend.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CaseGrains.WebFrontend.Auth;

/// <summary>Policy names. Every endpoint names one (or allows anonymous access explicitly); a test enforces it.</summary>
public static class Policies
{
    /// <summary>Any signed-in, enabled account.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Roles that work on individual cases (the grains then check the case itself).</summary>
    public const string CaseWork = "case-work";

    /// <summary>A hexa-helix partner's users: their queue and their answers (the grains check the organisation and the consent).</summary>
    public const string Partner = "partner";

    /// <summary>Who connects to the live case hub: the case-work roles and partners' users (each push and call is checked on the case).</summary>
    public const string Live = "live";

    /// <summary>Roles that open cases.</summary>
    public const string Intake = "intake";

    public const string Admin = "admin";

    /// <summary>Who sets mentor profiles: supervisors and admins.</summary>
    public const string MentorAdmin = "mentor-admin";

    /// <summary>The data protection officer's pages: the access log across cases and the record of processing activities.</summary>
    public const string Privacy = "privacy";

    /// <summary>Who may erase a person's data in a case: supervisors (their regions) and the data protection officer.</summary>
    public const string Erasure = "erasure";

    /// <summary>Rate-limit policy for sign-in endpoints.</summary>
    public const string SignInRate = "sign-in";
}

public static class AuthSetup
{
    public const string SmartScheme = "cookie-or-bearer";
    public const string CookieName = "casegrains.session";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static void AddCaseGrainsAuth(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(AuthSettings.Section).Get<AuthSettings>() ?? new AuthSettings();
        var invalid = new AuthSettingsValidator().Validate(null, settings);
        if (invalid.Failed)
        {
            throw new OptionsValidationException(AuthSettings.Section, typeof(AuthSettings), invalid.Failures);
        }

        if (builder.Configuration[$"{CaseGrainsOptions.Section}:Mode"] == Modes.Cluster && string.IsNullOrWhiteSpace(settings.JwtSigningKey))
        {
            // Every frontend of a cluster must accept the tokens any other issued: no per-machine key file.
            throw new OptionsValidationException(AuthSettings.Section, typeof(AuthSettings),
                [$"{AuthSettings.Section}:JwtSigningKey must be set in {Modes.Cluster} mode (base64 of at least 32 bytes, the same on every frontend)."]);
        }

        var dataDirectory = builder.Configuration[$"{CaseGrainsOptions.Section}:DataDirectory"] ?? "data";
        var signingKey = new SymmetricSecurityKey(settings.ResolveSigningKey(dataDirectory));
        builder.Services.AddOptions<AuthSettings>().Bind(builder.Configuration.GetSection(AuthSettings.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthSettings>, AuthSettingsValidator>();
        builder.Services.AddSingleton(new TokenIssuer(signingKey, settings));
        builder.Services.AddSingleton<CurrentActor>();

        var auth = builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (ctx.Request.Path.StartsWithSegments("/hubs") && ctx.Request.Query.ContainsKey("access_token"))
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request is HTTPS: directly, or behind a proxy listed in CaseGrains:Web:KnownProxies.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromMinutes(settings.CookieLifetimeMinutes);
                o.SlidingExpiration = true;
                // An API answers 401/403 problems, never a redirect to a login page.
                o.Events.OnRedirectToLogin = ctx => WriteProblemAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => WriteProblemAsync(ctx.HttpContext, StatusCodes.Status403Forbidden);
            })
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = signingKey,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = CurrentActor.UserIdClaim,
                };
                o.Events = new JwtBearerEvents
                {
                    // WebSockets cannot carry an Authorization header: SignalR clients send the token in the query.
                    OnMessageReceived = ctx =>
                    {
                        if (ctx.HttpContext.Request.Path.StartsWithSegments("/hubs") && ctx.Request.Query["access_token"] is { Count: > 0 } token)
                        {
                            ctx.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                    OnChallenge = async ctx =>
                    {
                        ctx.HandleResponse();
                        await WriteProblemAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized,
                            ctx.AuthenticateFailure is SecurityTokenExpiredException ? "auth.token_expired" : null);
                    },
                    OnForbidden = ctx => WriteProblemAsync(ctx.HttpContext, StatusCodes.Status403Forbidden),
                };
            });

        if (settings.Oidc.Enabled)
        {
            auth.AddOpenIdConnect(o =>
            {
                o.Authority = settings.Oidc.Authority;
                o.RequireHttpsMetadata = !settings.Oidc.IsLoopbackHttp;
                o.ClientId = settings.Oidc.ClientId;
                o.ClientSecret = settings.Oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.CallbackPath = "/api/auth/oidc/callback";
                o.MapInboundClaims = false;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                o.Events.OnTokenValidated = async ctx =>
                {
                    // The provider proves who the person is; the programme's own account says what they may do.
                    var subject = ctx.Principal?.FindFirstValue(settings.Oidc.SubjectClaim);
                    var grains = ctx.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
                    var userId = subject is null ? null : await grains.GetGrain<IUserDirectoryGrain>(0).FindByExternalSubject(subject);
                    var result = userId is null ? null : await grains.GetGrain<IUserGrain>(userId).SignInExternal();
                    if (result is not { Status: SignInStatus.Succeeded, Actor: { } actor })
                    {
                        ctx.Fail("No enabled CaseGrains account is linked to this identity.");
                        return;
                    }

                    ctx.Principal = CurrentActor.CookiePrincipal(actor, result.SessionVersion, DateTimeOffset.UtcNow, OpenIdConnectDefaults.AuthenticationScheme);
                };
                // A provider identity with no linked account is a 401 problem, not an exception.
                o.Events.OnRemoteFailure = async ctx =>
                {
                    ctx.HandleResponse();
                    await WriteProblemAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "auth.external_identity_not_linked");
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.CaseWork, p => p.RequireRole(nameof(Role.Caseworker), nameof(Role.Supervisor), nameof(Role.Mentor)))
            .AddPolicy(Policies.Partner, p => p.RequireRole(nameof(Role.Partner)))
            .AddPolicy(Policies.Live, p => p.RequireRole(nameof(Role.Caseworker), nameof(Role.Supervisor), nameof(Role.Mentor), nameof(Role.Partner)))
            .AddPolicy(Policies.Intake, p => p.RequireRole(nameof(Role.Caseworker), nameof(Role.Supervisor)))
            .AddPolicy(Policies.Admin, p => p.RequireRole(nameof(Role.Admin)))
            .AddPolicy(Policies.Privacy, p => p.RequireRole(nameof(Role.DataProtectionOfficer)))
            .AddPolicy(Policies.Erasure, p => p.RequireRole(nameof(Role.Supervisor), nameof(Role.DataProtectionOfficer)))
            .AddPolicy(Policies.MentorAdmin, p => p.RequireRole(nameof(Role.Admin), nameof(Role.Supervisor)));

        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "casegrains.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                var key = ctx.User.FindFirstValue(CurrentActor.UserIdClaim) is { } user ? "u:" + user : "ip:" + ClientAddress.Key(ctx);
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.RequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            o.AddPolicy(Policies.SignInRate, ctx => RateLimitPartition.GetFixedWindowLimiter("ip:" + ClientAddress.Key(ctx),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await WriteProblemAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests);
            };
        });
    }

    /// <summary>
    /// First in the pipeline, before the exception handler: the client address and scheme from a listed proxy, then the
    /// security headers on every response — the static files of the web UI (served before authentication), 404s, and
    /// the problems the exception handler writes included.
    /// </summary>
    public static void UseCaseGrainsHeaders(this WebApplication app)
    {
        // Behind a TLS-terminating proxy: trust its X-Forwarded-For/-Proto only when it is listed (an address, or a whole
        // network (CIDR) for proxies without a fixed address such as a Kubernetes ingress controller's pods).
        var proxies = app.Configuration.GetSection("CaseGrains:Web:KnownProxies").Get<string[]>() ?? [];
        var networks = app.Configuration.GetSection("CaseGrains:Web:KnownNetworks").Get<string[]>() ?? [];
        if (proxies.Length > 0 || networks.Length > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // Only the listed ones: ASP.NET Core also trusts loopback out of the box, so any process on the host could
            // claim an address per request and dodge the per-address sign-in limit. With no list at all the middleware
            // would trust every peer, so without a configured proxy it is not used.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // The obsolete list is still consulted and holds 127.0.0.0/8 as well.
#pragma warning disable ASPDEPR005
            forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in proxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in networks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            app.UseForwardedHeaders(forwarded);
        }
        app.Use((ctx, next) =>
        {
            // Set as the answer starts, not now: the exception handler clears the headers before it writes its problem
            // (an unreadable body, an outage), and that answer needs them as much as any other.
            ctx.Response.OnStarting(static state =>
            {
                var ctx = (HttpContext)state;
                var headers = ctx.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // The API's answers hold personal data: never kept by the browser's HTTP cache (which sign-out cannot
                // clear, and which outlives the session on a shared phone) or by a proxy. The mentor's page keeps what
                // it needs offline in IndexedDB, cleared at sign-out (docs/offline.md).
                if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(headers.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }

                if (ctx.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                }

                return Task.CompletedTask;
            }, ctx);
            return next(ctx);
        });
    }

    /// <summary>
    /// The page's policy: everything from this origin only (the built UI has no inline script or style, and its service
    /// worker, chunks, icons, API and hubs are all same-origin), never framed, no plugins, no other base or form target.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>
    /// After the static files: authentication, then the actor from the account (401 when it is gone or disabled) and,
    /// for cookie-authenticated writes, the antiforgery token.
    /// </summary>
    public static void UseCaseGrainsAuth(this WebApplication app)
    {
        app.UseAuthentication();
        // Only a frontend that is a client of separate silos has one (Program.cs).
        var accounts = app.Services.GetService<AccountCache>();
        app.Use(async (ctx, next) =>
        {
            if (!await CurrentActor.ResolveAsync(ctx, ctx.RequestServices.GetRequiredService<IGrainFactory>(), accounts))
            {
                var fromCookie = ctx.User.Identity?.AuthenticationType is CookieAuthenticationDefaults.AuthenticationScheme or OpenIdConnectDefaults.AuthenticationScheme;
                if (fromCookie)
                {
                    // A cookie whose session ended (signed out elsewhere, new password, disabled, too old) is removed, so
                    // the browser stops sending it; and signing in again on the same page works at once.
                    await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }

                if (!fromCookie || ctx.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
                {
                    await WriteProblemAsync(ctx, StatusCodes.Status401Unauthorized, "auth.account_unavailable");
                    return;
                }

                ctx.User = new ClaimsPrincipal(new ClaimsIdentity());
            }

            var cookieAuthenticated = ctx.User.Identity is { IsAuthenticated: true, AuthenticationType: var type }
                && type is CookieAuthenticationDefaults.AuthenticationScheme or OpenIdConnectDefaults.AuthenticationScheme;
            // The hub's negotiate POST changes nothing (and the SameSite=Strict cookie already keeps other sites out).
            if (cookieAuthenticated && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)
                && !HttpMethods.IsOptions(ctx.Request.Method) && !ctx.Request.Path.StartsWithSegments("/hubs"))
            {
                try
                {
                    await ctx.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(ctx);
                }
                catch (AntiforgeryValidationException)
                {
                    await WriteProblemAsync(ctx, StatusCodes.Status400BadRequest, "auth.antiforgery_failed");
                    return;
                }
            }

            // Every log entry of the request names the account (never its name or anything personal).
            using var fields = ctx.User.FindFirstValue(CurrentActor.UserIdClaim) is { } userId
                ? app.Logger.BeginFields(new KeyValuePair<string, object?>("UserId", userId))
                : null;
            await next();
        });
        app.UseRateLimiter();
        app.UseAuthorization();
    }

    internal static async Task WriteProblemAsync(HttpContext ctx, int status, string? code = null)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        var (defaultCode, id, en) = HttpProblems.Describe(status);
        code ??= defaultCode;
        (id, en) = code switch
        {
            "auth.token_expired" => ("Token sudah kedaluwarsa; masuk lagi.", "The token has expired; sign in again."),
            "auth.account_unavailable" => ("Akun tidak ada atau dinonaktifkan.", "The account does not exist or is disabled."),
            "auth.antiforgery_failed" => ("Token antiforgery tidak ada atau tidak valid.", "The antiforgery token is missing or invalid."),
            "auth.external_identity_not_linked" => ("Identitas ini tidak tertaut ke akun aktif.", "This identity is not linked to an enabled account."),
            _ => (id, en),
        };
        ctx.Response.StatusCode = status;
        await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx,
            ProblemDetails =
            {
                Status = status,
                Type = ProblemResults.TypePrefix + code,
                Title = ProblemResults.PrefersEnglish(ctx) ? en : id,
                Extensions = { ["code"] = code },
            },
        });
    }
}
