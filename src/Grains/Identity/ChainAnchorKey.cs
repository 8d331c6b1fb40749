using CaseGrains.Domain.Timeline;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Identity;

/// <summary>
/// The installation's chain anchor key (HMAC-SHA256, kept outside the database): it MACs each case's chain checkpoint
/// as the case appends, and checks checkpoints when a chain is verified or exported (<see cref="ChainAnchor"/>).
/// </summary>
public sealed class ChainAnchorKey(byte[] key)
{
    /// <summary>The key file's name in the data folder (embedded mode, when configuration names no key).</summary>
    public const string FileName = "chain-anchor.key";

    private readonly byte[] _key = key is { Length: >= KeyFiles.MinKeyBytes } ? key : throw new ArgumentException("The chain anchor key is shorter than 32 bytes.", nameof(key));

    /// <summary>The checkpoint of <paramref name="head"/>, the hash of event <paramref name="seq"/>, recorded at <paramref name="at"/>.</summary>
    public ChainAnchor.Checkpoint Sign(string caseNumber, long seq, string head, DateTimeOffset at) => ChainAnchor.Create(_key, caseNumber, seq, head, at);

    public bool IsAuthentic(ChainAnchor.Checkpoint checkpoint) => ChainAnchor.IsAuthentic(_key, checkpoint);

    /// <summary>Measures a recomputed chain against its checkpoint (see <see cref="ChainAnchor.Check"/>).</summary>
    public ChainAnchor.AnchorCheck Check(ChainAnchor.Checkpoint? checkpoint, long events, string? hashAtCheckpoint) =>
        ChainAnchor.Check(_key, checkpoint, events, hashAtCheckpoint);

    /// <summary>
    /// <c>CaseGrains:ChainAnchorKey</c> when set (its shape is checked at start-up); else, in embedded mode, the key in
    /// <c>&lt;DataDirectory&gt;/chain-anchor.key</c>, created once if missing. Cluster mode requires the setting.
    /// </summary>
    public static byte[] Load(CaseGrainsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ChainAnchorKey))
        {
            return CaseGrainsOptionsValidator.NikKeyBytes(options.ChainAnchorKey) is { Length: >= KeyFiles.MinKeyBytes } bytes ? bytes
                : throw Invalid($"{CaseGrainsOptions.Section}:ChainAnchorKey must be base64 of at least {KeyFiles.MinKeyBytes} bytes.");
        }

        if (options.IsCluster)
        {
            throw Invalid($"{CaseGrainsOptions.Section}:ChainAnchorKey must be set in {Modes.Cluster} mode (base64 of at least {KeyFiles.MinKeyBytes} bytes, kept outside the database).");
        }

        return KeyFiles.LoadOrCreate(Path.Combine(Path.GetFullPath(options.DataDirectory), FileName), $"{CaseGrainsOptions.Section}:ChainAnchorKey");
    }

    private static OptionsValidationException Invalid(string failure) =>
        new(CaseGrainsOptions.Section, typeof(CaseGrainsOptions), [failure]);
}
