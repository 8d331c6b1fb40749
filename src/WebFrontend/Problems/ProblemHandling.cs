using Microsoft.AspNetCore.Diagnostics;

namespace CaseGrains.WebFrontend.Problems;

/// <summary>
/// Everything that is not a refusal still answers problem+json with a stable code: malformed or oversized
/// bodies, unknown routes, and (without details) unexpected failures. Never a stack trace.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var english = ProblemResults.PrefersEnglish(httpContext);
        var (status, code, id, en) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (413, "request.too_large", "Isi permintaan terlalu besar.", "The request body is too large."),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
                (415, "request.unsupported_media_type", "Isi permintaan harus application/json.", "The request body must be application/json."),
            BadHttpRequestException bad =>
                (bad.StatusCode, "request.malformed", "Permintaan tidak dapat dibaca: " + Describe(bad).Indonesian, "The request could not be read: " + Describe(bad).English),
            _ when Unavailable(exception) =>
                (503, "server.unavailable", "Layanan sedang tidak dapat dijangkau; coba lagi sebentar lagi (perintah dengan ID yang sama aman diulang).",
                    "The service cannot be reached right now; try again shortly (a command sent again with the same id is safe)."),
            _ => (500, "server.error", "Terjadi kesalahan pada server.", "The server failed to process the request."),
        };
        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (status >= 500)
        {
            LogUnhandled(exception, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Type = ProblemResults.TypePrefix + code,
                Title = english ? en : id,
                Detail = english ? en : id,
                Extensions = { ["code"] = code },
            },
        };
        if (exception is BadHttpRequestException { InnerException: System.Text.Json.JsonException json } && Web.StrictJson.Field(json) is { } field)
        {
            context.ProblemDetails.Extensions["field"] = field;
        }

        return await problems.TryWriteAsync(context);
    }

    /// <summary>How long a client should wait before trying again after a 503 (a lost silo is replaced within seconds).</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>
    /// The cluster or its database could not be reached (a silo lost, a call timed out, the database down or busy): an
    /// outage, answered 503 so the client retries, never a 500. Anything else unexpected stays a 500.
    /// </summary>
    public static bool Unavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutException:
                case Orleans.Runtime.SiloUnavailableException:
                case Orleans.Runtime.OrleansMessageRejectionException:
                case Orleans.Runtime.GatewayTooBusyException:
                case System.Data.Common.DbException:
                case System.Net.Sockets.SocketException:
                case Grains.Abstractions.InjectedFaultException:
                    return true;
            }

            // The client's connection failures (no gateway reachable) are Orleans' own types, some of them internal.
            if (e.GetType().Namespace is "Orleans.Runtime.Messaging" or "Orleans.Networking.Shared")
            {
                return true;
            }
        }

        return false;
    }

    // Names the field at fault and what kind of fault, in each language, without echoing input or internal type names.
    private static (string Indonesian, string English) Describe(BadHttpRequestException ex) => ex.InnerException switch
    {
        System.Text.Json.JsonException json => Web.StrictJson.Describe(json),
        _ when ex.Message.Contains("no body was provided", StringComparison.Ordinal) => ("isi JSON wajib ada", "a JSON body is required"),
        _ => ("permintaan tidak sah", "invalid request"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Path}")]
    private partial void LogUnhandled(Exception ex, PathString path);
}
