using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: a grain call reaches a silo within two seconds and
/// the silo reaches its database; otherwise 503, so a load balancer stops sending traffic here.
/// </summary>
public sealed class ClusterReadyCheck(IGrainFactory grains) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var ready = await grains.GetGrain<IHealthGrain>(0).Ready().WaitAsync(Timeout, cancellationToken);
            return ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database not ready");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Reported as a status, not an exception: the probe's answer is 503 with no details.
            return HealthCheckResult.Unhealthy("cluster unreachable");
        }
    }
}

public static class HealthApi
{
    public const string ReadyTag = "ready";

    public static void MapHealthApi(this WebApplication app)
    {
        app.MapHealthChecks(Grains.Hosting.HealthPaths.Live, new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(Grains.Hosting.HealthPaths.Ready, new() { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
    }
}
