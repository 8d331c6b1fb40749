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

    // One user's connects and disconnects run one at a time: a last disconnect's Unsubscribe could otherwise land after a
    // new connection's Subscribe (pushes stopped until the next renewal), or a connection could join the set being removed.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private IFeedObserver? _self;
    private Timer? _renew;

    /// <summary>How long a user's items wait for one that is missing before they go out without it (the client then resumes).</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// One user's feed as this frontend has delivered it: the activation (epoch) whose numbers are followed, whether that
    /// came from a <c>Subscribe</c> answer, the next feed number due, the items that overtook it, and the epochs of
    /// activations that are gone (their late items go straight out). Two items of one feed can reach this process out of
    /// order (a silo may route them through different gateways; CI saw seq 3 before seq 2 across processes), so they are
    /// put back in the feed grain's order here.
    /// </summary>
    private sealed class FeedOrder
    {
        public Guid Epoch;
        public bool Confirmed;
        public long Next;
        public readonly SortedDictionary<long, FeedItem> Held = [];
        public readonly List<Guid> Retired = [];
        public Timer? Hold;

        public void Retire()
        {
            if (Epoch != Guid.Empty)
            {
                Retired.Add(Epoch);
                if (Retired.Count > 8)
                {
                    Retired.RemoveAt(0);
                }
            }
        }
    }

    public void OnFeedItem(FeedItem item)
    {
        // Not numbered (a silo of an older version), or no connection of the user here (nothing to order for): as it comes.
        if (item.FeedEpoch == Guid.Empty || !_users.ContainsKey(item.UserId))
        {
            Send(item);
            return;
        }

        var order = _order.GetOrAdd(item.UserId, _ => new FeedOrder());
        lock (order)
        {
            if (order.Retired.Contains(item.FeedEpoch))
            {
                Send(item); // late from an activation that is gone: the client drops what it has, resumes on a gap
                return;
            }

            if (item.FeedEpoch != order.Epoch)
            {
                // Another activation numbers from 1 again: what was held from the old one goes first, and the new
                // numbering is followed once a Subscribe answer (or the hold's end) gives its starting point.
                ReleaseHeld(order);
                order.Retire();
                order.Epoch = item.FeedEpoch;
                order.Confirmed = false;
                order.Next = 0;
            }

            order.Held[item.FeedSeq] = item;
            Drain(order);
        }
    }

    /// <summary>Where the feed stands when this frontend (re)subscribes: the starting point for its numbering.</summary>
    private void Subscribed(string userId, FeedPosition position)
    {
        var order = _order.GetOrAdd(userId, _ => new FeedOrder());
        lock (order)
        {
            if (order.Retired.Contains(position.Epoch) || (order.Confirmed && order.Epoch == position.Epoch))
            {
                return; // a stale answer, or a renewal of what is known
            }

            if (order.Epoch != position.Epoch)
            {
                if (order.Epoch != Guid.Empty && !order.Confirmed && order.Held.Count > 0)
                {
                    return; // items of another activation are already waiting: which one is newer is unknown, the hold decides
                }

                ReleaseHeld(order);
                order.Retire();
                order.Epoch = position.Epoch;
            }

            order.Confirmed = true;
            order.Next = position.NextSeq;
            Drain(order);
        }
    }

    /// <summary>Sends what is due in order, and holds the rest for a while (caller holds the lock).</summary>
    private void Drain(FeedOrder order)
    {
        if (order.Confirmed)
        {
            // Anything numbered before the starting point was published before this frontend subscribed: late, send it.
            while (order.Held.Count > 0 && order.Held.First() is var (seq, early) && seq < order.Next)
            {
                order.Held.Remove(seq);
                Send(early);
            }

            while (order.Held.Remove(order.Next, out var ready))
            {
                Send(ready);
                order.Next++;
            }
        }

        if (order.Held.Count == 0)
        {
            order.Hold?.Dispose();
            order.Hold = null;
        }
        else if (order.Hold is null)
        {
            Timer? hold = null;
            hold = new Timer(_ => GiveUpWaiting(order, hold!), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            order.Hold = hold;
            hold.Change(HoldFor, Timeout.InfiniteTimeSpan);
        }
    }

    private void GiveUpWaiting(FeedOrder order, Timer hold)
    {
        lock (order)
        {
            if (order.Hold == hold)
            {
                ReleaseHeld(order); // a hold that was replaced meanwhile does not cut the newer one short
            }
        }
    }

    /// <summary>Sends what is held, in feed order, and moves past it (caller holds the lock).</summary>
    private void ReleaseHeld(FeedOrder order)
    {
        foreach (var (seq, held) in order.Held)
        {
            Send(held);
            order.Next = Math.Max(order.Next, seq + 1);
        }

        if (order.Held.Count > 0)
        {
            order.Confirmed = true; // the numbering is followed from here on
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
        var gate = GateOf(userId);
        await gate.WaitAsync();
        try
        {
            var connections = _users.GetOrAdd(userId, _ => new(StringComparer.Ordinal));
            connections[connectionId] = new(StringComparer.Ordinal);
            Subscribed(userId, await grains.GetGrain<IUserFeedGrain>(userId).Subscribe(Self));
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task DisconnectAsync(string userId, string connectionId)
    {
        var gate = GateOf(userId);
        await gate.WaitAsync();
        try
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
        finally
        {
            gate.Release();
        }
    }

    private SemaphoreSlim GateOf(string userId) => _gates.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));

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
