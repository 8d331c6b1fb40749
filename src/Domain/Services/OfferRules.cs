using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;

namespace CaseGrains.Domain.Services;

/// <summary>What makes an offer acceptable in the catalog. The same rules serve the admin form, the API and the CSV import.</summary>
public static class OfferRules
{
    public const int MaxRegions = 100;
    public const int MaxSectors = 30;
    public const int MaxCapacity = 1_000_000;

    /// <summary>The largest amount a financing product may name (Rp 100 miliar): beyond any UMKM product, so a typo is caught.</summary>
    public const long MaxFinancingIdr = 100_000_000_000;

    /// <summary>Offer ids: 3–64 of a–z, 0–9, '.', '-', '_' (the provider's own code, lower case; the key for re-imports).</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: >= 3 and <= 64 } && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    /// <summary>Null when the offer may be saved; otherwise the first problem, naming its field.</summary>
    public static Refusal? Validate(Offer o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (!IsValidId(o.Id))
        {
            return new Refusal("offer.invalid_id", "ID layanan: 3–64 karakter a–z, 0–9, '.', '-', '_'.",
                "An offer id is 3–64 characters of a–z, 0–9, '.', '-', '_'.") { Field = "id" };
        }

        var bad = CaseDecider.Name(o.Name, "name", CaseDecider.MaxShortText, required: true)
            ?? CaseDecider.Text(o.Category, "category", 100, required: true)
            ?? CaseDecider.Name(o.Provider, "provider", CaseDecider.MaxShortText, required: true)
            ?? (Enum.IsDefined(o.Type) ? null : Refusals.Required("type"))
            ?? (Enum.IsDefined(o.Level) ? null : Refusals.Required("level"));
        if (bad is not null)
        {
            return bad;
        }

        if ((o.Level == OfferLevel.Partner) != (o.PartnerRole is not null) || (o.PartnerRole is { } role && !Enum.IsDefined(role)))
        {
            return new Refusal("offer.partner_role", "Peran hexa-helix wajib diisi untuk mitra, dan hanya untuk mitra.",
                "A hexa-helix role is required for a partner's offer, and only for a partner's offer.") { Field = "partnerRole" };
        }

        if (o.PartnerOrgId is { } org && (o.Level != OfferLevel.Partner || !IsValidId(org)))
        {
            return new Refusal("offer.partner_org", "Organisasi mitra hanya untuk layanan mitra, dengan ID organisasi yang sah.",
                "A partner organisation goes with a partner's offer only, by a valid organisation id.") { Field = "partnerOrgId" };
        }

        if (o.Segments.Count == 0 || o.Segments.Any(s => !Enum.IsDefined(s)))
        {
            return Refusals.Required("segments");
        }

        if (o.Regions.Count is 0 or > MaxRegions)
        {
            return Refusals.OutOfRange("regions", $"1..{MaxRegions}");
        }

        if (o.Regions.Any(r => r != Offer.National && (r is null || !RegionTable.Kemendagri.IsKnown(r))))
        {
            return Refusals.UnknownRegion("regions");
        }

        if (o.Period.End < o.Period.Start || o.Period.End > o.Period.Start.AddYears(5))
        {
            return new Refusal("offer.period", "Periode tidak valid: tanggal selesai harus setelah tanggal mulai, paling lama 5 tahun.",
                "Invalid period: the end must be on or after the start, at most 5 years later.") { Field = "period" };
        }

        if (o.Capacity is < 1 or > MaxCapacity)
        {
            return Refusals.OutOfRange("capacity", $"1..{MaxCapacity}");
        }

        if (o.AttendanceThresholdPercent is { } threshold && (o.Type != OfferType.Training || threshold is < 1 or > 100))
        {
            return Refusals.OutOfRange("attendanceThresholdPercent", "1..100, for training only");
        }

        if (o.Sectors.Count > MaxSectors || o.Sectors.Any(s => CaseDecider.Text(s, "sectors", 100, required: true) is not null))
        {
            return Refusals.OutOfRange("sectors", $"at most {MaxSectors} names of at most 100 characters");
        }

        return FinancingProblem(o);
    }

    private static Refusal? FinancingProblem(Offer o)
    {
        if (o.Type != OfferType.FinancingProduct)
        {
            return o.Financing is null ? null : new Refusal("offer.financing_terms", "Ketentuan pembiayaan hanya untuk produk pembiayaan.",
                "Financing terms belong to financing products only.") { Field = "financing" };
        }

        if (o.Financing is not { } f)
        {
            return Refusals.Required("financing");
        }

        if (f.MinAmountIdr < 1 || f.MaxAmountIdr < f.MinAmountIdr || f.MaxAmountIdr > MaxFinancingIdr)
        {
            return new Refusal("offer.financing_range", "Rentang plafon tidak valid: minimal ≥ Rp1, maksimal ≥ minimal, paling tinggi Rp100 miliar.",
                "Invalid amount range: minimum ≥ Rp1, maximum ≥ minimum, at most Rp100 billion.") { Field = "financing" };
        }

        return f.EligibleClasses.Count == 0 || f.EligibleClasses.Any(c => !Enum.IsDefined(c)) ? Refusals.Required("eligibleClasses") : null;
    }
}
