namespace CaseGrains.WebFrontend.Realtime;

/// <summary>
/// Tells the relays at once when the cluster changed under this frontend (a silo lost or back), so live subscriptions
/// are renewed then rather than at the next periodic renewal: as an Orleans client, from the gateway count and
/// <see cref="MembershipWatcher"/>; co-hosting a silo, from the membership table's updates.
/// </summary>
public sealed class ClusterChanges : IClusterConnectionStatusObserver
{
    public event Action? Changed;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) => Changed?.Invoke();

    public void NotifyClusterConnectionLost() => Changed?.Invoke();

    /// <summary>Raised by the co-hosted silo's membership watcher.</summary>
    public void Raise() => Changed?.Invoke();
}

/// <summary>
/// Raises <see cref="ClusterChanges"/> on every change of the cluster's silos. Co-hosting a silo: each new membership
/// version (a silo declared dead, or joining). As an Orleans client: the gateway count alone misses a silo that joins
/// (the client connects to a gateway only when it sends through it), so the active silos are read every
/// <see cref="PollEvery"/> and a different set is a change; the frontend subscribes the new silo's feeds then, not at
/// the next renewal.
/// </summary>
public sealed partial class MembershipWatcher(IServiceProvider services, IGrainFactory grains, ClusterChanges changes, ILogger<MembershipWatcher> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (services.GetService<IClusterMembershipService>() is { } membership)
            {
                await foreach (var _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
                {
                    changes.Raise();
                }

                return;
            }

            var known = "";
            using var timer = new PeriodicTimer(PollEvery);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                string now;
                try
                {
                    var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stoppingToken);
                    now = string.Join(' ', hosts.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogUnreadable(ex); // the gateway count change covers a lost connection meanwhile
                    continue;
                }

                if (known.Length > 0 && now != known)
                {
                    changes.Raise();
                }

                known = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The cluster's silos could not be read")]
    private partial void LogUnreadable(Exception ex);
}
