using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Services;

/// <summary>The scheme rules follow the debtor across products, banks and cases, not the offer's free-text category.</summary>
public sealed class FinancingSchemeTests
{
    [Theory]
    [InlineData("KUR Mikro", "KUR Mikro BRI", FinancingScheme.Kur)]
    [InlineData("KUR Super Mikro", "KUR Super Mikro Bank Jatim", FinancingScheme.Kur)]
    [InlineData("Kredit Usaha Rakyat Kecil", "Kredit BNI", FinancingScheme.Kur)]
    [InlineData("UMi", "Pembiayaan Ultra Mikro", FinancingScheme.Umi)]
    [InlineData("Dana Bergulir", "Dana Bergulir LPDB untuk Koperasi", FinancingScheme.Lpdb)]
    [InlineData("Pinjaman koperasi", "Pinjaman Anggota Koperasi Apel", FinancingScheme.Other)]
    [InlineData("Hibah", "Hibah Kurasi Produk", FinancingScheme.Other)]
    public void TheScheme_ComesFromTheCategoryOrTheName(string category, string name, FinancingScheme scheme)
    {
        Assert.Equal(scheme, FinancingSchemes.Of(TestOffers.Kur() with { Category = category, Name = name }));
    }

    private static Offer SuperMikro => TestOffers.Kur("kur-sm", "Bank Jatim", max: 10_000_000) with { Category = "KUR Super Mikro", Name = "KUR Super Mikro Bank Jatim" };

    private static Offer Umi => TestOffers.Kur("umi-1", "Pusat Investasi Pemerintah", max: 10_000_000) with { Category = "UMi", Name = "Pembiayaan Ultra Mikro" };

    private static Offer Lpdb(string id = "lpdb-1") => TestOffers.Kur(id, "LPDB-KUMKM") with { Category = "Dana Bergulir", Name = $"Dana Bergulir LPDB ({id})" };

    private static CaseScenario InFinancing() => CaseScenario.WithStage(Stage.Financing, StageState.Active);

    [Fact]
    public void ASecondKur_OfAnotherProductAndBank_OnTheSameCase_IsRefused_WhileTheFirstIsActive()
    {
        var c = InFinancing().Enrol(TestOffers.Kur(), 20_000_000);

        var refusal = ResultAssert.Refused(c.Decide(new Enrol(SuperMikro, SeatOutcome.Granted, 0, false, 5_000_000)), "financing.scheme_active", "offerId");

        Assert.Contains("pada kasus ini", refusal.Indonesian, StringComparison.Ordinal);
        Assert.Contains("one active KUR", refusal.English, StringComparison.Ordinal);
        Assert.Equal("Kur", refusal.Details["scheme"]);
    }

    [Fact]
    public void AnActiveKurOnAnotherCaseOfThePerson_RefusesKurAndUmi_ButNotLpdb()
    {
        var c = InFinancing();
        IReadOnlyList<FinancingHolding> elsewhere = [new("PBC-2024-000009", "kur-9", "KUR Mikro BRI", "Bank BRI", FinancingScheme.Kur, EnrolmentStatus.Disbursed)];

        var kur = ResultAssert.Refused(c.Decide(new Enrol(SuperMikro, SeatOutcome.Granted, 0, false, 5_000_000, elsewhere)), "financing.scheme_active");
        var umi = ResultAssert.Refused(c.Decide(new Enrol(Umi, SeatOutcome.Granted, 0, false, 5_000_000, elsewhere)), "financing.scheme_active");
        ResultAssert.Accepted<FinancingApplied>(c.Decide(new Enrol(Lpdb(), SeatOutcome.Granted, 0, false, 20_000_000, elsewhere)));

        Assert.Contains("pada kasus lain penerima manfaat ini", kur.Indonesian, StringComparison.Ordinal);
        Assert.DoesNotContain("PBC-2024-000009", kur.Indonesian, StringComparison.Ordinal);
        Assert.Contains("UMi", umi.English, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectedWithdrawnAndRepaidFinancing_NoLongerBindsTheDebtor()
    {
        var rejected = InFinancing().Enrol(TestOffers.Kur(), 20_000_000).Do(new DecideFinancing("kur-1", false, null, "Agunan kurang"));
        var repaid = InFinancing().Enrol(TestOffers.Kur(), 20_000_000).Do(new DecideFinancing("kur-1", true, 20_000_000, null))
            .Do(new DisburseFinancing("kur-1", 20_000_000, CaseScenario.SessionDate.AddDays(20))).Do(new RecordRepayment("kur-1", RepaymentStatus.Repaid));

        ResultAssert.Accepted<FinancingApplied>(rejected.Decide(new Enrol(SuperMikro, SeatOutcome.Granted, 0, false, 5_000_000)));
        ResultAssert.Accepted<FinancingApplied>(repaid.Decide(new Enrol(SuperMikro, SeatOutcome.Granted, 0, false, 5_000_000)));
        Assert.Empty(FinancingSchemes.HeldBy(repaid.State));
    }

    [Fact]
    public void UmiAndLpdb_EachAllowOneActiveAtATime()
    {
        var umi = InFinancing().Enrol(Umi, 5_000_000);
        var lpdb = InFinancing().Enrol(Lpdb(), 20_000_000);

        ResultAssert.Refused(umi.Decide(new Enrol(Umi with { Id = "umi-2" }, SeatOutcome.Granted, 0, false, 5_000_000)), "financing.scheme_active");
        ResultAssert.Refused(lpdb.Decide(new Enrol(Lpdb("lpdb-2"), SeatOutcome.Granted, 0, false, 20_000_000)), "financing.scheme_active");
        // An active UMi does not bar KUR (graduating from UMi to KUR is the programme's intent).
        ResultAssert.Accepted<FinancingApplied>(umi.Decide(new Enrol(TestOffers.Kur(), SeatOutcome.Granted, 0, false, 20_000_000)));
    }
}
