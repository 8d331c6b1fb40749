using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Identity;

namespace CaseGrains.Grains;

/// <summary>
/// What an import keeps in grain storage: who ran it, how many rows, the counts, and the latest rows of the report
/// (masked NIKs only); each full page of a thousand rows goes to a page grain of its own, so a step writes at most a
/// page, however long the file.
/// </summary>
[GenerateSerializer, Alias("cg.ImportState")]
public sealed class ImportState
{
    [Id(0)] public string? OwnerId { get; set; }
    [Id(1)] public int Total { get; set; }

    /// <summary>The rows processed since the last full page (in a state stored before pages: every row).</summary>
    [Id(2)] public List<ImportRow> Report { get; set; } = [];
    [Id(3)] public bool Done { get; set; }

    /// <summary>Full pages in <see cref="IImportReportPageGrain"/>s, numbered from 0.</summary>
    [Id(4)] public int Pages { get; set; }
    [Id(5)] public int Processed { get; set; }
    [Id(6)] public int Created { get; set; }

    /// <summary>Unchanged or Existing rows (nothing new written).</summary>
    [Id(7)] public int Unchanged { get; set; }

    /// <summary>ConsentRecorded rows.</summary>
    [Id(8)] public int Updated { get; set; }
    [Id(9)] public int Rejected { get; set; }
}

/// <summary>One full page of an import's report.</summary>
[GenerateSerializer, Alias("cg.ImportPageState")]
public sealed class ImportPageState
{
    [Id(0)] public List<ImportRow> Rows { get; set; } = [];
}

/// <summary>A page of an import's report, written once when full (key: <c>{importId}/{page}</c>).</summary>
public sealed class ImportReportPageGrain(
    [PersistentState("importpage", ProviderNames.GrainState)] IPersistentState<ImportPageState> page) : Grain, IImportReportPageGrain
{
    public async Task Write(IReadOnlyList<ImportRow> rows)
    {
        page.State.Rows = [.. rows];
        await page.WriteStateAsync();
    }

    public Task<IReadOnlyList<ImportRow>> Read() => Task.FromResult<IReadOnlyList<ImportRow>>([.. page.State.Rows]);
}

/// <summary>
/// One bulk import of beneficiaries (docs/imports.md has the format; samples/beneficiaries-kota-batu.csv an example).
/// The frontend reads the upload as it arrives and hands the rows over in batches; they are processed only once the
/// whole file has arrived readable, so a file refused part-way (not UTF-8, too large, too many rows) changes nothing.
/// The report (row results, masked NIKs, case links) is in grain storage and survives restarts; the rows with their
/// clear NIKs live in this activation's memory only (packed, about the file's size; never stored or logged) and each
/// batch is dropped once processed. A restart therefore ends an import part-way: its report says how far it got (not
/// done, nothing in progress), and running the file again finishes it without repeating anything, because each row's
/// command id is derived from the row (through the NIK's keyed hash, so an id does not give the NIK away).
/// </summary>
public sealed class BeneficiaryImportGrain(
    NikHasher hasher,
    LocalFeed feed,
    [PersistentState("import", ProviderNames.GrainState)] IPersistentState<ImportState> state) : Grain, IBeneficiaryImportGrain
{
    /// <summary>The most rows one file may hold (a province's intake at once; docs/imports.md).</summary>
    public const int MaxRows = 200_000;

    /// <summary>Rows processed between two progress reports.</summary>
    public const int RowsPerStep = 25;

    /// <summary>Rows per stored page of the report.</summary>
    public const int RowsPerPage = 1_000;

    public static readonly string[] Columns = ["nik", "full_name", "region_code", "segment", "consent", "nib"];

    private Actor? _owner;
    private List<string> _header = [];
    private ReceivedRows? _rows;

    private ImportState S => state.State;

    private bool Done => S.Done;

    private string ImportId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A report stored before pages and counts (every row in Report) is counted once here.
        if (S.Pages == 0 && S.Processed != S.Report.Count)
        {
            S.Processed = 0;
            (S.Created, S.Unchanged, S.Updated, S.Rejected) = (0, 0, 0, 0);
            foreach (var row in S.Report)
            {
                Count(row);
            }
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public Task<RefusalInfo?> Begin(IReadOnlyList<string> header, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(actor);
        if (S.OwnerId is not null || _rows is not null)
        {
            return Refused(new Refusal("import.already_started", "Impor ini sudah berjalan.", "This import has already started."));
        }

        if (!AccessPolicy.MayIssue(actor.Role, CommandKind.Intake))
        {
            return Refused(Refusals.Forbidden());
        }

        var columns = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = Columns.Where(c => c != "nib" && !columns.Contains(c)).ToList();
        var unknown = columns.Where(h => !Columns.Contains(h)).ToList();
        if (missing.Count > 0 || unknown.Count > 0 || columns.Distinct().Count() != columns.Count)
        {
            var what = string.Join(", ", missing.Select(m => "missing " + m).Concat(unknown.Select(u => "unknown " + u)));
            return Refused(new Refusal("import.bad_header",
                $"Baris judul CSV tidak sesuai format ({what}).", $"The CSV header does not match the format ({what}).")
            {
                Details = new Dictionary<string, string> { ["expected"] = string.Join(",", Columns) },
            });
        }

        _owner = actor;
        _header = columns;
        _rows = new ReceivedRows();
        return Task.FromResult<RefusalInfo?>(null);
    }

    public Task<RefusalInfo?> Add(IReadOnlyList<CsvRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (_rows is null || S.OwnerId is not null)
        {
            throw new InvalidOperationException("Rows arrived for an import that was not begun, or has started.");
        }

        if (_rows.Count + rows.Count > MaxRows)
        {
            Drop();
            return Refused(TooManyRows());
        }

        _rows.Add(rows);
        return Task.FromResult<RefusalInfo?>(null);
    }

    public async Task<ImportStart> Start()
    {
        if (_rows is null || _owner is null || S.OwnerId is not null)
        {
            throw new InvalidOperationException("An import was started that was not begun, or has started.");
        }

        if (_rows.Count == 0)
        {
            Drop();
            return new ImportStart(ImportId, 0, RefusalInfo.From(TooManyRows()));
        }

        S.OwnerId = _owner.Id;
        S.Total = _rows.Count;
        await state.WriteStateAsync();
        _ = this.AsReference<IBeneficiaryImportGrain>().Continue();
        return new ImportStart(ImportId, S.Total, null);
    }

    public Task Discard()
    {
        if (S.OwnerId is null)
        {
            Drop();
        }

        return Task.CompletedTask;
    }

    public async Task<ImportReport?> GetReport(Actor caller)
    {
        if (S.OwnerId is not { } owner || caller?.Id != owner)
        {
            return null;
        }

        var pages = await Task.WhenAll(Enumerable.Range(0, S.Pages).Select(p => Page(p).Read()));
        return new ImportReport(Progress(), [.. pages.SelectMany(p => p), .. S.Report]);
    }

    public async Task Continue()
    {
        if (_owner is not { } owner || _rows is null || Done)
        {
            return;
        }

        // One row at a time, in file order: on the embedded SQLite store concurrent intakes only wait on one another
        // (bench import: 83 rows/s one at a time, 47 with four at once, 20 with 25 and call timeouts), and a later row
        // may add consent to the case an earlier one opened.
        foreach (var (line, fields) in _rows.Range(S.Processed, RowsPerStep).ToList())
        {
            var row = await RowAsync(Parse(line, fields), owner);
            S.Report.Add(row);
            Count(row);
        }

        _rows.ReleaseBefore(S.Processed);
        S.Done = S.Processed == S.Total;
        if (S.Report.Count >= RowsPerPage)
        {
            await Page(S.Pages).Write(S.Report);
            S.Pages++;
            S.Report = [];
        }

        await state.WriteStateAsync();
        if (Done)
        {
            // The clear NIKs are not kept once every row is done.
            _rows = null;
        }

        await feed.Publish(new FeedItem(owner.Id, "", null, AccessEnded: false, Import: Progress()));
        if (!Done)
        {
            _ = this.AsReference<IBeneficiaryImportGrain>().Continue();
        }
    }

    private async Task<ImportRow> RowAsync((int Line, IntakeRequest? Request, Refusal? Problem) row, Actor owner)
    {
        var (line, request, problem) = row;
        if (request is null)
        {
            return new ImportRow(line, null, ImportResult.Rejected, null, RefusalInfo.From(problem!));
        }

        try
        {
            return await ImportAsync(line, request, owner);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failure of the platform (not of the row): reported, and the next rows go on; re-running the file retries it.
            return new ImportRow(line, Nik.Mask(request.Nik!), ImportResult.Rejected, null, RefusalInfo.From(new Refusal(
                "import.row_failed", "Baris ini gagal diproses karena gangguan sistem; jalankan ulang impor (aman diulang).",
                "This row could not be processed (a platform failure); run the import again (safe to repeat).")));
        }
    }

    private async Task<ImportRow> ImportAsync(int line, IntakeRequest request, Actor owner)
    {
        var masked = Nik.Mask(request.Nik!);
        var outcome = await GrainFactory.GetGrain<IIntakeGrain>(0).Open(request, owner);
        if (outcome.Accepted)
        {
            // Nobody waits on the person's case and registry entry now: they leave memory instead of holding ~8 KB a row
            // for the collection age (a 200,000-row import would otherwise hold about 1.5 GB of activations).
            await Task.WhenAll(GrainFactory.GetGrain<ICaseGrain>(outcome.CaseNumber).Rest(),
                GrainFactory.GetGrain<IBeneficiaryRegistryGrain>(RegistryKeys.For(hasher.Hash(request.Nik!))).Rest());
            return new ImportRow(line, masked, outcome.Replayed ? ImportResult.Unchanged : ImportResult.Created, outcome.CaseNumber, null);
        }

        if (outcome.Refusal is { Code: "case.duplicate" } duplicate && duplicate.Details.TryGetValue("existingCaseNumber", out var existing))
        {
            // Upsert by NIK: the open case takes what the row adds (consent); names and regions change on the case page only.
            var view = await GrainFactory.GetGrain<ICaseGrain>(existing).GetView(owner, "import");
            if (request.ConsentGiven == true && view is { ConsentRecorded: false })
            {
                var consent = await GrainFactory.GetGrain<ICaseGrain>(existing).Execute(
                    new RecordConsentRequest { CommandId = request.CommandId + "-consent", Method = "impor data (CSV)" }, owner);
                return consent.Accepted
                    ? new ImportRow(line, masked, ImportResult.ConsentRecorded, existing, null)
                    : new ImportRow(line, masked, ImportResult.Rejected, existing, consent.Refusal);
            }

            return new ImportRow(line, masked, ImportResult.Existing, existing, null);
        }

        return new ImportRow(line, masked, ImportResult.Rejected, null, outcome.Refusal);
    }

    private (int Line, IntakeRequest? Request, Refusal? Problem) Parse(int line, string[] fields)
    {
        var header = _header;
        if (fields.Length != header.Count)
        {
            return (line, null, new Refusal("import.column_count", $"Baris berisi {fields.Length} kolom; judul berisi {header.Count}.",
                $"The row has {fields.Length} columns; the header has {header.Count}."));
        }

        var cell = header.Select((h, i) => (h, v: fields[i].Trim())).ToDictionary(x => x.h, x => x.v);
        Segment? segment = Enum.GetNames<Segment>().FirstOrDefault(n => string.Equals(n, cell["segment"], StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<Segment>(name) : null;
        bool? consent = cell["consent"].ToLowerInvariant() switch
        {
            "ya" or "yes" or "true" or "1" => true,
            "tidak" or "no" or "false" or "0" => false,
            _ => null,
        };
        var bad = segment is null ? "segment" : consent is null ? "consent" : null;
        if (bad is not null)
        {
            return (line, null, new Refusal("import.bad_value", $"Nilai kolom '{bad}' tidak valid.", $"The value in column '{bad}' is not valid.") { Field = bad });
        }

        var nik = cell["nik"];
        var request = new IntakeRequest
        {
            Nik = nik,
            FullName = cell["full_name"],
            RegionCode = cell["region_code"],
            Segment = segment,
            ConsentGiven = consent,
            Nib = cell.GetValueOrDefault("nib") is { Length: > 0 } nib ? nib : null,
        };
        return (line, request with { CommandId = CommandIdFor(request) }, null);
    }

    /// <summary>The same row gives the same id (re-running a file repeats nothing); the NIK enters through its keyed hash only.</summary>
    private string CommandIdFor(IntakeRequest r)
    {
        var key = string.Join('\u001f', hasher.Hash(r.Nik ?? ""), r.FullName, r.RegionCode, r.Segment, r.ConsentGiven, r.Nib);
        return "import-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
    }

    private void Count(ImportRow row)
    {
        S.Processed++;
        Hosting.CaseGrainsTelemetry.ImportRows.Add(1, new KeyValuePair<string, object?>("result", row.Result.ToString()));
        switch (row.Result)
        {
            case ImportResult.Created:
                S.Created++;
                break;
            case ImportResult.Unchanged or ImportResult.Existing:
                S.Unchanged++;
                break;
            case ImportResult.ConsentRecorded:
                S.Updated++;
                break;
            default:
                S.Rejected++;
                break;
        }
    }

    private ImportProgress Progress() => new(ImportId, S.Total, S.Processed, S.Created, S.Unchanged, S.Updated, S.Rejected, Done);

    private IImportReportPageGrain Page(int page) => GrainFactory.GetGrain<IImportReportPageGrain>(
        string.Create(CultureInfo.InvariantCulture, $"{ImportId}/{page}"));

    private static Task<RefusalInfo?> Refused(Refusal refusal) => Task.FromResult<RefusalInfo?>(RefusalInfo.From(refusal));

    private static Refusal TooManyRows() => Refusals.OutOfRange("rows", $"1..{MaxRows}");

    /// <summary>Forgets a file that will not be processed (and this activation, whose key is not used again).</summary>
    private void Drop()
    {
        _rows = null;
        _owner = null;
        DeactivateOnIdle();
    }
}

/// <summary>
/// The rows of a file between their arrival and their processing, packed as UTF-8 (about the file's own size in memory)
/// and released batch by batch once processed. They hold clear NIKs: never stored, never logged.
/// </summary>
internal sealed class ReceivedRows
{
    private readonly List<Batch?> _batches = [];
    private readonly List<int> _firsts = [];

    public int Count { get; private set; }

    public void Add(IReadOnlyList<CsvRecord> records)
    {
        using var bytes = new MemoryStream();
        using var writer = new BinaryWriter(bytes, Encoding.UTF8);
        var lines = new int[records.Count];
        var starts = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            lines[i] = records[i].Line;
            starts[i] = (int)bytes.Position;
            writer.Write7BitEncodedInt(records[i].Fields.Count);
            foreach (var field in records[i].Fields)
            {
                writer.Write(field);
            }
        }

        writer.Flush();
        _batches.Add(new Batch(lines, starts, bytes.ToArray()));
        _firsts.Add(Count);
        Count += records.Count;
    }

    /// <summary>Up to <paramref name="count"/> rows from the <paramref name="from"/>th (0-based), in order.</summary>
    public IEnumerable<(int Line, string[] Fields)> Range(int from, int count)
    {
        var end = Math.Min(Count, from + count);
        for (var index = from; index < end; index++)
        {
            var b = _firsts.BinarySearch(index);
            b = b >= 0 ? b : ~b - 1;
            var batch = _batches[b] ?? throw new InvalidOperationException($"Row {index} was already released.");
            var i = index - _firsts[b];
            using var reader = new BinaryReader(new MemoryStream(batch.Bytes, batch.Starts[i], batch.Bytes.Length - batch.Starts[i], writable: false), Encoding.UTF8);
            var fields = new string[reader.Read7BitEncodedInt()];
            for (var f = 0; f < fields.Length; f++)
            {
                fields[f] = reader.ReadString();
            }

            yield return (batch.Lines[i], fields);
        }
    }

    /// <summary>Drops the batches whose rows all come before the <paramref name="index"/>th.</summary>
    public void ReleaseBefore(int index)
    {
        for (var b = 0; b < _batches.Count && _batches[b] is { } batch && _firsts[b] + batch.Lines.Length <= index; b++)
        {
            _batches[b] = null;
        }
    }

    private sealed record Batch(int[] Lines, int[] Starts, byte[] Bytes);
}
