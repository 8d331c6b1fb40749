using System.Globalization;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;

namespace CaseGrains.Domain.Identity;

/// <summary>
/// A parsed NIK (Nomor Induk Kependudukan): 6-digit region (province, kab/kota, kecamatan), 6-digit birth
/// date (day + 40 for women, month, 2-digit year), 4-digit sequence. Personal data: never log it; use
/// <see cref="Masked"/> for display and a keyed hash for look-ups.
/// </summary>
public sealed class Nik
{
    private Nik(string value, string regencyCode, string districtCode, DateOnly birthDate, Gender gender)
    {
        Value = value;
        RegencyCode = regencyCode;
        DistrictCode = districtCode;
        BirthDate = birthDate;
        Gender = gender;
    }

    /// <summary>The 16 digits. Personal data.</summary>
    public string Value { get; }

    /// <summary>Kab/kota of registration, dotted (<c>35.79</c>).</summary>
    public string RegencyCode { get; }

    /// <summary>Kecamatan of registration, dotted (<c>35.79.01</c>): one the region table holds.</summary>
    public string DistrictCode { get; }

    public DateOnly BirthDate { get; }

    public Gender Gender { get; }

    /// <summary>First four and last two digits visible: <c>3579**********01</c>.</summary>
    public string Masked => Mask(Value);

    public static string Mask(string nik) =>
        nik.Length == 16 ? string.Concat(nik.AsSpan(0, 4), new string('*', 10), nik.AsSpan(14, 2)) : new string('*', nik.Length);

    /// <summary>Sixteen ASCII digits: the shape of a NIK, before its region and date are checked.</summary>
    public static bool IsWellFormed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? input) =>
        input is { Length: 16 } && input.All(char.IsAsciiDigit);

    /// <summary>
    /// Parses and validates a NIK. <paramref name="today"/> resolves the two-digit birth year (the latest
    /// century that is not in the future). Returns a refusal naming what is wrong, never the digits.
    /// </summary>
    public static Result<Nik> Parse(string? input, RegionTable regions, DateOnly today)
    {
        if (!IsWellFormed(input))
        {
            return Refusals.NikFormat();
        }

        var province = input[..2];
        var regency = $"{province}.{input.Substring(2, 2)}";
        var district = $"{regency}.{input.Substring(4, 2)}";
        if (regions.Find(province) is null || regions.Find(regency) is null)
        {
            return Refusals.NikRegion();
        }

        // A NIK names the kecamatan it was issued in; one the table does not hold is mistyped or made up (a kecamatan that
        // is split normally keeps its code, so the NIKs issued there stay valid; docs/decisions.md, "NIK region").
        if (regions.Find(district) is not { Level: RegionLevel.District })
        {
            return Refusals.NikDistrict();
        }

        var day = int.Parse(input.AsSpan(6, 2), CultureInfo.InvariantCulture);
        var month = int.Parse(input.AsSpan(8, 2), CultureInfo.InvariantCulture);
        var yy = int.Parse(input.AsSpan(10, 2), CultureInfo.InvariantCulture);
        var gender = day > 40 ? Gender.Female : Gender.Male;
        if (day > 40)
        {
            day -= 40;
        }

        // The latest century in which the date exists and is not after today (2 June 25, read on 1 June 2025, is 1925).
        DateOnly? birthDate = ValidDate(2000 + yy, month, day) is { } recent && recent <= today ? recent : ValidDate(1900 + yy, month, day);
        if (birthDate is null || birthDate > today)
        {
            return Refusals.NikBirthDate();
        }

        if (input.AsSpan(12, 4).SequenceEqual("0000"))
        {
            return Refusals.NikFormat();
        }

        return new Nik(input, regency, district, birthDate.Value, gender);
    }

    private static DateOnly? ValidDate(int year, int month, int day) =>
        month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    /// <summary>Never the digits: a NIK must not reach logs through a stray ToString.</summary>
    public override string ToString() => Masked;
}
