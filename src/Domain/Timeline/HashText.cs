using System.Buffers;
using System.Buffers.Binary;

namespace CaseGrains.Domain.Timeline;

/// <summary>
/// A SHA-256 written as 64 lowercase hex characters (a case's head hash as <see cref="EventChain.Hash"/> writes it, a
/// NIK's keyed hash), held in memory as its 32 bytes inline instead of as the characters (a 150-byte string). Text in any
/// other form is held as it was read (for verification to report, and for test data). Equal when the text is equal.
/// </summary>
public readonly record struct HashText
{
    private readonly ulong _a, _b, _c, _d;
    private readonly string? _text;

    private HashText(ulong a, ulong b, ulong c, ulong d, string? text) => (_a, _b, _c, _d, _text) = (a, b, c, d, text);

    public static HashText Genesis { get; } = From(EventChain.Genesis);

    public static HashText From(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        Span<byte> bytes = stackalloc byte[32];
        return hash.Length == 64 && !hash.AsSpan().ContainsAnyInRange('A', 'F') && Convert.FromHexString(hash, bytes, out _, out var written) == OperationStatus.Done && written == 32
            ? new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
                BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]), null)
            : new(0, 0, 0, 0, hash);
    }

    /// <summary>The hash as the chain writes it (exactly as it was read).</summary>
    public override string ToString()
    {
        if (_text is not null)
        {
            return _text;
        }

        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _a);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], _d);
        return Convert.ToHexStringLower(bytes);
    }
}
