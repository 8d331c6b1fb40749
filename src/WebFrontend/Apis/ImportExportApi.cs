using System.Globalization;
using System.Text;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Problems;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>Bulk import of beneficiaries from CSV (progress live on the hub) and export of the case list as CSV (issue 8).</summary>
public static class ImportExportApi
{
    /// <summary>The largest beneficiary CSV accepted: room for the 200,000 rows the import grain takes (about 100 bytes a row).</summary>
    public const long MaxImportBytes = 64 * 1024 * 1024;

    /// <summary>Rows per call to the import grain while the file arrives (the frontend holds no more than this of it).</summary>
    public const int RowsPerBatch = 500;

    /// <summary>The most rows an export returns (a larger list needs a narrower filter).</summary>
    public const int MaxExportRows = 50_000;

    public static void MapImportExportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/cases/import", Import).RequireAuthorization(Policies.Intake).WithTags("Cases").WithName("ImportBeneficiaries")
            .WithSummary("Import beneficiaries from CSV (text/csv): 202 with the import id; progress on the hub (ImportProgress), report at /api/imports/{id}.")
            .Produces(StatusCodes.Status202Accepted);
        app.MapGet("/api/imports/{importId}", Report).RequireAuthorization(Policies.Intake).WithTags("Cases").WithName("ImportReport")
            .WithSummary("The report of one's own import, row by row.");
        app.MapGet("/api/cases/export", Export).RequireAuthorization(Policies.CaseWork).WithTags("Cases").WithName("ExportCases")
            .WithSummary("The filtered case list of the caller's scope as CSV (NIK masked; each listed case's access log records it).");
    }

    private static async Task<IResult> Import(HttpContext http, IGrainFactory grains, CurrentActor actor)
    {
        var (opened, problem) = await CsvBody.OpenAsync(http, MaxImportBytes);
        if (problem is not null)
        {
            return problem;
        }

        await using var csv = opened!;
        var id = Guid.NewGuid().ToString("N");
        var import = grains.GetGrain<IBeneficiaryImportGrain>(id);
        if (await import.Begin(csv.Header, actor.For(http)) is { } refused)
        {
            return ProblemResults.From(http, refused);
        }

        // The rows go to the grain in batches as the file arrives; nothing is processed before the whole file has been
        // read, so a file refused part-way (not UTF-8, too large, too many rows) changes nothing.
        var handedOver = false;
        try
        {
            while (true)
            {
                var batch = await csv.ReadAsync(RowsPerBatch, http.RequestAborted);
                if (batch.IsRefused)
                {
                    return ProblemResults.From(http, RefusalInfo.From(batch.Refusal!));
                }

                if (batch.Value.Count == 0)
                {
                    break;
                }

                if (await import.Add(batch.Value) is { } tooMany)
                {
                    return ProblemResults.From(http, tooMany);
                }
            }

            handedOver = true;
            var started = await import.Start();
            return started.Refusal is { } refusal ? ProblemResults.From(http, refusal) : Results.Accepted($"/api/imports/{id}", started);
        }
        finally
        {
            if (!handedOver)
            {
                await import.Discard();
            }
        }
    }

    private static async Task<IResult> Report(HttpContext http, string importId, IGrainFactory grains, CurrentActor actor) =>
        importId.Length == 32 && importId.All(char.IsAsciiHexDigitLower)
        && await grains.GetGrain<IBeneficiaryImportGrain>(importId).GetReport(actor.For(http)) is { } report
            ? Results.Ok(report)
            : ProblemResults.Bad(http, "import.not_found", "Impor tidak ditemukan.", "No such import.");

    private static async Task<IResult> Export(HttpContext http, IGrainFactory grains, CurrentActor actor, string? region, string? stage, string? segment, string? status, string? q,
        string? mentor, bool? overdue, string? pending)
    {
        if (CaseApi.ListQuery(http, region, stage, segment, status, q, 1, CaseQuery.MaxPageSize, mentor, overdue, pending, out var filters) is { } bad)
        {
            return bad;
        }

        var caller = actor.For(http);
        var search = grains.GetGrain<ICaseSearchGrain>(0);
        var rows = new List<CaseSummary>();
        for (var page = 1; ; page++)
        {
            var result = await search.Search(filters with { Page = page }, caller);
            if (result is null)
            {
                return ProblemResults.From(http, RefusalInfo.From(Domain.Refusals.Forbidden()));
            }

            if (result.Total > MaxExportRows)
            {
                return ProblemResults.Bad(http, "export.too_many_rows", $"Lebih dari {MaxExportRows} kasus: persempit filter.",
                    $"More than {MaxExportRows} cases: narrow the filter.");
            }

            rows.AddRange(result.Items);
            if (rows.Count >= result.Total || result.Items.Count == 0)
            {
                break;
            }
        }

        http.Response.Headers.CacheControl = "no-store";
        return Results.Stream(async body =>
        {
            // UTF-8 with a BOM, so a spreadsheet reads the names' diacritics right.
            await using var csv = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024);
            await csv.WriteAsync("case_number,full_name,nik_masked,region_code,region_name,segment,gender,status,current_stage,current_stage_state,sla,mentor_id,opened_at,updated_at\n");
            foreach (var r in rows)
            {
                await csv.WriteAsync(string.Join(',', ((string[])[r.CaseNumber, r.FullName, r.NikMasked, r.RegionCode, RegionTable.Kemendagri.Find(r.RegionCode)?.Name ?? "",
                    r.Segment.ToString(), r.Gender.ToString(), r.Status.ToString(), r.CurrentStage.ToString(), r.CurrentStageState.ToString(), r.Sla.ToString(), r.MentorId ?? "",
                    r.OpenedAt.ToString("O", CultureInfo.InvariantCulture), r.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)]).Select(Cell)) + "\n");
            }
        }, "text/csv; charset=utf-8", $"kasus-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");
    }

    /// <summary>
    /// One CSV cell a spreadsheet reads as text (OWASP, CSV injection): a value starting with <c>=</c>, <c>+</c>,
    /// <c>-</c>, <c>@</c>, a tab or a carriage return is prefixed with <c>'</c> so it never runs as a formula; a value
    /// holding a comma, a quote or a line break is quoted, its quotes doubled.
    /// </summary>
    internal static string Cell(string value)
    {
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}
