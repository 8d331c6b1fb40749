using System.Security.Cryptography;
using CaseGrains.Domain.Timeline;

namespace CaseGrains.Domain.Tests;

/// <summary>A hash held as bytes is given back exactly as it was read, whatever its form, and equal only to the same text.</summary>
public sealed class HashTextTests
{
    [Fact]
    public void AChainHash_RoundTrips()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData("head"u8));

        Assert.Equal(hash, HashText.From(hash).ToString());
        Assert.Equal(EventChain.Genesis, HashText.Genesis.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789a")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678g")]
    public void AnyOtherText_IsKeptAsItWasRead(string stored) =>
        Assert.Equal(stored, HashText.From(stored).ToString());

    [Fact]
    public void Equality_FollowsTheText()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData("nik"u8));

        Assert.Equal(HashText.From(hash), HashText.From(new string(hash.AsSpan())));
        Assert.NotEqual(HashText.From(hash), HashText.From(Convert.ToHexStringLower(SHA256.HashData("other"u8))));
        Assert.NotEqual(HashText.From(hash), HashText.From(hash.ToUpperInvariant()));
        Assert.Equal(HashText.From("erased"), HashText.From("erased"));
        Assert.NotEqual(HashText.From("erased"), HashText.From("Erased"));
    }
}
