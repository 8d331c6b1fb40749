using System.Security.Cryptography;
using CaseGrains.Grains.Identity;

namespace CaseGrains.Grains.Tests;

/// <summary>The sealing of personal fields: whatever a person types is sealed, and a value that does not open never stops a case loading.</summary>
public sealed class SubjectCipherTests
{
    private readonly SubjectCipher _cipher = new("3579-000001", RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void ANoteThatLooksSealed_IsSealedLikeAnyOther_AndOpensToWhatWasTyped()
    {
        const string typed = """{"text":"enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""";
        var stored = _cipher.Seal("NoteAdded", typed);

        Assert.NotEqual(typed, stored);
        Assert.DoesNotContain("AAAAAAAAAAAAAAAAAAAA", stored, StringComparison.Ordinal);
        Assert.Equal(typed, _cipher.Open("NoteAdded", stored));
    }

    [Theory]
    [InlineData("""{"text":"enc:v1:not base64 !"}""")]
    [InlineData("""{"text":"enc:v1:QUJD"}""")]
    [InlineData("""{"text":"enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    public void AStoredValueThatDoesNotOpen_IsShownAsStored(string stored) =>
        Assert.Equal(stored, _cipher.Open("NoteAdded", stored));

    [Fact]
    public void AValueSealedForAnotherCase_DoesNotOpenHere()
    {
        var other = new SubjectCipher("3579-000002", RandomNumberGenerator.GetBytes(32)).Seal("NoteAdded", """{"text":"Bu Sri"}""");
        Assert.DoesNotContain("Bu Sri", _cipher.Open("NoteAdded", other), StringComparison.Ordinal);
    }
}
