using CaseGrains.Domain.Regions;

namespace CaseGrains.Domain.Tests.Regions;

public sealed class RegionTableTests
{
    private static RegionTable Table => RegionTable.Kemendagri;

    [Fact]
    public void Table_HasThirtyEightProvinces() =>
        Assert.Equal(38, Table.All.Count(r => r.Level == RegionLevel.Province));

    [Fact]
    public void KotaBatu_IsAKota()
    {
        var batu = Table.Find("35.79");

        Assert.NotNull(batu);
        Assert.Equal("Kota Batu", batu.Name);
        Assert.Equal(RegionLevel.Regency, batu.Level);
        Assert.True(batu.IsKota);
    }

    [Fact]
    public void KabupatenMalang_IsNotAKota()
    {
        var malang = Table.Find("35.07");

        Assert.NotNull(malang);
        Assert.Equal("Kabupaten Malang", malang.Name);
        Assert.False(malang.IsKota);
    }

    [Fact]
    public void KecamatanBatu_Exists()
    {
        var batu = Table.Find("35.79.01");

        Assert.NotNull(batu);
        Assert.Equal("Batu", batu.Name);
        Assert.Equal(RegionLevel.District, batu.Level);
        Assert.False(batu.IsKota);
    }

    [Fact]
    public void Children_OfKotaBatu_AreExactlyItsThreeKecamatan() =>
        Assert.Equal(
            new[] { ("35.79.01", "Batu"), ("35.79.02", "Bumiaji"), ("35.79.03", "Junrejo") },
            Table.Children("35.79").Select(r => (r.Code, r.Name)));

    [Theory]
    [InlineData("35", RegionLevel.Province)]
    [InlineData("35.79", RegionLevel.Regency)]
    [InlineData("35.79.01", RegionLevel.District)]
    [InlineData("35.79.01.2001", RegionLevel.Village)]
    [InlineData("99.99.99.9999", RegionLevel.Village)] // shape only, not existence
    [InlineData("3579", null)]
    [InlineData("35.7", null)]
    [InlineData("35.79.1", null)]
    [InlineData("35.79.01.20", null)]
    [InlineData("35.79.01.20011", null)]
    [InlineData("35.79.01.2001.1", null)]
    [InlineData("3A", null)]
    [InlineData("35.7a", null)]
    [InlineData("35.79.01.200x", null)]
    [InlineData("35.", null)]
    [InlineData(".35", null)]
    [InlineData("35..01", null)]
    [InlineData("35-79", null)]
    [InlineData("\u0663\u0665", null)] // Arabic-Indic digits
    [InlineData("", null)]
    [InlineData(null, null)]
    public void LevelOf_ReadsTheLevelFromTheCodeShape(string? code, RegionLevel? expected) =>
        Assert.Equal(expected, RegionTable.LevelOf(code));

    [Theory]
    [InlineData("35", true)]
    [InlineData("35.79", true)]
    [InlineData("35.79.01", true)]
    [InlineData("35.79.01.2001", true)]  // desa under a known kecamatan
    [InlineData("35.79.03.1005", true)]  // kelurahan under a known kecamatan
    [InlineData("35.79.99.2001", false)] // under an unknown kecamatan
    [InlineData("35.79.01.0000", false)] // desa/kelurahan numbers start with 2 or 1
    [InlineData("35.79.01.3001", false)]
    [InlineData("35.99.01.2001", false)]
    [InlineData("35.79.99", false)]
    [InlineData("35.99", false)]
    [InlineData("99", false)]
    [InlineData("35.79.01.20", false)]
    [InlineData("3579", false)]
    [InlineData("", false)]
    public void IsKnown_AcceptsTableCodesAndDesaCodesUnderAKnownKecamatan(string code, bool known) =>
        Assert.Equal(known, Table.IsKnown(code));

    [Fact]
    public void EveryCode_HasTheShapeOfItsLevelAndAKnownParent()
    {
        var wrong = Table.All
            .Where(r => r.Level == RegionLevel.Village
                || RegionTable.LevelOf(r.Code) != r.Level
                || string.IsNullOrWhiteSpace(r.Name)
                || (r.Level != RegionLevel.Province && Table.Find(RegionTable.ParentCode(r.Code)!) is null))
            .Select(r => r.Code)
            .ToList();

        Assert.True(Table.Count > 7000, $"Only {Table.Count} regions loaded.");
        Assert.Empty(wrong);
    }

    [Fact]
    public void EveryKabKota_IsKotaExactlyWhenNamedKota()
    {
        // Kemendagri numbering: kabupaten 01–69, kota 71–99. Checks IsKota against the names in the data.
        var mismatched = Table.All
            .Where(r => r.Level == RegionLevel.Regency && r.IsKota != r.Name.StartsWith("Kota ", StringComparison.Ordinal))
            .Select(r => $"{r.Code} {r.Name}")
            .ToList();

        Assert.Empty(mismatched);
    }

    [Theory]
    [InlineData("35.79.01.2001", "35.79.01")]
    [InlineData("35.79.01", "35.79")]
    [InlineData("35.79", "35")]
    [InlineData("35", null)]
    public void ParentCode_DropsTheLastSegment(string code, string? parent) =>
        Assert.Equal(parent, RegionTable.ParentCode(code));

    [Theory]
    [InlineData("35.79.01.2001", "35.79")]
    [InlineData("35.79.01", "35.79")]
    [InlineData("35.79", "35.79")]
    [InlineData("35", null)]
    public void RegencyOf_IsTheKabKota(string code, string? regency) =>
        Assert.Equal(regency, RegionTable.RegencyOf(code));
}
