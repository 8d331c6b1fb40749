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

    public static void AssertPlain(Refusal refusal)
    {
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
