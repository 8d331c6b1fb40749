using CaseGrains.Grains.Abstractions;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace CaseGrains.Grains;

/// <summary>
/// Pushes to a user's feed on this silo (a case's events, notices, an import's progress, the end of a session): the feed
/// grain lives where the pusher does, so a push never waits on, or is lost with, another silo.
/// </summary>
public sealed class LocalFeed(IGrainFactory grains, ILocalSiloDetails silo)
{
    private readonly string _silo = silo.SiloAddress.ToParsableString();

    public Task Publish(FeedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return grains.GetGrain<IUserFeedGrain>(FeedKeys.For(item.UserId, _silo)).Publish(item);
    }
}

/// <summary>Places a grain keyed <c>…|silo</c> on that silo (while it is in the cluster; elsewhere once it is gone).</summary>
[GenerateSerializer, Immutable, Alias("cg.SiloKeyedPlacement")]
public sealed class SiloKeyedPlacement : PlacementStrategy
{
}

/// <summary>Marks a grain class for <see cref="SiloKeyedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloKeyedPlacementAttribute : PlacementAttribute
{
    public SiloKeyedPlacementAttribute()
        : base(new SiloKeyedPlacement())
    {
    }
}

/// <summary>The silo named in the grain's key if it is one of the compatible silos; otherwise the one placing it.</summary>
public sealed class SiloKeyedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        var named = FeedKeys.SiloOf(target.GrainIdentity.Key.ToString()!) is { } text ? SiloAddress.FromParsableString(text) : null;
        return Task.FromResult(named is not null && silos.Contains(named) ? named
            : silos.Contains(context.LocalSilo) ? context.LocalSilo : silos[0]);
    }
}
