using CaseGrains.Domain.Timeline;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The chain checkpoints (<see cref="ChainAnchor.Checkpoint"/>): one row per case, the head of its latest event and the
/// MAC of the installation's anchor key over it, replaced by every append in the append's transaction. Earlier ones are
/// not kept here: the auditor's export file (append-only, outside the database) is their history. Times are the exact
/// text the MAC covers (<see cref="EventChain.FormatTime"/>). Same shape on both stores.
/// </summary>
internal static class ChainCheckpointTable
{
    private const string Create = """
        CREATE TABLE chain_checkpoints (
            case_number TEXT   NOT NULL PRIMARY KEY,
            seq         BIGINT NOT NULL,
            head        TEXT   NOT NULL,
            recorded_at TEXT   NOT NULL,
            mac         TEXT   NULL
        );
        """;

    /// <summary>
    /// SQLite: the table, and for each case of the earlier release the head of its last event with no MAC (no key
    /// covers what was written before anchoring began). A bare column beside <c>max()</c> comes from the max row.
    /// </summary>
    public const string Sqlite = Create + """
        INSERT INTO chain_checkpoints (case_number, seq, head, recorded_at, mac)
        SELECT case_number, max(seq), hash, occurred_at, NULL FROM case_events GROUP BY case_number;
        """;

    /// <summary>PostgreSQL: the same, each case's last event read from the primary key's order.</summary>
    public const string Postgres = Create + """
        INSERT INTO chain_checkpoints (case_number, seq, head, recorded_at, mac)
        SELECT DISTINCT ON (case_number) case_number, seq, hash, occurred_at, NULL FROM case_events ORDER BY case_number, seq DESC;
        """;

    public const string Columns = "case_number, seq, head, recorded_at, mac";

    /// <summary>The upsert, with <paramref name="p"/> the parameter prefix: a later seq replaces the row.</summary>
    public static string Upsert(char p) => $"""
        INSERT INTO chain_checkpoints ({Columns})
        VALUES ({p}cpcase, {p}cpseq, {p}cphead, {p}cpat, {p}cpmac)
        ON CONFLICT (case_number) DO UPDATE SET
            seq = excluded.seq, head = excluded.head, recorded_at = excluded.recorded_at, mac = excluded.mac
        WHERE chain_checkpoints.seq < excluded.seq
        """;

    /// <summary>The upsert's parameters (names without prefix).</summary>
    public static IEnumerable<(string Name, object Value)> Parameters(ChainAnchor.Checkpoint c) =>
    [
        ("cpcase", c.CaseNumber), ("cpseq", c.Seq), ("cphead", c.Head), ("cpat", EventChain.FormatTime(c.RecordedAt)), ("cpmac", (object?)c.Mac ?? DBNull.Value),
    ];

    /// <summary>A row read with <see cref="Columns"/>.</summary>
    public static ChainAnchor.Checkpoint Read(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), EventChain.ParseTime(r.GetString(3)), r.IsDBNull(4) ? null : r.GetString(4));
}
