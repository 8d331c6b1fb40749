using System.Diagnostics;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

[GenerateSerializer, Alias("cg.AccountLeaseState")]
public sealed class AccountLeaseState
{
    /// <summary>A lease was ever granted: an activation that follows another may have frontends holding leases it never saw.</summary>
    [Id(0)] public bool EverLeased { get; set; }
}

/// <summary>
/// The frontends caching accounts (<see cref="AccountCache"/>) and their leases. <see cref="Dropped"/> tells each frontend
/// holding a lease, and waits for its acknowledgement or, for one that does not answer, for its lease to run out (it
/// stops answering from its cache by then: its lease is counted from before it asked). A frontend this activation does
/// not know as a holder (new here, lapsed, or one a drop failed to reach) empties its cache before its lease starts. An
/// activation that follows another (its silo was lost) waits out the leases the previous one may have granted.
/// Reentrant: renewals go on while a change waits.
/// </summary>
[Reentrant]
public sealed partial class AccountLeaseGrain(
    [PersistentState("accountLeases", ProviderNames.GrainState)] IPersistentState<AccountLeaseState> state,
    ILogger<AccountLeaseGrain> logger) : Grain, IAccountLeaseGrain
{
    /// <summary>How long a renewal lets a frontend answer from its cache.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    private readonly Dictionary<IAccountCacheObserver, long> _expiries = [];
    private readonly HashSet<IAccountCacheObserver> _mustClear = [];
    private readonly long _activated = Stopwatch.GetTimestamp();

    /// <summary>Whether an activation before this one granted leases (read as this one starts).</summary>
    private bool _inheritsLeases;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _inheritsLeases = state.State.EverLeased;
        return Task.CompletedTask;
    }

    public async Task<AccountLease> Renew(IAccountCacheObserver frontend)
    {
        ArgumentNullException.ThrowIfNull(frontend);
        var now = Stopwatch.GetTimestamp();
        var clear = !_expiries.TryGetValue(frontend, out var expiry) || expiry <= now;
        clear |= _mustClear.Remove(frontend);
        _expiries[frontend] = now + Ticks(Lease);
        if (!state.State.EverLeased)
        {
            state.State.EverLeased = true;
            await state.WriteStateAsync();
        }

        return new AccountLease(Lease, clear);
    }

    public async Task Dropped(string? userId)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var lapsed in _expiries.Where(e => e.Value <= now).Select(e => e.Key).ToList())
        {
            _expiries.Remove(lapsed);
            _mustClear.Remove(lapsed);
        }

        var waits = _expiries.Select(e => DropOrOutwaitAsync(e.Key, e.Value, userId)).ToList();
        var inherited = _activated + Ticks(Lease) - now;
        if (_inheritsLeases && inherited > 0)
        {
            // Leases granted by the activation before this one end by then at the latest.
            waits.Add(Task.Delay(Stopwatch.GetElapsedTime(0, inherited)));
        }

        await Task.WhenAll(waits);
    }

    private async Task DropOrOutwaitAsync(IAccountCacheObserver frontend, long expiry, string? userId)
    {
        var left = Stopwatch.GetElapsedTime(0, Math.Max(0, expiry - Stopwatch.GetTimestamp()));
        try
        {
            await frontend.Drop(userId).WaitAsync(left);
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDropNotDelivered(ex);
        }

        // Not told: its cache must be emptied before it holds a lease again, and this one must run out first.
        _mustClear.Add(frontend);
        var rest = expiry - Stopwatch.GetTimestamp();
        if (rest > 0)
        {
            await Task.Delay(Stopwatch.GetElapsedTime(0, rest));
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A frontend was not told of an account change; waiting for its lease to run out")]
    private partial void LogDropNotDelivered(Exception ex);
}
