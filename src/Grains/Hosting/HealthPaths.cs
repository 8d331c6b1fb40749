namespace CaseGrains.Grains.Hosting;

/// <summary>The probe paths every host (silo and frontend) serves; deploy manifests point their probes here.</summary>
public static class HealthPaths
{
    /// <summary>Every probe path starts here (request tracing leaves them out).</summary>
    public const string Root = "/health";

    /// <summary>The process answers (liveness).</summary>
    public const string Live = "/health/live";

    /// <summary>The host can do its work: database reachable and, for a silo, its cluster membership active.</summary>
    public const string Ready = "/health/ready";
}
