using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>A real src/Silo process on loopback with free ports and its own data folder; killed on dispose.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, int gatewayPort, string serviceId, string dataDirectory)
    {
        _process = process;
        GatewayPort = gatewayPort;
        ServiceId = serviceId;
        DataDirectory = dataDirectory;
    }

    public int GatewayPort { get; }

    public string ServiceId { get; }

    public string DataDirectory { get; }

    public static async Task<SiloProcess> StartAsync()
    {
        var dll = SiloAssembly();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "casegrains-silo-" + Guid.NewGuid().ToString("N"));
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var serviceId = "cg-silo-" + Path.GetFileName(dataDirectory);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[]
        {
            dll, $"--CaseGrains:DataDirectory={dataDirectory}", $"--CaseGrains:SiloPort={siloPort}", $"--CaseGrains:GatewayPort={gatewayPort}",
            $"--CaseGrains:ServiceId={serviceId}", "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The silo process did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var silo = new SiloProcess(process, gatewayPort, serviceId, dataDirectory);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {process.ExitCode}.");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, gatewayPort);
                return silo;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private int _disposed;

    /// <summary>Stops the silo (a test may stop it early; a second dispose does nothing).</summary>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? StopAsync(_process, DataDirectory) : ValueTask.CompletedTask;

    /// <summary>Kills a child process (and its children), waits for it, and deletes its data folder.</summary>
    internal static async ValueTask StopAsync(Process process, string dataDirectory)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        AppHost.DeleteData(dataDirectory);
    }

    private static string SiloAssembly() => BuiltAssembly("Silo", "CaseGrains.Silo.dll");

    /// <summary>The built assembly of a src project, from the same configuration as the tests.</summary>
    public static string BuiltAssembly(string project, string file)
    {
        var here = AppContext.BaseDirectory;
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CaseGrains.sln")))
        {
            dir = dir.Parent;
        }

        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Repository root not found."),
            "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build src/{project} first: {dll} is missing.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
