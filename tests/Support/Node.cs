using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CaseGrains.TestSupport;

/// <summary>What every process of one test cluster shares: its database, ids and secrets.</summary>
public sealed record ClusterSpec(string ConnectionString, string ServiceId)
{
    public string NikHmacKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-nik-hmac-key-of-32-bytes-123456"));

    public string SubjectKeyEncryptionKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-subject-kek-of-32-bytes-1234567"));

    public string JwtSigningKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-jwt-signing-key-of-32-bytes-1234"));

    public string ChainAnchorKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-chain-anchor-key-of-32-bytes-12"));

    /// <summary>Settings every silo and frontend of the cluster gets (command-line form).</summary>
    public IEnumerable<string> CommonArguments() =>
    [
        "--CaseGrains:Mode=Cluster",
        $"--ConnectionStrings:CaseGrains={ConnectionString}",
        $"--CaseGrains:ServiceId={ServiceId}",
        $"--CaseGrains:NikHmacKey={NikHmacKey}",
        $"--CaseGrains:SubjectKeyEncryptionKey={SubjectKeyEncryptionKey}",
        $"--CaseGrains:ChainAnchorKey={ChainAnchorKey}",
        $"--CaseGrains:Auth:JwtSigningKey={JwtSigningKey}",
        "--CaseGrains:AdvertisedAddress=127.0.0.1",
        "--Logging:LogLevel:Default=Warning",
    ];
}

/// <summary>
/// A real src/Silo or src/WebFrontend process on loopback with free ports (the same steps as deploy/local/cluster.sh):
/// a cluster silo or frontend on PostgreSQL, a silo on SQLite with client frontends, or the embedded app itself. Its
/// output is kept for failure messages and for what a test reads from it (a printed password). Disposing kills it and
/// deletes the data folder it was given to own.
/// </summary>
public sealed class Node : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string? _ownedData;
    private int _disposed;

    private Node(string name, Process process, int httpPort, int siloPort, int gatewayPort, string serviceId, string? dataDirectory, bool ownsData)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        ServiceId = serviceId;
        DataDirectory = dataDirectory;
        _ownedData = ownsData ? dataDirectory : null;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string ServiceId { get; }

    /// <summary>The data folder (embedded silo or app, or a frontend's key files); null for cluster nodes.</summary>
    public string? DataDirectory { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int ProcessId => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Applies the schema with the Silo's migrate command; returns its output.</summary>
    public static async Task<string> MigrateAsync(ClusterSpec spec, params string[] extra)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var process = Start(Repo.Built("Silo", "CaseGrains.Silo.dll"), ["migrate", "--CaseGrains:Mode=Cluster", $"--ConnectionStrings:CaseGrains={spec.ConnectionString}", .. extra]);
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"migrate failed ({process.ExitCode}): {output} {error}");
    }

    /// <summary>Runs a command of a project (<c>Silo</c> or <c>WebFrontend</c>: backup, restore, …) to its end; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(string project, params string[] arguments)
    {
        using var process = Start(Repo.Built(project, $"CaseGrains.{project}.dll"), arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        return (process.ExitCode, (await output) + (await error));
    }

    /// <summary>A cluster silo on PostgreSQL.</summary>
    public static async Task<Node> StartSiloAsync(ClusterSpec spec, string name, params string[] extra)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (http, silo, gateway) = (Ports.Free(), Ports.Free(), Ports.Free());
        var process = Start(Repo.Built("Silo", "CaseGrains.Silo.dll"),
        [
            .. spec.CommonArguments(), $"--urls=http://127.0.0.1:{http}", $"--CaseGrains:HealthPort={http}",
            $"--CaseGrains:SiloPort={silo}", $"--CaseGrains:GatewayPort={gateway}", .. extra,
        ]);
        return await ReadyOrKilledAsync(new Node(name, process, http, silo, gateway, spec.ServiceId, null, ownsData: false));
    }

    /// <summary>A cluster frontend (an Orleans client of the cluster's silos, unless <paramref name="extra"/> says otherwise).</summary>
    public static async Task<Node> StartFrontendAsync(ClusterSpec spec, string name, params string[] extra)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var http = Ports.Free();
        var process = Start(Repo.Built("WebFrontend", "CaseGrains.WebFrontend.dll"),
            [.. spec.CommonArguments(), $"--urls=http://127.0.0.1:{http}", .. extra]);
        return await ReadyOrKilledAsync(new Node(name, process, http, 0, 0, spec.ServiceId, null, ownsData: false));
    }

    /// <summary>A standalone silo on SQLite in a new data folder of its own (Embedded mode, gateway open for frontends).</summary>
    public static async Task<Node> StartEmbeddedSiloAsync(string name = "silo")
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "casegrains-silo-" + Guid.NewGuid().ToString("N"));
        var (http, silo, gateway) = (Ports.Free(), Ports.Free(), Ports.Free());
        var serviceId = "cg-silo-" + Path.GetFileName(dataDirectory);
        var process = Start(Repo.Built("Silo", "CaseGrains.Silo.dll"),
        [
            $"--CaseGrains:DataDirectory={dataDirectory}", $"--urls=http://127.0.0.1:{http}", $"--CaseGrains:SiloPort={silo}",
            $"--CaseGrains:GatewayPort={gateway}", $"--CaseGrains:ServiceId={serviceId}", "--Logging:LogLevel:Default=Warning",
        ]);
        return await ReadyOrKilledAsync(new Node(name, process, http, silo, gateway, serviceId, dataDirectory, ownsData: true));
    }

    /// <summary>A frontend in Client mode of <paramref name="silo"/> (an embedded-mode silo process); <paramref name="createAdmin"/> names a first admin.</summary>
    public static async Task<Node> StartClientFrontendAsync(Node silo, string name = "frontend", string? createAdmin = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var http = Ports.Free();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "casegrains-fe-" + Guid.NewGuid().ToString("N"));
        var process = Start(Repo.Built("WebFrontend", "CaseGrains.WebFrontend.dll"),
        [
            $"--urls=http://127.0.0.1:{http}", "--CaseGrains:Frontend=Client", $"--CaseGrains:GatewayPort={silo.GatewayPort}",
            $"--CaseGrains:ServiceId={silo.ServiceId}", $"--CaseGrains:DataDirectory={dataDirectory}",
            $"--CaseGrains:Auth:JwtSigningKey={AppHost.SigningKey}", "--Logging:LogLevel:Default=Warning",
            .. createAdmin is null ? Array.Empty<string>() : ["--create-admin", createAdmin],
        ]);
        return await ReadyOrKilledAsync(new Node(name, process, http, 0, 0, silo.ServiceId, dataDirectory, ownsData: true));
    }

    /// <summary>
    /// The app as a user runs it (<c>dotnet run --project src/WebFrontend</c>): a co-hosted silo on the SQLite file in
    /// <paramref name="dataDirectory"/>, which the caller owns (so a second process can be started on the same file).
    /// </summary>
    public static async Task<Node> StartEmbeddedAppAsync(string dataDirectory, string name = "app", params string[] extra)
    {
        var (http, silo, gateway) = (Ports.Free(), Ports.Free(), Ports.Free());
        var serviceId = "cg-app-" + Path.GetFileName(dataDirectory);
        var process = Start(Repo.Built("WebFrontend", "CaseGrains.WebFrontend.dll"),
        [
            $"--urls=http://127.0.0.1:{http}", $"--CaseGrains:DataDirectory={dataDirectory}", $"--CaseGrains:SiloPort={silo}",
            $"--CaseGrains:GatewayPort={gateway}", $"--CaseGrains:ServiceId={serviceId}", $"--CaseGrains:Auth:JwtSigningKey={AppHost.SigningKey}",
            "--Logging:LogLevel:Default=Warning", .. extra,
        ]);
        return await ReadyOrKilledAsync(new Node(name, process, http, silo, gateway, serviceId, dataDirectory, ownsData: false));
    }

    /// <summary>A node that never became ready must not outlive the test.</summary>
    private static async Task<Node> ReadyOrKilledAsync(Node node)
    {
        try
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(90));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls /health/ready until it answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                // Without a timeout, WaitForExit also waits for the output handlers to see every line (the reason is in them).
                _process.WaitForExit();
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout}:\n{Log}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Every line the process wrote so far (standard output and error), in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The first output line starting with <paramref name="prefix"/>, waiting up to 30 s for it.</summary>
    public async Task<string> WaitForLineAsync(string prefix)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(l => l.TrimStart().StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} printed no line starting with '{prefix}':\n{Log}");
    }

    /// <summary>The admin password printed once by <c>--create-admin</c>.</summary>
    public async Task<string> AdminPasswordAsync()
    {
        var line = await WaitForLineAsync("Admin account created");
        return line[(line.LastIndexOf(' ') + 1)..];
    }

    /// <summary>An HTTP client of this node holding a bearer token for <paramref name="userId"/>.</summary>
    public async Task<HttpClient> ClientForAsync(string userId, string password)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { userId, password });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            http.Dispose();
            throw new InvalidOperationException($"sign-in of {userId} on {Name} failed: {(int)response.StatusCode} {text}");
        }

        http.DefaultRequestHeaders.Authorization = new("Bearer", JsonDocument.Parse(text).RootElement.GetProperty("accessToken").GetString());
        return http;
    }

    /// <summary>kill -9: no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as docker stop or a Kubernetes rollout sends; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        await SignalAsync("TERM");
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGSTOP: the process stalls (its sockets stay open, nothing answers), as a machine in a long pause would.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the process (a test may stop it early; a second dispose does nothing) and deletes the data it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await KillAsync();
        _process.Dispose();
        if (_ownedData is not null)
        {
            DeleteData(_ownedData);
        }
    }

    /// <summary>
    /// Deletes a data folder (after closing this process's pooled SQLite connections to it). A test may delete it while its
    /// app still runs (the app's timers may create a file meanwhile): tried again a few times before giving up.
    /// </summary>
    public static void DeleteData(string dataDirectory)
    {
        for (var attempt = 1; ; attempt++)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                if (Directory.Exists(dataDirectory))
                {
                    Directory.Delete(dataDirectory, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_log)
        {
            // Keep the tail: enough to explain a failure.
            if (_log.Length > 200_000)
            {
                _log.Remove(0, 100_000);
            }

            _log.AppendLine(line);
        }
    }

    private static Process Start(string dll, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_gcServer"] = "0";
        return Process.Start(info) ?? throw new InvalidOperationException($"{dll} did not start.");
    }
}

/// <summary>Free loopback ports.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The repository and the built outputs of its projects.</summary>
public static class Repo
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseGrains.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>The built assembly of a src project, from the same configuration as the tests.</summary>
    public static string Built(string project, string file)
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(Root(), "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build src/{project} first: {dll} is missing.");
    }
}
