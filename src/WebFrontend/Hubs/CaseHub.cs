using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Apis;
using CaseGrains.WebFrontend.Auth;
using CaseGrains.WebFrontend.Realtime;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CaseGrains.WebFrontend.Hubs;

/// <summary>What the server calls on a connected client. Method names live here only.</summary>
public interface ICaseClient
{
    /// <summary>One event of a case the user may see, with its sequence number. Drop duplicates by (case, seq).</summary>
    Task CaseEvent(TimelineEvent e);

    /// <summary>
    /// The user may no longer see this case: forget it. <paramref name="reason"/> is <c>access-ended</c> (reassigned, out of
    /// region, account changed) or <c>consent-withdrawn</c> (the beneficiary withdrew consent to mentoring).
    /// </summary>
    Task AccessEnded(string caseNumber, string reason);

    /// <summary>How far the user's bulk import is (after every few rows, and once done).</summary>
    Task ImportProgress(ImportProgress progress);

    /// <summary>
    /// Pushes may have been lost (the user's feed was rebuilt after a silo was lost): resume every case from the last
    /// seq you have, as after a reconnect.
    /// </summary>
    Task Resync();

    /// <summary>
    /// The session ended (<c>signed-out</c>, <c>account-disabled</c>, <c>password-changed</c>, <c>access-changed</c>): nothing
    /// more is sent and the connection closes; signing in again is needed.
    /// </summary>
    Task SessionEnded(string reason);
}

/// <summary>
/// The answer to a resume: missed events (each case's oldest first), the cases the caller may no longer see, and — while
/// more remain than one answer carries — where each unfinished case stands (<c>caseNumber → last seq sent</c>): call
/// Resume again with it until <see cref="More"/> is empty.
/// </summary>
public sealed record ResumeResult(IReadOnlyList<TimelineEvent> Events, IReadOnlyList<string> AccessEnded, IReadOnlyDictionary<string, long> More);

/// <summary>The answer to a follow: the first page of missed events; while <see cref="More"/>, resume the case from the last one.</summary>
public sealed record FollowResult(IReadOnlyList<TimelineEvent> Events, bool More);

/// <summary>
/// <c>/hubs/cases</c>. A mentor receives every event of the cases assigned to them without asking, and a partner's user
/// the events about its organisation's enrolments (as the organisation sees them); caseworkers and supervisors follow
/// cases of their scope. Every call is checked against the case by the grains (SignalR groups are
/// not used as a security boundary). Authenticated like the API (cookie, or bearer token as <c>access_token</c>).
/// </summary>
[Authorize(Policy = Policies.Live)]
public sealed class CaseHub(IGrainFactory grains, FeedRelay relay) : Hub<ICaseClient>
{
    public const string Path = "/hubs/cases";
    public const int MaxResumeCases = 500;

    private static readonly KeyValuePair<string, object?> HubTag = new("hub", "cases");

    public override async Task OnConnectedAsync()
    {
        await relay.ConnectAsync(Context);
        Grains.Hosting.CaseGrainsTelemetry.ConnectedClients.Add(1, HubTag);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        Grains.Hosting.CaseGrainsTelemetry.ConnectedClients.Add(-1, HubTag);
        await relay.DisconnectAsync(Context.UserIdentifier!, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// After a reconnect: for each case the client has (<c>caseNumber → last seq</c>), the events it missed, or "access
    /// ended" when the case left the caller's scope meanwhile. The cases are read side by side, a page of each (together
    /// about <see cref="CaseReadsPage"/> events); the cases with more, and any that could not be read just now (its silo
    /// being replaced), are in <see cref="ResumeResult.More"/> with the seq to ask from next. Live events continue meanwhile
    /// (the client drops what it already has by seq).
    /// </summary>
    public async Task<ResumeResult> Resume(Dictionary<string, long> have)
    {
        ArgumentNullException.ThrowIfNull(have);
        if (have.Count > MaxResumeCases)
        {
            throw new HubException($"At most {MaxResumeCases} cases per resume.");
        }

        var actor = await ActorAsync();
        var perCase = Math.Max(20, CaseReadsPage / Math.Max(1, have.Count));
        using var parallel = new SemaphoreSlim(16);
        var pages = await Task.WhenAll(have.Select(async h =>
        {
            var from = Math.Max(0, h.Value);
            if (!CaseNumbers.IsWellFormed(h.Key))
            {
                return (h.Key, from, (TimelinePage?)null, false);
            }

            await parallel.WaitAsync();
            try
            {
                return (h.Key, from, await grains.GetGrain<ICaseGrain>(h.Key).GetTimeline(actor, from, perCase, "live-resume"), false);
            }
            catch (Exception ex) when (Problems.ProblemExceptionHandler.Unavailable(ex))
            {
                return (h.Key, from, null, true);
            }
            finally
            {
                parallel.Release();
            }
        }));

        var events = new List<TimelineEvent>();
        var ended = new List<string>();
        var more = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (caseNumber, from, page, failed) in pages)
        {
            if (failed)
            {
                more[caseNumber] = from; // not reachable just now: ask again
            }
            else if (page is null)
            {
                ended.Add(caseNumber);
            }
            else
            {
                events.AddRange(page.Events.Select(TimelineEvent.From));
                if (page.More(from))
                {
                    more[caseNumber] = page.LastSeq(from);
                }
            }
        }

        return new ResumeResult(events, ended, more);
    }

    /// <summary>The most events one resume or follow answer carries (then the client asks for the rest).</summary>
    public const int CaseReadsPage = 1000;

    /// <summary>
    /// Follows a case live (caseworkers, supervisors); answers the first page of events after <paramref name="afterSeq"/>
    /// (the rest through Resume while <see cref="FollowResult.More"/>).
    /// </summary>
    public async Task<FollowResult> Follow(string caseNumber, long afterSeq)
    {
        var actor = await ActorAsync();
        var grain = grains.GetGrain<ICaseGrain>(caseNumber);
        if (!CaseNumbers.IsWellFormed(caseNumber) || !await grain.Follow(actor))
        {
            // The same answer for a case that does not exist and one outside the caller's scope.
            throw new HubException("case.not_found");
        }

        relay.Followed(actor.Id, Context.ConnectionId, caseNumber);
        var from = Math.Max(0, afterSeq);
        var page = await grain.GetTimeline(actor, from, CaseReadsPage, "live-follow");
        return page is null ? new FollowResult([], false) : new FollowResult([.. page.Events.Select(TimelineEvent.From)], page.More(from));
    }

    public async Task Unfollow(string caseNumber)
    {
        if (relay.Unfollowed(Context.UserIdentifier!, Context.ConnectionId, caseNumber))
        {
            await grains.GetGrain<ICaseGrain>(caseNumber).Unfollow(Context.UserIdentifier!);
        }
    }

    // The account as it is now, not as it was at connect time.
    private async Task<Actor> ActorAsync() =>
        await CurrentActor.LookupAsync(Context.User, grains) ?? throw new HubException("auth.account_unavailable");
}

/// <summary>SignalR's user id is the account id (the <c>sub</c> claim).</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst(CurrentActor.UserIdClaim)?.Value;
}
