using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>The people index on the cluster database, and the names' keys filled in.</summary>
public sealed partial class PostgresCaseEventStore
{
    public async Task ReplacePersonAsync(Person person, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(person);
        var rows = PeopleIndex.Rows(person).ToList();
        // Two statements in one batch: Npgsql runs a batch in one implicit transaction.
        await using var cmd = db.CreateCommand("""
            DELETE FROM people WHERE user_id = @user;
            INSERT INTO people (role, region_code, user_id, display_name, disabled)
            SELECT @role, region, @user, @name, @disabled FROM unnest(@regions) AS region
            """);
        cmd.Parameters.AddWithValue("user", person.UserId);
        cmd.Parameters.AddWithValue("role", person.Role.ToString());
        cmd.Parameters.AddWithValue("name", person.DisplayName);
        cmd.Parameters.AddWithValue("disabled", person.Disabled ? 1L : 0L);
        cmd.Parameters.AddWithValue("regions", rows.Select(r => r.Region).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<Person>> FindPeopleAsync(Role role, string regionCode, PeopleReach reach, CancellationToken ct)
    {
        var (sql, parameters) = PeopleIndex.Find(role, regionCode, reach);
        return QueryAsync(sql, parameters, PeopleIndex.ReadAsync, ct);
    }

    public Task<IReadOnlyList<Person>> ListPeopleAsync(Role? role, string? regionCode, string after, int limit, CancellationToken ct)
    {
        var (sql, parameters) = PeopleIndex.Page(role, regionCode, after, limit);
        return QueryAsync(sql, parameters, PeopleIndex.ReadAsync, ct);
    }

    public async Task<int> FillNameKeysAsync(int limit, CancellationToken ct)
    {
        var rows = await QueryAsync("SELECT case_number, full_name FROM case_index WHERE name_key = '' AND full_name <> '' LIMIT @limit",
            [("limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, x => (Case: x.GetString(0), Name: x.GetString(1)), c), ct);
        await using var update = db.CreateCommand("""
            UPDATE case_index AS c SET name_key = v.key FROM unnest(@cases, @keys) AS v(number, key)
            WHERE c.case_number = v.number AND c.name_key = ''
            """);
        update.Parameters.AddWithValue("cases", rows.Select(r => r.Case).ToArray());
        update.Parameters.AddWithValue("keys", rows.Select(r => Domain.SearchText.StoredKey(r.Name)).ToArray());
        await update.ExecuteNonQueryAsync(ct);
        return rows.Count;
    }

    public Task<bool> AnyPeopleAsync(CancellationToken ct) =>
        QueryAsync("SELECT EXISTS (SELECT 1 FROM people)", [], async (r, c) => await r.ReadAsync(c) && r.GetBoolean(0), ct);
}
