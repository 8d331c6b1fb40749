using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Services;

/// <summary>Enrolment in catalog offers: who may enrol, overlap at enrolment, and each later step of each offer type.</summary>
public sealed class EnrolmentTests
{
    private static CaseScenario Assessed() => CaseScenario.WithStage(Stage.Training, StageState.Active);

    private static Enrol EnrolIn(Offer offer, long? amount = null, bool acknowledge = false, SeatOutcome seat = SeatOutcome.Granted, int position = 0) =>
        new(offer, seat, position, acknowledge, amount);

    [Fact]
    public void Enrol_InACourseWithAPlace_IsEnrolled_AndCarriesTheOfferAsItWas()
    {
        var c = Assessed();

        var enrolled = ResultAssert.Accepted<Enrolled>(c.Decide(EnrolIn(TestOffers.Course(threshold: 75))));
        c.Apply(enrolled);

        var e = Assert.Single(c.State.Enrolments);
        Assert.Equal((EnrolmentStatus.Enrolled, 75), (e.Status, e.Offer.AttendanceThresholdPercent));
        Assert.Empty(enrolled.OverlapsAcknowledged);
    }

    [Fact]
    public void Enrol_WhenTheRosterIsFull_IsWaitlisted_ThenPromotedWhenAPlaceFrees()
    {
        var c = Assessed();
        c.Apply(ResultAssert.Accepted<Waitlisted>(c.Decide(EnrolIn(TestOffers.Course(), seat: SeatOutcome.Waitlisted, position: 3))));
        Assert.Equal((EnrolmentStatus.Waitlisted, 3), (c.State.Enrolments[0].Status, c.State.Enrolments[0].WaitlistPosition));
        Assert.False(c.State.Enrolments[0].HoldsSeat);
        ResultAssert.Refused(c.Decide(new CompleteTraining("course-1", 90)), "enrolment.wrong_status");

        c.Do(new PromoteFromWaitlist("course-1"));

        Assert.True(c.State.Enrolments[0].HoldsSeat);
        ResultAssert.Accepted<TrainingCompletionRecorded>(c.Decide(new CompleteTraining("course-1", 90)));
    }

    public static TheoryData<string, Func<Offer, Offer>, string> Ineligible => new()
    {
        { "ended", o => o with { Period = new(new DateOnly(2025, 1, 1), new DateOnly(2025, 3, 31)) }, "enrolment.offer_ended" },
        { "another city", o => o with { Regions = ["35.73"] }, "enrolment.region_not_covered" },
        { "another segment", o => o with { Segments = [Segment.PekerjaMigran] }, "enrolment.segment_not_targeted" },
    };

    [Theory]
    [MemberData(nameof(Ineligible))]
    public void Enrol_InAnOfferThatDoesNotServeTheCase_IsRefusedSayingWhy(string why, Func<Offer, Offer> change, string code)
    {
        var c = Assessed();

        var refusal = ResultAssert.Refused(c.Decide(EnrolIn(change(TestOffers.Course()))), code, "offerId");

        Assert.False(string.IsNullOrEmpty(why));
        Assert.Contains("Pelatihan Pembukuan", refusal.English, StringComparison.Ordinal);
    }

    [Fact]
    public void Enrol_TwiceInTheSameOffer_IsRefused_ButAfterWithdrawingItIsAllowedAgain()
    {
        var c = Assessed().Enrol(TestOffers.Course());

        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Course())), "enrolment.already_enrolled");
        c.Do(new WithdrawEnrolment("course-1", "Jadwal bentrok"));

        ResultAssert.Accepted<Enrolled>(c.Decide(EnrolIn(TestOffers.Course())));
    }

    [Fact]
    public void Enrol_InAnOverlappingCourse_WithoutAcknowledging_IsRefusedNamingTheOtherOffer_AndWithIt_RecordsTheWarning()
    {
        var pusat = TestOffers.Course("dm-pusat", "Pemasaran Digital", provider: "Kemenkop UKM", level: OfferLevel.Pusat, region: "35");
        var kota = TestOffers.Course("dm-kota", "Pemasaran Digital");
        var c = Assessed().Enrol(pusat);

        var warning = ResultAssert.Refused(c.Decide(EnrolIn(kota)), "enrolment.overlap_unacknowledged", "acknowledgeOverlap");
        Assert.Contains("Kemenkop UKM, pusat", warning.Indonesian, StringComparison.Ordinal);
        Assert.Equal("dm-pusat", warning.Details["overlappingOfferIds"]);

        var enrolled = ResultAssert.Accepted<Enrolled>(c.Decide(EnrolIn(kota, acknowledge: true)));
        Assert.Equal(["dm-pusat"], enrolled.OverlapsAcknowledged);
    }

    [Fact]
    public void Enrol_InOverlappingFinancing_IsRefusedEvenWhenAcknowledged_UntilTheFirstIsRepaid()
    {
        var bri = TestOffers.Kur("kur-bri", "Bank BRI");
        var jatim = TestOffers.Kur("kur-jatim", "Bank Jatim");
        var c = Assessed().Enrol(bri, 10_000_000).Do(new DecideFinancing("kur-bri", true, 10_000_000, null))
            .Do(new DisburseFinancing("kur-bri", 10_000_000, CaseScenario.SessionDate));

        var refusal = ResultAssert.Refused(c.Decide(EnrolIn(jatim, 5_000_000, acknowledge: true)), "enrolment.financing_overlap");
        Assert.Contains("Bank BRI", refusal.English, StringComparison.Ordinal);

        c.Do(new RecordRepayment("kur-bri", RepaymentStatus.Repaid));
        ResultAssert.Accepted<FinancingApplied>(c.Decide(EnrolIn(jatim, 5_000_000)));
    }

    [Fact]
    public void AFinancingApplicationRejected_DoesNotCountAsHeld()
    {
        var c = Assessed().Enrol(TestOffers.Kur("kur-bri", "Bank BRI"), 10_000_000).Do(new DecideFinancing("kur-bri", false, null, "Riwayat kredit"));

        ResultAssert.Accepted<FinancingApplied>(c.Decide(EnrolIn(TestOffers.Kur("kur-jatim", "Bank Jatim"), 5_000_000)));
    }

    public static TheoryData<long?, UmkmClass[], string, string> FinancingRefusals => new()
    {
        { null, [UmkmClass.Micro], "input.required", "amountIdr" },
        { 999_999, [UmkmClass.Micro], "financing.amount_out_of_range", "amountIdr" },
        { 50_000_001, [UmkmClass.Micro], "financing.amount_out_of_range", "amountIdr" },
        { 10_000_000, [UmkmClass.Medium], "financing.class_not_eligible", "offerId" },
    };

    [Theory]
    [MemberData(nameof(FinancingRefusals))]
    public void ApplyingForFinancing_OutsideTheProductsTerms_IsRefused(long? amount, UmkmClass[] classes, string code, string field)
    {
        var c = Assessed();

        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Kur(classes: classes), amount)), code, field);
    }

    /// <summary>The refusal once showed the classes' enum names in Indonesian ("kelas Micro/Small"); the journey properties met it in plain-words reading.</summary>
    [Fact]
    public void ApplyingForFinancing_OutsideTheProductsClasses_NamesTheClassesInWords()
    {
        var c = Assessed().Do(new CorrectAssessment("Kuliner", 20_000_000_000, 50_000_000, 2, ["Pemasaran digital"], "Omzet salah ketik"));

        var refusal = ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Kur(), 10_000_000)), "financing.class_not_eligible", "offerId");

        Assert.Equal("'KUR Mikro' hanya untuk usaha mikro atau usaha kecil; usaha ini usaha menengah.", refusal.Indonesian);
        Assert.Equal("'KUR Mikro' is only for a micro business or small business; this one is a medium business.", refusal.English);
    }

    [Fact]
    public void ApplyingForFinancing_BeforeTheAssessment_IsRefused_TheClassIsNotKnown()
    {
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);

        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Kur(), 10_000_000)), "financing.profile_missing");
    }

    [Fact]
    public void TheFinancingPipeline_GoesAppliedApprovedDisbursedRepaid_WithExactAmounts()
    {
        var c = Assessed().Enrol(TestOffers.Kur(), 45_000_000);

        ResultAssert.Refused(c.Decide(new DecideFinancing("kur-1", true, null, null)), "input.required", "plafondIdr");
        ResultAssert.Refused(c.Decide(new DecideFinancing("kur-1", true, 50_000_001, null)), "input.out_of_range", "plafondIdr");
        ResultAssert.Refused(c.Decide(new DisburseFinancing("kur-1", 1, CaseScenario.SessionDate)), "enrolment.wrong_status");
        c.Do(new DecideFinancing("kur-1", true, 40_000_000, null));
        ResultAssert.Refused(c.Decide(new DisburseFinancing("kur-1", 40_000_001, CaseScenario.SessionDate)), "input.out_of_range", "amountIdr");
        ResultAssert.Refused(c.Decide(new RecordRepayment("kur-1", RepaymentStatus.Late)), "enrolment.wrong_status");
        c.Do(new DisburseFinancing("kur-1", 39_999_999, CaseScenario.SessionDate));
        c.Do(new RecordRepayment("kur-1", RepaymentStatus.Late));

        var e = Assert.Single(c.State.Enrolments);
        Assert.Equal((45_000_000L, 40_000_000L, 39_999_999L, RepaymentStatus.Late), (e.AmountIdr!.Value, e.PlafondIdr!.Value, e.DisbursedIdr!.Value, e.Repayment!.Value));
        Assert.Equal(39_999_999, Assert.Single(c.State.Financing).AmountIdr);
        c.Do(new RecordRepayment("kur-1", RepaymentStatus.Repaid));
        ResultAssert.Refused(c.Decide(new RecordRepayment("kur-1", RepaymentStatus.Current)), "enrolment.not_found");
    }

    [Fact]
    public void AReferral_IsOfferedWithADeadline_AndAPartnersDeclineCountsAsADeclinedMatch()
    {
        var c = CaseScenario.WithStage(Stage.Matching, StageState.Active);
        var offered = ResultAssert.Accepted<ReferralOffered>(c.Decide(EnrolIn(TestOffers.Buyer())));
        Assert.Equal(c.Context.Now + JourneyPolicy.Default.ReferralResponseTime, offered.RespondBy);
        c.Apply(offered);

        ResultAssert.Refused(c.Decide(new RespondToReferral("buyer-1", false, " ")), "input.required", "reason");
        ResultAssert.Refused(c.Decide(new ReportReferralOutcome("buyer-1", MatchOutcome.Contracted, null)), "enrolment.wrong_status");
        c.Do(new RespondToReferral("buyer-1", false, "Kapasitas produksi belum cukup"));

        Assert.Equal(new MatchRecord("Koperasi Apel Batu", MatchOutcome.Declined, "Kapasitas produksi belum cukup"), Assert.Single(c.State.Matches));
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Matching)));
    }

    [Fact]
    public void TheReferralDeadline_IsDueAfterTheResponseTime_OnceOnly_AndNotAfterAnAnswer()
    {
        var c = CaseScenario.WithStage(Stage.Matching, StageState.Active).Enrol(TestOffers.Buyer());
        var respondBy = c.State.LastEnrolment("buyer-1").RespondBy!.Value;

        var before = EnrolmentDecider.NextReferralDeadline(c.State, respondBy.AddSeconds(-1));
        Assert.Null(before.Due);
        Assert.Equal(respondBy, before.At);
        var (due, _) = EnrolmentDecider.NextReferralDeadline(c.State, respondBy);
        Assert.Equal(new ReferralResponseOverdue("buyer-1", respondBy), due);
        c.Apply(due!);
        var after = EnrolmentDecider.NextReferralDeadline(c.State, respondBy.AddDays(1));
        Assert.Null(after.Due);
        Assert.Null(after.At);
        Assert.True(c.State.LastEnrolment("buyer-1").ResponseOverdue);

        // A late answer is still taken.
        ResultAssert.Accepted<ReferralAccepted>(c.Decide(new RespondToReferral("buyer-1", true, null)));
    }

    public static TheoryData<CaseCommand, string> StepsOnTheWrongOffer => new()
    {
        { new CompleteTraining("nope", 90), "enrolment.not_found" },
        { new CompleteTraining("buyer-1", 90), "enrolment.wrong_type" },
        { new CompleteTraining("course-9", 101), "input.out_of_range" },
        { new CompleteProgramme("course-9", null), "enrolment.wrong_type" },
        { new RespondToReferral("course-9", true, null), "enrolment.wrong_type" },
        { new DecideFinancing("buyer-1", true, 1, null), "enrolment.wrong_type" },
        { new WithdrawEnrolment("course-9", ""), "input.required" },
        { new WithdrawEnrolment("", "alasan"), "input.required" },
    };

    [Theory]
    [MemberData(nameof(StepsOnTheWrongOffer))]
    public void AStep_OnAnOfferTheCaseIsNotInOrOfAnotherType_IsRefused(CaseCommand command, string code)
    {
        var c = CaseScenario.WithStage(Stage.Matching, StageState.Active).Enrol(TestOffers.Course("course-9")).Enrol(TestOffers.Buyer());

        ResultAssert.Refused(c.Decide(command), code);
    }

    [Fact]
    public void AMentoringProgramme_Completes_AndGivesItsPlaceBack_WhileACompletedCourseKeepsItsSeat()
    {
        var c = Assessed().Enrol(TestOffers.Programme()).Enrol(TestOffers.Course());

        c.Do(new CompleteProgramme("programme-1", "Selesai 6 bulan")).Do(new CompleteTraining("course-1", 85));

        Assert.All(c.State.Enrolments, e => Assert.Equal(EnrolmentStatus.Completed, e.Status));
        Assert.Equal([false, true], c.State.Enrolments.Select(e => e.HoldsSeat));
    }
}
