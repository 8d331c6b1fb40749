using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Account administration (Admin only): create users, set their role, regions, password, disable them.</summary>
public static class UserApi
{
    public const int DefaultPage = 200;

    public static void MapUserApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", async (HttpContext http, IGrainFactory grains, string? role, string? region, string? after, int? limit) =>
        {
            if (!StrictEnum.TryParseOptional<Role>(role, out var wanted))
            {
                return ProblemResults.Bad(http, "request.unknown_value", "Peran tidak dikenal.", "Unknown role.", "role");
            }

            if (region is { Length: > 0 } && !Domain.Regions.RegionTable.Kemendagri.IsKnown(region))
            {
                return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.UnknownRegion("region")));
            }

            if (after is { Length: > 0 } && !UserIds.IsValid(after))
            {
                return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.OutOfRange("after", "a user id")));
            }

            if (limit is < 1 or > IPeopleGrain.MaxPage)
            {
                return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.OutOfRange("limit", $"1..{IPeopleGrain.MaxPage}")));
            }

            // One page from the people index, by id; the next one starts after the last id of this one.
            var page = await grains.GetGrain<IPeopleGrain>(0).List(wanted, region, after ?? "", limit ?? DefaultPage);
            var views = await Task.WhenAll(page.Select(p => grains.GetGrain<IUserGrain>(p.UserId).GetView()));
            return Results.Ok(views.Where(v => v is not null));
        }).WithName("ListUsers")
            .WithSummary($"Accounts by id, a page at a time: role=, region= (working there or under it), after= (the last id of the previous page), limit= (default {DefaultPage}, at most {IPeopleGrain.MaxPage}).");
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
