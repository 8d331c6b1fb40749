using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>Facts a stage's gate depends on are recorded only while that stage is active, and only from valid input.</summary>
public sealed class FactRecordingTests
{
    private static readonly string Long200 = new('a', CaseDecider.MaxShortText);
    private static readonly string Long201 = new('a', CaseDecider.MaxShortText + 1);
    private static readonly string Long2001 = new('a', CaseDecider.MaxLongText + 1);

    private static RecordAssessment Assessment(string sector = "Kuliner", long turnover = 300_000_000, long capital = 50_000_000, int workers = 2, string[]? needs = null) =>
        new(sector, turnover, capital, workers, needs ?? ["Pemasaran digital"]);

    private static LogMentoringSession Session(string topic = "Pembukuan", string? notes = null, string? nextStep = null, DateOnly? date = null) =>
        new(date ?? CaseScenario.SessionDate, topic, notes, nextStep);

    /// <summary>A case whose active stage is <paramref name="active"/> (null: between Assessment and Training), mentor assigned.</summary>
    private static CaseScenario CaseWithActive(Stage? active) =>
        (active is { } stage ? CaseScenario.WithStage(stage, StageState.Active) : CaseScenario.WithStage(Stage.Training, StageState.NotStarted))
            .AssignMentorIfNone();

    public static TheoryData<Stage?, CaseCommand, Stage> OutsideTheirStage => new()
    {
        // active stage       command                          needs stage
        { Stage.Intake,      Assessment(),                    Stage.Assessment },
        { Stage.Training,    Assessment(),                    Stage.Assessment },
        { Stage.Financing,   new RecordOutcomes(1, 1, 1),     Stage.Graduated },
    };

    [Theory]
    [MemberData(nameof(OutsideTheirStage))]
    public void RecordFact_WhenItsStageIsNotActive_IsRefusedNamingTheStage(Stage? active, CaseCommand command, Stage needed)
    {
        var c = CaseWithActive(active);

        var refusal = ResultAssert.Refused(c.Decide(command), "stage.not_active");

        Assert.Equal(needed.ToString(), refusal.Details["stage"]);
        Assert.StartsWith("Langkah ini hanya dapat dicatat saat tahap ", refusal.Indonesian, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordAssessment_OutsideAssessment_SaysSoInIndonesian()
    {
        var refusal = ResultAssert.Refused(CaseScenario.Open().Decide(Assessment()), "stage.not_active");

        Assert.Equal("Langkah ini hanya dapat dicatat saat tahap Asesmen aktif.", refusal.Indonesian);
        Assert.Equal("This can only be recorded while stage Assessment is active.", refusal.English);
    }

    [Fact]
    public void LogMentoringSession_WithoutMentor_IsRefusedMentorNotAssigned()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active);

        var refusal = ResultAssert.Refused(c.Decide(Session()), "mentor.not_assigned");

        Assert.Equal("Belum ada pendamping yang ditugaskan pada kasus ini.", refusal.Indonesian);
    }

    [Fact]
    public void AssignMentor_Again_RecordsThePreviousMentor()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active);

        var first = ResultAssert.Accepted<MentorAssigned>(c.Decide(new AssignMentor(" mentor-7 ")));
        c.Apply(first);
        var second = ResultAssert.Accepted<MentorAssigned>(c.Decide(new AssignMentor("mentor-9")));
        c.Apply(second);

        Assert.Equal(new MentorAssigned("mentor-7", null), first);
        Assert.Equal(new MentorAssigned("mentor-9", "mentor-7"), second);
        Assert.Equal("mentor-9", c.State.MentorId);
    }

    [Fact]
    public void LogMentoringSession_WithMentor_IsRecordedTrimmedAndCounted()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone();

        var logged = ResultAssert.Accepted<MentoringSessionLogged>(c.Decide(Session(" Arus kas ", " Catatan\nbaris dua ", null)));
        c.Apply(logged);

        Assert.Equal(new MentoringSessionLogged(CaseScenario.SessionDate, "Arus kas", "Catatan\nbaris dua", null), logged);
        Assert.Equal(1, c.State.MentoringSessions);
    }

    [Fact]
    public void RecordConsent_KeepsMethodFormVersionDateAndWitness_AndMeetsTheIntakeGate()
    {
        var c = CaseScenario.WithStage(Stage.Intake, StageState.Active);
        Assert.Equal("gate.intake.consent_missing", Gates.Check(c.State, Stage.Intake, JourneyPolicy.Default)!.Code);
        var given = DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(-3);

        var recorded = ResultAssert.Accepted<ConsentRecorded>(c.Decide(new RecordConsent(" Cap jempol pada formulir, dengan saksi ", " 2 ", given, " Bu Rina (kader desa) ")));
        c.Apply(recorded);

        Assert.Equal(new ConsentRecorded("Cap jempol pada formulir, dengan saksi", "2", given, "Bu Rina (kader desa)"), recorded);
        Assert.True(c.State.HasConsent);
        Assert.Equal(new ConsentRecord("Cap jempol pada formulir, dengan saksi", "2", given, "Bu Rina (kader desa)", c.State.UpdatedAt), c.State.Consent);
        Assert.Null(Gates.Check(c.State, Stage.Intake, JourneyPolicy.Default));
    }

    [Fact]
    public void OutOfRangeDates_SayTheirRangeInEachLanguage()
    {
        var c = CaseScenario.WithStage(Stage.Intake, StageState.Active);

        var refusal = ResultAssert.Refused(c.Decide(new RecordConsent("Formulir", GivenOn: DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(40))),
            "input.out_of_range", "givenOn");

        Assert.Contains("sebelum kasus dibuka", refusal.Indonesian, StringComparison.Ordinal);
        Assert.DoesNotContain("before", refusal.Indonesian, StringComparison.Ordinal);
        Assert.Contains("before the case was opened", refusal.English, StringComparison.Ordinal);
    }

    public static TheoryData<Stage?, CaseCommand, string, string> InvalidInput => new()
    {
        // active stage      command                                                     code                          field
        { Stage.Intake,     new RecordConsent(""),                                      "input.required",             "method" },
        { Stage.Intake,     new RecordConsent("   "),                                   "input.required",             "method" },
        { Stage.Intake,     new RecordConsent(Long201),                                 "input.too_long",             "method" },
        { Stage.Intake,     new RecordConsent("Tanda\u0007tangan"),                     "input.control_characters",   "method" },
        { Stage.Intake,     new RecordConsent("Formulir", FormVersion: new string('1', 51)),  "input.too_long",         "formVersion" },
        { Stage.Intake,     new RecordConsent("Formulir", Witness: "Pak\u0000Joko"),     "input.control_characters",   "witness" },
        { Stage.Intake,     new RecordConsent("Formulir", Witness: "Pak\u200bJoko"),     "input.invisible_characters", "witness" },
        { Stage.Intake,     new RecordConsent("Formulir", Witness: "007"),              "input.no_letters",           "witness" },
        { Stage.Intake,     new RecordConsent("Formulir", GivenOn: DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(31)), "input.out_of_range", "givenOn" },
        { Stage.Intake,     new RecordConsent("Formulir", GivenOn: DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(-CaseDecider.MaxConsentAgeDays - 1)), "input.out_of_range", "givenOn" },
        { Stage.Assessment, Assessment(sector: ""),                                     "input.required",             "sector" },
        { Stage.Assessment, Assessment(sector: Long201),                                "input.too_long",             "sector" },
        { Stage.Assessment, Assessment(sector: "Kuliner\u001b[31m"),                    "input.control_characters",   "sector" },
        { Stage.Assessment, Assessment(turnover: -1),                                   "input.out_of_range",         "annualTurnoverIdr" },
        { Stage.Assessment, Assessment(capital: -1),                                    "input.out_of_range",         "businessCapitalIdr" },
        { Stage.Assessment, Assessment(workers: -1),                                    "input.out_of_range",         "workers" },
        { Stage.Assessment, Assessment(workers: 1_000_001),                             "input.out_of_range",         "workers" },
        { Stage.Assessment, Assessment(needs: []),                                      "input.required",             "needs" },
        { Stage.Assessment, Assessment(needs: [.. Enumerable.Repeat("Modal", CaseDecider.MaxNeeds + 1)]), "input.out_of_range", "needs" },
        { Stage.Assessment, Assessment(needs: ["Modal", " "]),                          "input.required",             "needs" },
        { Stage.Assessment, Assessment(needs: [Long201]),                               "input.too_long",             "needs" },
        { Stage.Mentoring,  new AssignMentor(" "),                                      "input.required",             "mentorId" },
        { Stage.Mentoring,  Session(topic: ""),                                         "input.required",             "topic" },
        { Stage.Mentoring,  Session(notes: Long2001),                                   "input.too_long",             "notes" },
        { Stage.Mentoring,  Session(nextStep: "Lanjut\u0000"),                          "input.control_characters",   "nextStep" },
        { Stage.Mentoring,  Session(date: DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(60)), "input.out_of_range", "date" },
        { Stage.Mentoring,  Session(date: DateOnly.FromDateTime(CaseScenario.OpenedAt.UtcDateTime).AddDays(-2)), "input.out_of_range", "date" },
        { Stage.Graduated,  new RecordOutcomes(-1, 0, 0),                               "input.out_of_range",         "annualTurnoverAfterIdr" },
        { Stage.Graduated,  new RecordOutcomes(0, -1, 0),                               "input.out_of_range",         "businessCapitalAfterIdr" },
        { Stage.Graduated,  new RecordOutcomes(0, 0, -1),                               "input.out_of_range",         "workersAfter" },
        { Stage.Training,   new SkipStage(Stage.Training, "Alasan\u0001"),              "input.control_characters",   "reason" },
        { Stage.Training,   new CloseCase(CloseReason.DroppedOut, Long2001),            "input.too_long",             "note" },
    };

    [Theory]
    [MemberData(nameof(InvalidInput))]
    public void Decide_WithInvalidInput_IsRefusedNamingTheField(Stage? active, CaseCommand command, string code, string field)
    {
        var c = CaseWithActive(active);

        var refusal = ResultAssert.Refused(c.Decide(command), code, field);

        Assert.Contains($"'{field}'", refusal.Indonesian, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", refusal.English, StringComparison.Ordinal);
    }

    [Fact]
    public void InputRefusals_AreWordedInIndonesian()
    {
        var c = CaseWithActive(Stage.Assessment);

        Assert.Equal("Kolom 'sector' wajib diisi.", c.Decide(Assessment(sector: "")).Refusal!.Indonesian);
        Assert.Equal("Kolom 'sector' paling banyak 200 karakter.", c.Decide(Assessment(sector: Long201)).Refusal!.Indonesian);
        Assert.Equal("Nilai 'workers' harus 0..1000000.", c.Decide(Assessment(workers: -1)).Refusal!.Indonesian);
        Assert.Equal("Kolom 'sector' berisi karakter kontrol.", c.Decide(Assessment(sector: "a\u0000")).Refusal!.Indonesian);
    }

    [Fact]
    public void Text_AtMaximumLengthWithNewlinesAndTabs_IsAccepted()
    {
        var c = CaseWithActive(Stage.Assessment);

        var recorded = ResultAssert.Accepted<AssessmentRecorded>(c.Decide(Assessment(sector: Long200, needs: ["Modal\tkerja", "Baris\r\ndua"])));

        Assert.Equal(Long200, recorded.Sector);
        Assert.Equal(new[] { "Modal\tkerja", "Baris\r\ndua" }, recorded.Needs);
    }

    [Fact]
    public void RecordAssessment_WithZeroFiguresAndTwentyNeeds_IsAcceptedTrimmed()
    {
        var c = CaseWithActive(Stage.Assessment);
        var needs = Enumerable.Range(1, CaseDecider.MaxNeeds).Select(i => $" Kebutuhan {i} ").ToArray();

        var recorded = ResultAssert.Accepted<AssessmentRecorded>(c.Decide(Assessment(sector: " Kerajinan ", turnover: 0, capital: 0, workers: 0, needs: needs)));
        c.Apply(recorded);

        Assert.Equal("Kerajinan", recorded.Sector);
        Assert.Equal(needs.Select(n => n.Trim()), recorded.Needs);
        Assert.Equal(recorded.Needs, c.State.Profile!.Needs);
    }
}
