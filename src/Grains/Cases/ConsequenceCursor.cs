using System.Collections.Concurrent;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>
/// Writes cases' consequence cursors (how far each case's consequences took effect) to the store, many cases per
/// transaction, about ten times a second: the cursor is a bookmark, not the record. Consequences are idempotent per
/// (case, seq), so a cursor write lost with the process only means they run again after the restart (the sweeper
/// finds the case behind its timeline); what a failure leaves undone is recorded durably before the cursor passes it.
/// </summary>
public sealed partial class ConsequenceCursor(ICaseTimelineStore store, ILogger<ConsequenceCursor> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, long> _due = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Timer? _timer;
    private volatile bool _disposed;

    /// <summary>The case's consequences took effect up to <paramref name="seq"/> (written with the next flush).</summary>
    public void Advance(string caseNumber, long seq) => _due.AddOrUpdate(caseNumber, seq, (_, known) => Math.Max(known, seq));

    /// <summary>Writes what is due now (tests and shutdown).</summary>
    public async Task FlushAsync()
    {
        if (_disposed)
        {
            return; // what was not written runs again after the restart (the sweeper finds the cases behind)
        }

        await _flushing.WaitAsync();
        try
        {
            var batch = new List<(string, long)>();
            foreach (var caseNumber in _due.Keys)
            {
                if (_due.TryRemove(caseNumber, out var seq))
                {
                    batch.Add((caseNumber, seq));
                }
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                // One order for every writer of case rows (the appends are ordered the same way): no deadlock between them.
                await store.AdvanceConsequencesAsync([.. batch.OrderBy(b => b.Item1, StringComparer.Ordinal)], CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                foreach (var (caseNumber, seq) in batch)
                {
                    Advance(caseNumber, seq);
                }

                LogFlushFailed(ex, batch.Count);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => _ = FlushAsync(), null, FlushEvery, FlushEvery);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        await FlushAsync();
    }

    public void Dispose()
    {
        // The semaphore stays: a flush may still be under way on the timer's thread (it is released, never awaited again).
        _disposed = true;
        _timer?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the consequence cursors of {Cases} cases failed; retrying with the next flush")]
    private partial void LogFlushFailed(Exception exception, int cases);
}
