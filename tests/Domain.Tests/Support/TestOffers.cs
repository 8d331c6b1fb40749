using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>Catalog offers for tests, reaching Kota Batu (35.79) for the whole of 2025 (the scenario's year).</summary>
internal static class TestOffers
{
    public static readonly OfferPeriod Year2025 = new(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));

    public static Offer Course(string id = "course-1", string category = "Pembukuan", int? threshold = null, string provider = "Dinas Koperasi Kota Batu",
        OfferLevel level = OfferLevel.KabKota, string region = "35.79", int capacity = 30, OfferPeriod? period = null) => new()
    {
        Id = id,
        Name = $"Pelatihan {category} ({id})",
        Type = OfferType.Training,
        Category = category,
        Provider = provider,
        Level = level,
        Segments = [Segment.Umkm, Segment.Koperasi, Segment.EkonomiKreatif, Segment.PekerjaMigran],
        Regions = [region],
        Period = period ?? Year2025,
        Capacity = capacity,
        AttendanceThresholdPercent = threshold,
    };

    public static Offer Programme(string id = "programme-1") => Course(id, "Pendampingan usaha") with { Type = OfferType.MentoringProgramme, Name = "Pendampingan usaha" };

    public static Offer Buyer(string id = "buyer-1", string provider = "Koperasi Apel Batu", string[]? sectors = null) => Course(id, "Pembeli apel olahan", provider: provider) with
    {
        Type = OfferType.Matchmaking,
        Name = "Pasokan apel olahan",
        Level = OfferLevel.Partner,
        PartnerRole = HexaHelixRole.Business,
        Sectors = sectors ?? ["Kuliner"],
    };

    public static Offer Kur(string id = "kur-1", string provider = "Bank Jatim", long min = 1_000_000, long max = 50_000_000, UmkmClass[]? classes = null) =>
        Course(id, "KUR Mikro", provider: provider) with
        {
            Type = OfferType.FinancingProduct,
            Name = "KUR Mikro",
            Level = OfferLevel.Partner,
            PartnerRole = HexaHelixRole.Business,
            Financing = new FinancingTerms(min, max, classes ?? [UmkmClass.Micro, UmkmClass.Small]),
        };
}
