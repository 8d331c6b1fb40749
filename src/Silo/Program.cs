using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using CaseGrains.Silo;

// `CaseGrains.Silo migrate` applies the schema (idempotent) and exits; with no command it runs a silo.
if (args.Length > 0 && args[0] == "migrate")
{
    return await MigrateAsync(args[1..]);
}

// `backup --to DIR` / `restore --from DIR` (docs/operations.md): pg_dump / pg_restore in Cluster mode.
if (BackupCommand.Handles(args))
{
    return await BackupCommand.RunAsync(args, CommandConfiguration(args[1..]), Console.Out, Console.Error);
}

// `anchors export --to FILE` / `anchors verify --from FILE` (docs/operations.md): the chain checkpoints for the auditor.
if (AnchorsCommand.Handles(args))
{
    return await AnchorsCommand.RunAsync(args, CommandConfiguration([.. args.Skip(2)]), Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
var settings = CaseGrainsSilo.ReadSettings(builder.Configuration);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Health endpoints only; set --urls (or ASPNETCORE_URLS) to bind a specific address.
    builder.WebHost.UseUrls($"http://*:{settings.HealthPort}");
}

builder.UseOrleans(silo => silo.AddCaseGrains(builder.Configuration));
builder.AddCaseGrainsLogging();
builder.AddCaseGrainsTelemetry("casegrains-silo");
builder.Services.AddHealthChecks().AddCheck<SiloReadyCheck>("silo", tags: ["ready"]);
// SIGTERM (docker stop, a Kubernetes rollout) stops the host: the silo hands its grains over and marks itself dead in
// the membership table, so the others need not detect a failure. Leave it time to do so.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));

var app = builder.Build();
app.MapHealthChecks(HealthPaths.Live, new() { Predicate = _ => false });
app.MapHealthChecks(HealthPaths.Ready, new() { Predicate = c => c.Tags.Contains("ready") });
app.MapScrapeEndpoint();
await app.RunAsync();
return 0;

static IConfiguration CommandConfiguration(string[] args) => new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();

static async Task<int> MigrateAsync(string[] args)
{
    var configuration = CommandConfiguration(args);
    // Only what the schema needs is checked here (a migrate job holds no application secrets).
    if (configuration[$"{CaseGrainsOptions.Section}:Mode"] == Modes.Cluster)
    {
        var connectionString = configuration[CaseGrainsSilo.ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync($"{CaseGrainsSilo.ConnectionStringKey} must be set in {Modes.Cluster} mode (a PostgreSQL connection string).");
            return 2;
        }

        var applied = await PostgresSchema.ApplyAsync(connectionString);
        Console.WriteLine(applied.Count == 0
            ? $"PostgreSQL schema is up to date (version {PostgresSchema.LatestVersion})."
            : $"PostgreSQL schema migrated: applied {string.Join(", ", applied)}; now at version {PostgresSchema.LatestVersion}.");
    }
    else
    {
        var settings = configuration.GetSection(CaseGrainsOptions.Section).Get<CaseGrainsOptions>() ?? new CaseGrainsOptions();
        Directory.CreateDirectory(Path.GetDirectoryName(settings.DatabasePath)!);
        var applied = SqliteSchema.Apply(settings.SqliteConnectionString);
        Console.WriteLine(applied.Count == 0
            ? $"SQLite schema at {settings.DatabasePath} is up to date (version {SqliteSchema.LatestVersion})."
            : $"SQLite schema at {settings.DatabasePath} migrated: applied {string.Join(", ", applied)}.");
    }

    return 0;
}
