using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>
/// A case built the way production builds one: decide a real command with <see cref="CaseDecider"/>, fold the
/// accepted event with <see cref="CaseState.Apply"/>. No state is ever constructed by hand, so a test can only
/// start from a state real events can reach.
/// </summary>
internal sealed class CaseScenario
{
    /// <summary>When the case is opened (09:00 WIB = 02:00 UTC, so the UTC date is the same day).</summary>
    public static readonly DateTimeOffset OpenedAt = new(2025, 3, 3, 9, 0, 0, TimeSpan.FromHours(7));

    /// <summary>"Today" used to parse NIKs.</summary>
    public static readonly DateOnly Today = new(2025, 6, 1);

    /// <summary>Kota Batu (35.79), kecamatan Batu (01), male, born 15 Aug 1990, sequence 0001.</summary>
    public const string BatuNik = "3579011508900001";

    public const string SkipReason = "Sudah pernah mengikuti program serupa";

    private CaseScenario(CaseState state, DecisionContext context)
    {
        State = state;
        Context = context;
    }

    public CaseState State { get; private set; }

    public DecisionContext Context { get; }

    /// <summary>The last event this scenario applied.</summary>
    public CaseEvent? LastEvent { get; private set; }

    public static DecisionContext ContextWith(JourneyPolicy? policy = null) =>
        new(OpenedAt.AddDays(30), policy ?? JourneyPolicy.Default);

    public static OpenCase OpenCommand(bool consentGiven = true, string regionCode = "35.79.01", string fullName = "Siti Rahayu", string? nib = null)
    {
        var nik = Nik.Parse(BatuNik, RegionTable.Kemendagri, Today).Value;
        return OpenCase.For("PBC-2025-000001", nik, "hmac:3f1c9a", fullName, regionCode, Segment.Umkm, nib, consentGiven);
    }

    /// <summary>A freshly opened case: Intake is Active, everything else NotStarted.</summary>
    public static CaseScenario Open(bool consentGiven = true, JourneyPolicy? policy = null)
    {
        var context = ContextWith(policy);
        var opened = CaseDecider.Decide(null, OpenCommand(consentGiven), context);
        if (opened.IsRefused)
        {
            throw new InvalidOperationException($"Opening the test case was refused: {opened.Refusal!.Code}");
        }

        return new CaseScenario(CaseState.Apply(null, opened.Value, 1, OpenedAt), context);
    }

    /// <summary>
    /// A case in which <paramref name="stage"/> is in <paramref name="state"/> and every earlier stage is
    /// completed (gates met) with nothing else active. An Active stage has none of its gate facts recorded
    /// yet (an Active Intake has no consent). Throws for states no event sequence can reach.
    /// </summary>
    public static CaseScenario WithStage(Stage stage, StageState state, JourneyPolicy? policy = null)
    {
        if (stage == Stage.Intake && state == StageState.NotStarted)
        {
            throw new ArgumentException("Intake is Active from the moment a case is opened.", nameof(state));
        }

        var c = Open(consentGiven: !(stage == Stage.Intake && state == StageState.Active), policy);
        c.CompleteStagesBefore(stage);
        return state switch
        {
            StageState.NotStarted => c,
            StageState.Active => c.Start(stage),
            StageState.Completed => c.Complete(stage),
            StageState.Skipped => c.Do(new SkipStage(stage, SkipReason)),
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }

    public Result<CaseEvent> Decide(CaseCommand command) => CaseDecider.Decide(State, command, Context);

    /// <summary>Decides and applies a command that must be accepted (a setup step).</summary>
    public CaseScenario Do(CaseCommand command)
    {
        var result = Decide(command);
        if (result.IsRefused)
        {
            throw new InvalidOperationException($"Setup step {command} was refused: {result.Refusal!.Code} ({result.Refusal.English})");
        }

        return Apply(result.Value);
    }

    /// <summary>Folds an accepted event as the timeline would: next sequence number, one hour later.</summary>
    public CaseScenario Apply(CaseEvent @event)
    {
        var seq = State.Version + 1;
        State = CaseState.Apply(State, @event, seq, OpenedAt.AddHours(seq));
        LastEvent = @event;
        return this;
    }

    public CaseScenario Start(Stage stage) =>
        State[stage].State == StageState.Active ? this : Do(new StartStage(stage));

    /// <summary>Starts the stage if needed, records what its gate asks for, and completes it.</summary>
    public CaseScenario Complete(Stage stage) => Start(stage).MeetGate(stage).Do(new CompleteStage(stage));

    public CaseScenario CompleteStagesBefore(Stage stage)
    {
        foreach (var earlier in Enum.GetValues<Stage>().Where(s => s < stage))
        {
            Complete(earlier);
        }

        return this;
    }

    /// <summary>Records the facts the stage's gate needs. The stage must be active (Intake's consent aside).</summary>
    public CaseScenario MeetGate(Stage stage) => stage switch
    {
        Stage.Intake => State.HasConsent ? this : Do(new RecordConsent("Tanda tangan basah")),
        Stage.Assessment => Do(new RecordAssessment("Kuliner", 300_000_000, 50_000_000, 2, ["Pemasaran digital"])),
        Stage.Training => Enrol(TestOffers.Course()).Do(new CompleteTraining("course-1", 90)),
        Stage.Mentoring => AssignMentorIfNone().LogSessions(Context.Policy.MentoringSessionsRequired - State.MentoringSessions),
        Stage.Matching => Enrol(TestOffers.Buyer()).Do(new RespondToReferral("buyer-1", true, null))
            .Do(new ReportReferralOutcome("buyer-1", MatchOutcome.Accepted, null)),
        Stage.Financing => Enrol(TestOffers.Kur(), 50_000_000).Do(new DecideFinancing("kur-1", true, 50_000_000, null))
            .Do(new DisburseFinancing("kur-1", 50_000_000, SessionDate.AddDays(20))),
        Stage.Graduated => Do(new RecordOutcomes(600_000_000, 80_000_000, 4)),
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    /// <summary>Enrols in an offer with a place granted (the roster's answer), acknowledging overlaps if asked to.</summary>
    public CaseScenario Enrol(Offer offer, long? amountIdr = null, bool acknowledgeOverlap = false) =>
        Do(new Enrol(offer, SeatOutcome.Granted, 0, acknowledgeOverlap, amountIdr));

    /// <summary>Assigns mentor-7 unless a mentor is assigned, recording consent first when the case has none (mentoring needs it).</summary>
    public CaseScenario AssignMentorIfNone() => State.MentorId is not null ? this
        : (State.Consents(Privacy.ConsentPurpose.Mentoring) ? this : Do(new RecordConsent("Tanda tangan basah"))).Do(new AssignMentor("mentor-7"));

    public CaseScenario LogSessions(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Do(new LogMentoringSession(SessionDate, $"Sesi {State.MentoringSessions + 1}", null, null));
        }

        return this;
    }

    /// <summary>A date inside the allowed window (after opening, not after "now").</summary>
    public static DateOnly SessionDate => DateOnly.FromDateTime(OpenedAt.UtcDateTime).AddDays(7);
}
