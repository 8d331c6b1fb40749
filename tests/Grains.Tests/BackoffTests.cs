using CaseGrains.Grains.Hosting;

namespace CaseGrains.Grains.Tests;

/// <summary>The doubling wait between retries (consequences and notice deliveries): capped, and never wrapped around.</summary>
public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(8, 3600)]
    [InlineData(50, 3600)]
    public void TheWait_Doubles_UpToItsCap(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CaseGrainsOptions.Doubling(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1), attempts));

    [Fact]
    public void ALongFirstWaitAndManyAttempts_StayAtTheCap_NeverNegative()
    {
        for (var attempts = 0; attempts <= 100; attempts++)
        {
            var wait = CaseGrainsOptions.Doubling(TimeSpan.FromMinutes(59), TimeSpan.FromHours(1), attempts);
            Assert.InRange(wait, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        }

        Assert.Equal(TimeSpan.FromHours(1), new CaseGrainsOptions.DeliverySettings { FirstRetry = TimeSpan.FromHours(1) }.Backoff(40));
    }
}
