using System.Collections.Concurrent;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CaseGrains.WebFrontend.Realtime;

/// <summary>
/// The dashboards' push path inside one frontend: one observer for the process, subscribed to the change signal of
/// every region some connection here watches (renewed with the live feeds), relaying each notice to that region's
/// SignalR group.
/// </summary>
public sealed partial class DashboardRelay(IGrainFactory grains, IHubContext<DashboardHub, IDashboardClient> hub, ILogger<DashboardRelay> logger)
    : IDashboardObserver, IHostedService, IDisposable
{
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    // region → connections watching it here
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _regions = new(StringComparer.Ordinal);
    private IDashboardObserver? _self;
    private Timer? _renew;

    private IDashboardObserver Self => _self ??= grains.CreateObjectReference<IDashboardObserver>(this);

    public void OnChanged(string regionCode)
    {
        _ = hub.Clients.Group(DashboardHub.Group(regionCode)).DashboardChanged(regionCode).ContinueWith(t => LogPushFailed(t.Exception!, regionCode),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public int WatchCount(string connectionId) => _regions.Values.Count(c => c.ContainsKey(connectionId));

    public async Task WatchAsync(string connectionId, string regionCode)
    {
        _regions.GetOrAdd(regionCode, _ => new(StringComparer.Ordinal))[connectionId] = 0;
        await grains.GetGrain<IDashboardFeedGrain>(regionCode).Subscribe(Self);
    }

    public async Task UnwatchAsync(string connectionId, string regionCode)
    {
        if (_regions.TryGetValue(regionCode, out var connections) && connections.TryRemove(connectionId, out _) && connections.IsEmpty)
        {
            _regions.TryRemove(regionCode, out _);
            await grains.GetGrain<IDashboardFeedGrain>(regionCode).Unsubscribe(Self);
        }
    }

    public async Task DisconnectAsync(string connectionId)
    {
        foreach (var region in _regions.Where(r => r.Value.ContainsKey(connectionId)).Select(r => r.Key).ToList())
        {
            await UnwatchAsync(connectionId, region);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _renew = new Timer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _renew?.Change(Timeout.Infinite, Timeout.Infinite);
        return Task.CompletedTask;
    }

    public void Dispose() => _renew?.Dispose();

    private async Task RenewAsync()
    {
        foreach (var region in _regions.Keys)
        {
            try
            {
                await grains.GetGrain<IDashboardFeedGrain>(region).Subscribe(Self);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogRenewFailed(ex, region);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard push for region {RegionCode} failed")]
    private partial void LogPushFailed(Exception ex, string regionCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the dashboard subscription of region {RegionCode} failed")]
    private partial void LogRenewFailed(Exception ex, string regionCode);
}
