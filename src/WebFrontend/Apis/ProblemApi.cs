using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>"Belanja masalah": field problems reported by communities, partners and caseworkers (issue 8, deliverable 6).</summary>
public static class ProblemApi
{
    public static void MapProblemApi(this IEndpointRouteBuilder app)
    {
        var problems = app.MapGroup("/api/problems").WithTags("Field problems");
        problems.MapPost("/", async (HttpContext http, FieldProblemRequest body, IGrainFactory grains, CurrentActor actor) =>
            {
                var province = body.RegionCode is { Length: >= 2 } r ? r[..2] : "00";
                var outcome = await grains.GetGrain<IFieldProblemsGrain>(province).Report(body, actor.For(http));
                return outcome.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Created($"/api/problems?region={body.RegionCode}", outcome.Problem);
            })
            .RequireAuthorization(Policies.Intake).WithName("ReportFieldProblem")
            .WithSummary("Record a field problem in a kecamatan or desa the caller serves (caseworkers, supervisors).")
            .Produces(StatusCodes.Status201Created);
        problems.MapGet("/", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? region, string? category, int? limit) =>
            {
                var list = await grains.GetGrain<IFieldProblemQueryGrain>(0).List(Region(region), category, limit ?? 200, actor.For(http));
                return list.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(list.Problems);
            })
            .RequireAuthorization(Policies.SignedIn).WithName("ListFieldProblems")
            .WithSummary("Problems under a region, newest first (ministry, admins, the region's staff).");
        problems.MapGet("/summary", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? region) =>
            {
                var summary = await grains.GetGrain<IFieldProblemQueryGrain>(0).Summary(Region(region), actor.For(http));
                return summary.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(summary);
            })
            .RequireAuthorization(Policies.SignedIn).WithName("FieldProblemSummary")
            .WithSummary("Problems per child region and category, with the catalog offers of that category reaching it (0 = an unmet need), unmet first.");
    }

    private static string Region(string? region) => string.IsNullOrWhiteSpace(region) ? Offer.National : region.Trim();
}
