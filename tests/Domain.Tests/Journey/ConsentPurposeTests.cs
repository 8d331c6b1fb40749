using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// Consent per purpose (issue 19, deliverable 1): what each purpose covers, what its withdrawal stops at once, and that
/// the case record stays.
/// </summary>
public sealed class ConsentPurposeTests
{
    private static readonly DateOnly Withdrawn = DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(20);

    private static WithdrawConsent Withdraw(params ConsentPurpose[] purposes) =>
        new(purposes, "Surat penarikan persetujuan ditandatangani", Withdrawn, "Bu Rina (kader desa)", "Tidak ingin didampingi lagi");

    private static CaseScenario Mentored() => CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone();

    private static Enrol EnrolIn(Offer offer, long? amount = null) => new(offer, SeatOutcome.Granted, 0, false, amount);

    [Fact]
    public void TheIntakesConsent_AndAConsentWithoutPurposes_CoverEveryPurpose()
    {
        Assert.Equal(ConsentPurposes.All, CaseScenario.Open().State.ConsentedPurposes);

        var late = CaseScenario.Open(consentGiven: false);
        Assert.Empty(late.State.ConsentedPurposes);
        late.Do(new RecordConsent("Tanda tangan basah"));
        Assert.Equal(ConsentPurposes.All, late.State.ConsentedPurposes);
        Assert.True(late.State.HasConsent);
    }

    [Fact]
    public void AConsentForSomePurposes_CoversThoseOnly_AndMentoringWithoutTheJourneyIsRefused()
    {
        var c = CaseScenario.Open(consentGiven: false);
        ResultAssert.Refused(c.Decide(new RecordConsent("Tanda tangan basah", Purposes: [ConsentPurpose.Mentoring])), "consent.case_management_required", "purposes");

        var recorded = ResultAssert.Accepted<ConsentRecorded>(c.Decide(new RecordConsent("Tanda tangan basah", Purposes: [ConsentPurpose.Mentoring, ConsentPurpose.CaseManagement])));
        Assert.Equal([ConsentPurpose.CaseManagement, ConsentPurpose.Mentoring], recorded.Purposes);
        c.Apply(recorded);
        Assert.True(c.State.HasConsent);
        Assert.False(c.State.Consents(ConsentPurpose.PartnerSharing));
        Assert.Equal("consent.missing", c.Decide(EnrolIn(TestOffers.Buyer())).Refusal?.Code);
    }

    [Fact]
    public void WithdrawingMentoring_EndsTheAssignment_AndRefusesEveryMentoringStep_WhileTheJourneyGoesOn()
    {
        var c = Mentored();
        Assert.NotNull(c.State.MentorId);

        var withdrawn = ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.Mentoring)));
        c.Apply(withdrawn);

        Assert.Null(c.State.MentorId);
        Assert.Equal([ConsentPurpose.CaseManagement, ConsentPurpose.PartnerSharing], c.State.ConsentedPurposes);
        Assert.Equal("Surat penarikan persetujuan ditandatangani", c.State.Withdrawal?.Method);
        var refusal = ResultAssert.Refused(c.Decide(new AssignMentor("mentor-8")), "consent.withdrawn");
        Assert.Equal("Mentoring", refusal.Details["purpose"]);
        ResultAssert.Refused(c.Decide(new LogMentoringSession(CaseScenario.SessionDate, "Pembukuan", null, null)), "consent.withdrawn");
        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Programme())), "consent.withdrawn", "offerId");

        // The journey itself goes on: the mentoring stage is skipped with its reason, and sharing still works.
        ResultAssert.Accepted<StageSkipped>(c.Decide(new SkipStage(Stage.Mentoring, "Penerima manfaat menarik persetujuan pendampingan")));
        ResultAssert.Accepted<NoteAdded>(c.Decide(new AddNote("Menelepon penerima manfaat")));
    }

    [Fact]
    public void WithdrawingSharing_RefusesPartnersAndLenders_ButNotGovernmentTraining()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        c.Apply(ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.PartnerSharing))));

        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Buyer())), "consent.withdrawn", "offerId");
        ResultAssert.Refused(c.Decide(EnrolIn(TestOffers.Kur(), 10_000_000)), "consent.withdrawn", "offerId");
        ResultAssert.Accepted<Enrolled>(c.Decide(EnrolIn(TestOffers.Course())));
        Assert.True(c.State.Consents(ConsentPurpose.Mentoring));
    }

    [Fact]
    public void AWithdrawal_AlsoStopsWhatWasUnderWay_APlaceFreedLater_AndAPartnersHandshake()
    {
        var waiting = CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new Enrol(TestOffers.Programme(), SeatOutcome.Waitlisted, 1, false, null));
        waiting.Apply(ResultAssert.Accepted<ConsentWithdrawn>(waiting.Decide(Withdraw(ConsentPurpose.Mentoring))));
        ResultAssert.Refused(waiting.Decide(new PromoteFromWaitlist("programme-1")), "consent.withdrawn", "offerId");

        var referred = CaseScenario.WithStage(Stage.Matching, StageState.Active).Enrol(TestOffers.Buyer());
        referred.Apply(ResultAssert.Accepted<ConsentWithdrawn>(referred.Decide(Withdraw(ConsentPurpose.PartnerSharing))));
        ResultAssert.Refused(referred.Decide(new RespondToReferral("buyer-1", true, null)), "consent.withdrawn", "offerId");
        ResultAssert.Accepted<ReferralDeclined>(referred.Decide(new RespondToReferral("buyer-1", false, "Penerima manfaat menarik persetujuan berbagi data")));
    }

    [Fact]
    public void WithdrawingCaseManagement_EndsEveryPurpose_StopsTheJourney_AndKeepsTheRecordClosable()
    {
        var c = Mentored();
        c.Apply(ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.CaseManagement))));

        Assert.Empty(c.State.ConsentedPurposes);
        Assert.False(c.State.HasConsent);
        Assert.Null(c.State.MentorId);
        Assert.Equal(CaseStatus.Open, c.State.Status);
        ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Mentoring)), "consent.withdrawn");
        ResultAssert.Refused(c.Decide(new SkipStage(Stage.Mentoring, "x")), "consent.withdrawn");
        ResultAssert.Refused(c.Decide(new RecordOutcomes(1, 1, 1)), "consent.withdrawn");
        ResultAssert.Accepted<NoteAdded>(c.Decide(new AddNote("Penerima manfaat menarik diri dari program")));
        ResultAssert.Accepted<ClosureRequested>(c.Decide(new RequestClosure(CloseReason.DroppedOut, null, "cw-1")));
        ResultAssert.Accepted<CaseClosed>(c.Decide(new CloseCase(CloseReason.DroppedOut, null)));
    }

    [Fact]
    public void ConsentGivenAgain_RestoresThePurpose()
    {
        var c = Mentored();
        c.Apply(ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.Mentoring))));
        c.Do(new RecordConsent("Tanda tangan basah", Purposes: [ConsentPurpose.Mentoring]));

        Assert.Equal(ConsentPurposes.All, c.State.ConsentedPurposes);
        ResultAssert.Accepted<MentorAssigned>(c.Decide(new AssignMentor("mentor-8")));
    }

    [Fact]
    public void AClosedCase_MayStillHaveItsConsentWithdrawn()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).Do(new CloseCase(CloseReason.DroppedOut, null));
        ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.PartnerSharing)));
    }

    public static TheoryData<WithdrawConsent, string, string> BadWithdrawals => new()
    {
        { Withdraw(),                                                                          "input.required",            "purposes" },
        { Withdraw(ConsentPurpose.Mentoring, ConsentPurpose.Mentoring),                        "input.out_of_range",        "purposes" },
        { Withdraw((ConsentPurpose)7),                                                         "input.out_of_range",        "purposes" },
        { Withdraw(ConsentPurpose.Mentoring) with { Method = " " },                           "input.required",            "method" },
        { Withdraw(ConsentPurpose.Mentoring) with { Witness = "\u200b\u200e" },               "input.invisible_characters", "witness" },
        { Withdraw(ConsentPurpose.Mentoring) with { WithdrawnOn = new DateOnly(2099, 1, 1) }, "input.out_of_range",        "withdrawnOn" },
        { Withdraw(ConsentPurpose.Mentoring) with { WithdrawnOn = new DateOnly(2020, 1, 1) }, "input.out_of_range",        "withdrawnOn" },
    };

    [Theory]
    [MemberData(nameof(BadWithdrawals))]
    public void ABadWithdrawal_IsRefusedNamingTheField_AndChangesNothing(WithdrawConsent command, string code, string field)
    {
        var c = Mentored();
        var before = c.State;
        ResultAssert.Refused(c.Decide(command), code, field);
        Assert.Same(before, c.State);
    }

    [Fact]
    public void WithdrawingWhatIsNotHeld_IsRefused()
    {
        var c = Mentored();
        c.Apply(ResultAssert.Accepted<ConsentWithdrawn>(c.Decide(Withdraw(ConsentPurpose.Mentoring))));
        ResultAssert.Refused(c.Decide(Withdraw(ConsentPurpose.Mentoring)), "consent.not_held", "purposes");
        ResultAssert.Refused(CaseScenario.Open(consentGiven: false).Decide(Withdraw(ConsentPurpose.CaseManagement)), "consent.not_held", "purposes");
    }
}
