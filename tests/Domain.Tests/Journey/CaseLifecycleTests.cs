using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>Open → Closed → Open, and Open → Graduated, through the decider.</summary>
public sealed class CaseLifecycleTests
{
    public static TheoryData<CaseStatus, CaseAction, string> StatusTable => new()
    {
        // from                action               accepted event / refusal code
        { CaseStatus.Open,      CaseAction.Close,    nameof(CaseClosed) },
        { CaseStatus.Open,      CaseAction.Reopen,   "case.not_closed" },
        { CaseStatus.Open,      CaseAction.Graduate, nameof(StageCompleted) },
        { CaseStatus.Closed,    CaseAction.Close,    "case.not_open" },
        { CaseStatus.Closed,    CaseAction.Reopen,   nameof(CaseReopened) },
        { CaseStatus.Closed,    CaseAction.Graduate, "case.not_open" },
        { CaseStatus.Graduated, CaseAction.Close,    "case.not_open" },
        { CaseStatus.Graduated, CaseAction.Reopen,   "case.not_closed" },
        { CaseStatus.Graduated, CaseAction.Graduate, "case.not_open" },
    };

    /// <summary>
    /// Every command that needs an open case: all but reopening, asking to reopen, deciding a request (each tested in
    /// <see cref="ApprovalTests"/>) and notes (allowed whatever the status).
    /// </summary>
    public static TheoryData<CaseCommand> CommandsOnAnExistingCase => new()
    {
        new RecordConsent("Tanda tangan basah"),
        new RecordAssessment("Kuliner", 300_000_000, 50_000_000, 2, ["Pemasaran digital"]),
        new StartStage(Stage.Mentoring),
        new CompleteStage(Stage.Training),
        new SkipStage(Stage.Training, CaseScenario.SkipReason),
        new CloseCase(CloseReason.DroppedOut, null),
        new RequestClosure(CloseReason.Moved, "Pindah ke Malang", "petugas-1"),
        new Enrol(TestOffers.Course(), Domain.Services.SeatOutcome.Granted, 0, false, null),
        new CompleteTraining("course-1", 90),
        new AssignMentor("mentor-8"),
        new LogMentoringSession(CaseScenario.SessionDate, "Pembukuan", null, null),
        new RespondToReferral("buyer-1", true, null),
        new DecideFinancing("kur-1", true, 50_000_000, null),
        new WithdrawEnrolment("course-1", "Pindah kota"),
        new CompleteProgramme("programme-1", null),
        new PromoteFromWaitlist("course-1"),
        new ReportReferralOutcome("buyer-1", MatchOutcome.Contracted, null),
        new DisburseFinancing("kur-1", 50_000_000, CaseScenario.SessionDate),
        new RecordRepayment("kur-1", Domain.Services.RepaymentStatus.Current),
        new RecordOutcomes(600_000_000, 80_000_000, 4),
        new CorrectAttendance("course-1", 70, "Salah ketik"),
        new CorrectAssessment("Fesyen", 300_000_000, 50_000_000, 2, ["Pemasaran digital"], "Salah pilih"),
        new CorrectMentoringSession(3, CaseScenario.SessionDate, "Pembukuan", null, null, "Salah tanggal"),
    };

    /// <summary>A case whose Graduated stage is active with its outcomes recorded, then moved to <paramref name="status"/>.</summary>
    private static CaseScenario CaseIn(CaseStatus status)
    {
        var c = CaseScenario.WithStage(Stage.Graduated, StageState.Active).MeetGate(Stage.Graduated);
        return status switch
        {
            CaseStatus.Open => c,
            CaseStatus.Closed => c.Do(new CloseCase(CloseReason.Moved, null)),
            CaseStatus.Graduated => c.Do(new CompleteStage(Stage.Graduated)),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    private static CaseCommand Command(CaseAction action) => action switch
    {
        CaseAction.Close => new CloseCase(CloseReason.DroppedOut, "Tidak bisa dihubungi"),
        CaseAction.Reopen => new ReopenCase("Penerima manfaat kembali aktif"),
        CaseAction.Graduate => new CompleteStage(Stage.Graduated),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    [Theory]
    [MemberData(nameof(StatusTable))]
    public void Decide_CaseActionFromEachStatus_IsAcceptedOrRefusedAsTheTableSays(CaseStatus from, CaseAction action, string expected)
    {
        var c = CaseIn(from);
        Assert.Equal(from, c.State.Status);

        var result = c.Decide(Command(action));

        Assert.Equal(expected, result.Outcome());
        if (!result.IsRefused)
        {
            c.Apply(result.Value);
            Assert.Equal(Transitions.Next(from, action), c.State.Status);
        }
    }

    [Fact]
    public void CommandsOnAnExistingCase_ListEveryCommandTypeButOpenReopenRequestsNotesAndWithdrawals()
    {
        var listed = ((IEnumerable<object[]>)CommandsOnAnExistingCase).Select(r => r[0].GetType()).ToHashSet();
        Type[] notNeedingAnOpenCase = [typeof(OpenCase), typeof(ReopenCase), typeof(RequestReopening), typeof(DecideRequest), typeof(AddNote), typeof(WithdrawConsent)];
        var all = typeof(CaseCommand).Assembly.GetTypes()
            .Where(t => t.IsSealed && t.IsSubclassOf(typeof(CaseCommand)) && !notNeedingAnOpenCase.Contains(t));

        Assert.Equal(all.Select(t => t.Name).Order(), listed.Select(t => t.Name).Order());
    }

    [Theory]
    [MemberData(nameof(CommandsOnAnExistingCase))]
    public void AnyCommand_WhenCaseClosed_IsRefusedAsNotOpen(CaseCommand command)
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active).AssignMentorIfNone().Do(new CloseCase(CloseReason.DroppedOut, null));

        var refusal = ResultAssert.Refused(c.Decide(command), "case.not_open");

        Assert.Equal("Kasus sudah ditutup; buka kembali (oleh supervisor) sebelum melanjutkan.", refusal.Indonesian);
        Assert.Equal("The case is closed; a supervisor must reopen it first.", refusal.English);
    }

    [Theory]
    [MemberData(nameof(CommandsOnAnExistingCase))]
    public void AnyCommand_WhenCaseGraduated_IsRefusedAsNotOpen(CaseCommand command)
    {
        var c = CaseIn(CaseStatus.Graduated);

        var refusal = ResultAssert.Refused(c.Decide(command), "case.not_open");

        Assert.Equal("Kasus sudah selesai (mandiri); tidak ada langkah lagi.", refusal.Indonesian);
        Assert.Equal("The case has graduated; no further steps are possible.", refusal.English);
    }

    [Fact]
    public void Reopen_WhenCaseGraduated_IsRefusedAsNotClosed()
    {
        var refusal = ResultAssert.Refused(CaseIn(CaseStatus.Graduated).Decide(new ReopenCase("Salah klik")), "case.not_closed");

        Assert.Equal("Hanya kasus yang ditutup yang dapat dibuka kembali.", refusal.Indonesian);
    }

    [Fact]
    public void Reopen_WhenCaseOpen_IsRefusedAsNotClosed() =>
        ResultAssert.Refused(CaseScenario.Open().Decide(new ReopenCase("Salah klik")), "case.not_closed");

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Reopen_WithoutReason_IsRefusedAsRequired(string reason)
    {
        var c = CaseScenario.Open().Do(new CloseCase(CloseReason.Duplicate, null));

        ResultAssert.Refused(c.Decide(new ReopenCase(reason)), "input.required", "reason");
    }

    [Fact]
    public void Complete_GraduatedWithOutcomes_MakesTheCaseGraduated()
    {
        var c = CaseIn(CaseStatus.Open);

        c.Apply(ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Graduated))));

        Assert.Equal(CaseStatus.Graduated, c.State.Status);
        Assert.Equal(StageState.Completed, c.State[Stage.Graduated].State);
        Assert.Null(c.State.ActiveStage);
    }

    [Fact]
    public void Complete_StageOtherThanGraduated_LeavesTheCaseOpen()
    {
        var c = CaseScenario.WithStage(Stage.Financing, StageState.Completed);

        Assert.Equal(CaseStatus.Open, c.State.Status);
    }

    [Fact]
    public void Close_WhileStageActive_RecordsTheActiveStageAndTrimmedNote()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.Active);

        var closed = ResultAssert.Accepted<CaseClosed>(c.Decide(new CloseCase(CloseReason.Moved, "  Pindah ke Kota Malang  ")));
        c.Apply(closed);

        Assert.Equal(new CaseClosed(CloseReason.Moved, "Pindah ke Kota Malang", Stage.Training), closed);
        Assert.Equal(CaseStatus.Closed, c.State.Status);
        Assert.Equal(CloseReason.Moved, c.State.CloseReason);
    }

    [Fact]
    public void Close_BetweenStages_RecordsNoActiveStage()
    {
        var c = CaseScenario.WithStage(Stage.Training, StageState.NotStarted);

        var closed = ResultAssert.Accepted<CaseClosed>(c.Decide(new CloseCase(CloseReason.Ineligible, null)));

        Assert.Null(closed.ActiveStage);
        Assert.Null(closed.Note);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Close_WithABlankOptionalNote_IsAcceptedAndStoresNoNote(string note)
    {
        var closed = ResultAssert.Accepted<CaseClosed>(CaseScenario.Open().Decide(new CloseCase(CloseReason.Moved, note)));

        Assert.Null(closed.Note);
    }

    [Fact]
    public void Close_WithAnUndefinedReason_IsRefused() =>
        ResultAssert.Refused(CaseScenario.Open().Decide(new CloseCase((CloseReason)99, null)), "input.required", "reason");

    [Fact]
    public void Close_WithNoteTooLong_IsRefused() =>
        ResultAssert.Refused(
            CaseScenario.Open().Decide(new CloseCase(CloseReason.DroppedOut, new string('x', CaseDecider.MaxLongText + 1))),
            "input.too_long",
            "note");

    [Fact]
    public void Reopen_WhenClosed_ReturnsToOpenWithStagesAndFactsPreserved()
    {
        var c = CaseScenario.WithStage(Stage.Mentoring, StageState.Active).AssignMentorIfNone().LogSessions(2);
        var before = c.State;
        c.Do(new CloseCase(CloseReason.DroppedOut, "Tidak bisa dihubungi"));

        var reopened = ResultAssert.Accepted<CaseReopened>(c.Decide(new ReopenCase("  Penerima manfaat kembali aktif  ")));
        c.Apply(reopened);

        Assert.Equal("Penerima manfaat kembali aktif", reopened.Reason);
        Assert.Equal(CaseStatus.Open, c.State.Status);
        Assert.Null(c.State.CloseReason);
        Assert.Equal(before.Stages.Entries, c.State.Stages.Entries);
        Assert.Equal(Stage.Mentoring, c.State.ActiveStage);
        Assert.Equal(before.Profile, c.State.Profile);
        Assert.Equal(before.Trainings, c.State.Trainings);
        Assert.Equal("mentor-7", c.State.MentorId);
        Assert.Equal(2, c.State.MentoringSessions);

        // The journey continues where it stopped.
        c.LogSessions(1);
        ResultAssert.Accepted<StageCompleted>(c.Decide(new CompleteStage(Stage.Mentoring)));
    }

    [Fact]
    public void Decide_OpenCaseOnExistingCase_IsRefusedAsAlreadyExists() =>
        ResultAssert.Refused(CaseScenario.Open().Decide(CaseScenario.OpenCommand()), "case.already_exists");

    [Fact]
    public void Decide_CommandOnMissingCase_IsRefusedAsNotFound() =>
        ResultAssert.Refused(CaseDecider.Decide(null, new StartStage(Stage.Assessment), CaseScenario.ContextWith()), "case.not_found");

    [Fact]
    public void Open_StartsIntakeAndLeavesEveryOtherStageNotStarted()
    {
        var s = CaseScenario.Open(consentGiven: false).State;

        Assert.Equal(CaseStatus.Open, s.Status);
        Assert.Equal(Stage.Intake, s.ActiveStage);
        Assert.Equal(CaseScenario.OpenedAt, s[Stage.Intake].StartedAt);
        Assert.All(Enum.GetValues<Stage>().Where(x => x != Stage.Intake), x => Assert.Equal(StageProgress.NotStarted, s[x]));
        Assert.False(s.HasConsent);
        Assert.Equal(1, s.Version);
        Assert.Equal("3579**********01", s.NikMasked);
    }

    [Theory]
    [InlineData("35.79.01", null)]
    [InlineData("35.79.01.2001", null)]
    [InlineData("35.79", "region.too_coarse")]
    [InlineData("35", "region.too_coarse")]
    [InlineData("35.79.99", "region.unknown")]
    [InlineData("35.79.99.2001", "region.unknown")]
    [InlineData("3579", "region.unknown")]
    [InlineData("", "region.unknown")]
    public void Open_RegionMustBeAKnownKecamatanOrDesa(string regionCode, string? expectedCode)
    {
        var result = CaseDecider.Decide(null, CaseScenario.OpenCommand(regionCode: regionCode), CaseScenario.ContextWith());

        if (expectedCode is null)
        {
            Assert.Equal(regionCode, ResultAssert.Accepted<CaseOpened>(result).RegionCode);
        }
        else
        {
            ResultAssert.Refused(result, expectedCode, "regionCode");
        }
    }

    [Theory]
    [InlineData("912020000123", "nib.invalid_format")]
    [InlineData("91202000012345", "nib.invalid_format")]
    [InlineData("912020000123A", "nib.invalid_format")]
    [InlineData("9120200001234", null)]
    public void Open_NibWhenGivenMustBeThirteenDigits(string nib, string? expectedCode)
    {
        var result = CaseDecider.Decide(null, CaseScenario.OpenCommand(nib: nib), CaseScenario.ContextWith());

        Assert.Equal(expectedCode ?? nameof(CaseOpened), result.Outcome());
    }

    [Theory]
    [InlineData("", "input.required")]
    [InlineData("   ", "input.required")]
    [InlineData("Siti\u0000Rahayu", "input.control_characters")]
    [InlineData("Siti\nRahayu", "input.control_characters")]
    [InlineData("Siti\tRahayu", "input.control_characters")]
    [InlineData("Siti\u200bRahayu", "input.invisible_characters")]   // zero-width space
    [InlineData("Siti\u200cRahayu", "input.invisible_characters")]   // zero-width non-joiner
    [InlineData("Siti\u200dRahayu", "input.invisible_characters")]   // zero-width joiner
    [InlineData("\u2060Siti Rahayu", "input.invisible_characters")]  // word joiner
    [InlineData("\ufeffSiti Rahayu", "input.invisible_characters")]  // byte-order mark
    [InlineData("Siti \u202eayuhaR", "input.invisible_characters")]  // right-to-left override
    [InlineData("\u202aSiti\u202c", "input.invisible_characters")]   // embedding and its pop
    [InlineData("\u2066Siti\u2069", "input.invisible_characters")]   // isolate and its pop
    [InlineData("Siti\u200e", "input.invisible_characters")]         // left-to-right mark
    [InlineData("Siti\u200f", "input.invisible_characters")]         // right-to-left mark
    [InlineData("Siti\u00adRahayu", "input.invisible_characters")]   // soft hyphen
    [InlineData("\u3164", "input.invisible_characters")]             // Hangul filler: a "letter" nobody can see
    [InlineData("12345", "input.no_letters")]
    [InlineData("- . -", "input.no_letters")]
    [InlineData("\U0001F600", "input.no_letters")]                   // an emoji
    public void Open_WithBadFullName_IsRefused(string fullName, string expectedCode) =>
        ResultAssert.Refused(
            CaseDecider.Decide(null, CaseScenario.OpenCommand(fullName: fullName), CaseScenario.ContextWith()),
            expectedCode,
            "fullName");

    [Theory]
    [InlineData("A")]
    [InlineData("Ni Luh Putu Ayu Lestari")]
    [InlineData("I Gusti Ngurah Rai, S.E.")]
    [InlineData("Muhammad 'Ali bin Abdullah")]
    [InlineData("Ṣíti Amínah")]
    [InlineData("Nguyễn Thị Hoa")]
    [InlineData("ꦱꦶꦠꦶ")] // Javanese script
    public void Open_WithAVisibleName_InAnyScript_IsAccepted(string fullName) =>
        Assert.Equal(nameof(CaseOpened), CaseDecider.Decide(null, CaseScenario.OpenCommand(fullName: fullName), CaseScenario.ContextWith()).Outcome());

    [Fact]
    public void Open_WithNameTooLong_IsRefused() =>
        ResultAssert.Refused(
            CaseDecider.Decide(null, CaseScenario.OpenCommand(fullName: new string('a', CaseDecider.MaxNameLength + 1)), CaseScenario.ContextWith()),
            "input.too_long",
            "fullName");
}
