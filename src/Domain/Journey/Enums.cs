namespace CaseGrains.Domain.Journey;

/// <summary>The four beneficiary segments of Perintis Berdaya Connect.</summary>
public enum Segment
{
    Umkm,
    Koperasi,
    EkonomiKreatif,
    PekerjaMigran,
}

/// <summary>Journey stages, in order. <see cref="Graduated"/> is the last (mandiri).</summary>
public enum Stage
{
    Intake,
    Assessment,
    Training,
    Mentoring,
    Matching,
    Financing,
    Graduated,
}

public enum StageState
{
    NotStarted,
    Active,
    Completed,
    Skipped,
}

/// <summary>What a caseworker does to a stage.</summary>
public enum StageAction
{
    Start,
    Complete,
    Skip,
}

public enum CaseStatus
{
    Open,
    Closed,
    Graduated,
}

/// <summary>What a supervisor or caseworker does to the case as a whole.</summary>
public enum CaseAction
{
    Close,
    Reopen,
    Graduate,
}

public enum CloseReason
{
    DroppedOut,
    Ineligible,
    Duplicate,
    Moved,
    Deceased,
}

/// <summary>What a caseworker may ask the region's supervisors to approve.</summary>
public enum ApprovalRequestKind
{
    Closure,
    Reopening,
}

public enum Gender
{
    Male,
    Female,
}

public enum MatchOutcome
{
    Accepted,
    Contracted,
    Declined,
}

public enum FinancingDecision
{
    Disbursed,
    Rejected,
}
