using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>The per-case data keys and the erasure (<see cref="SubjectKeyTable"/>).</summary>
public sealed partial class PostgresCaseEventStore : ISubjectKeyStore
{
    public async Task<SubjectKeyRow?> ReadSubjectKeyAsync(string caseNumber, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SubjectKeyTable.ReadKey);
        cmd.Parameters.AddWithValue("case", caseNumber);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadSubjectKey(r) : null;
    }

    /// <summary>A row of <see cref="SubjectKeyTable.ReadKey"/>.</summary>
    private static SubjectKeyRow ReadSubjectKey(System.Data.Common.DbDataReader r) =>
        new(r.IsDBNull(0) ? null : r.GetFieldValue<byte[]>(0), r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2));

    public async Task<byte[]?> AddSubjectKeyAsync(string caseNumber, byte[] wrappedKey, DateTimeOffset at, CancellationToken ct)
    {
        await using (var insert = db.CreateCommand("INSERT INTO subject_keys (case_number, wrapped_key, created_at) VALUES (@case, @key, @at) ON CONFLICT (case_number) DO NOTHING"))
        {
            insert.Parameters.AddWithValue("case", caseNumber);
            insert.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Bytea) { Value = wrappedKey });
            insert.Parameters.AddWithValue("at", at);
            await insert.ExecuteNonQueryAsync(ct);
        }

        return (await ReadSubjectKeyAsync(caseNumber, ct))?.WrappedKey;
    }

    public async Task EraseSubjectAsync(SubjectErasure erasure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        await using var conn = await db.OpenConnectionAsync(ct);
        string? partition;
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using var batch = new NpgsqlBatch(conn, tx);
            // The one kind of update the timeline's triggers let through, in this transaction only.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('casegrains.redaction', 'on', true)"));
            batch.BatchCommands.Add(Command("""
                INSERT INTO subject_keys (case_number, wrapped_key, created_at, erased_at) VALUES (@case, NULL, @at, @at)
                ON CONFLICT (case_number) DO UPDATE SET wrapped_key = NULL, erased_at = COALESCE(subject_keys.erased_at, excluded.erased_at)
                """, erasure));
            foreach (var (seq, payload) in erasure.Redactions)
            {
                var redact = Command("UPDATE case_events SET payload = @payload, redacted = true WHERE case_number = @case AND seq = @seq AND NOT redacted", erasure);
                redact.Parameters.AddWithValue("seq", seq);
                redact.Parameters.AddWithValue("payload", payload);
                batch.BatchCommands.Add(redact);
            }

            batch.BatchCommands.Add(Command("DELETE FROM case_snapshots WHERE case_number = @case", erasure));
            batch.BatchCommands.Add(Command("UPDATE case_index SET full_name = @marker, nik_masked = @marker, name_key = @markerKey WHERE case_number = @case", erasure));
            batch.BatchCommands.Add(Command("UPDATE case_enrolments SET person_key = NULL WHERE case_number = @case", erasure));
            batch.BatchCommands.Add(Command("SELECT tableoid::regclass::text FROM case_events WHERE case_number = @case LIMIT 1", erasure));
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                partition = null;
                do
                {
                    if (reader.FieldCount == 1 && reader.GetName(0) == "tableoid" && await reader.ReadAsync(ct))
                    {
                        partition = reader.GetString(0);
                    }
                }
                while (await reader.NextResultAsync(ct));
            }

            await tx.CommitAsync(ct);
        }

        // The old row versions are dead tuples now: VACUUM takes them out of the tables and indexes (their space is reused;
        // the WAL and backups keep them until they are recycled and age out: docs/storage.md, "Erasure").
        foreach (var table in new[] { "subject_keys", "case_snapshots", "case_index", "case_enrolments", partition })
        {
            if (table is not null && IsTableName(table))
            {
                await using var vacuum = new NpgsqlCommand($"VACUUM {table}", conn);
                await vacuum.ExecuteNonQueryAsync(ct);
            }
        }
    }

    public async Task<IReadOnlyList<EndedCase>> EndedCasesAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(SubjectKeyTable.EndedCases);
        cmd.Parameters.AddWithValue("before", before);
        cmd.Parameters.AddWithValue("marker", Domain.Privacy.PersonalFields.Erased);
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<EndedCase>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new EndedCase(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        }

        return list;
    }

    private static bool IsTableName(string name) => name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static NpgsqlBatchCommand Command(string sql, SubjectErasure erasure)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddWithValue("case", erasure.CaseNumber);
        if (sql.Contains("@at", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue("at", erasure.At);
        }

        if (sql.Contains("@marker", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue("marker", erasure.Marker);
            cmd.Parameters.AddWithValue("markerKey", Domain.SearchText.StoredKey(erasure.Marker));
        }

        return cmd;
    }
}
