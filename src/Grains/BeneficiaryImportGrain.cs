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

/// <summary>What an import keeps in grain storage: who ran it, how many rows, and the row report (masked NIKs only).</summary>
[GenerateSerializer, Alias("cg.ImportState")]
public sealed class ImportState
{
    [Id(0)] public string? OwnerId { get; set; }
    [Id(1)] public int Total { get; set; }
    [Id(2)] public List<ImportRow> Report { get; set; } = [];
    [Id(3)] public bool Done { get; set; }
}

/// <summary>
/// One bulk import of beneficiaries (docs/imports.md has the format; samples/beneficiaries-kota-batu.csv an example).
/// The report (row results, masked NIKs, case links) is in grain storage and survives restarts; the parsed rows with
/// their clear NIKs live in this activation's memory only (never stored or logged). A restart therefore ends an import
/// part-way: its report says how far it got (not done, nothing in progress), and running the file again finishes it
/// without repeating anything, because each row's command id is derived from the row (through the NIK's keyed hash, so
/// an id does not give the NIK away).
/// </summary>
public sealed class BeneficiaryImportGrain(
    NikHasher hasher,
    LocalFeed feed,
    [PersistentState("import", ProviderNames.GrainState)] IPersistentState<ImportState> state) : Grain, IBeneficiaryImportGrain
{
    public const int MaxRows = 10_000;
    public const int RowsPerStep = 25;

    public static readonly string[] Columns = ["nik", "full_name", "region_code", "segment", "consent", "nib"];

    private Actor? _owner;
    private List<(int Line, IntakeRequest? Request, Refusal? Problem)> _rows = [];

    private List<ImportRow> Report => state.State.Report;

    private bool Done => state.State.Done;

    private string ImportId => this.GetPrimaryKeyString();

    public async Task<ImportStart> Start(string csv, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (state.State.OwnerId is not null)
        {
            return new ImportStart(ImportId, 0, RefusalInfo.From(new Refusal("import.already_started", "Impor ini sudah berjalan.", "This import has already started.")));
        }

        if (!AccessPolicy.MayIssue(actor.Role, CommandKind.Intake))
        {
            return new ImportStart(ImportId, 0, RefusalInfo.From(Refusals.Forbidden()));
        }

        var records = Csv.Records(csv ?? "").ToList();
        var header = records.Count == 0 ? [] : records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = Columns.Where(c => c != "nib" && !header.Contains(c)).ToList();
        var unknown = header.Where(h => !Columns.Contains(h)).ToList();
        if (records.Count == 0 || missing.Count > 0 || unknown.Count > 0 || header.Distinct().Count() != header.Count)
        {
            var what = string.Join(", ", missing.Select(m => "missing " + m).Concat(unknown.Select(u => "unknown " + u)));
            return new ImportStart(ImportId, 0, RefusalInfo.From(new Refusal("import.bad_header",
                $"Baris judul CSV tidak sesuai format ({what}).", $"The CSV header does not match the format ({what}).")
            {
                Details = new Dictionary<string, string> { ["expected"] = string.Join(",", Columns) },
            }));
        }

        var rows = records.Skip(1).Where(r => !r.Fields.All(string.IsNullOrWhiteSpace)).ToList();
        if (rows.Count is 0 or > MaxRows)
        {
            return new ImportStart(ImportId, 0, RefusalInfo.From(Refusals.OutOfRange("rows", $"1..{MaxRows}")));
        }

        _owner = actor;
        _rows = [.. rows.Select(r => Parse(r.Line, header, r.Fields))];
        state.State.OwnerId = actor.Id;
        state.State.Total = _rows.Count;
        await state.WriteStateAsync();
        _ = this.AsReference<IBeneficiaryImportGrain>().Continue();
        return new ImportStart(ImportId, _rows.Count, null);
    }

    public Task<ImportReport?> GetReport(Actor caller) =>
        Task.FromResult(state.State.OwnerId is { } owner && caller?.Id == owner ? new ImportReport(Progress(), [.. Report]) : null);

    public async Task Continue()
    {
        if (_owner is not { } owner || Done)
        {
            return;
        }

        foreach (var (line, request, problem) in _rows.Skip(Report.Count).Take(RowsPerStep).ToList())
        {
            try
            {
                Report.Add(request is null ? new ImportRow(line, null, ImportResult.Rejected, null, RefusalInfo.From(problem!)) : await ImportAsync(line, request, owner));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failure of the platform (not of the row): reported, and the next rows go on; re-running the file retries it.
                Report.Add(new ImportRow(line, request is null ? null : Nik.Mask(request.Nik!), ImportResult.Rejected, null, RefusalInfo.From(new Refusal(
                    "import.row_failed", "Baris ini gagal diproses karena gangguan sistem; jalankan ulang impor (aman diulang).",
                    "This row could not be processed (a platform failure); run the import again (safe to repeat)."))));
            }
        }

        state.State.Done = Report.Count == _rows.Count;
        await state.WriteStateAsync();
        if (Done)
        {
            // The clear NIKs are not kept once every row is done.
            _rows = [.. _rows.Select(r => (r.Line, (IntakeRequest?)null, r.Problem))];
        }

        await feed.Publish(new FeedItem(owner.Id, "", null, AccessEnded: false, Import: Progress()));
        if (!Done)
        {
            _ = this.AsReference<IBeneficiaryImportGrain>().Continue();
        }
    }

    private async Task<ImportRow> ImportAsync(int line, IntakeRequest request, Actor owner)
    {
        var masked = Nik.Mask(request.Nik!);
        var outcome = await GrainFactory.GetGrain<IIntakeGrain>(0).Open(request, owner);
        if (outcome.Accepted)
        {
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

    private (int, IntakeRequest?, Refusal?) Parse(int line, List<string> header, List<string> fields)
    {
        if (fields.Count != header.Count)
        {
            return (line, null, new Refusal("import.column_count", $"Baris berisi {fields.Count} kolom; judul berisi {header.Count}.",
                $"The row has {fields.Count} columns; the header has {header.Count}."));
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

    private ImportProgress Progress() => new(ImportId, state.State.Total, Report.Count,
        Report.Count(r => r.Result == ImportResult.Created), Report.Count(r => r.Result is ImportResult.Unchanged or ImportResult.Existing),
        Report.Count(r => r.Result == ImportResult.ConsentRecorded), Report.Count(r => r.Result == ImportResult.Rejected), Done);
}
