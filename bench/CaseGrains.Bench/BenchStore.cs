using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CaseGrains.Bench;

/// <summary>
/// The production store of a benchmark: on the PostgreSQL database given (its schema applied), else on a SQLite file in a
/// temporary folder deleted afterwards.
/// </summary>
internal sealed class BenchStore : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "casegrains-bench-" + Guid.NewGuid().ToString("N"));

    private BenchStore()
    {
    }

    /// <summary>The PostgreSQL data source, or null on SQLite.</summary>
    public NpgsqlDataSource? Source { get; private set; }

    /// <summary>The SQLite file's connection string, or null on PostgreSQL.</summary>
    public string? SqliteConnectionString { get; private set; }

    public IPeopleStore People => (IPeopleStore)_store;

    public IProjectionStore Projections => (IProjectionStore)_store;

    /// <summary>"PostgreSQL" or "SQLite".</summary>
    public string Where => Source is null ? "SQLite" : "PostgreSQL";

    private object _store = null!;

    public static async Task<BenchStore> OpenAsync(string? postgres)
    {
        var bench = new BenchStore();
        if (postgres is not null)
        {
            await PostgresSchema.ApplyAsync(postgres);
            bench.Source = NpgsqlDataSource.Create(postgres);
            bench._store = new PostgresCaseEventStore(bench.Source);
        }
        else
        {
            Directory.CreateDirectory(bench._folder);
            var options = new CaseGrainsOptions { DataDirectory = bench._folder };
            SqliteSchema.Apply(options.SqliteConnectionString);
            bench.SqliteConnectionString = options.SqliteConnectionString;
            bench._store = new SqliteCaseEventStore(Options.Create(options));
        }

        return bench;
    }

    public async ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        if (Source is not null)
        {
            await Source.DisposeAsync();
        }

        if (Directory.Exists(_folder))
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
