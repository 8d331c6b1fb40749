using System.Security.Cryptography;
using System.Text;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains.Identity;

/// <summary>
/// Keyed hash (HMAC-SHA256) of a NIK: the only form in which a NIK is looked up or stored as a key.
/// Without the key the hash cannot be reversed by enumerating the (small) NIK space.
/// </summary>
public sealed class NikHasher
{
    private readonly byte[] _key;

    public NikHasher(IOptions<CaseGrainsOptions> options)
    {
        _key = LoadOrCreateKey(options.Value);
    }

    public string Hash(string nik) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(nik)));

    private static byte[] LoadOrCreateKey(CaseGrainsOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.NikHmacKey))
        {
            // Shape checked at start-up by CaseGrainsOptionsValidator.
            return CaseGrainsOptionsValidator.NikKeyBytes(o.NikHmacKey)!;
        }

        return KeyFiles.LoadOrCreate(Path.Combine(Path.GetFullPath(o.DataDirectory), "nik-hmac.key"), $"{CaseGrainsOptions.Section}:NikHmacKey");
    }
}
