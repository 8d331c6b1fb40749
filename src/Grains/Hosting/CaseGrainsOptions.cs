using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Hosting;

/// <summary>Settings under <c>CaseGrains</c>. Validated at start-up: a bad value fails fast naming its key.</summary>
public sealed class CaseGrainsOptions
{
    public const string Section = "CaseGrains";

    /// <summary>
    /// <c>CaseGrains:Mode</c> of the WebFrontend: <c>Embedded</c> (co-hosts its silo; the default) or <c>Client</c> (an
    /// Orleans client of the silos at <c>CaseGrains:GatewayPort</c>; cluster membership on PostgreSQL comes with cluster mode).
    /// </summary>
    public string Mode { get; set; } = Modes.Embedded;

    /// <summary><c>CaseGrains:DataDirectory</c>: folder of the embedded SQLite file (created if missing).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>CaseGrains:DatabaseFile</c>: file name of the embedded database inside the data folder.</summary>
    public string DatabaseFile { get; set; } = "casegrains.db";

    /// <summary>
    /// <c>CaseGrains:NikHmacKey</c>: base64 key (≥ 32 bytes) for the NIK look-up hash. When empty in embedded mode a
    /// random key is generated once and kept in the data folder (<c>nik-hmac.key</c>). Losing it orphans the registry.
    /// </summary>
    public string? NikHmacKey { get; set; }

    /// <summary><c>CaseGrains:ServiceId</c>: Orleans service id; rows in the grain-storage table are keyed by it.</summary>
    public string ServiceId { get; set; } = "casegrains";

    /// <summary><c>CaseGrains:SiloPort</c> and <c>CaseGrains:GatewayPort</c> for the localhost (embedded) silo.</summary>
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary><c>CaseGrains:Journey:MentoringSessionsRequired</c> and <c>…:DefaultAttendanceThresholdPercent</c>.</summary>
    public JourneySettings Journey { get; set; } = new();

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));

    public string SqliteConnectionString => $"Data Source={DatabasePath};Default Timeout=30;Pooling=True";

    public sealed class JourneySettings
    {
        public int MentoringSessionsRequired { get; set; } = 3;

        public int DefaultAttendanceThresholdPercent { get; set; } = 80;
    }
}

/// <summary>Start-up validation that names the exact configuration key at fault.</summary>
public sealed class CaseGrainsOptionsValidator : IValidateOptions<CaseGrainsOptions>
{
    public ValidateOptionsResult Validate(string? name, CaseGrainsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = CaseGrainsOptions.Section;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{s}:DataDirectory must name a folder.");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseFile))
        {
            errors.Add($"{s}:DatabaseFile must name a file.");
        }

        if (options.Mode is not (Modes.Embedded or Modes.Client))
        {
            errors.Add($"{s}:Mode must be {Modes.Embedded} or {Modes.Client}.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add($"{s}:ServiceId must not be empty.");
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            errors.Add($"{s}:SiloPort must be 1..65535.");
        }

        if (options.GatewayPort is < 1 or > 65535)
        {
            errors.Add($"{s}:GatewayPort must be 1..65535.");
        }

        if (!string.IsNullOrWhiteSpace(options.NikHmacKey) && NikKeyBytes(options.NikHmacKey) is not { Length: >= 32 })
        {
            errors.Add($"{s}:NikHmacKey must be base64 of at least 32 bytes.");
        }

        if (options.Journey.MentoringSessionsRequired is < 1 or > 100)
        {
            errors.Add($"{s}:Journey:MentoringSessionsRequired must be 1..100.");
        }

        if (options.Journey.DefaultAttendanceThresholdPercent is < 1 or > 100)
        {
            errors.Add($"{s}:Journey:DefaultAttendanceThresholdPercent must be 1..100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The decoded key, or null when it is not base64.</summary>
    public static byte[]? NikKeyBytes(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>How the WebFrontend reaches its grains.</summary>
public static class Modes
{
    public const string Embedded = "Embedded";
    public const string Client = "Client";
}
