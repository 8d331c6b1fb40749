using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>Reads a screen as a person would, for enum names left raw (the words come from src/Domain/Words/enums.json).</summary>
internal static partial class PlainPage
{
    /// <summary>
    /// The page shows no enum name where a word belongs: in Bahasa Indonesia no value name whose Indonesian word differs
    /// ("Micro", "NotStarted", "KabKota"); in English no run-together name ("EkonomiKreatif", "ReferralOffered").
    /// </summary>
    public static async Task AssertPlainAsync(IPage page, string screen)
    {
        await Assertions.Expect(page.Locator("#app")).Not.ToBeEmptyAsync();
        var lang = await page.EvaluateAsync<string>("() => document.documentElement.lang");
        // Codes a person types (a CSV file's values, shown as code) are what they are; the rest must be words.
        var text = await page.EvaluateAsync<string>("""
            () => { const copy = document.getElementById('app').cloneNode(true); copy.querySelectorAll('code').forEach(c => c.remove()); document.body.append(copy);
                    copy.hidden = false; const text = copy.innerText; copy.remove(); return text; }
            """);
        var raw = RawNames(lang).Where(name => Regex.IsMatch(text, $@"\b{name}\b")).ToList();
        Assert.True(raw.Count == 0, $"{screen} ({lang}) shows raw names: {string.Join(", ", raw)}");
    }

    public static IEnumerable<string> RawNames(string lang)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root(), "src", "Domain", "Words", "enums.json")));
        foreach (var type in json.RootElement.EnumerateObject())
        {
            foreach (var value in type.Value.EnumerateObject())
            {
                var word = value.Value[lang == "id" ? 0 : 1].GetString();
                if (word != value.Name && (lang == "id" || InnerCapital().IsMatch(value.Name)))
                {
                    yield return value.Name;
                }
            }
        }
    }

    [GeneratedRegex("^[A-Z][a-z]+[A-Z]")]
    private static partial Regex InnerCapital();
}

/// <summary>The workbench case page's parts, as the browser tests find them.</summary>
internal static class CasePage
{
    /// <summary>A stage of the stepper (its <c>data-state</c> is the stage's state).</summary>
    public static ILocator Stage(IPage page, string stage) => page.Locator($"#stages li[data-stage='{stage}']");

    /// <summary>An enrolment of the case (its <c>data-status</c> is the enrolment's status).</summary>
    public static ILocator Enrolment(IPage page, string offerId) => page.Locator($"#enrolments li[data-offer='{offerId}']");
}
