using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Mentor profiles (sectors, regions, capacity) and caseloads. Who may see or set what is the mentor grain's call.</summary>
public static class MentorApi
{
    public static void MapMentorApi(this IEndpointRouteBuilder app)
    {
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
