using System.Globalization;
using System.Text.RegularExpressions;

namespace CaseGrains.Domain.Privacy;

/// <summary>A retention period in calendar terms (ISO 8601 <c>PnYnMnD</c>, e.g. <c>P5Y</c>, <c>P18M</c>, <c>P90D</c>).</summary>
public readonly partial record struct RetentionPeriod(int Years, int Months, int Days)
{
    public static bool TryParse(string? text, out RetentionPeriod period)
    {
        period = default;
        var m = Iso().Match(text?.Trim() ?? "");
        if (!m.Success || m.Groups.Cast<Group>().Skip(1).All(g => !g.Success))
        {
            return false;
        }

        static int Part(Group g) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        period = new RetentionPeriod(Part(m.Groups[1]), Part(m.Groups[2]), Part(m.Groups[3]));
        return period.Years + period.Months + period.Days > 0;
    }

    /// <summary>When a period that started at <paramref name="start"/> ends (calendar years and months).</summary>
    public DateTimeOffset After(DateTimeOffset start) => start.AddYears(Years).AddMonths(Months).AddDays(Days);

    public override string ToString() =>
        "P" + (Years > 0 ? $"{Years}Y" : "") + (Months > 0 ? $"{Months}M" : "") + (Days > 0 ? $"{Days}D" : "");

    [GeneratedRegex(@"^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();
}

/// <summary>
/// How long a case's personal data is kept after the case ends, per purpose of processing (the consent purposes' names:
/// <c>CaseManagement</c>, <c>Mentoring</c>, <c>PartnerSharing</c>, <c>Statistics</c>). One key covers all of a case's
/// personal fields, so the whole subject is erased when the first period of a purpose that holds personal data ends;
/// statistics are aggregates that hold none and outlive the erasure.
/// </summary>
public sealed record RetentionPolicy(IReadOnlyDictionary<string, RetentionPeriod> Periods)
{
    public const string CaseManagement = "CaseManagement";
    public const string Mentoring = "Mentoring";
    public const string PartnerSharing = "PartnerSharing";
    public const string Statistics = "Statistics";

    /// <summary>Every purpose a period may be set for.</summary>
    public static IReadOnlyList<string> Purposes { get; } = [CaseManagement, Mentoring, PartnerSharing, Statistics];

    /// <summary>The purposes whose data is the person's (erased with the case's key).</summary>
    public static IReadOnlyList<string> PersonalPurposes { get; } = [CaseManagement, Mentoring, PartnerSharing];

    /// <summary>The defaults (docs/storage.md, "Retention"): five years after the case ends for every purpose.</summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [CaseManagement] = "P5Y",
        [Mentoring] = "P5Y",
        [PartnerSharing] = "P5Y",
        [Statistics] = "P10Y",
    };

    /// <summary>The purpose whose period ends first for a case that ended at <paramref name="endedAt"/>, and when.</summary>
    public (string Purpose, RetentionPeriod Period, DateTimeOffset DueAt) Governing(DateTimeOffset endedAt) =>
        PersonalPurposes.Where(Periods.ContainsKey).Select(p => (p, Periods[p], Periods[p].After(endedAt)))
            .OrderBy(x => x.Item3).ThenBy(x => PersonalPurposesOrder(x.p)).First();

    /// <summary>
    /// The latest end of a case that is due at <paramref name="now"/> under some purpose (a query bound: a case that ended
    /// before it may be due); exact per case with <see cref="Governing"/>.
    /// </summary>
    public DateTimeOffset EndedBefore(DateTimeOffset now) =>
        PersonalPurposes.Where(Periods.ContainsKey).Select(p => Back(Periods[p], now)).Max().AddDays(1);

    private static DateTimeOffset Back(RetentionPeriod p, DateTimeOffset now) => now.AddDays(-p.Days).AddMonths(-p.Months).AddYears(-p.Years);

    private static int PersonalPurposesOrder(string purpose) => PersonalPurposes.ToList().IndexOf(purpose);
}
