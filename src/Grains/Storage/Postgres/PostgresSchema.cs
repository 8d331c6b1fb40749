using Npgsql;

namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>
/// The cluster database's schema, versioned and idempotent: <c>dotnet run --project src/Silo -- migrate</c> applies the
/// versions a database lacks, each in one transaction, under an advisory lock (two migrators never interleave).
/// Holds Orleans' ADO.NET tables and query texts (storage, membership, reminders) and the project's own tables.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Serializes concurrent migrators (any constant unique to this application).</summary>
    private const long MigrationLock = 0x4361_7365_4772_6E73; // "CaseGrns"

    /// <summary>Ordered migrations. Never edit a shipped one: add the next.</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } =
    [
        (1, "orleans storage, membership and reminders", OrleansPostgresSql.Tables + QueryInserts()),
        (2, "case timeline, refusals, case list, access audit, data protection keys", """
            CREATE FUNCTION casegrains_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END $$;

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
            );
            CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON case_events
                FOR EACH STATEMENT EXECUTE FUNCTION casegrains_append_only();

            CREATE TABLE case_refusals (
                case_number  text        NOT NULL,
                command_id   text        NOT NULL,
                command_hash text        NOT NULL,
                refusal      text        NOT NULL,
                version      integer     NOT NULL,
                recorded_at  timestamptz NOT NULL,
                actor_id     text        NULL,
                actor_role   text        NULL,
                PRIMARY KEY (case_number, command_id)
            );

            CREATE TABLE case_index (
                case_number         text        NOT NULL PRIMARY KEY,
                full_name           text        NOT NULL,
                nik_masked          text        NOT NULL,
                region_code         text        COLLATE "C" NOT NULL, -- code order, for the region-prefix ranges
                segment             text        NOT NULL,
                gender              text        NOT NULL,
                status              text        NOT NULL,
                current_stage       text        NOT NULL,
                current_stage_state text        NOT NULL,
                version             integer     NOT NULL,
                opened_at           timestamptz NOT NULL,
                updated_at          timestamptz NOT NULL,
                mentor_id           text        NULL
            );
            CREATE INDEX case_index_region ON case_index (region_code);
            CREATE INDEX case_index_stage ON case_index (current_stage, region_code);
            CREATE INDEX case_index_segment ON case_index (segment, region_code);
            CREATE INDEX case_index_mentor ON case_index (mentor_id);

            CREATE TABLE access_audit (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                case_number text        NOT NULL,
                user_id     text        NOT NULL,
                role        text        NOT NULL,
                action      text        NOT NULL,
                purpose     text        NOT NULL,
                at          timestamptz NOT NULL
            );
            CREATE INDEX access_audit_case ON access_audit (case_number, id);
            CREATE TRIGGER access_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_audit
                FOR EACH STATEMENT EXECUTE FUNCTION casegrains_append_only();

            -- The Data Protection key ring every silo and frontend of the cluster shares (NIK encryption, cookies).
            CREATE TABLE dataprotection_keys (
                friendly_name text        NOT NULL PRIMARY KEY,
                xml           text        NOT NULL,
                created_at    timestamptz NOT NULL DEFAULT now()
            );
            """),
        (3, "enrolment projection (catalog counts, financing totals)", EnrolmentProjection.Table("TIMESTAMPTZ")),
        (4, "programme counters (dashboard)", MetricsProjection.Table),
        (5, "SLA state on the case list", "ALTER TABLE case_index ADD COLUMN sla_state TEXT NOT NULL DEFAULT 'OnTime'; CREATE INDEX case_index_sla ON case_index (sla_state, region_code);"),
        (6, "closure and reopening requests on the case list", "ALTER TABLE case_index ADD COLUMN pending_approval TEXT; CREATE INDEX case_index_pending ON case_index (pending_approval, region_code);"),
        (7, "durable consequences: cursor, held-up kinds, notices", ConsequenceTables.Postgres),
        (8, "people index: accounts by role and region", PeopleIndex.Table("\"C\"")),
        (9, "name search: the names' keys on the case list, a trigram index of them", """
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            ALTER TABLE case_index ADD COLUMN name_key text NOT NULL DEFAULT '';
            CREATE INDEX case_index_name_key ON case_index USING gin (name_key gin_trgm_ops);
            CREATE INDEX case_index_number_prefix ON case_index (case_number text_pattern_ops);
            """),
        (10, "case snapshots", CaseSnapshotTable.Table("TIMESTAMPTZ")),
        (11, "deadline index: each case's next SLA and referral deadline", CaseDeadlineTable.Table("TIMESTAMPTZ")),
        (12, "offer rosters as rows", OfferPlacesTable.Table("TIMESTAMPTZ")),
        (13, "the timeline in hash partitions by case", EventPartitions.Migration),
        // Every non-HOT update of a case-list row (any stage, SLA or approval change) adds the name's trigrams again; with
        // fastupdate they queue in the index's pending list, which every search then reads in full (4 ms → 21 ms per
        // search at 1,000,000 cases once 30,000 rows had moved; bench national's mix saturated PostgreSQL on it). Without
        // it each such update inserts into the index at once (about 0.1 ms more per update).
        (14, "the name index without a pending list", """
            ALTER INDEX case_index_name_key SET (fastupdate = off);
            SELECT gin_clean_pending_list('case_index_name_key'::regclass);
            """),
        (15, "the person on each enrolment row (catalog counts of people, not enrolments)", EnrolmentProjection.PersonMigration),
        (16, "where each access came from; the access log searchable by time and by user (the data protection officer's)", AccessLogSearch.Migration),
        (17, "chain checkpoints: each case's head under the anchor key (docs/storage.md, \"Anchored chain\")", ChainCheckpointTable.Postgres),
        (18, "the outbox of notices leaving the app (e-mail, WhatsApp/SMS)", NoticeDeliveryTable.Table("bigint", "timestamptz")),
        (19, "a data key per case (subject), the timeline's redaction flag (erasure, issue 19)", SubjectKeyTable.Postgres),
        (20, "the partner organisation on each enrolment row (a partner's queue, issue 20)", EnrolmentProjection.PartnerMigration),
        // With no index on the cursor or the version, an event that changes no indexed column of its case (a step within a
        // stage, an enrolment, a session) can update the case-list row in place (HOT) when its page has room: 15 % is kept free.
        (21, "the consequence cursor out of the case list, in a table of the cases behind", ConsequenceTables.CursorMigration("bigint") +
            "ALTER TABLE case_index SET (fillfactor = 85);"),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Every version this release applies, in order (numbers are taken by parallel work, so not always contiguous).</summary>
    public static IReadOnlyList<int> Versions => [.. Migrations.Select(m => m.Version)];

    /// <summary>Applies the migrations the database lacks. Returns the versions applied (empty when up to date).</summary>
    public static Task<IReadOnlyList<int>> ApplyAsync(string connectionString, CancellationToken ct = default) =>
        ApplyAsync(connectionString, int.MaxValue, ct);

    /// <summary>Applies the migrations the database lacks up to version <paramref name="upTo"/> (a database as an earlier release left it, for tests).</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(string connectionString, int upTo, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using (var create = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, conn))
        {
            try
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
            {
                // Two migrators created it at once; the other one won.
            }
        }

        // One migrator at a time applies everything pending (the others wait, then find it done): a session lock around
        // the whole run, so two processes never split the versions between them.
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(@lock)", conn))
        {
            lockCmd.Parameters.AddWithValue("lock", MigrationLock);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        try
        {
            return await ApplyPendingAsync(conn, upTo, ct);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@lock)", conn);
            unlock.Parameters.AddWithValue("lock", MigrationLock);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<IReadOnlyList<int>> ApplyPendingAsync(NpgsqlConnection conn, int upTo, CancellationToken ct)
    {
        var applied = new List<int>();
        foreach (var (version, name, sql) in Migrations.Where(m => m.Version <= upTo))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var check = new NpgsqlCommand("SELECT count(*) FROM schema_migrations WHERE version = @v", conn, tx))
            {
                check.Parameters.AddWithValue("v", version);
                if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
                {
                    await tx.RollbackAsync(ct);
                    continue;
                }
            }

            await using (var run = new NpgsqlCommand(sql, conn, tx))
            {
                await run.ExecuteNonQueryAsync(ct);
            }

            await using (var mark = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@v, @n)", conn, tx))
            {
                mark.Parameters.AddWithValue("v", version);
                mark.Parameters.AddWithValue("n", name);
                await mark.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            applied.Add(version);
        }

        return applied;
    }

    /// <summary>The schema version a database is at (0 when never migrated).</summary>
    public static async Task<int> CurrentVersionAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", conn))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                return 0;
            }
        }

        await using var cmd = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_migrations", conn);
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The query texts as SQL inserts, with dollar quoting so the texts need no escaping.</summary>
    private static string QueryInserts() => string.Concat(OrleansPostgresSql.Queries.Select(q =>
        $"\nINSERT INTO orleansquery (querykey, querytext) VALUES ('{q.Key}', $query${q.Text}$query$);"));
}
