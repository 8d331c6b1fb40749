namespace CaseGrains.Grains.Storage;

/// <summary>
/// The case snapshots (<see cref="StoredSnapshot"/>): one row per case, replaced by a later one; a cache of the fold, never
/// the record (the timeline is). Same shape on both stores.
/// </summary>
internal static class CaseSnapshotTable
{
    public static string Table(string timeType) => $"""
        CREATE TABLE case_snapshots (
            case_number TEXT    NOT NULL PRIMARY KEY,
            seq         BIGINT  NOT NULL,
            format      TEXT    NOT NULL,
            state       TEXT    NOT NULL,
            head        TEXT    NOT NULL,
            written_at  {timeType} NOT NULL
        );
        """;

    /// <summary>The upsert, with <paramref name="p"/> the parameter prefix: a later seq, or the same seq in another format, replaces the row.</summary>
    public static string Upsert(char p) => $"""
        INSERT INTO case_snapshots (case_number, seq, format, state, head, written_at)
        VALUES ({p}case, {p}seq, {p}format, {p}state, {p}head, {p}at)
        ON CONFLICT (case_number) DO UPDATE SET
            seq = excluded.seq, format = excluded.format, state = excluded.state, head = excluded.head, written_at = excluded.written_at
        WHERE case_snapshots.seq < excluded.seq OR case_snapshots.format <> excluded.format
        """;
}
