using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CaseGrains.Domain.Access;
using CaseGrains.Grains.Abstractions;
using CaseGrains.LiveClient;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// No silent cap (issue 15, deliverable 4): a case with 5,000 events is caught up whole — by a resume and by a follow, in
/// pages with an explicit marker while more remain, in order — and its timeline over REST links page to page.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PagedLiveTests
{
    [Fact]
    public async Task ACaseWith5000Events_IsResumedAndFollowedWhole_InPagesMarkedWhileMoreRemain_InOrder()
    {
        var app = AppHost.Start();
        try
        {
            var number = (await app.PostOk("/api/cases", new
            {
                commandId = Guid.NewGuid().ToString(), nik = "3579025704900071", fullName = "Warga Lama", regionCode = "35.79.02", segment = "Umkm", consentGiven = true,
            }, HttpStatusCode.Created)).GetProperty("caseNumber").GetString()!;
            var actor = new Actor(AppHost.Caseworker, Role.Caseworker, ["35.79"]);
            var grain = app.Grains.GetGrain<ICaseGrain>(number);
            for (var i = 2; i <= 5000; i++)
            {
                var outcome = await grain.Execute(new AddNoteRequest { CommandId = $"note-{i}", Text = $"catatan {i}" }, actor);
                Assert.True(outcome.Accepted, outcome.Refusal?.Code);
            }

            var token = await app.TokenFor(AppHost.Caseworker);

            // The hub's own answers: a page, then `more` naming where to go on, until it is empty.
            await using (var raw = new HubConnectionBuilder().WithUrl(new Uri(app.BaseAddress, "/hubs/cases"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build())
            {
                await raw.StartAsync();
                var have = new Dictionary<string, long> { [number] = 0 };
                var seqs = new List<long>();
                var pages = 0;
                while (have.Count > 0)
                {
                    var answer = await raw.InvokeAsync<JsonElement>("Resume", have);
                    seqs.AddRange(answer.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
                    have = answer.GetProperty("more").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
                    pages++;
                    Assert.True(have.Count == 0 || have[number] == seqs[^1], "the marker names the last seq sent");
                }

                Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), seqs);
                Assert.Equal(5, pages);

                var follow = await raw.InvokeAsync<JsonElement>("Follow", number, 0L);
                Assert.Equal(1000, follow.GetProperty("events").GetArrayLength());
                Assert.True(follow.GetProperty("more").GetBoolean());
                var near = await raw.InvokeAsync<JsonElement>("Follow", number, 4990L);
                Assert.Equal(10, near.GetProperty("events").GetArrayLength());
                Assert.False(near.GetProperty("more").GetBoolean());
            }

            // The .NET client does the paging itself: a follow from nothing, and a resume from the middle.
            await using (var follower = await CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token)))
            {
                await follower.FollowAsync(number);
                Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), await ReadAsync(follower, 5000));
            }

            await using (var resumer = await CaseFeedClient.ConnectAsync(app.BaseAddress, () => Task.FromResult<string?>(token),
                new Dictionary<string, long> { [number] = 2500 }))
            {
                Assert.Equal(Enumerable.Range(2501, 2500).Select(i => (long)i), await ReadAsync(resumer, 2500));
            }

            // Over REST: the next page's address until the last.
            var restSeqs = new List<long>();
            var next = $"/api/cases/{number}/timeline?after=0&limit=1000";
            while (next is not null)
            {
                using var response = await app.Client.GetAsync(next);
                restSeqs.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
                Assert.Equal("5000", response.Headers.GetValues("X-Case-Version").Single());
                next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('>')[0].TrimStart('<') : null;
            }

            Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), restSeqs);
        }
        finally
        {
            await ConsequenceTests.StopAsync(app);
        }
    }

    private static async Task<List<long>> ReadAsync(CaseFeedClient client, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seqs = new List<long>();
        while (seqs.Count < count)
        {
            seqs.Add((await client.Events.ReadAsync(timeout.Token)).Seq);
        }

        return seqs;
    }
}
