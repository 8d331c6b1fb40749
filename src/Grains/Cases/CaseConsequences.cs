using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CaseGrains.Grains;

/// <summary>
/// Runs the consequences of a case's accepted events, derived from the durable timeline (docs/decisions.md, "Durable
/// consequences"). Each kind runs the events in sequence order; a kind that fails is held up at that event (recorded
/// durably before the case's cursor moves past it) and retried with backoff from there, while the other kinds go on;
/// after <see cref="CaseGrainsOptions.ConsequenceSettings.MaxAttempts"/> it is parked for an admin. Nothing here ever
/// fails the command that caused it. After a restart the case's activation finds the events past its cursor and the held
/// kinds in the store, and runs them again: every consequence is idempotent per (case, seq).
/// </summary>
internal sealed partial class CaseConsequences(
    Grain grain,
    Func<CaseState?> current,
    string caseNumber,
    ConsequenceHandlers handlers,
    ICaseTimelineStore store,
    ConsequenceCursor cursor,
    ConsequenceFaults faults,
    CaseGrainsOptions.ConsequenceSettings settings,
    TimeProvider clock,
    ILogger logger)
{
    /// <summary>The order kinds run in for one event: the case's own timers first, the live push before the notices.</summary>
    private static readonly ConsequenceKind[] Order =
    [
        ConsequenceKind.Timers, ConsequenceKind.Registry, ConsequenceKind.Places, ConsequenceKind.Caseload,
        ConsequenceKind.Feed, ConsequenceKind.Notices, ConsequenceKind.Dashboard,
    ];

    private readonly List<ConsequenceItem> _items = [];
    private IGrainTimer? _timer;
    // Made on the first failure: most cases never have one.
    private Dictionary<ConsequenceKind, ConsequenceFailure>? _held;

    private static readonly Dictionary<ConsequenceKind, ConsequenceFailure> NoneHeld = [];

    /// <summary>The held kinds, for reading (never written through).</summary>
    private Dictionary<ConsequenceKind, ConsequenceFailure> Held => _held ?? NoneHeld;

    /// <summary>Every kind ran (or was held up, on record) for the events up to here.</summary>
    public long Done { get; private set; }

    /// <summary>The earliest retry that is due, for the grain's timer; null when nothing waits for one.</summary>
    public DateTimeOffset? NextRetry => Held.Values.Where(f => !f.Parked).Select(f => (DateTimeOffset?)f.NextAttemptAt).Min();

    /// <summary>Whether work is waiting: events past the cursor, or held kinds not parked.</summary>
    public bool Pending => _items.Any(i => i.Seq > Done) || Held.Values.Any(f => !f.Parked);

    /// <summary>From an activation's load: the cursor, the held kinds, and the events any kind still has to run.</summary>
    public void Load(long done, IReadOnlyList<ConsequenceFailure> failures, IEnumerable<ConsequenceItem> items)
    {
        Done = done;
        _held?.Clear();
        foreach (var failure in failures)
        {
            (_held ??= [])[failure.Kind] = failure;
        }

        _items.Clear();
        _items.AddRange(items.Where(Needed));
    }

    /// <summary>The first event any kind still needs, for the activation's load (events before it are not kept).</summary>
    public static long KeepFrom(long done, IReadOnlyList<ConsequenceFailure> failures) =>
        Math.Min(done + 1, failures.Count == 0 ? long.MaxValue : failures.Min(f => f.Seq));

    public void Add(ConsequenceItem item) => _items.Add(item);

    /// <summary>
    /// Runs every kind for the events past the cursor, then the held kinds whose retry is due (all of them, parked ones
    /// too, with <paramref name="force"/>), then aims the case's timer at the next retry. Returns normally whatever failed.
    /// </summary>
    public async Task RunAsync(bool force = false)
    {
        if (current() is { } state)
        {
            await RunAsync(state, force);
        }

        if (NextRetry is { } at)
        {
            Schedule(at - clock.GetUtcNow());
        }
    }

    /// <summary>Runs the consequences soon, in a turn of their own (after an activation that found some pending).</summary>
    public void Schedule(TimeSpan dueIn)
    {
        _timer?.Dispose();
        _timer = grain.RegisterGrainTimer(() => RunAsync(force: false),
            new GrainTimerCreationOptions(dueIn < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : dueIn, Timeout.InfiniteTimeSpan));
    }

    private async Task RunAsync(CaseState current, bool force)
    {
        foreach (var item in _items.Where(i => i.Seq > Done).ToList())
        {
            foreach (var kind in Order)
            {
                if (Held.ContainsKey(kind))
                {
                    continue; // its retry runs this event, in order, after the one it is held at
                }

                if (await TryRunAsync(kind, item, current) is { } error && !await HoldAsync(kind, item.Seq, null, error))
                {
                    return; // the failure could not be recorded: the cursor stays, and the whole event runs again later
                }
            }

            Done = item.Seq;
            cursor.Advance(caseNumber, Done);
        }

        var now = clock.GetUtcNow();
        foreach (var (kind, failure) in Held.Where(h => force || (!h.Value.Parked && h.Value.NextAttemptAt <= now)).ToList())
        {
            // An admin's retry starts a parked kind's count again.
            await RetryAsync(kind, force && failure.Parked ? failure with { Attempts = 0, Parked = false } : failure, current);
        }

        _items.RemoveAll(i => !Needed(i));
    }

    /// <summary>Runs a held kind from the event it is held at up to the cursor; caught up, its record goes.</summary>
    private async Task RetryAsync(ConsequenceKind kind, ConsequenceFailure failure, CaseState current)
    {
        foreach (var item in _items.Where(i => i.Seq >= failure.Seq && i.Seq <= Done).ToList())
        {
            if (await TryRunAsync(kind, item, current) is { } error)
            {
                await HoldAsync(kind, item.Seq, failure, error);
                return;
            }
        }

        try
        {
            await store.ClearConsequenceFailureAsync(caseNumber, kind, CancellationToken.None);
            _held?.Remove(kind);
            LogCaughtUp(caseNumber, kind, failure.Attempts);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Ran again, record kept: the next retry runs it once more (idempotent).
            LogFailureNotRecorded(ex, caseNumber, kind);
        }
    }

    private async Task<Exception?> TryRunAsync(ConsequenceKind kind, ConsequenceItem item, CaseState current)
    {
        try
        {
            faults.Before(kind, caseNumber, item.Seq);
            await handlers.RunAsync(kind, item, current).WaitAsync(settings.CallTimeout);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
    }

    /// <summary>
    /// Records a kind as held up at <paramref name="seq"/> (a first failure, or a failed retry); false when the store could
    /// not take it. Attempts count per event: a retry that got past the event it was held at starts counting again.
    /// </summary>
    private async Task<bool> HoldAsync(ConsequenceKind kind, long seq, ConsequenceFailure? previous, Exception error)
    {
        var now = clock.GetUtcNow();
        var attempts = previous is not null && previous.Seq == seq ? previous.Attempts + 1 : 1;
        var parked = attempts >= settings.MaxAttempts;
        var failure = new ConsequenceFailure(caseNumber, kind, seq, attempts, previous?.FirstFailedAt ?? now, now, now + settings.Backoff(attempts),
            Describe(error), parked);
        try
        {
            await store.RecordConsequenceFailureAsync(failure, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailureNotRecorded(ex, caseNumber, kind);
            return false;
        }

        (_held ??= [])[kind] = failure;
        if (parked)
        {
            LogParked(error, caseNumber, kind, seq, attempts);
        }
        else
        {
            LogHeld(caseNumber, kind, seq, attempts, failure.NextAttemptAt);
        }

        return true;
    }

    private bool Needed(ConsequenceItem item) => item.Seq > Done || Held.Values.Any(f => f.Seq <= item.Seq);

    /// <summary>Why it failed, for an admin: the exception's type and first line (never a payload: no personal data).</summary>
    private static string Describe(Exception error)
    {
        var inner = error is AggregateException { InnerException: { } first } ? first : error;
        var message = inner.Message.Split('\n', 2)[0];
        return $"{inner.GetType().Name}: {message[..Math.Min(message.Length, 300)]}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: {Kind} held up at #{Seq} (attempt {Attempts}); retrying at {NextAttemptAt}")]
    private partial void LogHeld(string caseNumber, ConsequenceKind kind, long seq, int attempts, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Case {CaseNumber}: {Kind} parked at #{Seq} after {Attempts} attempts; an admin can retry it")]
    private partial void LogParked(Exception exception, string caseNumber, ConsequenceKind kind, long seq, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseNumber}: {Kind} caught up after {Attempts} failed attempts")]
    private partial void LogCaughtUp(string caseNumber, ConsequenceKind kind, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseNumber}: the state of {Kind} could not be recorded; it runs again later")]
    private partial void LogFailureNotRecorded(Exception exception, string caseNumber, ConsequenceKind kind);
}
