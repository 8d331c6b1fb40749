using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Tests.Support;
using CsCheck;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// Property-based tests (CsCheck) of the journey: random command sequences (<see cref="Journeys"/>: progress a caseworker
/// would make, mixed with every other command, bad input, commands out of order, after closing or graduation, and
/// repeats) run through the real decider and fold. Each property holds on every step of every journey; a failure shrinks
/// to a short journey and prints it step by step with CsCheck's seed to replay it (<c>CsCheck_Seed</c>).
/// </summary>
public sealed class JourneyProperties
{
    /// <summary>Journeys per property (up to 120 steps each); <c>CsCheck_Iter</c> or <c>CsCheck_Time</c> run more.</summary>
    private const long JourneysPerProperty = 300;

    /// <summary>Pins the journeys of the coverage test.</summary>
    private const string CoverageSeed = "000fyssAVyt2";

    private static void ForAll(Action<JourneyRun> property) =>
        Journeys.Any.Sample(j => property(Journeys.Run(j)), iter: Properties.Iter(JourneysPerProperty), print: Journeys.Describe);

    /// <summary>
    /// Every state a journey passes through has its stages in order (done ones first, then at most one active, then the
    /// rest not started); a step moves at most one stage, along a row of <see cref="Transitions.StageRules"/>, by the event
    /// that names it; and the stages done never go back.
    /// </summary>
    [Fact]
    public void RandomJourneys_MoveEachStageForwardAlongTheTable_InStageOrder() => ForAll(run =>
    {
        var furthest = -1;
        foreach (var step in run.Steps.Where(s => s.After is not null))
        {
            var after = step.After!;
            var states = Enum.GetValues<Stage>().Select(s => after[s].State).ToList();

            // Done stages form a prefix; after it at most one stage is active, and everything later has not started.
            var firstOpen = states.FindIndex(s => s is StageState.NotStarted or StageState.Active);
            Assert.True(firstOpen < 0 || states.Skip(firstOpen + 1).All(s => s == StageState.NotStarted),
                $"step {step.Number}: stages out of order: {string.Join(", ", states)}");
            Assert.True(after[Stage.Intake].State != StageState.NotStarted, $"step {step.Number}: Intake not started on an existing case");

            // One step moves at most one stage, along a row of the table, and the event names that stage and action.
            if (step.Before is { } before)
            {
                var moved = Enum.GetValues<Stage>().Where(s => before[s].State != after[s].State).ToList();
                Assert.True(moved.Count <= 1, $"step {step.Number}: {moved.Count} stages moved at once");
                foreach (var stage in moved)
                {
                    var (from, to) = (before[stage].State, after[stage].State);
                    var action = step.Result.Value switch
                    {
                        StageStarted e when e.Stage == stage => StageAction.Start,
                        StageCompleted e when e.Stage == stage => StageAction.Complete,
                        StageSkipped e when e.Stage == stage => StageAction.Skip,
                        var other => throw new Xunit.Sdk.XunitException($"step {step.Number}: {stage} moved {from} → {to} on {other.Type}"),
                    };
                    Assert.Contains(new Transitions.StageRule(from, action, to), Transitions.StageRules);
                }
            }

            // Where the case "is" never goes back (closing and reopening included).
            var done = states.TakeWhile(s => s is StageState.Completed or StageState.Skipped).Count();
            Assert.True(done >= furthest, $"step {step.Number}: the done stages went back from {furthest} to {done}");
            furthest = done;
        }
    });

    /// <summary>
    /// Start, Complete and Skip are accepted exactly when DESIGN.md allows them, judged on <see cref="JourneyModel"/> (the
    /// test's own fold of the events): the table has the move, every earlier stage is done, no other stage is active
    /// (start), the stage may be skipped (skip), and its gate holds (complete). <see cref="Gates.Check"/> agrees with the
    /// model's reading of every gate on every state.
    /// </summary>
    [Fact]
    public void StageCommands_AreAcceptedExactlyWhenTheTableTheOrderAndTheGateAllow() => ForAll(run =>
    {
        var policy = run.Journey.Policy;
        var model = JourneyModel.None;
        foreach (var step in run.Steps)
        {
            if (step.Before is not null && ExpectedStageOutcome(model, step.Command, policy) is { } expected)
            {
                var actual = step.Result.Outcome();
                Assert.True(expected.EndsWith('.') ? actual.StartsWith(expected, StringComparison.Ordinal) : actual == expected,
                    $"step {step.Number}: {Journeys.Show(step.Command)} gave {actual}, the design says {expected}");
                if (expected.StartsWith("gate.", StringComparison.Ordinal))
                {
                    // The refusal says which gate, of which stage.
                    Assert.Equal(((CompleteStage)step.Command).Stage.ToString(), step.Result.Refusal!.Details["stage"]);
                    Assert.Equal(actual, $"gate.{step.Result.Refusal.Details["gate"]}");
                }
            }

            if (step.Accepted)
            {
                model = model.Apply(step.Result.Value, policy);
            }

            if (step.After is { } after)
            {
                Assert.Equal(Enum.GetValues<Stage>().Select(s => model[s]), Enum.GetValues<Stage>().Select(s => after[s].State));
                Assert.Equal(model.Status, after.Status);
                foreach (var stage in Enum.GetValues<Stage>())
                {
                    Assert.True(model.GateHolds(stage, policy) == Gates.Check(after, stage, policy) is null,
                        $"step {step.Number}: the {stage} gate is {(model.GateHolds(stage, policy) ? "met" : "unmet")} by the design, Gates.Check says otherwise");
                }
            }
        }
    });

    /// <summary>
    /// A completed stage stays justified: its gate, read by the test's own model, holds on every later state (the domain
    /// refuses the corrections that would take it away, such as the attendance behind the only pass of a completed Training).
    /// </summary>
    [Fact]
    public void ACompletedStage_KeepsItsGate_ThroughEveryLaterStep() => ForAll(run =>
    {
        var model = JourneyModel.None;
        foreach (var step in run.Steps.Where(s => s.Accepted))
        {
            model = model.Apply(step.Result.Value, run.Journey.Policy);
            foreach (var stage in Enum.GetValues<Stage>().Where(s => model[s] == StageState.Completed))
            {
                Assert.True(model.GateHolds(stage, run.Journey.Policy), $"step {step.Number}: {Journeys.Show(step.Command)} left the completed {stage} stage without its gate");
            }
        }
    });

    /// <summary>The event type or refusal code DESIGN.md and the table give a stage command (a code ending in '.' is a prefix); null for other commands.</summary>
    private static string? ExpectedStageOutcome(JourneyModel m, CaseCommand command, JourneyPolicy policy)
    {
        var (stage, action, reason) = command switch
        {
            StartStage c => (c.Stage, StageAction.Start, null),
            CompleteStage c => (c.Stage, StageAction.Complete, null),
            SkipStage c => (c.Stage, StageAction.Skip, c.Reason),
            _ => (default(Stage), (StageAction?)null, (string?)null),
        };
        if (action is not { } act)
        {
            return null;
        }

        if (m.Status != CaseStatus.Open)
        {
            return "case.not_open";
        }

        if (!Enum.IsDefined(stage) || (act == StageAction.Skip && (string.IsNullOrWhiteSpace(reason) || reason.Length > CaseDecider.MaxLongText || reason.Any(ch => char.IsControl(ch) && ch is not ('\n' or '\r' or '\t')))))
        {
            return "input.";
        }

        if (Transitions.Next(m[stage], act) is null)
        {
            return "stage.transition_not_allowed";
        }

        var earlierOpen = Enum.GetValues<Stage>().Any(s => s < stage && !m.Done(s));
        return act switch
        {
            StageAction.Start when earlierOpen || m.Active is not null => "stage.out_of_order",
            StageAction.Start => nameof(StageStarted),
            StageAction.Skip when earlierOpen => "stage.out_of_order",
            StageAction.Skip when !Transitions.Skippable.Contains(stage) => "stage.not_skippable",
            StageAction.Skip => nameof(StageSkipped),
            _ => m.GateHolds(stage, policy) ? nameof(StageCompleted) : $"gate.{stage.ToString().ToLowerInvariant()}.",
        };
    }

    /// <summary>
    /// The decider answers each command with one event or one refusal (a <see cref="Result{T}"/> holds one), so the case's
    /// version grows by exactly one per accepted command and the timeline numbers its events 1, 2, 3 …; the event is the
    /// one the command asks for; deciding neither changes the state it reads nor gives another answer a second time; a
    /// refusal leaves the case as it was and says why in both languages, in plain words (<see cref="PlainWords"/>).
    /// </summary>
    [Fact]
    public void EachAcceptedCommand_AppendsExactlyTheOneEventItAsksFor_AndARefusedOneChangesNothing() => ForAll(run =>
    {
        var policy = run.Journey.Policy;
        var accepted = 0;
        foreach (var step in run.Steps)
        {
            var ctx = step.Context(policy);
            var before = Properties.Json(step.Before);
            var again = Journeys.Decide(step.Before, step.Command, ctx);
            Assert.True(before == Properties.Json(step.Before), $"step {step.Number}: deciding {Journeys.Show(step.Command)} changed the state it read");
            Assert.Equal(Answer(step.Result), Answer(again));

            if (step.Accepted)
            {
                accepted++;
                Assert.Equal((step.Before?.Version ?? 0) + 1, step.After!.Version);
                Assert.Equal(step.At, step.After.UpdatedAt);
                Assert.Contains(step.Result.Value.Type, ExpectedEvent(step.Command).Split('|'));
            }
            else
            {
                Assert.Same(step.Before, step.After);
                var refusal = step.Result.Refusal!;
                Assert.Matches(@"^[a-z_]+(\.[a-z_]+)+$", refusal.Code);
                Assert.False(string.IsNullOrWhiteSpace(refusal.Indonesian) || string.IsNullOrWhiteSpace(refusal.English), $"step {step.Number}: {refusal.Code} has no message");
                var plain = Record.Exception(() => PlainWords.AssertPlain(refusal));
                Assert.True(plain is null, $"step {step.Number}: {plain?.Message}");
            }
        }

        Assert.Equal(accepted, run.Final?.Version ?? 0);
        Assert.Equal(Enumerable.Range(1, accepted), run.Timeline.Select(t => t.Seq));
    });

    /// <summary>Sent twice in a row (a double click, a retry without its command id), these commands are accepted at most once.</summary>
    [Fact]
    public void AStepCommandSentTwice_IsRefusedTheSecondTime() => ForAll(run =>
    {
        foreach (var step in run.Steps.Where(s => s.Accepted && s.Command is not (AddNote or AssignMentor or LogMentoringSession or RecordConsent
            or RecordAssessment or RecordOutcomes or RecordRepayment or CorrectMentoringSession or TimersDue)))
        {
            var repeat = Journeys.Decide(step.After, step.Command, step.Context(run.Journey.Policy));
            Assert.True(repeat.IsRefused, $"step {step.Number}: {Journeys.Show(step.Command)} was accepted again ({Answer(repeat)})");
        }
    });

    private static string Answer(Result<CaseEvent> r) => r.IsRefused ? Properties.Json(r.Refusal) : $"{r.Value.Type} {Properties.Json(r.Value)}";

    /// <summary>The event type each command asks for (the decider may only answer with it or refuse); the timers' may be one of three.</summary>
    private static string ExpectedEvent(CaseCommand command) => command switch
    {
        OpenCase => nameof(CaseOpened),
        RecordConsent => nameof(ConsentRecorded),
        RecordAssessment => nameof(AssessmentRecorded),
        CorrectAssessment => nameof(AssessmentCorrected),
        StartStage => nameof(StageStarted),
        CompleteStage => nameof(StageCompleted),
        SkipStage => nameof(StageSkipped),
        CloseCase => nameof(CaseClosed),
        RequestClosure => nameof(ClosureRequested),
        ReopenCase => nameof(CaseReopened),
        RequestReopening => nameof(ReopeningRequested),
        DecideRequest { Kind: ApprovalRequestKind.Closure, Approve: true } => nameof(CaseClosed),
        DecideRequest { Kind: ApprovalRequestKind.Reopening, Approve: true } => nameof(CaseReopened),
        DecideRequest { Kind: ApprovalRequestKind.Closure } => nameof(ClosureRequestDeclined),
        DecideRequest => nameof(ReopeningRequestDeclined),
        AddNote => nameof(NoteAdded),
        AssignMentor => nameof(MentorAssigned),
        LogMentoringSession => nameof(MentoringSessionLogged),
        CorrectMentoringSession => nameof(MentoringSessionCorrected),
        RecordOutcomes => nameof(OutcomesRecorded),
        Enrol { Offer.Type: OfferType.Matchmaking } => nameof(ReferralOffered),
        Enrol { Offer.Type: OfferType.FinancingProduct } => nameof(FinancingApplied),
        Enrol { Seat: SeatOutcome.Waitlisted } => nameof(Waitlisted),
        Enrol => nameof(Enrolled),
        CompleteTraining => nameof(TrainingCompletionRecorded),
        CorrectAttendance => nameof(AttendanceCorrected),
        CompleteProgramme => nameof(EnrolmentCompleted),
        PromoteFromWaitlist => nameof(WaitlistPromoted),
        WithdrawEnrolment => nameof(EnrolmentWithdrawn),
        RespondToReferral { Accepted: true } => nameof(ReferralAccepted),
        RespondToReferral => nameof(ReferralDeclined),
        ReportReferralOutcome => nameof(ReferralOutcomeReported),
        DecideFinancing { Approved: true } => nameof(FinancingApproved),
        DecideFinancing => nameof(FinancingRejected),
        DisburseFinancing => nameof(FinancingDisbursed),
        RecordRepayment => nameof(RepaymentStatusRecorded),
        TimersDue => $"{nameof(SlaWarned)}|{nameof(SlaBreached)}|{nameof(SlaEscalated)}|{nameof(ReferralResponseOverdue)}|{nameof(MentoringSessionDue)}",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name),
    };

    /// <summary>
    /// The fold is deterministic: the timeline replayed from nothing gives, event by event, the state built step by step;
    /// and so do the events read back from their stored form (the store's JSON payloads).
    /// </summary>
    [Fact]
    public void ReplayingTheTimeline_GivesTheStateBuiltStepByStep_AlsoFromStoredPayloads() => ForAll(run =>
    {
        var built = run.Steps.Where(s => s.Accepted).Select(s => s.After!).ToList();
        CaseState? replayed = null;
        CaseState? stored = null;
        for (var i = 0; i < run.Timeline.Count; i++)
        {
            var (e, seq, at) = run.Timeline[i];
            replayed = CaseState.Apply(replayed, e, seq, at);
            stored = CaseState.Apply(stored, Properties.FromPayload(e.Type, Properties.Payload(e)), seq, at);
            var expected = Properties.Json(built[i]);
            Assert.True(expected == Properties.Json(replayed), $"event {seq} ({e.Type}): the replay differs from the state built step by step");
            Assert.True(expected == Properties.Json(stored), $"event {seq} ({e.Type}): the replay of the stored payloads differs");
        }
    });

    /// <summary>
    /// A graduated case takes nothing but notes; a closed one only notes, reopening, asking to reopen and the supervisor's
    /// answer to that; the status only moves along the case table, and graduation is final. A pending request matches the
    /// status it would change.
    /// </summary>
    [Fact]
    public void AClosedOrGraduatedCase_TakesOnlyWhatTheCaseTableAllows() => ForAll(run =>
    {
        var graduated = false;
        foreach (var step in run.Steps.Where(s => s.Before is not null))
        {
            var (before, after) = (step.Before!, step.After!);
            if (step.Accepted && before.Status == CaseStatus.Graduated)
            {
                Assert.IsType<AddNote>(step.Command);
            }

            if (step.Accepted && before.Status == CaseStatus.Closed)
            {
                Assert.True(step.Command is AddNote or ReopenCase or RequestReopening or DecideRequest { Kind: ApprovalRequestKind.Reopening },
                    $"step {step.Number}: a closed case accepted {Journeys.Show(step.Command)}");
            }

            if (before.Status != after.Status)
            {
                Assert.Contains(Transitions.CaseRules, r => r.From == before.Status && r.To == after.Status);
            }

            graduated |= after.Status == CaseStatus.Graduated;
            Assert.True(!graduated || after.Status == CaseStatus.Graduated, $"step {step.Number}: a graduated case became {after.Status}");
            Assert.True((after.Status == CaseStatus.Closed) == after.CloseReason.HasValue, $"step {step.Number}: {after.Status} with close reason {after.CloseReason}");
            Assert.True(after.PendingApproval is null
                || (after.PendingApproval.Kind == ApprovalRequestKind.Closure && after.Status == CaseStatus.Open)
                || (after.PendingApproval.Kind == ApprovalRequestKind.Reopening && after.Status == CaseStatus.Closed),
                $"step {step.Number}: a {after.PendingApproval?.Kind} request pending on a {after.Status} case");
        }
    });

    /// <summary>A skip without a reason is never accepted; an accepted one keeps its reason, trimmed, on the stage.</summary>
    [Fact]
    public void ASkip_IsAcceptedOnlyWithAReason_AndTheStageKeepsIt() => ForAll(run =>
    {
        foreach (var step in run.Steps.Where(s => s.Command is SkipStage))
        {
            var skip = (SkipStage)step.Command;
            if (string.IsNullOrWhiteSpace(skip.Reason))
            {
                Assert.True(step.Result.IsRefused, $"step {step.Number}: a skip without a reason was accepted");
            }
            else if (step.Accepted)
            {
                var skipped = Assert.IsType<StageSkipped>(step.Result.Value);
                Assert.Equal(skip.Reason.Trim(), skipped.Reason);
                Assert.Equal(skipped.Reason, step.After![skip.Stage].SkipReason);
            }
        }

        foreach (var (stage, progress) in run.Final?.Stages.Entries ?? [])
        {
            Assert.True((progress.State == StageState.Skipped) == !string.IsNullOrWhiteSpace(progress.SkipReason), $"{stage} is {progress.State} with skip reason '{progress.SkipReason}'");
        }
    });

    /// <summary>Stage times run forward: a stage ends after it starts and after the stage before it ended; the case's last change only moves on.</summary>
    [Fact]
    public void StageTimes_NeverRunBackwards() => ForAll(run =>
    {
        DateTimeOffset? lastUpdate = null;
        foreach (var step in run.Steps.Where(s => s.After is not null))
        {
            var s = step.After!;
            Assert.Equal(s.OpenedAt, s[Stage.Intake].StartedAt);
            Assert.True(lastUpdate is null || s.UpdatedAt >= lastUpdate, $"step {step.Number}: UpdatedAt went back");
            lastUpdate = s.UpdatedAt;
            var previousEnd = s.OpenedAt;
            foreach (var (stage, p) in s.Stages.Entries.TakeWhile(e => e.Value.State != StageState.NotStarted))
            {
                Assert.True(p.StartedAt is null || p.StartedAt >= previousEnd, $"step {step.Number}: {stage} started before the stage before it ended");
                Assert.True(p.EndedAt is null || (p.EndedAt >= (p.StartedAt ?? previousEnd) && p.EndedAt <= s.UpdatedAt), $"step {step.Number}: {stage} ended out of time");
                previousEnd = p.EndedAt ?? previousEnd;
            }
        }
    });

    /// <summary>
    /// The generator reaches what the properties are about: each stage completed, each skippable stage skipped, graduation,
    /// closing and reopening, the timers, and the refusals that guard the journey. A property that never meets a case
    /// proves nothing. The 300 journeys are pinned by a seed (CsCheck's <c>Single</c>), so this test cannot flicker: when a
    /// change to the generator makes it fail, the message names what the generator no longer reaches.
    /// </summary>
    [Fact]
    public void TheJourneys_ReachEveryStageOutcomeAndTheRefusalsThatGuardThem()
    {
        var seen = new Dictionary<string, int>();
        foreach (var step in Journeys.Any.Array[300].Single(_ => true, CoverageSeed).SelectMany(j => Journeys.Run(j).Steps))
        {
            var key = step.Result.IsRefused ? step.Result.Refusal!.Code
                : step.Result.Value switch
                {
                    StageCompleted e => $"{nameof(StageCompleted)} {e.Stage}",
                    StageSkipped e => $"{nameof(StageSkipped)} {e.Stage}",
                    var e => e.Type,
                };
            seen[key] = seen.GetValueOrDefault(key) + 1;
        }

        string[] expected =
        [
            .. Enum.GetValues<Stage>().Select(s => $"{nameof(StageCompleted)} {s}"),
            .. Transitions.Skippable.Select(s => $"{nameof(StageSkipped)} {s}"),
            nameof(CaseClosed), nameof(CaseReopened), nameof(ClosureRequestDeclined), nameof(ReopeningRequestDeclined), nameof(NoteAdded),
            nameof(SlaBreached), nameof(SlaEscalated), nameof(ReferralResponseOverdue), nameof(AssessmentCorrected), nameof(AttendanceCorrected),
            nameof(MentoringSessionCorrected), nameof(Waitlisted), nameof(WaitlistPromoted), nameof(EnrolmentWithdrawn), nameof(EnrolmentCompleted),
            nameof(ReferralDeclined), nameof(ReferralOutcomeReported), nameof(FinancingRejected), nameof(FinancingDisbursed), nameof(RepaymentStatusRecorded),
            "enrolment.overlap_unacknowledged", "correction.stage_already_completed",
            "case.not_open", "case.not_found", "case.already_exists", "stage.out_of_order", "stage.transition_not_allowed", "stage.not_skippable",
            "gate.intake.consent_missing", "gate.assessment.profile_missing", "gate.training.no_completed_enrolment", "gate.mentoring.no_mentor",
            "gate.mentoring.too_few_sessions", "gate.matching.no_outcome", "gate.financing.no_decision", "gate.graduated.outcomes_missing",
            "input.required", "input.too_long", "input.control_characters", "approval.already_pending", "approval.none_pending",
        ];
        var missing = expected.Where(k => !seen.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"never reached: {string.Join(", ", missing)}");
    }
}
