using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Problems;

/// <summary>Who raised a field problem (the caseworker records it for them).</summary>
public enum ReporterKind
{
    Community,
    Partner,
    Caseworker,
}

/// <summary>
/// A field problem ("belanja masalah"): a need a community, a partner or a caseworker sees in a place, in a sector, under
/// a category that can be matched against the services catalog's categories — so the ministry sees where needs have no
/// matching offer. Recorded by the region's caseworkers and supervisors.
/// </summary>
public sealed record FieldProblem(
    string Id,
    string RegionCode,
    string Sector,
    string Category,
    string Description,
    string Reporter,
    ReporterKind ReporterKind,
    string RecordedBy,
    DateTimeOffset RecordedAt)
{
    /// <summary>The category as compared with offers' categories (trimmed, lower-case, single spaces).</summary>
    public string CategoryKey => Offer.Key(Category);

    /// <summary>Null when the problem may be recorded; otherwise the first problem with it, naming the field.</summary>
    public static Refusal? Validate(string? regionCode, string? sector, string? category, string? description, string? reporter, ReporterKind? kind) =>
        CaseDecider.Region(regionCode, "regionCode")
        ?? CaseDecider.Text(sector, "sector", 100, required: true)
        ?? CaseDecider.Text(category, "category", 100, required: true)
        ?? CaseDecider.Text(description, "description", CaseDecider.MaxLongText, required: true)
        ?? CaseDecider.Name(reporter, "reporter", CaseDecider.MaxShortText, required: true)
        ?? (kind is { } k && Enum.IsDefined(k) ? null : Refusals.Required("reporterKind"));
}
