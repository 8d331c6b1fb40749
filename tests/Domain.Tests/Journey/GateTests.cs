using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>Each stage's exit criteria (DESIGN "Journey stages"): refused with its code and reason until met.</summary>
public sealed class GateTests
{
    public static TheoryData<Stage, string, string, string> UnmetGates => new()
    {
        // stage             code                                     Indonesian says                                     English says
        { Stage.Intake,     "gate.intake.consent_missing",           "Tahap Pendaftaran belum dapat diselesaikan: persetujuan (consent)", "consent has not been recorded" },
        { Stage.Assessment, "gate.assessment.profile_missing",       "Tahap Asesmen belum dapat diselesaikan: profil usaha",             "business profile" },
        { Stage.Training,   "gate.training.no_completed_enrolment",  "Tahap Pelatihan belum dapat diselesaikan: belum ada pelatihan",   "no course has been completed" },
        { Stage.Mentoring,  "gate.mentoring.no_mentor",              "Tahap Pendampingan belum dapat diselesaikan: belum ada pendamping", "no mentor is assigned" },
        { Stage.Matching,   "gate.matching.no_outcome",              "Tahap Pencocokan Bisnis belum dapat diselesaikan: belum ada hasil pencocokan", "no business match has an outcome" },
        { Stage.Financing,  "gate.financing.no_decision",            "Tahap Pembiayaan belum dapat diselesaikan: belum ada pengajuan pembiayaan", "no financing application has a final decision" },
        { Stage.Graduated,  "gate.graduated.outcomes_missing",       "Tahap Mandiri belum dapat diselesaikan: indikator hasil",          "outcome indicators" },
    };

    public static TheoryData<Stage> AllStages => [.. Enum.GetValues<Stage>()];

    [Theory]
    [MemberData(nameof(UnmetGates))]
    public void Complete_WhenGateUnmet_IsRefusedWithCodeAndReasonInBothLanguages(Stage stage, string code, string indonesianStart, string englishPart)
    {
        var c = CaseScenario.WithStage(stage, StageState.Active);

        var refusal = ResultAssert.Refused(c.Decide(new CompleteStage(stage)), code);

        Assert.StartsWith(indonesianStart, refusal.Indonesian, StringComparison.Ordinal);
        Assert.StartsWith($"Stage {stage} cannot be completed: ", refusal.English, StringComparison.Ordinal);
        Assert.Contains(englishPart, refusal.English, StringComparison.Ordinal);
        Assert.Equal(refusal.Indonesian, refusal.Message(english: false));
        Assert.Equal(stage.ToString(), refusal.Details["stage"]);
        Assert.Equal(code["gate.".Length..], refusal.Details["gate"]);
        Assert.Equal(StageState.Active, c.State[stage].State);
    }

    [Theory]
    [MemberData(nameof(AllStages))]
    public void Complete_WhenGateMet_IsAcceptedAndEndsTheStage(Stage stage)
    {
        var c = CaseScenario.WithStage(stage, StageState.Active).MeetGate(stage);

        c.Apply(ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(stage))));

        Assert.Equal(StageState.Completed, c.State[stage].State);
        Assert.NotNull(c.State[stage].EndedAt);
    }

    [Fact]
    public void Complete_IntakeWhenConsentGivenAtOpening_IsAccepted() =>
        ResultAssert.Accepted<StageCompleted>(CaseScenario.Open(consentGiven: true).Decide(new CompleteStage(Stage.Intake)));

    [Fact]
    public void Complete_IntakeAfterConsentRecorded_IsAccepted()
    {
        var c = CaseScenario.Open(consentGiven: false);
        var consent = ResultAssert.Accepted<ConsentRecorded>(c.Decide(new RecordConsent("  Formulir persetujuan  ")));
        c.Apply(consent);

        Assert.Equal("Formulir persetujuan", consent.Method);
        Assert.True(c.State.HasConsent);
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Intake)));
    }

    // Training: attendance ≥ the course's threshold, or the policy default (80) when the course names none.
    [Theory]
    [InlineData(79, null, 80, false)]
    [InlineData(80, null, 80, true)]
    [InlineData(100, null, 80, true)]
    [InlineData(0, null, 80, false)]
    [InlineData(75, 70, 70, true)]
    [InlineData(70, 70, 70, true)]
    [InlineData(69, 70, 70, false)]
    [InlineData(85, 90, 90, false)]
    [InlineData(90, 90, 90, true)]
    public void Complete_Training_PassesOnlyWhenAttendanceMeetsThreshold(int attendance, int? courseThreshold, int thresholdUsed, bool passes)
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).Enrol(TestOffers.Course(threshold: courseThreshold));

        var recorded = ResultAssert.Accepted<TrainingCompletionRecorded>(c.Decide(new CompleteTraining("course-1", attendance)));
        c.Apply(recorded);

        Assert.Equal(thresholdUsed, recorded.AttendanceThresholdPercent);
        Assert.Equal(passes, recorded.Passed);
        Assert.Equal(passes ? nameof(StageCompleted) : "gate.training.no_completed_enrolment", c.Decide(new CompleteStage(Stage.Training)).Outcome());
    }

    [Fact]
    public void Complete_Training_WhenPolicyLowersDefaultThreshold_UsesThePolicy()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active, new JourneyPolicy { DefaultAttendanceThresholdPercent = 60 })
            .Enrol(TestOffers.Course());

        var recorded = ResultAssert.Accepted<TrainingCompletionRecorded>(c.Decide(new CompleteTraining("course-1", 65)));

        Assert.Equal(60, recorded.AttendanceThresholdPercent);
        Assert.True(recorded.Passed);
    }

    [Fact]
    public void Complete_Training_WhenOneEnrolmentFailedAndAnotherPassed_IsAccepted()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active)
            .Enrol(TestOffers.Course()).Do(new CompleteTraining("course-1", 50));
        ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Training)), "gate.training.no_completed_enrolment");

        c.Enrol(TestOffers.Course("course-2", "Pemasaran Digital")).Do(new CompleteTraining("course-2", 95));

        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Training)));
        Assert.Equal(2, c.State.Trainings.Count);
    }

    [Fact]
    public void Complete_Mentoring_WhenNoMentor_IsRefusedNoMentor()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active);

        var refusal = ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Mentoring)), "gate.mentoring.no_mentor");

        Assert.Equal("Tahap Pendampingan belum dapat diselesaikan: belum ada pendamping yang ditugaskan.", refusal.Indonesian);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Complete_Mentoring_WithFewerThanDefaultSessions_IsRefusedNamingTheCount(int sessions)
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone().LogSessions(sessions);

        var refusal = ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Mentoring)), "gate.mentoring.too_few_sessions");

        Assert.Equal($"Tahap Pendampingan belum dapat diselesaikan: baru {sessions} sesi pendampingan tercatat; dibutuhkan minimal 3.", refusal.Indonesian);
        Assert.Equal($"Stage Mentoring cannot be completed: {sessions} mentoring session(s) logged; at least 3 are needed.", refusal.English);
    }

    [Fact]
    public void Complete_Mentoring_WithDefaultThreeSessions_IsAccepted()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone().LogSessions(3);

        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Mentoring)));
    }

    [Fact]
    public void Complete_Mentoring_WhenPolicyRequiresFive_RefusesThreeAndAcceptsFive()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active, new JourneyPolicy { MentoringSessionsRequired = 5 })
            .AssignMentorIfNone().LogSessions(3);

        var refusal = ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Mentoring)), "gate.mentoring.too_few_sessions");
        Assert.EndsWith("baru 3 sesi pendampingan tercatat; dibutuhkan minimal 5.", refusal.Indonesian, StringComparison.Ordinal);

        c.LogSessions(2);

        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Mentoring)));
    }

    [Theory]
    [InlineData(MatchOutcome.Accepted, null)]
    [InlineData(MatchOutcome.Contracted, null)]
    [InlineData(MatchOutcome.Declined, "Harga tidak cocok")]
    public void Complete_Matching_WithAnyRecordedOutcome_IsAccepted(MatchOutcome outcome, string? reason)
    {
        var c = CaseScenario.WithStage(Stage.Matching, StageState.Active).Enrol(TestOffers.Buyer()).Do(new RespondToReferral("buyer-1", true, null));
        ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Matching)), "gate.matching.no_outcome");
        var recorded = ResultAssert.Accepted<ReferralOutcomeReported>(c.Decide(new ReportReferralOutcome("buyer-1", outcome, reason)));
        c.Apply(recorded);

        Assert.Equal(new MatchRecord("Koperasi Apel Batu", outcome, reason), Assert.Single(c.State.Matches));
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Matching)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ReportReferralOutcome_DeclinedWithoutReason_IsRefusedAsRequired(string? reason)
    {
        var c = CaseScenario.WithStage(Stage.Matching, StageState.Active).Enrol(TestOffers.Buyer()).Do(new RespondToReferral("buyer-1", true, null));

        ResultAssert.Refused(c.Decide(new ReportReferralOutcome("buyer-1", MatchOutcome.Declined, reason)), "input.required", "reason");
    }

    [Theory]
    [InlineData(FinancingDecision.Disbursed, null)]
    [InlineData(FinancingDecision.Rejected, "Agunan tidak mencukupi")]
    public void Complete_Financing_WithFinalDecision_IsAccepted(FinancingDecision decision, string? reason)
    {
        var c = CaseScenario.WithStage(Stage.Financing, StageState.Active).Enrol(TestOffers.Kur(), 25_000_000);
        if (decision == FinancingDecision.Rejected)
        {
            c.Do(new DecideFinancing("kur-1", false, null, reason));
        }
        else
        {
            c.Do(new DecideFinancing("kur-1", true, 25_000_000, null));
            // Approved is not final: the gate waits for the money.
            ResultAssert.Refused(c.Decide(new CompleteStage(Stage.Financing)), "gate.financing.no_decision");
            c.Do(new DisburseFinancing("kur-1", 20_000_000, CaseScenario.SessionDate));
        }

        var record = Assert.Single(c.State.Financing);
        Assert.Equal(decision, record.Decision);
        Assert.Equal(decision == FinancingDecision.Disbursed ? 20_000_000 : 25_000_000, record.AmountIdr);
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Financing)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void DecideFinancing_RejectedWithoutReason_IsRefusedAsRequired(string? reason)
    {
        var c = CaseScenario.WithStage(Stage.Financing, StageState.Active).Enrol(TestOffers.Kur(), 25_000_000);

        ResultAssert.Refused(
            c.Decide(new DecideFinancing("kur-1", false, null, reason)),
            "input.required",
            "reason");
    }

    [Fact]
    public void Complete_Graduated_AfterOutcomesRecorded_IsAcceptedWithTheClassChange()
    {
        var c = CaseScenario.WithStage(Stage.Graduated, StageState.Active);
        Assert.Equal(UmkmClass.Micro, c.State.Profile!.UmkmClass);

        var outcomes = ResultAssert.Accepted<OutcomesRecorded>(c.Decide(new RecordOutcomes(2_500_000_000, 400_000_000, 9)));
        c.Apply(outcomes);

        Assert.Equal(UmkmClass.Small, outcomes.UmkmClassAfter);
        Assert.Equal(new Outcomes(2_500_000_000, 400_000_000, 9, UmkmClass.Small), c.State.Outcomes);
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Graduated)));
    }
}
