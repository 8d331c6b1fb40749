using System.Collections.Concurrent;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>How an injected fault behaves for a kind of consequence.</summary>
public enum FaultMode
{
    /// <summary>The first attempt for each event fails; the retry succeeds.</summary>
    Once,

    /// <summary>Every attempt fails (until the fault is cleared).</summary>
    Always,

    /// <summary>Each attempt fails with a probability.</summary>
    Random,
}

/// <summary>
/// Fault injection for consequences and for the moment between a commit and its consequences (<c>CaseGrains:Faults</c>,
/// off unless <c>Enabled</c>). Tests in the same process may change the faults while the app runs.
/// </summary>
public sealed class ConsequenceFaults
{
    private readonly ConcurrentDictionary<ConsequenceKind, (FaultMode Mode, double Probability)> _faults = new();
    private readonly ConcurrentDictionary<(ConsequenceKind, string, long), byte> _failedOnce = new();
    private readonly int _exitAfter;
    private readonly int _exitBefore;
    private int _commits;
    private int _appends;
    private int _failAppends;

    public ConsequenceFaults(IOptions<CaseGrainsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var faults = options.Value.Faults;
        if (!faults.Enabled)
        {
            return;
        }

        foreach (var (kind, mode, p) in Parse(faults.Consequences).Faults)
        {
            _faults[kind] = (mode, p);
        }

        _exitAfter = faults.ExitAfterCommits;
        _exitBefore = faults.ExitBeforeAppends;
        _failAppends = faults.FailAppends;
    }

    /// <summary>Makes the next <paramref name="count"/> appends fail before they reach the store.</summary>
    public void FailAppends(int count) => Volatile.Write(ref _failAppends, count);

    /// <summary>Before an append is written: the process ends at the configured count, or the append fails while failures are due.</summary>
    public void BeforeAppend()
    {
        if (_exitBefore > 0 && Interlocked.Increment(ref _appends) == _exitBefore)
        {
            Environment.FailFast("CaseGrains:Faults:ExitBeforeAppends reached: the process stops between a reservation and its append.");
        }

        if (Volatile.Read(ref _failAppends) > 0 && Interlocked.Decrement(ref _failAppends) >= 0)
        {
            throw new InjectedFaultException("injected append failure");
        }
    }

    /// <summary>Makes a kind fail (or, with null, stop failing) from now on.</summary>
    public void Set(ConsequenceKind kind, FaultMode? mode, double probability = 0)
    {
        if (mode is { } m)
        {
            _faults[kind] = (m, probability);
        }
        else
        {
            _faults.TryRemove(kind, out _);
        }
    }

    /// <summary>Stops every injected consequence fault.</summary>
    public void Clear() => _faults.Clear();

    /// <summary>Throws when a fault is set for this kind and attempt.</summary>
    public void Before(ConsequenceKind kind, string caseNumber, long seq)
    {
        if (_faults.IsEmpty || !_faults.TryGetValue(kind, out var fault))
        {
            return;
        }

        var fail = fault.Mode switch
        {
            FaultMode.Always => true,
            FaultMode.Once => _failedOnce.TryAdd((kind, caseNumber, seq), 0),
            _ => Random.Shared.NextDouble() < fault.Probability,
        };
        if (fail)
        {
            throw new InjectedFaultException($"injected {fault.Mode.ToString().ToLowerInvariant()} fault in {kind}");
        }
    }

    /// <summary>After a commit, before its consequences: the process ends at once when the configured count is reached.</summary>
    public void AfterCommit()
    {
        if (_exitAfter > 0 && Interlocked.Increment(ref _commits) == _exitAfter)
        {
            Environment.FailFast("CaseGrains:Faults:ExitAfterCommits reached: the process stops between a commit and its consequences.");
        }
    }

    /// <summary>Reads <c>Feed=once,Caseload=always,all=0.1</c>; the error names what it could not read.</summary>
    public static (IReadOnlyList<(ConsequenceKind Kind, FaultMode Mode, double Probability)> Faults, string? Error) Parse(string? text)
    {
        var faults = new List<(ConsequenceKind, FaultMode, double)>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            var kinds = pair[0].Equals("all", StringComparison.OrdinalIgnoreCase) ? Enum.GetValues<ConsequenceKind>()
                : Enum.TryParse<ConsequenceKind>(pair[0], ignoreCase: true, out var k) && Enum.IsDefined(k) ? [k] : null;
            if (kinds is null || pair.Length != 2)
            {
                return ([], $"'{part}' is not kind=once|always|probability (kinds: all, {string.Join(", ", Enum.GetNames<ConsequenceKind>())}).");
            }

            (FaultMode, double)? fault = pair[1].ToLowerInvariant() switch
            {
                "once" => (FaultMode.Once, 1),
                "always" => (FaultMode.Always, 1),
                var p when double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && d is > 0 and <= 1
                    => (FaultMode.Random, d),
                _ => null,
            };
            if (fault is not { } f)
            {
                return ([], $"'{pair[1]}' is not once, always or a probability in (0, 1].");
            }

            faults.AddRange(kinds.Select(kind => (kind, f.Item1, f.Item2)));
        }

        return (faults, null);
    }
}
