using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.WebFrontend.Apis;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CaseGrains.WebFrontend.Realtime;

/// <summary>
/// The push path inside one frontend: one observer object for the whole process, subscribed to the feed grains of each
/// user connected here — one per silo (<see cref="FeedKeys"/>), whatever the user's number of connections and cases. Items
/// go to that user's connections as they come; the case sequence numbers are the only ordering (clients drop what they
/// have and resume on a gap), and a case's item already sent here is not sent again. Subscriptions and follows are renewed
/// every <see cref="RenewKey"/> seconds, and at once when the cluster changes: when a silo is gone, or a feed activation is
/// new or carried items this frontend did not get, the user's clients are told to resume, so nothing is missed. A session
/// that ended (sign-out, disabled, new password, changed role or regions) closes its connections with the reason.
/// </summary>
public sealed partial class FeedRelay(IGrainFactory grains, IHubContext<CaseHub, ICaseClient> hub, ClusterChanges cluster, IConfiguration configuration,
    ILogger<FeedRelay> logger) : IFeedObserver, IHostedService, IDisposable
{
    /// <summary><c>CaseGrains:Live:RenewSeconds</c>: how often subscriptions and follows are renewed (1–60, default 30; they expire after 2 minutes).</summary>
    public const string RenewKey = "CaseGrains:Live:RenewSeconds";

    /// <summary>How often a renewal that failed for some users (their feed grain was on a lost silo) is tried again.</summary>
    public static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    private readonly TimeSpan _renewEvery = ReadRenewInterval(configuration);

    // Case numbers and import ids share the per-user sent table; this prefix keeps them apart.
    private const string ImportKey = "import:";
    private readonly ConcurrentDictionary<string, UserConnections> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _sending = new(StringComparer.Ordinal);

    // One user's connects and disconnects run one at a time: a last disconnect's Unsubscribe could otherwise land after a
    // new connection's Subscribe (pushes stopped until the next renewal), or a connection could join the set being removed.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private int _renewAgain;
    private readonly Lock _selfMade = new();
    private IFeedObserver? _self;
    private Timer? _renew;

    /// <summary>A user's connections here, the feed activation subscribed on each silo, and the last seq sent per case.</summary>
    private sealed class UserConnections
    {
        public readonly ConcurrentDictionary<string, Connection> Connections = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, long> Sent = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, Guid> Epochs = new(StringComparer.Ordinal);
    }

    // The silos of the cluster as last read (each has a feed grain per user); refreshed by every renewal round.
    private volatile IReadOnlyList<string> _silos = [];
    private readonly SemaphoreSlim _silosRead = new(1, 1);

    /// <summary>One connection: its session version, the cases it follows, and its context (to close it).</summary>
    private sealed record Connection(HubCallerContext Context, int SessionVersion)
    {
        public readonly ConcurrentDictionary<string, byte> Cases = new(StringComparer.Ordinal);

        public volatile bool Ended;
    }

    public void OnFeedItem(FeedItem item)
    {
        if (!_users.TryGetValue(item.UserId, out var user))
        {
            return; // no connection of the user here (any more)
        }

        if (item.SessionEnded is { } ended)
        {
            _ = EndSessionsAsync(item.UserId, user, ended.Version, ended.Reason);
            return;
        }

        if (item.Event is { } e)
        {
            // Sent once per case and seq: a pushed item that repeats (a consequence run again) or comes after a later
            // one (the client resumed past it) is dropped here rather than by every client.
            if (!Fresh(user.Sent, e.CaseNumber, e.Seq))
            {
                return;
            }
        }
        else if (item.AccessEnded)
        {
            user.Sent.TryRemove(item.CaseNumber, out _);
        }
        else if (item.Import is { } import && !Fresh(user.Sent, ImportKey + import.ImportId, import.Processed))
        {
            return; // an import's progress only moves forward, and each step is sent once
        }

        // The push continues the trace of the command that appended the event (the feed's call carried it here).
        var parent = Activity.Current?.Context ?? default;
        Send(item.UserId, user, client => item.Import is { } progress ? client.ImportProgress(progress)
            : item.AccessEnded || item.Event is null ? client.AccessEnded(item.CaseNumber, item.EndReason ?? AccessEnd.Ended)
            : PushEventAsync(client, item.Event, parent));
    }

    private static async Task PushEventAsync(ICaseClient client, TimelineEntry entry, ActivityContext parent)
    {
        using var span = CaseGrainsTelemetry.Source.StartActivity("case.push", ActivityKind.Producer, parent);
        span?.SetTag("casegrains.case_number", entry.CaseNumber).SetTag("casegrains.seq", entry.Seq);
        await client.CaseEvent(TimelineEvent.From(entry));
        CaseGrainsTelemetry.PushLag.Record(Math.Max(0, (DateTimeOffset.UtcNow - entry.OccurredAt).TotalMilliseconds));
    }

    public void OnFeedClosed(string feedKey)
    {
        // Its replacement is subscribed in a renewal round (rounds coalesce: many feeds closing at once cost one round).
        LogFeedClosed(feedKey);
        RenewSoon();
    }

    /// <summary>True (and remembered) when <paramref name="seq"/> is past what was sent for the case.</summary>
    private static bool Fresh(ConcurrentDictionary<string, long> sent, string caseNumber, long seq)
    {
        while (true)
        {
            if (!sent.TryGetValue(caseNumber, out var known))
            {
                if (sent.TryAdd(caseNumber, seq))
                {
                    return true;
                }
            }
            else if (seq <= known)
            {
                return false;
            }
            else if (sent.TryUpdate(caseNumber, seq, known))
            {
                return true;
            }
        }
    }

    /// <summary>One user's sends go out one after another, in the order they came (two started together could swap).</summary>
    private void Send(string userId, UserConnections user, Func<ICaseClient, Task> send)
    {
        lock (_sending)
        {
            var previous = _sending.GetValueOrDefault(userId) ?? Task.CompletedTask;
            var next = previous.ContinueWith(_ => SendAsync(userId, user, send), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _sending[userId] = next;
            _ = next.ContinueWith(_ =>
            {
                lock (_sending)
                {
                    if (_sending.TryGetValue(userId, out var latest) && latest == next)
                    {
                        _sending.Remove(userId);
                    }
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(string userId, UserConnections user, Func<ICaseClient, Task> send)
    {
        // Only the connections whose session still stands (a closing one receives nothing more).
        var live = user.Connections.Where(c => !c.Value.Ended).Select(c => c.Key).ToList();
        if (live.Count == 0)
        {
            return;
        }

        try
        {
            await send(hub.Clients.Clients(live));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPushFailed(ex, userId);
        }
    }

    /// <summary>Closes the user's connections of sessions older than <paramref name="version"/>, saying why first.</summary>
    private async Task EndSessionsAsync(string userId, UserConnections user, int version, string reason)
    {
        foreach (var (connectionId, connection) in user.Connections.Where(c => c.Value.SessionVersion < version && !c.Value.Ended).ToList())
        {
            connection.Ended = true;
            try
            {
                await hub.Clients.Client(connectionId).SessionEnded(reason);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPushFailed(ex, userId);
            }

            connection.Context.Abort();
        }
    }

    public async Task ConnectAsync(HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var userId = context.UserIdentifier!;
        var session = int.TryParse(context.User?.FindFirstValue(CurrentActor.SessionClaim), out var v) ? v : -1;
        var gate = GateOf(userId);
        await gate.WaitAsync();
        try
        {
            var user = _users.GetOrAdd(userId, _ => new UserConnections());
            user.Connections[context.ConnectionId] = new Connection(context, session);
            // The client resumes right after connecting: nothing to tell it about feeds seen for the first time. A silo that
            // does not answer (being lost) is left to the renewal.
            foreach (var silo in await SilosAsync(refresh: false))
            {
                try
                {
                    await SubscribeAsync(userId, user, silo, connecting: true).WaitAsync(SubscribeTimeout);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogRenewFailed(ex, userId);
                    RenewSoon();
                }
            }
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
            if (_users.TryGetValue(userId, out var user) && user.Connections.TryRemove(connectionId, out _) && user.Connections.IsEmpty)
            {
                _users.TryRemove(userId, out _);
                foreach (var silo in user.Epochs.Keys)
                {
                    await grains.GetGrain<IUserFeedGrain>(FeedKeys.For(userId, silo)).Unsubscribe(Self);
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
        if (_users.TryGetValue(userId, out var user) && user.Connections.TryGetValue(connectionId, out var connection))
        {
            connection.Cases[caseNumber] = 0;
        }
    }

    /// <summary>True when no connection of the user here follows the case any more.</summary>
    public bool Unfollowed(string userId, string connectionId, string caseNumber)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return true;
        }

        if (user.Connections.TryGetValue(connectionId, out var connection))
        {
            connection.Cases.TryRemove(caseNumber, out _);
        }

        return !user.Connections.Values.Any(c => c.Cases.ContainsKey(caseNumber));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _renew = new Timer(_ => RenewSoon(), null, _renewEvery, _renewEvery);
        cluster.Changed += RenewSoon;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.Changed -= RenewSoon;
        _renew?.Change(Timeout.Infinite, Timeout.Infinite);
        await _stopping.CancelAsync();
    }

    public void Dispose()
    {
        _renew?.Dispose();
        _stopping.Dispose();
    }

    private static TimeSpan ReadRenewInterval(IConfiguration configuration)
    {
        var seconds = configuration.GetValue(RenewKey, 30);
        return seconds is >= 1 and <= 60
            ? TimeSpan.FromSeconds(seconds)
            : throw new Microsoft.Extensions.Options.OptionsValidationException(RenewKey, typeof(FeedRelay), [$"{RenewKey} must be 1..60."]);
    }

    // One reference for the process, made once: two made by a connect and a renewal racing were two subscriptions of this
    // frontend to the same feed, and every item came twice.
    private IFeedObserver Self
    {
        get
        {
            lock (_selfMade)
            {
                return _self ??= grains.CreateObjectReference<IFeedObserver>(this);
            }
        }
    }

    /// <summary>Starts a renewal round, or (one is running) asks for another right after it: rounds never overlap.</summary>
    private void RenewSoon()
    {
        Interlocked.Exchange(ref _renewAgain, 1);
        _ = RenewAsync();
    }

    private async Task RenewAsync()
    {
        if (!await _renewing.WaitAsync(0))
        {
            return; // the running round sees the request and goes again
        }

        try
        {
            while (Interlocked.Exchange(ref _renewAgain, 0) == 1 && !_stopping.IsCancellationRequested)
            {
                // Every user at once (bounded), so one slow or lost feed grain does not hold up the others; those whose
                // feed could not be reached are tried again shortly (the silo is being declared dead meanwhile).
                var pending = _users.Keys.ToList();
                for (var round = 0; pending.Count > 0 && !_stopping.IsCancellationRequested; round++)
                {
                    var silos = await SilosAsync(refresh: true);
                    var unreachable = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
                    var failed = new ConcurrentBag<string>();
                    await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = _stopping.Token }, async (userId, _) =>
                    {
                        if (!await RenewUserAsync(userId, silos, unreachable))
                        {
                            failed.Add(userId);
                        }
                    });
                    pending = [.. failed];
                    if (pending.Count > 0)
                    {
                        if (RetryEvery * round > _renewEvery)
                        {
                            break; // the next regular round takes them
                        }

                        await Task.Delay(RetryEvery, _stopping.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>
    /// Renews one user's subscriptions (the feed on each silo) and follows, and checks their connections' sessions; false
    /// when a feed could not be reached. A silo no longer in the cluster is dropped, and the user's clients resume (what it
    /// was forwarding when it died may be lost). A silo that did not answer in this round is not tried again in it.
    /// </summary>
    private async Task<bool> RenewUserAsync(string userId, IReadOnlyList<string> silos, ConcurrentDictionary<string, byte> unreachable)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return true;
        }

        var gone = user.Epochs.Keys.Where(k => !silos.Contains(k)).ToList();
        foreach (var silo in gone)
        {
            user.Epochs.TryRemove(silo, out _);
        }

        if (gone.Count > 0)
        {
            ResumeClients(userId, user);
        }

        var reached = true;
        foreach (var silo in silos.Where(s => !unreachable.ContainsKey(s)))
        {
            try
            {
                await SubscribeAsync(userId, user, silo, connecting: false).WaitAsync(SubscribeTimeout);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                unreachable[silo] = 0;
                reached = false;
                LogRenewFailed(ex, userId);
            }
        }

        try
        {
            foreach (var connection in user.Connections.Values.Where(c => !c.Ended))
            {
                // The same check as every request and hub call: a session that ended without this frontend being told
                // (its notice lost with a silo), or that is past its lifetime, ends here.
                if (await CurrentActor.LookupAsync(connection.Context.User, grains) is not { } actor)
                {
                    var expired = CurrentActor.IsPastLifetime(connection.Context.User);
                    await EndSessionsAsync(userId, user, connection.SessionVersion + 1, expired ? SessionEnd.Expired : SessionEnd.AccessChanged);
                    continue;
                }

                foreach (var caseNumber in connection.Cases.Keys)
                {
                    await grains.GetGrain<ICaseGrain>(caseNumber).Follow(actor);
                }
            }

            return reached;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRenewFailed(ex, userId);
            return false;
        }
    }

    /// <summary>How long one subscription may take in a renewal before its silo counts as unreachable for the round.</summary>
    public static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Subscribes the user's feed on one silo. A new activation of it (the last one lost), or one seen for the first time
    /// that already carried items (they went by without this frontend), makes the user's clients resume.
    /// </summary>
    private async Task SubscribeAsync(string userId, UserConnections user, string silo, bool connecting)
    {
        var position = await grains.GetGrain<IUserFeedGrain>(FeedKeys.For(userId, silo)).Subscribe(Self);
        var known = user.Epochs.TryGetValue(silo, out var before);
        user.Epochs[silo] = position.Epoch;
        LogSubscribed(userId, silo, position.Epoch, position.Published, known);
        if (!connecting && (known ? before != position.Epoch : position.Published > 0))
        {
            LogFeedRestarted(userId);
            ResumeClients(userId, user);
        }
    }

    /// <summary>Pushes may have gone by without this frontend: the user's clients fetch what they miss.</summary>
    private void ResumeClients(string userId, UserConnections user)
    {
        user.Sent.Clear();
        Send(userId, user, client => client.Resync());
    }

    /// <summary>The silos of the cluster (each has a feed grain per user), read again when asked.</summary>
    private async Task<IReadOnlyList<string>> SilosAsync(bool refresh)
    {
        if (!refresh && _silos.Count > 0)
        {
            return _silos;
        }

        await _silosRead.WaitAsync();
        try
        {
            if (refresh || _silos.Count == 0)
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                _silos = [.. hosts.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal)];
                var names = string.Join(' ', _silos); // a renewal's worth, not a push's
                LogSilos(names);
            }

            return _silos;
        }
        finally
        {
            _silosRead.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live push to user {UserId} failed")]
    private partial void LogPushFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the live subscriptions of user {UserId} failed")]
    private partial void LogRenewFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed user {UserId} on silo {Silo}: epoch {Epoch}, {Published} published, seen before: {Known}")]
    private partial void LogSubscribed(string userId, string silo, Guid epoch, long published, bool known);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {FeedKey} deactivated: renewing")]
    private partial void LogFeedClosed(string feedKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The cluster's silos: {Silos}")]
    private partial void LogSilos(string silos);

    [LoggerMessage(Level = LogLevel.Information, Message = "The live feed of user {UserId} may have carried items this frontend missed (a silo lost or added): the user's clients resume")]
    private partial void LogFeedRestarted(string userId);
}
