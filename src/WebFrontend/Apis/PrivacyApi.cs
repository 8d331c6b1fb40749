using CaseGrains.Domain.Privacy;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>
/// The data protection officer's (UU 27/2022 PDP): who read, revealed or exported which case, when, why and from where,
/// searched across cases; and the record of processing activities. No case content.
/// </summary>
public static class PrivacyApi
{
    public const int MaxFilterText = 100;

    public static void MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/api/privacy").RequireAuthorization(Policies.Privacy).WithTags("Privacy");
        privacy.MapGet("/access-log", SearchAccessLog).WithName("SearchAccessLog")
            .WithSummary("The access log across cases, newest first: by account, case, action and period (from inclusive, to exclusive); at most 500 entries. The search is itself recorded.");
        privacy.MapGet("/processing-activities", () => Results.Ok(ProcessingActivities.All)).WithName("ProcessingActivities")
            .WithSummary("The record of processing activities: purposes, legal bases, data subjects and categories, recipients, retention, safeguards.");
        privacy.MapGet("/retention", async (HttpContext http, IGrainFactory grains, CurrentActor actor) => Retention(http, await grains.GetGrain<IRetentionGrain>(0).Review(actor.For(http), apply: false)))
            .WithName("RetentionDryRun")
            .WithSummary("Dry run of the retention sweep: the periods per purpose, and the ended cases past theirs with the purpose and period that made each due (changes nothing).");
        privacy.MapPost("/retention", async (HttpContext http, IGrainFactory grains, CurrentActor actor) => Retention(http, await grains.GetGrain<IRetentionGrain>(0).Review(actor.For(http), apply: true)))
            .WithName("RetentionRun")
            .WithSummary("The retention run: erases (crypto-shreds) every ended case past its period, as the dry run lists them; each erasure is in the case's timeline and the access log.");
    }

    private static async Task<IResult> SearchAccessLog(HttpContext http, IGrainFactory grains, CurrentActor actor,
        string? user, string? @case, string? action, DateTimeOffset? from, DateTimeOffset? to, int? limit)
    {
        if (limit is < 1 or > 500)
        {
            return ProblemResults.Bad(http, "input.out_of_range", "'limit' harus 1..500.", "'limit' must be 1..500.", "limit");
        }

        if (from is { } f && to is { } t && t <= f)
        {
            return ProblemResults.Bad(http, "input.out_of_range", "'to' harus sesudah 'from'.", "'to' must be after 'from'.", "to");
        }

        foreach (var (name, value) in new[] { ("user", user), ("case", @case), ("action", action) })
        {
            if (value is { } text && (text.Length > MaxFilterText || text.Any(char.IsControl)))
            {
                return ProblemResults.Bad(http, "input.invalid", $"'{name}' tidak valid.", $"'{name}' is not valid.", name);
            }
        }

        var entries = await grains.GetGrain<IOperationsGrain>(0).SearchAccessLog(actor.For(http),
            new AccessLogQuery(Blank(user), Blank(@case), Blank(action), from, to, limit));
        http.Response.Headers.CacheControl = "no-store";
        return entries is null ? ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden())) : Results.Ok(entries);
    }

    private static IResult Retention(HttpContext http, RetentionReport report)
    {
        http.Response.Headers.CacheControl = "no-store";
        return report.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(report);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
