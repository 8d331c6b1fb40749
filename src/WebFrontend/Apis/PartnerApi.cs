using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>
/// Hexa-helix partners in the platform (docs/partners.md): admins keep the organisations; a partner's users read their
/// queue and the cases addressed to their organisation's offers, and answer them. No rules here: the grains check the
/// organisation, the offer and the beneficiary's consent to sharing with partners.
/// </summary>
public static class PartnerApi
{
    public static void MapPartnerApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/partners").WithTags("Partners").RequireAuthorization(Policies.Admin);
        admin.MapGet("/", async (IGrainFactory grains) =>
        {
            var ids = await grains.GetGrain<IPartnerDirectoryGrain>(0).List();
            var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IPartnerOrgGrain>(id).Get()));
            return Results.Ok(views.OfType<PartnerOrgView>());
        }).WithName("ListPartnerOrganisations").WithSummary("Every partner organisation, with its users and the offers it answers for.");
        admin.MapGet("/{orgId}", async (HttpContext http, string orgId, IGrainFactory grains) =>
            UserIds.IsValid(orgId) && await grains.GetGrain<IPartnerOrgGrain>(orgId).Get() is { } view
                ? Results.Ok(view)
                : ProblemResults.Bad(http, "partner.not_found", "Organisasi mitra tidak ditemukan.", "No such partner organisation.")).WithName("GetPartnerOrganisation");
        admin.MapPut("/{orgId}", async (HttpContext http, string orgId, PartnerOrgRequest body, IGrainFactory grains, CurrentActor actor) =>
        {
            var outcome = await grains.GetGrain<IPartnerOrgGrain>(orgId.Trim().ToLowerInvariant()).Upsert(body, actor.For(http));
            return outcome.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(outcome.Organisation);
        }).WithName("UpsertPartnerOrganisation")
            .WithSummary("Create or update a partner organisation: name, hexa-helix kind, regions; disabling it ends its users' sessions.");

        var partner = app.MapGroup("/api/partner").WithTags("Partners").RequireAuthorization(Policies.Partner);
        partner.MapGet("/queue", async (HttpContext http, IGrainFactory grains, CurrentActor actor) =>
        {
            var result = await grains.GetGrain<IPartnerQueueGrain>(0).Queue(actor.For(http));
            return result.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(result.Queue);
        }).WithName("GetPartnerQueue")
            .WithSummary($"What waits for the caller's organisation: its cases with something to answer (at most {IPartnerQueueGrain.MaxCases}, oldest change first).");
        partner.MapGet("/cases/{caseNumber}", async (HttpContext http, string caseNumber, IGrainFactory grains, CurrentActor actor) =>
            CaseNumbers.IsWellFormed(caseNumber) && await grains.GetGrain<ICaseGrain>(caseNumber).GetPartnerView(actor.For(http), "partner-case") is { } view
                ? Results.Ok(view)
                : ProblemResults.NotFound(http)).WithName("GetPartnerCase")
            .WithSummary("A case as the partner sees it: the beneficiary as shared with partners (masked NIK) and its enrolments with the organisation's offers.");
        partner.MapGet("/cases/{caseNumber}/timeline", CaseApi.Timeline).WithName("GetPartnerTimeline")
            .WithSummary("The events about the organisation's enrolments after seq N (the others left out; Link names the next page).");

        // The answers are the journey's own commands (the staff's endpoints' twins), on the organisation's offers only.
        CaseApi.MapPartnerAnswers(partner.MapGroup("/cases/{caseNumber}/enrolments/{offerId}").WithTags("Partners"), "Partner");
    }
}
