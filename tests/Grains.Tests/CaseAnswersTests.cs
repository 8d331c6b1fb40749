using CaseGrains.Domain;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// A case holds only hashes of the command ids it answered: a hash found is a hint, the store has the answer. With every
/// id hashing alike, a new command is still new, and the ids answered still get their first answers.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CaseAnswersTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task ACollidingHash_NeitherReplaysNorRefusesANewCommand_AndAnsweredIdsKeepTheirFirstAnswers()
    {
        var c = await fx.OpenCaseAsync(consent: false);
        var consent = Cmd.Consent();
        var accepted = await c.Execute(consent, Cw);
        var start = Cmd.Stage(Stage.Training, StageAction.Start);
        var refused = await c.Execute(start, Cw);
        Assert.True(accepted.Accepted);
        Assert.False(refused.Accepted);
        var store = fx.Cluster.Silos[0].ServiceProvider.GetRequiredService<ICaseTimelineStore>();
        var answers = new CaseAnswers(accepted.CaseNumber, store, fx.Clock, _ => 42);
        answers.Reset([consent.CommandId!, start.CommandId!]);

        // A new id looks answered in memory, but the store holds no answer: a new command.
        var fresh = Cmd.Stage(Stage.Intake, StageAction.Complete);
        Assert.True(answers.MayHaveAnswered(fresh.CommandId!));
        Assert.Null(await answers.AnswerAsync(fresh.CommandId!, CommandMapper.Fingerprint(fresh), 2));
        Assert.False(await answers.AnsweredAsync(fresh.CommandId!));
        var recorded = await answers.RefuseAsync(fresh.CommandId!, CommandMapper.Fingerprint(fresh), Cw, Refusals.StaleVersion(2), 2);
        Assert.False(recorded.Replayed);
        Assert.Equal(Refusals.StaleVersion(2).Code, recorded.Refusal!.Code);

        // The ids answered: their first answers, marked replayed; with another command, refused as reused.
        var replay = await answers.AnswerAsync(consent.CommandId!, CommandMapper.Fingerprint(consent), 2);
        Assert.True(replay is { Accepted: true, Replayed: true });
        Assert.Equal(accepted.Seq, replay.Seq);
        var replayRefused = await answers.AnswerAsync(start.CommandId!, CommandMapper.Fingerprint(start), 2);
        Assert.True(replayRefused is { Accepted: false, Replayed: true });
        Assert.Equal(refused.Refusal!.Code, replayRefused.Refusal!.Code);
        var reused = await answers.AnswerAsync(consent.CommandId!, CommandMapper.Fingerprint(Cmd.Stage(Stage.Intake, StageAction.Complete, id: consent.CommandId)), 2);
        Assert.Equal(Refusals.CommandIdReused().Code, reused!.Refusal!.Code);
        Assert.True(await answers.AnsweredAsync(start.CommandId!));
    }

    [Fact]
    public async Task ManyAnsweredIds_EachRepeatIsReplayed_AndANewCommandIsTaken()
    {
        // Through the grain: the held hashes grow with each answer, in order.
        var c = await fx.OpenCaseAsync();
        for (var i = 0; i < 20; i++)
        {
            var refused = Cmd.Stage(Stage.Training, StageAction.Start);
            Assert.False((await c.Execute(refused, Cw)).Replayed);
            Assert.True((await c.Execute(refused, Cw)).Replayed);
        }

        var next = await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        Assert.True(next.Accepted);
        Assert.False(next.Replayed);
    }
}
