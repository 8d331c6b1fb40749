using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Realtime;
using Microsoft.Extensions.DependencyInjection;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// One user's feed reaches their connections in the feed grain's order even when the items reach the frontend out of
/// order (as two one-way messages routed through different gateways can): the real relay of the running app, a real
/// SignalR client over loopback; the items are handed to the relay as Orleans would, in the order under test.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FeedOrderTests(AppFixture fx)
{
    private static FeedItem Item(Guid epoch, long feedSeq, string caseNumber, long seq) =>
        new(AppHost.Mentor, caseNumber, new TimelineEntry(caseNumber, seq, "NoteAdded", "petugas", "Caseworker", DateTimeOffset.UnixEpoch.AddSeconds(seq),
            $$"""{"text":"catatan {{seq}}"}""", $"c{seq}", "", $"h{seq}"), AccessEnded: false) { FeedSeq = feedSeq, FeedEpoch = epoch };

    private static async Task<long[]> ReceiveAsync(LiveClient client, string caseNumber, int count)
    {
        var seqs = new List<long>();
        while (seqs.Count < count)
        {
            var e = await client.NextEventAsync();
            if (e.GetProperty("caseNumber").GetString() == caseNumber)
            {
                seqs.Add(e.GetProperty("seq").GetInt64());
            }
        }

        return [.. seqs];
    }

    [Fact]
    public async Task ItemsArrivingOutOfOrder_AreDeliveredInFeedOrder_AndAMissingOneIsWaitedForOnlyBriefly()
    {
        var relay = fx.App.Services.GetRequiredService<FeedRelay>();
        await using var mentor = await LiveClient.ConnectAsync(fx.App, AppHost.Mentor);
        var epoch = Guid.NewGuid();

        // A new activation of the feed (new epoch): 3 overtakes 2, and 5 overtakes 4.
        relay.OnFeedItem(Item(epoch, 1, "3579-990001", 1));
        relay.OnFeedItem(Item(epoch, 3, "3579-990001", 3));
        relay.OnFeedItem(Item(epoch, 2, "3579-990001", 2));
        relay.OnFeedItem(Item(epoch, 5, "3579-990001", 5));
        relay.OnFeedItem(Item(epoch, 4, "3579-990001", 4));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, await ReceiveAsync(mentor, "3579-990001", 5));

        // 7 without 6: held for a moment, then sent (the client resumes on the gap); a late 6 still goes out after it.
        relay.OnFeedItem(Item(epoch, 7, "3579-990001", 7));
        Assert.Equal(new long[] { 7 }, await ReceiveAsync(mentor, "3579-990001", 1));
        relay.OnFeedItem(Item(epoch, 6, "3579-990001", 6));
        relay.OnFeedItem(Item(epoch, 8, "3579-990001", 8));
        Assert.Equal(new long[] { 6, 8 }, await ReceiveAsync(mentor, "3579-990001", 2));

        // Another activation numbers from 1 again, and its very first item may be the one that overtook: nothing is
        // sent until the numbering's starting point is known (a Subscribe answer, or the end of the hold).
        var next = Guid.NewGuid();
        relay.OnFeedItem(Item(next, 2, "3579-990002", 2));
        relay.OnFeedItem(Item(next, 1, "3579-990002", 1));
        Assert.Equal(new long[] { 1, 2 }, await ReceiveAsync(mentor, "3579-990002", 2));

        // A late item of the activation that is gone goes straight out and does not disturb the new numbering.
        relay.OnFeedItem(Item(epoch, 9, "3579-990001", 9));
        Assert.Equal(new long[] { 9 }, await ReceiveAsync(mentor, "3579-990001", 1));
        relay.OnFeedItem(Item(next, 3, "3579-990002", 3));
        Assert.Equal(new long[] { 3 }, await ReceiveAsync(mentor, "3579-990002", 1));
    }

    [Fact]
    public async Task RealCommands_ReachTheMentorInSequence_ThroughTheNumberedFeed()
    {
        var number = await fx.OpenCaseAsync();
        await fx.App.PostOk($"/api/cases/{number}/mentor", new { commandId = Guid.NewGuid().ToString(), mentorId = AppHost.Mentor });
        await using var mentor = await LiveClient.ConnectAsync(fx.App, AppHost.Mentor);
        for (var i = 0; i < 20; i++)
        {
            await fx.App.PostOk($"/api/cases/{number}/notes", new { commandId = Guid.NewGuid().ToString(), text = $"catatan {i}" });
        }

        Assert.Equal(Enumerable.Range(3, 20).Select(i => (long)i), await ReceiveAsync(mentor, number, 20));
    }
}
