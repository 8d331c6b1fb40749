namespace CaseGrains.Grains.Storage;

/// <summary>
/// An offer's roster as rows (issue 16, deliverable 4): one row per case holding or waiting for a place, so taking a
/// place writes one row where the offer grain had rewritten its whole set of seated cases. Same shape on both stores.
/// </summary>
internal static class OfferPlacesTable
{
    public static string Table(string timeType) => $"""
        CREATE TABLE offer_places (
            offer_id          TEXT    NOT NULL,
            case_number       TEXT    NOT NULL,
            seated            INTEGER NOT NULL, -- 1 holds a place, 0 waits for one
            position          BIGINT  NOT NULL, -- the waiting order (0 for a seat)
            promoted          INTEGER NOT NULL, -- 1: given a place the case has yet to record
            unconfirmed_since {timeType} NULL,  -- reserved for an enrolment not yet on the case's timeline
            PRIMARY KEY (offer_id, case_number)
        );
        """;

    public static string Upsert(char p) => $"""
        INSERT INTO offer_places (offer_id, case_number, seated, position, promoted, unconfirmed_since)
        VALUES ({p}offer, {p}case, {p}seated, {p}position, {p}promoted, {p}since)
        ON CONFLICT (offer_id, case_number) DO UPDATE SET
            seated = excluded.seated, position = excluded.position, promoted = excluded.promoted, unconfirmed_since = excluded.unconfirmed_since
        """;

    public static string Delete(char p) => $"DELETE FROM offer_places WHERE offer_id = {p}offer AND case_number = {p}case";

    public static string DeleteAll(char p) => $"DELETE FROM offer_places WHERE offer_id = {p}offer";

    public static string Select(char p) =>
        $"SELECT case_number, seated, position, promoted, unconfirmed_since FROM offer_places WHERE offer_id = {p}offer ORDER BY seated DESC, position, case_number";
}
