using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Tests.Support;

namespace CaseGrains.Domain.Tests.Business;

/// <summary>PP 7/2021 art. 35: upper bounds are inclusive.</summary>
public sealed class UmkmClassifierTests
{
    private const long Bn = UmkmClassifier.Billion;

    [Theory]
    [InlineData(0, UmkmClass.Micro)]
    [InlineData(1, UmkmClass.Micro)]
    [InlineData(2 * Bn, UmkmClass.Micro)]
    [InlineData(2 * Bn + 1, UmkmClass.Small)]
    [InlineData(15 * Bn, UmkmClass.Small)]
    [InlineData(15 * Bn + 1, UmkmClass.Medium)]
    [InlineData(50 * Bn, UmkmClass.Medium)]
    [InlineData(50 * Bn + 1, UmkmClass.Large)]
    [InlineData(long.MaxValue, UmkmClass.Large)]
    public void BySales_BoundariesAreInclusive(long annualSales, UmkmClass expected) =>
        Assert.Equal(expected, UmkmClassifier.BySales(annualSales));

    [Theory]
    [InlineData(0, UmkmClass.Micro)]
    [InlineData(1 * Bn, UmkmClass.Micro)]
    [InlineData(1 * Bn + 1, UmkmClass.Small)]
    [InlineData(5 * Bn, UmkmClass.Small)]
    [InlineData(5 * Bn + 1, UmkmClass.Medium)]
    [InlineData(10 * Bn, UmkmClass.Medium)]
    [InlineData(10 * Bn + 1, UmkmClass.Large)]
    public void ByCapital_BoundariesAreInclusive(long capital, UmkmClass expected) =>
        Assert.Equal(expected, UmkmClassifier.ByCapital(capital));

    [Theory]
    [InlineData(3 * Bn, 500_000_000, UmkmClass.Small)]  // sales reported: sales decide, capital ignored
    [InlineData(1, 20 * Bn, UmkmClass.Micro)]           // even Rp1 of sales wins over a large capital
    [InlineData(60 * Bn, 0, UmkmClass.Large)]
    [InlineData(0, 6 * Bn, UmkmClass.Medium)]           // no sales yet: capital decides
    [InlineData(0, 1 * Bn, UmkmClass.Micro)]
    [InlineData(0, 0, UmkmClass.Micro)]
    public void Derive_UsesSalesWhenPositiveElseCapital(long sales, long capital, UmkmClass expected) =>
        Assert.Equal(expected, UmkmClassifier.Derive(sales, capital));

    [Theory]
    [InlineData(2 * Bn, 0, UmkmClass.Micro)]
    [InlineData(3 * Bn, 100_000_000, UmkmClass.Small)]
    [InlineData(0, 6 * Bn, UmkmClass.Medium)]
    public void RecordAssessment_DerivesTheClassIntoTheEventAndProfile(long turnover, long capital, UmkmClass expected)
    {
        var c = CaseScenario.WithStage(Stage.Assessment, StageState.Active);

        var result = c.Decide(new RecordAssessment("Kuliner", turnover, capital, 3, ["Modal kerja"]));
        Assert.False(result.IsRefused, result.Refusal?.Code);
        var recorded = Assert.IsType<AssessmentRecorded>(result.Value);
        c.Apply(recorded);

        Assert.Equal(expected, recorded.UmkmClass);
        Assert.Equal(expected, c.State.Profile!.UmkmClass);
    }
}
