using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The outbox of notices leaving the app (issue 20, deliverable 4; docs/notifications.md): one row per recipient, case
/// event and channel (the key makes a notice sent at most once per recipient and event, however often the consequence
/// that writes it runs), with where it stands, its attempts, its next attempt and the lease of the silo sending it.
/// </summary>
internal static class NoticeDeliveryTable
{
    public static string Table(string integer, string time) => $"""
        CREATE TABLE notice_deliveries (
            user_id         text      NOT NULL,
            case_number     text      NOT NULL,
            seq             {integer} NOT NULL,
            channel         text      NOT NULL,
            kind            text      NOT NULL,
            event_type      text      NOT NULL,
            address         text      NOT NULL,
            language        text      NOT NULL,
            status          text      NOT NULL,
            attempts        integer   NOT NULL,
            created_at      {time}    NOT NULL,
            next_attempt_at {time}    NOT NULL,
            claimed_until   {time}    NULL,
            sent_at         {time}    NULL,
            last_error      text      NULL,
            PRIMARY KEY (user_id, case_number, seq, channel)
        );
        CREATE INDEX notice_deliveries_due ON notice_deliveries (status, next_attempt_at);
        """;

    public const string Columns =
        "user_id, case_number, seq, channel, kind, event_type, address, language, status, attempts, created_at, next_attempt_at, sent_at, last_error";

    /// <summary>A new delivery; one already there (the same recipient, event and channel) stays as it is.</summary>
    public static string Insert(char p) => $"""
        INSERT INTO notice_deliveries ({Columns})
        VALUES ({p}user, {p}case, {p}seq, {p}channel, {p}kind, {p}type, {p}address, {p}language, 'Pending', 0, {p}now, {p}now, NULL, NULL)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// Takes up to <c>limit</c> due deliveries for this silo for the lease: counted as an attempt now, so a silo that dies
    /// sending leaves them to the next silo once the lease ends. <paramref name="skipLocked"/>: PostgreSQL's row locks.
    /// </summary>
    public static string Claim(char p, bool skipLocked) => $"""
        UPDATE notice_deliveries SET claimed_until = {p}until, attempts = attempts + 1
        WHERE (user_id, case_number, seq, channel) IN (
            SELECT user_id, case_number, seq, channel FROM notice_deliveries
            WHERE status = 'Pending' AND next_attempt_at <= {p}now AND (claimed_until IS NULL OR claimed_until <= {p}now)
            ORDER BY next_attempt_at LIMIT {p}limit{(skipLocked ? " FOR UPDATE SKIP LOCKED" : "")})
        RETURNING {Columns}
        """;

    /// <summary>
    /// Records an attempt's outcome and gives the lease back, only while the lease is still this silo's (its
    /// <c>claimed_until</c>): a silo whose lease ran out writes nothing over the next one's.
    /// </summary>
    public static string Finish(char p) => $"""
        UPDATE notice_deliveries SET status = {p}status, next_attempt_at = {p}next, sent_at = {p}sent, last_error = {p}error, claimed_until = NULL
        WHERE user_id = {p}user AND case_number = {p}case AND seq = {p}seq AND channel = {p}channel AND claimed_until = {p}claimed
        """;

    /// <summary>The newest deliveries (of one status, or any), for admins.</summary>
    public static string Read(char p, bool byStatus) =>
        $"SELECT {Columns} FROM notice_deliveries {(byStatus ? $"WHERE status = {p}status " : "")}ORDER BY created_at DESC, user_id, case_number, seq DESC, channel LIMIT {p}limit";

    /// <summary>Failed deliveries go back to pending, their attempts counted afresh (an admin fixed the relay, say).</summary>
    public static string Retry(char p) =>
        $"UPDATE notice_deliveries SET status = 'Pending', attempts = 0, next_attempt_at = {p}now, last_error = NULL WHERE status = 'Failed'";

    /// <summary>The key of a row as parameters (names without prefix).</summary>
    public static IEnumerable<(string Name, object Value)> Key(NoticeDelivery d) =>
        [("user", d.UserId), ("case", d.CaseNumber), ("seq", d.Seq), ("channel", d.Channel.ToString())];

    public static NoticeDelivery ReadRow(System.Data.Common.DbDataReader r, Func<int, DateTimeOffset> time) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), Enum.Parse<NoticeChannel>(r.GetString(3)), r.GetString(4), r.GetString(5), r.GetString(6),
        r.GetString(7), Enum.Parse<DeliveryStatus>(r.GetString(8)), r.GetInt32(9), time(10), time(11), r.IsDBNull(12) ? null : time(12),
        r.IsDBNull(13) ? null : r.GetString(13));
}
