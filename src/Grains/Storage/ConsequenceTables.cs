using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The tables behind durable consequences (docs/decisions.md, "Durable consequences"), the same in both databases but for
/// their types: each case's cursor (every consequence of its events up to it took effect or is on record as held up),
/// the kinds held up per case, and users' notices. Cases of the earlier release ran their consequences inline: their
/// cursor starts at their version. The cursor first lived on the case list; <see cref="CursorMigration"/> moves it out.
/// </summary>
internal static class ConsequenceTables
{
    public static string Sqlite => Tables("INTEGER", "TEXT");

    public static string Postgres => Tables("bigint", "timestamptz");

    private static string Tables(string integer, string time) => $"""
        ALTER TABLE case_index ADD COLUMN consequences_seq {integer} NOT NULL DEFAULT 0;
        UPDATE case_index SET consequences_seq = version;
        CREATE INDEX case_index_consequences_behind ON case_index (case_number) WHERE consequences_seq < version;

        CREATE TABLE case_consequence_failures (
            case_number     text      NOT NULL,
            kind            text      NOT NULL,
            seq             {integer} NOT NULL,
            attempts        integer   NOT NULL,
            first_failed_at {time}    NOT NULL,
            last_failed_at  {time}    NOT NULL,
            next_attempt_at {time}    NOT NULL,
            last_error      text      NOT NULL,
            parked          integer   NOT NULL DEFAULT 0,
            PRIMARY KEY (case_number, kind)
        );
        CREATE INDEX case_consequence_failures_due ON case_consequence_failures (parked, next_attempt_at);

        CREATE TABLE user_notices (
            user_id     text      NOT NULL,
            case_number text      NOT NULL,
            seq         {integer} NOT NULL,
            kind        text      NOT NULL,
            event_type  text      NOT NULL,
            at          {time}    NOT NULL,
            PRIMARY KEY (user_id, case_number, seq)
        );
        CREATE INDEX user_notices_user_at ON user_notices (user_id, at);
        CREATE INDEX user_notices_case ON user_notices (case_number, seq);
        """;

    /// <summary>
    /// The cursor in a narrow table of its own, holding a row only for a case whose consequences are behind: the append
    /// inserts it (or raises its <c>version</c>) in the event's own statement, and the cursor deletes it once <c>done</c>
    /// reaches <c>version</c>; a case without a row is caught up to its last event. On the case list the cursor and its
    /// partial index (<c>WHERE consequences_seq &lt; version</c>) made every event and every cursor advance a non-HOT
    /// update writing all the list's indexes, the trigram index included: 31 % of PostgreSQL's time in bench national.
    /// </summary>
    public static string CursorMigration(string integer) => $"""
        CREATE TABLE case_consequences_behind (
            case_number text      NOT NULL PRIMARY KEY,
            done        {integer} NOT NULL,
            version     {integer} NOT NULL
        );
        INSERT INTO case_consequences_behind (case_number, done, version)
            SELECT case_number, consequences_seq, version FROM case_index WHERE consequences_seq < version;
        DROP INDEX case_index_consequences_behind;
        ALTER TABLE case_index DROP COLUMN consequences_seq;
        """;

    /// <summary>
    /// The append's mark, with its event's seq as parameter <c>seq</c>: a case without a row was caught up to the event
    /// before; one with a row is behind further. (A statement of its own in SQLite; a CTE over the appended row in PostgreSQL.)
    /// </summary>
    public static string MarkBehind(char prefix, string source = "") => $"""
        INSERT INTO case_consequences_behind (case_number, done, version)
        {(source.Length == 0 ? $"VALUES ({prefix}case, {prefix}seq - 1, {prefix}seq)" : $"SELECT {prefix}case, {prefix}seq - 1, {prefix}seq FROM {source}")}
        ON CONFLICT (case_number) DO UPDATE SET version = excluded.version WHERE case_consequences_behind.version < excluded.version
        """;
}

/// <summary>The held-up consequences' rows, read and written alike by both stores, and the backlog summed from them.</summary>
internal static class ConsequenceRows
{
    public const string Columns = "case_number, kind, seq, attempts, first_failed_at, last_failed_at, next_attempt_at, last_error, parked";

    public const string UpdateOnConflict = """
        seq = excluded.seq, attempts = excluded.attempts, first_failed_at = excluded.first_failed_at, last_failed_at = excluded.last_failed_at,
        next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, parked = excluded.parked
        """;

    /// <summary>The parameters in column order (names without prefix); <paramref name="time"/> is how the database takes a time.</summary>
    public static IEnumerable<(string Name, object Value)> Parameters(ConsequenceFailure f, Func<DateTimeOffset, object> time) =>
    [
        ("case", f.CaseNumber), ("kind", f.Kind.ToString()), ("seq", f.Seq), ("attempts", f.Attempts), ("first", time(f.FirstFailedAt)),
        ("last", time(f.LastFailedAt)), ("next", time(f.NextAttemptAt)), ("error", f.LastError), ("parked", f.Parked ? 1 : 0),
    ];

    public static ConsequenceFailure Read(System.Data.Common.DbDataReader r, Func<int, DateTimeOffset> time) => new(
        r.GetString(0), Enum.Parse<ConsequenceKind>(r.GetString(1)), r.GetInt64(2), r.GetInt32(3), time(4), time(5), time(6), r.GetString(7),
        r.GetInt32(8) != 0);

    /// <summary>The admin's view: held-up kinds with their oldest failure and reasons (the cases of each reason, a few).</summary>
    public static ConsequenceBacklog Backlog(long behind, IReadOnlyList<ConsequenceFailure> failures, DateTimeOffset now)
    {
        double? Age(IEnumerable<ConsequenceFailure> fs) => fs.Select(f => (double?)(now - f.FirstFailedAt).TotalSeconds).Max();
        var kinds = failures.GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => new ConsequenceKindBacklog(g.Key, g.LongCount(f => !f.Parked),
            g.LongCount(f => f.Parked), Age(g), [.. g.GroupBy(f => f.LastError).OrderByDescending(r => r.Count()).Take(10)
                .Select(r => new ConsequenceReason(r.Key, r.LongCount(), [.. r.Select(f => f.CaseNumber).Order(StringComparer.Ordinal).Take(20)]))]));
        return new ConsequenceBacklog(behind, failures.LongCount(f => !f.Parked), failures.LongCount(f => f.Parked), Age(failures), [.. kinds]);
    }
}
