using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Storage;

/// <summary>The people index on the embedded database (through the same writer queue as the timeline), and the names' keys filled in.</summary>
public sealed partial class SqliteCaseEventStore
{
    private static readonly string[] PeopleParameters = ["$role", "$region", "$user", "$name", "$disabled"];

    public Task ReplacePersonAsync(Person person, CancellationToken ct) =>
        WriteAsync(async (conn, tx) =>
        {
            await using (var delete = conn.CreateCommand())
            {
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM people WHERE user_id = $user";
                delete.Parameters.AddWithValue("$user", person.UserId);
                await delete.ExecuteNonQueryAsync(ct);
            }

            await using var insert = conn.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO people (role, region_code, user_id, display_name, disabled) VALUES ($role, $region, $user, $name, $disabled)";
            var p = PeopleParameters.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
            foreach (var (region, row) in PeopleIndex.Rows(person))
            {
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value) = (row.Role.ToString(), region, row.UserId, row.DisplayName, row.Disabled ? 1 : 0);
                await insert.ExecuteNonQueryAsync(ct);
            }
        }, ct);

    public Task<IReadOnlyList<Person>> FindPeopleAsync(Role role, string regionCode, PeopleReach reach, CancellationToken ct)
    {
        var (sql, parameters) = PeopleIndex.Find(role, regionCode, reach);
        return QueryAsync(sql, parameters.Select(x => ("@" + x.Name, x.Value)), PeopleIndex.ReadAsync, ct);
    }

    public Task<IReadOnlyList<Person>> ListPeopleAsync(Role? role, string? regionCode, string after, int limit, CancellationToken ct)
    {
        var (sql, parameters) = PeopleIndex.Page(role, regionCode, after, limit);
        return QueryAsync(sql, parameters.Select(x => ("@" + x.Name, x.Value)), PeopleIndex.ReadAsync, ct);
    }

    public async Task<int> FillNameKeysAsync(int limit, CancellationToken ct)
    {
        var rows = await QueryAsync("SELECT case_number, full_name FROM case_index WHERE name_key = '' AND full_name <> '' LIMIT @limit",
            [("@limit", limit)], (r, c) => ProjectionRows.ReadAsync(r, x => (Case: x.GetString(0), Name: x.GetString(1)), c), ct);
        await WriteAsync(async (conn, tx) =>
        {
            await using var update = conn.CreateCommand();
            update.Transaction = tx;
            update.CommandText = "UPDATE case_index SET name_key = $key WHERE case_number = $case AND name_key = ''";
            var (key, number) = (update.Parameters.Add("$key", SqliteType.Text), update.Parameters.Add("$case", SqliteType.Text));
            foreach (var row in rows)
            {
                (key.Value, number.Value) = (Domain.SearchText.StoredKey(row.Name), row.Case);
                await update.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        return rows.Count;
    }

    public Task<bool> AnyPeopleAsync(CancellationToken ct) =>
        QueryAsync("SELECT EXISTS (SELECT 1 FROM people)", [], async (r, c) => await r.ReadAsync(c) && r.GetInt64(0) != 0, ct);
}
