using CaseGrains.Domain.Privacy;

namespace CaseGrains.Domain.Tests.PersonalData;

public sealed class RetentionPolicyTests
{
    [Theory]
    [InlineData("P5Y", 5, 0, 0)]
    [InlineData("P18M", 0, 18, 0)]
    [InlineData("P90D", 0, 0, 90)]
    [InlineData(" P1Y6M15D ", 1, 6, 15)]
    public void Parse_TakesYearsMonthsAndDays(string text, int years, int months, int days)
    {
        Assert.True(RetentionPeriod.TryParse(text, out var period));
        Assert.Equal(new RetentionPeriod(years, months, days), period);
        Assert.Equal(text.Trim(), period.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("P")]
    [InlineData("P0D")]
    [InlineData("5Y")]
    [InlineData("P5W")]
    [InlineData("PT5H")]
    [InlineData("P-1Y")]
    public void Parse_RefusesAnythingElse(string? text) => Assert.False(RetentionPeriod.TryParse(text, out _));

    [Fact]
    public void Governing_IsThePersonalPurposeWhosePeriodEndsFirst_StatisticsNever()
    {
        var policy = Policy(("CaseManagement", "P5Y"), ("Mentoring", "P2Y"), ("PartnerSharing", "P3Y"), ("Statistics", "P1Y"));
        var ended = new DateTimeOffset(2026, 2, 28, 10, 0, 0, TimeSpan.Zero);

        var (purpose, period, due) = policy.Governing(ended);

        Assert.Equal(("Mentoring", new RetentionPeriod(2, 0, 0), new DateTimeOffset(2028, 2, 28, 10, 0, 0, TimeSpan.Zero)), (purpose, period, due));
    }

    [Fact]
    public void EndedBefore_LetsThroughEveryCaseSomePurposeMakesDue()
    {
        var policy = Policy(("CaseManagement", "P1Y"), ("Mentoring", "P18M"), ("PartnerSharing", "P2Y"));
        var now = new DateTimeOffset(2030, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var bound = policy.EndedBefore(now);

        foreach (var ended in Enumerable.Range(0, 1200).Select(d => now.AddDays(-d)))
        {
            if (policy.Governing(ended).DueAt <= now)
            {
                Assert.True(ended < bound, $"{ended:O} is due but not below the bound {bound:O}");
            }
        }
    }

    private static RetentionPolicy Policy(params (string Purpose, string Period)[] periods) =>
        new(periods.ToDictionary(p => p.Purpose, p => RetentionPeriod.TryParse(p.Period, out var v) ? v : throw new ArgumentException(p.Period)));
}
