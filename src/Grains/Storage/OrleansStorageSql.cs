namespace CaseGrains.Grains.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage on SQLite, written from the 10.4.2 provider's contract (the packages ship no
/// scripts): the <c>OrleansQuery</c> texts the provider loads at start-up and the <c>OrleansStorage</c> table.
/// Contract, as read from the provider: parameters are bound without prefix (<c>@GrainIdHash</c> …);
/// read returns <c>PayloadBinary</c> (BLOB) and <c>Version</c>; write returns one row <c>NewGrainStateVersion</c>
/// (no row, NULL or the old version = conflict); clear nulls the payload and bumps the version.
/// Unlike Orleans' own scripts, grain identity is unique (an expression index, since SQLite treats NULLs as
/// distinct), so two racing first writes cannot both land: the loser gets a version conflict.
/// See docs/storage.md.
/// </summary>
internal static class OrleansStorageSql
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS OrleansQuery
        (
            QueryKey  TEXT NOT NULL PRIMARY KEY,
            QueryText TEXT NOT NULL
        );

        CREATE TABLE IF NOT EXISTS OrleansStorage
        (
            GrainIdHash            INTEGER NOT NULL,
            GrainIdN0              INTEGER NOT NULL,
            GrainIdN1              INTEGER NOT NULL,
            GrainTypeHash          INTEGER NOT NULL,
            GrainTypeString        TEXT    NOT NULL,
            GrainIdExtensionString TEXT    NULL,
            ServiceId              TEXT    NOT NULL,
            PayloadBinary          BLOB    NULL,
            ModifiedOn             TEXT    NOT NULL,
            Version                INTEGER NULL
        );

        -- Narrow lookup index (same as the official scripts).
        CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

        -- Natural-key uniqueness. SQLite treats NULLs as distinct in UNIQUE constraints,
        -- so the nullable GrainIdExtensionString is folded with IFNULL(...,'') in an expression index.
        CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Key ON OrleansStorage
        (
            GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
            IFNULL(GrainIdExtensionString, ''), ServiceId
        );

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
        SELECT
            PayloadBinary,
            Version
        FROM OrleansStorage
        WHERE
            GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainTypeString = @GrainTypeString
            AND GrainIdExtensionString IS @GrainIdExtensionString
            AND ServiceId = @ServiceId;
        ')
        ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
        UPDATE OrleansStorage
        SET
            PayloadBinary = @PayloadBinary,
            ModifiedOn = CURRENT_TIMESTAMP,
            Version = Version + 1
        WHERE
            GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainTypeString = @GrainTypeString
            AND GrainIdExtensionString IS @GrainIdExtensionString
            AND ServiceId = @ServiceId
            AND Version = @GrainStateVersion
        RETURNING Version AS NewGrainStateVersion;

        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT
            @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary, CURRENT_TIMESTAMP, 1
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version AS NewGrainStateVersion;
        ')
        ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
        UPDATE OrleansStorage
        SET
            PayloadBinary = NULL,
            ModifiedOn = CURRENT_TIMESTAMP,
            Version = Version + 1
        WHERE
            GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainTypeString = @GrainTypeString
            AND GrainIdExtensionString IS @GrainIdExtensionString
            AND ServiceId = @ServiceId
            AND Version = @GrainStateVersion
        RETURNING Version AS NewGrainStateVersion;
        ')
        ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
        DELETE FROM OrleansStorage
        WHERE
            GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainTypeString = @GrainTypeString
            AND GrainIdExtensionString IS @GrainIdExtensionString
            AND ServiceId = @ServiceId
            AND Version = @GrainStateVersion
        RETURNING Version + 1 AS NewGrainStateVersion;
        ')
        ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
        """;

    /// <summary>
    /// Orleans' ADO.NET reminder table on SQLite, from the 10.4.2 reminder provider's contract: rows are read by column
    /// name (GrainId, ReminderName, StartTime, Period, Version); an upsert returns the new Version; a delete answers a
    /// single boolean-ish column. The hash range of a silo wraps around when begin ≥ end (ReadRangeRows2Key).
    /// </summary>
    public const string Reminders = """
        CREATE TABLE OrleansRemindersTable
        (
            ServiceId    TEXT    NOT NULL,
            GrainId      TEXT    NOT NULL,
            ReminderName TEXT    NOT NULL,
            StartTime    TEXT    NOT NULL,
            Period       INTEGER NOT NULL,
            GrainHash    INTEGER NOT NULL,
            Version      INTEGER NOT NULL,
            PRIMARY KEY (ServiceId, GrainId, ReminderName)
        ) WITHOUT ROWID;
        CREATE INDEX IX_OrleansReminders_Hash ON OrleansRemindersTable (ServiceId, GrainHash);

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
        INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
        VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
        ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE SET
            StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash, Version = Version + 1
        RETURNING Version;
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
        SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
        SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
        SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
        SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version;
        SELECT changes() AS Deleted;
        ');

        INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
        DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
        ');
        """;
}
