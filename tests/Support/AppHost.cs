using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.TestSupport;

/// <summary>
/// The real app (co-hosted silo, SQLite file in a temp folder) on Kestrel at 127.0.0.1 with free ports.
/// Start it again over the same folder to test a restart.
/// </summary>
public sealed class AppHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "Clients are disposed with the host.")]
    private AppHost(string dataDirectory, IReadOnlyDictionary<string, string>? overrides, Microsoft.Extensions.Logging.ILoggerProvider? logs, int port,
        Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        _factory = new KestrelFactory(new Dictionary<string, string>
        {
            ["CaseGrains:DataDirectory"] = dataDirectory,
            // Apps of parallel test classes must never form one cluster; stable per folder so a restart matches.
            ["CaseGrains:ServiceId"] = "cg-test-" + Path.GetFileName(dataDirectory),
            ["CaseGrains:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CaseGrains:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["CaseGrains:Auth:JwtSigningKey"] = SigningKey,
            ["CaseGrains:Auth:RequestsPerMinute"] = "1000000",
            ["CaseGrains:Auth:SignInsPerMinute"] = "100000",
        }.Concat(overrides ?? new Dictionary<string, string>()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value), logs, port, services);
        _factory.StartServer();
        Anonymous = _factory.CreateClient();
        foreach (var (userId, role, regions) in Users)
        {
            // Only missing accounts: setting a password again would (rightly) end sessions of other hosts on the same cluster.
            if (Grains.GetGrain<IUserGrain>(userId).GetView().GetAwaiter().GetResult() is not null)
            {
                continue;
            }

            var outcome = Grains.GetGrain<IUserGrain>(userId).Upsert(
                new UpsertUserRequest { DisplayName = userId, Role = role, Regions = regions, Password = Password }, SystemAdmin).GetAwaiter().GetResult();
            Assert.Null(outcome.Refusal);
        }

        Client = ClientFor(Caseworker).GetAwaiter().GetResult();
    }

    /// <summary>The test's signing key (so a test can forge an expired token).</summary>
    public const string SigningKey = "dGVzdC1zaWduaW5nLWtleS1vZi0zMi1ieXRlcy0xMjM0NTY3OA==";

    public const string Password = "correct horse battery staple";

    public const string Caseworker = "petugas";
    public const string Supervisor = "supervisor";
    public const string Mentor = "pendamping";
    public const string Analyst = "analis";
    public const string Administrator = "admin";
    public const string PrivacyOfficer = "dpo";

    /// <summary>The accounts every test app has: Kota Batu staff, a mentor, the ministry, an admin.</summary>
    public static IReadOnlyList<(string UserId, Role Role, string[] Regions)> Users { get; } =
    [
        (Caseworker, Role.Caseworker, ["35.79"]),
        (Supervisor, Role.Supervisor, ["35.79"]),
        (Mentor, Role.Mentor, []),
        (Analyst, Role.MinistryAnalyst, []),
        (Administrator, Role.Admin, []),
        (PrivacyOfficer, Role.DataProtectionOfficer, []),
    ];

    private static readonly Actor SystemAdmin = new("system", Role.Admin, []);

    public string DataDirectory { get; }

    /// <summary>Signed in as the Kota Batu caseworker.</summary>
    public HttpClient Client { get; }

    /// <summary>Not signed in.</summary>
    public HttpClient Anonymous { get; }

    public IGrainFactory Grains => _factory.Services.GetRequiredService<IGrainFactory>();

    public Uri BaseAddress => Anonymous.BaseAddress!;

    /// <summary>A client holding a bearer token for <paramref name="userId"/>.</summary>
    public async Task<HttpClient> ClientFor(string userId, string password = Password)
    {
        var token = await TokenFor(userId, password);
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<string> TokenFor(string userId, string password = Password)
    {
        using var response = await Anonymous.PostAsJsonAsync("/api/auth/token", new { userId, password });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sign-in of {userId} failed: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates another account (through the grain, as an admin would).</summary>
    public async Task CreateUser(string userId, Role role, params string[] regions)
    {
        var outcome = await Grains.GetGrain<IUserGrain>(userId).Upsert(
            new UpsertUserRequest { DisplayName = userId, Role = role, Regions = regions, Password = Password }, SystemAdmin);
        Assert.Null(outcome.Refusal);
    }

    /// <summary>
    /// A partner organisation (<paramref name="orgId"/>, a business in Kota Batu) with one user (<paramref name="userId"/>),
    /// answering for <paramref name="offerIds"/> (partner-level catalog offers); through the grains, as an admin would.
    /// </summary>
    public async Task CreatePartner(string orgId, string userId, params string[] offerIds)
    {
        var org = await Grains.GetGrain<IPartnerOrgGrain>(orgId).Upsert(
            new PartnerOrgRequest { Name = "Mitra " + orgId, Kind = Domain.Services.HexaHelixRole.Business, Regions = ["35.79"] }, SystemAdmin);
        Assert.Null(org.Refusal);
        await AddPartnerUser(orgId, userId);
        foreach (var offerId in offerIds)
        {
            await AssignOffer(offerId, orgId);
        }
    }

    /// <summary>The partner organisation that answers for a partner-level offer from now on (as an admin's save of the offer).</summary>
    public async Task AssignOffer(string offerId, string orgId)
    {
        var offer = await Grains.GetGrain<IOfferGrain>(offerId).Get();
        Assert.NotNull(offer);
        var saved = await Grains.GetGrain<IOfferGrain>(offerId).Save(offer with { PartnerOrgId = orgId }, SystemAdmin);
        Assert.Null(saved.Refusal);
    }

    /// <summary>Another user of a partner organisation.</summary>
    public async Task AddPartnerUser(string orgId, string userId)
    {
        var user = await Grains.GetGrain<IUserGrain>(userId).Upsert(
            new UpsertUserRequest { DisplayName = userId, Role = Role.Partner, PartnerOrg = orgId, Password = Password }, SystemAdmin);
        Assert.Null(user.Refusal);
    }

    public IServiceProvider Services => _factory.Services;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Starts the app; <paramref name="services"/> adds to its container (a test's telemetry exporter, for one).</summary>
    public static AppHost Start(string? dataDirectory = null, IReadOnlyDictionary<string, string>? overrides = null,
        Microsoft.Extensions.Logging.ILoggerProvider? logs = null, int port = 0, Action<IServiceCollection>? services = null) =>
        new(dataDirectory ?? Path.Combine(Path.GetTempPath(), "casegrains-web-tests-" + Guid.NewGuid().ToString("N")), overrides, logs, port, services);

    public static int FreeTcpPort() => FreePort();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public static void DeleteData(string dataDirectory) => Node.DeleteData(dataDirectory);

    public async Task<JsonElement> PostOk(string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.PostAsJsonAsync(path, body, Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetOk(string path)
    {
        using var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static int FreePort() => Ports.Free();
}

/// <summary>Kestrel on a free loopback port (a real socket, for real clients), with the given settings.</summary>
public sealed class KestrelFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Microsoft.Extensions.Logging.ILoggerProvider? _logs;
    private readonly Action<IServiceCollection>? _services;

    public KestrelFactory(IReadOnlyDictionary<string, string> settings, Microsoft.Extensions.Logging.ILoggerProvider? logs = null, int port = 0,
        Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _logs = logs;
        _services = services;
        UseKestrel(port);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_logs is not null)
        {
            builder.ConfigureServices(s => s.AddSingleton(_logs));
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
