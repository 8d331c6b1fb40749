using CaseGrains.Domain.Access;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The people index (issue 16): one row per account and region it works in — a caseworker's or supervisor's regions, a
/// mentor's profile regions, <c>''</c> for an account with none — with its role, name and status. Every "who should hear
/// this" and every candidate list reads it by role and region through the primary key, instead of visiting every account.
/// Written by the account's own grain (<see cref="UserGrain"/>) after each change; schema and queries for both databases.
/// </summary>
internal static class PeopleIndex
{
    /// <summary>
    /// The table. Codes and ids compare byte by byte (<paramref name="bytewise"/>: SQLite's <c>BINARY</c>, PostgreSQL's
    /// <c>"C"</c>): the range read of "everything under 35.79" relies on '.' sorting just before '/', which a language
    /// collation ignores.
    /// </summary>
    public static string Table(string bytewise) => $"""
        CREATE TABLE people (
            role         TEXT    NOT NULL,
            region_code  TEXT    COLLATE {bytewise} NOT NULL,
            user_id      TEXT    COLLATE {bytewise} NOT NULL,
            display_name TEXT    NOT NULL,
            disabled     BIGINT  NOT NULL,
            PRIMARY KEY (role, region_code, user_id)
        );
        CREATE INDEX people_user ON people (user_id);
        """;

    private const string Columns = "user_id, role, region_code, display_name, disabled";

    /// <summary>The query for <paramref name="reach"/> around <paramref name="regionCode"/>, and its parameters (<c>@name</c>).</summary>
    public static (string Sql, List<(string Name, object Value)> Parameters) Find(Role role, string regionCode, PeopleReach reach)
    {
        var parameters = new List<(string, object)> { ("role", role.ToString()) };
        var conditions = new List<string>();
        if (reach is PeopleReach.Covering or PeopleReach.Reaching)
        {
            // The region and each level above it: an account working there serves the region.
            var levels = Levels(regionCode);
            conditions.Add(levels.Count == 0 ? "1 = 0" : $"region_code IN ({string.Join(", ", levels.Select((_, i) => "@c" + i))})");
            parameters.AddRange(levels.Select((l, i) => ("c" + i, (object)l)));
        }

        if (reach is PeopleReach.Within or PeopleReach.Reaching)
        {
            // The region and everything under it: one range of the key, [@r, @hi).
            if (regionCode.Length == 0)
            {
                conditions.Add("1 = 1");
            }
            else
            {
                conditions.Add(Under);
                parameters.AddRange(UnderParameters(regionCode));
            }
        }

        return ($"SELECT {Columns} FROM people WHERE role = @role AND ({string.Join(" OR ", conditions)}) ORDER BY user_id, region_code", parameters);
    }

    /// <summary>A page of accounts (all their rows) by id, optionally of one role and working within one region.</summary>
    public static (string Sql, List<(string Name, object Value)> Parameters) Page(Role? role, string? regionCode, string after, int limit)
    {
        var filter = "user_id > @after";
        var parameters = new List<(string, object)> { ("after", after), ("limit", limit) };
        if (role is { } r)
        {
            filter += " AND role = @role";
            parameters.Add(("role", r.ToString()));
        }

        if (!string.IsNullOrEmpty(regionCode))
        {
            filter += " AND " + Under;
            parameters.AddRange(UnderParameters(regionCode));
        }

        return ($"""
            SELECT {Columns} FROM people WHERE user_id IN (
                SELECT DISTINCT user_id FROM people WHERE {filter} ORDER BY user_id LIMIT @limit)
            ORDER BY user_id, region_code
            """, parameters);
    }

    /// <summary>
    /// A region and every code under it, as one range of the key: "35.79" and "35.79.…" sort in ["35.79", "35.79/") byte by
    /// byte ('.' is just below '/'), and no other code does ("35.790…" sorts after, '0' being above '/').
    /// </summary>
    private const string Under = "(region_code >= @r AND region_code < @hi)";

    private static (string, object)[] UnderParameters(string regionCode) => [("r", regionCode), ("hi", regionCode + "/")];

    /// <summary>The rows of one account: one per region, or one with <c>''</c> when it has none.</summary>
    public static IEnumerable<(string Region, Person Person)> Rows(Person person) =>
        (person.Regions.Count == 0 ? [""] : person.Regions.Distinct(StringComparer.Ordinal)).Select(r => (r, person));

    /// <summary>Rows read back, one <see cref="Person"/> per account with the regions that matched.</summary>
    public static async Task<IReadOnlyList<Person>> ReadAsync(System.Data.Common.DbDataReader r, CancellationToken ct)
    {
        var people = new List<Person>();
        while (await r.ReadAsync(ct))
        {
            var (userId, region) = (r.GetString(0), r.GetString(2));
            if (people.Count > 0 && people[^1].UserId == userId)
            {
                if (region.Length > 0)
                {
                    people[^1] = people[^1] with { Regions = [.. people[^1].Regions, region] };
                }

                continue;
            }

            people.Add(new Person(userId, Enum.Parse<Role>(r.GetString(1)), r.GetString(3), region.Length == 0 ? [] : [region], r.GetInt64(4) != 0));
        }

        return people;
    }

    /// <summary><paramref name="regionCode"/> and every level above it ("35.79.01" → "35.79.01", "35.79", "35"); none for the nation.</summary>
    private static List<string> Levels(string regionCode)
    {
        var levels = new List<string>();
        for (var code = regionCode; !string.IsNullOrEmpty(code); code = RegionTable.ParentCode(code))
        {
            levels.Add(code);
        }

        return levels;
    }
}
