namespace CaseGrains.Grains.Storage.Postgres;

/// <summary>
/// Orleans' ADO.NET providers on PostgreSQL, written from the 10.4.2 provider contracts (docs/orleans-adonet-contract.md;
/// the packages ship no scripts): the <c>OrleansQuery</c> texts and the tables behind them, for grain storage,
/// cluster membership and reminders. Parameters are bound without prefix; results are read by column name
/// (Npgsql matches names case-insensitively).
/// Differences from Orleans' own scripts: grain identity is unique (two racing first writes cannot both land), and
/// membership changes lock the version row first, so a refused change leaves nothing behind.
/// </summary>
internal static class OrleansPostgresSql
{
    private const string GrainKey = """
        grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
                AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
                AND graintypestring = @GrainTypeString
                AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
                AND serviceid = @ServiceId
        """;

    private const string MemberColumns = """
        m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.siloname AS "SiloName",
                m.hostname AS "HostName", m.status AS "Status", m.proxyport AS "ProxyPort", m.suspecttimes AS "SuspectTimes",
                m.starttime AS "StartTime", m.iamalivetime AS "IAmAliveTime", v.version AS "Version"
        """;

    private const string ReminderColumns = """
        grainid AS "GrainId", remindername AS "ReminderName", starttime AS "StartTime", period AS "Period", version AS "Version"
        """;

    /// <summary>Tables and functions. Queries follow in <see cref="Queries"/>.</summary>
    public const string Tables = """
        CREATE TABLE orleansquery (
            querykey  varchar(64) NOT NULL PRIMARY KEY,
            querytext text        NOT NULL
        );

        CREATE TABLE orleansstorage (
            grainidhash            integer      NOT NULL,
            grainidn0              bigint       NOT NULL,
            grainidn1              bigint       NOT NULL,
            graintypehash          integer      NOT NULL,
            graintypestring        varchar(512) NOT NULL,
            grainidextensionstring varchar(512) NULL,
            serviceid              varchar(150) NOT NULL,
            payloadbinary          bytea        NULL,
            modifiedon             timestamptz  NOT NULL,
            version                integer      NULL
        );
        CREATE INDEX ix_orleansstorage ON orleansstorage (grainidhash, graintypehash);
        -- One row per grain identity (PostgreSQL 15: NULL extensions compare equal).
        CREATE UNIQUE INDEX ux_orleansstorage_key ON orleansstorage
            (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid) NULLS NOT DISTINCT;

        CREATE TABLE orleansmembershipversiontable (
            deploymentid varchar(150) NOT NULL PRIMARY KEY,
            timestamp    timestamptz  NOT NULL DEFAULT now(),
            version      integer      NOT NULL DEFAULT 0
        );

        CREATE TABLE orleansmembershiptable (
            deploymentid varchar(150) NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
            address      varchar(45)  NOT NULL,
            port         integer      NOT NULL,
            generation   integer      NOT NULL,
            siloname     varchar(150) NOT NULL,
            hostname     varchar(150) NOT NULL,
            status       integer      NOT NULL,
            proxyport    integer      NULL,
            suspecttimes text         NULL,
            starttime    timestamptz  NOT NULL,
            iamalivetime timestamptz  NOT NULL,
            PRIMARY KEY (deploymentid, address, port, generation)
        );

        -- Inserts a silo's row and bumps the table version, only if the version is the one the silo read.
        CREATE FUNCTION orleans_insert_member(_deploymentid text, _address text, _port integer, _generation integer,
            _siloname text, _hostname text, _status integer, _proxyport integer, _starttime timestamptz,
            _iamalivetime timestamptz, _version integer) RETURNS integer LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM orleansmembershipversiontable WHERE deploymentid = _deploymentid AND version = _version FOR UPDATE;
            IF NOT FOUND THEN RETURN 0; END IF;
            INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status,
                proxyport, starttime, iamalivetime)
            VALUES (_deploymentid, _address, _port, _generation, _siloname, _hostname, _status, _proxyport, _starttime, _iamalivetime)
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN RETURN 0; END IF;
            UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now() WHERE deploymentid = _deploymentid;
            RETURN 1;
        END $$;

        -- Updates a silo's row (status, suspicions) and bumps the table version, under the same optimistic check.
        CREATE FUNCTION orleans_update_member(_deploymentid text, _address text, _port integer, _generation integer,
            _status integer, _suspecttimes text, _iamalivetime timestamptz, _version integer) RETURNS integer LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM orleansmembershipversiontable WHERE deploymentid = _deploymentid AND version = _version FOR UPDATE;
            IF NOT FOUND THEN RETURN 0; END IF;
            UPDATE orleansmembershiptable SET status = _status, suspecttimes = _suspecttimes, iamalivetime = _iamalivetime
            WHERE deploymentid = _deploymentid AND address = _address AND port = _port AND generation = _generation;
            IF NOT FOUND THEN RETURN 0; END IF;
            UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now() WHERE deploymentid = _deploymentid;
            RETURN 1;
        END $$;

        CREATE TABLE orleansreminderstable (
            serviceid    varchar(150) NOT NULL,
            grainid      varchar(512) NOT NULL,
            remindername varchar(150) NOT NULL,
            starttime    timestamptz  NOT NULL,
            period       bigint       NOT NULL,
            grainhash    integer      NOT NULL,
            version      integer      NOT NULL,
            PRIMARY KEY (serviceid, grainid, remindername)
        );
        CREATE INDEX ix_orleansreminders_hash ON orleansreminderstable (serviceid, grainhash);
        """;

    /// <summary>The query texts, keyed as the providers look them up.</summary>
    public static IReadOnlyList<(string Key, string Text)> Queries { get; } =
    [
        // Grain storage.
        ("ReadFromStorageKey", $"""
            SELECT payloadbinary AS "PayloadBinary", version AS "Version" FROM orleansstorage
            WHERE {GrainKey}
            """),
        // An update when the version matches, or a first insert when there was none; a conflict returns no row.
        ("WriteToStorageKey", $"""
            UPDATE orleansstorage SET payloadbinary = @PayloadBinary, modifiedon = now(), version = version + 1
            WHERE {GrainKey} AND version = @GrainStateVersion
            RETURNING version AS "NewGrainStateVersion";
            INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
                grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
            SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
                @ServiceId, @PayloadBinary, now(), 1
            WHERE @GrainStateVersion IS NULL
            ON CONFLICT DO NOTHING
            RETURNING version AS "NewGrainStateVersion"
            """),
        ("ClearStorageKey", $"""
            UPDATE orleansstorage SET payloadbinary = NULL, modifiedon = now(), version = version + 1
            WHERE {GrainKey} AND version = @GrainStateVersion
            RETURNING version AS "NewGrainStateVersion"
            """),
        ("DeleteStorageKey", $"""
            DELETE FROM orleansstorage
            WHERE {GrainKey} AND version = @GrainStateVersion
            RETURNING version + 1 AS "NewGrainStateVersion"
            """),

        // Cluster membership.
        ("InsertMembershipVersionKey", """
            WITH inserted AS (
                INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (@DeploymentId)
                ON CONFLICT DO NOTHING RETURNING 1)
            SELECT count(*)::integer FROM inserted
            """),
        ("InsertMembershipKey", """
            SELECT orleans_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                @ProxyPort, @StartTime, @IAmAliveTime, @Version)
            """),
        ("UpdateMembershipKey", """
            SELECT orleans_update_member(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                @IAmAliveTime, @Version)
            """),
        ("UpdateIAmAlivetimeKey", """
            UPDATE orleansmembershiptable SET iamalivetime = @IAmAliveTime
            WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
            """),
        ("MembershipReadRowKey", $"""
            SELECT {MemberColumns}
            FROM orleansmembershipversiontable v
            LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
                AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
            WHERE v.deploymentid = @DeploymentId
            """),
        ("MembershipReadAllKey", $"""
            SELECT {MemberColumns}
            FROM orleansmembershipversiontable v
            LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
            WHERE v.deploymentid = @DeploymentId
            """),
        ("GatewaysQueryKey", """
            SELECT address AS "Address", proxyport AS "ProxyPort", generation AS "Generation"
            FROM orleansmembershiptable
            WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0
            """),
        ("DeleteMembershipTableEntriesKey", """
            DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
            DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId
            """),
        // Rows of silos gone quiet before the cut-off (never an active one).
        ("CleanupDefunctSiloEntriesKey", """
            DELETE FROM orleansmembershiptable
            WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND status <> 3
            """),

        // Reminders.
        ("UpsertReminderRowKey", """
            INSERT INTO orleansreminderstable AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
            VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
            ON CONFLICT (serviceid, grainid, remindername) DO UPDATE SET
                starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash, version = r.version + 1
            RETURNING version AS "Version"
            """),
        ("ReadReminderRowsKey", $"""
            SELECT {ReminderColumns} FROM orleansreminderstable WHERE serviceid = @ServiceId AND grainid = @GrainId
            """),
        ("ReadReminderRowKey", $"""
            SELECT {ReminderColumns} FROM orleansreminderstable
            WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
            """),
        ("ReadRangeRows1Key", $"""
            SELECT {ReminderColumns} FROM orleansreminderstable
            WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash
            """),
        ("ReadRangeRows2Key", $"""
            SELECT {ReminderColumns} FROM orleansreminderstable
            WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)
            """),
        ("DeleteReminderRowKey", """
            WITH deleted AS (
                DELETE FROM orleansreminderstable
                WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName AND version = @Version
                RETURNING 1)
            SELECT count(*)::integer FROM deleted
            """),
        ("DeleteReminderRowsKey", """
            DELETE FROM orleansreminderstable WHERE serviceid = @ServiceId
            """),
    ];
}
