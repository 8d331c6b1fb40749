using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// The notice kinds of issue 20, deliverable 4, on the embedded store with its own cluster and clock: a stage near its
/// SLA target (<c>sla-warning</c>), a referral answered or a financing application decided (<c>referral-answered</c>,
/// <c>financing-decided</c>) and a mentoring session due (<c>session-due</c>) — who receives each, once per event, and
/// who does not (the maker who answered himself, someone who lost access). The timers are the deadline index's rows,
/// swept here by hand with the clock moved.
/// </summary>
public sealed class NoticeKindTests(ClusterFixture fx) : IClassFixture<ClusterFixture>
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;
    private static readonly Actor Sv = ClusterFixture.Supervisor;

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private Task<int> SweepAsync() => fx.Grains.GetGrain<IDeadlineSweeperGrain>(0).Sweep();

    /// <summary>The user's notices about <paramref name="caseNumber"/>, oldest first, as (kind, event type).</summary>
    private async Task<List<(string Kind, string EventType)>> NoticesAsync(Actor user, string caseNumber) =>
        [.. (await fx.Grains.GetGrain<IOperationsGrain>(0).Notices(user, 500)).Where(n => n.CaseNumber == caseNumber).OrderBy(n => n.Seq).Select(n => (n.Kind, n.EventType))];

    private static async Task<List<string>> TypesAsync(ICaseGrain c) =>
        [.. (await c.GetTimeline(Cw, 0, 1000, "test"))!.Events.Select(e => e.Type)];

    private static async Task OkAsync(ICaseGrain c, CaseCommandRequest command, Actor actor)
    {
        var outcome = await c.Execute(command, actor);
        Assert.True(outcome.Accepted, $"{command.GetType().Name}: {outcome.Refusal?.Code} {outcome.Refusal?.English}");
    }

    [Fact]
    public async Task AStageNearItsTarget_WarnsTheCaseworkersServingTheCaseOnce_AfterItsActivationWasGone_ThenTheBreachWarnsNoOneAgain()
    {
        var serving = await fx.UserAsync(Id("cw-near"), Role.Caseworker, "35.79");
        var elsewhere = await fx.UserAsync(Id("cw-malang"), Role.Caseworker, "35.73");
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        var intake = SlaPolicy.Default.TargetFor(Stage.Intake)!.Value;
        await c.Rest(); // only the deadline row can bring the case back

        fx.Clock.Advance(intake * 0.8 - TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.DoesNotContain("SlaWarned", await TypesAsync(c));
        Assert.Empty(await NoticesAsync(serving, number));

        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        await SweepAsync();
        await SweepAsync();
        Assert.Single(await TypesAsync(c), t => t == "SlaWarned");
        Assert.Equal([("sla-warning", "SlaWarned")], await NoticesAsync(serving, number));
        Assert.Empty(await NoticesAsync(elsewhere, number));
        await c.RunConsequences(force: true); // running the consequences again adds nothing
        Assert.Single(await NoticesAsync(serving, number));

        // Past the target: breached (no warning notice again); the stage's warning is spent.
        fx.Clock.Advance(intake * 0.2);
        await SweepAsync();
        var types = await TypesAsync(c);
        Assert.Single(types, t => t == "SlaWarned");
        Assert.Single(types, t => t == "SlaBreached");
        Assert.Equal([("sla-warning", "SlaWarned")], await NoticesAsync(serving, number));
    }

    [Fact]
    public async Task AnIdleMentoredCase_RemindsItsMentorOncePerPeriod_ASessionRestartsThePeriod_AndTheMentoringStagesWarningReachesTheMentorToo()
    {
        var mentor = await fx.UserAsync(Id("mentor-due"), Role.Mentor);
        var caseworker = await fx.UserAsync(Id("cw-due"), Role.Caseworker, "35.79");
        var c = await MentoredCaseAsync(mentor.Id);
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        var period = SessionCadence.Default.Period;

        var assigned = ("case-assigned", "MentorAssigned");
        fx.Clock.Advance(period - TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Equal([assigned], await NoticesAsync(mentor, number));

        fx.Clock.Advance(TimeSpan.FromHours(2));
        await c.Rest();
        await SweepAsync();
        await SweepAsync();
        Assert.Single(await TypesAsync(c), t => t == "MentoringSessionDue");
        Assert.Equal([assigned, ("session-due", "MentoringSessionDue")], await NoticesAsync(mentor, number));
        Assert.Empty(await NoticesAsync(caseworker, number));

        // A session logged: the next reminder is a full period after it, not after the reminder.
        fx.Clock.Advance(TimeSpan.FromDays(5));
        await OkAsync(c, new LogMentoringSessionRequest { CommandId = Cmd.NewId(), Date = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime), Topic = "Pembukuan" }, mentor);
        fx.Clock.Advance(period - TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Single(await TypesAsync(c), t => t == "MentoringSessionDue");
        fx.Clock.Advance(TimeSpan.FromHours(2));
        await SweepAsync();
        Assert.Equal(2, (await TypesAsync(c)).Count(t => t == "MentoringSessionDue"));
        Assert.Equal([assigned, ("session-due", "MentoringSessionDue"), ("session-due", "MentoringSessionDue")], await NoticesAsync(mentor, number));

        // 80 % of Mentoring's 90 days: the stage's warning goes to the caseworkers serving the case and to its mentor.
        var started = (await c.GetView(Cw, "test"))!.Stages.Single(s => s.Stage == Stage.Mentoring).StartedAt!.Value;
        fx.Clock.Advance(started + SlaPolicy.Default.TargetFor(Stage.Mentoring)!.Value * 0.8 - fx.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Contains(("sla-warning", "SlaWarned"), await NoticesAsync(mentor, number));
        Assert.Equal([("sla-warning", "SlaWarned")], await NoticesAsync(caseworker, number));
    }

    [Fact]
    public async Task AReferralAnswered_TellsWhoMadeIt_NotWhenTheyAnsweredThemselves_NorOnceTheyMayNoLongerReadTheCase()
    {
        var maker = await fx.UserAsync(Id("cw-maker"), Role.Caseworker, "35.79");
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        var buyer = await fx.OfferAsync(OfferType.Matchmaking);
        var hotel = await fx.OfferAsync(OfferType.Matchmaking, category: "Perhotelan");
        await OkAsync(c, new EnrolRequest { CommandId = Cmd.NewId(), OfferId = buyer }, maker);

        // The partner's answer recorded by someone else (the supervisor here; the partner itself later): the maker is told once.
        await OkAsync(c, new RespondToReferralRequest { CommandId = Cmd.NewId(), OfferId = buyer, Accepted = true }, Sv);
        Assert.Equal([("referral-answered", "ReferralAccepted")], await NoticesAsync(maker, number));
        Assert.Empty(await NoticesAsync(Sv, number));
        await c.RunConsequences(force: true);
        Assert.Single(await NoticesAsync(maker, number));

        // The maker records the outcome himself: nothing to tell him.
        await OkAsync(c, new ReportReferralOutcomeRequest { CommandId = Cmd.NewId(), OfferId = buyer, Outcome = MatchOutcome.Contracted }, maker);
        Assert.Single(await NoticesAsync(maker, number));

        // A second referral by the maker, answered after he moved to another region: he may not read the case, no notice.
        await OkAsync(c, new EnrolRequest { CommandId = Cmd.NewId(), OfferId = hotel }, maker);
        var moved = await fx.UserAsync(maker.Id, Role.Caseworker, "35.73");
        await OkAsync(c, new RespondToReferralRequest { CommandId = Cmd.NewId(), OfferId = hotel, Accepted = false, Reason = "Kuota penuh" }, Sv);
        Assert.Contains("ReferralDeclined", await TypesAsync(c));
        Assert.Single(await NoticesAsync(moved, number));
    }

    [Fact]
    public async Task AFinancingApplicationDecided_TellsWhoApplied()
    {
        var maker = await fx.UserAsync(Id("cw-kur"), Role.Caseworker, "35.79");
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "test"))!.CaseNumber;
        await OkAsync(c, Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        await OkAsync(c, Cmd.Stage(Stage.Assessment, StageAction.Start), Cw);
        await OkAsync(c, Cmd.Assessment(), Cw);
        var kur = await fx.OfferAsync(OfferType.FinancingProduct);
        await OkAsync(c, new EnrolRequest { CommandId = Cmd.NewId(), OfferId = kur, AmountIdr = 20_000_000 }, maker);

        await OkAsync(c, new DecideFinancingRequest { CommandId = Cmd.NewId(), OfferId = kur, Approved = true, PlafondIdr = 20_000_000 }, Sv);

        Assert.Equal([("financing-decided", "FinancingApproved")], await NoticesAsync(maker, number));
        Assert.Empty(await NoticesAsync(Cw, number));
    }

    /// <summary>A case in the Mentoring stage with <paramref name="mentorId"/> assigned, everything before it done now.</summary>
    private async Task<ICaseGrain> MentoredCaseAsync(string mentorId)
    {
        var c = await fx.OpenCaseAsync();
        await OkAsync(c, Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        await OkAsync(c, Cmd.Stage(Stage.Assessment, StageAction.Start), Cw);
        await OkAsync(c, Cmd.Assessment(), Cw);
        await OkAsync(c, Cmd.Stage(Stage.Assessment, StageAction.Complete), Cw);
        await OkAsync(c, Cmd.Stage(Stage.Training, StageAction.Start), Cw);
        var course = await fx.OfferAsync(OfferType.Training);
        await OkAsync(c, new EnrolRequest { CommandId = Cmd.NewId(), OfferId = course }, Cw);
        await OkAsync(c, new CompleteTrainingRequest { CommandId = Cmd.NewId(), OfferId = course, AttendancePercent = 90 }, Cw);
        await OkAsync(c, Cmd.Stage(Stage.Training, StageAction.Complete), Cw);
        await OkAsync(c, Cmd.Stage(Stage.Mentoring, StageAction.Start), Cw);
        await OkAsync(c, new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = mentorId }, Cw);
        return c;
    }
}
