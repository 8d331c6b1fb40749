using System.Text.RegularExpressions;
using CaseGrains.Domain.Words;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// Every enum value a person can see has words in both languages in the one table (Domain/Words/enums.json), which the
/// server's messages and the web UI both read; an enum left out must be named as internal.
/// </summary>
public sealed partial class EnumWordsTests
{
    private static readonly Type[] Enums = [.. new[] { typeof(Domain.Journey.Stage).Assembly, typeof(Abstractions.CaseView).Assembly }
        .SelectMany(a => a.GetTypes()).Where(t => t.IsEnum && t.IsPublic)];

    [Fact]
    public void EveryPublicEnum_HasEveryValueInBothLanguages_OrIsNamedInternal()
    {
        var problems = new List<string>();
        foreach (var type in Enums.Where(t => !EnumWords.Internal.Contains(t.Name)))
        {
            if (!EnumWords.Table.TryGetValue(type.Name, out var values))
            {
                problems.Add($"{type.FullName} has no words");
                continue;
            }

            foreach (var name in Enum.GetNames(type))
            {
                if (!values.TryGetValue(name, out var words) || words.Length != 2 || words.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"{type.Name}.{name} needs an Indonesian and an English text");
                }
                else if (words.Any(w => w == name && InnerCapital().IsMatch(name)))
                {
                    problems.Add($"{type.Name}.{name} is shown raw");
                }
            }

            problems.AddRange(values.Keys.Except(Enum.GetNames(type)).Select(stale => $"{type.Name}.{stale} is no value of the enum"));
        }

        problems.AddRange(EnumWords.Table.Keys.Except(Enums.Select(t => t.Name)).Select(stale => $"{stale} is no enum"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheServerSays_AValueInEachLanguage()
    {
        Assert.Equal("Kabupaten/kota", EnumWords.Id(Domain.Services.OfferLevel.KabKota));
        Assert.Equal("Regency/city", EnumWords.En(Domain.Services.OfferLevel.KabKota));
        Assert.Equal("usaha mikro", EnumWords.InSentence(EnumWords.Id(Domain.Business.UmkmClass.Micro)));
        Assert.Equal("UMKM", EnumWords.InSentence(EnumWords.Id(Domain.Journey.Segment.Umkm)));
    }

    [GeneratedRegex("^[A-Z][a-z]+[A-Z]")]
    private static partial Regex InnerCapital();
}
