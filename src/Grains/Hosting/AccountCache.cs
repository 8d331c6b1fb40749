using System.Diagnostics;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains.Hosting;

/// <summary>
/// A frontend's copy of the accounts behind its requests, so a request asks the account's grain only when the copy is
/// missing: half the grain calls of a warm read. "A change to an account takes effect at once" holds through a lease
/// (<see cref="IAccountLeaseGrain"/>): the cache answers only while its last renewal, counted from before it was asked
/// for, is younger than the lease less <see cref="Margin"/>; an account change is answered only once this cache dropped
/// the account or that lease ran out. A copy fetched while a drop went by is not kept (<see cref="_epoch"/>). Only a
/// frontend that is a client of separate silos has one; sign-in checks, hub calls and pushes always ask the grain.
/// </summary>
public sealed partial class AccountCache(IGrainFactory grains, ILogger<AccountCache> logger) : IAccountCacheObserver, IHostedService, IDisposable
{
    /// <summary>Beyond this many accounts the copy starts again empty (a frontend's active users are far fewer).</summary>
    public const int MaxEntries = 100_000;

    /// <summary>How often the lease is renewed.</summary>
    public static readonly TimeSpan Renewal = TimeSpan.FromSeconds(1.5);

    /// <summary>The cache stops answering this long before the lease grain counts its lease as run out.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, (int Session, Actor Actor)> _actors = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Moves on at every drop: a copy fetched across one is not kept.</summary>
    private long _epoch;

    /// <summary>Until when (a <see cref="Stopwatch"/> timestamp) the cache may answer; 0 before the first lease.</summary>
    private long _validUntil;

    private long _hits;
    private IAccountCacheObserver? _self;
    private CancellationTokenSource? _stop;
    private Task? _renewing;

    /// <summary>Requests answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The account's actor for a session: from the cache while its lease holds, else from the account's grain.</summary>
    public async Task<Actor?> GetActorAsync(string userId, int sessionVersion)
    {
        long epoch;
        lock (_gate)
        {
            if (Stopwatch.GetTimestamp() < _validUntil && _actors.TryGetValue(userId, out var copy) && copy.Session == sessionVersion)
            {
                _hits++;
                return copy.Actor;
            }

            epoch = _epoch;
        }

        var actor = await grains.GetGrain<IUserGrain>(userId).GetActor(sessionVersion);
        if (actor is not null)
        {
            lock (_gate)
            {
                if (epoch == _epoch)
                {
                    if (_actors.Count >= MaxEntries)
                    {
                        _actors.Clear();
                    }

                    _actors[userId] = (sessionVersion, actor);
                }
            }
        }

        return actor;
    }

    public Task Drop(string? userId)
    {
        lock (_gate)
        {
            _epoch++;
            if (userId is null)
            {
                _actors.Clear();
            }
            else
            {
                _actors.Remove(userId);
            }
        }

        return Task.CompletedTask;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _self = grains.CreateObjectReference<IAccountCacheObserver>(this);
        _stop = new CancellationTokenSource();
        await RenewAsync();
        _renewing = RenewLoopAsync(_stop.Token);
    }

    /// <summary>
    /// Stops renewing and can no longer be told of changes; what it holds is answered only until the lease runs out
    /// (as for a frontend cut off from the silos).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_renewing is not null)
        {
            await _renewing;
        }

        if (_self is not null)
        {
            grains.DeleteObjectReference<IAccountCacheObserver>(_self);
            _self = null;
        }
    }

    public void Dispose() => _stop?.Dispose();

    private async Task RenewLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Renewal);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await RenewAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RenewAsync()
    {
        var asked = Stopwatch.GetTimestamp();
        try
        {
            var lease = await grains.GetGrain<IAccountLeaseGrain>(0).Renew(_self!);
            lock (_gate)
            {
                if (lease.Clear)
                {
                    _epoch++;
                    _actors.Clear();
                }

                _validUntil = asked + (long)((lease.Length - Margin).TotalSeconds * Stopwatch.Frequency);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease runs out on its own; until a renewal succeeds every request asks the account's grain.
            LogRenewalFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account cache's lease could not be renewed; requests ask the accounts' grains meanwhile")]
    private partial void LogRenewalFailed(Exception ex);
}
