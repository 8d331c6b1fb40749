namespace CaseGrains.Domain.Journey;

/// <summary>Programme settings the gates use. Values come from configuration; these are the defaults of DESIGN.md.</summary>
public sealed record JourneyPolicy
{
    public static JourneyPolicy Default { get; } = new();

    /// <summary>Mentoring gate: logged sessions needed (default 3).</summary>
    public int MentoringSessionsRequired { get; init; } = 3;

    /// <summary>Training gate: attendance needed when the course names no threshold (default 80%).</summary>
    public int DefaultAttendanceThresholdPercent { get; init; } = 80;

    /// <summary>How long a partner has to answer a referral before the case records it as overdue (default 7 days).</summary>
    public TimeSpan ReferralResponseTime { get; init; } = TimeSpan.FromDays(7);
}

/// <summary>What a decision may depend on besides the state and the command: the time, and the policy.</summary>
public sealed record DecisionContext(DateTimeOffset Now, JourneyPolicy Policy);
