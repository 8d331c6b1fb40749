using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CaseGrains.Domain.Privacy;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Identity;

/// <summary>
/// The installation's key-encryption key for the data subjects' keys (<c>CaseGrains:SubjectKeyEncryptionKey</c>, or in
/// embedded mode <c>subject-kek.key</c> in the data folder, created on first start). Each case has its own 32-byte data
/// key, stored only wrapped (AES-256-GCM) under this one; destroying the wrapped key is the erasure (crypto-shredding).
/// </summary>
public sealed class SubjectKeyRing
{
    public const string KeyFileName = "subject-kek.key";
    private const byte Version = 1;
    private readonly byte[] _kek;

    public SubjectKeyRing(IOptions<CaseGrainsOptions> options)
    {
        var o = options.Value;
        var material = !string.IsNullOrWhiteSpace(o.SubjectKeyEncryptionKey)
            ? CaseGrainsOptionsValidator.NikKeyBytes(o.SubjectKeyEncryptionKey)!
            : KeyFiles.LoadOrCreate(Path.Combine(Path.GetFullPath(o.DataDirectory), KeyFileName), $"{CaseGrainsOptions.Section}:SubjectKeyEncryptionKey");
        _kek = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, info: "casegrains subject-kek v1"u8.ToArray());
    }

    /// <summary>A new random data key for <paramref name="caseNumber"/>, and its wrapped form (what is stored).</summary>
    public (byte[] Key, byte[] Wrapped) NewKey(string caseNumber)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var wrapped = new byte[1 + 12 + 32 + 16];
        wrapped[0] = Version;
        RandomNumberGenerator.Fill(wrapped.AsSpan(1, 12));
        using var aes = new AesGcm(_kek, 16);
        aes.Encrypt(wrapped.AsSpan(1, 12), key, wrapped.AsSpan(13, 32), wrapped.AsSpan(45, 16), Aad(caseNumber));
        return (key, wrapped);
    }

    /// <summary>The case's data key from its wrapped form (bound to the case number: a row copied to another case fails).</summary>
    public byte[] Unwrap(string caseNumber, byte[] wrapped)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        if (wrapped.Length != 61 || wrapped[0] != Version)
        {
            throw new CryptographicException($"Case {caseNumber}: the stored subject key has an unknown form.");
        }

        var key = new byte[32];
        using var aes = new AesGcm(_kek, 16);
        aes.Decrypt(wrapped.AsSpan(1, 12), wrapped.AsSpan(13, 32), wrapped.AsSpan(45, 16), key, Aad(caseNumber));
        return key;
    }

    private static byte[] Aad(string caseNumber) => Encoding.UTF8.GetBytes("casegrains subject-key v1 " + caseNumber);
}

/// <summary>
/// One case's personal fields in its stored payloads (<see cref="PersonalFields"/>): sealed under the case's data key
/// before the payload is hashed (<c>"enc:v1:" + base64(nonce | ciphertext | tag)</c>, bound to the case, the event type
/// and the field), opened when read, and read as <see cref="PersonalFields.Erased"/> once the key is gone.
/// </summary>
public sealed class SubjectCipher(string caseNumber, byte[]? key)
{
    public const string Prefix = "enc:v1:";

    /// <summary>True while the case has its data key (false before its first personal field, and after erasure).</summary>
    public bool HasKey => key is not null;

    /// <summary>The payload with its personal fields encrypted (unchanged when the type has none, or they are null).</summary>
    public string Seal(string type, string payloadJson)
    {
        var fields = PersonalFields.Of(type);
        if (fields.Count == 0)
        {
            return payloadJson;
        }

        var k = key ?? throw new InvalidOperationException($"Case {caseNumber}: no subject key to seal a {type}.");
        // Every value is sealed, even one a person typed starting with the prefix: only the cipher writes sealed values.
        return Rewrite(payloadJson, fields, (field, clear) => Encrypt(k, type, field, clear)) ?? payloadJson;
    }

    /// <summary>The payload as readers see it: personal fields decrypted, or marked erased when the key is gone.</summary>
    public string Open(string type, string payloadJson)
    {
        ArgumentNullException.ThrowIfNull(payloadJson);
        var fields = PersonalFields.Of(type);
        if (fields.Count == 0 || !payloadJson.Contains(Prefix, StringComparison.Ordinal))
        {
            return payloadJson;
        }

        return Rewrite(payloadJson, fields, (field, stored) => !stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored
            : key is { } k ? Decrypt(k, type, field, stored) : PersonalFields.Erased) ?? payloadJson;
    }

    /// <summary>
    /// A payload written before the personal fields were encrypted, with its clear personal fields replaced by the erased
    /// marker; null when it has none left in clear (encrypted ones need no rewrite: their key is destroyed).
    /// </summary>
    public static string? Redact(string type, string payloadJson) =>
        PersonalFields.Of(type) is { Count: > 0 } fields
            ? Rewrite(payloadJson, fields, (_, stored) => stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored : PersonalFields.Erased)
            : null;

    /// <summary>The payload with <paramref name="map"/> applied to each string personal field; null when nothing changed.</summary>
    private static string? Rewrite(string payloadJson, IReadOnlyList<string> fields, Func<string, string, string> map)
    {
        var node = JsonNode.Parse(payloadJson)?.AsObject() ?? throw new InvalidDataException("A stored payload is not a JSON object.");
        var changed = false;
        foreach (var field in fields)
        {
            if (node[field] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                var mapped = map(field, text);
                if (!string.Equals(mapped, text, StringComparison.Ordinal))
                {
                    node[field] = mapped;
                    changed = true;
                }
            }
        }

        return changed ? node.ToJsonString(EventJson.Options) : null;
    }

    private string Encrypt(byte[] k, string type, string field, string clear)
    {
        var plain = Encoding.UTF8.GetBytes(clear);
        var sealedBytes = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        using var aes = new AesGcm(k, 16);
        aes.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length, 16), Aad(type, field));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>
    /// The clear value; a stored value that is not one of this case's sealed values (text written before sealing that
    /// happens to start with the prefix, or bytes changed in the database, which verification reports) is shown as stored,
    /// so one bad value never stops the case from loading.
    /// </summary>
    private string Decrypt(byte[] k, string type, string field, string stored)
    {
        if (!Convert.TryFromBase64String(stored[Prefix.Length..], new byte[stored.Length], out var length) || length < 28)
        {
            return stored;
        }

        var sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(k, 16);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length, 16), plain, Aad(type, field));
        }
        catch (AuthenticationTagMismatchException)
        {
            return stored;
        }

        return Encoding.UTF8.GetString(plain);
    }

    // Bound to the case, the event type and the field: a value copied to another case or field does not open.
    private byte[] Aad(string type, string field) => Encoding.UTF8.GetBytes($"casegrains subject-field v1 {caseNumber} {type} {field}");
}
