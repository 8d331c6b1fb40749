using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Storage;

/// <summary>
/// The embedded database's schema, versioned and idempotent: applied at start-up, safe on an already-migrated file.
/// Holds Orleans' ADO.NET grain-storage table and query texts (written here from the provider's contract; the
/// packages ship no scripts) and the project's own tables.
/// </summary>
public static class SqliteSchema
{
    /// <summary>Ordered migrations. Never edit a shipped one: add the next.</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } =
    [
        (1, "orleans grain storage", OrleansStorageSql.Schema),
        (2, "case timeline, refusals and case list", """
            CREATE TABLE case_events (
                case_number  TEXT    NOT NULL,
                seq          INTEGER NOT NULL CHECK (seq >= 1),
                type         TEXT    NOT NULL,
                actor_id     TEXT    NOT NULL,
                actor_role   TEXT    NOT NULL,
                occurred_at  TEXT    NOT NULL,
                payload      TEXT    NOT NULL,
                command_id   TEXT    NOT NULL,
                command_hash TEXT    NOT NULL,
                prev_hash    TEXT    NOT NULL,
                hash         TEXT    NOT NULL,
                PRIMARY KEY (case_number, seq),
                UNIQUE (case_number, command_id)
            ) WITHOUT ROWID;

            -- The timeline is append-only: the database itself refuses edits and deletions.
            CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
            BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
            CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
            BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

            CREATE TABLE case_refusals (
                case_number  TEXT    NOT NULL,
                command_id   TEXT    NOT NULL,
                command_hash TEXT    NOT NULL,
                refusal      TEXT    NOT NULL,
                version      INTEGER NOT NULL,
                recorded_at  TEXT    NOT NULL,
                PRIMARY KEY (case_number, command_id)
            ) WITHOUT ROWID;

            CREATE TABLE case_index (
                case_number         TEXT    NOT NULL PRIMARY KEY,
                full_name           TEXT    NOT NULL,
                nik_masked          TEXT    NOT NULL,
                region_code         TEXT    NOT NULL,
                segment             TEXT    NOT NULL,
                gender              TEXT    NOT NULL,
                status              TEXT    NOT NULL,
                current_stage       TEXT    NOT NULL,
                current_stage_state TEXT    NOT NULL,
                version             INTEGER NOT NULL,
                opened_at           TEXT    NOT NULL,
                updated_at          TEXT    NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX case_index_region ON case_index (region_code);
            CREATE INDEX case_index_stage ON case_index (current_stage, region_code);
            CREATE INDEX case_index_segment ON case_index (segment, region_code);
            """),
        (3, "access audit and mentor on the case list", """
            ALTER TABLE case_index ADD COLUMN mentor_id TEXT NULL;
            ALTER TABLE case_refusals ADD COLUMN actor_id TEXT NULL;
            ALTER TABLE case_refusals ADD COLUMN actor_role TEXT NULL;
            CREATE INDEX case_index_mentor ON case_index (mentor_id);

            -- Who read or changed a case's personal data, when, and for what purpose. Append-only too.
            CREATE TABLE access_audit (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                case_number TEXT NOT NULL,
                user_id     TEXT NOT NULL,
                role        TEXT NOT NULL,
                action      TEXT NOT NULL,
                purpose     TEXT NOT NULL,
                at          TEXT NOT NULL
            );
            CREATE INDEX access_audit_case ON access_audit (case_number, id);
            CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit
            BEGIN SELECT RAISE(ABORT, 'access_audit is append-only'); END;
            CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit
            BEGIN SELECT RAISE(ABORT, 'access_audit is append-only'); END;
            """),
        (4, "orleans reminders (stage SLA timers)", OrleansStorageSql.Reminders),
        (5, "enrolment projection (catalog counts, financing totals)", EnrolmentProjection.Table("TEXT")),
        (6, "programme counters (dashboard)", MetricsProjection.Table),
        (7, "SLA state on the case list", "ALTER TABLE case_index ADD COLUMN sla_state TEXT NOT NULL DEFAULT 'OnTime'; CREATE INDEX case_index_sla ON case_index (sla_state, region_code);"),
        (8, "closure and reopening requests on the case list", "ALTER TABLE case_index ADD COLUMN pending_approval TEXT; CREATE INDEX case_index_pending ON case_index (pending_approval, region_code);"),
        (9, "durable consequences: cursor, held-up kinds, notices", ConsequenceTables.Sqlite),
        (10, "people index: accounts by role and region", PeopleIndex.Table("BINARY")),
        (11, "name search: the names' keys on the case list, a trigram index of them", """
            ALTER TABLE case_index ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
            CREATE VIRTUAL TABLE case_names USING fts5(case_number UNINDEXED, name_key, tokenize = 'trigram');
            CREATE TRIGGER case_names_insert AFTER INSERT ON case_index WHEN new.name_key <> ''
            BEGIN INSERT INTO case_names (case_number, name_key) VALUES (new.case_number, new.name_key); END;
            CREATE TRIGGER case_names_drop AFTER UPDATE OF name_key ON case_index WHEN old.name_key <> '' AND new.name_key IS NOT old.name_key
            BEGIN DELETE FROM case_names WHERE case_number = old.case_number AND name_key = old.name_key; END;
            CREATE TRIGGER case_names_add AFTER UPDATE OF name_key ON case_index WHEN new.name_key <> '' AND new.name_key IS NOT old.name_key
            BEGIN INSERT INTO case_names (case_number, name_key) VALUES (new.case_number, new.name_key); END;
            """),
        (12, "case snapshots", CaseSnapshotTable.Table("TEXT")),
        (13, "deadline index: each case's next SLA and referral deadline", CaseDeadlineTable.Table("TEXT")),
        (14, "offer rosters as rows", OfferPlacesTable.Table("TEXT")),
        (15, "the person on each enrolment row (catalog counts of people, not enrolments)", EnrolmentProjection.PersonMigration),
        (16, "where each access came from; the access log searchable by time and by user (the data protection officer's)", AccessLogSearch.Migration),
        (17, "chain checkpoints: each case's head under the anchor key (docs/storage.md, \"Anchored chain\")", ChainCheckpointTable.Sqlite),
        (18, "the outbox of notices leaving the app (e-mail, WhatsApp/SMS)", NoticeDeliveryTable.Table("INTEGER", "TEXT")),
        (19, "a data key per case (subject), the timeline's redaction flag (erasure, issue 19)", SubjectKeyTable.Sqlite),
        (20, "the partner organisation on each enrolment row (a partner's queue, issue 20)", EnrolmentProjection.PartnerMigration),
        (21, "the consequence cursor out of the case list, in a table of the cases behind", ConsequenceTables.CursorMigration("INTEGER")),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Every version this release applies, in order (numbers are taken by parallel work, so not always contiguous).</summary>
    public static IReadOnlyList<int> Versions => [.. Migrations.Select(m => m.Version)];

    /// <summary>Applies the migrations the file lacks, each in its own transaction. Returns the versions applied.</summary>
    public static IReadOnlyList<int> Apply(string connectionString) => Apply(connectionString, int.MaxValue);

    /// <summary>Applies the migrations the file lacks up to version <paramref name="upTo"/> (a file as an earlier release left it, for tests).</summary>
    public static IReadOnlyList<int> Apply(string connectionString, int upTo)
    {
        using var conn = new SqliteConnection(connectionString);
        conn.Open();
        using (var wal = conn.CreateCommand())
        {
            // WAL lets readers run beside the single writer; synchronous=FULL (the default) keeps commits durable.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using (var create = conn.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }

        var applied = new List<int>();
        foreach (var (version, name, sql) in Migrations.Where(m => m.Version <= upTo))
        {
            using var tx = conn.BeginTransaction();
            using var check = conn.CreateCommand();
            check.Transaction = tx;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $v";
            check.Parameters.AddWithValue("$v", version);
            if ((long)check.ExecuteScalar()! > 0)
            {
                continue;
            }

            using var run = conn.CreateCommand();
            run.Transaction = tx;
            run.CommandText = sql;
            run.ExecuteNonQuery();
            using var mark = conn.CreateCommand();
            mark.Transaction = tx;
            mark.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
            mark.Parameters.AddWithValue("$v", version);
            mark.Parameters.AddWithValue("$n", name);
            mark.ExecuteNonQuery();
            tx.Commit();
            applied.Add(version);
        }

        return applied;
    }
}
