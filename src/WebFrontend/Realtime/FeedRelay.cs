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
    private readonly ConcurrentDictionary<string, FeedOrder> _order = new(StringComparer.Ordinal);
    private IFeedObserver? _self;
    private Timer? _renew;

    /// <summary>How long a user's items wait for one that is missing before they go out without it (the client then resumes).</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// One user's feed as this frontend has delivered it: the next feed number due, and the items that overtook it.
    /// Two items of one feed can reach this process out of order (a silo may route them through different gateways;
    /// CI saw seq 3 before seq 2 across processes), so they are put back in the feed grain's order here.
    /// </summary>
    private sealed class FeedOrder
    {
        public Guid Epoch;
        public long Next;
        public readonly SortedDictionary<long, FeedItem> Held = [];
        public Timer? Hold;
    }

    public void OnFeedItem(FeedItem item)
    {
        if (item.FeedEpoch == Guid.Empty)
        {
            Send(item); // not numbered (a silo of an older version): as it comes
            return;
        }

        var order = _order.GetOrAdd(item.UserId, _ => new FeedOrder());
        lock (order)
        {
            if (item.FeedEpoch != order.Epoch)
            {
                // A new activation of the feed grain numbers from 1 again: what was held from the old one goes first.
                ReleaseHeld(order);
                order.Epoch = item.FeedEpoch;
                order.Next = item.FeedSeq;
            }
            else if (order.Next == 0)
            {
                order.Next = item.FeedSeq;
            }

            if (item.FeedSeq < order.Next)
            {
                Send(item); // later than a hold that gave up waiting: the client has resumed, and drops what it has
                return;
            }

            order.Held[item.FeedSeq] = item;
            while (order.Held.Remove(order.Next, out var ready))
            {
                Send(ready);
                order.Next++;
            }

            if (order.Held.Count == 0)
            {
                order.Hold?.Dispose();
                order.Hold = null;
            }
            else
            {
                order.Hold ??= new Timer(_ => GiveUpWaiting(order), null, HoldFor, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Where the feed stands when this frontend (re)subscribes: the baseline for the next item, unless one already came.</summary>
    private void Subscribed(string userId, FeedPosition position)
    {
        var order = _order.GetOrAdd(userId, _ => new FeedOrder());
        lock (order)
        {
            if (order.Epoch != position.Epoch)
            {
                ReleaseHeld(order);
                order.Epoch = position.Epoch;
                order.Next = position.NextSeq;
            }
        }
    }

    private void GiveUpWaiting(FeedOrder order)
    {
        lock (order)
        {
            ReleaseHeld(order);
        }
    }

    /// <summary>Sends what is held, in feed order, and moves past it (caller holds the lock).</summary>
    private void ReleaseHeld(FeedOrder order)
    {
        foreach (var (seq, held) in order.Held)
        {
            Send(held);
            order.Next = seq + 1;
        }

        order.Held.Clear();
        order.Hold?.Dispose();
        order.Hold = null;
    }

    private void Send(FeedItem item)
    {
        // One user's items go out one after another, in feed order: two sends started together could otherwise reach
        // the connection in either order (found by TwoFrontendTests under load).
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
        Subscribed(userId, await grains.GetGrain<IUserFeedGrain>(userId).Subscribe(Self));
    }

    public async Task DisconnectAsync(string userId, string connectionId)
    {
        if (_users.TryGetValue(userId, out var connections) && connections.TryRemove(connectionId, out _) && connections.IsEmpty)
        {
            _users.TryRemove(userId, out _);
            await grains.GetGrain<IUserFeedGrain>(userId).Unsubscribe(Self);
            if (_order.TryRemove(userId, out var order))
            {
                lock (order)
                {
                    order.Hold?.Dispose();
                }
            }
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

    public void Dispose()
    {
        _renew?.Dispose();
        foreach (var order in _order.Values)
        {
            lock (order)
            {
                order.Hold?.Dispose();
            }
        }
    }

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
                Subscribed(userId, await grains.GetGrain<IUserFeedGrain>(userId).Subscribe(Self));
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
