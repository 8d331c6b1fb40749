using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// Wakes the cases whose SLA or referral deadline is due (issue 16, deliverable 3): every
/// <see cref="SweepEvery"/> it reads the deadline index in due order, a page at a time, and tells each case
/// (<see cref="ICaseGrain.DeadlineDue"/>), many at once. A sweep reads each row due at its start once (keyset paging), so
/// a case that fails is tried again at the next sweep, not in a loop. One activation in the cluster, kept by one
/// reminder (<see cref="SweeperGrain"/>): the reminder table holds this one row, not one per case.
/// </summary>
public sealed partial class DeadlineSweeperGrain(
    IDeadlineStore store,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    IOptions<CaseGrainsOptions> options,
    ILogger<DeadlineSweeperGrain> logger) : SweeperGrain("deadline-sweep", logger), IDeadlineSweeperGrain
{
    /// <summary>Deadlines read per page.</summary>
    public const int Page = 1000;

    /// <summary>Cases told at once.</summary>
    public const int InFlight = 256;

    /// <summary>The longest time between sweeps: a deadline is acted on at most this long after it is due.</summary>
    public static readonly TimeSpan MaxSweepEvery = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The SLA check period (<c>CaseGrains:Sla:CheckPeriod</c>), at most <see cref="MaxSweepEvery"/>: a sweep that finds
    /// nothing due is one index range read, so sweeping often costs little and keeps deadlines prompt.
    /// </summary>
    protected override TimeSpan SweepEvery => options.Value.Sla.CheckPeriod < MaxSweepEvery ? options.Value.Sla.CheckPeriod : MaxSweepEvery;

    public override async Task<int> Sweep()
    {
        var now = clock.GetUtcNow();
        DueDeadline? after = null;
        var woken = 0;
        var failed = 0;
        while (true)
        {
            var due = await store.DueDeadlinesAsync(now, after, Page, CancellationToken.None);
            foreach (var chunk in due.Chunk(InFlight))
            {
                var results = await Task.WhenAll(chunk.Select(WakeAsync));
                failed += results.Count(ok => !ok);
            }

            woken += due.Count;
            if (due.Count < Page)
            {
                break;
            }

            after = due[^1];
        }

        if (failed > 0)
        {
            LogCasesFailed(failed, woken);
        }

        return woken;
    }

    private async Task<bool> WakeAsync(DueDeadline deadline)
    {
        try
        {
            await GrainFactory.GetGrain<ICaseGrain>(deadline.CaseNumber).DeadlineDue(deadline.Kind);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its row stays due: the next sweep tells it again.
            LogCaseFailed(ex, deadline.CaseNumber, deadline.Kind);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} did not take its due {Kind} deadline; the next sweep tells it again")]
    private partial void LogCaseFailed(Exception exception, string caseNumber, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} of {Woken} cases did not take their due deadline; the next sweep tells them again")]
    private partial void LogCasesFailed(int failed, int woken);
}
