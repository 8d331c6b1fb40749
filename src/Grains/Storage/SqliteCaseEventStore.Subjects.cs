using CaseGrains.Domain.Timeline;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Storage;

/// <summary>The per-case data keys and the erasure (<see cref="SubjectKeyTable"/>).</summary>
public sealed partial class SqliteCaseEventStore : ISubjectKeyStore
{
    public async Task<SubjectKeyRow?> ReadSubjectKeyAsync(string caseNumber, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        return await ReadKeyAsync(conn, null, caseNumber, ct);
    }

    public async Task<byte[]?> AddSubjectKeyAsync(string caseNumber, byte[] wrappedKey, DateTimeOffset at, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using (var insert = conn.CreateCommand())
            {
                insert.CommandText = "INSERT INTO subject_keys (case_number, wrapped_key, created_at) VALUES ($case, $key, $at) ON CONFLICT (case_number) DO NOTHING";
                insert.Parameters.AddWithValue("$case", caseNumber);
                insert.Parameters.AddWithValue("$key", wrappedKey);
                insert.Parameters.AddWithValue("$at", EventChain.FormatTime(at));
                await insert.ExecuteNonQueryAsync(ct);
            }

            return (await ReadKeyAsync(conn, null, caseNumber, ct))?.WrappedKey;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task EraseSubjectAsync(SubjectErasure erasure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        await _writer.WaitAsync(ct);
        try
        {
            await using var conn = await OpenAsync(ct);
            await using (var tx = conn.BeginTransaction())
            {
                await ExecuteAsync(conn, tx, """
                    INSERT INTO subject_keys (case_number, wrapped_key, created_at, erased_at) VALUES ($case, NULL, $at, $at)
                    ON CONFLICT (case_number) DO UPDATE SET wrapped_key = NULL, erased_at = COALESCE(subject_keys.erased_at, excluded.erased_at)
                    """, erasure, ct);
                foreach (var (seq, payload) in erasure.Redactions)
                {
                    await using var redact = conn.CreateCommand();
                    redact.Transaction = tx;
                    redact.CommandText = "UPDATE case_events SET payload = $payload, redacted = 1 WHERE case_number = $case AND seq = $seq AND redacted = 0";
                    redact.Parameters.AddWithValue("$case", erasure.CaseNumber);
                    redact.Parameters.AddWithValue("$seq", seq);
                    redact.Parameters.AddWithValue("$payload", payload);
                    await redact.ExecuteNonQueryAsync(ct);
                }

                await ExecuteAsync(conn, tx, "DELETE FROM case_snapshots WHERE case_number = $case", erasure, ct);
                // The marker's key replaces the name's in the trigram table (its triggers), the name's trigrams deleted securely (migration 19).
                await ExecuteAsync(conn, tx, "UPDATE case_index SET full_name = $marker, nik_masked = $marker, name_key = $markerKey WHERE case_number = $case", erasure, ct);
                await ExecuteAsync(conn, tx, "UPDATE case_enrolments SET person_key = NULL WHERE case_number = $case", erasure, ct);
                await tx.CommitAsync(ct);
            }

            // The WAL still holds the pages as they were: copy them into the file and cut the log to nothing. A reader
            // holding an older snapshot keeps the log from being cut; the next erasure or checkpoint completes it.
            await using var checkpoint = conn.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<IReadOnlyList<EndedCase>> EndedCasesAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = SubjectKeyTable.EndedCases.Replace('@', '$');
        cmd.Parameters.AddWithValue("$before", EventChain.FormatTime(before));
        cmd.Parameters.AddWithValue("$marker", Domain.Privacy.PersonalFields.Erased);
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<EndedCase>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new EndedCase(r.GetString(0), r.GetString(1), r.GetString(2), EventChain.ParseTime(r.GetString(3))));
        }

        return list;
    }

    private static async Task ExecuteAsync(SqliteConnection conn, SqliteTransaction tx, string sql, SubjectErasure erasure, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$case", erasure.CaseNumber);
        if (sql.Contains("$at", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue("$at", EventChain.FormatTime(erasure.At));
        }

        if (sql.Contains("$marker", StringComparison.Ordinal))
        {
            cmd.Parameters.AddWithValue("$marker", erasure.Marker);
            cmd.Parameters.AddWithValue("$markerKey", Domain.SearchText.StoredKey(erasure.Marker));
        }

        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<SubjectKeyRow?> ReadKeyAsync(SqliteConnection conn, SqliteTransaction? tx, string caseNumber, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = SubjectKeyTable.ReadKey.Replace('@', '$');
        cmd.Parameters.AddWithValue("$case", caseNumber);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new SubjectKeyRow(r.IsDBNull(0) ? null : (byte[])r.GetValue(0), EventChain.ParseTime(r.GetString(1)), r.IsDBNull(2) ? null : EventChain.ParseTime(r.GetString(2)))
            : null;
    }
}
