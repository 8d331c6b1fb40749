namespace CaseGrains.Domain.Services;

/// <summary>The government financing schemes whose rules follow the debtor, not the product or the bank.</summary>
public enum FinancingScheme
{
    /// <summary>Kredit Usaha Rakyat (Mikro, Kecil, Super Mikro, Khusus, PMI): one active KUR per debtor, whatever the bank.</summary>
    Kur,

    /// <summary>Pembiayaan Ultra Mikro (UMi): one at a time, and only for a debtor without an active KUR.</summary>
    Umi,

    /// <summary>Dana bergulir LPDB-KUMKM: one active facility per borrower.</summary>
    Lpdb,

    /// <summary>Any other loan or grant: only the catalog's overlap rule applies.</summary>
    Other,
}

/// <summary>A financing the beneficiary holds or has asked for, in any of their cases.</summary>
public sealed record FinancingHolding(string CaseNumber, string OfferId, string OfferName, string Provider, FinancingScheme Scheme, EnrolmentStatus Status);

/// <summary>
/// The scheme of a financing offer and the rules that hold across all of a person's cases (by NIK, open or graduated):
/// an application, an approval and a disbursed loan not yet repaid are active; rejected, withdrawn and repaid ones are not.
/// </summary>
public static class FinancingSchemes
{
    /// <summary>The scheme an offer belongs to, from its category (or name): "KUR Mikro", "KUR Super Mikro" → KUR; "UMi" → UMi; "LPDB …" → LPDB.</summary>
    public static FinancingScheme Of(Offer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return Classify(offer.CategoryKey) is var byCategory && byCategory != FinancingScheme.Other ? byCategory : Classify(Offer.Key(offer.Name));
    }

    private static FinancingScheme Classify(string key) =>
        Words(key).Contains("kur") || key.Contains("kredit usaha rakyat", StringComparison.Ordinal) ? FinancingScheme.Kur
        : Words(key).Contains("umi") || key.Contains("ultra mikro", StringComparison.Ordinal) ? FinancingScheme.Umi
        : Words(key).Contains("lpdb") ? FinancingScheme.Lpdb
        : FinancingScheme.Other;

    private static string[] Words(string key) => key.Split([' ', '-', '/', '(', ')', ','], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True while the financing binds the debtor: applied, approved, or disbursed and not repaid.</summary>
    public static bool IsActive(Enrolment e) =>
        e.Offer.Type == OfferType.FinancingProduct
        && (e.Status is EnrolmentStatus.Applied or EnrolmentStatus.Approved || (e.Status == EnrolmentStatus.Disbursed && e.Repayment != RepaymentStatus.Repaid));

    /// <summary>The financing of a case that binds the debtor.</summary>
    public static IEnumerable<FinancingHolding> HeldBy(Journey.CaseState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Enrolments.Where(IsActive).Select(e => new FinancingHolding(s.CaseNumber, e.Offer.Id, e.Offer.Name, e.Offer.Provider, Of(e.Offer), e.Status));
    }

    /// <summary>The schemes an active holding of <paramref name="held"/> rules out for a new application under <paramref name="wanted"/>.</summary>
    public static bool Excludes(FinancingScheme held, FinancingScheme wanted) => (held, wanted) switch
    {
        (FinancingScheme.Kur, FinancingScheme.Kur) => true,
        (FinancingScheme.Umi, FinancingScheme.Umi) => true,
        (FinancingScheme.Kur, FinancingScheme.Umi) => true,
        (FinancingScheme.Lpdb, FinancingScheme.Lpdb) => true,
        _ => false,
    };
}
