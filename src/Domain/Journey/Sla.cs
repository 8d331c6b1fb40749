using System.Collections.Immutable;
using CaseGrains.Domain.Access;

namespace CaseGrains.Domain.Journey;

/// <summary>
/// Stage service levels: each stage has a target duration from the moment it became Active (or the case was reopened).
/// At <see cref="WarnAtPercent"/> of the target the case gets <see cref="SlaWarned"/> (a notice to whoever works the
/// case that the target is near); past the target it gets <see cref="SlaBreached"/> (an alert to whoever works the
/// case); past a further grace period it gets <see cref="SlaEscalated"/>, which goes to the supervisors of the case's
/// region. Pure: time is passed in.
/// </summary>
public sealed record SlaPolicy(ImmutableDictionary<Stage, TimeSpan> Targets, TimeSpan EscalationGrace)
{
    /// <summary>
    /// The share of a stage's target after which the stage is warned (default 80: a 7-day Intake on day 5.6, a 90-day
    /// Mentoring on day 72); 0 warns never. A stage found already past its target is breached without a warning.
    /// </summary>
    public int WarnAtPercent { get; init; } = 80;

    /// <summary>The programme's default targets (calendar time), overridable per stage by configuration.</summary>
    public static SlaPolicy Default { get; } = new(new Dictionary<Stage, TimeSpan>
    {
        [Stage.Intake] = TimeSpan.FromDays(7),
        [Stage.Assessment] = TimeSpan.FromDays(14),
        [Stage.Training] = TimeSpan.FromDays(60),
        [Stage.Mentoring] = TimeSpan.FromDays(90),
        [Stage.Matching] = TimeSpan.FromDays(60),
        [Stage.Financing] = TimeSpan.FromDays(60),
        [Stage.Graduated] = TimeSpan.FromDays(30),
    }.ToImmutableDictionary(), TimeSpan.FromDays(7));

    /// <summary>The stage's target, or null when the stage has none (no timer).</summary>
    public TimeSpan? TargetFor(Stage stage) => Targets.TryGetValue(stage, out var t) ? t : null;

    /// <summary>
    /// What the SLA timer should do for <paramref name="state"/> at <paramref name="now"/>: append an event now, wait
    /// until a time, or nothing (no open case, no active stage, or already escalated).
    /// </summary>
    public SlaStep Next(CaseState? state, DateTimeOffset now)
    {
        if (state is not { Status: CaseStatus.Open } || state.ActiveStage is not { } stage
            || state[stage].StartedAt is not { } started || TargetFor(stage) is not { } target)
        {
            return SlaStep.Nothing;
        }

        var progress = state[stage];
        var clock = state.ReopenedAt is { } reopened && reopened > started ? reopened : started;
        var due = clock + target;
        if (!progress.SlaBreached)
        {
            if (now >= due)
            {
                return SlaStep.Append(new SlaBreached(stage, clock, due));
            }

            if (!progress.SlaWarned && WarnAtPercent > 0)
            {
                var warnAt = clock + target * WarnAtPercent / 100;
                return now >= warnAt ? SlaStep.Append(new SlaWarned(stage, clock, due)) : SlaStep.WaitUntil(warnAt);
            }

            return SlaStep.WaitUntil(due);
        }

        if (progress.SlaEscalated)
        {
            return SlaStep.Nothing;
        }

        var escalateAt = due + EscalationGrace;
        return now >= escalateAt ? SlaStep.Append(new SlaEscalated(stage, due, SupervisorRegion(state.RegionCode))) : SlaStep.WaitUntil(escalateAt);
    }

    /// <summary>
    /// The administrative level an escalation goes to: the case's kab/kota (its supervisors, or failing those the
    /// province's, serve it).
    /// </summary>
    public static string SupervisorRegion(string regionCode)
    {
        ArgumentNullException.ThrowIfNull(regionCode);
        var parts = regionCode.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : regionCode;
    }

    /// <summary>
    /// Who an escalation for <paramref name="supervisorRegion"/> goes to: among the active supervisors serving it, those
    /// of the most specific level (a kab/kota supervisor of 35.79 before a provincial one of 35). Empty when none serves it.
    /// </summary>
    public static IReadOnlyList<Caller> EscalationRecipients(IEnumerable<Caller> supervisors, string supervisorRegion)
    {
        var serving = supervisors
            .Where(s => s.Role == Role.Supervisor && s.Serves(supervisorRegion))
            .Select(s => (Caller: s, Depth: s.Regions.Where(r => supervisorRegion == r || supervisorRegion.StartsWith(r + ".", StringComparison.Ordinal)).Max(r => r.Length)))
            .ToList();
        var level = serving.Count == 0 ? 0 : serving.Max(s => s.Depth);
        return [.. serving.Where(s => s.Depth == level).Select(s => s.Caller)];
    }

    /// <summary>A stable command id for a timer's event: a repeated or concurrent tick appends it once.</summary>
    public static string CommandIdFor(CaseEvent slaEvent) => slaEvent switch
    {
        SlaWarned w => $"sla:{w.Stage}:{w.StartedAt.UtcTicks}:warned",
        SlaBreached b => $"sla:{b.Stage}:{b.StartedAt.UtcTicks}:breached",
        SlaEscalated e => $"sla:{e.Stage}:{e.DueAt.UtcTicks}:escalated",
        _ => throw new ArgumentException("Not an SLA event.", nameof(slaEvent)),
    };
}

/// <summary>The SLA timer's next step.</summary>
public sealed record SlaStep(CaseEvent? Event, DateTimeOffset? At)
{
    public static SlaStep Nothing { get; } = new(null, null);

    public static SlaStep Append(CaseEvent e) => new(e, null);

    public static SlaStep WaitUntil(DateTimeOffset at) => new(null, at);
}
