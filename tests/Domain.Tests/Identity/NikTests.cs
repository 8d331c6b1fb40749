using System.Globalization;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;

namespace CaseGrains.Domain.Tests.Identity;

/// <summary>NIK = 6-digit region (province, kab/kota, kecamatan) + DDMMYY (women: DD + 40) + 4-digit sequence.</summary>
public sealed class NikTests
{
    private static readonly DateOnly Today = new(2025, 6, 1);

    private static Result<Nik> Parse(string? input, DateOnly? today = null) => Nik.Parse(input, RegionTable.Kemendagri, today ?? Today);

    [Theory]
    //           NIK (Kota Batu 35.79)  gender          born
    [InlineData("3579011508900001", Gender.Male,   "1990-08-15")]
    [InlineData("3579015508900002", Gender.Female, "1990-08-15")] // day 55 = 15 + 40
    [InlineData("3579014101850003", Gender.Female, "1985-01-01")] // day 41 = 1 + 40
    [InlineData("3579037112990004", Gender.Female, "1999-12-31")] // day 71 = 31 + 40, kecamatan Junrejo
    [InlineData("3579023112990104", Gender.Male,   "1999-12-31")]
    public void Parse_ValidNik_DerivesGenderBirthDateAndRegion(string input, Gender gender, string born)
    {
        var result = Parse(input);

        Assert.False(result.IsRefused, result.Refusal?.Code);
        var nik = result.Value;
        Assert.Equal(input, nik.Value);
        Assert.Equal(gender, nik.Gender);
        Assert.Equal(DateOnly.Parse(born, CultureInfo.InvariantCulture), nik.BirthDate);
        Assert.Equal("35.79", nik.RegencyCode);
        Assert.Equal($"35.79.{input.Substring(4, 2)}", nik.DistrictCode);
    }

    [Theory]
    [InlineData("3579991508900001")] // Kota Batu has no kecamatan 99
    [InlineData("3579041508900001")] // nor 04 (it has 01 Batu, 02 Bumiaji, 03 Junrejo)
    [InlineData("3579001508900001")] // 00 is no kecamatan anywhere
    [InlineData("3507991508900001")] // Kabupaten Malang has none numbered 99
    public void Parse_KecamatanNotInTheRegionTable_IsRefusedAsUnknownDistrict(string input)
    {
        var refusal = Parse(input).Refusal;

        Assert.NotNull(refusal);
        Assert.Equal("nik.unknown_district", refusal.Code);
        Assert.Equal("nik", refusal.Field);
        Assert.DoesNotContain(input, refusal.Indonesian + refusal.English, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("357901150890001")]           // 15 digits
    [InlineData("35790115089000011")]         // 17 digits
    [InlineData("35790115089000a1")]          // a letter
    [InlineData("3579-11508900001")]          // punctuation
    [InlineData("3579 01150890001")]          // a space
    [InlineData("357901150890000\u0661")]     // a non-ASCII (Arabic-Indic) digit
    [InlineData(" 3579011508900001")]         // untrimmed
    public void Parse_NotSixteenAsciiDigits_IsRefusedAsInvalidFormat(string? input) =>
        AssertRefused(input, "nik.invalid_format");

    [Theory]
    [InlineData("9979011508900001")] // province 99 does not exist
    [InlineData("2001011508900001")] // province 20 does not exist
    [InlineData("0079011508900001")]
    [InlineData("3599011508900001")] // Jawa Timur has no kab/kota 99
    [InlineData("3500011508900001")]
    public void Parse_UnknownProvinceOrKabKota_IsRefusedAsUnknownRegion(string input) =>
        AssertRefused(input, "nik.unknown_region");

    [Theory]
    [InlineData("3579013208900001")] // day 32
    [InlineData("3579017208900001")] // women's day 72 = 32
    [InlineData("3579010008900001")] // day 0
    [InlineData("3579014008900001")] // day 40: a man's day 40 does not exist
    [InlineData("3579011513900001")] // month 13
    [InlineData("3579011500900001")] // month 0
    [InlineData("3579013104900001")] // 31 April
    [InlineData("3579012902010001")] // 29 Feb 2001, not a leap year
    [InlineData("3579016902010001")] // women's 29 Feb 2001
    public void Parse_ImpossibleBirthDate_IsRefusedAsInvalidBirthDate(string input) =>
        AssertRefused(input, "nik.invalid_birth_date");

    [Theory]
    [InlineData("3579012902000001", "2000-02-29", Gender.Male)]
    [InlineData("3579016902040001", "2004-02-29", Gender.Female)]
    public void Parse_TwentyNinthFebruaryOfALeapYear_IsValid(string input, string born, Gender gender)
    {
        var nik = Parse(input).Value;

        Assert.Equal(DateOnly.Parse(born, CultureInfo.InvariantCulture), nik.BirthDate);
        Assert.Equal(gender, nik.Gender);
    }

    [Fact]
    public void Parse_BornToday_IsValid() =>
        Assert.Equal(Today, Parse("3579010106250001").Value.BirthDate);

    [Fact]
    public void Parse_SequenceZero_IsRefusedAsInvalidFormat() =>
        AssertRefused("3579011508900000", "nik.invalid_format");

    [Theory]
    // Two-digit year → the latest century in which the date is not in the future (today = 1 June 2025 unless given).
    [InlineData("3579010101250001", "2025-06-01", 2025)]
    [InlineData("3579010101260001", "2025-06-01", 1926)]
    [InlineData("3579010101000001", "2025-06-01", 2000)]
    [InlineData("3579010101990001", "2025-06-01", 1999)]
    [InlineData("3579010206250001", "2025-06-01", 1925)] // 2 June 25 read on 1 June 2025: 2025 would be tomorrow
    [InlineData("3579010107250001", "2025-06-01", 1925)] // July 25: later this year, so 1925
    [InlineData("3579010101260001", "2030-01-01", 2026)]
    [InlineData("3579010101300001", "2030-01-01", 2030)]
    [InlineData("3579010101310001", "2030-01-01", 1931)]
    public void Parse_TwoDigitYear_PicksTheLatestCenturyNotInTheFuture(string input, string today, int year)
    {
        var nik = Parse(input, DateOnly.Parse(today, CultureInfo.InvariantCulture)).Value;

        Assert.Equal(year, nik.BirthDate.Year);
    }

    [Fact]
    public void Masked_ShowsOnlyTheFirstFourAndLastTwoDigits()
    {
        var nik = Parse("3579011508900001").Value;

        Assert.Equal("3579**********01", nik.Masked);
        Assert.Equal("3579**********01", Nik.Mask("3579011508900001"));
    }

    [Fact]
    public void ToString_NeverReturnsTheDigits()
    {
        var nik = Parse("3579015508900002").Value;

        Assert.Equal("3579**********02", nik.ToString());
        Assert.DoesNotContain(nik.Value, $"{nik}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3579")]
    [InlineData("35790115089000011")]
    public void Mask_OfSomethingNotSixteenLong_HidesEverything(string input) =>
        Assert.Equal(new string('*', input.Length), Nik.Mask(input));

    [Fact]
    public void OpenCaseFor_CarriesTheMaskedNikAndGender_NotTheDigitsOrTheBirthDate()
    {
        var nik = Parse("3579015508900002").Value;

        var open = OpenCase.For("PBC-1", nik, "hmac:abc", "Siti", "35.79.01", Segment.Umkm, null, true);

        Assert.Equal("3579**********02", open.NikMasked);
        Assert.Equal(Gender.Female, open.Gender);
        Assert.DoesNotContain(nik.Value, open.ToString(), StringComparison.Ordinal);
    }

    private static void AssertRefused(string? input, string code)
    {
        var result = Parse(input);

        Assert.True(result.IsRefused);
        Assert.Equal(code, result.Refusal!.Code);
        Assert.Equal("nik", result.Refusal.Field);
        Assert.False(string.IsNullOrWhiteSpace(result.Refusal.Indonesian));
        if (!string.IsNullOrEmpty(input))
        {
            // A refusal names what is wrong, never the digits.
            Assert.DoesNotContain(input, result.Refusal.Indonesian, StringComparison.Ordinal);
            Assert.DoesNotContain(input, result.Refusal.English, StringComparison.Ordinal);
        }
    }
}
