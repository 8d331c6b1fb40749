using CaseGrains.Grains.Hosting;
using CaseGrains.WebFrontend.Apis;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Demo;
using CaseGrains.WebFrontend.Hubs;
using CaseGrains.WebFrontend.Realtime;
using CaseGrains.WebFrontend.Problems;
using CaseGrains.WebFrontend.Web;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

var builder = WebApplication.CreateBuilder(args);
// `backup --to DIR` / `restore --from DIR`: an online backup of this installation, or a restore into a new one (docs/operations.md).
if (BackupCommand.Handles(args))
{
    return await BackupCommand.RunAsync(args, builder.Configuration, Console.Out, Console.Error);
}

// `anchors export --to FILE` / `anchors verify --from FILE`: the chain checkpoints for the auditor (docs/operations.md).
if (AnchorsCommand.Handles(args))
{
    return await AnchorsCommand.RunAsync(args, builder.Configuration, Console.Out, Console.Error);
}

var seedDemo = args.Contains("--seed-demo", StringComparer.Ordinal);
// `reconcile [--apply]`: recompute caseloads, rosters, counters and notices from the timelines, print the drift, exit
// (1 when drift was found and not repaired). Embedded: with the app stopped (it co-hosts the one silo of the file).
var reconcile = args.Length > 0 && args[0] == "reconcile";
var adminIndex = Array.IndexOf(args, "--create-admin");
var createAdmin = adminIndex >= 0 && adminIndex + 1 < args.Length ? args[adminIndex + 1] : null;

// Embedded default: a silo co-hosted in this process, all state in one SQLite file (see README).
// CaseGrains:Frontend=Client: an Orleans client of separately run silos (src/Silo); several frontends can share them.
// Cluster mode: the silos (and this frontend's Data Protection keys) are on PostgreSQL; see docs/cluster.md.
var settings = CaseGrainsSilo.ReadSettings(builder.Configuration);
// Live subscriptions are renewed at once when the cluster changes under this frontend (see Realtime/ClusterChanges.cs).
var clusterChanges = new ClusterChanges();
builder.Services.AddSingleton(clusterChanges);
builder.Services.AddHostedService<MembershipWatcher>();
if (settings.EffectiveFrontend == FrontendHosting.Client)
{
    builder.UseOrleansClient(client => client.UseCaseGrainsCluster(settings, builder.Configuration)
        .AddClusterConnectionStatusObserver(clusterChanges));
    // Each request's account from a copy kept under a lease, not a grain call each time (AccountCache, docs/decisions.md).
    builder.Services.AddSingleton<AccountCache>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<AccountCache>());
    if (settings.IsCluster)
    {
        // Cookies issued by one frontend must open on every other: one key ring, in the cluster database.
        CaseGrainsSilo.UseSharedKeyRing(builder.Services, builder.Configuration[CaseGrainsSilo.ConnectionStringKey]!);
    }
}
else
{
    // A co-hosted silo in Cluster mode joins the cluster with its gateway closed (see CaseGrainsSilo.AddCaseGrains).
    builder.UseOrleans(silo => silo.AddCaseGrains(builder.Configuration, openGateway: false));
}

builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = WebLimits.MaxRequestBodyBytes);
if (reconcile)
{
    builder.WebHost.UseUrls("http://127.0.0.1:0"); // a command, not a server: no port of the app's is taken
}
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
// Strict reading (Web/StrictJson.cs): enums by exact name, numbers as numbers, each key once, no unknown field.
builder.Services.Configure<JsonOptions>(o =>
{
    StrictJson.Apply(o.SerializerOptions);
    o.SerializerOptions.MaxDepth = 16;
});
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
{
    // Every problem carries a stable code, including the framework's own (404 route, 405 method).
    if (!ctx.ProblemDetails.Extensions.ContainsKey("code"))
    {
        var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
        var (code, id, en) = HttpProblems.Describe(status);
        ctx.ProblemDetails.Extensions["code"] = code;
        ctx.ProblemDetails.Type = ProblemResults.TypePrefix + code;
        ctx.ProblemDetails.Title = ProblemResults.PrefersEnglish(ctx.HttpContext) ? en : id;
    }

    ctx.ProblemDetails.Extensions.Remove("exception");
    // A problem's status is the response's HTTP code, whoever wrote it.
    if (ctx.HttpContext.Response.StatusCode >= 400)
    {
        ctx.ProblemDetails.Status = ctx.HttpContext.Response.StatusCode;
    }
});
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddOpenApi(o => o.AddApiContract());
builder.Services.AddClientFiles();
builder.AddCaseGrainsAuth();
builder.Services.AddSingleton(TimeProvider.System);
builder.AddCaseGrainsLogging();
// Metrics and traces (OTLP by the OTEL_* variables, Prometheus at /metrics with a token): docs/operations.md.
builder.AddCaseGrainsTelemetry(settings.EffectiveFrontend == FrontendHosting.Client ? "casegrains-frontend" : "casegrains");
builder.Services.AddHealthChecks().AddCheck<ClusterReadyCheck>("cluster", tags: [HealthApi.ReadyTag]);
// Pings every 5 s; clients give up on a silent server after 15 s (ClientApp sets the same), so a dead server is noticed fast.
builder.Services.AddSignalR(o =>
    {
        o.MaximumReceiveMessageSize = 64 * 1024;
        o.KeepAliveInterval = TimeSpan.FromSeconds(5);
        o.ClientTimeoutInterval = TimeSpan.FromSeconds(15);
    })
    .AddJsonProtocol(o => StrictJson.Apply(o.PayloadSerializerOptions));
// The hubs read their arguments as the API reads bodies, and name an argument that does not read "request.malformed".
builder.Services.RemoveAll<IHubProtocol>();
builder.Services.AddSingleton<IHubProtocol, StrictJsonHubProtocol>();
builder.Services.AddSingleton<Microsoft.AspNetCore.SignalR.IUserIdProvider, SubjectUserIdProvider>();
builder.Services.AddSingleton<FeedRelay>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedRelay>());
builder.Services.AddSingleton<DashboardRelay>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<DashboardRelay>());
builder.Services.AddSingleton<DemoSeeder>();

var app = builder.Build();
// Resolve the relay now, so a bad live setting stops start-up naming its key.
app.Services.GetRequiredService<FeedRelay>();

// First: the real client address (listed proxies only) and the security headers of every answer, errors included.
app.UseCaseGrainsHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
// A control character in a path value is a 400 problem before anything reads it (Web/PathValues.cs).
app.UsePathValueCheck();
// The web UI (built from ClientApp into wwwroot): public files, compressed and cached (Web/ClientFiles.cs); everything it
// shows comes through the API and hub, whose answers are compressed too.
app.UseClientFiles();
app.UseCaseGrainsAuth();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapHealthApi();
app.MapScrapeEndpoint();
app.MapOrleansDashboardPage(Policies.Admin);
app.MapAuthApi();
app.MapUserApi();
app.MapCaseApi();
app.MapMentorApi();
app.MapCatalogApi();
app.MapDashboardApi();
app.MapImportExportApi();
app.MapProblemApi();
app.MapRegionApi();
app.MapOperationsApi();
app.MapPrivacyApi();
app.MapPartnerApi();
app.MapHub<CaseHub>(CaseHub.Path);
app.MapHub<DashboardHub>(DashboardHub.Path);

if (reconcile)
{
    await app.StartAsync();
    var report = await app.Services.GetRequiredService<IGrainFactory>().GetGrain<CaseGrains.Grains.Abstractions.IOperationsGrain>(0)
        .Reconcile(new CaseGrains.Grains.Abstractions.Actor("system:reconcile", CaseGrains.Domain.Access.Role.Admin, []), args.Contains("--apply", StringComparer.Ordinal));
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    await app.StopAsync();
    return report.Drift == 0 || report.Applied ? 0 : 1;
}

// One clear line when the app is up: where to open it, where its data is. A demo seed prints its accounts after it.
// With JSON logs (a log shipper reads the console) it is an entry like every other.
app.Lifetime.ApplicationStarted.Register(() =>
{
    var logger = app.Logger;
    if (CaseGrainsLogging.IsJson(app.Configuration) && logger.IsEnabled(LogLevel.Information))
    {
        logger.LogInformation("CaseGrains ready at {Urls}", string.Join(" ", app.Urls));
    }
    else
    {
        Console.WriteLine($"CaseGrains siap / ready: {string.Join(" ", app.Urls)}  (data: {Path.GetFullPath(settings.DataDirectory)}; Ctrl+C untuk berhenti / to stop)");
    }
});
if (seedDemo || createAdmin is not null)
{
    app.Lifetime.ApplicationStarted.Register(() => _ = SeedAsync(app.Services, seedDemo, createAdmin));
}

await app.RunAsync();
return 0;

static async Task SeedAsync(IServiceProvider services, bool demo, string? admin)
{
    try
    {
        var seeder = services.GetRequiredService<DemoSeeder>();
        if (admin is not null)
        {
            await seeder.CreateAdminAsync(admin.Trim().ToLowerInvariant());
        }

        if (demo)
        {
            await seeder.SeedAsync();
        }
    }
    catch (Exception ex) when (ex is not OutOfMemoryException)
    {
        services.GetRequiredService<ILoggerFactory>().CreateLogger("DemoSeed").LogError(ex, "Demo seed failed");
    }
}

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;

/// <summary>Request limits, in one place.</summary>
internal static class WebLimits
{
    public const long MaxRequestBodyBytes = 64 * 1024;
}
