using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using Microsoft.Data.Sqlite;

namespace CaseGrains.Grains.Tests;

/// <summary>Row-level access decided in the grains: out of scope looks exactly like not found.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task ACaseOutsideTheCallersRegion_AnswersExactlyLikeANonExistentOne()
    {
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "t"))!.CaseNumber;
        var malang = new Actor("cw-malang", Role.Caseworker, ["35.07"]);
        var nobody = fx.Grains.GetGrain<ICaseGrain>("3579-999998");

        Assert.Null(await c.GetView(malang, "t"));
        Assert.Null(await c.GetTimeline(malang, 0, 10, "t"));
        Assert.Null(await c.VerifyChain(malang));
        var command = await c.Execute(Cmd.Consent(), malang);
        var missing = await nobody.Execute(Cmd.Consent(), malang);
        Assert.Equal("case.not_found", command.Refusal!.Code);
        // The whole answer is the same, but for the number asked about.
        Assert.Equal(missing with { CaseNumber = "" }, command with { CaseNumber = "" }, new OutcomeComparer());
        Assert.Equal(await nobody.RevealNik(malang, "cek"), await c.RevealNik(malang, "cek"), new RevealComparer());
        Assert.Equal((await nobody.GetAccessLog(malang, 5)).Refusal, (await c.GetAccessLog(malang, 5)).Refusal, new RefusalComparer());
        Assert.Equal("case.not_found", (await c.RevealNik(malang, "cek")).Refusal!.Code);
        Assert.Single((await c.GetTimeline(Cw, 0, 10, "t"))!.Events);
        Assert.Equal(number, (await c.GetView(new Actor("sv-batu", Role.Supervisor, ["35"]), "t"))!.CaseNumber);
    }

    [Fact]
    public async Task OutOfScopeAttempts_AreInTheCasesAccessLog_ForItsSupervisors()
    {
        var c = await fx.OpenCaseAsync();
        var malang = new Actor("cw-prober", Role.Caseworker, ["35.07"]);
        await c.GetView(malang, "probe");
        await c.Execute(Cmd.Consent(), malang);

        var log = (await c.GetAccessLog(ClusterFixture.Supervisor, 50)).Entries!;

        Assert.Contains(log, e => e.UserId == "cw-prober" && e.Action == "denied-read");
        Assert.Contains(log, e => e.UserId == "cw-prober" && e.Action == "denied-command");
    }

    [Fact]
    public async Task ListingCases_IsRecordedInEachListedCasesAccessLog()
    {
        var c = await fx.OpenCaseAsync();
        var number = (await c.GetView(Cw, "t"))!.CaseNumber;
        var lister = new Actor("cw-lister", Role.Caseworker, ["35.79.01"]);

        var page = await fx.Grains.GetGrain<ICaseSearchGrain>(0).Search(new CaseQuery(null, null, null, null, number, 1, 10), lister);

        Assert.Contains(page!.Items, i => i.CaseNumber == number);
        Assert.Contains((await c.GetAccessLog(ClusterFixture.Supervisor, 50)).Entries!, e => e.UserId == "cw-lister" && e.Action == "list");
    }

    [Fact]
    public async Task AMentorSeesOnlyTheCasesAssignedToThem_AndOnlyUntilReassigned()
    {
        var c = await fx.OpenCaseAsync();
        var first = await fx.UserAsync("mentor-a", Role.Mentor);
        var second = await fx.UserAsync("mentor-b", Role.Mentor);
        Assert.Null(await c.GetView(first, "t"));

        Assert.True((await c.Execute(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = "mentor-a" }, Cw)).Accepted);
        Assert.NotNull(await c.GetView(first, "t"));
        Assert.True((await c.Execute(new LogMentoringSessionRequest { CommandId = Cmd.NewId(), Date = new DateOnly(2026, 11, 2), Topic = "Kas" }, first)).Accepted);
        Assert.Equal("access.forbidden", (await c.Execute(Cmd.Consent(), first)).Refusal!.Code);
        Assert.Equal("access.forbidden", (await c.RevealNik(first, "cek")).Refusal!.Code);

        Assert.True((await c.Execute(new AssignMentorRequest { CommandId = Cmd.NewId(), MentorId = "mentor-b" }, Cw)).Accepted);

        Assert.Null(await c.GetView(first, "t"));
        Assert.NotNull(await c.GetView(second, "t"));
        Assert.Equal("case.not_found", (await c.Execute(new LogMentoringSessionRequest { CommandId = Cmd.NewId(), Date = new DateOnly(2026, 11, 2), Topic = "Kas" }, first)).Refusal!.Code);
        var number = (await c.GetView(Cw, "t"))!.CaseNumber;
        var mine = await fx.Grains.GetGrain<ICaseSearchGrain>(0).Search(new CaseQuery(null, null, null, null, null, 1, 200), second);
        var theirs = await fx.Grains.GetGrain<ICaseSearchGrain>(0).Search(new CaseQuery(null, null, null, null, null, 1, 200), first);
        Assert.Contains(mine!.Items, i => i.CaseNumber == number);
        Assert.DoesNotContain(theirs!.Items, i => i.CaseNumber == number);
    }

    [Fact]
    public async Task MinistryAnalystsAndAdmins_SeeNoIndividualCase_AndCannotList()
    {
        var c = await fx.OpenCaseAsync();
        foreach (var actor in new[] { new Actor("analyst", Role.MinistryAnalyst, []), new Actor("admin", Role.Admin, []) })
        {
            Assert.Null(await c.GetView(actor, "t"));
            Assert.Null(await fx.Grains.GetGrain<ICaseSearchGrain>(0).Search(new CaseQuery(null, null, null, null, null, 1, 10), actor));
            Assert.Equal("case.not_found", (await c.Execute(Cmd.Consent(), actor)).Refusal!.Code);
        }
    }

    [Fact]
    public async Task IntakeOutsideTheCallersRegion_IsForbidden_AndADuplicateElsewhereIsNotNamed()
    {
        var nik = fx.NextNik();
        var intake = fx.Grains.GetGrain<IIntakeGrain>(0);
        var request = new IntakeRequest { CommandId = Cmd.NewId(), Nik = nik, FullName = "Uji", RegionCode = "35.79.01", Segment = Segment.Umkm, ConsentGiven = true };
        var malang = new Actor("cw-malang", Role.Caseworker, ["35.07", "35.79.02"]);

        var outside = await intake.Open(request, malang);
        Assert.Equal("access.forbidden", outside.Refusal!.Code);
        Assert.True((await intake.Open(request with { CommandId = Cmd.NewId() }, Cw)).Accepted);
        var duplicate = await intake.Open(request with { CommandId = Cmd.NewId(), RegionCode = "35.79.02" }, malang);

        Assert.Equal("case.duplicate", duplicate.Refusal!.Code);
        Assert.False(duplicate.Refusal.Details.ContainsKey("existingCaseNumber"));
    }

    [Fact]
    public async Task RevealNik_GivesTheDigitsToTheRegionsCaseworker_ForAStatedPurpose_AndTheAccessLogShowsIt()
    {
        var nik = fx.NextNik(female: true);
        var c = await fx.OpenCaseAsync(nik: nik);
        await c.Execute(Cmd.Consent(), Cw);

        var noPurpose = await c.RevealNik(Cw, "  ");
        var revealed = await c.RevealNik(Cw, "Verifikasi KTP untuk KUR");
        var byCaseworker = await c.GetAccessLog(Cw, 50);
        var log = await c.GetAccessLog(ClusterFixture.Supervisor, 50);

        Assert.Equal("input.required", noPurpose.Refusal!.Code);
        Assert.Equal(nik, revealed.Nik);
        Assert.Equal("access.forbidden", byCaseworker.Refusal!.Code);
        Assert.Contains(log.Entries!, e => e.Action == "reveal-nik" && e.Purpose == "Verifikasi KTP untuk KUR" && e.UserId == Cw.Id);
        Assert.Contains(log.Entries!, e => e.Action == "command" && e.Purpose == "ConsentRecorded");
        Assert.Contains(log.Entries!, e => e.Action == "command" && e.Purpose == "CaseOpened");
    }

    [Fact]
    public async Task TheNikIsStoredOnlyEncrypted_NeverInClear_InTheDatabase()
    {
        var nik = fx.NextNik();
        var c = await fx.OpenCaseAsync(nik: nik);
        await c.Execute(Cmd.Consent(), Cw);
        await c.RevealNik(Cw, "cek");

        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        foreach (var (table, columns) in new[]
        {
            ("case_events", "payload || command_id"), ("case_index", "nik_masked || full_name"), ("access_audit", "purpose"),
            ("OrleansStorage", "CAST(PayloadBinary AS TEXT)"),
        })
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT COUNT(*) FROM {table} WHERE instr({columns}, $nik) > 0";
            cmd.Parameters.AddWithValue("$nik", nik);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        }
    }
}

internal sealed class RefusalComparer : IEqualityComparer<RefusalInfo?>
{
    public bool Equals(RefusalInfo? x, RefusalInfo? y) =>
        x is null ? y is null : y is not null && x.Code == y.Code && x.English == y.English && x.Indonesian == y.Indonesian
            && x.Field == y.Field && x.Details.Count == y.Details.Count && !x.Details.Except(y.Details).Any();

    public int GetHashCode(RefusalInfo? obj) => obj?.Code.GetHashCode(StringComparison.Ordinal) ?? 0;
}

internal sealed class OutcomeComparer : IEqualityComparer<CommandOutcome>
{
    public bool Equals(CommandOutcome? x, CommandOutcome? y) =>
        x is not null && y is not null && x with { Refusal = null } == y with { Refusal = null } && new RefusalComparer().Equals(x.Refusal, y.Refusal);

    public int GetHashCode(CommandOutcome obj) => obj.Version;
}

internal sealed class RevealComparer : IEqualityComparer<NikReveal>
{
    public bool Equals(NikReveal? x, NikReveal? y) => x is not null && y is not null && x.Nik == y.Nik && new RefusalComparer().Equals(x.Refusal, y.Refusal);

    public int GetHashCode(NikReveal obj) => 0;
}
