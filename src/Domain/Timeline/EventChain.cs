using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CaseGrains.Domain.Timeline;

/// <summary>
/// The tamper-evidence chain of a case timeline: each event's hash is SHA-256 over the previous hash and the
/// event's stored fields (length-prefixed UTF-8, so no field can bleed into the next). Editing, removing or
/// reordering any stored event breaks every hash after it.
/// </summary>
public static class EventChain
{
    /// <summary>The previous hash of event 1.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// Only an erasure redacts: events marked redacted in a case whose timeline holds no erasure were changed by someone
    /// else (every verification says so, the API's and the auditor's file check alike).
    /// </summary>
    public const string RedactedWithoutErasure = "events are marked redacted but the case was never erased";

    public static string Hash(
        string prevHash,
        string caseNumber,
        long seq,
        string type,
        string actorId,
        string actorRole,
        DateTimeOffset occurredAt,
        string commandId,
        string payloadJson)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        foreach (var field in new[]
        {
            prevHash, caseNumber, seq.ToString(CultureInfo.InvariantCulture), type, actorId, actorRole,
            FormatTime(occurredAt), commandId, payloadJson,
        })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(len, bytes.Length);
            hash.AppendData(len);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Why <paramref name="link"/> cannot stand at <paramref name="expectedSeq"/> after an event whose hash is
    /// <paramref name="prevHash"/>; null when it chains on. The first problem found is named: a sequence gap, a previous-hash
    /// link that points elsewhere, or a stored hash that its own fields no longer give.
    /// </summary>
    public static string? Problem(string prevHash, long expectedSeq, in Link link) =>
        link.Seq != expectedSeq ? $"sequence gap: expected {expectedSeq.ToString(CultureInfo.InvariantCulture)}, found {link.Seq.ToString(CultureInfo.InvariantCulture)}"
        : link.PrevHash != prevHash ? "previous-hash link does not match the event before"
        : !link.Redacted && Hash(prevHash, link.CaseNumber, link.Seq, link.Type, link.ActorId, link.ActorRole, link.OccurredAt, link.CommandId, link.PayloadJson) != link.Hash
            ? "stored hash does not match the event's content"
            : null;

    /// <summary>
    /// Walks a whole timeline, oldest first, from <see cref="Genesis"/>: how many events chain on, the hash they end on,
    /// and the first break. Rows removed from the end leave a chain that walks cleanly: compare <see cref="ChainWalk.Verified"/>
    /// and <see cref="ChainWalk.Head"/> with what the case knows it appended.
    /// </summary>
    public static ChainWalk Walk(IEnumerable<Link> timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var (prev, expectedSeq) = (Genesis, 1L);
        foreach (var link in timeline)
        {
            if (Problem(prev, expectedSeq, link) is { } problem)
            {
                return new ChainWalk(expectedSeq - 1, prev, new ChainBreak(expectedSeq, link.Seq, problem));
            }

            (prev, expectedSeq) = (link.Hash, expectedSeq + 1);
        }

        return new ChainWalk(expectedSeq - 1, prev, null);
    }

    /// <summary>
    /// One stored event as the chain sees it: the hashed fields, then the two hashes stored with them. <see cref="Redacted"/>:
    /// an erasure replaced personal fields written in clear, so only its sequence and previous-hash link are checked and its
    /// stored hash is taken as it is (the next event's link, or the head, covers it).
    /// </summary>
    public readonly record struct Link(
        string CaseNumber,
        long Seq,
        string Type,
        string ActorId,
        string ActorRole,
        DateTimeOffset OccurredAt,
        string CommandId,
        string PayloadJson,
        string PrevHash,
        string Hash,
        bool Redacted = false);

    /// <summary>
    /// What a walk found: <see cref="Verified"/> events chain from genesis and end on <see cref="Head"/>; <see cref="Break"/>
    /// is the first one that does not (null when none).
    /// </summary>
    public sealed record ChainWalk(long Verified, string Head, ChainBreak? Break);

    /// <summary>The event at position <see cref="ExpectedSeq"/> (which says it is <see cref="FoundSeq"/>) breaks the chain, for <see cref="Problem"/>.</summary>
    public sealed record ChainBreak(long ExpectedSeq, long FoundSeq, string Problem);

    /// <summary>The one text form of event times (UTC, 100 ns precision), as stored and as hashed.</summary>
    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) =>
        DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
