using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Web;

/// <summary>
/// Path values (case numbers, stages, offer ids, user and mentor ids, import ids, region codes) hold no control
/// character: one is a 400 problem naming the value, before anything else looks at the request — whoever asks, so it
/// says nothing about what exists. A NUL never gets here: Kestrel refuses a path with one before any middleware runs
/// (docs/api.md, "Path values").
/// </summary>
internal static class PathValues
{
    public static void UsePathValueCheck(this WebApplication app) => app.Use((ctx, next) =>
    {
        if (!ctx.Request.Path.HasValue || !ctx.Request.Path.Value.Any(char.IsControl))
        {
            return next(ctx);
        }

        // Routing has run (WebApplication routes first): name the value when an endpoint matched, else the path.
        var field = ctx.Request.RouteValues.FirstOrDefault(v => v.Value is string s && s.Any(char.IsControl)).Key ?? "path";
        return ProblemResults.Bad(ctx, "input.control_characters",
            $"Alamat permintaan berisi karakter kontrol pada '{field}'.", $"'{field}' in the request's address contains control characters.", field).ExecuteAsync(ctx);
    });
}
