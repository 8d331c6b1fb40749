using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Services;

/// <summary>What an offer in the services catalog is.</summary>
public enum OfferType
{
    Training,
    MentoringProgramme,
    Matchmaking,
    FinancingProduct,
}

/// <summary>The government level that runs an offer, or a hexa-helix partner.</summary>
public enum OfferLevel
{
    Pusat,
    Provinsi,
    KabKota,
    Desa,
    Partner,
}

/// <summary>A partner's role in the hexa-helix (required when the level is <see cref="OfferLevel.Partner"/>).</summary>
public enum HexaHelixRole
{
    Government,
    Business,
    Academia,
    Media,
    Community,
    Society,
}

/// <summary>When an offer runs (inclusive dates).</summary>
public sealed record OfferPeriod(DateOnly Start, DateOnly End)
{
    public bool Overlaps(OfferPeriod other) => Start <= other.End && other.Start <= End;
}

/// <summary>For a financing product: the amounts it lends (exact rupiah) and the UMKM classes it serves.</summary>
public sealed record FinancingTerms(long MinAmountIdr, long MaxAmountIdr, IReadOnlyList<UmkmClass> EligibleClasses);

/// <summary>
/// One service in the catalog (katalog layanan): a course, a mentoring programme, a matchmaking (buyer, partner or
/// event) or a financing product, from a provider at a level, for some segments in some regions, for a period, with a
/// capacity (seats, caseload or quota). Regions cover everything under them (35.79 covers every kecamatan of Kota Batu).
/// </summary>
public sealed record Offer
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required OfferType Type { get; init; }
    /// <summary>What the offer is about, e.g. "pemasaran digital"; compared case- and space-insensitively.</summary>
    public required string Category { get; init; }
    public required string Provider { get; init; }
    public required OfferLevel Level { get; init; }
    public HexaHelixRole? PartnerRole { get; init; }

    /// <summary>
    /// The partner organisation (its id) that runs the offer and answers for it in the platform: its users see the
    /// enrolments, referrals and applications made to it. Null: staff record the provider's answers.
    /// </summary>
    public string? PartnerOrgId { get; init; }
    public required IReadOnlyList<Segment> Segments { get; init; }
    public required IReadOnlyList<string> Regions { get; init; }
    public required OfferPeriod Period { get; init; }
    public required int Capacity { get; init; }
    public FinancingTerms? Financing { get; init; }

    /// <summary>Training: the attendance a participant needs to pass (the Training gate uses it); null = the programme default.</summary>
    public int? AttendanceThresholdPercent { get; init; }

    /// <summary>Business sectors the offer serves (buyers, partners, lenders); empty = every sector.</summary>
    public IReadOnlyList<string> Sectors { get; init; } = [];

    /// <summary>A region code that stands for the whole country (a Pusat offer everywhere).</summary>
    public const string National = "ID";

    /// <summary>The category as compared: trimmed, lower-case, inner spaces collapsed.</summary>
    public string CategoryKey => Key(Category);

    /// <summary>True when the offer reaches <paramref name="regionCode"/>: one of its regions is it or contains it.</summary>
    public bool Covers(string regionCode) => Regions.Any(r => Contains(r, regionCode));

    /// <summary>True when the offer reaches <paramref name="regionCode"/> or some place inside it (a listing for that region shows it).</summary>
    public bool Touches(string regionCode) => Covers(regionCode) || Regions.Any(r => Contains(regionCode, r));

    /// <summary>True when the two offers reach a common place (one's region equal to, above or below the other's).</summary>
    public bool SharesRegionWith(Offer other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Regions.Any(a => other.Regions.Any(b => Contains(a, b) || Contains(b, a)));
    }

    /// <summary>Whether a seat (or caseload place, or quota) is given back when a participant completes.</summary>
    public bool CompletionFreesSeat => Type is OfferType.MentoringProgramme or OfferType.Matchmaking;

    /// <summary>True when the offer runs on <paramref name="day"/> or later (it has not ended).</summary>
    public bool IsOpenOn(DateOnly day) => Period.End >= day;

    /// <summary>True when the offer serves <paramref name="sector"/> (compared like categories), or every sector.</summary>
    public bool ServesSector(string? sector) =>
        Sectors.Count == 0 || (sector is not null && Sectors.Any(s => Key(s) == Key(sector)));

    /// <summary>A text as compared: trimmed, lower-case, inner spaces collapsed.</summary>
    public static string Key(string text) => string.Join(' ', text.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    internal static bool Contains(string outer, string inner) =>
        outer == National || inner == outer || inner.StartsWith(outer + ".", StringComparison.Ordinal);
}
