using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class AccountTests(ClusterFixture fx)
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FiveFailuresFromOneAddress_LockThatAddressOnly_AndAnUnknownIdBehavesTheSame()
    {
        await fx.UserAsync("lock-a", Role.Caseworker, "35.79");
        var known = fx.Grains.GetGrain<IUserGrain>("lock-a");
        var unknown = fx.Grains.GetGrain<IUserGrain>("never-created");
        var knownAnswers = new List<SignInStatus>();
        var unknownAnswers = new List<SignInStatus>();
        for (var i = 0; i < 6; i++)
        {
            knownAnswers.Add((await known.SignIn("wrong password", "10.0.0.1")).Status);
            unknownAnswers.Add((await unknown.SignIn("wrong password", "10.0.0.1")).Status);
        }

        var lockedOut = await known.SignIn(Password, "10.0.0.1");
        var otherAddress = await known.SignIn(Password, "10.0.0.2");

        Assert.Equal(knownAnswers, unknownAnswers);
        Assert.Equal([.. Enumerable.Repeat(SignInStatus.InvalidCredentials, 4), SignInStatus.LockedOut, SignInStatus.LockedOut], knownAnswers);
        Assert.Equal(SignInStatus.LockedOut, lockedOut.Status);
        Assert.Equal(SignInStatus.Succeeded, otherAddress.Status);
    }

    [Fact]
    public async Task ANewPassword_EndsEverySession()
    {
        await fx.UserAsync("sess-a", Role.Mentor);
        var user = fx.Grains.GetGrain<IUserGrain>("sess-a");
        var signIn = await user.SignIn(Password, "10.0.0.3");
        Assert.NotNull(await user.GetActor(signIn.SessionVersion));

        await user.Upsert(new UpsertUserRequest { Password = "another long password" }, ClusterFixture.Admin);

        Assert.Null(await user.GetActor(signIn.SessionVersion));
        var again = await user.SignIn("another long password", "10.0.0.3");
        Assert.NotNull(await user.GetActor(again.SessionVersion));
        await user.EndSessions();
        Assert.Null(await user.GetActor(again.SessionVersion));
    }

    [Fact]
    public async Task AnAdmin_CannotChangeTheirOwnRoleRegionsOrStatus_AndEveryChangeIsRecorded()
    {
        var admin = await fx.UserAsync("admin-self", Role.Admin);
        var self = fx.Grains.GetGrain<IUserGrain>("admin-self");

        var role = await self.Upsert(new UpsertUserRequest { Role = Role.Supervisor, Regions = ["35"] }, admin);
        var regions = await self.Upsert(new UpsertUserRequest { Regions = ["35"] }, admin);
        var name = await self.Upsert(new UpsertUserRequest { DisplayName = "Admin Baru" }, admin);

        Assert.Equal("user.self_change", role.Refusal!.Code);
        Assert.Equal("user.self_change", regions.Refusal!.Code);
        Assert.Null(name.Refusal);
        Assert.Equal(Role.Admin, (await self.GetView())!.Role);
    }

    [Fact]
    public async Task AnExternalSubject_LinksToOneAccountOnly()
    {
        await fx.UserAsync("ext-a", Role.Caseworker, "35.79");
        await fx.UserAsync("ext-b", Role.Caseworker, "35.79");

        var first = await fx.Grains.GetGrain<IUserGrain>("ext-a").Upsert(new UpsertUserRequest { ExternalSubject = "idp|123" }, ClusterFixture.Admin);
        var second = await fx.Grains.GetGrain<IUserGrain>("ext-b").Upsert(new UpsertUserRequest { ExternalSubject = "idp|123" }, ClusterFixture.Admin);
        var disableFirst = await fx.Grains.GetGrain<IUserGrain>("ext-a").Upsert(new UpsertUserRequest { Disabled = true }, ClusterFixture.Admin);

        Assert.Null(first.Refusal);
        Assert.Equal("user.external_subject_taken", second.Refusal!.Code);
        Assert.Null(disableFirst.Refusal);
        Assert.Equal("ext-a", await fx.Grains.GetGrain<IUserDirectoryGrain>(0).FindByExternalSubject("idp|123"));
    }
}
