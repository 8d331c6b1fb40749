using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// <c>backup --to DIR</c> and <c>restore --from DIR</c>, the same in src/WebFrontend and src/Silo (docs/operations.md).
/// Embedded: an online copy of the SQLite file (<c>VACUUM INTO</c>: one consistent snapshot, taken while the app runs
/// and writes) and every other file of the data folder (the Data Protection keys, <c>nik-hmac.key</c>, <c>subject-kek.key</c>,
/// <c>jwt-signing.key</c>, <c>chain-anchor.key</c>). Cluster: <c>pg_dump</c> in its custom format, restored with <c>pg_restore</c> into an empty
/// database; the keys of a cluster are its configuration (and its key ring, which is in the database). Each backup
/// has a <c>manifest.json</c> with its time, mode, file sizes and SHA-256 sums; restore checks them first and refuses a
/// target that already holds data.
/// </summary>
public static class BackupCommand
{
    public const string ManifestName = "manifest.json";
    public const string DumpFile = "casegrains.pgdump";

    private static readonly string[] SqliteCompanions = ["-wal", "-shm", "-journal"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static bool Handles(string[] args) => args.Length > 0 && args[0] is "backup" or "restore";

    /// <summary>Runs the command; returns the process exit code (0 done, 1 failed, 2 bad usage), writing what it did.</summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var backup = args[0] == "backup";
        var folder = Option(args, backup ? "--to" : "--from");
        if (string.IsNullOrWhiteSpace(folder))
        {
            await error.WriteLineAsync(backup ? "usage: backup --to DIR (a new or empty folder)" : "usage: restore --from DIR (a folder written by backup)");
            return 2;
        }

        folder = Path.GetFullPath(folder);
        var cluster = configuration[$"{CaseGrainsOptions.Section}:Mode"] == Modes.Cluster;
        var connectionString = configuration[CaseGrainsSilo.ConnectionStringKey];
        if (cluster && string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync($"{CaseGrainsSilo.ConnectionStringKey} must be set in {Modes.Cluster} mode.");
            return 2;
        }

        var settings = configuration.GetSection(CaseGrainsOptions.Section).Get<CaseGrainsOptions>() ?? new CaseGrainsOptions();
        try
        {
            var said = (backup, cluster) switch
            {
                (true, false) => await BackupSqliteAsync(settings, folder),
                (true, true) => await BackupPostgresAsync(connectionString!, settings.ServiceId, folder, Option(args, "--pg-bin")),
                (false, false) => await RestoreSqliteAsync(settings, folder),
                (false, true) => await RestorePostgresAsync(connectionString!, settings.ServiceId, folder, Option(args, "--pg-bin")),
            };
            await output.WriteLineAsync(said);
            return 0;
        }
        catch (BackupException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    private static async Task<string> BackupSqliteAsync(CaseGrainsOptions settings, string folder)
    {
        var database = settings.DatabasePath;
        if (!File.Exists(database))
        {
            throw new BackupException($"No database at {database} (CaseGrains:DataDirectory).");
        }

        PrepareEmpty(folder);
        var started = DateTimeOffset.UtcNow;
        var copy = Path.Combine(folder, settings.DatabaseFile);
        await using (var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 60 }.ToString()))
        {
            await conn.OpenAsync();
            await using var vacuum = conn.CreateCommand();
            // One read transaction: a consistent snapshot while the app goes on writing (WAL), compacted as it is copied.
            vacuum.CommandText = "VACUUM INTO $file";
            vacuum.Parameters.AddWithValue("$file", copy);
            await vacuum.ExecuteNonQueryAsync();
        }

        // The keys and every other file beside the database (never the database's own WAL or shared-memory files).
        var dataFolder = Path.GetDirectoryName(database)!;
        foreach (var file in Directory.EnumerateFiles(dataFolder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(dataFolder, file);
            if (relative == settings.DatabaseFile || SqliteCompanions.Any(s => relative == settings.DatabaseFile + s))
            {
                continue;
            }

            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var counts = await SqliteCountsAsync(copy);
        var manifest = await WriteManifestAsync(folder, Modes.Embedded, settings.ServiceId, settings.DatabaseFile, started, counts);
        return $"Backup of {database} written to {folder}: {manifest.Files.Count} files, {counts.Cases} cases, {counts.Events} events, in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s.";
    }

    private static async Task<string> RestoreSqliteAsync(CaseGrainsOptions settings, string folder)
    {
        var manifest = await CheckManifestAsync(folder, Modes.Embedded, settings.ServiceId);
        var database = settings.DatabasePath;
        var dataFolder = Path.GetDirectoryName(database)!;
        if (File.Exists(database) || (Directory.Exists(dataFolder) && Directory.EnumerateFileSystemEntries(dataFolder).Any()))
        {
            throw new BackupException($"{dataFolder} is not empty: restore into a new data folder (CaseGrains:DataDirectory), then point the app at it.");
        }

        // The folder holds personal data and keys: only this user may enter it (as the app creates it).
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataFolder);
        }
        else
        {
            Directory.CreateDirectory(dataFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var file in manifest.Files)
        {
            var target = Path.Combine(dataFolder, file.Path == manifest.Database ? settings.DatabaseFile : file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(folder, file.Path), target);
        }

        await using (var conn = new SqliteConnection($"Data Source={database}"))
        {
            await conn.OpenAsync();
            await using var check = conn.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            if (await check.ExecuteScalarAsync() is not "ok")
            {
                throw new BackupException($"The restored database at {database} fails SQLite's integrity check.");
            }
        }

        SqliteConnection.ClearAllPools();
        var counts = await SqliteCountsAsync(database);
        return $"Restored the backup of {manifest.TakenAt:u} into {dataFolder}: {counts.Cases} cases, {counts.Events} events. Start the app with CaseGrains:DataDirectory={dataFolder}.";
    }

    private static async Task<string> BackupPostgresAsync(string connectionString, string serviceId, string folder, string? pgBin)
    {
        PrepareEmpty(folder);
        var started = DateTimeOffset.UtcNow;
        var dump = Path.Combine(folder, DumpFile);
        // Custom format: compressed, restorable table by table, in one snapshot (pg_dump's own transaction).
        await RunToolAsync(Tool("pg_dump", pgBin), connectionString, ["--format=custom", "--no-owner", "--no-privileges", "--file", dump]);
        var counts = await PostgresCountsAsync(connectionString);
        var manifest = await WriteManifestAsync(folder, Modes.Cluster, serviceId, DumpFile, started, counts);
        return $"Backup of database {new NpgsqlConnectionStringBuilder(connectionString).Database} written to {folder}: {new FileInfo(dump).Length:N0} bytes, the dump holds what was committed when it began (when it ended the database held {counts.Cases} cases, {counts.Events} events); in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s; {manifest.Files.Count} file.";
    }

    private static async Task<string> RestorePostgresAsync(string connectionString, string serviceId, string folder, string? pgBin)
    {
        var manifest = await CheckManifestAsync(folder, Modes.Cluster, serviceId);
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync();
            await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", conn);
            if ((long)(await tables.ExecuteScalarAsync())! > 0)
            {
                throw new BackupException($"Database {conn.Database} is not empty: restore into a new, empty database (CREATE DATABASE …), then point the silos at it.");
            }
        }

        await RunToolAsync(Tool("pg_restore", pgBin), connectionString, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            "--dbname", new NpgsqlConnectionStringBuilder(connectionString).Database!, Path.Combine(folder, DumpFile)]);
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            // The backed-up cluster's silos are not this one's: new silos would wait on (or probe) members that never answer.
            await conn.OpenAsync();
            await using var forget = new NpgsqlCommand("DELETE FROM orleansmembershiptable", conn);
            await forget.ExecuteNonQueryAsync();
        }

        var counts = await PostgresCountsAsync(connectionString);
        return $"Restored the backup of {manifest.TakenAt:u} into database {new NpgsqlConnectionStringBuilder(connectionString).Database}: {counts.Cases} cases, {counts.Events} events.";
    }

    private static void PrepareEmpty(string folder)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new BackupException($"{folder} is not empty: a backup goes into a new or empty folder.");
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // A backup holds personal data and keys, as the data folder does.
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task<Manifest> WriteManifestAsync(string folder, string mode, string serviceId, string database, DateTimeOffset takenAt, (long Cases, long Events) counts)
    {
        var files = new List<ManifestFile>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(new ManifestFile(Path.GetRelativePath(folder, file), new FileInfo(file).Length, await Sha256Async(file)));
        }

        var manifest = new Manifest(1, mode, serviceId, takenAt, database, counts.Cases, counts.Events, files);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestName), JsonSerializer.Serialize(manifest, Indented));
        return manifest;
    }

    private static async Task<Manifest> CheckManifestAsync(string folder, string mode, string serviceId)
    {
        var path = Path.Combine(folder, ManifestName);
        if (!File.Exists(path))
        {
            throw new BackupException($"{folder} has no {ManifestName}: not a backup written by the backup command.");
        }

        var manifest = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(path))
            ?? throw new BackupException($"{path} is empty.");
        if (manifest.Mode != mode)
        {
            throw new BackupException($"The backup in {folder} is of {manifest.Mode} mode; this installation is in {mode} mode.");
        }

        if (manifest.ServiceId != serviceId)
        {
            // Grain state (accounts, offers, registries) is keyed by the service id: under another, none of it is found.
            throw new BackupException($"The backup in {folder} is of service '{manifest.ServiceId}'; this installation is configured as '{serviceId}'. Restore and run it with CaseGrains:ServiceId={manifest.ServiceId}.");
        }

        foreach (var file in manifest.Files)
        {
            var full = Path.Combine(folder, file.Path);
            if (!File.Exists(full) || new FileInfo(full).Length != file.Bytes || await Sha256Async(full) != file.Sha256)
            {
                throw new BackupException($"{file.Path} in {folder} is missing or differs from the manifest: the backup is damaged.");
            }
        }

        return manifest;
    }

    private static async Task<(long Cases, long Events)> SqliteCountsAsync(string database)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await conn.OpenAsync();
        await using var count = conn.CreateCommand();
        count.CommandText = "SELECT (SELECT count(*) FROM case_index), (SELECT count(*) FROM case_events)";
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<(long Cases, long Events)> PostgresCountsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM case_index), (SELECT count(*) FROM case_events)", conn);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<string> Sha256Async(string file)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }

    /// <summary>pg_dump / pg_restore: from <c>--pg-bin</c>, else the newest /usr/lib/postgresql/*/bin, else the PATH.</summary>
    private static string Tool(string name, string? pgBin)
    {
        if (!string.IsNullOrWhiteSpace(pgBin))
        {
            return Path.Combine(pgBin, name);
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", name)).Where(File.Exists)
                .OrderBy(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), CultureInfo.InvariantCulture, out var v) ? v : 0).LastOrDefault()
            : null;
        return installed ?? name;
    }

    /// <summary>Runs a libpq tool with the connection in PG* variables (never on its command line, where ps shows it).</summary>
    private static async Task RunToolAsync(string tool, string connectionString, IEnumerable<string> arguments)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGHOST"] = c.Host;
        info.Environment["PGPORT"] = c.Port.ToString(CultureInfo.InvariantCulture);
        info.Environment["PGUSER"] = c.Username;
        info.Environment["PGDATABASE"] = c.Database;
        if (!string.IsNullOrEmpty(c.Password))
        {
            info.Environment["PGPASSWORD"] = c.Password;
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new BackupException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BackupException($"{tool} could not be run ({ex.Message}): install the PostgreSQL client tools (apt-get install postgresql-client) or pass --pg-bin DIR.");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new BackupException($"{Path.GetFileName(tool)} failed ({process.ExitCode}): {(await stderr).Trim()} {(await stdout).Trim()}");
            }
        }
    }

    private static string? Option(string[] args, string name)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return args[i][(name.Length + 1)..];
            }
        }

        return null;
    }

    private sealed record Manifest(int Format, string Mode, string ServiceId, DateTimeOffset TakenAt, string Database, long Cases, long Events, IReadOnlyList<ManifestFile> Files);

    private sealed record ManifestFile(string Path, long Bytes, string Sha256);

    private sealed class BackupException(string message) : Exception(message);
}
