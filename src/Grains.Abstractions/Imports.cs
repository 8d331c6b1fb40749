namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// A bulk import of beneficiaries from CSV (issue 8): one grain per import, keyed by its id. Each row is one intake (or,
/// for a person with an open case, a consent update), with a command id derived from the row, so re-running a file
/// repeats nothing. Progress goes to the importing user's live feed.
/// </summary>
[Alias("cg.IBeneficiaryImportGrain")]
public interface IBeneficiaryImportGrain : IGrainWithStringKey
{
    /// <summary>Checks the file's header and rows' shape, then processes the rows in the background.</summary>
    [Alias("Start")]
    Task<ImportStart> Start(string csv, Actor actor);

    /// <summary>The report so far (to the importing user only; null for anyone else or an unknown import).</summary>
    [Alias("GetReport")]
    Task<ImportReport?> GetReport(Actor caller);

    /// <summary>Processes the next rows (the grain calls itself, one-way, until done).</summary>
    [Alias("Continue"), Orleans.Concurrency.OneWay]
    Task Continue();
}

[GenerateSerializer, Immutable, Alias("cg.ImportStart")]
public sealed record ImportStart([property: Id(0)] string ImportId, [property: Id(1)] int Total, [property: Id(2)] RefusalInfo? Refusal);

/// <summary>How far an import is: rows processed of the total and what became of them.</summary>
[GenerateSerializer, Immutable, Alias("cg.ImportProgress")]
public sealed record ImportProgress(
    [property: Id(0)] string ImportId,
    [property: Id(1)] int Total,
    [property: Id(2)] int Processed,
    [property: Id(3)] int Created,
    [property: Id(4)] int Unchanged,
    [property: Id(5)] int Updated,
    [property: Id(6)] int Rejected,
    [property: Id(7)] bool Done);

public enum ImportResult
{
    /// <summary>A case was opened.</summary>
    Created,

    /// <summary>This row was imported before (same content): nothing new.</summary>
    Unchanged,

    /// <summary>The person already has an open case; its consent was recorded from this row.</summary>
    ConsentRecorded,

    /// <summary>The person already has an open case; nothing in the row changes it.</summary>
    Existing,

    Rejected,
}

[GenerateSerializer, Immutable, Alias("cg.ImportRow")]
public sealed record ImportRow(
    [property: Id(0)] int Line,
    [property: Id(1)] string? NikMasked,
    [property: Id(2)] ImportResult Result,
    [property: Id(3)] string? CaseNumber,
    [property: Id(4)] RefusalInfo? Problem);

[GenerateSerializer, Immutable, Alias("cg.ImportReport")]
public sealed record ImportReport([property: Id(0)] ImportProgress Progress, [property: Id(1)] IReadOnlyList<ImportRow> Rows);
