using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>The services catalog over HTTP (issue 7): offers, the CSV import, the redundancy map and financing totals.</summary>
public static class CatalogApi
{
    /// <summary>The largest catalog CSV accepted (the other endpoints keep the 64 KiB limit).</summary>
    public const long MaxImportBytes = 4 * 1024 * 1024;

    public static void MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var offers = app.MapGroup("/api/offers").WithTags("Catalog").RequireAuthorization(Policies.SignedIn);
        offers.MapGet("/", Search).WithName("SearchOffers").WithSummary("Offers reaching a region (and inside it), by type and provider, with their places.");
        offers.MapGet("/{offerId}", Get).WithName("GetOffer");
        offers.MapPut("/{offerId}", Save).RequireAuthorization(Policies.Admin).WithName("SaveOffer").WithSummary("Create or update an offer (admins).");
        offers.MapPost("/import", Import).RequireAuthorization(Policies.Admin).WithName("ImportOffers")
            .WithSummary("Import a catalog CSV (text/csv): a report row by row; bad rows are rejected with reasons, good ones saved; re-import updates.");

        app.MapGet("/api/catalog/redundancy", Redundancy).RequireAuthorization(Policies.SignedIn).WithTags("Catalog").WithName("RedundancyMap")
            .WithSummary("Sets of overlapping offers reaching a region, with the region's beneficiaries in each (ministry, admins, the region's staff).");
        app.MapGet("/api/catalog/terms", Terms).RequireAuthorization(Policies.SignedIn).WithTags("Catalog").WithName("CatalogTerms")
            .WithSummary("The sectors and needs (offer categories) the assessment picks from, for a region: what the catalog's offers reaching it name, plus the standard sectors.");
        app.MapGet("/api/financing/totals", FinancingTotals).RequireAuthorization(Policies.SignedIn).WithTags("Catalog").WithName("FinancingTotals")
            .WithSummary("Financing applied, approved, disbursed (whole rupiah) and repayment, per product, for a region.");
    }

    private static async Task<IResult> Search(HttpContext http, IGrainFactory grains, string? region, string? type, string? provider)
    {
        if (!StrictEnum.TryParseOptional<OfferType>(type, out var offerType))
        {
            return ProblemResults.Bad(http, "request.unknown_value", "Jenis layanan tidak dikenal.", "Unknown offer type.", "type");
        }

        if (region is { Length: > 0 } && region != Offer.National && !Domain.Regions.RegionTable.Kemendagri.IsKnown(region))
        {
            return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.UnknownRegion("region")));
        }

        return Results.Ok(await grains.GetGrain<ICatalogQueryGrain>(0).Search(region, offerType, provider));
    }

    private static async Task<IResult> Get(HttpContext http, string offerId, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IOfferGrain>(offerId);
        if (!OfferRules.IsValidId(offerId) || await grain.Get() is not { } offer)
        {
            return ProblemResults.Bad(http, "offer.not_found", "Layanan tidak ditemukan di katalog.", "No such offer in the catalog.");
        }

        return Results.Ok(new OfferListing(offer, await grain.GetPlaces() ?? new OfferPlaces(offer.Capacity, 0, 0)));
    }

    private static async Task<IResult> Save(HttpContext http, string offerId, OfferRequest body, IGrainFactory grains, CurrentActor actor)
    {
        var saved = await grains.GetGrain<IOfferGrain>(offerId.Trim().ToLowerInvariant()).SaveRequest(body, actor.For(http));
        return saved.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(saved);
    }

    private static async Task<IResult> Import(HttpContext http, IGrainFactory grains, CurrentActor actor)
    {
        var (opened, problem) = await CsvBody.OpenAsync(http, MaxImportBytes);
        if (problem is not null)
        {
            return problem;
        }

        // The catalog is small (at most 4 MiB, 5,000 offers) and answered with one report: its rows go over in one call.
        await using var csv = opened!;
        var rows = await csv.ReadAllAsync(http.RequestAborted);
        if (rows.IsRefused)
        {
            return ProblemResults.From(http, RefusalInfo.From(rows.Refusal!));
        }

        var report = await grains.GetGrain<ICatalogQueryGrain>(0).Import(csv.Header, rows.Value, actor.For(http));
        return report.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(report);
    }

    private static async Task<IResult> Redundancy(HttpContext http, IGrainFactory grains, CurrentActor actor, string? region)
    {
        var map = await grains.GetGrain<ICatalogQueryGrain>(0).RedundancyMap(RegionOrNational(region), actor.For(http));
        return map.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(map);
    }

    /// <summary>No region asked for: the whole country (what the ministry sees first).</summary>
    private static string RegionOrNational(string? region) => string.IsNullOrWhiteSpace(region) ? Offer.National : region.Trim();

    private static async Task<IResult> Terms(HttpContext http, IGrainFactory grains, string? region)
    {
        if (region is { Length: > 0 } && region != Offer.National && !Domain.Regions.RegionTable.Kemendagri.IsKnown(region))
        {
            return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.UnknownRegion("region")));
        }

        var offers = (await grains.GetGrain<ICatalogQueryGrain>(0).Search(string.IsNullOrWhiteSpace(region) ? null : region, null, null)).Select(l => l.Offer).ToList();
        static List<string> Distinct(IEnumerable<string> names) =>
            [.. names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).DistinctBy(Offer.Key).Order(StringComparer.OrdinalIgnoreCase)];
        return Results.Ok(new CatalogTerms(
            Distinct(Domain.Business.Sectors.Standard.Concat(offers.SelectMany(o => o.Sectors))),
            Distinct(offers.Where(o => o.Type != OfferType.FinancingProduct).Select(o => o.Category))));
    }

    /// <summary>What the assessment picks from: sectors, and needs (the categories of courses, programmes and matchmaking offers).</summary>
    public sealed record CatalogTerms(IReadOnlyList<string> Sectors, IReadOnlyList<string> Needs);

    private static async Task<IResult> FinancingTotals(HttpContext http, IGrainFactory grains, CurrentActor actor, string? region)
    {
        var totals = await grains.GetGrain<ICatalogQueryGrain>(0).FinancingTotals(RegionOrNational(region), actor.For(http));
        return totals.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Ok(totals);
    }
}
