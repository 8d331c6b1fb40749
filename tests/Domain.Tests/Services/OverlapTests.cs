using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Tests.Services;

public sealed class OverlapTests
{
    private static readonly OfferPeriod Year2026 = new(new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));

    private static Offer Course(string id, string provider, OfferLevel level, string region, string category = "Pemasaran Digital",
        OfferPeriod? period = null, Segment[]? segments = null, OfferType type = OfferType.Training) => new()
    {
        Id = id,
        Name = $"Kursus {id}",
        Type = type,
        Category = category,
        Provider = provider,
        Level = level,
        Segments = segments ?? [Segment.Umkm],
        Regions = [region],
        Period = period ?? Year2026,
        Capacity = 30,
        Financing = type == OfferType.FinancingProduct ? new FinancingTerms(1_000_000, 50_000_000, [UmkmClass.Micro]) : null,
    };

    [Fact]
    public void EquivalentOffers_FromAnotherLevel_InACommonRegionAndPeriod_Overlap()
    {
        var pusat = Course("pusat-1", "Kemenkop", OfferLevel.Pusat, "35");
        var kota = Course("batu-1", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79");

        Assert.True(Overlap.Overlaps(pusat, kota));
        Assert.True(Overlap.Overlaps(kota, pusat));
    }

    [Theory]
    [InlineData("category")]
    [InlineData("type")]
    [InlineData("segment")]
    [InlineData("region")]
    [InlineData("period")]
    [InlineData("same provider and level")]
    [InlineData("same offer")]
    public void Offers_DoNotOverlap_WhenOneConditionFails(string difference)
    {
        var a = Course("a", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79");
        var b = difference switch
        {
            "category" => Course("b", "Kemenkop", OfferLevel.Pusat, "35", category: "Pembukuan"),
            "type" => Course("b", "Kemenkop", OfferLevel.Pusat, "35", type: OfferType.MentoringProgramme),
            "segment" => Course("b", "Kemenkop", OfferLevel.Pusat, "35", segments: [Segment.PekerjaMigran]),
            "region" => Course("b", "Dinas Koperasi Kota Malang", OfferLevel.KabKota, "35.73"),
            "period" => Course("b", "Kemenkop", OfferLevel.Pusat, "35", period: new(new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30))),
            "same provider and level" => Course("b", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79.01"),
            "same offer" => a,
            _ => throw new ArgumentOutOfRangeException(nameof(difference)),
        };

        Assert.False(Overlap.Overlaps(a, b));
    }

    [Fact]
    public void Categories_AreComparedIgnoringCaseAndSpacing_AndPeriodsAreInclusive()
    {
        var a = Course("a", "Kemenkop", OfferLevel.Pusat, "35", category: "Pemasaran  Digital ", period: new(new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31)));
        var b = Course("b", "Dinas Kota Batu", OfferLevel.KabKota, "35.79.01.2001", category: "pemasaran digital", period: new(new DateOnly(2026, 3, 31), new DateOnly(2026, 6, 30)));

        Assert.True(Overlap.Overlaps(a, b));
    }

    [Fact]
    public void EnrollingInFinancingThatOverlapsAnActiveOne_IsRefused_NamingTheOfferProviderAndLevel()
    {
        var kurBri = Course("kur-bri", "Bank BRI", OfferLevel.Partner, "35", category: "KUR Mikro", type: OfferType.FinancingProduct) with { PartnerRole = HexaHelixRole.Business };
        var kurBank = Course("kur-jatim", "Bank Jatim", OfferLevel.Partner, "35.79", category: "KUR Mikro", type: OfferType.FinancingProduct) with { PartnerRole = HexaHelixRole.Business };

        var check = Overlap.CheckEnrolment(kurBank, [kurBri]);

        Assert.Equal("enrolment.financing_overlap", check.Refusal!.Code);
        Assert.Contains("Bank BRI", check.Refusal.Indonesian, StringComparison.Ordinal);
        Assert.Contains("partner)", check.Refusal.English, StringComparison.Ordinal);
        Assert.Equal("kur-bri", check.Refusal.Details["overlappingOfferIds"]);
        Assert.False(check.NeedsAcknowledgement);
    }

    [Fact]
    public void EnrollingInACourseThatOverlapsAnActiveOne_IsAWarningToAcknowledge_AndAClearOneIsClear()
    {
        var pusat = Course("pusat-1", "Kemenkop", OfferLevel.Pusat, "35");
        var kota = Course("batu-1", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79");
        var other = Course("batu-2", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79", category: "Pembukuan");

        var warned = Overlap.CheckEnrolment(kota, [pusat]);
        var clear = Overlap.CheckEnrolment(other, [pusat]);

        Assert.Null(warned.Refusal);
        Assert.True(warned.NeedsAcknowledgement);
        Assert.Equal([pusat], warned.Overlapping);
        Assert.Same(EnrolmentCheck.Clear, clear);
    }

    [Fact]
    public void TheRedundancyMapOfKotaBatu_ListsExactlyThePlantedOverlapSets()
    {
        // Three basic digital-marketing courses reaching Kota Batu from Pusat, Provinsi and Kota; two KUR products;
        // plus offers that overlap nothing, and one in another city.
        Offer[] catalog =
        [
            Course("dm-pusat", "Kemenkop", OfferLevel.Pusat, "35"),
            Course("dm-prov", "Dinas Koperasi Jawa Timur", OfferLevel.Provinsi, "35"),
            Course("dm-kota", "Dinas Koperasi Kota Batu", OfferLevel.KabKota, "35.79"),
            Course("kur-1", "Bank BRI", OfferLevel.Partner, "35", category: "KUR Mikro", type: OfferType.FinancingProduct),
            Course("kur-2", "Bank Jatim", OfferLevel.Partner, "35.79.02", category: "KUR Mikro", type: OfferType.FinancingProduct),
            Course("books", "Universitas Brawijaya", OfferLevel.Partner, "35.79", category: "Pembukuan"),
            Course("dm-malang", "Dinas Koperasi Kota Malang", OfferLevel.KabKota, "35.73"),
        ];

        var map = Overlap.RedundancyMap(catalog, "35.79");

        Assert.Equal(2, map.Count);
        Assert.Equal(["dm-kota", "dm-prov", "dm-pusat"], map[0].Select(o => o.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["kur-1", "kur-2"], map[1].Select(o => o.Id));
    }
}
