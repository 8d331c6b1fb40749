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

    public static void AssertPlain(Refusal refusal)
    {
        foreach (var name in EnglishNames)
        {
            Assert.False(Regex.IsMatch(Unquoted(refusal.Indonesian), $@"\b{name}\b"), $"'{refusal.Code}' shows the English name {name} in Indonesian: {refusal.Indonesian}");
        }

        var indonesian = Unquoted(refusal.Indonesian);
        foreach (var word in English)
        {
            Assert.False(Regex.IsMatch(indonesian, $@"\b{word}\b"), $"'{refusal.Code}' has the English word '{word}' in Indonesian: {refusal.Indonesian}");
        }

        foreach (var raw in RawNames)
        {
            Assert.False(Regex.IsMatch(Unquoted(refusal.Indonesian), $@"\b{raw}\b"), $"'{refusal.Code}' shows the raw name {raw}: {refusal.Indonesian}");
            Assert.False(Regex.IsMatch(Unquoted(refusal.English), $@"\b{raw}\b"), $"'{refusal.Code}' shows the raw name {raw}: {refusal.English}");
        }
    }

    /// <summary>The text without what it quotes (field names, offer names typed by people).</summary>
    private static string Unquoted(string text) => Quoted().Replace(text, "''");

    [GeneratedRegex("'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex("^[A-Z][a-z]+[A-Z]")]
    private static partial Regex InnerCapital();
}
