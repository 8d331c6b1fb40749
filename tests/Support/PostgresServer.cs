using System.Diagnostics;
using Npgsql;

namespace CaseGrains.TestSupport;

/// <summary>
/// A real PostgreSQL server for the cluster tests: the one named by <c>CASEGRAINS_TEST_POSTGRES</c> (an admin connection
/// string; <c>.ci/run</c> starts one and sets it), else a throwaway server started from the PostgreSQL binaries on this
/// machine (as root through <c>su postgres</c>, since initdb refuses root), stopped when the tests end. With neither,
/// every test that needs it fails saying so: never skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "CASEGRAINS_TEST_POSTGRES";

    private string? _directory;
    private string? _pgCtl;
    private string? _startArguments;

    /// <summary>Connection string of a superuser on the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            AdminConnectionString = configured;
        }
        else
        {
            await StartThrowawayAsync();
        }

        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
    }

    /// <summary>
    /// A server of the test's own, never the shared one (the test may stop it and start it again: <see cref="StopAsync"/>,
    /// <see cref="StartAgainAsync"/>). Disposed by the test.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var server = new PostgresServer();
        await server.StartThrowawayAsync();
        await using var conn = new NpgsqlConnection(server.AdminConnectionString);
        await conn.OpenAsync();
        return server;
    }

    /// <summary>Stops a private server as an outage would look to its clients (their connections are closed).</summary>
    public Task StopAsync() => RunAsync(_pgCtl ?? throw new InvalidOperationException("Only a private server can be stopped."), $"-D {_directory}/data -m fast -w stop", asPostgres: true);

    /// <summary>Starts a stopped private server again, on the same port and data.</summary>
    public Task StartAgainAsync() => RunAsync(_pgCtl ?? throw new InvalidOperationException("Only a private server can be started."), _startArguments!, asPostgres: true);

    /// <summary>A new empty database on the server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "cg")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is null || _pgCtl is null)
        {
            return;
        }

        await RunAsync(_pgCtl, $"-D {_directory}/data -m immediate -w stop", asPostgres: true);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean from /tmp.
        }
    }

    private async Task StartThrowawayAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server for the cluster tests: set {EnvironmentVariable} to an admin connection string, or install the server (apt-get install postgresql); .ci/run does both.");
        }

        var port = FreePort();
        _directory = Path.Combine(Path.GetTempPath(), "casegrains-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", $"postgres:postgres {_directory}", asPostgres: false);
        }

        await RunAsync(Path.Combine(bin, "initdb"), $"-D {_directory}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8", asPostgres: true);
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _startArguments = $"-D {_directory}/data -l {_directory}/pg.log -o \"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=300\" -w start";
        await RunAsync(_pgCtl, _startArguments, asPostgres: true);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static async Task RunAsync(string file, string arguments, bool asPostgres)
    {
        var (exe, args) = asPostgres && Environment.UserName == "root"
            ? ("su", $"postgres -c '{file} {arguments.Replace("'", "'\\''", StringComparison.Ordinal)}'")
            : (file, arguments);
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"{exe} {args}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    public static int FreePort() => Ports.Free();
}
