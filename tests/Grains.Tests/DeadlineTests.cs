using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// The deadline index (issue 16, deliverable 3) on the embedded store, with its own cluster and clock: a case's SLA
/// deadline is a row of <c>case_deadlines</c>, never a reminder; a sweep appends what is due once (the warning, the
/// breach, the escalation), moves the row to the next deadline, and a closed case has none. (The SLA and referral tests over HTTP, with real time, are unchanged.)
/// </summary>
public sealed class DeadlineTests(ClusterFixture fx) : IClassFixture<ClusterFixture>
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task ACaseDeadlineIsARowNotAReminder_ASweepAppendsTheWarningTheBreachThenTheEscalationOnce_AndAClosedCaseHasNone()
    {
        var opened = fx.Clock.GetUtcNow();
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        var intake = SlaPolicy.Default.TargetFor(Stage.Intake)!.Value;

        // First the stage's warning point (80 % of its target), then the target itself.
        Assert.Equal(opened + intake * 0.8, await WaitForDeadlineAsync(number, d => d is not null));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM OrleansRemindersTable WHERE GrainId LIKE '%' || $c || '%'", number));

        // Not due yet: a sweep leaves it alone.
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        Assert.DoesNotContain("SlaWarned", await TypesAsync(c));

        // The sweeper's own timer (every 5 s at most) may sweep what came due before this call does: the count a call
        // returns is not asserted, what the case holds after it is.
        fx.Clock.Advance(intake * 0.8);
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        Assert.Single(await TypesAsync(c), t => t == "SlaWarned");
        Assert.DoesNotContain("SlaBreached", await TypesAsync(c));
        Assert.Equal(opened + intake, await WaitForDeadlineAsync(number, d => d == opened + intake));

        fx.Clock.Advance(intake * 0.2 + TimeSpan.FromHours(1));
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        Assert.Single(await TypesAsync(c), t => t == "SlaBreached");
        var escalateAt = opened + intake + SlaPolicy.Default.EscalationGrace;
        Assert.Equal(escalateAt, await WaitForDeadlineAsync(number, d => d == escalateAt));

        // A sweep again before the grace is over appends nothing.
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        Assert.Single(await TypesAsync(c), t => t == "SlaBreached");

        fx.Clock.Advance(SlaPolicy.Default.EscalationGrace);
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        await fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();
        var types = await TypesAsync(c);
        Assert.Single(types, t => t == "SlaWarned");
        Assert.Single(types, t => t == "SlaBreached");
        Assert.Single(types, t => t == "SlaEscalated");
        Assert.Null(await WaitForDeadlineAsync(number, d => d is null)); // escalated: nothing more is due for this stage

        // The next stage has its own deadline; closing the case removes it.
        Assert.True((await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw)).Accepted);
        Assert.True((await c.Execute(Cmd.Stage(Stage.Assessment, StageAction.Start), Cw)).Accepted);
        var assessment = fx.Clock.GetUtcNow() + SlaPolicy.Default.TargetFor(Stage.Assessment)!.Value * 0.8;
        Assert.Equal(assessment, await WaitForDeadlineAsync(number, d => d == assessment));
        var closed = await c.Execute(new CloseCaseRequest { CommandId = Cmd.NewId(), Reason = CloseReason.DroppedOut, Note = "mundur" }, ClusterFixture.Supervisor);
        Assert.True(closed.Accepted, closed.Refusal?.Code);
        Assert.Null(await WaitForDeadlineAsync(number, d => d is null));
    }

    private static async Task<List<string>> TypesAsync(ICaseGrain c) =>
        [.. (await c.GetTimeline(Cw, 0, 1000, "test"))!.Events.Select(e => e.Type)];

    /// <summary>The case's SLA deadline once <paramref name="until"/> holds for it (it is written by a consequence, just after the command's answer).</summary>
    private async Task<DateTimeOffset?> WaitForDeadlineAsync(string number, Func<DateTimeOffset?, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var conn = new SqliteConnection(fx.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT due_at FROM case_deadlines WHERE case_number = $c AND kind = 'sla'";
            cmd.Parameters.AddWithValue("$c", number);
            var due = await cmd.ExecuteScalarAsync() is string text ? Domain.Timeline.EventChain.ParseTime(text) : (DateTimeOffset?)null;
            if (until(due))
            {
                return due;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the SLA deadline of {number} is {due?.ToString("O") ?? "none"}");
            await Task.Delay(50);
        }
    }

    private async Task<long> ScalarAsync(string sql, string number)
    {
        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$c", number);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
