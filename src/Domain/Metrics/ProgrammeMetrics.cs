using System.Globalization;
using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain.Metrics;

/// <summary>
/// One change to a programme counter: a kecamatan, a metric, up to four dimensions and a signed amount. Counters are
/// kept per kecamatan (the finest level the dashboard shows) and summed up the region hierarchy when read.
/// </summary>
public sealed record MetricDelta(string Region, string Metric, string D1, string D2, string D3, string D4, long Delta)
{
    /// <summary>The counter this delta changes (everything but the amount).</summary>
    public (string, string, string, string, string, string) Key => (Region, Metric, D1, D2, D3, D4);
}

/// <summary>
/// The programme's counters, as a pure function of what one event did to a case (ministry dashboard, issue 8). No
/// personal data: a region, a segment, a gender, a stage, a week, a number of days, a class. The same function feeds the
/// live counters (written with each event) and their rebuild from the timelines, so the two agree by construction.
/// </summary>
public static class ProgrammeMetrics
{
    /// <summary>Cases by current stage and status: <c>(segment, gender, stage, status)</c>.</summary>
    public const string Funnel = "funnel";

    /// <summary>Stage completions by ISO week: <c>(stage, week "2026-W48", "", "")</c>.</summary>
    public const string Completed = "completed";

    /// <summary>Time a completed stage took, in whole days: <c>(stage, days, "", "")</c> (medians are read from these).</summary>
    public const string StageDays = "stage_days";

    /// <summary>UMKM class at assessment → at graduation: <c>(before, after, "", "")</c>.</summary>
    public const string ClassChange = "class_change";

    public static IReadOnlyList<MetricDelta> Deltas(CaseState? before, CaseState after, CaseEvent @event)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(@event);
        var region = Kecamatan(after.RegionCode);
        var deltas = new List<MetricDelta>();
        (string Segment, string Gender, string Stage, string Status)? old = before is null ? null : FunnelKey(before);
        var now = FunnelKey(after);
        if (old != now)
        {
            if (old is { } o)
            {
                deltas.Add(new(region, Funnel, o.Segment, o.Gender, o.Stage, o.Status, -1));
            }

            deltas.Add(new(region, Funnel, now.Segment, now.Gender, now.Stage, now.Status, 1));
        }

        if (@event is StageCompleted completed && after[completed.Stage] is { StartedAt: { } started, EndedAt: { } ended })
        {
            var stage = completed.Stage.ToString();
            deltas.Add(new(region, Completed, stage, Week(ended), "", "", 1));
            deltas.Add(new(region, StageDays, stage, Days(ended - started), "", "", 1));
        }

        if (@event is OutcomesRecorded outcomes)
        {
            if (before?.Outcomes is { } earlier)
            {
                deltas.Add(new(region, ClassChange, Class(before), earlier.UmkmClassAfter.ToString(), "", "", -1));
            }

            deltas.Add(new(region, ClassChange, Class(after), outcomes.UmkmClassAfter.ToString(), "", "", 1));
        }

        return deltas;
    }

    /// <summary>The kecamatan of a kecamatan or desa code (35.79.02.2004 → 35.79.02).</summary>
    public static string Kecamatan(string regionCode) =>
        string.Join('.', regionCode.Split('.').Take(3));

    /// <summary>ISO 8601 week of a UTC instant, as <c>2026-W48</c>.</summary>
    public static string Week(DateTimeOffset at)
    {
        var day = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):D2}");
    }

    /// <summary>Whole days, zero-padded so that text order is numeric order.</summary>
    public static string Days(TimeSpan span) => Math.Max(0, (int)span.TotalDays).ToString("D5", CultureInfo.InvariantCulture);

    private static string Class(CaseState s) => s.Profile?.UmkmClass.ToString() ?? "Unknown";

    private static (string Segment, string Gender, string Stage, string Status) FunnelKey(CaseState s) =>
        (s.Segment.ToString(), s.Gender.ToString(), s.CurrentStage.ToString(), s.Status.ToString());
}
