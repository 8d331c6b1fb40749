using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// The platform's own meters and spans (meter and activity source <c>CaseGrains</c>), beside what ASP.NET Core, the
/// HTTP client, the .NET runtime, Npgsql and Orleans publish. Names follow OpenTelemetry's conventions; the Prometheus
/// scrape renders <c>casegrains.commands.accepted</c> as <c>casegrains_commands_accepted_total</c>. No instrument and
/// no span carries a name, a NIK or any other personal field: case numbers, event types, refusal codes only.
/// </summary>
public static class CaseGrainsTelemetry
{
    public const string Name = "CaseGrains";

    /// <summary>Orleans' own meter (activations by grain type: <c>orleans-grains</c>, messaging, storage, …).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary><c>CaseGrains:Metrics:ScrapeToken</c>: the bearer token Prometheus sends to <see cref="ScrapePath"/>.</summary>
    public const string ScrapeTokenKey = "CaseGrains:Metrics:ScrapeToken";

    public const string ScrapePath = "/metrics";

    /// <summary>A token shorter than this is refused at start-up (it guards the whole platform's figures).</summary>
    public const int MinScrapeTokenLength = 32;

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Accepted commands, by the event type they appended.</summary>
    public static readonly Counter<long> CommandsAccepted = Meter.CreateCounter<long>("casegrains.commands.accepted", "{command}",
        "Commands that appended an event, by event type");

    /// <summary>Refused commands, by refusal code (<c>stage.gate_unmet</c>, <c>version.stale</c>, …).</summary>
    public static readonly Counter<long> CommandsRefused = Meter.CreateCounter<long>("casegrains.commands.refused", "{command}",
        "Commands refused by the rules, by refusal code");

    /// <summary>Time from handing an event to the store until it is durable (the group commit included).</summary>
    public static readonly Histogram<double> AppendDuration = Meter.CreateHistogram<double>("casegrains.append.duration", "ms",
        "Time to make one event durable, group commit included");

    /// <summary>How many requests went to the database in one round trip and one commit, by group (appends, audits, loads, deadlines).</summary>
    public static readonly Histogram<int> GroupSize = Meter.CreateHistogram<int>("casegrains.store.group.size", "{request}",
        "Requests written in one database round trip and commit");

    /// <summary>From the event's acknowledgement (its time) to its push to a connected client.</summary>
    public static readonly Histogram<double> PushLag = Meter.CreateHistogram<double>("casegrains.push.lag", "ms",
        "From a command's acknowledgement to the push of its event to a client");

    /// <summary>Connected live clients, by hub (cases, dashboard).</summary>
    public static readonly UpDownCounter<long> ConnectedClients = Meter.CreateUpDownCounter<long>("casegrains.clients.connected", "{connection}",
        "Live connections open on this frontend");

    /// <summary>Rows of beneficiary imports processed, by result (Created, Duplicate, Invalid, …); its rate is rows per second.</summary>
    public static readonly Counter<long> ImportRows = Meter.CreateCounter<long>("casegrains.import.rows", "{row}",
        "Import rows processed, by result");

    /// <summary>Calls a cluster client sent once more because their first attempt was interrupted, by method and failure.</summary>
    public static readonly Counter<long> CallsResent = Meter.CreateCounter<long>("casegrains.calls.resent", "{call}",
        "Commands sent once more after an interrupted attempt, by method and failure");

    private static readonly double[] GroupSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    /// <summary>
    /// Metrics and traces for a silo or a frontend. OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (every
    /// standard <c>OTEL_*</c> variable applies: protocol, headers, service name, sampler); the Prometheus scrape when
    /// <see cref="ScrapeTokenKey"/> is set (see <see cref="MapScrapeEndpoint"/>).
    /// </summary>
    public static void AddCaseGrainsTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var scrape = ScrapeToken(configuration) is not null;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } named ? named : serviceName,
                serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithMetrics(m =>
            {
                m.AddMeter(Name, OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView(GroupSize.Name, new ExplicitBucketHistogramConfiguration { Boundaries = GroupSizeBuckets });
                if (scrape)
                {
                    m.AddPrometheusExporter();
                }
            })
            .WithTracing(t =>
            {
                t.AddSource(Name, Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName,
                        Orleans.Diagnostics.ActivitySources.LifecycleActivitySourceName)
                    // Probes and scrapes are not traced: they would drown the requests people make.
                    .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                        !http.Request.Path.StartsWithSegments(HealthPaths.Root) && !http.Request.Path.StartsWithSegments(ScrapePath))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (!otlp)
                {
                    // With nowhere to send spans, none is recorded: each still exists (PropagationData), so trace ids
                    // flow through the grain calls into every log line, but no span gathers tags for nothing. With OTLP
                    // the standard OTEL_TRACES_SAMPLER applies.
                    t.SetSampler(new AlwaysOffSampler());
                }
            });
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format, answered only to <c>Authorization: Bearer</c> with the configured
    /// token (compared in constant time), else 401 and nothing about the platform. Not mapped at all without a token:
    /// the figures (cases per region, refusals, users connected) are not for anonymous eyes on a public port.
    /// </summary>
    public static void MapScrapeEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (ScrapeToken(app.Configuration) is not { } token)
        {
            return;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        app.MapPrometheusScrapingEndpoint(ScrapePath)
            .AddEndpointFilter(async (context, next) =>
            {
                var header = context.HttpContext.Request.Headers.Authorization.ToString();
                var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : "";
                if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
                {
                    context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
                    return Results.StatusCode(StatusCodes.Status401Unauthorized);
                }

                return await next(context);
            })
            .WithMetadata(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
    }

    /// <summary>The configured scrape token, or null; a short one fails start-up naming its key.</summary>
    public static string? ScrapeToken(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var token = configuration[ScrapeTokenKey];
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        return token.Trim().Length >= MinScrapeTokenLength ? token.Trim()
            : throw new InvalidOperationException($"{ScrapeTokenKey} must be at least {MinScrapeTokenLength} characters (for example: openssl rand -hex 32).");
    }
}

/// <summary>
/// Samples the consequences' backlog (cases behind, held-up, parked, the oldest) every <see cref="Period"/> for the
/// gauges; the database is read here, never inside a scrape. In a cluster every silo reports the same figures (they
/// are the database's): take the maximum, not the sum.
/// </summary>
internal sealed partial class BacklogGauges(IOperationsStore store, [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock,
    IMeterFactory meters, ILogger<BacklogGauges> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    private ConsequenceBacklog? _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A meter of this host's container (disposed with it), so two hosts in one process never report each other's.
        var meter = meters.Create(CaseGrainsTelemetry.Name);
        meter.CreateObservableGauge("casegrains.consequences.cases_behind", () => _last?.CasesBehind ?? 0, "{case}",
            "Cases whose consequences are behind their timeline");
        meter.CreateObservableGauge("casegrains.consequences.failing", () => _last?.Failing ?? 0, "{consequence}",
            "Held-up consequences being retried");
        meter.CreateObservableGauge("casegrains.consequences.parked", () => _last?.Parked ?? 0, "{consequence}",
            "Held-up consequences parked for an operator");
        meter.CreateObservableGauge("casegrains.consequences.oldest_age", () => _last?.OldestFailureSeconds ?? 0, "s",
            "Age of the oldest held-up consequence");
        using var timer = new PeriodicTimer(Period, clock);
        do
        {
            try
            {
                _last = await store.ReadConsequenceBacklogAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
            {
                LogSampleFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The consequences' backlog could not be read for the gauges")]
    private partial void LogSampleFailed(Exception exception);
}

/// <summary>
/// How a host writes its logs: <c>CaseGrains:LogFormat</c> = <c>Json</c> (one JSON object per line, UTC timestamps, with
/// the scopes as fields: <c>TraceId</c>, <c>SpanId</c>, <c>UserId</c>, <c>CaseNumber</c>, <c>CommandId</c>) or
/// <c>Text</c> (readable lines). Empty: Json in Cluster mode (a log shipper reads it), Text on the embedded default (a
/// person reads it). Messages carry case numbers and account ids, never a NIK, a name or any other personal field.
/// </summary>
public static class CaseGrainsLogging
{
    public const string FormatKey = "CaseGrains:LogFormat";

    private const string RequestLinesCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static bool IsJson(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration[FormatKey] switch
        {
            null or "" => configuration[$"{CaseGrainsOptions.Section}:Mode"] == Modes.Cluster,
            var v when v.Equals("Json", StringComparison.OrdinalIgnoreCase) => true,
            var v when v.Equals("Text", StringComparison.OrdinalIgnoreCase) => false,
            var v => throw new InvalidOperationException($"{FormatKey} must be Json or Text, not '{v}'."),
        };
    }

    public static void AddCaseGrainsLogging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // "Request starting GET /api/cases?q=…" would write what a caseworker searched for (a name, a NIK): requests
        // are told by their traces (the query redacted) and the endpoints' own entries, never by these lines.
        builder.Logging.AddFilter(RequestLinesCategory, LogLevel.Warning);
        if (IsJson(builder.Configuration))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    /// <summary>A scope whose pairs become fields of every entry written inside it (in Json).</summary>
    public static IDisposable? BeginFields(this ILogger logger, params KeyValuePair<string, object?>[] fields)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.BeginScope(fields);
    }
}

/// <summary>
/// The Orleans Dashboard (<see cref="CaseGrainsOptions.OrleansDashboard"/>): cluster, silos, grain types, calls and
/// reminders for admins. Grain state is refused (a case's state holds personal data that an admin's role may not read)
/// and log streaming is off.
/// </summary>
public static class OrleansDashboardPage
{
    public const string Path = "/admin/orleans";

    public static void Configure(Orleans.Dashboard.DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.HideTrace = true;
    }

    /// <summary>Maps the dashboard when enabled; <paramref name="policy"/> is the admins' authorization policy.</summary>
    public static void MapOrleansDashboardPage(this WebApplication app, string policy)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!CaseGrainsSilo.ReadSettings(app.Configuration).OrleansDashboard)
        {
            return;
        }

        Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, Path)
            .RequireAuthorization(policy)
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Request.Path.Value?.EndsWith("/GrainState", StringComparison.OrdinalIgnoreCase) == true
                    ? Results.StatusCode(StatusCodes.Status403Forbidden)
                    : await next(context));
    }
}
