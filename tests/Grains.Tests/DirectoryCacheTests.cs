using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// The silo's directory cache is bounded by <c>CaseGrains:DirectoryCacheSize</c> (a national caseload would otherwise
/// keep an address per active case in it), and a case whose address has left the cache is still reached.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DirectoryCacheTests(ClusterFixture fx)
{
    [Fact]
    public async Task TheCacheIsBoundedByItsSetting_AndCasesWhoseAddressesLeftItAreStillReached()
    {
        Assert.Equal(100_000, new CaseGrainsOptions().DirectoryCacheSize);
        var options = fx.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
        Assert.Equal(ClusterFixture.DirectoryCacheSize, options.CacheSize);

        // Four times as many cases as the cache holds, each read again after all were opened.
        var cases = new List<(Abstractions.ICaseGrain Grain, string Number)>();
        for (var i = 0; i < 4 * ClusterFixture.DirectoryCacheSize; i++)
        {
            var grain = await fx.OpenCaseAsync();
            cases.Add((grain, grain.GetPrimaryKeyString()));
        }

        foreach (var (grain, number) in cases)
        {
            var view = await grain.GetView(ClusterFixture.Caseworker, "test");
            Assert.Equal(number, view!.CaseNumber);
        }
    }
}
