using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// <c>deploy/local/cluster.sh</c> (issue 15, deliverable 9), run for real: it keeps the data folder it was given (and the
/// database in it, reused by the next run), runs on when one of its children dies, and on Ctrl+C stops only its own
/// children and deletes only what it created.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ClusterScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheLocalClusterScript_KeepsTheDataFolderItWasGiven_RunsOnWhenAChildDies_AndOnCtrlCStopsOnlyItsOwn()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-script-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "mine.txt"), "a file the script did not make");
        using var outsider = Process.Start("sleep", "600");
        try
        {
            string password;
            await using (var first = await ScriptRun.StartAsync(data, output, "--seed-demo"))
            {
                password = (await first.WaitForAsync(DemoPassword())).Groups[1].Value;
                // A silo killed (a failover test): reported, and the script runs on.
                await first.WaitForAsync(SiloPid());
                var silo = int.Parse(SiloPid().Match(first.Output).Groups[1].Value, CultureInfo.InvariantCulture);
                using (var kill = Process.Start("kill", ["-9", silo.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                await first.WaitForAsync(new Regex($"silo1 \\(pid {silo}\\) has stopped"));
                Assert.False(first.HasExited, "the script ended when one of its children died");
                var frontend = int.Parse(FrontendPid().Match(first.Output).Groups[1].Value, CultureInfo.InvariantCulture);

                Assert.Equal(130, await first.InterruptAsync());
                Assert.False(Alive(frontend), "the script's frontend still runs after Ctrl+C");
            }

            Assert.True(File.Exists(Path.Combine(data, "mine.txt")), "the script deleted a file of the folder it was given");
            Assert.True(File.Exists(Path.Combine(data, "pg", "PG_VERSION")), "the script deleted the database it was told to keep");
            Assert.False(outsider.HasExited, "Ctrl+C of the script stopped a process it had not started");

            // The next run reuses the database: the demo admin signs in with the password the first run printed.
            await using var second = await ScriptRun.StartAsync(data, output);
            var url = (await second.WaitForAsync(FrontendUrl())).Groups[1].Value;
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            using var token = await http.PostAsJsonAsync("/api/auth/token", new { userId = "admin", password });
            Assert.True(token.IsSuccessStatusCode, $"sign-in on the reused database: {(int)token.StatusCode}");
            Assert.Equal(130, await second.InterruptAsync());
        }
        finally
        {
            outsider.Kill();
            using var remove = Process.Start("rm", ["-rf", data]);
            await remove.WaitForExitAsync();
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            return !Process.GetProcessById(pid).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\s+Admin\s+admin\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex DemoPassword();

    [GeneratedRegex(@"silo1\s+pid (\d+)")]
    private static partial Regex SiloPid();

    [GeneratedRegex(@"frontend1\s+pid (\d+)")]
    private static partial Regex FrontendPid();

    [GeneratedRegex(@"frontend1\s+pid \d+ · (http://\S+)/")]
    private static partial Regex FrontendUrl();

    /// <summary>One run of the script (bash, as CI runs it), its output collected.</summary>
    private sealed class ScriptRun : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ITestOutputHelper _output;

        private ScriptRun(Process process, ITestOutputHelper output)
        {
            _process = process;
            _output = output;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output => string.Join('\n', _lines);

        public bool HasExited => _process.HasExited;

        public static async Task<ScriptRun> StartAsync(string data, ITestOutputHelper output, params string[] extra)
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(Repo.Root(), "deploy", "local", "cluster.sh"), "--silos", "1", "--frontends", "1", "--data", data }.Concat(extra))
            {
                info.ArgumentList.Add(a);
            }

            var run = new ScriptRun(Process.Start(info)!, output);
            await run.WaitForAsync(new Regex("running; Ctrl\\+C stops everything"));
            return run;
        }

        public async Task<Match> WaitForAsync(Regex pattern)
        {
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (true)
            {
                if (pattern.Match(Output) is { Success: true } match)
                {
                    return match;
                }

                Assert.False(_process.HasExited, $"the script ended before '{pattern}':\n{Output}");
                Assert.True(DateTime.UtcNow < deadline, $"the script did not print '{pattern}':\n{Output}");
                await Task.Delay(200);
            }
        }

        /// <summary>Ctrl+C (SIGINT to the script); returns its exit code.</summary>
        public async Task<int> InterruptAsync()
        {
            using (var signal = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            _output.WriteLine(Output);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                await InterruptAsync();
            }

            _process.Dispose();
        }
    }
}
