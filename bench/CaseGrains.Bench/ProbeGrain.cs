namespace CaseGrains.Bench;

/// <summary>The smallest grain there is (string key like a case, no state): what one activation costs Orleans itself.</summary>
[Alias("cg.bench.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    Task Ping();
}

public sealed class ProbeGrain : Grain, IProbeGrain
{
    public Task Ping() => Task.CompletedTask;
}
