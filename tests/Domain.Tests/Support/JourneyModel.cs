using System.Collections.Immutable;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>
/// The journey as DESIGN.md states it, folded from the timeline's events by the test alone: the case's status, each
/// stage's state, and the facts the exit criteria (gates) read. It shares no code with <see cref="CaseState"/>,
/// <see cref="Gates"/> or <see cref="CaseDecider"/>, so a property can hold the real decider and fold against it.
/// </summary>
internal sealed record JourneyModel
{
    public static JourneyModel None { get; } = new();

    public CaseStatus? Status { get; private init; }

    public ImmutableArray<StageState> Stages { get; private init; } = [.. Enum.GetValues<Stage>().Select(_ => StageState.NotStarted)];

    public bool Consent { get; private init; }

    public bool Profile { get; private init; }

    /// <summary>Every course whose final attendance is recorded: the offer, the attendance now on record, and the threshold the course had.</summary>
    public ImmutableList<(string OfferId, int Attendance, int Threshold)> Courses { get; private init; } = [];

    /// <summary>The offers the case enrolled in (the course's own threshold is read from here).</summary>
    public ImmutableDictionary<string, Offer> Offers { get; private init; } = ImmutableDictionary<string, Offer>.Empty;

    public bool Mentor { get; private init; }

    public int Sessions { get; private init; }

    public bool MatchWithOutcome { get; private init; }

    public bool FinancingDecided { get; private init; }

    public bool Outcomes { get; private init; }

    public StageState this[Stage stage] => Stages[(int)stage];

    public bool Done(Stage stage) => this[stage] is StageState.Completed or StageState.Skipped;

    public Stage? Active => Enum.GetValues<Stage>().Where(s => this[s] == StageState.Active).Select(s => (Stage?)s).FirstOrDefault();

    /// <summary>DESIGN.md's exit criterion of <paramref name="stage"/>, on the facts recorded so far.</summary>
    public bool GateHolds(Stage stage, JourneyPolicy policy) => stage switch
    {
        Stage.Intake => Consent,
        Stage.Assessment => Profile,
        Stage.Training => Courses.Any(c => c.Attendance >= c.Threshold),
        Stage.Mentoring => Mentor && Sessions >= policy.MentoringSessionsRequired,
        Stage.Matching => MatchWithOutcome,
        Stage.Financing => FinancingDecided,
        Stage.Graduated => Outcomes,
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    public JourneyModel Apply(CaseEvent e, JourneyPolicy policy) => e switch
    {
        CaseOpened o => this with { Status = CaseStatus.Open, Consent = o.ConsentGiven, Stages = Stages.SetItem((int)Stage.Intake, StageState.Active) },
        ConsentRecorded => this with { Consent = true },
        AssessmentRecorded => this with { Profile = true },
        StageStarted x => this with { Stages = Stages.SetItem((int)x.Stage, StageState.Active) },
        StageCompleted x => this with
        {
            Stages = Stages.SetItem((int)x.Stage, StageState.Completed),
            Status = x.Stage == Stage.Graduated ? CaseStatus.Graduated : Status,
        },
        StageSkipped x => this with { Stages = Stages.SetItem((int)x.Stage, StageState.Skipped) },
        CaseClosed => this with { Status = CaseStatus.Closed },
        CaseReopened => this with { Status = CaseStatus.Open },
        Enrolled x => this with { Offers = Offers.SetItem(x.Offer.Id, x.Offer) },
        Waitlisted x => this with { Offers = Offers.SetItem(x.Offer.Id, x.Offer) },
        TrainingCompletionRecorded x => this with
        {
            Courses = Courses.Add((x.OfferId, x.AttendancePercent, Offers[x.OfferId].AttendanceThresholdPercent ?? policy.DefaultAttendanceThresholdPercent)),
        },
        AttendanceCorrected x => Courses.FindLastIndex(c => c.OfferId == x.OfferId) is var i and >= 0
            ? this with { Courses = Courses.SetItem(i, Courses[i] with { Attendance = x.AttendancePercent }) }
            : throw new InvalidOperationException($"Attendance corrected for {x.OfferId}, which has none recorded."),
        MentorAssigned => this with { Mentor = true },
        MentoringSessionLogged => this with { Sessions = Sessions + 1 },
        ReferralDeclined or ReferralOutcomeReported => this with { MatchWithOutcome = true },
        FinancingRejected or FinancingDisbursed => this with { FinancingDecided = true },
        OutcomesRecorded => this with { Outcomes = true },
        _ => this,
    };
}
