using System.Text.Json;

namespace CaseGrains.Domain.Words;

/// <summary>
/// Every enum value a person can see, in Bahasa Indonesia and English, from one place: <c>Words/enums.json</c>, embedded
/// here for the server's messages and bundled into the web UI for its screens. <see cref="Internal"/> names the enums
/// that never reach a screen; a test fails on an enum that is in neither.
/// </summary>
public static class EnumWords
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>>> Loaded = new(Load);

    /// <summary>Enum type name → value name → [Indonesian, English].</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>> Table => Loaded.Value;

    /// <summary>Enums that only the code sees (access kinds, storage states, sign-in plumbing).</summary>
    public static IReadOnlySet<string> Internal { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "CommandKind", "PlaceHolding", "PeopleReach", "SignInStatus", "SeatOutcome",
    };

    /// <summary>The value in Bahasa Indonesia (its name when the table has none, which a test forbids).</summary>
    public static string Id<T>(T value) where T : struct, Enum => Lookup(value)?[0] ?? value.ToString();

    /// <summary>The value in English.</summary>
    public static string En<T>(T value) where T : struct, Enum => Lookup(value)?[1] ?? value.ToString();

    /// <summary>The value as a word inside a sentence: the first letter lower-cased unless it starts an acronym ("usaha mikro", but "UMKM").</summary>
    public static string InSentence(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static string[]? Lookup<T>(T value) where T : struct, Enum =>
        Table.TryGetValue(typeof(T).Name, out var values) && values.TryGetValue(value.ToString(), out var words) ? words : null;

    private static Dictionary<string, IReadOnlyDictionary<string, string[]>> Load()
    {
        using var stream = typeof(EnumWords).Assembly.GetManifestResourceStream("CaseGrains.Domain.Words.enums.json")
            ?? throw new InvalidOperationException("The enum words are not embedded.");
        var table = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string[]>>>(stream)
            ?? throw new InvalidOperationException("The enum words are empty.");
        return table.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, string[]>)t.Value, StringComparer.Ordinal);
    }
}
