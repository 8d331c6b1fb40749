using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// Wakes the cases whose consequences are behind their timeline (a silo died between a commit and its consequences,
/// or before their cursor was written) or whose held-up consequence is due, every
/// <see cref="CaseGrainsOptions.ConsequenceSettings.SweepEvery"/>. One activation in the cluster; a reminder brings it
/// back on another silo after a failure. A woken case does nothing when its consequences already ran.
/// </summary>
public sealed class ConsequenceSweeperGrain(IOperationsStore store, IOptions<CaseGrainsOptions> options, ILogger<ConsequenceSweeperGrain> logger)
    : SweeperGrain("consequence-sweep", logger), IConsequenceSweeperGrain
{
    /// <summary>The most cases one sweep wakes (the next sweep takes the rest).</summary>
    public const int Batch = 500;

    protected override TimeSpan SweepEvery => options.Value.Consequences.SweepEvery;

    public override async Task<int> Sweep()
    {
        var due = await store.DueConsequencesAsync(DateTimeOffset.UtcNow, Batch, CancellationToken.None);
        foreach (var caseNumber in due)
        {
            // One-way: a busy or unreachable case never holds the sweep up; it is found again next time if still behind.
            await GrainFactory.GetGrain<ICaseGrain>(caseNumber).RunConsequences(force: false);
        }

        return due.Count;
    }
}

/// <summary>Starts the sweepers (consequences, deadlines) when a silo becomes active (every silo asks; the one activation of each and its reminder result).</summary>
internal sealed partial class SweepersStart(IGrainFactory grains, IOptions<CaseGrainsOptions> options, ILogger<SweepersStart> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SweepersStart), ServiceLifecycleStage.Active, async _ =>
        {
            try
            {
                await grains.GetGrain<IConsequenceSweeperGrain>(0).Start();
                await grains.GetGrain<IDeadlineSweeperGrain>(0).Start();
                if (options.Value.Retention.AutoErase)
                {
                    await grains.GetGrain<IRetentionGrain>(0).Start();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Another silo's start, or this silo's next one, starts it; cases also run their consequences when activated.
                LogStartFailed(ex);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweepers could not be started from this silo")]
    private partial void LogStartFailed(Exception exception);
}
