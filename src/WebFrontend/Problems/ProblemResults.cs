using CaseGrains.Grains.Abstractions;

namespace CaseGrains.WebFrontend.Problems;

/// <summary>
/// Maps refusals to HTTP problem+json: a stable <c>code</c>, the message in the caller's language
/// (Bahasa Indonesia unless <c>Accept-Language</c> prefers English), and the field and details when known.
/// </summary>
public static class ProblemResults
{
    public const string TypePrefix = "urn:casegrains:problem:";

    public static bool PrefersEnglish(HttpContext context) =>
        context.Request.Headers.AcceptLanguage.ToString().TrimStart().StartsWith("en", StringComparison.OrdinalIgnoreCase);

    public static int StatusFor(string code) => code switch
    {
        "case.not_found" or "region.not_found" or "user.not_found" or "offer.not_found" or "partner.not_found" => StatusCodes.Status404NotFound,
        "offer.full" => StatusCodes.Status409Conflict,
        // The same code has the same status whichever reader found it (the framework's JSON binding or the CSV reader).
        "request.unsupported_media_type" => StatusCodes.Status415UnsupportedMediaType,
        "request.too_large" => StatusCodes.Status413PayloadTooLarge,
        "access.forbidden" => StatusCodes.Status403Forbidden,
        "auth.invalid_credentials" => StatusCodes.Status401Unauthorized,
        "auth.locked_out" => StatusCodes.Status423Locked,
        "case.duplicate" or "case.version_conflict" or "command.id_reused" or "case.already_exists" => StatusCodes.Status409Conflict,
        "case.erased" or "erasure.case_open" => StatusCodes.Status409Conflict,
        _ when code.StartsWith("input.", StringComparison.Ordinal) || code.StartsWith("nik.", StringComparison.Ordinal)
            || code.StartsWith("nib.", StringComparison.Ordinal) || code.StartsWith("region.", StringComparison.Ordinal)
            || code.StartsWith("request.", StringComparison.Ordinal) || code.StartsWith("user.", StringComparison.Ordinal)
            || code.StartsWith("offer.", StringComparison.Ordinal) || code.StartsWith("import.", StringComparison.Ordinal)
            || code.StartsWith("notify.", StringComparison.Ordinal) || code.StartsWith("partner.", StringComparison.Ordinal)
            => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    public static IResult From(HttpContext context, RefusalInfo refusal, bool replayed = false)
    {
        var english = PrefersEnglish(context);
        var extensions = new Dictionary<string, object?> { ["code"] = refusal.Code };
        if (refusal.Field is not null)
        {
            extensions["field"] = refusal.Field;
        }

        foreach (var (key, value) in refusal.Details)
        {
            // Versions and positions are numbers in every answer, problems included.
            extensions[key] = NumericDetails.Contains(key) && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? number : value;
        }

        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return Results.Problem(
            type: TypePrefix + refusal.Code,
            title: english ? refusal.English : refusal.Indonesian,
            detail: english ? refusal.English : refusal.Indonesian,
            statusCode: StatusFor(refusal.Code),
            extensions: extensions);
    }

    /// <summary>The refusal details that are numbers (the rest are names and codes, kept as strings).</summary>
    private static readonly HashSet<string> NumericDetails = new(StringComparer.Ordinal) { "currentVersion" };

    public static IResult Bad(HttpContext context, string code, string indonesian, string english, string? field = null) =>
        From(context, new RefusalInfo(code, indonesian, english, field, new Dictionary<string, string>()));

    public static IResult NotFound(HttpContext context) => From(context, RefusalInfo.From(Domain.Refusals.CaseNotFound()));
}

/// <summary>Stable codes for errors the framework itself raises (no route, wrong method, body too large …).</summary>
public static class HttpProblems
{
    public static (string Code, string Indonesian, string English) Describe(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ("request.malformed", "Permintaan tidak dapat dibaca.", "The request could not be read."),
        StatusCodes.Status404NotFound => ("http.not_found", "Alamat tidak ditemukan.", "No such resource."),
        StatusCodes.Status405MethodNotAllowed => ("http.method_not_allowed", "Metode HTTP tidak diizinkan di alamat ini.", "This HTTP method is not allowed here."),
        StatusCodes.Status413PayloadTooLarge => ("request.too_large", "Isi permintaan terlalu besar.", "The request body is too large."),
        StatusCodes.Status415UnsupportedMediaType => ("request.unsupported_media_type", "Isi permintaan harus application/json.", "The request body must be application/json."),
        StatusCodes.Status429TooManyRequests => ("request.rate_limited", "Terlalu banyak permintaan; coba lagi sebentar lagi.", "Too many requests; try again shortly."),
        StatusCodes.Status401Unauthorized => ("auth.required", "Masuk terlebih dahulu.", "Sign in first."),
        StatusCodes.Status403Forbidden => ("access.forbidden", "Peran Anda tidak berwenang melakukan tindakan ini.", "Your role is not allowed to do this."),
        _ => ($"http.{status}", "Permintaan gagal.", "The request failed."),
    };
}
