using System.Text.RegularExpressions;
using CaseGrains.Domain.Words;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>
/// Every refusal a test meets is read as a caseworker would: the Indonesian text holds no English sentence words, and
/// neither text shows a raw enum name where a word belongs ("KabKota", "NotStarted", "EkonomiKreatif").
/// </summary>
internal static partial class PlainWords
{
    // English words that never belong in an Indonesian sentence (whole words; quoted names and codes are fine).
    private static readonly string[] English = ["the", "must", "between", "before", "after", "is", "are", "not", "cannot", "and", "or", "of", "with", "already", "only"];

    // Enum names that are not words themselves: those whose text in neither language is the name.
    private static readonly IReadOnlyList<string> RawNames = [.. EnumWords.Table.Values.SelectMany(v => v)
        .Where(kv => !kv.Value.Contains(kv.Key, StringComparer.Ordinal) && InnerCapital().IsMatch(kv.Key))
        .Select(kv => kv.Key).Distinct(StringComparer.Ordinal)];

    // One-word enum names in English ("Micro", "Disbursed") whose Indonesian word is another ("Usaha mikro", "Dicairkan"):
    // in an Indonesian sentence they are English showing through.
    private static readonly IReadOnlyList<string> EnglishNames = [.. EnumWords.Table.Values.SelectMany(v => v)
        .Where(kv => !InnerCapital().IsMatch(kv.Key) && !kv.Value[0].Contains(kv.Key, StringComparison.OrdinalIgnoreCase))
        .Select(kv => kv.Key).Distinct(StringComparer.Ordinal)];

    // Each list as one whole-word pattern, built once (the property tests read thousands of refusals).
    private static readonly Regex EnglishWord = AnyWord(English);
    private static readonly Regex EnglishName = AnyWord(EnglishNames);
    private static readonly Regex RawName = AnyWord(RawNames);

    private static Regex AnyWord(IReadOnlyList<string> words) => new(words.Count == 0 ? "(?!)"
        : $@"\b(?:{string.Join("|", words.Select(Regex.Escape))})\b", RegexOptions.CultureInvariant);

    public static void AssertPlain(Refusal refusal)
    {
        var (indonesian, english) = (Unquoted(refusal.Indonesian), Unquoted(refusal.English));
        var found = EnglishName.Match(indonesian);
        Assert.False(found.Success, $"'{refusal.Code}' shows the English name {found.Value} in Indonesian: {refusal.Indonesian}");
        found = EnglishWord.Match(indonesian);
        Assert.False(found.Success, $"'{refusal.Code}' has the English word '{found.Value}' in Indonesian: {refusal.Indonesian}");
        found = RawName.Match(indonesian);
        Assert.False(found.Success, $"'{refusal.Code}' shows the raw name {found.Value}: {refusal.Indonesian}");
        found = RawName.Match(english);
        Assert.False(found.Success, $"'{refusal.Code}' shows the raw name {found.Value}: {refusal.English}");
    }

    /// <summary>The text without what it quotes (field names, offer names typed by people).</summary>
    private static string Unquoted(string text) => Quoted().Replace(text, "''");

    [GeneratedRegex("'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex("^[A-Z][a-z]+[A-Z]")]
    private static partial Regex InnerCapital();
}
