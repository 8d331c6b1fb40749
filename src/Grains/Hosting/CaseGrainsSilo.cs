using CaseGrains.Grains.Identity;
using CaseGrains.Grains.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// The one silo configuration, used by src/Silo and by the silo that src/WebFrontend co-hosts in embedded mode.
/// Providers are chosen by configuration; settings are validated at start-up.
/// </summary>
public static class CaseGrainsSilo
{
    /// <summary>
    /// Grains, storage and clustering for a localhost silo. <paramref name="openGateway"/> is false when the silo is
    /// co-hosted with its only client (the embedded WebFrontend): grains trust the caller identity they are given, so no
    /// other process may reach them through a gateway.
    /// </summary>
    public static ISiloBuilder AddCaseGrains(this ISiloBuilder silo, IConfiguration configuration, bool openGateway = true)
    {
        var settings = silo.AddCaseGrainsServices(configuration);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ServiceId);
        if (!openGateway)
        {
            silo.Configure<EndpointOptions>(o => o.GatewayPort = 0);
        }

        return silo;
    }

    /// <summary>Reads and validates the settings, failing with the key's name.</summary>
    public static CaseGrainsOptions ReadSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(CaseGrainsOptions.Section).Get<CaseGrainsOptions>() ?? new CaseGrainsOptions();
        var invalid = new CaseGrainsOptionsValidator().Validate(null, settings);
        return invalid.Failed
            ? throw new OptionsValidationException(CaseGrainsOptions.Section, typeof(CaseGrainsOptions), invalid.Failures)
            : settings;
    }

    /// <summary>An Orleans client of the localhost silo's gateway (WebFrontend in <c>Client</c> mode).</summary>
    public static IClientBuilder UseCaseGrainsCluster(this IClientBuilder client, CaseGrainsOptions settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        return client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ServiceId);
    }

    /// <summary>Grains, storage and options without clustering (test clusters bring their own).</summary>
    public static CaseGrainsOptions AddCaseGrainsServices(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        // Fail before anything touches the disk, naming the key.
        var settings = ReadSettings(configuration);

        // Bound from the configuration passed in (the same one the schema step read), not whatever the host holds.
        silo.Services.AddOptions<CaseGrainsOptions>()
            .Bind(configuration.GetSection(CaseGrainsOptions.Section))
            .ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<CaseGrainsOptions>, CaseGrainsOptionsValidator>();
        silo.Services.TryAddKeyedSingleton(ProviderNames.Clock, TimeProvider.System);
        silo.Services.AddSingleton<NikHasher>();
        silo.Services.AddSingleton<NikProtector>();
        // Data Protection keys (NIK encryption) live beside the database in embedded mode; see docs/storage.md.
        silo.Services.AddDataProtection()
            .SetApplicationName("CaseGrains")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(settings.DataDirectory), "keys")));
        silo.Services.AddSingleton<ICaseEventStore, SqliteCaseEventStore>();

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

        silo.AddAdoNetGrainStorage(ProviderNames.GrainState, o =>
        {
            o.Invariant = ProviderNames.SqliteInvariant;
            o.ConnectionString = settings.SqliteConnectionString;
        });
        silo.Services.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
        return settings;
    }
}
