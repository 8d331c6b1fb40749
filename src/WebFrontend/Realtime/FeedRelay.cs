using System.Collections.Concurrent;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Apis;
using CaseGrains.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CaseGrains.WebFrontend.Realtime;

/// <summary>
/// The push path inside one frontend: one observer object for the whole process, subscribed to the feed grain of
/// each user connected here (one subscription per user, whatever their number of connections and cases), renewed
/// every <see cref="RenewKey"/> seconds together with the users' follows. Feed items go to that user's connections.
/// </summary>
public sealed partial class FeedRelay(IGrainFactory grains, IHubContext<CaseHub, ICaseClient> hub, IConfiguration configuration, ILogger<FeedRelay> logger)
    : IFeedObserver, IHostedService, IDisposable
{
    /// <summary><c>CaseGrains:Live:RenewSeconds</c>: how often subscriptions and follows are renewed (1–60, default 30; they expire after 2 minutes).</summary>
    public const string RenewKey = "CaseGrains:Live:RenewSeconds";

    private readonly TimeSpan _renewEvery = ReadRenewInterval(configuration);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _sending = new(StringComparer.Ordinal);
    private IFeedObserver? _self;
    private Timer? _renew;

    public void OnFeedItem(FeedItem item)
    {
        // One user's items go out one after another, in the order they arrived: two sends started together could
        // otherwise reach the connection in either order (found by TwoFrontendTests under load).
        lock (_sending)
        {
            var previous = _sending.GetValueOrDefault(item.UserId) ?? Task.CompletedTask;
            var next = previous.ContinueWith(_ => SendAsync(item), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _sending[item.UserId] = next;
            _ = next.ContinueWith(_ =>
            {
                lock (_sending)
                {
                    if (_sending.TryGetValue(item.UserId, out var latest) && latest == next)
                    {
                        _sending.Remove(item.UserId);
                    }
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(FeedItem item)
    {
        try
        {
            var client = hub.Clients.User(item.UserId);
            await (item.Import is { } progress ? client.ImportProgress(progress)
                : item.AccessEnded || item.Event is null ? client.AccessEnded(item.CaseNumber)
                : client.CaseEvent(TimelineEvent.From(item.Event)));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPushFailed(ex, item.UserId);
        }
    }

    public async Task ConnectAsync(string userId, string connectionId)
    {
        var connections = _users.GetOrAdd(userId, _ => new(StringComparer.Ordinal));
        connections[connectionId] = new(StringComparer.Ordinal);
        await grains.GetGrain<IUserFeedGrain>(userId).Subscribe(Self);
    }

    public async Task DisconnectAsync(string userId, string connectionId)
    {
        if (_users.TryGetValue(userId, out var connections) && connections.TryRemove(connectionId, out _) && connections.IsEmpty)
        {
            _users.TryRemove(userId, out _);
            await grains.GetGrain<IUserFeedGrain>(userId).Unsubscribe(Self);
        }
    }

    public void Followed(string userId, string connectionId, string caseNumber)
    {
        if (_users.TryGetValue(userId, out var connections) && connections.TryGetValue(connectionId, out var cases))
        {
            cases[caseNumber] = 0;
        }
    }

    /// <summary>True when no connection of the user here follows the case any more.</summary>
    public bool Unfollowed(string userId, string connectionId, string caseNumber)
    {
        if (!_users.TryGetValue(userId, out var connections))
        {
            return true;
        }

        if (connections.TryGetValue(connectionId, out var cases))
        {
            cases.TryRemove(caseNumber, out _);
        }

        return !connections.Values.Any(c => c.ContainsKey(caseNumber));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _renew = new Timer(_ => _ = RenewAsync(), null, _renewEvery, _renewEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _renew?.Change(Timeout.Infinite, Timeout.Infinite);
        return Task.CompletedTask;
    }

    public void Dispose() => _renew?.Dispose();

    private static TimeSpan ReadRenewInterval(IConfiguration configuration)
    {
        var seconds = configuration.GetValue(RenewKey, 30);
        return seconds is >= 1 and <= 60
            ? TimeSpan.FromSeconds(seconds)
            : throw new Microsoft.Extensions.Options.OptionsValidationException(RenewKey, typeof(FeedRelay), [$"{RenewKey} must be 1..60."]);
    }

    private IFeedObserver Self => _self ??= grains.CreateObjectReference<IFeedObserver>(this);

    private async Task RenewAsync()
    {
        foreach (var (userId, connections) in _users)
        {
            try
            {
                await grains.GetGrain<IUserFeedGrain>(userId).Subscribe(Self);
                var actor = await grains.GetGrain<IUserGrain>(userId).GetView();
                foreach (var caseNumber in connections.Values.SelectMany(c => c.Keys).Distinct())
                {
                    if (actor is not null)
                    {
                        await grains.GetGrain<ICaseGrain>(caseNumber).Follow(new Actor(userId, actor.Role, actor.Regions));
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogRenewFailed(ex, userId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live push to user {UserId} failed")]
    private partial void LogPushFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the live subscriptions of user {UserId} failed")]
    private partial void LogRenewFailed(Exception ex, string userId);
}
