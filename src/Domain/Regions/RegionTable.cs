using System.Globalization;
using System.Reflection;

namespace CaseGrains.Domain.Regions;

public enum RegionLevel
{
    Province,
    Regency,
    District,
    Village,
}

/// <summary>One Kemendagri region (wilayah): province <c>35</c>, kab/kota <c>35.79</c>, kecamatan <c>35.79.01</c>.</summary>
public sealed record Region(string Code, string Name, RegionLevel Level)
{
    /// <summary>Kab/kota codes 01–69 are kabupaten, 71–99 are kota.</summary>
    public bool IsKota => Level == RegionLevel.Regency
        && int.Parse(Code.AsSpan(3, 2), CultureInfo.InvariantCulture) >= 71;
}

/// <summary>
/// Provinces, kabupaten/kota and kecamatan, from the embedded table generated from the npm package
/// idn-area-data (ODbL). Desa/kelurahan codes are accepted by shape under a known kecamatan.
/// </summary>
public sealed class RegionTable
{
    private readonly Dictionary<string, Region> _byCode;

    private RegionTable(Dictionary<string, Region> byCode) => _byCode = byCode;

    public static RegionTable Kemendagri { get; } = LoadEmbedded();

    public int Count => _byCode.Count;

    public IEnumerable<Region> All => _byCode.Values;

    public Region? Find(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>
    /// The table's own string for a known province, kab/kota or kecamatan code, else <paramref name="code"/> itself: the
    /// many cases of one kecamatan then hold one string between them.
    /// </summary>
    public string Shared(string code) => code is not null && _byCode.TryGetValue(code, out var region) ? region.Code : code!;

    public IEnumerable<Region> Children(string parentCode) =>
        _byCode.Values.Where(r => ParentCode(r.Code) == parentCode).OrderBy(r => r.Code, StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="code"/> names a known province, kab/kota or kecamatan, or is a
    /// desa/kelurahan code (<c>35.79.01.2001</c>: 1xxx kelurahan, 2xxx desa) under a known kecamatan.
    /// </summary>
    public bool IsKnown(string code)
    {
        if (_byCode.ContainsKey(code))
        {
            return true;
        }

        var level = LevelOf(code);
        return level == RegionLevel.Village && code[^4] is '1' or '2' && _byCode.ContainsKey(ParentCode(code)!);
    }

    /// <summary>The level implied by a code's shape, or null when the shape is not a region code.</summary>
    public static RegionLevel? LevelOf(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        var parts = code.Split('.');
        int[] widths = [2, 2, 2, 4];
        if (parts.Length > widths.Length)
        {
            return null;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length != widths[i] || !parts[i].All(char.IsAsciiDigit))
            {
                return null;
            }
        }

        return (RegionLevel)(parts.Length - 1);
    }

    public static string? ParentCode(string code)
    {
        var dot = code.LastIndexOf('.');
        return dot < 0 ? null : code[..dot];
    }

    /// <summary>The kab/kota a region belongs to (<c>35.79.01.2001</c> → <c>35.79</c>), or null for a province.</summary>
    public static string? RegencyOf(string code) => code.Length >= 5 ? code[..5] : null;

    /// <summary>The province a code lies in (the code itself for a province).</summary>
    public static string ProvinceOf(string code) => ParentCode(RegencyOf(code) ?? code) ?? code;

    private static RegionTable LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CaseGrains.Domain.Regions.regions.csv")
            ?? throw new InvalidOperationException("The embedded region table is missing from the Domain assembly.");
        using var reader = new StreamReader(stream);
        var byCode = new Dictionary<string, Region>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#' || line.StartsWith("code;", StringComparison.Ordinal))
            {
                continue;
            }

            var sep = line.IndexOf(';', StringComparison.Ordinal);
            var code = line[..sep];
            var level = LevelOf(code) ?? throw new InvalidDataException($"Bad region code in embedded table: {code}");
            byCode[code] = new Region(code, line[(sep + 1)..], level);
        }

        return new RegionTable(byCode);
    }
}
