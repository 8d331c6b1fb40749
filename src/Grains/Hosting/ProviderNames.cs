namespace CaseGrains.Grains.Hosting;

/// <summary>Names of Orleans providers, in one place.</summary>
public static class ProviderNames
{
    /// <summary>Grain storage for small grain state (registry entries, case-number counters).</summary>
    public const string GrainState = "casegrains";

    /// <summary>
    /// Service key of the clock the journey uses (event times, date checks). Keyed so that a test can fake the
    /// journey's time without changing the time Orleans itself runs on.
    /// </summary>
    public const string Clock = "casegrains-clock";

    /// <summary>The ADO.NET invariant Orleans maps to Microsoft.Data.Sqlite's factory.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";
}
