using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace CaseGrains.WebFrontend.Apis;

/// <summary>A <c>text/csv</c> request body (the catalog and beneficiary imports), with its own size limit above the API's 64 KiB.</summary>
internal static class CsvBody
{
    /// <summary>
    /// The body's CSV, read as it arrives (its header read), or the problem to answer: wrong media type, too large, not
    /// UTF-8, unreadable. A problem found further on comes from <see cref="CsvRecords.ReadAsync"/>.
    /// </summary>
    public static async Task<(CsvRecords? Csv, IResult? Problem)> OpenAsync(HttpContext http, long maxBytes)
    {
        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ProblemResults.Bad(http, "request.unsupported_media_type", "Isi permintaan harus text/csv.", "The request body must be text/csv."));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        var opened = await CsvRecords.OpenAsync(http.Request.BodyReader, maxBytes, http.RequestAborted);
        return opened.IsRefused ? (null, ProblemResults.From(http, RefusalInfo.From(opened.Refusal!))) : (opened.Value, null);
    }
}
