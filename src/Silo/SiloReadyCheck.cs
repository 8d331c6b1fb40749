using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CaseGrains.Silo;

/// <summary>
/// <c>/health/ready</c> of a silo: its database answers within two seconds and the cluster's membership lists this
/// silo as Active. A silo that is joining, shutting down or declared dead answers 503.
/// </summary>
public sealed class SiloReadyCheck(IOperationsStore store, IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"membership status {status}");
        }

        try
        {
            return await store.PingAsync(cancellationToken).WaitAsync(Timeout, cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database not migrated");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("database unreachable");
        }
    }
}
