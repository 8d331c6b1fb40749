using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>A real WebFrontend process in Client mode, on a free loopback port; killed on dispose.</summary>
public sealed class WebFrontendProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private WebFrontendProcess(Process process, ConcurrentQueue<string> output, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>Starts a frontend of <paramref name="silo"/>; <paramref name="createAdmin"/> names a first admin to create.</summary>
    public static async Task<WebFrontendProcess> StartAsync(SiloProcess silo, string? createAdmin = null)
    {
        var dll = SiloProcess.BuiltAssembly("WebFrontend", "CaseGrains.WebFrontend.dll");
        var port = SiloProcess.FreePort();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "casegrains-fe-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        foreach (var arg in new[]
        {
            dll, "--urls", $"http://127.0.0.1:{port}", "--CaseGrains:Frontend=Client", $"--CaseGrains:GatewayPort={silo.GatewayPort}",
            $"--CaseGrains:ServiceId={silo.ServiceId}", $"--CaseGrains:DataDirectory={dataDirectory}",
            $"--CaseGrains:Auth:JwtSigningKey={AppHost.SigningKey}", "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }

        if (createAdmin is not null)
        {
            info.ArgumentList.Add("--create-admin");
            info.ArgumentList.Add(createAdmin);
        }

        var output = new ConcurrentQueue<string>();
        var process = Process.Start(info) ?? throw new InvalidOperationException("The frontend process did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var frontend = new WebFrontendProcess(process, output, new Uri($"http://127.0.0.1:{port}"), dataDirectory);
        using var http = new HttpClient { BaseAddress = frontend.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The frontend exited with code {process.ExitCode}: {string.Join("\n", output)}");
            }

            try
            {
                if ((await http.GetAsync("/api/regions")).IsSuccessStatusCode)
                {
                    return frontend;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The admin password printed once by <c>--create-admin</c>.</summary>
    public async Task<string> AdminPasswordAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_output.FirstOrDefault(l => l.StartsWith("Admin account created", StringComparison.Ordinal)) is { } line)
            {
                return line[(line.LastIndexOf(' ') + 1)..];
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The frontend printed no admin password: " + string.Join("\n", _output));
    }

    public async Task<HttpClient> ClientForAsync(string userId, string password)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { userId, password });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    public ValueTask DisposeAsync() => SiloProcess.StopAsync(_process, DataDirectory);
}
