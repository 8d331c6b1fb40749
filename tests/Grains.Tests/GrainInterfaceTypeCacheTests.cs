using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// A grain interface's <see cref="GrainInterfaceType"/> is worked out once per process (Orleans alone does it on every
/// <c>GetGrain</c>), and it is the one Orleans' own providers and convention give.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainInterfaceTypeCacheTests(ClusterFixture fx)
{
    [Fact]
    public async Task EveryGrainInterface_ResolvesAsOrleansAloneWould_AndIsWorkedOutOnce()
    {
        var services = fx.Cluster.Silos[0].ServiceProvider;
        var providers = services.GetServices<IGrainInterfaceTypeProvider>().ToArray();
        var cache = Assert.IsType<GrainInterfaceTypeCache>(providers[0]);
        var resolver = services.GetRequiredService<GrainInterfaceTypeResolver>();
        var orleansAlone = new GrainInterfaceTypeResolver(providers.Skip(1), services.GetRequiredService<TypeConverter>());

        var interfaces = typeof(ICaseGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t) && !t.ContainsGenericParameters).ToArray();
        Assert.True(interfaces.Length >= 10, $"only {interfaces.Length} grain interfaces found");
        foreach (var type in interfaces)
        {
            Assert.Equal(orleansAlone.GetGrainInterfaceType(type), resolver.GetGrainInterfaceType(type));
        }

        // Asked again, from many threads at once: nothing is worked out anew.
        var resolved = cache.Resolved;
        Assert.True(resolved >= interfaces.Length);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            foreach (var type in interfaces)
            {
                Assert.Equal(orleansAlone.GetGrainInterfaceType(type), resolver.GetGrainInterfaceType(type));
            }
        })));
        Assert.Equal(resolved, cache.Resolved);

        // A reference made through the cache reaches its grain.
        var opened = await fx.OpenCaseAsync();
        var again = fx.Cluster.Client.GetGrain<ICaseGrain>(opened.GetPrimaryKeyString());
        Assert.Equal(opened.GetPrimaryKeyString(), (await again.GetView(ClusterFixture.Caseworker, "test"))!.CaseNumber);
    }
}
