using CaseGrains.Domain.Access;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using System.Text.Json;
using Orleans.Core.Internal;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CaseGrainTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task Intake_OpensCaseWithRegionPrefixedNumber_AndTimelineStartsAtSeq1()
    {
        var c = await fx.OpenCaseAsync();
        var view = await c.GetView(Cw, "test");

        Assert.NotNull(view);
        Assert.Matches(@"^3579-\d{6}$", view.CaseNumber);
        Assert.Equal(1, view.Version);
        Assert.Equal(Stage.Intake, view.CurrentStage);
        Assert.Equal(StageState.Active, view.Stages[0].State);
        Assert.Equal("3579**********" + view.NikMasked[^2..], view.NikMasked);
        var timeline = (await c.GetTimeline(Cw, 0, 100, "test"))?.Events;
        var opened = Assert.Single(timeline!);
        Assert.Equal(1, opened.Seq);
        Assert.Equal("CaseOpened", opened.Type);
        Assert.Equal(Cw.Id, opened.ActorId);
        Assert.Equal(Cw.Role.ToString(), opened.ActorRole);
        Assert.Equal(fx.Clock.GetUtcNow(), opened.OccurredAt);
    }

    [Fact]
    public async Task Execute_SameCommandIdTwice_ReturnsFirstOutcome_AndAppendsNothing()
    {
        var c = await fx.OpenCaseAsync();
        var cmd = Cmd.Consent();

        var first = await c.Execute(cmd, Cw);
        var again = await c.Execute(cmd, Cw);

        Assert.True(first.Accepted);
        Assert.False(first.Replayed);
        Assert.True(again.Accepted);
        Assert.True(again.Replayed);
        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(2, (await c.GetTimeline(Cw, 0, 100, "test"))!.Events.Count);
    }

    [Fact]
    public async Task Execute_RefusedCommandRepeated_ReturnsTheSameRefusal_EvenAfterTheStateChanged()
    {
        var c = await fx.OpenCaseAsync(consent: false);
        var complete = Cmd.Stage(Stage.Intake, StageAction.Complete);

        var refused = await c.Execute(complete, Cw);
        Assert.True((await c.Execute(Cmd.Consent(), Cw)).Accepted);
        var repeat = await c.Execute(complete, Cw);

        Assert.False(refused.Accepted);
        Assert.Equal("gate.intake.consent_missing", refused.Refusal!.Code);
        Assert.False(repeat.Accepted);
        Assert.True(repeat.Replayed);
        Assert.Equal(refused.Refusal.Code, repeat.Refusal!.Code);
        Assert.Equal(2, (await c.GetTimeline(Cw, 0, 100, "test"))!.Events.Count);
    }

    [Fact]
    public async Task Execute_CommandIdReusedForDifferentContent_IsRefused()
    {
        var c = await fx.OpenCaseAsync();
        var id = Cmd.NewId();
        Assert.True((await c.Execute(Cmd.Consent(id), Cw)).Accepted);

        var reused = await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete, id: id), Cw);

        Assert.False(reused.Accepted);
        Assert.Equal("command.id_reused", reused.Refusal!.Code);
        Assert.Equal(2, (await c.GetView(Cw, "test"))!.Version);
    }

    [Fact]
    public async Task Execute_WithStaleExpectedVersion_IsRefusedWithTheCurrentVersion()
    {
        var c = await fx.OpenCaseAsync();
        Assert.True((await c.Execute(Cmd.Consent() with { ExpectedVersion = 1 }, Cw)).Accepted);

        var stale = await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete, expectedVersion: 1), Cw);
        var current = await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete, expectedVersion: 2), Cw);

        Assert.Equal("case.version_conflict", stale.Refusal!.Code);
        Assert.Equal("2", stale.Refusal.Details["currentVersion"]);
        Assert.Equal(2, stale.Version);
        Assert.True(current.Accepted);
        Assert.Equal(3, current.Version);
    }

    [Fact]
    public async Task Execute_RefusedCommand_ChangesNothing()
    {
        var c = await fx.OpenCaseAsync();
        var before = await c.GetView(Cw, "test");

        var refused = await c.Execute(Cmd.Stage(Stage.Financing, StageAction.Start), Cw);
        var missing = await c.Execute(new RecordConsentRequest { CommandId = Cmd.NewId() }, Cw);
        var noId = await c.Execute(new RecordConsentRequest { Method = "x" }, Cw);

        Assert.Equal("stage.out_of_order", refused.Refusal!.Code);
        Assert.Equal("Intake", refused.Refusal.Details["blockingStage"]);
        Assert.Equal("input.required", missing.Refusal!.Code);
        Assert.Equal("method", missing.Refusal.Field);
        Assert.Equal("input.required", noId.Refusal!.Code);
        Assert.Equal("commandId", noId.Refusal.Field);
        var after = await c.GetView(Cw, "test");
        Assert.Equal(before!.Version, after!.Version);
        Assert.Single((await c.GetTimeline(Cw, 0, 100, "test"))!.Events);
    }

    [Fact]
    public async Task ConcurrentCommands_GetContiguousSequenceNumbers_AndTheChainVerifies()
    {
        var c = await fx.OpenCaseAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => c.Execute(Cmd.Consent(), Cw)));

        Assert.All(outcomes, o => Assert.True(o.Accepted));
        Assert.Equal(Enumerable.Range(2, 40).Select(i => (long?)i), outcomes.Select(o => o.Seq).Order());
        var timeline = (await c.GetTimeline(Cw, 0, 1000, "test"))!.Events;
        Assert.Equal(Enumerable.Range(1, 41).Select(i => (long)i), timeline.Select(e => e.Seq));
        Assert.True((await c.VerifyChain(Cw))!.Valid);
    }

    [Fact]
    public async Task ConcurrentRepeatsOfOneCommand_AppendOnce()
    {
        var c = await fx.OpenCaseAsync();
        var cmd = Cmd.Consent();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => c.Execute(cmd, Cw)));

        Assert.Single(outcomes, o => !o.Replayed);
        Assert.All(outcomes, o => Assert.Equal(2, o.Seq));
        Assert.Equal(2, (await c.GetTimeline(Cw, 0, 100, "test"))!.Events.Count);
    }

    [Fact]
    public async Task GetTimeline_SinceN_ReturnsOnlyLaterEvents_InOrder_UpToTheLimit()
    {
        var c = await fx.OpenCaseAsync();
        for (var i = 0; i < 9; i++)
        {
            Assert.True((await c.Execute(Cmd.Consent(), Cw)).Accepted);
        }

        var since4 = (await c.GetTimeline(Cw, 4, 100, "test"))!.Events;
        var page = (await c.GetTimeline(Cw, 4, 3, "test"))!.Events;
        var none = (await c.GetTimeline(Cw, 10, 100, "test"))!.Events;

        Assert.Equal([5L, 6, 7, 8, 9, 10], since4.Select(e => e.Seq));
        Assert.Equal([5L, 6, 7], page.Select(e => e.Seq));
        Assert.Empty(none);
        Assert.All(since4.Zip(since4.Skip(1)), p => Assert.Equal(p.First.Hash, p.Second.PrevHash));
    }

    [Fact]
    public async Task VerifyChain_DetectsAnEditedEvent()
    {
        var c = await fx.OpenCaseAsync();
        await c.Execute(Cmd.Consent(), Cw);
        await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        Assert.True((await c.VerifyChain(Cw))!.Valid);

        // An attacker with write access to the file: drop the guard, rewrite history.
        await using (var conn = new SqliteConnection(fx.ConnectionString))
        {
            await conn.OpenAsync();
            await using var tx = conn.BeginTransaction();
            async Task<int> Run(string sql)
            {
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                cmd.Parameters.AddWithValue("$c", number);
                return await cmd.ExecuteNonQueryAsync();
            }

            await Run("DROP TRIGGER case_events_no_update");
            Assert.Equal(1, await Run("UPDATE case_events SET payload = replace(payload, 'signed form', 'forged') WHERE case_number = $c AND seq = 2"));
            await Run("CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END");
            await tx.CommitAsync();
        }

        var result = await c.VerifyChain(Cw);

        Assert.False(result!.Valid);
        Assert.Equal(2, result.FirstBrokenSeq);
        Assert.Equal(1, result.EventsChecked);
    }

    [Fact]
    public async Task VerifyChain_DetectsEventsRemovedFromTheEnd()
    {
        var c = await fx.OpenCaseAsync();
        await c.Execute(Cmd.Consent(), Cw);
        await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;

        await using (var conn = new SqliteConnection(fx.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                DROP TRIGGER case_events_no_delete;
                DELETE FROM case_events WHERE case_number = $c AND seq = 3;
                CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
                """;
            cmd.Parameters.AddWithValue("$c", number);
            await cmd.ExecuteNonQueryAsync();
        }

        var result = await c.VerifyChain(Cw);

        Assert.False(result!.Valid);
        Assert.Equal(3, result.FirstBrokenSeq);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_ReportsTheVersionAfterTheOriginalCommand_NotTheCurrentOne()
    {
        var c = await fx.OpenCaseAsync();
        var consent = Cmd.Consent();
        await c.Execute(consent, Cw);
        await c.Execute(Cmd.Consent(), Cw);

        var replay = await c.Execute(consent, Cw);

        Assert.Equal(2, replay.Version);
        Assert.Equal(2, replay.Seq);
    }

    [Fact]
    public async Task Timeline_IsAppendOnly_TheDatabaseRefusesEditsAndDeletes_AndAnAppendLeavesEarlierRowsUntouched()
    {
        var c = await fx.OpenCaseAsync();
        for (var i = 0; i < 20; i++)
        {
            await c.Execute(Cmd.Consent(), Cw);
        }

        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        var before = (await c.GetTimeline(Cw, 0, 1000, "test"))!.Events;
        await c.Execute(Cmd.Consent(), Cw);
        var after = (await c.GetTimeline(Cw, 0, 1000, "test"))!.Events;

        Assert.Equal(before, after.Take(before.Count));
        Assert.Equal(before.Count + 1, after.Count);
        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        foreach (var sql in new[] { "UPDATE case_events SET payload = '{}' WHERE case_number = $c", "DELETE FROM case_events WHERE case_number = $c" })
        {
            var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$c", number);
            var ex = await Assert.ThrowsAsync<SqliteException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reactivation_RebuildsStateHeadHashAndIdempotency_FromTheTimeline()
    {
        var c = await fx.OpenCaseAsync();
        var consent = Cmd.Consent();
        await c.Execute(consent, Cw);
        await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        var refusedCmd = Cmd.Stage(Stage.Training, StageAction.Start);
        var refused = await c.Execute(refusedCmd, Cw);
        var before = await c.GetView(Cw, "test");

        await c.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var reloaded = fx.Grains.GetGrain<ICaseGrain>(before!.CaseNumber);
        var rebuilt = await reloaded.GetView(Cw, "test");
        var replay = await reloaded.Execute(consent, Cw);
        var replayRefused = await reloaded.Execute(refusedCmd, Cw);
        var next = await reloaded.Execute(Cmd.Stage(Stage.Assessment, StageAction.Start), Cw);

        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(rebuilt));
        Assert.True(replay.Replayed);
        Assert.Equal(2, replay.Seq);
        Assert.True(replayRefused.Replayed);
        Assert.Equal(refused.Refusal!.Code, replayRefused.Refusal!.Code);
        Assert.Equal(4, next.Seq);
        Assert.True((await reloaded.VerifyChain(Cw))!.Valid);
    }

    [Fact]
    public async Task FullJourney_ThroughEveryGate_GraduatesTheCase_WithClassChange()
    {
        var c = await fx.OpenCaseAsync(consent: false);
        async Task Ok(CaseCommandRequest cmd)
        {
            var o = await c.Execute(cmd, Cw);
            Assert.True(o.Accepted, $"{cmd.GetType().Name}: {o.Refusal?.Code} {o.Refusal?.English}");
        }

        async Task Refused(CaseCommandRequest cmd, string code) => Assert.Equal(code, (await c.Execute(cmd, Cw)).Refusal?.Code);

        await Refused(Cmd.Stage(Stage.Intake, StageAction.Complete), "gate.intake.consent_missing");
        await Ok(Cmd.Consent());
        await Ok(Cmd.Stage(Stage.Intake, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Assessment, StageAction.Start));
        await Refused(Cmd.Stage(Stage.Assessment, StageAction.Complete), "gate.assessment.profile_missing");
        await Ok(Cmd.Assessment(turnover: 1_800_000_000));
        await Ok(Cmd.Stage(Stage.Assessment, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Training, StageAction.Start));
        var course = await fx.OfferAsync(OfferType.Training, threshold: 75);
        await Ok(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = course });
        await Ok(new CompleteTrainingRequest { CommandId = Cmd.NewId(), OfferId = course, AttendancePercent = 70 });
        await Refused(Cmd.Stage(Stage.Training, StageAction.Complete), "gate.training.no_completed_enrolment");
        var course2 = await fx.OfferAsync(OfferType.Training, category: "Pembukuan");
        await Ok(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = course2 });
        await Ok(new CompleteTrainingRequest { CommandId = Cmd.NewId(), OfferId = course2, AttendancePercent = 85 });
        await Ok(Cmd.Stage(Stage.Training, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Mentoring, StageAction.Start));
        await Refused(Cmd.Stage(Stage.Mentoring, StageAction.Complete), "gate.mentoring.no_mentor");
        await Refused(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = "cw-test" }, "mentor.unknown");
        await fx.UserAsync("m-1", Role.Mentor);
        await Ok(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = "m-1" });
        for (var i = 0; i < 3; i++)
        {
            await Refused(Cmd.Stage(Stage.Mentoring, StageAction.Complete), "gate.mentoring.too_few_sessions");
            await Ok(new LogMentoringSessionRequest { CommandId = Cmd.NewId(), Date = new DateOnly(2026, 11, 2), Topic = "Pembukuan" });
        }

        await Ok(Cmd.Stage(Stage.Mentoring, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Matching, StageAction.Skip, reason: "Belum ada pembeli yang cocok"));
        await Ok(Cmd.Stage(Stage.Financing, StageAction.Start));
        var kur = await fx.OfferAsync(OfferType.FinancingProduct);
        await Refused(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = kur, AmountIdr = 60_000_000 }, "financing.amount_out_of_range");
        await Ok(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = kur, AmountIdr = 50_000_000 });
        await Refused(new DecideFinancingRequest { CommandId = Cmd.NewId(), OfferId = kur, Approved = false }, "input.required");
        await Refused(Cmd.Stage(Stage.Financing, StageAction.Complete), "gate.financing.no_decision");
        await Ok(new DecideFinancingRequest { CommandId = Cmd.NewId(), OfferId = kur, Approved = true, PlafondIdr = 50_000_000 });
        await Ok(new DisburseFinancingRequest { CommandId = Cmd.NewId(), OfferId = kur, AmountIdr = 50_000_000, Date = new DateOnly(2026, 11, 2) });
        await Ok(Cmd.Stage(Stage.Financing, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Graduated, StageAction.Start));
        await Refused(Cmd.Stage(Stage.Graduated, StageAction.Complete), "gate.graduated.outcomes_missing");
        await Ok(new RecordOutcomesRequest { CommandId = Cmd.NewId(), AnnualTurnoverAfterIdr = 2_500_000_000, BusinessCapitalAfterIdr = 300_000_000, WorkersAfter = 6 });
        await Ok(Cmd.Stage(Stage.Graduated, StageAction.Complete));
        await Refused(Cmd.Consent(), "case.not_open");

        var view = (await c.GetView(Cw, "test"))!;
        Assert.Equal(CaseStatus.Graduated, view.Status);
        Assert.Equal(StageState.Skipped, view.Stages.Single(s => s.Stage == Stage.Matching).State);
        Assert.Equal(UmkmClass.Micro, view.Outcomes!.UmkmClassBefore);
        Assert.Equal(UmkmClass.Small, view.Outcomes.UmkmClassAfter);
        Assert.True((await c.VerifyChain(Cw))!.Valid);
    }
}
