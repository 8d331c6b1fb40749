using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Services;
using CaseGrains.Grains;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CaseGrains.Silo.Tests;

/// <summary>
/// A frontend that is a client of separate silos answers its requests' accounts from a copy (AccountCache), and a
/// change to an account still takes effect at once: on every frontend when the change is answered, and on a frontend
/// that cannot be told, once its lease runs out, which the change waits for before it is answered.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AccountCacheTests(PostgresServer server, ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";
    private static readonly Actor Admin = new("admin-root", Role.Admin, []);

    [Fact]
    public async Task ADisableOrSignOutAnsweredOnOneFrontend_Is401AtOnceOnAnother_ThatHadTheAccountCached()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        var bank = cluster.Grains.GetGrain<IPartnerOrgGrain>("bank-cache");
        Assert.Null((await bank.Upsert(new PartnerOrgRequest { Name = "Bank Cache", Kind = HexaHelixRole.Business, Regions = ["35.79"] }, Admin)).Refusal);
        foreach (var (id, role, regions, org) in new (string, Role, string[], string?)[]
        {
            ("admin-cache", Role.Admin, [], null), ("cw-disabled", Role.Caseworker, ["35.79"], null), ("cw-signout", Role.Caseworker, ["35.79"], null),
            ("partner-cache", Role.Partner, [], "bank-cache"),
        })
        {
            var made = await cluster.Grains.GetGrain<IUserGrain>(id).Upsert(new UpsertUserRequest
            {
                DisplayName = id, Role = role, Regions = regions, PartnerOrg = org, Password = Password,
            }, Admin);
            Assert.Null(made.Refusal);
        }

        await using var front1 = await Node.StartFrontendAsync(cluster.Spec, "frontend1");
        await using var front2 = await Node.StartFrontendAsync(cluster.Spec, "frontend2");
        var number = (await cluster.OpenCasesAsync(1))[0];
        var path = new Uri($"/api/cases/{number}", UriKind.Relative);

        // Frontend 2 serves both caseworkers a few reads: their accounts are in its cache.
        using var disabled = await front2.ClientForAsync("cw-disabled", Password);
        using var signingOut = await front2.ClientForAsync("cw-signout", Password);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await disabled.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await signingOut.GetAsync(path)).StatusCode);
        }

        // An admin disables one through frontend 1: the very next request on frontend 2 is refused.
        using var admin = await front1.ClientForAsync("admin-cache", Password);
        using var disable = await admin.PutAsJsonAsync("/api/users/cw-disabled", new { disabled = true });
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await disabled.GetAsync(path)).StatusCode);

        // The other signs out on frontend 1 (with a token of frontend 1's): the token frontend 2 knows stops at once too.
        using var elsewhere = await front1.ClientForAsync("cw-signout", Password);
        Assert.Equal(HttpStatusCode.NoContent, (await elsewhere.PostAsync(new Uri("/api/auth/logout", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await signingOut.GetAsync(path)).StatusCode);

        // A partner's user, cached on frontend 2, is refused at once when the admin disables the organisation.
        using var partner = await front2.ClientForAsync("partner-cache", Password);
        var me = new Uri("/api/me", UriKind.Relative);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync(me)).StatusCode);
        }

        Assert.Null((await bank.Upsert(new PartnerOrgRequest { Disabled = true }, Admin)).Refusal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await partner.GetAsync(me)).StatusCode);
    }

    [Fact]
    public async Task AFrontendThatCannotBeTold_StopsAnsweringFromItsCache_BeforeTheChangeIsAnswered()
    {
        await using var cluster = await TestCluster.StartAsync(server, silos: 1);
        var account = cluster.Grains.GetGrain<IUserGrain>("cw-lease");
        Assert.Null((await account.Upsert(new UpsertUserRequest { DisplayName = "cw-lease", Role = Role.Caseworker, Regions = ["35.79"], Password = Password }, Admin)).Refusal);
        var session = (await account.SignIn(Password, "127.0.0.1")).SessionVersion;

        // A frontend's cache (as a frontend runs it, on this test's cluster client) holds the account.
        var cache = new AccountCache(cluster.Grains, NullLogger<AccountCache>.Instance);
        await cache.StartAsync(CancellationToken.None);
        Assert.NotNull(await cache.GetActorAsync("cw-lease", session));
        Assert.NotNull(await cache.GetActorAsync("cw-lease", session));
        Assert.Equal(1, cache.Hits);

        // Cut off: it renews no more and cannot be told of changes, but keeps what it holds.
        await cache.StopAsync(CancellationToken.None);
        var cut = Stopwatch.StartNew();
        Assert.Null((await account.Upsert(new UpsertUserRequest { Disabled = true }, Admin)).Refusal);
        var answered = cut.Elapsed;
        output.WriteLine($"the disable was answered {answered.TotalSeconds:F2} s after the cut");

        // The change waited for its lease (granted at most one renewal period before the cut) …
        Assert.True(answered >= AccountLeaseGrain.Lease - AccountCache.Renewal - TimeSpan.FromMilliseconds(200),
            $"answered after {answered.TotalSeconds:F2} s, before the cut-off cache's lease could have run out");
        // … and by then the cache no longer answers from its copy: it asks the grain, which refuses.
        Assert.Null(await cache.GetActorAsync("cw-lease", session));
        Assert.Equal(1, cache.Hits);
    }
}
