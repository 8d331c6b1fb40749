using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// Corrections leave a trace: each is an event of its own that names what it corrects and why, the original event stays,
/// and the state (and so the gates) follow the corrected facts.
/// </summary>
public sealed class CorrectionTests
{
    private const string Why = "Salah ketik dari daftar hadir";

    /// <summary>Training active, enrolled in course-1 (threshold 80 %), final attendance <paramref name="percent"/> recorded.</summary>
    private static CaseScenario TrainedAt(int percent) =>
        CaseScenario.WithStage(Stage.Training, StageState.Active).Enrol(TestOffers.Course()).Do(new CompleteTraining("course-1", percent));

    [Fact]
    public void CorrectingAWrongAttendance_UpwardsPassesTheCourse_AndTheGateSaysSoNoMore()
    {
        var c = TrainedAt(60);
        var gate = Gates.Check(c.State, Stage.Training, JourneyPolicy.Default)!;

        var corrected = ResultAssert.Accepted<AttendanceCorrected>(c.Decide(new CorrectAttendance("course-1", 85, $" {Why} ")));
        c.Apply(corrected);

        Assert.Contains("kehadiran tertinggi 60%", gate.Indonesian, StringComparison.Ordinal);
        Assert.Contains("perlu 80%", gate.Indonesian, StringComparison.Ordinal);
        Assert.Contains("the best attendance is 60%", gate.English, StringComparison.Ordinal);
        Assert.Equal(new AttendanceCorrected("course-1", TestOffers.Course().Name, 60, 85, 80, true, Why), corrected);
        Assert.True(c.State.Trainings.Single().Passed);
        Assert.Equal(85, c.State.Enrolments.Single().AttendancePercent);
        Assert.True(c.State.Enrolments.Single().Passed);
        Assert.Null(Gates.Check(c.State, Stage.Training, JourneyPolicy.Default));
    }

    [Fact]
    public void AnAttendanceCorrection_ThatWouldUndoACompletedTrainingStage_IsRefused_ButOneThatKeepsThePassIsNot()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Completed);

        ResultAssert.Refused(c.Decide(new CorrectAttendance("course-1", 50, Why)), "correction.stage_already_completed", "attendancePercent");
        ResultAssert.Accepted<AttendanceCorrected>(c.Decide(new CorrectAttendance("course-1", 95, Why)));
    }

    [Theory]
    [InlineData("course-1", 90, Why, "correction.no_change", "attendancePercent")]
    [InlineData("course-1", 101, Why, "input.out_of_range", "attendancePercent")]
    [InlineData("course-1", 70, " ", "input.required", "reason")]
    [InlineData("course-9", 70, Why, "correction.nothing_recorded", "offerId")]
    public void BadAttendanceCorrections_AreRefusedNamingTheField(string offerId, int percent, string reason, string code, string field)
    {
        var c = TrainedAt(90);

        ResultAssert.Refused(c.Decide(new CorrectAttendance(offerId, percent, reason)), code, field);
    }

    [Fact]
    public void CorrectingTheAssessment_NamesTheChangedAnswers_AndDerivesTheClassAgain()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);
        Assert.Equal(UmkmClass.Micro, c.State.Profile!.UmkmClass);

        var corrected = ResultAssert.Accepted<AssessmentCorrected>(c.Decide(
            new CorrectAssessment("Kuliner", 3_000_000_000, 50_000_000, 2, ["Pemasaran digital", " Pembukuan "], "Omzet tertulis per bulan, bukan per tahun")));
        c.Apply(corrected);

        Assert.Equal(["annualTurnoverIdr", "needs"], corrected.Changed);
        Assert.Equal(UmkmClass.Small, corrected.UmkmClass);
        Assert.Equal(["Pemasaran digital", "Pembukuan"], c.State.Profile!.Needs);
        Assert.Equal(UmkmClass.Small, c.State.Profile.UmkmClass);
        Assert.Equal(3_000_000_000, c.State.Profile.AnnualTurnoverIdr);
    }

    [Fact]
    public void AnAssessmentCorrection_WithoutAnAssessment_OrWithoutAChange_OrAReason_IsRefused()
    {
        var intake = CaseScenario.WithStage(Stage.Assessment, StageState.Active);
        var assessed = CaseScenario.WithStage(Stage.Training, StageState.Active);

        ResultAssert.Refused(intake.Decide(new CorrectAssessment("Kuliner", 1, 1, 1, ["Modal"], Why)), "correction.nothing_recorded", "sector");
        ResultAssert.Refused(assessed.Decide(new CorrectAssessment("Kuliner", 300_000_000, 50_000_000, 2, ["Pemasaran digital"], Why)), "correction.no_change");
        ResultAssert.Refused(assessed.Decide(new CorrectAssessment("Fesyen", 300_000_000, 50_000_000, 2, ["Pemasaran digital"], "")), "input.required", "reason");
        ResultAssert.Refused(assessed.Decide(new CorrectAssessment("Fesyen", -1, 50_000_000, 2, ["Pemasaran digital"], Why)), "input.out_of_range", "annualTurnoverIdr");
    }

    [Fact]
    public void CorrectingASession_NamesItByItsTimelinePosition_AndKeepsTheCount()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone().LogSessions(2);
        var seq = c.State.MentoringSessionSeqs[0];

        var corrected = ResultAssert.Accepted<MentoringSessionCorrected>(c.Decide(
            new CorrectMentoringSession(seq, CaseScenario.SessionDate.AddDays(-1), " Arus kas ", null, "Buka rekening", "Tanggal salah")));
        c.Apply(corrected);

        Assert.Equal(new MentoringSessionCorrected(seq, CaseScenario.SessionDate.AddDays(-1), "Arus kas", null, "Buka rekening", "Tanggal salah"), corrected);
        Assert.Equal(2, c.State.MentoringSessions);
        ResultAssert.Refused(c.Decide(new CorrectMentoringSession(seq + 100, CaseScenario.SessionDate, "Kas", null, null, Why)), "correction.session_not_found", "sessionSeq");
        ResultAssert.Refused(c.Decide(new CorrectMentoringSession(seq, CaseScenario.SessionDate.AddDays(90), "Kas", null, null, Why)), "input.out_of_range", "date");
    }

    [Fact]
    public void ACorrection_OnAClosedCase_IsRefused()
    {
        var c = TrainedAt(60).Do(new CloseCase(CloseReason.Moved, null));

        ResultAssert.Refused(c.Decide(new CorrectAttendance("course-1", 85, Why)), "case.not_open");
    }
}
