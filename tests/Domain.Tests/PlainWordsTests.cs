using CaseGrains.Domain.Tests.Support;
using Xunit.Sdk;

namespace CaseGrains.Domain.Tests;

/// <summary>The check every refused command in these tests goes through catches what it is for.</summary>
public sealed class PlainWordsTests
{
    [Theory]
    [InlineData("Nilai 'date' harus between the case's opening and today.", "Value must be in range.")]
    [InlineData("Layanan ini untuk segmen EkonomiKreatif.", "For the creative economy segment.")]
    [InlineData("Tahap Pelatihan berstatus aktif.", "Stage Training is NotStarted.")]
    [InlineData("'KUR Mikro' untuk usaha kelas Micro/Small.", "'KUR Mikro' serves micro and small businesses.")]
    public void EnglishInIndonesian_OrARawEnumName_IsCaught(string indonesian, string english)
    {
        Assert.ThrowsAny<XunitException>(() => PlainWords.AssertPlain(new Refusal("x.y", indonesian, english)));
    }

    [Fact]
    public void QuotedNames_AndPlainSentences_Pass()
    {
        PlainWords.AssertPlain(new Refusal("x.y", "Kolom 'the' wajib diisi untuk 'KabKota Batu'.", "'the' is required."));
    }
}
