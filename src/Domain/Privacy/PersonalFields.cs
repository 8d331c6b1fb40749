using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Privacy;

/// <summary>
/// The personal fields of each stored event type (their JSON names): what is encrypted under the case's own key before
/// the payload is hashed, and what an erasure redacts from a payload written before that (issue 19, deliverable 3). A
/// test pins this table; a new event type or field that can hold something about the person must be added here.
/// </summary>
public static class PersonalFields
{
    /// <summary>What an erased personal field reads as, everywhere (views, lists, timelines, exports).</summary>
    public const string Erased = "Data dihapus / Erased";

    /// <summary>
    /// By stored event type. Identity (name, NIK hash and masked NIK, NIB) and free text that staff write about the
    /// person (notes, mentoring topics, reasons, the consent's witness). Codes, amounts, stages, region, segment and
    /// gender stay in clear: the dashboards and their rebuild count them, and none names the person.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ByEventType { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [nameof(CaseOpened)] = ["nikHash", "nikMasked", "fullName", "nib"],
        [nameof(ConsentRecorded)] = ["witness"],
        [nameof(ConsentWithdrawn)] = ["witness", "note"],
        [nameof(AssessmentCorrected)] = ["reason"],
        [nameof(StageSkipped)] = ["reason"],
        [nameof(CaseClosed)] = ["note"],
        [nameof(CaseReopened)] = ["reason"],
        [nameof(ClosureRequested)] = ["note"],
        [nameof(ClosureRequestDeclined)] = ["reason"],
        [nameof(ReopeningRequested)] = ["reason"],
        [nameof(ReopeningRequestDeclined)] = ["reason"],
        [nameof(NoteAdded)] = ["text"],
        [nameof(MentoringSessionLogged)] = ["topic", "notes", "nextStep"],
        [nameof(MentoringSessionCorrected)] = ["topic", "notes", "nextStep", "reason"],
        [nameof(AttendanceCorrected)] = ["reason"],
        [nameof(MatchOutcomeRecorded)] = ["reason"],
        [nameof(FinancingDecisionRecorded)] = ["reason"],
        [nameof(EnrolmentWithdrawn)] = ["reason"],
        [nameof(EnrolmentCompleted)] = ["note"],
        [nameof(ReferralDeclined)] = ["reason"],
        [nameof(ReferralOutcomeReported)] = ["reason"],
        [nameof(FinancingRejected)] = ["reason"],
    };

    /// <summary>The personal fields of events of <paramref name="type"/> (none for most).</summary>
    public static IReadOnlyList<string> Of(string type) => ByEventType.TryGetValue(type, out var fields) ? fields : [];
}
