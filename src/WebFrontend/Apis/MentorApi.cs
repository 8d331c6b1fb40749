using CaseGrains.Grains;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Mentor profiles (sectors, regions, capacity) and caseloads.</summary>
public static class MentorApi
{
    public static void MapMentorApi(this IEndpointRouteBuilder app)
    {
        var mentors = app.MapGroup("/api/mentors").WithTags("Mentors").RequireAuthorization(Policies.CaseWork);
        mentors.MapGet("/{mentorId}/caseload", async (HttpContext http, string mentorId, IGrainFactory grains, CurrentActor actor) =>
        {
            // A mentor sees their own caseload; caseworkers and supervisors see any mentor's (to assign within capacity).
            var me = actor.For(http);
            if (me.Role == Domain.Access.Role.Mentor && me.Id != mentorId)
            {
                return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden()));
            }

            return UserIds.IsValid(mentorId) && await grains.GetGrain<IUserGrain>(mentorId).GetView() is { Role: Domain.Access.Role.Mentor }
                ? Results.Ok(await grains.GetGrain<IMentorGrain>(mentorId).GetCaseload())
                : ProblemResults.Bad(http, "user.not_found", "Pendamping tidak ditemukan.", "Mentor not found.");
        }).WithName("GetMentorCaseload");
        app.MapPut("/api/mentors/{mentorId}/profile", async (HttpContext http, string mentorId, MentorProfile body, IGrainFactory grains, CurrentActor actor) =>
        {
            if (!UserIds.IsValid(mentorId) || await grains.GetGrain<IUserGrain>(mentorId).GetView() is not { Role: Domain.Access.Role.Mentor })
            {
                return ProblemResults.Bad(http, "user.not_found", "Pendamping tidak ditemukan.", "Mentor not found.");
            }

            var refusal = await grains.GetGrain<IMentorGrain>(mentorId).SetProfile(body, actor.For(http));
            return refusal is null ? Results.Ok(await grains.GetGrain<IMentorGrain>(mentorId).GetCaseload()) : ProblemResults.From(http, refusal);
        }).RequireAuthorization(Policies.MentorAdmin).WithTags("Mentors").WithName("SetMentorProfile");
    }
}
