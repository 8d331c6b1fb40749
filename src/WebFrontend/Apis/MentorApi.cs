using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Mentor profiles (sectors, regions, capacity) and caseloads. Who may see or set what is the mentor grain's call.</summary>
public static class MentorApi
{
    public static void MapMentorApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mentors", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? region) =>
                await grains.GetGrain<IMentorQueryGrain>(0).Caseloads(region?.Trim() ?? "", actor.For(http)) is { } loads
                    ? Results.Ok(loads)
                    : ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden())))
            .RequireAuthorization(Policies.MentorAdmin).WithTags("Mentors").WithName("MentorCaseloads")
            .WithSummary("Mentors reaching a region with capacity and active cases, fullest first (supervisors, admins).");
        app.MapGet("/api/mentors/{mentorId}/caseload", async (HttpContext http, string mentorId, IGrainFactory grains, CurrentActor actor) =>
                Answer(http, await grains.GetGrain<IMentorGrain>(mentorId).GetCaseload(actor.For(http))))
            .RequireAuthorization(Policies.CaseWork).WithTags("Mentors").WithName("GetMentorCaseload");
        app.MapPut("/api/mentors/{mentorId}/profile", async (HttpContext http, string mentorId, MentorProfile body, IGrainFactory grains, CurrentActor actor) =>
                Answer(http, await grains.GetGrain<IMentorGrain>(mentorId).SetProfile(body, actor.For(http))))
            .RequireAuthorization(Policies.MentorAdmin).WithTags("Mentors").WithName("SetMentorProfile");
    }

    private static IResult Answer(HttpContext http, MentorCaseloadResult result) =>
        result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result.Caseload);
}
