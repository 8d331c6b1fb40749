using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>
/// A grain that sweeps for work every <see cref="SweepEvery"/>: one activation in the cluster, its timer keeping it
/// active, and one reminder (registered by <see cref="Start"/>) bringing it back on another silo after a failure. A
/// failed sweep is logged; the next one tries again.
/// </summary>
public abstract partial class SweeperGrain(string reminderName, ILogger logger) : Grain, IRemindable
{
    private bool _reminded;

    /// <summary>How long between sweeps.</summary>
    protected abstract TimeSpan SweepEvery { get; }

    /// <summary>One sweep; returns how many items it handled.</summary>
    public abstract Task<int> Sweep();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(async () =>
        {
            try
            {
                await Sweep();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSweepFailed(ex, GetType().Name);
            }
        }, new GrainTimerCreationOptions(SweepEvery, SweepEvery) { KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <summary>Registers the reminder that keeps the sweeper in the cluster (once per activation).</summary>
    public async Task Start()
    {
        if (!_reminded)
        {
            await this.RegisterOrUpdateReminder(reminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            _reminded = true;
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // being active is the point

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sweep of {Sweeper} failed; the next one tries again")]
    private partial void LogSweepFailed(Exception exception, string sweeper);
}
