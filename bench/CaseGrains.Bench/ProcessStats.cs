using System.Globalization;

namespace CaseGrains.Bench;

/// <summary>CPU time and peak resident memory of processes, read from /proc (Linux), sampled at the start and end of a run.</summary>
internal sealed class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly Dictionary<int, (string Name, double CpuSeconds)> _start = [];

    public ProcessStats(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            if (Read(pid) is { } s)
            {
                _start[pid] = (s.Name, s.CpuSeconds);
            }
        }
    }

    /// <summary>The CaseGrains processes on this machine (silos, frontends) besides this one.</summary>
    public static IEnumerable<int> FindCaseGrainsProcesses() =>
        Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && CommandLine(pid) is { } cmd
                && (cmd.Contains("CaseGrains.Silo.dll", StringComparison.Ordinal) || cmd.Contains("CaseGrains.WebFrontend.dll", StringComparison.Ordinal)
                    || cmd.Contains("postgres", StringComparison.Ordinal)));

    /// <summary>
    /// Per process: CPU used since the start, as a share of one core, and the peak resident set. The processes of
    /// <paramref name="bornSince"/> not watched from the start (a database connection opened during the run) count from zero.
    /// </summary>
    public IReadOnlyList<(int Pid, string Name, double CpuCores, long PeakRssBytes)> Finish(TimeSpan elapsed, IEnumerable<int>? bornSince = null)
    {
        var list = new List<(int, string, double, long)>();
        var start = new Dictionary<int, (string Name, double CpuSeconds)>(_start);
        foreach (var pid in bornSince ?? [])
        {
            if (!start.ContainsKey(pid) && Read(pid) is { } born)
            {
                start[pid] = (born.Name, 0);
            }
        }

        foreach (var (pid, (name, cpu)) in start)
        {
            if (Read(pid) is { } now)
            {
                list.Add((pid, name, (now.CpuSeconds - cpu) / elapsed.TotalSeconds, now.PeakRss));
            }
        }

        return list;
    }

    public static (string Name, double CpuSeconds, long PeakRss)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            var hwm = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            var peak = hwm is null ? 0 : long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            return (Describe(pid), cpu, peak);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The process's resident set now.</summary>
    public static long Rss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Describe(int pid)
    {
        var cmd = CommandLine(pid) ?? "";
        return cmd.Contains("CaseGrains.Silo.dll", StringComparison.Ordinal) ? "silo"
            : cmd.Contains("CaseGrains.WebFrontend.dll", StringComparison.Ordinal) ? "frontend"
            : cmd.Contains("CaseGrains.Bench", StringComparison.Ordinal) ? (cmd.Contains(" peer ", StringComparison.Ordinal) ? "plain peer" : "bench")
            : cmd.Contains("postgres", StringComparison.Ordinal) ? "postgres"
            : cmd.Split(' ')[0];
    }
}
