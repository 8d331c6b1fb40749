using System.Diagnostics;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Storage.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace CaseGrains.Bench;

/// <summary>
/// The SLA sweep at the national shape (issue 16, deliverable 3), on PostgreSQL: open cases over the 514 kab/kota with
/// the national skew, each a CaseOpened event (chained as the case grain chains it), its case-list row and its SLA
/// deadline, bulk-loaded with COPY; a tenth of them opened eight days ago, so their intake SLA (seven days) is due and
/// their escalation (seven more) is not. Then a silo starts in this process (SLA check period one second) and its
/// deadline sweep wakes every due case, which appends its SlaBreached and moves its deadline to the escalation. Timed
/// from the silo's start until no due deadline is left; then the breaches are counted and the reminder table's rows.
/// </summary>
internal static class DeadlineBench
{
    public static async Task<string> RunAsync(string postgres, int cases, int due, TextWriter log)
    {
        await PostgresSchema.ApplyAsync(postgres);
        await using var source = NpgsqlDataSource.Create(postgres);
        var now = DateTimeOffset.UtcNow;
        var intake = SlaPolicy.Default.TargetFor(Stage.Intake)!.Value;
        var prefix = $"9{Random.Shared.Next(100, 999)}-";

        log.WriteLine($"loading {cases:N0} open cases, {due:N0} of them past their intake SLA");
        var loading = Stopwatch.StartNew();
        await LoadAsync(source, prefix, cases, due, now, intake);
        var loaded = loading.Elapsed;

        var (host, dataDirectory) = await ActivationBench.StartSiloAsync(postgres, new Dictionary<string, string?> { ["CaseGrains:Sla:CheckPeriod"] = "00:00:01" });
        var sweeping = Stopwatch.StartNew();
        try
        {
            var (left, swept, breaches, reminders) = await WaitSweptAsync(source, now, prefix, sweeping, TimeSpan.FromMinutes(10));
            var rows = await CountAsync(source, "SELECT count(*) FROM case_deadlines WHERE case_number LIKE @prefix", now, prefix);
            return $"""
                deadlines (Cluster, PostgreSQL): {cases:N0} open cases, {due:N0} deadlines due
                load              {loaded.TotalSeconds:F1} s (events, case list and deadlines by COPY)
                sweep             {(left == 0 ? "" : $"NOT DONE: {left:N0} still due after ")}{swept.TotalSeconds:F1} s from the silo's start to no due deadline ({due / swept.TotalSeconds:F0} cases/s; the first sweep starts within the 1 s check period)
                breaches          {breaches:N0} SlaBreached appended (one per due case: {(breaches == due ? "yes" : "NO")})
                deadline rows     {rows:N0} (one per open case)
                reminder rows     {reminders:N0} in the reminder table (the sweepers', none per case)
                """;
        }
        finally
        {
            await ActivationBench.StopSiloAsync(host, dataDirectory);
        }
    }

    /// <summary>
    /// Waits until no SLA deadline of the cases numbered <paramref name="prefix"/>… due by <paramref name="dueBy"/> is left
    /// (or <paramref name="limit"/> has passed on <paramref name="clock"/>); then what is left, the time, the SlaBreached
    /// events of those cases and the rows of the reminder table.
    /// </summary>
    internal static async Task<(long Left, TimeSpan Swept, long Breaches, long Reminders)> WaitSweptAsync(
        NpgsqlDataSource source, DateTimeOffset dueBy, string prefix, Stopwatch clock, TimeSpan limit)
    {
        long left;
        while ((left = await CountAsync(source, "SELECT count(*) FROM case_deadlines WHERE kind = 'sla' AND due_at <= @now AND case_number LIKE @prefix", dueBy, prefix)) > 0
            && clock.Elapsed < limit)
        {
            await Task.Delay(250);
        }

        var swept = clock.Elapsed;
        return (left, swept, await CountAsync(source, "SELECT count(*) FROM case_events WHERE type = 'SlaBreached' AND case_number LIKE @prefix", dueBy, prefix),
            await CountAsync(source, "SELECT count(*) FROM orleansreminderstable", dueBy, prefix));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource source, string sql, DateTimeOffset now, string prefix)
    {
        await using var cmd = source.CreateCommand(sql);
        cmd.Parameters.AddWithValue("now", now.ToUniversalTime());
        cmd.Parameters.AddWithValue("prefix", prefix + "%");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task LoadAsync(NpgsqlDataSource source, string prefix, int cases, int due, DateTimeOffset now, TimeSpan intake)
    {
        var shape = new NationalShape(new Random(16));
        var rows = new (string Number, string Region, DateTimeOffset Opened)[cases];
        var step = Math.Max(1, cases / Math.Max(1, due));
        for (var i = 0; i < cases; i++)
        {
            // One case in every `step` is due (spread over the country), the others opened within the last six days.
            var isDue = i % step == 0 && i / step < due;
            var opened = isDue ? now - intake - TimeSpan.FromDays(1) : now - TimeSpan.FromMinutes(i % (6 * 24 * 60));
            rows[i] = ($"{prefix}{i:D7}", shape.District(shape.Regency()), opened);
        }

        await using var conn = await source.OpenConnectionAsync();
        await OpenCasesCopy.WriteAsync(conn, rows);
        await CopyDeadlinesAsync(conn, rows, intake);
        await using var analyze = new NpgsqlCommand("ANALYZE case_events; ANALYZE case_index; ANALYZE case_deadlines", conn);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Each case's intake SLA deadline (opened + the intake target), as the case grain's timers write it, by COPY.</summary>
    internal static async Task CopyDeadlinesAsync(NpgsqlConnection conn, IEnumerable<(string Number, string Region, DateTimeOffset Opened)> rows, TimeSpan intake)
    {
        await using var deadlines = await conn.BeginBinaryImportAsync("COPY case_deadlines (case_number, kind, due_at) FROM STDIN (FORMAT BINARY)");
        foreach (var (number, _, opened) in rows)
        {
            await deadlines.StartRowAsync();
            await deadlines.WriteAsync(number, NpgsqlDbType.Text);
            await deadlines.WriteAsync("sla", NpgsqlDbType.Text);
            await deadlines.WriteAsync(opened + intake, NpgsqlDbType.TimestampTz);
        }

        await deadlines.CompleteAsync();
    }
}
