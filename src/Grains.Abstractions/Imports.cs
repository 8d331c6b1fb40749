namespace CaseGrains.Grains.Abstractions;

/// <summary>
/// A bulk import of beneficiaries from CSV (issue 8): one grain per import, keyed by its id. The frontend reads the file
/// as it arrives and hands the rows over in batches; once the whole file has been read (and found to be UTF-8 CSV) the
/// rows are processed in the background. Each row is one intake (or, for a person with an open case, a consent update),
/// with a command id derived from the row, so re-running a file repeats nothing. Progress goes to the importing user's
/// live feed.
/// </summary>
[Alias("cg.IBeneficiaryImportGrain")]
public interface IBeneficiaryImportGrain : IGrainWithStringKey
{
    /// <summary>Checks the caller and the file's header; null when the rows may follow.</summary>
    [Alias("Begin")]
    Task<RefusalInfo?> Begin(IReadOnlyList<string> header, Actor actor);

    /// <summary>Takes the next rows of the file (kept in memory only); a refusal (too many rows) ends the import unstarted.</summary>
    [Alias("Add")]
    Task<RefusalInfo?> Add(IReadOnlyList<CsvRecord> rows);

    /// <summary>The whole file has arrived: starts processing the rows in the background.</summary>
    [Alias("StartReceived")]
    Task<ImportStart> Start();

    /// <summary>The file will not be completed (unreadable, too large, the upload broke off): drops what was received.</summary>
    [Alias("Discard")]
    Task Discard();

    /// <summary>The report so far (to the importing user only; null for anyone else or an unknown import).</summary>
    [Alias("GetReport"), ResponseTimeout("00:01:00")]
    Task<ImportReport?> GetReport(Actor caller);

    /// <summary>Processes the next rows (the grain calls itself, one-way, until done).</summary>
    [Alias("Continue"), Orleans.Concurrency.OneWay]
    Task Continue();
}

/// <summary>One page of an import's report (a thousand rows), stored apart so a long report is never rewritten whole.</summary>
[Alias("cg.IImportReportPageGrain")]
public interface IImportReportPageGrain : IGrainWithStringKey
{
    [Alias("Write")]
    Task Write(IReadOnlyList<ImportRow> rows);

    [Alias("Read")]
    Task<IReadOnlyList<ImportRow>> Read();
}

/// <summary>One record of a CSV file as read: the line it starts on (the header is line 1) and its fields, untrimmed.</summary>
[GenerateSerializer, Immutable, Alias("cg.CsvRecord")]
public sealed record CsvRecord([property: Id(0)] int Line, [property: Id(1)] IReadOnlyList<string> Fields);

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
