using System.Collections.Concurrent;
using System.Diagnostics;
using CaseGrains.Grains.Abstractions;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// Losing a machine loses no acknowledged work: two real silo processes on a real PostgreSQL server, 16 workers issuing
/// journey commands on 200 cases, one silo killed (or stopped) in the middle of the run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FaultToleranceTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Cases = 200;
    private const int Workers = 16;

    [Fact]
    public async Task KillingASiloMidRun_LosesNoAcknowledgedCommand_AndEveryCaseRecovers()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 2);
        var cases = await cluster.OpenCasesAsync(Cases);
        await using var load = new Load(cluster, cases, intakeWorkers: 2);

        await load.RunUntilAsync(acknowledged: 600);
        var killedAt = Stopwatch.GetTimestamp();
        await cluster.Nodes[0].KillAsync();
        // Keep going until every case has accepted a command after the kill, and a while longer.
        await load.RunUntilAsync(() => load.EveryCaseAcknowledgedAfter(killedAt, cases), TimeSpan.FromSeconds(90), "every case to accept a command after the kill");
        await load.RunUntilAsync(acknowledged: load.AcknowledgedCount + 500);
        await load.StopAsync();

        foreach (var (error, n) in load.Errors)
        {
            output.WriteLine($"{n} × {error}");
        }

        // Recovery: the time from the kill until every case has had a command acknowledged again.
        var recovery = load.RecoveredWithin(killedAt, cases);
        output.WriteLine($"kill -9 of 1 of 2 silos: {load.AcknowledgedCount} commands acknowledged ({cluster.ResentCalls} sent once more by the client, " +
            $"{load.FailedAttempts} attempts failed and were retried by the test); " +
            $"{load.Opened.Count} intakes during the run; all {Cases} cases accepting commands again {recovery.TotalSeconds:F1} s after the kill");
        // The kill hit work in flight (else this run showed nothing about recovery).
        Assert.True(load.FailedAttempts + cluster.ResentCalls > 0, "no command was interrupted: the killed silo carried none of the load");
        Assert.NotEmpty(load.Opened);
        await AssertNothingLostAsync(cluster, load, cases);
        Assert.True(recovery <= TimeSpan.FromSeconds(15), $"cases usable again only {recovery.TotalSeconds:F1} s after the kill (target ≤ 15 s)");
    }

    [Fact]
    public async Task AGracefulRestartOfASilo_FailsNoCommand()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 2);
        var cases = await cluster.OpenCasesAsync(Cases);
        await using var load = new Load(cluster, cases);

        await load.RunUntilAsync(acknowledged: 600);
        var exitCode = await cluster.Nodes[0].TerminateAsync(TimeSpan.FromSeconds(60));
        await cluster.AddSiloAsync();
        await load.RunUntilAsync(acknowledged: load.AcknowledgedCount + 1000, TimeSpan.FromSeconds(90));
        await load.StopAsync();

        output.WriteLine($"SIGTERM + restart of 1 of 2 silos: {load.AcknowledgedCount} commands acknowledged, {load.FailedAttempts} failed attempts, " +
            $"{cluster.ResentCalls} sent once more by the client");
        foreach (var (error, n) in load.Errors)
        {
            output.WriteLine($"{n} × {error}");
        }

        Assert.Equal(0, exitCode);
        Assert.Equal(0, load.FailedAttempts);
        await AssertNothingLostAsync(cluster, load, cases);
    }

    [Fact]
    public async Task ACommandWhoseSiloStallsPastTheCallTimeout_IsSentOnceMore_AndAppliedOnce_WhileAReadIsNotResent()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        var number = (await cluster.OpenCasesAsync(1))[0];
        var grain = cluster.Grains.GetGrain<ICaseGrain>(number);
        var command = new RecordConsentRequest { CommandId = Guid.NewGuid().ToString(), Method = "sent during a stall" };

        // The only silo stalls for longer than the call timeout (3 s): the command's first attempt gets no answer.
        await cluster.Nodes[0].PauseAsync();
        var stalled = Stopwatch.StartNew();
        var execute = grain.Execute(command, TestCluster.Caseworker);
        var read = grain.GetView(TestCluster.Caseworker, "case-management");
        // The read is not marked to be resent: it fails at the call timeout, as the command's first attempt does.
        await Assert.ThrowsAsync<TimeoutException>(() => read);
        Assert.False(execute.IsCompleted, "the command failed with its first attempt instead of being sent once more");
        // Resumed once the client has sent the command again (while the silo still stalls).
        var deadline = Stopwatch.StartNew();
        while (cluster.ResentCalls == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        await cluster.Nodes[0].ResumeAsync();

        var outcome = await execute;
        Assert.Equal(1, cluster.ResentCalls);
        output.WriteLine($"stalled silo: the command was acknowledged {stalled.Elapsed.TotalSeconds:F1} s after it was sent");
        Assert.True(outcome.Accepted, outcome.Refusal?.Code);
        var timeline = (await cluster.ReadTimelinesAsync())[number];
        Assert.Single(timeline, e => e.CommandId == command.CommandId);

        // The same id again is the same outcome, and still one event.
        var repeat = await grain.Execute(command, TestCluster.Caseworker);
        Assert.True(repeat.Replayed);
        Assert.Equal(outcome.Version, repeat.Version);
        Assert.Single((await cluster.ReadTimelinesAsync())[number], e => e.CommandId == command.CommandId);
    }

    private static async Task AssertNothingLostAsync(TestCluster cluster, Load load, IReadOnlyList<string> cases)
    {
        // Every acknowledged command is in its case's timeline exactly once (and nothing unacknowledged slipped in:
        // each attempt is retried with the same id until acknowledged).
        var timelines = await cluster.ReadTimelinesAsync();
        var missing = new List<string>();
        foreach (var (caseNumber, commandId, _) in load.Acknowledged)
        {
            var count = timelines[caseNumber].Count(e => e.CommandId == commandId);
            if (count != 1)
            {
                missing.Add($"{caseNumber}/{commandId}: {count} times");
            }
        }

        Assert.Empty(missing);

        // Every acknowledged intake opened exactly one case (the retries with the same command id opened nothing more).
        Assert.All(load.Opened, c => Assert.Single(timelines[c], e => e.Type == "CaseOpened"));
        Assert.Equal(cases.Count + load.Opened.Count, timelines.Values.Sum(t => t.Count(e => e.Type == "CaseOpened")));
        var consentEvents = timelines.Values.Sum(t => t.Count(e => e.Type == "ConsentRecorded"));
        Assert.Equal(load.AcknowledgedCount, consentEvents);

        // Sequence numbers contiguous and hash chains sound, checked from the rows themselves.
        Assert.Empty(await cluster.VerifyTimelinesAsync());
        Assert.Equal(0, await cluster.DuplicateStorageRowsAsync());

        // Every case accepts a command again, and its grain agrees its chain verifies.
        var results = await Task.WhenAll(cases.Select(async c =>
        {
            var grain = cluster.Grains.GetGrain<ICaseGrain>(c);
            var outcome = await grain.Execute(new RecordConsentRequest { CommandId = Guid.NewGuid().ToString(), Method = "final check" }, TestCluster.Caseworker);
            var chain = await grain.VerifyChain(TestCluster.Caseworker);
            return (outcome.Accepted, chain?.Valid ?? false);
        }));
        Assert.All(results, r => Assert.True(r.Accepted && r.Item2));
    }

    /// <summary>
    /// Workers issuing RecordConsent commands round-robin over their share of the cases. A failed attempt (timeout,
    /// silo gone) is retried with the same command id until it is acknowledged, as a client that wants its command
    /// done would; acknowledged ids are recorded for the final check.
    /// </summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly TestCluster _cluster;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _workers;
        private int _failed;

        public Load(TestCluster cluster, IReadOnlyList<string> cases, int intakeWorkers = 0)
        {
            _cluster = cluster;
            _workers =
            [
                .. Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync([.. cases.Where((_, i) => i % Workers == w)]))),
                // Intakes too: they write grain state (registry, case numbers), so storage rows are written through the fault.
                .. Enumerable.Range(0, intakeWorkers).Select(_ => Task.Run(IntakeAsync)),
            ];
        }

        public ConcurrentQueue<(string CaseNumber, string CommandId, long At)> Acknowledged { get; } = new();

        public int AcknowledgedCount => Acknowledged.Count;

        /// <summary>Cases opened by acknowledged intakes during the run.</summary>
        public ConcurrentQueue<string> Opened { get; } = new();

        /// <summary>Failed attempts by kind (for the report).</summary>
        public ConcurrentDictionary<string, int> Errors { get; } = new();

        public int FailedAttempts => Volatile.Read(ref _failed);

        public Task RunUntilAsync(int acknowledged, TimeSpan? timeout = null) =>
            RunUntilAsync(() => AcknowledgedCount >= acknowledged, timeout ?? TimeSpan.FromSeconds(60), $"{acknowledged} acknowledged commands");

        public bool EveryCaseAcknowledgedAfter(long since, IReadOnlyList<string> cases) =>
            Acknowledged.Where(a => a.At > since).Select(a => a.CaseNumber).Distinct().Count() == cases.Count;

        public async Task RunUntilAsync(Func<bool> done, TimeSpan timeout, string what)
        {
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)timeout.TotalSeconds;
            while (!done())
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"waited {timeout} for {what}: {AcknowledgedCount} acknowledged, {FailedAttempts} failed attempts");
                }

                var faulted = _workers.FirstOrDefault(w => w.IsFaulted);
                if (faulted is not null)
                {
                    await faulted;
                }

                await Task.Delay(100);
            }
        }

        /// <summary>The longest time, after <paramref name="since"/>, that any case waited for its next acknowledgement.</summary>
        public TimeSpan RecoveredWithin(long since, IReadOnlyList<string> cases)
        {
            var firstAfter = Acknowledged.Where(a => a.At > since).GroupBy(a => a.CaseNumber).ToDictionary(g => g.Key, g => g.Min(a => a.At));
            var missing = cases.Where(c => !firstAfter.ContainsKey(c)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} cases never accepted a command after the fault");
            return TimeSpan.FromSeconds((firstAfter.Values.Max() - since) / (double)Stopwatch.Frequency);
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            _stop.Dispose();
        }

        private async Task IntakeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var intake = _cluster.NewIntake();
                while (true)
                {
                    try
                    {
                        var outcome = await _cluster.Grains.GetGrain<IIntakeGrain>(0).Open(intake, TestCluster.Caseworker);
                        Assert.True(outcome.Accepted, outcome.Refusal?.Code);
                        Opened.Enqueue(outcome.CaseNumber);
                        break;
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        Interlocked.Increment(ref _failed);
                        Errors.AddOrUpdate("intake: " + ex.GetType().Name + ": " + ex.Message[..Math.Min(ex.Message.Length, 300)], 1, (_, n) => n + 1);
                        await Task.Delay(100);
                    }
                }

                await Task.Delay(20);
            }
        }

        private async Task WorkAsync(string[] cases)
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                var caseNumber = cases[i % cases.Length];
                var command = new RecordConsentRequest { CommandId = Guid.NewGuid().ToString(), Method = $"attempt {i}" };
                while (true)
                {
                    try
                    {
                        var outcome = await _cluster.Grains.GetGrain<ICaseGrain>(caseNumber).Execute(command, TestCluster.Caseworker);
                        Assert.True(outcome.Accepted, outcome.Refusal?.Code);
                        Acknowledged.Enqueue((caseNumber, command.CommandId!, Stopwatch.GetTimestamp()));
                        break;
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        Interlocked.Increment(ref _failed);
                        Errors.AddOrUpdate(ex.GetType().Name + ": " + ex.Message[..Math.Min(ex.Message.Length, 160)], 1, (_, n) => n + 1);
                        // The failed attempt may or may not have been appended: the retry with the same id settles it.
                        await Task.Delay(100);
                    }
                }
            }

        }
    }
}
