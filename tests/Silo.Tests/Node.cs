using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CaseGrains.Silo.Tests;

/// <summary>What every process of one test cluster shares: its database, ids and secrets.</summary>
public sealed record ClusterSpec(string ConnectionString, string ServiceId)
{
    public string NikHmacKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-nik-hmac-key-of-32-bytes-123456"));

    public string JwtSigningKey { get; init; } = Convert.ToBase64String(Encoding.ASCII.GetBytes("test-jwt-signing-key-of-32-bytes-1234"));

    /// <summary>Settings every silo and frontend of the cluster gets (command-line form).</summary>
    public IEnumerable<string> CommonArguments() =>
    [
        "--CaseGrains:Mode=Cluster",
        $"--ConnectionStrings:CaseGrains={ConnectionString}",
        $"--CaseGrains:ServiceId={ServiceId}",
        $"--CaseGrains:NikHmacKey={NikHmacKey}",
        $"--CaseGrains:Auth:JwtSigningKey={JwtSigningKey}",
        "--CaseGrains:AdvertisedAddress=127.0.0.1",
        "--Logging:LogLevel:Default=Warning",
    ];
}

/// <summary>
/// A real src/Silo or src/WebFrontend process on loopback with free ports (the same steps as deploy/local/cluster.sh).
/// Its output is kept for the failure message. Disposing kills it.
/// </summary>
public sealed class Node : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private Node(string name, Process process, int httpPort, int siloPort, int gatewayPort)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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
        using var process = Start(Assembly("Silo", "CaseGrains.Silo.dll"), ["migrate", "--CaseGrains:Mode=Cluster", $"--ConnectionStrings:CaseGrains={spec.ConnectionString}", .. extra]);
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"migrate failed ({process.ExitCode}): {output} {error}");
    }

    public static async Task<Node> StartSiloAsync(ClusterSpec spec, string name, params string[] extra)
    {
        var (http, silo, gateway) = (PostgresServer.FreePort(), PostgresServer.FreePort(), PostgresServer.FreePort());
        var process = Start(Assembly("Silo", "CaseGrains.Silo.dll"),
        [
            .. spec.CommonArguments(), $"--urls=http://127.0.0.1:{http}", $"--CaseGrains:HealthPort={http}",
            $"--CaseGrains:SiloPort={silo}", $"--CaseGrains:GatewayPort={gateway}", .. extra,
        ]);
        return await ReadyOrKilledAsync(new Node(name, process, http, silo, gateway));
    }

    public static async Task<Node> StartFrontendAsync(ClusterSpec spec, string name, params string[] extra)
    {
        var http = PostgresServer.FreePort();
        var process = Start(Assembly("WebFrontend", "CaseGrains.WebFrontend.dll"),
            [.. spec.CommonArguments(), $"--urls=http://127.0.0.1:{http}", .. extra]);
        return await ReadyOrKilledAsync(new Node(name, process, http, 0, 0));
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
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

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

    /// <summary>The built assembly of a src project, from the same configuration as the tests.</summary>
    public static string Assembly(string project, string file)
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepoRoot(), "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build src/{project} first: {dll} is missing.");
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseGrains.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
