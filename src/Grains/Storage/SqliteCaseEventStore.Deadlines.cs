using CaseGrains.Domain.Timeline;

namespace CaseGrains.Grains.Storage;

/// <summary>The deadline index on the embedded file (times as the timeline's fixed-width UTC text, so they sort).</summary>
public sealed partial class SqliteCaseEventStore : IDeadlineStore
{
    public async Task SetDeadlineAsync(string caseNumber, string kind, DateTimeOffset? dueAt, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = dueAt is null ? CaseDeadlineTable.Delete('$') : CaseDeadlineTable.Upsert('$');
            cmd.Parameters.AddWithValue("$case", caseNumber);
            cmd.Parameters.AddWithValue("$kind", kind);
            if (dueAt is { } due)
            {
                cmd.Parameters.AddWithValue("$due", EventChain.FormatTime(due));
            }

            await cmd.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<IReadOnlyList<DueDeadline>> DueDeadlinesAsync(DateTimeOffset now, DueDeadline? after, int limit, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = CaseDeadlineTable.Due('$');
        cmd.Parameters.AddWithValue("$now", EventChain.FormatTime(now));
        cmd.Parameters.AddWithValue("$afterDue", after is null ? "" : EventChain.FormatTime(after.DueAt));
        cmd.Parameters.AddWithValue("$afterCase", after?.CaseNumber ?? "");
        cmd.Parameters.AddWithValue("$afterKind", after?.Kind ?? "");
        cmd.Parameters.AddWithValue("$limit", limit);
        var due = new List<DueDeadline>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            due.Add(new DueDeadline(reader.GetString(0), reader.GetString(1), EventChain.ParseTime(reader.GetString(2))));
        }

        return due;
    }
}
