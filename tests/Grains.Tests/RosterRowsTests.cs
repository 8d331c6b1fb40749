using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// Offers' rosters as rows (issue 16, deliverable 4) on the embedded store: an enrolment writes its own row and leaves
/// the offer's stored state as it was; a freed place promotes the first waiting case in its row; a roster the earlier
/// release kept in the grain state moves to rows at the offer's next activation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RosterRowsTests(ClusterFixture fx)
{
    private static readonly Actor Cw = ClusterFixture.Caseworker;

    [Fact]
    public async Task AnEnrolmentWritesOneRow_NeverTheOffersState_AndAFreedPlaceGoesToTheFirstWaitingCase()
    {
        var course = await fx.OfferAsync(OfferType.Training, capacity: 2);
        var stateVersion = await StateVersionAsync(course);
        Assert.True(stateVersion > 0, "the offer's state row was not found");
        var cases = new List<ICaseGrain>();
        for (var i = 0; i < 4; i++)
        {
            var c = await fx.OpenCaseAsync();
            Assert.True((await c.Execute(new EnrolRequest { CommandId = Cmd.NewId(), OfferId = course }, Cw)).Accepted);
            cases.Add(c);
            Assert.Equal(i + 1, (await RowsAsync(course)).Count);
        }

        // Four enrolments: four rows, and the offer's stored state never rewritten.
        Assert.Equal(stateVersion, await StateVersionAsync(course));
        var numbers = new List<string>();
        foreach (var c in cases)
        {
            numbers.Add((await c.GetView(Cw, "test"))!.CaseNumber);
        }

        var rows = await RowsAsync(course);
        Assert.Equal([(numbers[0], 1L), (numbers[1], 1L), (numbers[2], 0L), (numbers[3], 0L)], rows.OrderBy(r => r.Case, StringComparer.Ordinal).Select(r => (r.Case, r.Seated)));

        // The first seated case withdraws: the first waiting one is seated (and records it), the second still waits.
        Assert.True((await cases[0].Execute(new WithdrawEnrolmentRequest { CommandId = Cmd.NewId(), OfferId = course, Reason = "pindah" }, Cw)).Accepted);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await RowsAsync(course)).Any(r => r.Case == numbers[2] && r.Seated == 1 && r.Promoted == 0))
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting case was not seated");
            await Task.Delay(50);
        }

        rows = await RowsAsync(course);
        Assert.DoesNotContain(rows, r => r.Case == numbers[0]);
        Assert.Contains(rows, r => r.Case == numbers[3] && r.Seated == 0);
        var roster = (await fx.Grains.GetGrain<IOfferGrain>(course).GetRoster())!;
        Assert.Equal([numbers[1], numbers[2]], roster.Seated.Order(StringComparer.Ordinal));
        Assert.Equal([numbers[3]], roster.Waiting);
        Assert.Equal(stateVersion, await StateVersionAsync(course));
    }

    [Fact]
    public async Task ARosterKeptInTheGrainStateByTheEarlierRelease_MovesToRowsAtTheNextActivation()
    {
        var course = await fx.OfferAsync(OfferType.Training, capacity: 2);
        var offer = fx.Grains.GetGrain<IOfferGrain>(course);
        await offer.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var management = fx.Grains.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await management.GetActivationAddress(offer) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the offer grain was not deactivated");
            await Task.Delay(20);
        }

        // Written as the earlier release wrote it: the roster inside the offer's state.
        var storage = fx.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ProviderNames.GrainState);
        var state = new GrainState<OfferState>();
        await storage.ReadStateAsync("offer", offer.GetGrainId(), state);
        Assert.NotNull(state.State);
        state.State.Seated = new(["3579-900001", "3579-900002"], StringComparer.Ordinal);
        state.State.Waiting = ["3579-900004", "3579-900003"];
        state.State.Promoted = new(["3579-900002"], StringComparer.Ordinal);
        await storage.WriteStateAsync("offer", offer.GetGrainId(), state);

        var roster = (await fx.Grains.GetGrain<IOfferGrain>(course).GetRoster())!;
        Assert.Equal(["3579-900001", "3579-900002"], roster.Seated.Order(StringComparer.Ordinal));
        Assert.Equal(["3579-900004", "3579-900003"], roster.Waiting);
        Assert.Equal([("3579-900001", 1L, 0L), ("3579-900002", 1L, 1L), ("3579-900003", 0L, 0L), ("3579-900004", 0L, 0L)],
            (await RowsAsync(course)).OrderBy(r => r.Case, StringComparer.Ordinal).Select(r => (r.Case, r.Seated, r.Promoted)));
        var after = new GrainState<OfferState>();
        await storage.ReadStateAsync("offer", offer.GetGrainId(), after);
        Assert.NotNull(after.State);
        Assert.Empty(after.State.Seated);
        Assert.Empty(after.State.Waiting);
        Assert.NotNull(after.State.Offer);
    }

    private async Task<List<(string Case, long Seated, long Promoted)>> RowsAsync(string offerId)
    {
        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT case_number, seated, promoted FROM offer_places WHERE offer_id = $o";
        cmd.Parameters.AddWithValue("$o", offerId);
        var rows = new List<(string, long, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>The version of the offer grain's row in the grain-state table (it changes with every write of the state).</summary>
    private async Task<long> StateVersionAsync(string offerId)
    {
        await using var conn = new SqliteConnection(fx.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT Version FROM OrleansStorage WHERE GrainIdExtensionString = $o AND GrainTypeString LIKE '%offer%'";
        cmd.Parameters.AddWithValue("$o", offerId);
        return await cmd.ExecuteScalarAsync() is long v ? v : -1;
    }
}
