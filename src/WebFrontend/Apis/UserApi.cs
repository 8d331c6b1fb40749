using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Account administration (Admin only): create users, set their role, regions, password, disable them.</summary>
public static class UserApi
{
    public static void MapUserApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<IUserDirectoryGrain>(0).List();
            var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IUserGrain>(id).GetView()));
            return Results.Ok(views.Where(v => v is not null));
        }).WithName("ListUsers");
        users.MapGet("/{userId}", async (HttpContext http, string userId, IGrainFactory grains) =>
            UserIds.IsValid(userId) && await grains.GetGrain<IUserGrain>(userId).GetView() is { } view
                ? Results.Ok(view)
                : ProblemResults.Bad(http, "user.not_found", "Pengguna tidak ditemukan.", "User not found.")).WithName("GetUser");
        users.MapPut("/{userId}", async (HttpContext http, string userId, UpsertUserRequest body, IGrainFactory grains, CurrentActor actor) =>
        {
            var outcome = await grains.GetGrain<IUserGrain>(userId.Trim().ToLowerInvariant()).Upsert(body, actor.For(http));
            return outcome.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(outcome.User);
        }).WithName("UpsertUser").WithSummary("Create or update an account.");
    }
}
