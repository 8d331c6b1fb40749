using CaseGrains.Grains.Identity;
using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Privacy;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// Snapshots (issue 16, deliverable 2) on the embedded store: a case activates from its latest snapshot and the events
/// after it, to the state a full replay gives; command ids answered before the snapshot get their first answer again;
/// a snapshot of another format, or one that does not chain on to the timeline, is passed over and rewritten.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task ACaseWritesASnapshotEvery10Events_ThatEqualsTheFoldOfItsEvents_AndActivatesFromIt_AnsweringOldCommandIdsAsFirstAnswered()
    {
        var (c, number, ids) = await LongCaseAsync();
        var snapshot = await WaitForSnapshotAsync(number, 60);

        // The snapshot is the fold of the events up to it, exactly.
        using var store = Store();
        var all = await store.LoadAsync(number, CancellationToken.None);
        Assert.Null(all.Snapshot);
        // The personal fields are stored sealed under the case's key: opened as the grain opens them.
        var options = Options.Create(new CaseGrainsOptions { DataDirectory = fx.DataDirectory });
        var wrapped = (await store.ReadSubjectKeyAsync(number, CancellationToken.None))!.WrappedKey!;
        var cipher = new SubjectCipher(number, new SubjectKeyRing(options).Unwrap(number, wrapped));
        Assert.DoesNotContain("Penerima Uji", all.Events[0].PayloadJson, StringComparison.Ordinal);
        CaseState? state = null;
        foreach (var e in all.Events.Take(60))
        {
            state = CaseState.Apply(state, EventJson.Deserialize(e.Type, cipher.Open(e.Type, e.PayloadJson)), checked((int)e.Seq), e.OccurredAt);
        }

        Assert.Equal(CaseSnapshots.Write(state!), snapshot.State);
        Assert.Equal(60, snapshot.Seq);
        Assert.Equal(all.Events[59].Hash, snapshot.Head);
        Assert.Equal(CaseSnapshots.Format, snapshot.Format);

        // The store gives the snapshot and only the events after it.
        var fromSnapshot = await store.LoadAsync(number, CaseSnapshots.Format, CancellationToken.None);
        Assert.Equal(60, fromSnapshot.Snapshot!.Seq);
        Assert.Equal([61L, 62L, 63L], fromSnapshot.Events.Select(e => e.Seq));
        Assert.Null((await store.LoadAsync(number, "0.another-format", CancellationToken.None)).Snapshot);

        var before = await c.GetView(Cw, "test");
        await WaitForConsequencesAsync(number, 63);
        await c.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var reloaded = fx.Grains.GetGrain<ICaseGrain>(number);
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(await reloaded.GetView(Cw, "test")));

        // Answered before the snapshot: the consent (the decider now refuses a second one), a mentoring session (the
        // decider would take another one), a refusal; and an old id with another command.
        var consent = await reloaded.Execute(Cmd.Consent(ids.Consent), Cw);
        Assert.True(consent.Accepted && consent.Replayed && consent.Seq == 2, $"{consent.Seq} {consent.Refusal?.Code}");
        var session = await reloaded.Execute(Session(ids.Session), Cw);
        Assert.True(session.Accepted && session.Replayed && session.Seq == ids.SessionSeq, $"{session.Seq} {session.Refusal?.Code}");
        var refusal = await reloaded.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete, id: ids.Refused), Cw);
        Assert.True(!refusal.Accepted && refusal.Replayed && refusal.Refusal!.Code == "gate.intake.consent_missing");
        Assert.Equal("command.id_reused", (await reloaded.Execute(Cmd.Stage(Stage.Mentoring, StageAction.Complete, id: ids.Session), Cw)).Refusal?.Code);

        var next = await reloaded.Execute(Session(Cmd.NewId()), Cw);
        Assert.Equal(all.Events.Count + 1, next.Seq);
        var chain = (await reloaded.VerifyChain(Cw))!;
        Assert.True(chain.Valid);
        Assert.Equal(all.Events.Count + 1, chain.EventsChecked);
    }

    [Fact]
    public async Task AnActivationReadsTheSnapshot_ButPassesOverOneOfAnotherFormatOrThatDoesNotChainOn_AndRewritesIt()
    {
        var (c, number, _) = await LongCaseAsync();
        var snapshot = await WaitForSnapshotAsync(number, 60);
        await WaitForConsequencesAsync(number, 63);
        await c.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        // A doctored snapshot in the current format that chains on: what the activation shows comes from it.
        var doctored = snapshot.State.Replace("Penerima Uji", "Dari Snapshot", StringComparison.Ordinal);
        await WriteRowAsync(number, snapshot.Seq, CaseSnapshots.Format, doctored, snapshot.Head);
        Assert.Equal("Dari Snapshot", (await Reactivate(number)).FullName);

        // The same in another format (a release that changed the state's shape): passed over, rewritten in this one.
        await WriteRowAsync(number, snapshot.Seq, "0.an-older-release", doctored, snapshot.Head);
        Assert.Equal("Penerima Uji", (await Reactivate(number)).FullName);
        var rewritten = await WaitForSnapshotAsync(number, 63);
        Assert.Equal(CaseSnapshots.Format, rewritten.Format);
        Assert.DoesNotContain("Dari Snapshot", rewritten.State, StringComparison.Ordinal);

        // One whose head is not the next event's previous hash: passed over too.
        await WriteRowAsync(number, snapshot.Seq, CaseSnapshots.Format, doctored, new string('0', 64), replace: true);
        Assert.Equal("Penerima Uji", (await Reactivate(number)).FullName);
        await WaitForSnapshotAsync(number, 63);

        // Unreadable JSON: passed over, the case still answers.
        await WriteRowAsync(number, snapshot.Seq, CaseSnapshots.Format, "{\"not\":", snapshot.Head, replace: true);
        Assert.Equal("Penerima Uji", (await Reactivate(number)).FullName);
    }

    [Fact]
    public void TheFormat_NamesTheFoldVersionAndTheStateShape_AndAStateReadsBackToTheSameJson()
    {
        Assert.Matches(@"^2\.[0-9a-f]{16}$", CaseSnapshots.Format);
        var state = CaseState.Apply(null, new CaseOpened("3579-000001", "hash", "3579**********01", "Nama", Gender.Female, "35.79.01", Segment.Umkm, null, true), 1, DateTimeOffset.UnixEpoch);
        var json = CaseSnapshots.Write(state);
        var read = CaseSnapshots.Read(json);
        Assert.Equal(json, CaseSnapshots.Write(read));
        Assert.Same(StageProgress.NotStarted, read[Stage.Training]);
        // Every purpose consented to: the one shared set, as in a state folded from its events (not a set per case).
        Assert.Same(ConsentPurposes.All, read.ConsentedPurposes);
        Assert.DoesNotContain("activeStage", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSessionPositions_AreAByteEachInTheSnapshot_AnyListReadsBack_AndBytesThatDoNotDecodeAreRefused()
    {
        var opened = CaseState.Apply(null, new CaseOpened("3579-000001", "hash", "3579**********01", "Nama", Gender.Female, "35.79.01", Segment.Umkm, null, true), 1, DateTimeOffset.UnixEpoch);

        // A long case: 5,000 sessions, every other event.
        var sessions = opened with { MentoringSessionSeqs = [.. Enumerable.Range(0, 5000).Select(i => 3 + 2 * i)] };
        var json = CaseSnapshots.Write(sessions);
        Assert.Equal(sessions.MentoringSessionSeqs.ToArray(), CaseSnapshots.Read(json).MentoringSessionSeqs.ToArray());
        var withNone = CaseSnapshots.Write(opened);
        Assert.True(json.Length - withNone.Length < 7000, $"5,000 positions take {json.Length - withNone.Length} characters");

        // Any list of ints, in any order, and none.
        foreach (var positions in new int[][] { [], [1], [int.MaxValue, int.MinValue, 0, -5, 7, 7, 1_000_000], [int.MinValue, int.MaxValue] })
        {
            var state = opened with { MentoringSessionSeqs = [.. positions] };
            Assert.Equal(positions, CaseSnapshots.Read(CaseSnapshots.Write(state)).MentoringSessionSeqs.ToArray());
        }

        // A number cut short, one too long, not base64, or the older JSON array: a JsonException (the activation then
        // passes the snapshot over and replays the timeline).
        var empty = "\"mentoringSessionSeqs\":\"\"";
        Assert.Contains(empty, withNone, StringComparison.Ordinal);
        foreach (var bad in new[] { "\"gA==\"", "\"gICAgIAB\"", "\"not base64!\"", "[3,5,7]" })
        {
            Assert.ThrowsAny<JsonException>(() => CaseSnapshots.Read(withNone.Replace(empty, "\"mentoringSessionSeqs\":" + bad, StringComparison.Ordinal)));
        }
    }

    private async Task<CaseView> Reactivate(string number)
    {
        var grain = fx.Grains.GetGrain<ICaseGrain>(number);
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var view = await fx.Grains.GetGrain<ICaseGrain>(number).GetView(Cw, "test");
        Assert.NotNull(view);
        Assert.True((await grain.VerifyChain(Cw))!.Valid);
        return view;
    }

    private sealed record Ids(string Consent, string Refused, string Session, long SessionSeq);

    /// <summary>A case through intake, assessment, training and into mentoring, then 51 sessions: 62 events.</summary>
    private async Task<(ICaseGrain Case, string Number, Ids Ids)> LongCaseAsync()
    {
        var c = await fx.OpenCaseAsync(consent: false);
        async Task<CommandOutcome> Ok(CaseCommandRequest cmd)
        {
            var o = await c.Execute(cmd, Cw);
            Assert.True(o.Accepted, $"{cmd.GetType().Name}: {o.Refusal?.Code}");
            return o;
        }

        var refused = Cmd.NewId();
        Assert.False((await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete, id: refused), Cw)).Accepted);
        var consent = Cmd.NewId();
        await Ok(Cmd.Consent(consent));
        await Ok(Cmd.Stage(Stage.Intake, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Assessment, StageAction.Start));
        await Ok(Cmd.Assessment());
        await Ok(Cmd.Stage(Stage.Assessment, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Training, StageAction.Start));
        var course = await fx.OfferAsync(OfferType.Training);
        await Ok(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = course });
        await Ok(new CompleteTrainingRequest { CommandId = Cmd.NewId(), OfferId = course, AttendancePercent = 90 });
        await Ok(Cmd.Stage(Stage.Training, StageAction.Complete));
        await Ok(Cmd.Stage(Stage.Mentoring, StageAction.Start));
        var mentor = $"m-snap-{Guid.NewGuid():N}"[..16];
        await fx.UserAsync(mentor, Role.Mentor, "35.79");
        await Ok(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = mentor });
        var session = Cmd.NewId();
        long sessionSeq = 0;
        for (var i = 0; i < 50; i++)
        {
            var o = await Ok(Session(i == 10 ? session : Cmd.NewId()));
            sessionSeq = i == 10 ? o.Seq!.Value : sessionSeq;
        }

        var last = await Ok(Session(Cmd.NewId()));
        Assert.Equal(63, last.Seq);
        return (c, (await c.GetView(Cw, "test"))!.CaseNumber, new Ids(consent, refused, session, sessionSeq));
    }

    private static LogMentoringSessionRequest Session(string id) =>
        new() { CommandId = id, Date = new DateOnly(2026, 11, 2), Topic = "Pembukuan" };

    private SqliteCaseEventStore Store() => new(Options.Create(new CaseGrainsOptions { DataDirectory = fx.DataDirectory }));

    private async Task<StoredSnapshot> WaitForSnapshotAsync(string number, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var conn = new SqliteConnection(fx.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT seq, format, state, head FROM case_snapshots WHERE case_number = $c";
            cmd.Parameters.AddWithValue("$c", number);
            await using var r = await cmd.ExecuteReaderAsync();
            if (await r.ReadAsync() && r.GetInt64(0) >= seq)
            {
                return new StoredSnapshot(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3));
            }

            Assert.True(DateTime.UtcNow < deadline, $"no snapshot of {number} at #{seq} within 10 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Until the case's consequences are done through <paramref name="seq"/> (an activation before that replays every event: it owes them).</summary>
    private async Task WaitForConsequencesAsync(string number, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        using var store = Store();
        while ((await store.LoadAsync(number, CaseSnapshots.Format, CancellationToken.None)).ConsequencesDone < seq)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the consequences of {number} not done through #{seq} within 10 s");
            await Task.Delay(50);
        }
    }

    private async Task WriteRowAsync(string number, long seq, string format, string state, string head, bool replace = false)
    {
        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = replace
            ? "UPDATE case_snapshots SET seq = $s, format = $f, state = $st, head = $h WHERE case_number = $c"
            : "INSERT OR REPLACE INTO case_snapshots (case_number, seq, format, state, head, written_at) VALUES ($c, $s, $f, $st, $h, '2026-11-02T03:00:00Z')";
        cmd.Parameters.AddWithValue("$c", number);
        cmd.Parameters.AddWithValue("$s", seq);
        cmd.Parameters.AddWithValue("$f", format);
        cmd.Parameters.AddWithValue("$st", state);
        cmd.Parameters.AddWithValue("$h", head);
        await cmd.ExecuteNonQueryAsync();
    }
}
