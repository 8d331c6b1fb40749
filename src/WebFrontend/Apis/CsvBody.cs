using System.Globalization;
using System.Text;
using CaseGrains.WebFrontend.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>A <c>text/csv</c> request body (the catalog and beneficiary imports), with its own size limit above the API's 64 KiB.</summary>
internal static class CsvBody
{
    /// <summary>The body as text, or the problem to answer (wrong media type, too large).</summary>
    public static async Task<(string? Csv, IResult? Problem)> ReadAsync(HttpContext http, long maxBytes)
    {
        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ProblemResults.Bad(http, "request.unsupported_media_type", "Isi permintaan harus text/csv.", "The request body must be text/csv."));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        try
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            return (await reader.ReadToEndAsync(http.RequestAborted), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var mib = (maxBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);
            return (null, ProblemResults.Bad(http, "request.too_large", $"Berkas CSV terlalu besar (maks. {mib} MiB).", $"The CSV file is too large (at most {mib} MiB)."));
        }
    }
}
