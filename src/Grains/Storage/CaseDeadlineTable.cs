namespace CaseGrains.Grains.Storage;

/// <summary>
/// The deadline index (issue 16, deliverable 3): one row per case and kind of timer ("sla", "referral") with the time it
/// is next due, indexed by that time, so a few sweeps find what is due instead of one Orleans reminder per case.
/// Written by the case (its timers are a consequence of its events); read by <see cref="DeadlineSweeperGrain"/>.
/// </summary>
internal static class CaseDeadlineTable
{
    public static string Table(string timeType) => $"""
        CREATE TABLE case_deadlines (
            case_number TEXT NOT NULL,
            kind        TEXT NOT NULL,
            due_at      {timeType} NOT NULL,
            PRIMARY KEY (case_number, kind)
        );
        CREATE INDEX case_deadlines_due ON case_deadlines (due_at, case_number, kind);
        """;

    /// <summary>The upsert (<paramref name="p"/>: the parameter prefix).</summary>
    public static string Upsert(char p) => $"""
        INSERT INTO case_deadlines (case_number, kind, due_at) VALUES ({p}case, {p}kind, {p}due)
        ON CONFLICT (case_number, kind) DO UPDATE SET due_at = excluded.due_at
        """;

    public static string Delete(char p) => $"DELETE FROM case_deadlines WHERE case_number = {p}case AND kind = {p}kind";

    /// <summary>What is due at <c>now</c>, in due order, after a position (keyset paging: one sweep reads each row once).</summary>
    public static string Due(char p) => $"""
        SELECT case_number, kind, due_at FROM case_deadlines
        WHERE due_at <= {p}now AND (due_at > {p}afterDue OR (due_at = {p}afterDue AND (case_number > {p}afterCase OR (case_number = {p}afterCase AND kind > {p}afterKind))))
        ORDER BY due_at, case_number, kind
        LIMIT {p}limit
        """;
}
