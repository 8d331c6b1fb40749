using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class RegistryTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    private IIntakeGrain Intake => fx.Grains.GetGrain<IIntakeGrain>(0);

    private static IntakeRequest Request(string nik, string? commandId = null, string region = "35.79.02") => new()
    {
        CommandId = commandId ?? Cmd.NewId(),
        Nik = nik,
        FullName = "Sri Wahyuni",
        RegionCode = region,
        Segment = Segment.Koperasi,
        ConsentGiven = true,
    };

    [Fact]
    public async Task SecondIntakeWithTheSameNik_IsRefusedAsDuplicate_NamingTheExistingCase()
    {
        var nik = fx.NextNik(female: true);
        var first = await Intake.Open(Request(nik), Cw);

        var second = await Intake.Open(Request(nik), Cw);

        Assert.True(first.Accepted);
        Assert.False(second.Accepted);
        Assert.Equal("case.duplicate", second.Refusal!.Code);
        Assert.Equal(first.CaseNumber, second.Refusal.Details["existingCaseNumber"]);
        Assert.Contains(first.CaseNumber, second.Refusal.Indonesian, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedIntakeCommand_ReturnsTheSameCase_AndOpensNothingNew()
    {
        var request = Request(fx.NextNik());

        var first = await Intake.Open(request, Cw);
        var again = await Intake.Open(request, Cw);

        Assert.True(again.Accepted);
        Assert.True(again.Replayed);
        Assert.Equal(first.CaseNumber, again.CaseNumber);
        Assert.Single((await fx.Grains.GetGrain<ICaseGrain>(first.CaseNumber).GetTimeline(Cw, 0, 10, "test"))!.Events);
    }

    [Fact]
    public async Task AfterClosing_TheSamePersonMayBeTakenInAgain_AndTheOldCaseCannotBeReopenedWhileTheNewOneIsOpen()
    {
        var nik = fx.NextNik();
        var old = await Intake.Open(Request(nik), Cw);
        var oldCase = fx.Grains.GetGrain<ICaseGrain>(old.CaseNumber);
        Assert.True((await oldCase.Execute(new CloseCaseRequest { CommandId = Cmd.NewId(), Reason = CloseReason.Moved }, ClusterFixture.Supervisor)).Accepted);

        var fresh = await Intake.Open(Request(nik), Cw);
        var reopen = await oldCase.Execute(new ReopenCaseRequest { CommandId = Cmd.NewId(), Reason = "Kembali ke Batu" }, ClusterFixture.Supervisor);

        Assert.True(fresh.Accepted);
        Assert.NotEqual(old.CaseNumber, fresh.CaseNumber);
        Assert.Equal("case.duplicate", reopen.Refusal!.Code);
        Assert.Equal(fresh.CaseNumber, reopen.Refusal.Details["existingCaseNumber"]);
        Assert.Equal(CaseStatus.Closed, (await oldCase.GetScope())!.Status);
    }

    [Fact]
    public async Task ReopeningAClosedCase_WhenThePersonHasNoOtherOpenCase_Succeeds_AndBlocksNewIntake()
    {
        var nik = fx.NextNik();
        var opened = await Intake.Open(Request(nik), Cw);
        var c = fx.Grains.GetGrain<ICaseGrain>(opened.CaseNumber);
        await c.Execute(Cmd.Stage(Stage.Intake, StageAction.Complete), Cw);
        await c.Execute(new CloseCaseRequest { CommandId = Cmd.NewId(), Reason = CloseReason.DroppedOut, Note = "Pindah kerja" }, ClusterFixture.Supervisor);

        var byCaseworker = await c.Execute(new ReopenCaseRequest { CommandId = Cmd.NewId(), Reason = "Kembali aktif" }, Cw);
        var reopen = await c.Execute(new ReopenCaseRequest { CommandId = Cmd.NewId(), Reason = "Kembali aktif" }, ClusterFixture.Supervisor);
        var intake = await Intake.Open(Request(nik), Cw);

        Assert.Equal("access.forbidden", byCaseworker.Refusal!.Code);
        Assert.True(reopen.Accepted);
        var view = (await c.GetView(Cw, "test"))!;
        Assert.Equal(CaseStatus.Open, view.Status);
        Assert.Equal(StageState.Completed, view.Stages[0].State);
        Assert.Equal("case.duplicate", intake.Refusal!.Code);
    }

    [Fact]
    public async Task RepeatedIntakeCommand_AfterTheCaseWasClosed_ReturnsTheFirstOutcome_AndOpensNoSecondCase()
    {
        var request = Request(fx.NextNik());
        var first = await Intake.Open(request, Cw);
        await fx.Grains.GetGrain<ICaseGrain>(first.CaseNumber).Execute(new CloseCaseRequest { CommandId = Cmd.NewId(), Reason = CloseReason.Moved }, ClusterFixture.Supervisor);

        var again = await Intake.Open(request, Cw);

        Assert.True(again.Accepted);
        Assert.True(again.Replayed);
        Assert.Equal(first.CaseNumber, again.CaseNumber);
        Assert.Equal(CaseStatus.Closed, (await fx.Grains.GetGrain<ICaseGrain>(first.CaseNumber).GetScope())!.Status);
    }

    [Fact]
    public async Task ARepeatedIntake_ByACallerWhoCannotSeeTheCase_DoesNotLearnItsNumber()
    {
        var request = Request(fx.NextNik());
        var first = await Intake.Open(request, Cw);
        var stranger = new Actor("cw-stranger", Domain.Access.Role.Caseworker, ["35.79.03"]);

        var replay = await Intake.Open(request, stranger);

        // The region check refuses the stranger before the registry answers (which would also withhold the number).
        Assert.True(first.Accepted);
        Assert.False(replay.Accepted);
        Assert.Equal("access.forbidden", replay.Refusal!.Code);
        Assert.DoesNotContain(first.CaseNumber, replay.Refusal.English, StringComparison.Ordinal);
        Assert.Equal("", replay.CaseNumber);
    }

    [Fact]
    public async Task ConcurrentIntakes_InOneRegency_GetDistinctCaseNumbers()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Intake.Open(Request(fx.NextNik(), region: "35.79.03.2001"), Cw)));

        Assert.All(outcomes, o => Assert.True(o.Accepted, o.Refusal?.Code));
        Assert.Equal(30, outcomes.Select(o => o.CaseNumber).Distinct().Count());
        Assert.All(outcomes, o => Assert.StartsWith("3579-", o.CaseNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentIntakes_OfOnePerson_OpenExactlyOneCase()
    {
        var nik = fx.NextNik();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Intake.Open(Request(nik), Cw)));

        var accepted = Assert.Single(outcomes, o => o.Accepted);
        Assert.All(outcomes.Where(o => !o.Accepted), o => Assert.Equal(accepted.CaseNumber, o.Refusal!.Details["existingCaseNumber"]));
    }

    [Theory]
    [InlineData("3579014101", "nik.invalid_format")]
    [InlineData("9979014101900001", "nik.unknown_region")]
    [InlineData("3579013201900001", "nik.invalid_birth_date")]
    public async Task InvalidNik_IsRefusedByCode_WithoutSpendingACaseNumber(string nik, string code)
    {
        var outcome = await Intake.Open(Request(nik), Cw);

        Assert.False(outcome.Accepted);
        Assert.Equal(code, outcome.Refusal!.Code);
        Assert.Equal("nik", outcome.Refusal.Field);
        Assert.DoesNotContain(nik, outcome.Refusal.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntakeRefusedByTheDomain_DoesNotSpendACaseNumber()
    {
        var before = await Intake.Open(Request(fx.NextNik(), region: "35.79.01.2005"), Cw);
        var refused = await Intake.Open(Request(fx.NextNik(), region: "35.79.01.2005") with { FullName = " " }, Cw);
        var after = await Intake.Open(Request(fx.NextNik(), region: "35.79.01.2005"), Cw);

        Assert.Equal("input.required", refused.Refusal!.Code);
        Assert.Equal("fullName", refused.Refusal.Field);
        Assert.Equal(long.Parse(before.CaseNumber[5..], System.Globalization.CultureInfo.InvariantCulture) + 1,
            long.Parse(after.CaseNumber[5..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
