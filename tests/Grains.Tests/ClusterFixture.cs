using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace CaseGrains.Grains.Tests;

/// <summary>One in-process silo per test collection over a real SQLite file in a temp folder; each test uses fresh keys.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private int _nikSequence;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "casegrains-grain-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The journey's clock (event times). Orleans keeps its own.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 3, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The silo's directory cache, in addresses.</summary>
    public const int DirectoryCacheSize = 8;

    public string ConnectionString => new CaseGrainsOptions { DataDirectory = DataDirectory }.SqliteConnectionString;

    public static Actor Caseworker { get; } = new("cw-test", Role.Caseworker, ["35.79"]);

    public static Actor Admin { get; } = new("admin-test", Role.Admin, []);

    public static Actor Supervisor { get; } = new("sv-test", Role.Supervisor, ["35.79"]);

    /// <summary>Creates (or updates) an account; returns its actor.</summary>
    public async Task<Actor> UserAsync(string userId, Role role, params string[] regions)
    {
        var outcome = await Grains.GetGrain<IUserGrain>(userId).Upsert(
            new UpsertUserRequest { DisplayName = userId, Role = role, Regions = regions, Password = "correct horse battery" }, Admin);
        Assert.Null(outcome.Refusal);
        return new Actor(userId, role, regions);
    }

    /// <summary>A new catalog offer reaching Kota Batu for every segment (a fresh id per call); returns its id.</summary>
    public async Task<string> OfferAsync(Domain.Services.OfferType type, int capacity = 30, int? threshold = null, string category = "Pemasaran Digital")
    {
        var id = "offer-" + Guid.NewGuid().ToString("N")[..12];
        var offer = new Domain.Services.Offer
        {
            Id = id,
            Name = $"{category} ({id})",
            Type = type,
            Category = category,
            Provider = "Dinas Koperasi Kota Batu",
            Level = Domain.Services.OfferLevel.KabKota,
            Segments = Enum.GetValues<Segment>(),
            Regions = ["35.79"],
            Period = new(new DateOnly(2026, 1, 1), new DateOnly(2030, 12, 31)),
            Capacity = capacity,
            AttendanceThresholdPercent = threshold,
            Financing = type == Domain.Services.OfferType.FinancingProduct
                ? new Domain.Services.FinancingTerms(1_000_000, 50_000_000, [Domain.Business.UmkmClass.Micro, Domain.Business.UmkmClass.Small])
                : null,
        };
        var saved = await Grains.GetGrain<IOfferGrain>(id).Save(offer, Admin);
        return saved.Refusal is null ? id : throw new InvalidOperationException($"Test offer refused: {saved.Refusal.Code}");
    }

    public async Task InitializeAsync()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CaseGrains:DataDirectory"] = DataDirectory,
                // A directory cache far smaller than the grains the tests activate: every test also runs with addresses
                // leaving the cache (DirectoryCacheTests).
                ["CaseGrains:DirectoryCacheSize"] = DirectoryCacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(ProviderNames.Clock, Clock);
            silo.AddCaseGrainsServices(config);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>A valid, unused Kota Batu NIK (kecamatan Batu, born 1 Jan 1990, sequence from a counter).</summary>
    public string NextNik(bool female = false) =>
        $"357901{(female ? 41 : 1):D2}0190{Interlocked.Increment(ref _nikSequence):D4}";

    /// <summary>Opens a case through intake and returns its grain.</summary>
    public async Task<ICaseGrain> OpenCaseAsync(bool consent = true, string? nik = null, Segment segment = Segment.Umkm)
    {
        var outcome = await Grains.GetGrain<IIntakeGrain>(0).Open(new IntakeRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            Nik = nik ?? NextNik(),
            FullName = "Penerima Uji",
            RegionCode = "35.79.01",
            Segment = segment,
            ConsentGiven = consent,
        }, Caseworker);
        Assert.True(outcome.Accepted, outcome.Refusal?.Code);
        return Grains.GetGrain<ICaseGrain>(outcome.CaseNumber);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>Command shorthands for tests.</summary>
public static class Cmd
{
    public static string NewId() => Guid.NewGuid().ToString();

    public static StageCommandRequest Stage(Stage stage, StageAction action, string? reason = null, string? id = null, int? expectedVersion = null) =>
        new() { Stage = stage, Action = action, Reason = reason, CommandId = id ?? NewId(), ExpectedVersion = expectedVersion };

    public static RecordConsentRequest Consent(string? id = null) => new() { Method = "signed form", CommandId = id ?? NewId() };

    public static RecordAssessmentRequest Assessment(long turnover = 600_000_000, long capital = 150_000_000) => new()
    {
        CommandId = NewId(), Sector = "Kuliner", AnnualTurnoverIdr = turnover, BusinessCapitalIdr = capital, Workers = 3, Needs = ["pemasaran digital"],
    };
}
