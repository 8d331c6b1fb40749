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

    /// <summary>The one text form of event times (UTC, 100 ns precision), as stored and as hashed.</summary>
    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) =>
        DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
