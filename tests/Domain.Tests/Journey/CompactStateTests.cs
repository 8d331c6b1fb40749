using System.Security.Cryptography;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Journey;

/// <summary>
/// A case in memory holds its NIK hash, masked NIK and kecamatan compactly (the national caseload is held in memory), and
/// gives each back exactly as it was written.
/// </summary>
public sealed class CompactStateTests
{
    [Fact]
    public void TheNikHashAndMaskedNik_ReadBackExactly_AndTheKecamatanIsOneStringForAllItsCases()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData("3579010101900001"u8));
        var first = Opened(hash, "3579**********01", new string("35.79.01".AsSpan()));
        var second = Opened(hash, "3579**********01", new string("35.79.01".AsSpan()));

        Assert.Equal(hash, first.NikHash);
        Assert.Equal("3579**********01", first.NikMasked);
        Assert.Equal("35.79.01", first.RegionCode);
        Assert.Same(first.RegionCode, second.RegionCode);
        // Folding keeps them (a record's copy).
        var next = CaseState.Apply(first, new NoteAdded("catatan"), 2, CaseScenario.OpenedAt.AddMinutes(1));
        Assert.Equal((hash, "3579**********01"), (next.NikHash, next.NikMasked));
    }

    [Theory]
    [InlineData("")]
    [InlineData("erased")]
    [InlineData("hmac:3f1c9a")]
    [InlineData("3579*********01")]
    [InlineData("357a**********01")]
    [InlineData("3579**********0x")]
    [InlineData("3579*****X****01")]
    public void AnyOtherMaskedText_IsKeptAsItWasGiven(string text)
    {
        Assert.Equal(text, MaskedNik.From(text).ToString());
        Assert.Equal(text, Opened(text, text, "35.79.01").NikMasked);
        Assert.Equal(text, Opened(text, text, "35.79.01").NikHash);
    }

    [Fact]
    public void MaskedNiks_AreEqualWhenTheirTextIs()
    {
        Assert.Equal(MaskedNik.From("0001**********00"), MaskedNik.From("0001**********00"));
        Assert.Equal("0001**********00", MaskedNik.From("0001**********00").ToString());
        Assert.NotEqual(MaskedNik.From("3579**********01"), MaskedNik.From("3579**********02"));
        Assert.NotEqual(MaskedNik.From("0001**********00"), MaskedNik.From("erased"));
    }

    [Fact]
    public void AnUnknownRegionCode_IsKeptAsGiven()
    {
        var code = new string("99.99.99".AsSpan());
        Assert.Same(code, Opened("h", "m", code).RegionCode);
    }

    private static CaseState Opened(string nikHash, string nikMasked, string regionCode) =>
        CaseState.Apply(null, new CaseOpened("PBC-2025-000001", nikHash, nikMasked, "Siti Rahayu", Gender.Female, regionCode, Segment.Umkm, null, true),
            1, CaseScenario.OpenedAt);
}
