namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The journey clock (<c>ProviderNames.Clock</c>), moved by the test; timers still run on real time (the base
/// <see cref="TimeProvider"/>'s), so polls and sweeps go on while the dates jump.
/// </summary>
internal sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
}
