using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

public sealed class CaseEventTypesTests
{
    [Fact]
    public void ByName_IsExactlyTheStoredEventTypeNames()
    {
        // Pinned on purpose: these names are written into every stored timeline. Renaming, removing or adding an
        // event class makes this test fail; a rename breaks existing timelines, so add a new type instead, and
        // extend this list only when adding one.
        string[] stored =
        [
            "AssessmentCorrected",
            "AssessmentRecorded",
            "AttendanceCorrected",
            "CaseClosed",
            "CaseOpened",
            "CaseReopened",
            "ClosureRequestDeclined",
            "ClosureRequested",
            "ConsentRecorded",
            "ConsentWithdrawn",
            "Enrolled",
            "EnrolmentCompleted",
            "EnrolmentWithdrawn",
            "FinancingApplied",
            "FinancingApproved",
            "FinancingDecisionRecorded",
            "FinancingDisbursed",
            "FinancingRejected",
            "MatchOutcomeRecorded",
            "MentorAssigned",
            "MentoringSessionCorrected",
            "MentoringSessionDue",
            "MentoringSessionLogged",
            "NoteAdded",
            "OutcomesRecorded",
            "ReferralAccepted",
            "ReferralDeclined",
            "ReferralOffered",
            "ReferralOutcomeReported",
            "ReferralResponseOverdue",
            "ReopeningRequestDeclined",
            "ReopeningRequested",
            "RepaymentStatusRecorded",
            "SlaBreached",
            "SlaEscalated",
            "SlaWarned",
            "StageCompleted",
            "StageSkipped",
            "StageStarted",
            "SubjectErased",
            "TrainingCompletionRecorded",
            "WaitlistPromoted",
            "Waitlisted",
        ];

        Assert.Equal(stored, CaseEventTypes.ByName.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ByName_MapsEachNameToTheTypeWhoseEventsCarryIt()
    {
        Assert.All(CaseEventTypes.ByName, kv => Assert.Equal(kv.Key, kv.Value.Name));
        Assert.Equal(nameof(StageStarted), new StageStarted(Stage.Training).Type);
    }

    [Fact]
    public void Apply_CaseOpenedToAnExistingCase_Throws()
    {
        var c = CaseScenario.Open();
        var opened = CaseDecider.Decide(null, CaseScenario.OpenCommand(), c.Context).Value;

        Assert.Throws<InvalidOperationException>(() => CaseState.Apply(c.State, opened, 2, CaseScenario.OpenedAt));
    }

    [Fact]
    public void Apply_EventBeforeCaseOpened_Throws() =>
        Assert.Throws<InvalidOperationException>(() => CaseState.Apply(null, new StageStarted(Stage.Assessment), 1, CaseScenario.OpenedAt));

    [Fact]
    public void Apply_SetsVersionAndUpdatedAtFromTheTimeline()
    {
        var c = CaseScenario.Open();
        var at = CaseScenario.OpenedAt.AddMinutes(5);

        var s = CaseState.Apply(c.State, new ConsentRecorded("Lisan"), 7, at);

        Assert.Equal(7, s.Version);
        Assert.Equal(at, s.UpdatedAt);
        Assert.Equal(CaseScenario.OpenedAt, s.OpenedAt);
    }
}
