using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>The programme's numbers for the ministry dashboard (issue 8): aggregates only, no personal data.</summary>
public static class DashboardApi
{
    public static void MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? region) =>
            {
                var result = await grains.GetGrain<IProgrammeStatsGrain>(0).Get(region ?? "", actor.For(http));
                return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result.View);
            })
            .RequireAuthorization(Policies.SignedIn).WithTags("Dashboard").WithName("Dashboard")
            .WithSummary("Funnel (segment × gender × stage × status), children for the drill-down, throughput per week, median days per stage, class changes, financing; default region: the whole country.");
        app.MapPost("/api/dashboard/rebuild", async (HttpContext http, IGrainFactory grains, CurrentActor actor, bool? apply) =>
            {
                var result = await grains.GetGrain<IProgrammeStatsGrain>(0).Rebuild(actor.For(http), apply ?? false);
                return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result);
            })
            .RequireAuthorization(Policies.Admin).WithTags("Dashboard").WithName("RebuildCounters")
            .WithSummary("Recompute the counters from the timelines and compare (apply=true replaces them; run with writes paused).");
    }
}
