using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CaseGrains.WebFrontend.Web;

/// <summary>
/// The OpenAPI document says the contract as it is: each operation's real success code, its error responses as
/// problem+json with the codes they carry, and how a caller signs in (the session cookie with its antiforgery header for
/// writes, or a bearer token).
/// </summary>
public static class ApiContract
{
    public const string ProblemSchema = "Problem";

    public static void AddApiContract(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = AuthSetup.CookieName,
                Description = "The web UI's session, from POST /api/auth/login. Writes also need the antiforgery header (csrf).",
            };
            document.Components.SecuritySchemes["csrf"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AuthSetup.AntiforgeryHeader,
                Description = "The antiforgery token answered by sign-in or GET /api/auth/antiforgery; required with the cookie on POST, PUT and DELETE.",
            };
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from POST /api/auth/token (for programs; no antiforgery header).",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[ProblemSchema] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "RFC 9457 problem details; status is the HTTP code, code is stable, title and detail are in the caller's language.",
                Required = new HashSet<string> { "status", "code" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["field"] = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            };
            return Task.CompletedTask;
        });

        // Enums are read and written by their exact names (StrictJson); the schema says which names, as strings.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            if (type.IsEnum && schema is OpenApiSchema enumSchema)
            {
                enumSchema.Type = JsonSchemaType.String;
                enumSchema.Enum = [.. Enum.GetNames(type).Select(name => (System.Text.Json.Nodes.JsonNode)name)];
            }

            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var anonymous = metadata.OfType<IAllowAnonymous>().Any();
            var method = context.Description.HttpMethod ?? "GET";
            var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
            var document = context.Document!;
            operation.Responses ??= [];

            // A success: the one the endpoint declares, else 200.
            if (!operation.Responses.Keys.Any(k => k.StartsWith('2')))
            {
                operation.Responses["200"] = new OpenApiResponse { Description = "OK" };
            }

            if (!anonymous)
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference("cookie", document)] = [],
                        [new OpenApiSecuritySchemeReference("csrf", document)] = [],
                    },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                ];
            }

            foreach (var (status, codes) in ErrorsOf(method, path, anonymous))
            {
                operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
                {
                    Description = "Problem codes: " + string.Join(", ", codes),
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
                    },
                });
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>The error responses an operation can give, with the problem codes of each (docs/api.md lists them all).</summary>
    public static IEnumerable<(int Status, string[] Codes)> ErrorsOf(string method, string path, bool anonymous)
    {
        var writes = method is "POST" or "PUT" or "DELETE";
        var onCase = path.Contains("{caseNumber}", StringComparison.Ordinal);
        var command = writes && onCase;
        // A CSV import's file as a whole: its header, its encoding, its readability (docs/imports.md).
        string[] csv = writes && path.EndsWith("/import", StringComparison.Ordinal) ? ["import.bad_header", "import.empty", "import.encoding", "import.bad_format"] : [];
        yield return (StatusCodes.Status400BadRequest, writes
            ? ["request.malformed", "input.required", "input.too_long", "input.out_of_range", "input.control_characters", "input.invisible_characters",
                "input.no_letters", "request.unknown_value", "auth.antiforgery_failed", .. csv]
            : ["request.malformed", "request.unknown_value", "input.out_of_range", "input.control_characters"]);
        if (!anonymous)
        {
            yield return (StatusCodes.Status401Unauthorized, ["auth.required", "auth.token_expired", "auth.account_unavailable"]);
            yield return (StatusCodes.Status403Forbidden, ["access.forbidden"]);
        }

        if (onCase || path.Contains('{', StringComparison.Ordinal))
        {
            yield return (StatusCodes.Status404NotFound, onCase ? ["case.not_found"] : ["http.not_found", "offer.not_found", "user.not_found", "region.not_found"]);
        }

        if (command || path == "/api/cases" || path == "/api/cases/")
        {
            yield return (StatusCodes.Status409Conflict, ["case.version_conflict", "command.id_reused", "case.duplicate", "offer.full"]);
            yield return (StatusCodes.Status422UnprocessableEntity,
                ["gate.<stage>.<gate>", "stage.*", "case.not_open", "enrolment.*", "financing.*", "referral.*", "correction.*", "approval.*", "mentor.*"]);
        }

        if (writes)
        {
            yield return (StatusCodes.Status413PayloadTooLarge, ["request.too_large"]);
            yield return (StatusCodes.Status415UnsupportedMediaType, ["request.unsupported_media_type"]);
        }

        if (path.StartsWith("/api/auth/", StringComparison.Ordinal) && writes)
        {
            yield return (StatusCodes.Status423Locked, ["auth.locked_out"]);
            yield return (StatusCodes.Status429TooManyRequests, ["request.rate_limited"]);
        }

        yield return (StatusCodes.Status503ServiceUnavailable, ["server.unavailable"]);
    }
}
