namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// Tests with real processes, a browser, or a time bound (revocation ≤ 1 s) run alone, after the parallel ones, so
/// the other suites' load on the two cores does not distort what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: processes, browser, timing";
}
