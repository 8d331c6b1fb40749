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
    /// The filter for <paramref name="query"/> within <paramref name="scope"/>. Text matches a case number from its start,
    /// or names whose key (<see cref="Domain.SearchText"/>) holds every word of the query; <paramref name="names"/> is how
    /// this database finds those through its trigram index (PostgreSQL: <c>pg_trgm</c> on <c>name_key</c>; SQLite: the
    /// FTS5 table <c>case_names</c>).
    /// </summary>
    public static CaseListFilter Build(CaseQuery query, ListScope scope, NameIndex names)
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

        if (query.CaseNumbers is { } numbers)
        {
            where.Add(numbers.Count == 0 ? "1 = 0" : $"case_number IN ({string.Join(", ", numbers.Select((_, i) => "@number" + i))})");
            parameters.AddRange(numbers.Select((n, i) => ("@number" + i, (object)n)));
        }

        var search = query.CaseNumbers is not null;
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            search = true;
            var text = query.Text.Trim();
            if (text.All(c => char.IsAsciiDigit(c) || c == '-'))
            {
                // Digits and dashes: a case number from its start, through the key's order (SQLite: a range of the binary
                // key, '~' sorting after every digit and dash; PostgreSQL: LIKE on a text_pattern_ops index).
                where.Add(names == NameIndex.Fts5Table ? "(case_number >= @numberPrefix AND case_number < @numberPrefix || '~')" : "case_number LIKE @numberPrefix || '%'");
                parameters.Add(("@numberPrefix", text));
            }
            else
            {
                // Each word anywhere in the name's key (the words hold letters and digits only: nothing to escape).
                var matches = Domain.SearchText.Words(text).Select((w, i) =>
                {
                    parameters.Add(($"@word{i}", "%" + w + "%"));
                    return $"name_key LIKE @word{i}";
                }).ToList();
                where.Add(matches.Count == 0 ? "1 = 0"
                    : names == NameIndex.Fts5Table ? $"case_number IN (SELECT case_number FROM case_names WHERE {string.Join(" AND ", matches)})"
                    : string.Join(" AND ", matches));
            }
        }

        return new CaseListFilter(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), parameters) { Search = search };
    }

    /// <summary>A search (text or case numbers): few rows found through an index, not a walk of the list in order.</summary>
    private bool Search { get; init; }

    /// <summary>
    /// One page of the list, with the total of all matching rows in every row (<c>@limit</c>, <c>@offset</c>). A search
    /// finds its rows first (a materialized step), then orders them: asked as one query, PostgreSQL walked the whole
    /// list in case-number order filtering each row (2.5 s at 1,000,000 cases) instead of using the name index.
    /// </summary>
    public string PageSql => Search ? $"""
        WITH hits AS MATERIALIZED (
            SELECT case_number, full_name, nik_masked, region_code, segment, gender, status, current_stage,
                   current_stage_state, version, opened_at, updated_at, mentor_id, sla_state, pending_approval
            FROM case_index {Where})
        SELECT hits.*, (SELECT count(*) FROM hits) AS total FROM hits
        ORDER BY case_number
        LIMIT @limit OFFSET @offset
        """ : $"""
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
}

/// <summary>Where a database keeps the trigram index of the names' keys.</summary>
internal enum NameIndex
{
    /// <summary>On the column itself (PostgreSQL, a <c>pg_trgm</c> GIN index).</summary>
    Column,

    /// <summary>In the FTS5 table <c>case_names</c> kept by triggers (SQLite, trigram tokenizer).</summary>
    Fts5Table,
}
