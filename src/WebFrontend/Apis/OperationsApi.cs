using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>
/// What an operator of the platform needs (admins): the consequences' backlog, retrying what is parked, and the
/// reconciliation of caseloads, rosters, counters and notices with the timelines; and each user's notices.
/// </summary>
public static class OperationsApi
{
    public static void MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(Policies.Admin).WithTags("Operations");
        admin.MapGet("/consequences", async (HttpContext http, IGrainFactory grains, CurrentActor actor) =>
                Results.Ok(await grains.GetGrain<IOperationsGrain>(0).Backlog(actor.For(http))))
            .WithName("ConsequenceBacklog")
            .WithSummary("Cases whose consequences are behind, consequences being retried and parked, by kind, with the oldest and the reasons.");
        admin.MapPost("/consequences/retry", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? kind, string? @case) =>
            {
                if (!StrictEnum.TryParseOptional<ConsequenceKind>(kind, out var parsed))
                {
                    return ProblemResults.Bad(http, "request.unknown_value", $"Parameter 'kind' harus salah satu dari: {string.Join(", ", Enum.GetNames<ConsequenceKind>())}.",
                        $"'kind' must be one of: {string.Join(", ", Enum.GetNames<ConsequenceKind>())}.", "kind");
                }

                if (@case is not null && !CaseNumbers.IsWellFormed(@case))
                {
                    return ProblemResults.NotFound(http);
                }

                var result = await grains.GetGrain<IOperationsGrain>(0).Retry(actor.For(http), parsed, @case);
                return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result);
            })
            .WithName("RetryConsequences")
            .WithSummary("Unpark held-up consequences (of one kind and/or case, or all) and run them again now.");
        admin.MapPost("/reconcile", async (HttpContext http, IGrainFactory grains, CurrentActor actor, bool? apply) =>
            {
                var result = await grains.GetGrain<IOperationsGrain>(0).Reconcile(actor.For(http), apply ?? false);
                return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result);
            })
            .WithName("Reconcile")
            .WithSummary("Recompute caseloads, rosters, counters and notices from the timelines and report the drift (apply=true repairs it).");

        admin.MapGet("/notice-deliveries", async (HttpContext http, IGrainFactory grains, CurrentActor actor, string? status, int? limit) =>
            {
                if (!StrictEnum.TryParseOptional<DeliveryStatus>(status, out var parsed))
                {
                    return ProblemResults.Bad(http, "request.unknown_value", $"Parameter 'status' harus salah satu dari: {string.Join(", ", Enum.GetNames<DeliveryStatus>())}.",
                        $"'status' must be one of: {string.Join(", ", Enum.GetNames<DeliveryStatus>())}.", "status");
                }

                return limit is < 1 or > 500
                    ? ProblemResults.Bad(http, "input.out_of_range", "'limit' harus 1..500.", "'limit' must be 1..500.", "limit")
                    : await grains.GetGrain<IOperationsGrain>(0).Deliveries(actor.For(http), parsed, limit ?? 100) is { } rows
                        ? Results.Ok(rows)
                        : ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden()));
            })
            .WithName("NoticeDeliveries")
            .WithSummary("Notices sent or to send by e-mail and WhatsApp/SMS, newest first (status = Pending, Sent or Failed): attempts, the last error, the next attempt.");
        admin.MapPost("/notice-deliveries/retry", async (HttpContext http, IGrainFactory grains, CurrentActor actor) =>
                await grains.GetGrain<IOperationsGrain>(0).RetryDeliveries(actor.For(http)) is { } count
                    ? Results.Ok(new { retried = count })
                    : ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden())))
            .WithName("RetryNoticeDeliveries")
            .WithSummary("Send every failed delivery again now (after the relay or the gateway was fixed).");

        app.MapGet("/api/me/notifications", async (HttpContext http, IGrainFactory grains, CurrentActor actor) =>
                await grains.GetGrain<IUserGrain>(actor.For(http).Id).GetNotificationSettings() is { } settings
                    ? Results.Ok(settings)
                    : ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden())))
            .RequireAuthorization(Policies.SignedIn).WithTags("Accounts").WithName("MyNotificationSettings")
            .WithSummary("How the caller is told of notices outside the app: e-mail, WhatsApp/SMS number, language, channels.");
        app.MapPut("/api/me/notifications", async (HttpContext http, IGrainFactory grains, CurrentActor actor, NotificationSettings body) =>
            {
                var caller = actor.For(http);
                var outcome = await grains.GetGrain<IUserGrain>(caller.Id).SetNotificationSettings(body, caller);
                return outcome.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(outcome.Settings);
            })
            .RequireAuthorization(Policies.SignedIn).WithTags("Accounts").WithName("SetMyNotificationSettings")
            .WithSummary("Set how the caller is told of notices outside the app (each channel needs its address and the installation's relay or gateway).");

        app.MapGet("/api/me/notices", async (HttpContext http, IGrainFactory grains, CurrentActor actor, int? limit) =>
                limit is < 1 or > 500
                    ? ProblemResults.Bad(http, "input.out_of_range", "'limit' harus 1..500.", "'limit' must be 1..500.", "limit")
                    : Results.Ok(await grains.GetGrain<IOperationsGrain>(0).Notices(actor.For(http), limit ?? 50)))
            .RequireAuthorization(Policies.SignedIn).WithTags("Cases").WithName("MyNotices")
            .WithSummary("The caller's notices, newest first: approvals to decide, escalations, requests settled (open the case to read it).");
    }
}
