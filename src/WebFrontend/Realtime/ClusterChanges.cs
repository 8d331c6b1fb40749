namespace CaseGrains.WebFrontend.Realtime;

/// <summary>
/// Tells the relays at once when the cluster changed under this frontend (a silo lost or back), so live subscriptions
/// are renewed then rather than at the next periodic renewal: as an Orleans client, from the gateway count; co-hosting a
/// silo, from the membership table's updates.
/// </summary>
public sealed class ClusterChanges : IClusterConnectionStatusObserver
{
    public event Action? Changed;

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) => Changed?.Invoke();

    public void NotifyClusterConnectionLost() => Changed?.Invoke();

    /// <summary>Raised by the co-hosted silo's membership watcher.</summary>
    public void Raise() => Changed?.Invoke();
}

/// <summary>In a frontend that co-hosts a silo: every new membership version (a silo declared dead, or joining) is a change.</summary>
public sealed class MembershipWatcher(IServiceProvider services, ClusterChanges changes) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IClusterMembershipService>() is not { } membership)
        {
            return; // an Orleans client: the gateway count tells (ClusterChanges)
        }

        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                changes.Raise();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
