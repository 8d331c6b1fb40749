using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CaseGrains.WebFrontend.Hubs;

/// <summary>What the server calls on a dashboard client.</summary>
public interface IDashboardClient
{
    /// <summary>The numbers of a watched region changed: fetch <c>GET /api/dashboard?region=…</c> again.</summary>
    Task DashboardChanged(string regionCode);
}

/// <summary>
/// <c>/hubs/dashboard</c>: the ministry dashboard's live updates. A client watches the regions it shows; each watch is
/// checked by the grains (the same rule as reading the numbers). Only "changed" notices travel here, never numbers.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class DashboardHub(IGrainFactory grains, DashboardRelay relay) : Hub<IDashboardClient>
{
    public const string Path = "/hubs/dashboard";
    public const int MaxWatches = 50;

    public static string Group(string regionCode) => "dashboard:" + regionCode;

    /// <summary>Start receiving notices for a region; false (and nothing watched) when the caller may not see its numbers.</summary>
    public async Task<bool> Watch(string regionCode)
    {
        var region = string.IsNullOrWhiteSpace(regionCode) ? Domain.Services.Offer.National : regionCode.Trim();
        var actor = await CurrentActor.LookupAsync(Context.User, grains);
        if (actor is null || relay.WatchCount(Context.ConnectionId) >= MaxWatches
            || !await grains.GetGrain<IProgrammeStatsGrain>(0).MayWatch(region, actor))
        {
            return false;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, Group(region));
        await relay.WatchAsync(Context.ConnectionId, region);
        return true;
    }

    public async Task Unwatch(string regionCode)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(regionCode));
        await relay.UnwatchAsync(Context.ConnectionId, regionCode);
    }

    private static readonly KeyValuePair<string, object?> HubTag = new("hub", "dashboard");

    public override async Task OnConnectedAsync()
    {
        Grains.Hosting.CaseGrainsTelemetry.ConnectedClients.Add(1, HubTag);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        Grains.Hosting.CaseGrainsTelemetry.ConnectedClients.Add(-1, HubTag);
        await relay.DisconnectAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }
}
