using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>The access log across cases, as both stores search it: the filter's SQL, its limit, and the migration behind it.</summary>
internal static class AccessLogSearch
{
    public const int MaxLimit = 500;

    /// <summary>Migration 16 (both stores): each access's origin, and indexes to search by time and by user.</summary>
    public const string Migration = """
        ALTER TABLE access_audit ADD COLUMN origin TEXT NULL;
        CREATE INDEX access_audit_at ON access_audit (at);
        CREATE INDEX access_audit_user ON access_audit (user_id, at);
        """;

    public static int Limit(AccessLogQuery query) => Math.Clamp(query.Limit ?? 100, 1, MaxLimit);

    /// <summary>The WHERE clause (parameters named with <paramref name="prefix"/>) and its values, for the filters given.</summary>
    public static (string Where, IReadOnlyList<(string Name, object Value)> Values) Where(AccessLogQuery query, string prefix)
    {
        var clauses = new List<string>();
        var values = new List<(string, object)>();
        void Add(string column, string op, string name, object? value)
        {
            if (value is null)
            {
                return;
            }

            clauses.Add($"{column} {op} {prefix}{name}");
            values.Add((name, value));
        }

        Add("user_id", "=", "user", query.UserId);
        Add("case_number", "=", "case", query.CaseNumber);
        Add("action", "=", "action", query.Action);
        Add("at", ">=", "from", query.From);
        Add("at", "<", "to", query.To);
        return (clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), values);
    }
}
