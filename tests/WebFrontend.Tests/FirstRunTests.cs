using System.Text.RegularExpressions;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// A newcomer's first run, as a process with the shipped logging: one clear line with the URL and the data folder, no
/// warning, Production; with --seed-demo the accounts table is the seed's last output.
/// </summary>
public sealed partial class FirstRunTests
{
    [Fact]
    public async Task AFirstStart_SaysWhereTheAppIs_WithoutAWarning_AndTheDemoAccountsComeLast()
    {
        var data = Path.Combine(Path.GetTempPath(), "casegrains-firstrun-" + Guid.NewGuid().ToString("N"));
        try
        {
            // As dotnet run starts it: the project folder as content root (its wwwroot and appsettings.json), default logging.
            await using var app = await Node.StartEmbeddedAppAsync(data, "app (first run)",
                $"--contentRoot={Path.Combine(Repo.Root(), "src", "WebFrontend")}", "--Logging:LogLevel:Default=Information", "--seed-demo");
            // Until the seed's last row (sixth of six, one per role) has been read from the process's output.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (app.Log.Split('\n').Count(l => AccountRow().IsMatch(l.TrimEnd('\r'))) < 6 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var lines = app.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            var ready = lines.Where(l => l.StartsWith("CaseGrains siap / ready: ", StringComparison.Ordinal)).ToList();

            Assert.Single(ready);
            Assert.Contains($"http://127.0.0.1:{app.HttpPort}", ready[0], StringComparison.Ordinal);
            Assert.Contains(Path.GetFullPath(data), ready[0], StringComparison.Ordinal);
            Assert.Contains(lines, l => l.Contains("Hosting environment: Production", StringComparison.Ordinal));
            var warnings = lines.Select((l, i) => (Line: l, Next: i + 1 < lines.Count ? lines[i + 1] : ""))
                .Where(x => x.Line.StartsWith("warn:", StringComparison.Ordinal) || x.Line.StartsWith("fail:", StringComparison.Ordinal) || x.Line.StartsWith("crit:", StringComparison.Ordinal))
                // The test harness turns Server GC off (DOTNET_gcServer=0, many processes on 2 cores); the app as shipped runs with it.
                .Where(x => !x.Next.Contains("ServerGC", StringComparison.Ordinal)).ToList();
            Assert.True(warnings.Count == 0, string.Join("\n", warnings.Select(w => w.Line + " " + w.Next)));
            var demo = lines.FindIndex(l => l.StartsWith("Demo siap / ready: 40 ", StringComparison.Ordinal));
            Assert.True(demo >= 0, app.Log);
            // The seed's last words: the summary, the header, then one row per account, together. The console logger writes
            // from its own thread, so a log entry (a "level: category" line and its indented message) may land between.
            var printed = lines.Skip(demo + 1).Where(l => !LogEntry().IsMatch(l)).ToList();
            Assert.StartsWith("Akun demo", printed[0], StringComparison.Ordinal);
            var table = printed.Skip(1).Take(7).ToList();
            Assert.Equal(7, table.Count);
            Assert.All(table, l => Assert.Matches(AccountRow(), l));
        }
        finally
        {
            Node.DeleteData(data);
        }
    }

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): |^      ")]
    private static partial Regex LogEntry();

    [GeneratedRegex(@"^  (Admin|Caseworker|Supervisor|Mentor|MinistryAnalyst|DataProtectionOfficer|Partner)\s+[a-z.]+\s+\S{12,}$")]
    private static partial Regex AccountRow();
}
