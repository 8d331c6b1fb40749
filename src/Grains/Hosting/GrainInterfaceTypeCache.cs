using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// Remembers each grain interface's <see cref="GrainInterfaceType"/>. Orleans 10's <see cref="GrainInterfaceTypeResolver"/>
/// works it out again on every <c>GetGrain</c> (each provider reads the interface's custom attributes, then the type
/// name is formatted by convention): 7–8 % of a frontend's CPU samples on warm reads and steps (BENCHMARKS.md, "Where
/// the CPU goes"). Placed first among the providers, this one answers from its dictionary and, for an interface it has not seen,
/// asks the resolver once (the resolver's own providers and convention, while this one steps aside on that thread), so
/// the answer is the one Orleans gives.
/// </summary>
public sealed class GrainInterfaceTypeCache(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    [ThreadStatic]
    private static bool t_resolving;

    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _known = new();

    /// <summary>How many interfaces were worked out by the resolver (once each).</summary>
    public int Resolved => _known.Count;

    /// <summary>Adds the cache as the first provider, ahead of those Orleans registers.</summary>
    public static void AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationType == typeof(GrainInterfaceTypeCache)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, GrainInterfaceTypeCache>());
        }
    }

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (_known.TryGetValue(type, out grainInterfaceType))
        {
            return true;
        }

        if (t_resolving)
        {
            // The resolver asking its providers on this cache's behalf: let the others answer.
            return false;
        }

        t_resolving = true;
        try
        {
            grainInterfaceType = services.GetRequiredService<GrainInterfaceTypeResolver>().GetGrainInterfaceType(type);
        }
        finally
        {
            t_resolving = false;
        }

        _known.TryAdd(type, grainInterfaceType);
        return true;
    }
}
