using CaseGrains.Domain.Regions;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>The Kemendagri region table (idn-area-data, ODbL) for pickers: provinces, or the children of a region.</summary>
public static class RegionApi
{
    public static void MapRegionApi(this IEndpointRouteBuilder app)
    {
        // Public reference data (Kemendagri codes, ODbL): no personal data, no sign-in needed.
        var regions = app.MapGroup("/api/regions").WithTags("Regions").AllowAnonymous();
        regions.MapGet("/", (string? parent) => Results.Ok(
            (parent is null
                ? RegionTable.Kemendagri.All.Where(r => r.Level == RegionLevel.Province).OrderBy(r => r.Code, StringComparer.Ordinal)
                : RegionTable.Kemendagri.Children(parent.Trim()))
            .Select(r => new { r.Code, r.Name, r.Level }))).WithName("ListRegions");
        regions.MapGet("/{code}", (HttpContext http, string code) => RegionTable.Kemendagri.Find(code) is { } r
            ? Results.Ok(new { r.Code, r.Name, r.Level })
            : ProblemResults.Bad(http, "region.not_found", "Kode wilayah tidak dikenal.", "Unknown region code.", "code"))
            .WithName("GetRegion");
        regions.MapGet("/attribution", () => Results.Text(
            "Region codes: idn-area-data 4.0.1 (https://github.com/fityannugroho/idn-area-data), Open Database License (ODbL) 1.0."))
            .WithName("RegionAttribution");
    }
}
