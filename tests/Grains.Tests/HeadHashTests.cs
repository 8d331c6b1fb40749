using System.Security.Cryptography;
using CaseGrains.Domain.Timeline;

namespace CaseGrains.Grains.Tests;

/// <summary>The head hash a case holds as bytes is given back exactly as it was read, whatever its form.</summary>
public sealed class HeadHashTests
{
    [Fact]
    public void AChainHash_RoundTrips()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData("head"u8));

        Assert.Equal(hash, HeadHash.From(hash).ToString());
        Assert.Equal(EventChain.Genesis, HeadHash.Genesis.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789a")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678g")]
    public void AnyOtherText_IsKeptAsItWasRead(string stored) =>
        Assert.Equal(stored, HeadHash.From(stored).ToString());
}
