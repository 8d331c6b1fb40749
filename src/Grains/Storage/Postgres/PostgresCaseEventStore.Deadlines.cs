using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>The deadline index on PostgreSQL.</summary>
public sealed partial class PostgresCaseEventStore : IDeadlineStore
{
    private readonly RequestGroups<(string Case, string Kind, DateTimeOffset? Due), bool> _deadlines = new(group => WriteDeadlinesAsync(db, group), Loops, MaxGroup, "deadlines");

    /// <summary>
    /// Queued like appends: deadline writes waiting at the same moment share one transaction and one commit (a sweep
    /// moves thousands of deadlines a second), each caller answered after that commit.
    /// </summary>
    public Task SetDeadlineAsync(string caseNumber, string kind, DateTimeOffset? dueAt, CancellationToken ct) =>
        _deadlines.SubmitAsync((caseNumber, kind, dueAt));

    private static async Task<bool[]> WriteDeadlinesAsync(NpgsqlDataSource source, IReadOnlyList<(string Case, string Kind, DateTimeOffset? Due)> writes)
    {
        await using var conn = await source.OpenConnectionAsync();
        // No explicit transaction: a batch is one implicit transaction (all of it or none, one commit), and saves the
        // separate COMMIT's round trip on the path of every command that moves a deadline.
        await using var batch = new NpgsqlBatch(conn);
        // Rows locked in one order by every group: two groups never wait on each other crosswise.
        foreach (var (caseNumber, kind, due) in writes.OrderBy(w => w.Case, StringComparer.Ordinal).ThenBy(w => w.Kind, StringComparer.Ordinal))
        {
            var command = new NpgsqlBatchCommand(due is null ? CaseDeadlineTable.Delete('@') : CaseDeadlineTable.Upsert('@'));
            command.Parameters.AddWithValue("case", caseNumber);
            command.Parameters.AddWithValue("kind", kind);
            if (due is { } at)
            {
                command.Parameters.AddWithValue("due", at.ToUniversalTime());
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
        return [.. writes.Select(_ => true)];
    }

    public async Task<IReadOnlyList<DueDeadline>> DueDeadlinesAsync(DateTimeOffset now, DueDeadline? after, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(CaseDeadlineTable.Due('@'));
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        cmd.Parameters.Add(new NpgsqlParameter("afterDue", NpgsqlDbType.TimestampTz) { Value = (after?.DueAt ?? DateTimeOffset.UnixEpoch.AddYears(-1)).ToUniversalTime() });
        cmd.Parameters.AddWithValue("afterCase", after?.CaseNumber ?? "");
        cmd.Parameters.AddWithValue("afterKind", after?.Kind ?? "");
        cmd.Parameters.AddWithValue("limit", limit);
        var due = new List<DueDeadline>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            due.Add(new DueDeadline(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return due;
    }
}
