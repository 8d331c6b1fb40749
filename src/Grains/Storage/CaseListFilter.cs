using System.Data.Common;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The case list's WHERE clause and its parameters, the same for both stores (SQLite and PostgreSQL both read
/// <c>@name</c> parameters): the caller's scope (regions served and everything under them, or one mentor's cases),
/// then the query's filters.
/// </summary>
internal sealed class CaseListFilter
{
    private CaseListFilter(string where, IReadOnlyList<(string Name, object Value)> parameters)
    {
        Where = where;
        Parameters = parameters;
    }

    /// <summary>Empty, or <c>WHERE …</c>.</summary>
    public string Where { get; }

    /// <summary>Names with their <c>@</c>.</summary>
    public IReadOnlyList<(string Name, object Value)> Parameters { get; }

    /// <summary>
    /// The filter for <paramref name="query"/> within <paramref name="scope"/>; <paramref name="textMatch"/> is the
    /// database's case-insensitive pattern operator (SQLite's LIKE already is; PostgreSQL needs ILIKE).
    /// </summary>
    public static CaseListFilter Build(CaseQuery query, ListScope scope, string textMatch)
    {
        var where = new List<string>();
        var parameters = new List<(string, object)>();
        if (scope.MentorId is not null)
        {
            where.Add("mentor_id = @scopeMentor");
            parameters.Add(("@scopeMentor", scope.MentorId));
        }

        if (scope.Regions is not null)
        {
            // Each region served, and everything under it; no regions means no rows.
            var served = scope.Regions.Select((r, i) =>
            {
                parameters.Add(($"@scopeRegion{i}", r));
                return $"region_code = @scopeRegion{i} OR {UnderRegion($"@scopeRegion{i}")}";
            }).ToList();
            where.Add(served.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", served) + ")");
        }

        if (!string.IsNullOrEmpty(query.RegionCode))
        {
            where.Add(InRegion("@region"));
            parameters.Add(("@region", query.RegionCode));
        }

        if (query.Stage is { } stage)
        {
            where.Add("current_stage = @stage");
            parameters.Add(("@stage", stage.ToString()));
        }

        if (query.Segment is { } segment)
        {
            where.Add("segment = @segment");
            parameters.Add(("@segment", segment.ToString()));
        }

        if (query.Status is { } status)
        {
            where.Add("status = @status");
            parameters.Add(("@status", status.ToString()));
        }

        if (!string.IsNullOrWhiteSpace(query.MentorId))
        {
            where.Add("mentor_id = @mentor");
            parameters.Add(("@mentor", query.MentorId.Trim()));
        }

        if (query.Overdue is { } overdue)
        {
            where.Add(overdue ? "sla_state <> 'OnTime'" : "sla_state = 'OnTime'");
        }

        if (query.PendingApproval is { } pending)
        {
            where.Add("pending_approval = @pending");
            parameters.Add(("@pending", pending.ToString()));
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            where.Add($"(full_name {textMatch} @text ESCAPE '\\' OR case_number LIKE @text ESCAPE '\\')");
            parameters.Add(("@text", "%" + EscapeLike(query.Text.Trim()) + "%"));
        }

        return new CaseListFilter(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), parameters);
    }

    /// <summary>One page of the list, with the total of all matching rows in every row (<c>@limit</c>, <c>@offset</c>).</summary>
    public string PageSql => $"""
        SELECT case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage,
               current_stage_state, version, opened_at, updated_at, mentor_id, sla_state, pending_approval, count(*) OVER () AS total
        FROM case_index {Where}
        ORDER BY case_number
        LIMIT @limit OFFSET @offset
        """;

    /// <summary>The total alone (asked for when a page past the last one came back empty).</summary>
    public string CountSql => $"SELECT count(*) FROM case_index {Where}";

    /// <summary>A row of <see cref="PageSql"/>; each store reads its own time columns.</summary>
    public static (CaseSummary Summary, long Total) ReadRow(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time) =>
        (new CaseSummary(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
            Enum.Parse<Segment>(r.GetString(4)), Enum.Parse<Gender>(r.GetString(5)),
            Enum.Parse<CaseStatus>(r.GetString(6)), Enum.Parse<Stage>(r.GetString(7)),
            Enum.Parse<StageState>(r.GetString(8)), r.GetInt32(9), time(r, 10), time(r, 11),
            r.IsDBNull(12) ? null : r.GetString(12), Enum.Parse<SlaState>(r.GetString(13)),
            r.IsDBNull(14) ? null : Enum.Parse<ApprovalRequestKind>(r.GetString(14))),
         r.GetInt64(15));

    /// <summary>Codes under a region, as an index-friendly range: '35.79.' ≤ code &lt; '35.79/' ('/' follows '.').</summary>
    private static string UnderRegion(string parameter) => $"(region_code >= {parameter} || '.' AND region_code < {parameter} || '/')";

    /// <summary>The region named by <paramref name="parameter"/> and everything under it (the projections' filters too).</summary>
    internal static string InRegion(string parameter) => $"(region_code = {parameter} OR {UnderRegion(parameter)})";

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
