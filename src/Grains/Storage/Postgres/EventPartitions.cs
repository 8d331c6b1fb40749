namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>
/// The timeline on PostgreSQL is partitioned by a hash of the case number (issue 16, deliverable 6): every read and
/// write of it names one case, so each touches one partition, and both keys, (case, seq) and (case, command id),
/// include the partition key as PostgreSQL requires. Time partitions would put one case's events in many partitions
/// (every activation would read all of them) and could not keep the command id unique per case. See
/// docs/decisions.md, "The timeline in hash partitions".
/// </summary>
internal static class EventPartitions
{
    /// <summary>Hash partitions of <c>case_events</c>: fixed at creation (more needs a rewrite), ample for the nation.</summary>
    public const int Count = 16;

    /// <summary>
    /// Moves an existing unpartitioned timeline into the partitioned table: the old table renamed, the new one made with
    /// its partitions (each with the append-only trigger, as the parent), the rows copied, the old table dropped. One
    /// transaction, under the migration lock: it holds the timeline for as long as the copy takes (8.6 s for a million
    /// events, 732 MB, here: about a minute and a half per ten million), so run it in a maintenance window on a large
    /// database.
    /// </summary>
    public static string Migration => $$"""
        ALTER TABLE case_events RENAME TO case_events_unpartitioned;
        ALTER INDEX case_events_pkey RENAME TO case_events_unpartitioned_pkey;
        ALTER INDEX case_events_case_number_command_id_key RENAME TO case_events_unpartitioned_command_key;
        CREATE TABLE case_events (
            case_number  text   NOT NULL,
            seq          bigint NOT NULL CHECK (seq >= 1),
            type         text   NOT NULL,
            actor_id     text   NOT NULL,
            actor_role   text   NOT NULL,
            occurred_at  text   NOT NULL, -- the exact text the hash chain covers
            payload      text   NOT NULL,
            command_id   text   NOT NULL,
            command_hash text   NOT NULL,
            prev_hash    text   NOT NULL,
            hash         text   NOT NULL,
            PRIMARY KEY (case_number, seq),
            UNIQUE (case_number, command_id)
        ) PARTITION BY HASH (case_number);
        DO $partitions$
        BEGIN
            FOR r IN 0..{{Count - 1}} LOOP
                EXECUTE format('CREATE TABLE case_events_p%s PARTITION OF case_events FOR VALUES WITH (MODULUS {{Count}}, REMAINDER %s)', lpad(r::text, 2, '0'), r);
                EXECUTE format('CREATE TRIGGER case_events_p%s_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON case_events_p%s FOR EACH STATEMENT EXECUTE FUNCTION casegrains_append_only()',
                    lpad(r::text, 2, '0'), lpad(r::text, 2, '0'));
            END LOOP;
        END $partitions$;
        INSERT INTO case_events SELECT * FROM case_events_unpartitioned;
        DROP TABLE case_events_unpartitioned;
        CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON case_events
            FOR EACH STATEMENT EXECUTE FUNCTION casegrains_append_only();
        ANALYZE case_events;
        """;
}
