using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Tests;

/// <summary>The people index, the name search, the snapshots and the rosters on the embedded SQLite file (the PostgreSQL store passes the same checks in PostgresStoreTests).</summary>
public sealed class PeopleStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"casegrains-people-{Guid.NewGuid():N}");

    public void Dispose() => Node.DeleteData(_folder);

    [Fact]
    public async Task TheSqliteStore_FindsAccountsByRoleAroundARegion_PagesThemById_AndAReplaceLeavesNoOldRow()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        SqliteSchema.Apply(options.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await PeopleStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheSqliteStore_KeepsEachAccessesOrigin_AndSearchesTheAccessLogByAccountCaseActionAndPeriod()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        SqliteSchema.Apply(options.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await AccessLogStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheSqliteStore_LoadsSnapshotsWithTheEventsAfterThem_KeepsTheLatestPerFormat_AndNoRefusalGoesOverAnEvent()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        SqliteSchema.Apply(options.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await SnapshotStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheSqliteStore_MarksTheHeadsOfEarlierCasesUnanchored_AndWritesEachAppendsCheckpointWithIt()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        const int checkpoints = 17; // the migration that brings chain_checkpoints
        SqliteSchema.Apply(options.SqliteConnectionString, upTo: checkpoints - 1);
        // Today's store writes each append's consequence cursor in a table of its own (migration 21): the older file gets it first.
        await ExecuteAsync(options, "CREATE TABLE case_consequences_behind (case_number TEXT PRIMARY KEY, done INTEGER NOT NULL, version INTEGER NOT NULL)");
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await CheckpointStoreContract.CheckAsync(store, store, () => Task.FromResult(SqliteSchema.Apply(options.SqliteConnectionString, upTo: checkpoints)));
    }

    [Fact]
    public async Task TheSqliteStore_KeepsOffersRostersAsRows_AWriteTouchingOnlyTheRowsItNames()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        SqliteSchema.Apply(options.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await PlacesStoreContract.CheckAsync(store);
    }

    [Fact]
    public async Task TheSqliteStore_SearchesNamesByWordsAndParts_WithoutCaseOrDiacritics_WithinTheScope_AndKeysOlderRows()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        SqliteSchema.Apply(options.SqliteConnectionString);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await SearchStoreContract.CheckAsync(store, store, store, sql => ExecuteAsync(options, sql));
    }

    [Fact]
    public async Task TheSqliteStore_KeepsEachCasesConsequenceCursor_InATableOfTheCasesBehind_FromADatabaseOfTheReleaseBefore()
    {
        Directory.CreateDirectory(_folder);
        var options = new CaseGrainsOptions { DataDirectory = _folder };
        const int cursorTable = 21; // the migration that takes the cursor off the case list
        SqliteSchema.Apply(options.SqliteConnectionString, upTo: cursorTable - 1);
        using var store = new SqliteCaseEventStore(Options.Create(options));
        await ConsequenceCursorStoreContract.CheckAsync(store, store, sql => ExecuteAsync(options, sql),
            () => Task.FromResult(SqliteSchema.Apply(options.SqliteConnectionString, upTo: cursorTable)));
    }

    private static async Task ExecuteAsync(CaseGrainsOptions options, string sql)
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection(options.SqliteConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
