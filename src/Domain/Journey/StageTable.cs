namespace CaseGrains.Domain.Journey;

/// <summary>
/// The progress of every stage, indexed by stage. Immutable; one reference per stage (a case holds one of these in
/// memory for as long as it is active, so it is kept small: an immutable dictionary of seven entries costs several
/// times more). Stages that have not started share one <see cref="StageProgress.NotStarted"/>. A struct: the state
/// holds the array itself, not an object around it.
/// </summary>
public readonly struct StageTable
{
    private static readonly Stage[] AllStages = Enum.GetValues<Stage>();
    private readonly StageProgress[] _items;

    private StageTable(StageProgress[] items) => _items = items;

    /// <summary>A new case: Intake active since <paramref name="at"/>, every other stage not started.</summary>
    public static StageTable Opened(DateTimeOffset at)
    {
        var items = new StageProgress[AllStages.Length];
        Array.Fill(items, StageProgress.NotStarted);
        items[(int)Stage.Intake] = new StageProgress(StageState.Active, at, null, null);
        return new StageTable(items);
    }

    public StageProgress this[Stage stage] => _items[(int)stage];

    /// <summary>Every stage with its progress, in journey order.</summary>
    public IEnumerable<KeyValuePair<Stage, StageProgress>> Entries
    {
        get
        {
            var items = _items;
            return AllStages.Select(s => KeyValuePair.Create(s, items[(int)s]));
        }
    }

    public StageTable SetItem(Stage stage, StageProgress progress)
    {
        var copy = (StageProgress[])_items.Clone();
        copy[(int)stage] = progress;
        return new StageTable(copy);
    }
}
