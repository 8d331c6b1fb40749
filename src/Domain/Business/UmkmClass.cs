namespace CaseGrains.Domain.Business;

/// <summary>Business size class under PP 7/2021 art. 35. <see cref="Large"/> is outside UMKM.</summary>
public enum UmkmClass
{
    Micro,
    Small,
    Medium,
    Large,
}

/// <summary>
/// Derives the class from reported figures (never typed in). PP 7/2021 art. 35: business capital
/// (excluding land and buildings) classifies a business at establishment; for empowerment programmes
/// such as this one, annual sales is the criterion (art. 35 (5)). So: annual sales when the business has
/// reported sales, otherwise business capital. Amounts are whole rupiah.
/// </summary>
public static class UmkmClassifier
{
    public const long Billion = 1_000_000_000;

    // Upper bounds, inclusive.
    public static readonly (long Micro, long Small, long Medium) SalesLimits = (2 * Billion, 15 * Billion, 50 * Billion);
    public static readonly (long Micro, long Small, long Medium) CapitalLimits = (1 * Billion, 5 * Billion, 10 * Billion);

    public static UmkmClass BySales(long annualSalesIdr) => Classify(annualSalesIdr, SalesLimits);

    public static UmkmClass ByCapital(long capitalIdr) => Classify(capitalIdr, CapitalLimits);

    public static UmkmClass Derive(long annualSalesIdr, long capitalIdr) =>
        annualSalesIdr > 0 ? BySales(annualSalesIdr) : ByCapital(capitalIdr);

    private static UmkmClass Classify(long amount, (long Micro, long Small, long Medium) limits) =>
        amount <= limits.Micro ? UmkmClass.Micro
        : amount <= limits.Small ? UmkmClass.Small
        : amount <= limits.Medium ? UmkmClass.Medium
        : UmkmClass.Large;
}
