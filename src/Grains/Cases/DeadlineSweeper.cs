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
        // A sliding window across pages: the next case is told as soon as one of the InFlight before it has answered
        // (told in chunks, each chunk waited for its slowest case before the next began).
        using var window = new SemaphoreSlim(InFlight);
        var told = new List<Task<bool>>();
        while (true)
        {
            var due = await store.DueDeadlinesAsync(now, after, Page, CancellationToken.None);
            foreach (var deadline in due)
            {
                await window.WaitAsync();
                told.Add(WakeAsync(deadline, window));
            }

            if (due.Count < Page)
            {
                break;
            }

            after = due[^1];
        }

        var failed = (await Task.WhenAll(told)).Count(ok => !ok);
        if (failed > 0)
        {
            LogCasesFailed(failed, told.Count);
        }

        return told.Count;
    }

    private async Task<bool> WakeAsync(DueDeadline deadline, SemaphoreSlim window)
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
        finally
        {
            window.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Case {CaseNumber} did not take its due {Kind} deadline; the next sweep tells it again")]
    private partial void LogCaseFailed(Exception exception, string caseNumber, string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} of {Woken} cases did not take their due deadline; the next sweep tells them again")]
    private partial void LogCasesFailed(int failed, int woken);
}
