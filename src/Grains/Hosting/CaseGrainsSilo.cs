using System.Net;
using System.Net.Sockets;
using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using CaseGrains.Grains.Storage.Postgres;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// The one silo configuration, used by src/Silo and by the silo src/WebFrontend co-hosts, in both modes. Providers are
/// chosen by <c>CaseGrains:Mode</c>; settings are validated at start-up and a bad one fails naming its key.
/// </summary>
public static class CaseGrainsSilo
{
    /// <summary>The PostgreSQL connection string's configuration key (environment: <c>ConnectionStrings__CaseGrains</c>).</summary>
    public const string ConnectionStringKey = "ConnectionStrings:CaseGrains";

    /// <summary>The ADO.NET invariant of Npgsql, as Orleans' providers know it.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>
    /// Grains, storage, reminders and clustering. Embedded: a localhost silo on SQLite. Cluster: membership, grain state,
    /// reminders and the project's tables on PostgreSQL. <paramref name="openGateway"/> is false when the silo is
    /// co-hosted with its only client (the embedded WebFrontend): grains trust the caller identity they are given, so no
    /// other process may reach them through a gateway.
    /// </summary>
    public static ISiloBuilder AddCaseGrains(this ISiloBuilder silo, IConfiguration configuration, bool openGateway = true)
    {
        var settings = silo.AddCaseGrainsServices(configuration);
        if (settings.IsCluster)
        {
            var connectionString = configuration[ConnectionStringKey]!;
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = connectionString;
            });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = settings.ServiceId;
                o.ClusterId = settings.EffectiveClusterId;
            });
            if (settings.Kubernetes)
            {
                // Pod IP, names and the orleans/serviceId + orleans/clusterId labels come from the pod (see deploy/k8s).
                silo.UseKubernetesHosting();
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = settings.SiloPort;
                    o.GatewayPort = openGateway ? settings.GatewayPort : 0;
                });
            }
            else
            {
                silo.ConfigureEndpoints(ResolveAdvertisedAddress(settings.AdvertisedAddress), settings.SiloPort,
                    openGateway ? settings.GatewayPort : 0, listenOnAnyHostAddress: true);
            }

            ConfigureFailureDetection(silo, settings);
        }
        else
        {
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = settings.CallTimeout);
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.EffectiveClusterId);
        }

        if (!openGateway)
        {
            silo.Configure<EndpointOptions>(o => o.GatewayPort = 0);
        }

        return silo;
    }

    /// <summary>Reads and validates the settings (and, in Cluster mode, the connection string), failing with the key's name.</summary>
    public static CaseGrainsOptions ReadSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(CaseGrainsOptions.Section).Get<CaseGrainsOptions>() ?? new CaseGrainsOptions();
        var invalid = new CaseGrainsOptionsValidator().Validate(null, settings);
        var failures = invalid.Failed ? invalid.Failures.ToList() : [];
        if (settings.IsCluster && ConnectionStringProblem(configuration[ConnectionStringKey]) is { } problem)
        {
            failures.Add(problem);
        }

        return failures.Count > 0
            ? throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions), failures)
            : settings;
    }

    /// <summary>
    /// An Orleans client of the silos: the localhost gateway in Embedded mode, or every silo that the PostgreSQL
    /// membership table lists as active in Cluster mode. A command interrupted in the cluster is sent once more with the
    /// same command id (<see cref="ResendInterruptedCallFilter"/>).
    /// </summary>
    public static IClientBuilder UseCaseGrainsCluster(this IClientBuilder client, CaseGrainsOptions settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        client.AddActivityPropagation();
        client.AddOutgoingGrainCallFilter<ResendInterruptedCallFilter>();
        GrainInterfaceTypeCache.AddTo(client.Services);
        if (settings.OrleansDashboard)
        {
            client.AddDashboard(OrleansDashboardPage.Configure);
        }

        if (!settings.IsCluster)
        {
            return client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.EffectiveClusterId);
        }

        client.UseAdoNetClustering(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = configuration[ConnectionStringKey];
        });
        client.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = settings.ServiceId;
            o.ClusterId = settings.EffectiveClusterId;
        });
        // A call in flight to a silo that died fails within this, not the 30 s default; the gateway list is re-read often.
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.CallTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        return client;
    }

    /// <summary>Grains, storage, reminders and options without clustering (test clusters bring their own).</summary>
    public static CaseGrainsOptions AddCaseGrainsServices(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        // Fail before anything touches the disk or the database, naming the key.
        var settings = ReadSettings(configuration);
        if (settings.IsCluster && string.IsNullOrWhiteSpace(settings.NikHmacKey))
        {
            // Every silo must hash a NIK the same way, and the key must not sit in the database beside the hashes.
            // (Only silos hash NIKs: a frontend that is an Orleans client needs no key.)
            throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions),
                [$"{CaseGrainsOptions.Section}:NikHmacKey must be set in {Modes.Cluster} mode (base64 of at least 32 bytes, the same on every silo)."]);
        }

        if (settings.IsCluster && string.IsNullOrWhiteSpace(settings.ChainAnchorKey))
        {
            // The key that MACs the chain checkpoints must not sit in the database it anchors (docs/storage.md).
            throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions),
                [$"{CaseGrainsOptions.Section}:ChainAnchorKey must be set in {Modes.Cluster} mode (base64 of at least 32 bytes, the same on every silo, kept outside the database)."]);
        }

        if (settings.IsCluster && string.IsNullOrWhiteSpace(settings.SubjectKeyEncryptionKey))
        {
            // Every silo must open every case's data key; the key that wraps them must not sit in the database beside them.
            throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions),
                [$"{CaseGrainsOptions.Section}:SubjectKeyEncryptionKey must be set in {Modes.Cluster} mode (base64 of at least 32 bytes, the same on every silo)."]);
        }

        // Bound from the configuration passed in (the same one the schema step read), not whatever the host holds.
        silo.Services.AddOptions<CaseGrainsOptions>()
            .Bind(configuration.GetSection(CaseGrainsOptions.Section))
            .ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<CaseGrainsOptions>, CaseGrainsOptionsValidator>();
        silo.Services.TryAddKeyedSingleton(ProviderNames.Clock, TimeProvider.System);
        silo.Services.AddSingleton<CasePolicies>();
        silo.Services.AddSingleton<NikHasher>();
        silo.Services.AddSingleton<NikProtector>();
        silo.Services.AddSingleton<Notifications.NoticeEnqueuer>();
        silo.Services.AddSingleton<SubjectKeyRing>();
        // A user's live feed per silo, placed on that silo (see LocalFeed).
        silo.Services.AddSingleton<LocalFeed>();
        silo.Services.AddSingleton<CaseGrainDependencies>();
        GrainInterfaceTypeCache.AddTo(silo.Services);
        silo.Services.AddPlacementDirector<SiloKeyedPlacement, SiloKeyedPlacementDirector>();
        // A command's trace follows it from the HTTP request through every grain call (Hosting/Telemetry.cs).
        silo.AddActivityPropagation();
        if (settings.OrleansDashboard)
        {
            silo.AddDashboard(OrleansDashboardPage.Configure);
        }
        // Grain state in the declared binary form, never a type allow-list (see GrainStateSerializer).
        silo.Services.AddSingleton<GrainStateSerializer>();
        // A cleared state leaves no row behind: an erased person's registry entry is keyed by their NIK's hash, which must
        // go with it (docs/storage.md, "Erasure").
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(ProviderNames.GrainState)
            .Configure<GrainStateSerializer>((o, serializer) =>
            {
                o.GrainStorageSerializer = serializer;
                o.DeleteStateOnClear = true;
            });
        var dataProtection = silo.Services.AddDataProtection().SetApplicationName(DataProtectionApplication);
        silo.Services.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
        // Bounded: the cache would otherwise hold an address for every grain this silo has registered or routed to.
        silo.Services.Configure<GrainDirectoryOptions>(o => o.CacheSize = settings.DirectoryCacheSize);
        silo.AddReminders();
        // Reminders may fire as often as the SLA check period asks (tests use seconds; production an hour).
        silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = settings.Sla.CheckPeriod < o.MinimumReminderPeriod
            ? settings.Sla.CheckPeriod : o.MinimumReminderPeriod);

        if (settings.IsCluster)
        {
            var connectionString = configuration[ConnectionStringKey]!;
            UseSharedKeyRing(silo.Services, connectionString);
            silo.Services.AddSingleton(new ChainAnchorKey(ChainAnchorKey.Load(settings)));
            silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(StoreConnectionString(connectionString)));
            AddStores<PostgresCaseEventStore>(silo.Services);
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new SchemaCheck(connectionString));
            silo.AddAdoNetGrainStorage(ProviderNames.GrainState, o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = connectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = connectionString;
            });
            return settings;
        }

        // Embedded: Data Protection keys (NIK encryption) live beside the database; see docs/storage.md.
        dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(settings.DataDirectory), "keys")));
        AddStores<SqliteCaseEventStore>(silo.Services);

        // The schema must exist before any grain reads or writes: apply it before the silo starts.
        // The folder holds personal data and keys: only this user may enter it.
        var folder = Path.GetDirectoryName(settings.DatabasePath)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        SqliteSchema.Apply(settings.SqliteConnectionString);
        // Read (or created) now, not at the first append: a damaged key file stops start-up, naming it.
        silo.Services.AddSingleton(new ChainAnchorKey(ChainAnchorKey.Load(settings)));

        silo.AddAdoNetGrainStorage(ProviderNames.GrainState, o =>
        {
            o.Invariant = ProviderNames.SqliteInvariant;
            o.ConnectionString = settings.SqliteConnectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = ProviderNames.SqliteInvariant;
            o.ConnectionString = settings.SqliteConnectionString;
        });
        return settings;
    }

    /// <summary>
    /// The store's connections prepare the statements they run often (unless the connection string says otherwise): each
    /// append, load and cursor statement is then parsed and planned once per connection, not on every call (Npgsql's
    /// automatic preparation; a statement is prepared at its fifth use, up to 64 per connection). Preparing at the second
    /// use was tried and reverted: in that bench national run PostgreSQL used 0.46 cores at 125 mixed requests/s, against
    /// 0.30–0.32 in the runs without it (BENCHMARKS.md).
    /// They run without PostgreSQL's JIT compilation (unless the connection string sets <c>jit</c>): a prepared
    /// statement's generic plan over the 16 event partitions is estimated from the rows per case the statistics suggest,
    /// and on a database of few long cases that estimate passed <c>jit_above_cost</c>, so every activation compiled its
    /// load (about 70 ms for a 0.1 ms query; `bench snapshots` on an empty database). Every statement of the store is a
    /// short one, where compiling never pays.
    /// </summary>
    public static string StoreConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
        }

        if (builder.Options?.Contains("jit", StringComparison.Ordinal) != true)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : $"{builder.Options} -c jit=off";
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// One store object serves its views: what a case needs, what the projections' readers need, what operators need,
    /// the people index, the deadline index, the offers' rosters. Consequences: the cursor writer, the fault switches (off unless configured), and the sweeper's start.
    /// </summary>
    private static void AddStores<TStore>(IServiceCollection services)
        where TStore : class, ICaseTimelineStore, IProjectionStore, IOperationsStore, IPeopleStore, IDeadlineStore, IPlacesStore, INoticeOutbox, ISubjectKeyStore
    {
        services.AddSingleton<TStore>();
        services.AddSingleton<INoticeOutbox>(sp => sp.GetRequiredService<TStore>());
        services.AddHostedService<Notifications.NoticeDispatcher>();
        services.AddSingleton<ISubjectKeyStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IDeadlineStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IPlacesStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IPeopleStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<ICaseTimelineStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IProjectionStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IOperationsStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<ConsequenceCursor>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsequenceCursor>());
        services.AddSingleton<ConsequenceFaults>();
        services.AddSingleton<DashboardSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardSignals>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SweepersStart>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, IndexesAtStart>();
        services.AddHostedService<BacklogGauges>();
    }

    /// <summary>The Data Protection application name every host shares (a different name would isolate its keys).</summary>
    public const string DataProtectionApplication = "CaseGrains";

    /// <summary>Keeps the Data Protection key ring in the cluster database (silos and frontends of one cluster share it).</summary>
    public static void UseSharedKeyRing(IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDataProtection().SetApplicationName(DataProtectionApplication);
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(connectionString));
    }

    /// <summary>
    /// Failure detection (Cluster mode): a silo probes others every second and gives up on a probe after a second; two
    /// missed probes make it suspect; a suspect with enough votes is declared dead and its grains move. A silo killed
    /// without warning refuses connections at once, so its probes fail fast: it is declared dead in about 2–3 s (measured
    /// by the fault tests; docs/cluster.md), against 10–15 s with Orleans' defaults. A silo that is itself starved (long
    /// GC, overloaded host) extends its probe timeouts rather than declaring healthy peers dead. Calls in flight to a dead
    /// silo fail within <c>CaseGrains:CallTimeout</c>.
    /// </summary>
    private static void ConfigureFailureDetection(ISiloBuilder silo, CaseGrainsOptions settings)
    {
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.ExtendProbeTimeoutDuringDegradation = true;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            // A silo writes "I am alive" every 5 s; one silent for 15 s no longer blocks a joining silo. That matters when
            // the whole cluster died: a restarted silo would otherwise wait for its dead predecessors (about a minute).
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            o.NumMissedTableIAmAliveLimit = 3;
        });
        silo.Configure<SiloMessagingOptions>(o =>
        {
            o.ResponseTimeout = settings.CallTimeout;
            o.SystemResponseTimeout = settings.CallTimeout;
        });
    }

    private static IPAddress ResolveAdvertisedAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            // No address given: the first non-loopback IPv4 address of this host, else loopback.
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?? IPAddress.Loopback;
        }

        return IPAddress.TryParse(value, out var ip) ? ip
            : Dns.GetHostAddresses(value).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions),
                  [$"{CaseGrainsOptions.Section}:AdvertisedAddress '{value}' resolves to no IPv4 address."]);
    }

    private static string? ConnectionStringProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{ConnectionStringKey} must be set in {Modes.Cluster} mode (a PostgreSQL connection string).";
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"{ConnectionStringKey} is not a valid PostgreSQL connection string: {ex.Message}";
        }
    }

    /// <summary>
    /// Refuses to start a silo on a database the migrate step has not brought to this version: checked first thing in
    /// the silo's lifecycle, before membership or storage touch a table.
    /// </summary>
    private sealed class SchemaCheck(string connectionString) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SchemaCheck), ServiceLifecycleStage.First, async ct =>
            {
                var version = await PostgresSchema.CurrentVersionAsync(connectionString, ct);
                if (version < PostgresSchema.LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The database is at schema version {version}, this build needs {PostgresSchema.LatestVersion}: run `CaseGrains.Silo migrate` first.");
                }
            });
    }
}
