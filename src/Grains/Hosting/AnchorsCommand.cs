using System.Globalization;
using System.Text.Json;
using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// <c>anchors export --to FILE</c> and <c>anchors verify --from FILE</c>, the same in src/WebFrontend and src/Silo
/// (docs/operations.md, "Anchored chain"). The export appends to the auditor's file, as JSON lines, every case
/// checkpoint newer than the file already holds for that case (it never rewrites a line); the verify checks the
/// database's timelines against the latest line of each case in such a file, so a writer who rewrote a timeline and
/// deleted or replaced its checkpoint rows is still found.
/// </summary>
public static class AnchorsCommand
{
    private const int Page = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "anchors";

    /// <summary>One line of the auditor's file: a checkpoint as the database held it when exported (times as the MAC covers them).</summary>
    public sealed record Line(string Case, long Seq, string Head, string RecordedAt, string Mac, string ExportedAt);

    /// <summary>Runs the command; returns the process exit code (0 all sound, 1 problems found or failed, 2 bad usage).</summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length < 2 || args[1] is not ("export" or "verify"))
        {
            await error.WriteLineAsync("usage: anchors export --to FILE | anchors verify --from FILE");
            return 2;
        }

        var export = args[1] == "export";
        var file = Option(args, export ? "--to" : "--from");
        if (string.IsNullOrWhiteSpace(file))
        {
            await error.WriteLineAsync(export ? "usage: anchors export --to FILE (appended to; created if missing)" : "usage: anchors verify --from FILE (written by anchors export)");
            return 2;
        }

        var settings = configuration.GetSection(CaseGrainsOptions.Section).Get<CaseGrainsOptions>() ?? new CaseGrainsOptions();
        var connectionString = configuration[CaseGrainsSilo.ConnectionStringKey];
        if (settings.IsCluster && string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync($"{CaseGrainsSilo.ConnectionStringKey} must be set in {Modes.Cluster} mode.");
            return 2;
        }

        if (!settings.IsCluster && !File.Exists(settings.DatabasePath))
        {
            await error.WriteLineAsync($"No database at {settings.DatabasePath} ({CaseGrainsOptions.Section}:DataDirectory).");
            return 2;
        }

        var keyFile = Path.Combine(Path.GetFullPath(settings.DataDirectory), ChainAnchorKey.FileName);
        if (!settings.IsCluster && string.IsNullOrWhiteSpace(settings.ChainAnchorKey) && !File.Exists(keyFile))
        {
            // Never create one here: a new key would make every checkpoint look forged.
            await error.WriteLineAsync($"No chain anchor key: set {CaseGrainsOptions.Section}:ChainAnchorKey or restore {keyFile}.");
            return 2;
        }

        try
        {
            var key = new ChainAnchorKey(ChainAnchorKey.Load(settings));
            file = Path.GetFullPath(file);
            if (settings.IsCluster)
            {
                await using var source = NpgsqlDataSource.Create(connectionString!);
                using var store = new PostgresCaseEventStore(source);
                return export ? await ExportAsync(store, key, file, output) : await VerifyAsync(store, key, file, output);
            }
            else
            {
                using var store = new SqliteCaseEventStore(Options.Create(settings));
                return export ? await ExportAsync(store, key, file, output) : await VerifyAsync(store, key, file, output);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or IOException or JsonException or System.Data.Common.DbException)
        {
            await error.WriteLineAsync($"anchors {args[1]} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Appends the checkpoints newer than the file holds, case by case (commits of several silos reach the table in no
    /// global order, so one high-water mark could skip a checkpoint; a per-case comparison never does). A checkpoint whose
    /// MAC does not verify, or older than the file's for its case, is reported and not exported; so is a case the file
    /// holds and the database no longer does.
    /// </summary>
    private static async Task<int> ExportAsync(IOperationsStore store, ChainAnchorKey key, string file, TextWriter output)
    {
        var exported = await ReadLatestAsync(file, key, null);
        var now = EventChain.FormatTime(DateTimeOffset.UtcNow);
        var (added, unchanged, unanchored) = (0, 0, 0);
        var problems = new List<string>();
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using (var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read))
        await using (var writer = new StreamWriter(stream))
        {
            var after = "";
            while (true)
            {
                var page = await store.ReadCheckpointsAsync(after, Page, CancellationToken.None);
                foreach (var c in page)
                {
                    var before = exported.GetValueOrDefault(c.CaseNumber);
                    exported.Remove(c.CaseNumber);
                    if (c.Mac is null && before is not null)
                    {
                        problems.Add($"{c.CaseNumber}: exported before with a MAC, now marked as written before anchoring began (not exported)");
                    }
                    else if (c.Mac is null)
                    {
                        unanchored++;
                    }
                    else if (!key.IsAuthentic(c))
                    {
                        problems.Add($"{c.CaseNumber}: checkpoint at seq {c.Seq} has a MAC that does not verify (not exported)");
                    }
                    else if (before is not null && c.Seq < before.Seq)
                    {
                        problems.Add($"{c.CaseNumber}: checkpoint at seq {c.Seq} is older than the exported one at seq {before.Seq} (not exported)");
                    }
                    else if (before is not null && c.Seq == before.Seq)
                    {
                        if (c.Head != before.Head)
                        {
                            problems.Add($"{c.CaseNumber}: checkpoint at seq {c.Seq} names another head than the exported one");
                        }

                        unchanged++;
                    }
                    else
                    {
                        await writer.WriteLineAsync(JsonSerializer.Serialize(new Line(c.CaseNumber, c.Seq, c.Head, EventChain.FormatTime(c.RecordedAt), c.Mac, now), Json));
                        added++;
                    }
                }

                if (page.Count < Page)
                {
                    break;
                }

                after = page[^1].CaseNumber;
            }

            await writer.FlushAsync();
            stream.Flush(flushToDisk: true);
        }

        // What is left was exported before and has no checkpoint in the database any more.
        problems.AddRange(exported.Keys.Order(StringComparer.Ordinal).Select(c => $"{c}: exported before, but the database holds no checkpoint for it"));

        foreach (var problem in problems)
        {
            await output.WriteLineAsync(problem);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Appended {added} checkpoints to {file}; {unchanged} cases unchanged since the last export, {unanchored} written before anchoring began, {problems.Count} problems."));
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>Recomputes the chain of every case in the file and checks it reaches the head of that case's latest line.</summary>
    private static async Task<int> VerifyAsync(ICaseTimelineStore store, ChainAnchorKey key, string file, TextWriter output)
    {
        if (!File.Exists(file))
        {
            throw new IOException($"No file at {file}.");
        }

        var problems = new List<string>();
        var latest = await ReadLatestAsync(file, key, problems);
        foreach (var (caseNumber, line) in latest.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var (prev, expected, hashAtLine) = (EventChain.Genesis, 1L, (string?)null);
            var redactions = new RedactionCheck();
            string? broken = null;
            while (broken is null)
            {
                var events = await store.ReadAsync(caseNumber, expected - 1, Page, CancellationToken.None);
                foreach (var e in events)
                {
                    var link = new EventChain.Link(e.CaseNumber, e.Seq, e.Type, e.ActorId, e.ActorRole, e.OccurredAt, e.CommandId, e.PayloadJson, e.PrevHash, e.Hash, e.Redacted);
                    if (EventChain.Problem(prev, expected, link) is { } problem)
                    {
                        broken = string.Create(CultureInfo.InvariantCulture, $"chain broken at seq {expected}: {problem}");
                        break;
                    }

                    (prev, expected) = (e.Hash, expected + 1);
                    hashAtLine = e.Seq == line.Seq ? e.Hash : hashAtLine;
                    redactions.Add(e.Seq, e.Type, e.PayloadJson, e.Redacted);
                }

                if (events.Count < Page)
                {
                    break;
                }
            }

            var count = expected - 1;
            var mismatch = broken
                ?? (count < line.Seq ? string.Create(CultureInfo.InvariantCulture, $"events missing: the exported checkpoint anchors seq {line.Seq}, the database holds {count}")
                : hashAtLine != line.Head ? string.Create(CultureInfo.InvariantCulture, $"timeline rewritten: the recomputed hash of seq {line.Seq} is not the exported head")
                : redactions.Problem?.Text);
            if (mismatch is not null)
            {
                problems.Add($"{caseNumber}: {mismatch}");
            }
        }

        foreach (var problem in problems)
        {
            await output.WriteLineAsync(problem);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Checked {latest.Count} cases against {file}: {problems.Count} problems."));
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>Each case's latest line in the file (by seq); a line whose MAC does not verify is reported (when <paramref name="problems"/> is given) and left out.</summary>
    private static async Task<Dictionary<string, ChainAnchor.Checkpoint>> ReadLatestAsync(string file, ChainAnchorKey key, List<string>? problems)
    {
        var latest = new Dictionary<string, ChainAnchor.Checkpoint>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return latest;
        }

        var number = 0;
        foreach (var text in await File.ReadAllLinesAsync(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var line = JsonSerializer.Deserialize<Line>(text, Json) ?? throw new JsonException($"line {number} of {file} is empty JSON");
            var checkpoint = new ChainAnchor.Checkpoint(line.Case, line.Seq, line.Head, EventChain.ParseTime(line.RecordedAt), line.Mac);
            if (!key.IsAuthentic(checkpoint))
            {
                problems?.Add(string.Create(CultureInfo.InvariantCulture, $"{line.Case}: line {number} of the file has a MAC that does not verify (skipped)"));
                continue;
            }

            if (!latest.TryGetValue(line.Case, out var seen) || seen.Seq < checkpoint.Seq)
            {
                latest[line.Case] = checkpoint;
            }
        }

        return latest;
    }

    private static string? Option(string[] args, string name)
    {
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
