using System.Collections.Concurrent;
using CaseGrains.Grains.Abstractions;
using Microsoft.Extensions.Hosting;

namespace CaseGrains.Grains;

/// <summary>
/// The dashboards' change signals of one silo, rolled up (issue 16, deliverable 4): a case whose event moved a counter
/// marks its regions here (in memory, no grain call), and every <see cref="FlushEvery"/> the silo tells each marked
/// region's <see cref="IDashboardFeedGrain"/> once. So the national feed grain gets at most four calls a second from each
/// silo, whatever the number of events, where it got one per event in the country. The numbers themselves are written
/// with each event, so a watcher that fetches them after a signal is never behind the timeline; a signal lost with its
/// silo only delays a watching page until the next event of its region (the page also fetches on reconnect).
/// </summary>
public sealed class DashboardSignals(IGrainFactory grains) : IHostedService, IDisposable
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, byte> _marked = new(StringComparer.Ordinal);
    private Timer? _timer;

    /// <summary>The regions' numbers moved (signalled with the next flush).</summary>
    public void Changed(IEnumerable<string> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        foreach (var region in regions)
        {
            _marked.TryAdd(region, 0);
        }
    }

    /// <summary>Tells every marked region's feed now (one one-way call each).</summary>
    public void Flush()
    {
        foreach (var region in _marked.Keys)
        {
            if (_marked.TryRemove(region, out _))
            {
                // One-way: returns at once; a lost call only delays a watching page until the region's next change.
                _ = grains.GetGrain<IDashboardFeedGrain>(region).Changed();
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => Flush(), null, FlushEvery, FlushEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        Flush();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
