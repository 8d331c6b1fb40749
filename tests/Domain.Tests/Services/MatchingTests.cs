using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Services;

/// <summary>Matching ranks by named, integer score parts; ineligible candidates are left out; ties go to the lower id.</summary>
public sealed class MatchingTests
{
    // Kecamatan Batu (35.79.01), sector Kuliner, needs "Pemasaran digital", Small class (turnover Rp300 juta is Micro; see CaseScenario).
    private static CaseScenario Assessed() => CaseScenario.WithStage(Stage.Training, StageState.Active);

    private static int Points(Candidate c, string code) => c.Reasons.Single(r => r.Code == code).Points;

    [Fact]
    public void Mentors_AreRankedBySectorRegionFreeCapacityAndBalance_WithEveryPointExplained()
    {
        var c = Assessed().State;
        MentorInfo[] mentors =
        [
            new("m.kuliner.batu", "A", ["Kuliner"], ["35.79.01"], 10, 5),
            new("m.kuliner.kota", "B", ["kuliner"], ["35.79"], 10, 0),
            new("m.kriya.batu", "C", ["Kriya"], ["35.79.01"], 10, 0),
            new("m.full", "D", ["Kuliner"], ["35.79.01"], 3, 3),
            new("m.surabaya", "E", ["Kuliner"], ["35.78"], 10, 0),
            new("m.jakarta", "F", ["Kuliner"], ["31.71"], 10, 0),
        ];

        var ranked = Matching.Mentors(c, mentors);

        // Surabaya shares only the province but the sector: 40 + 10 + 20 + 10 = 80 beats Kriya in Batu (0 + 30 + 20 + 10 = 60).
        Assert.Equal(["m.kuliner.kota", "m.kuliner.batu", "m.surabaya", "m.kriya.batu"], ranked.Select(r => r.Id));
        var first = ranked[0];
        Assert.Equal((40, 20, 20, 10), (Points(first, "sector"), Points(first, "region"), Points(first, "free_capacity"), Points(first, "caseload_balance")));
        var second = ranked[1];
        Assert.Equal((40, 30, 10, 0), (Points(second, "sector"), Points(second, "region"), Points(second, "free_capacity"), Points(second, "caseload_balance")));
        Assert.All(ranked, r => Assert.Equal(r.Score, r.Reasons.Sum(x => x.Points)));
        Assert.Equal(10, Points(ranked[2], "region"));
    }

    [Fact]
    public void Courses_FollowTheAssessedNeeds_AndLocalOffersRankAboveNationalOnes_AndOverlapsArePenalised()
    {
        var c = Assessed().Enrol(TestOffers.Course("dm-pusat", "Pemasaran Digital", provider: "Kemenkop", level: OfferLevel.Pusat, region: Offer.National)).State;
        OfferInfo[] catalog =
        [
            new(TestOffers.Course("dm-kota", "Pemasaran Digital"), 5),
            new(TestOffers.Course("books", "Pembukuan"), 5),
            new(TestOffers.Course("dm-basic", "Digital"), 0),
            new(TestOffers.Course("old", "Pemasaran Digital", period: new(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31))), 5),
            new(TestOffers.Course("malang", "Pemasaran Digital", region: "35.73"), 5),
            new(TestOffers.Buyer(), 5),
        ];

        var ranked = Matching.Offers(c, CandidateKind.Course, catalog, CaseScenario.ContextWith().Now, null);

        // dm-kota 40 + 20 + 20 + 10 − 30 = 60 ties with dm-basic 25 + 20 + 5 + 10 = 60: the lower id goes first.
        Assert.Equal(["dm-basic", "dm-kota", "books"], ranked.Select(r => r.Id));
        Assert.Equal([60, 60, 50], ranked.Select(r => r.Score));
        Assert.Equal((40, 20, 20, 10, -30), (Points(ranked[1], "need"), Points(ranked[1], "region"), Points(ranked[1], "seats"), Points(ranked[1], "period"), Points(ranked[1], "overlap")));
        Assert.Equal((25, 5), (Points(ranked[0], "need"), Points(ranked[0], "seats")));
        Assert.Contains("Kemenkop", ranked[1].Reasons.Single(r => r.Code == "overlap").English, StringComparison.Ordinal);
    }

    [Fact]
    public void Financing_LeavesOutIneligibleClassesAmountsAndOverlaps_AndScoresTheAmount()
    {
        var c = Assessed().State;
        OfferInfo[] catalog =
        [
            new(TestOffers.Kur("kur-mikro"), 10),
            new(TestOffers.Kur("kur-kecil", min: 50_000_001, max: 500_000_000), 10),
            new(TestOffers.Kur("lpdb-medium", classes: [UmkmClass.Medium]), 10),
            new(TestOffers.Kur("umi", max: 10_000_000) with { Category = "UMi", Sectors = ["Kuliner"] }, 10),
            new(TestOffers.Kur("quota-gone", provider: "Bank X") with { Category = "Hibah" }, 0),
        ];

        var withAmount = Matching.Offers(c, CandidateKind.Financing, catalog, CaseScenario.ContextWith().Now, 8_000_000);
        var withoutAmount = Matching.Offers(c, CandidateKind.Financing, catalog, CaseScenario.ContextWith().Now, null);

        Assert.Equal(["umi", "kur-mikro"], withAmount.Select(r => r.Id));
        Assert.Equal((40, 30), (Points(withAmount[0], "sector"), Points(withAmount[0], "amount")));
        Assert.Equal(["umi", "kur-kecil", "kur-mikro"], withoutAmount.Select(r => r.Id));
    }

    [Fact]
    public void Partners_ScoreTheSector_AndTheSameInputsGiveTheSameRanking()
    {
        var c = Assessed().State;
        OfferInfo[] catalog =
        [
            new(TestOffers.Buyer("b-any", sectors: []), 3),
            new(TestOffers.Buyer("b-kuliner"), 3),
            new(TestOffers.Buyer("b-kriya", sectors: ["Kriya"]), 3),
            new(TestOffers.Buyer("b-full"), 0),
        ];

        var first = Matching.Offers(c, CandidateKind.Partner, catalog, CaseScenario.ContextWith().Now, null);
        var again = Matching.Offers(c, CandidateKind.Partner, catalog.Reverse(), CaseScenario.ContextWith().Now, null);

        Assert.Equal(["b-kuliner", "b-any", "b-kriya"], first.Select(r => r.Id));
        Assert.Equal(first.Select(r => (r.Id, r.Score)), again.Select(r => (r.Id, r.Score)));
    }
}
