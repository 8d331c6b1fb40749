using System.Globalization;
using System.Text;

namespace CaseGrains.Domain;

/// <summary>
/// Names as search compares them: lower case, without diacritics, letters and digits only ("Dédé Setiawan, S.E." →
/// "dede setiawan s e"). The case list stores this key beside the name, and a query is cut into the same words.
/// </summary>
public static class SearchText
{
    public static string Key(string? text)
    {
        var builder = new StringBuilder((text ?? "").Length);
        var space = true;
        foreach (var c in (text ?? "").Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString().TrimEnd().Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// The key a case list stores for a name: <see cref="Key"/>, or one space for a name without letters or digits (an
    /// empty stored key marks a row written before keys existed, which the start-up fills in).
    /// </summary>
    public static string StoredKey(string? fullName) => Key(fullName) is { Length: > 0 } key ? key : " ";

    /// <summary>The words of a query, each to be found somewhere in a name's key (parts of words too).</summary>
    public static IReadOnlyList<string> Words(string? query) =>
        Key(query).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Take(MaxWords).ToList();

    /// <summary>The most words of a query that count.</summary>
    public const int MaxWords = 6;
}
