namespace CaseGrains.Grains.Storage;

/// <summary>
/// <c>subject_keys</c>: one row per case (data subject) with its data key wrapped under the installation's key
/// (<see cref="Identity.SubjectKeyRing"/>); an erasure nulls <c>wrapped_key</c> and sets <c>erased_at</c> (the row stays as
/// the record that the case is erased). And the timeline's <c>redacted</c> flag: the one change the database lets an
/// erasure make to a stored event.
/// </summary>
internal static class SubjectKeyTable
{
    public static string Sqlite => """
        CREATE TABLE subject_keys (
            case_number TEXT NOT NULL PRIMARY KEY,
            wrapped_key BLOB NULL,
            created_at  TEXT NOT NULL,
            erased_at   TEXT NULL
        ) WITHOUT ROWID;
        ALTER TABLE case_events ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
        -- Still append-only, but for an erasure's redaction: the payload replaced and the flag raised, nothing else.
        DROP TRIGGER case_events_no_update;
        CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
        WHEN NOT (old.redacted = 0 AND new.redacted = 1 AND new.case_number IS old.case_number AND new.seq IS old.seq
                  AND new.type IS old.type AND new.actor_id IS old.actor_id AND new.actor_role IS old.actor_role
                  AND new.occurred_at IS old.occurred_at AND new.command_id IS old.command_id AND new.command_hash IS old.command_hash
                  AND new.prev_hash IS old.prev_hash AND new.hash IS old.hash)
        BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
        -- A deleted name's trigrams leave the index at once instead of waiting for a merge.
        INSERT INTO case_names (case_names, rank) VALUES ('secure-delete', 1);
        """;

    public static string Postgres => """
        CREATE TABLE subject_keys (
            case_number text        NOT NULL PRIMARY KEY,
            wrapped_key bytea       NULL,
            created_at  timestamptz NOT NULL,
            erased_at   timestamptz NULL
        );
        ALTER TABLE case_events ADD COLUMN redacted boolean NOT NULL DEFAULT false;
        -- Still append-only, but for an erasure's redaction (its transaction sets casegrains.redaction): the payload
        -- replaced and the flag raised, nothing else (checked row by row below).
        CREATE OR REPLACE FUNCTION casegrains_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND TG_TABLE_NAME LIKE 'case\_events%' AND current_setting('casegrains.redaction', true) = 'on' THEN
                RETURN NULL;
            END IF;
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$;
        CREATE FUNCTION casegrains_redaction_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT old.redacted AND new.redacted
               AND (new.case_number, new.seq, new.type, new.actor_id, new.actor_role, new.occurred_at, new.command_id, new.command_hash, new.prev_hash, new.hash)
                   IS NOT DISTINCT FROM (old.case_number, old.seq, old.type, old.actor_id, old.actor_role, old.occurred_at, old.command_id, old.command_hash, old.prev_hash, old.hash) THEN
                RETURN new;
            END IF;
            RAISE EXCEPTION 'case_events is append-only';
        END $$;
        CREATE TRIGGER case_events_redaction_only BEFORE UPDATE ON case_events
            FOR EACH ROW EXECUTE FUNCTION casegrains_redaction_only();
        """;

    /// <summary>Ended, not erased cases whose last change is before @before, oldest first (the retention sweep; a scan of the ended ones).</summary>
    public const string EndedCases = """
        SELECT case_number, region_code, status, updated_at FROM case_index
        WHERE status IN ('Closed', 'Graduated') AND updated_at < @before AND full_name <> @marker
        ORDER BY updated_at, case_number LIMIT @limit
        """;

    public const string ReadKey = "SELECT wrapped_key, created_at, erased_at FROM subject_keys WHERE case_number = @case";
}
