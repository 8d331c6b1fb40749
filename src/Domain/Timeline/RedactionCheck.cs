using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CaseGrains.Domain.Timeline;

/// <summary>
/// A redacted event's content hash cannot be recomputed, so its payload must be the one its erasure recorded: the case's
/// <c>SubjectErased</c> event (hashed with the chain, so anchored) lists each event it rewrote with the SHA-256 of the
/// rewritten payload. Fed every stored event of a timeline, in any order; then <see cref="Problem"/> names the first
/// redacted event that is not as recorded, or that no erasure recorded.
/// </summary>
public sealed class RedactionCheck
{
    private readonly SortedDictionary<long, string> _redacted = [];
    private Dictionary<long, string>? _recorded;

    public void Add(long seq, string type, string payloadJson, bool redacted)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        if (redacted)
        {
            _redacted[seq] = Sha256(payloadJson);
        }

        if (type == "SubjectErased")
        {
            _recorded = [];
            using var doc = JsonDocument.Parse(payloadJson);
            if (doc.RootElement.TryGetProperty("redacted", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    _recorded[item.GetProperty("seq").GetInt64()] = item.GetProperty("sha256").GetString() ?? "";
                }
            }
        }
    }

    /// <summary>The first redacted event not as an erasure recorded it, and why; null when every one is.</summary>
    public (long Seq, string Text)? Problem
    {
        get
        {
            foreach (var (seq, hash) in _redacted)
            {
                if (_recorded is null)
                {
                    return (seq, EventChain.RedactedWithoutErasure);
                }

                if (!_recorded.TryGetValue(seq, out var recorded) || recorded != hash)
                {
                    return (seq, string.Create(CultureInfo.InvariantCulture, $"redacted event {seq} is not as the erasure recorded it"));
                }
            }

            return null;
        }
    }

    /// <summary>The hex SHA-256 of a stored payload's UTF-8 text.</summary>
    public static string Sha256(string payloadJson) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payloadJson)));
}
