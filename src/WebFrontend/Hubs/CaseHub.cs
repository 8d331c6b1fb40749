using CaseGrains.Grains;
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

    /// <summary>The user may no longer see this case (reassigned, out of region, account changed): forget it.</summary>
    Task AccessEnded(string caseNumber);

    /// <summary>How far the user's bulk import is (after every few rows, and once done).</summary>
    Task ImportProgress(ImportProgress progress);
}

/// <summary>The answer to a resume: the missed events (oldest first) and the cases the caller may no longer see.</summary>
public sealed record ResumeResult(IReadOnlyList<TimelineEvent> Events, IReadOnlyList<string> AccessEnded);

/// <summary>
/// <c>/hubs/cases</c>. A mentor receives every event of the cases assigned to them without asking; caseworkers and
/// supervisors follow cases of their scope. Every call is checked against the case by the grains (SignalR groups are
/// not used as a security boundary). Authenticated like the API (cookie, or bearer token as <c>access_token</c>).
/// </summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class CaseHub(IGrainFactory grains, FeedRelay relay) : Hub<ICaseClient>
{
    public const string Path = "/hubs/cases";
    public const int MaxResumeCases = 500;

    public override async Task OnConnectedAsync()
    {
        await relay.ConnectAsync(Context.UserIdentifier!, Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relay.DisconnectAsync(Context.UserIdentifier!, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// After a reconnect: for each case the client has (<c>caseNumber → last seq</c>), the events it missed, or
    /// "access ended" when the case left the caller's scope meanwhile. Live events continue afterwards.
    /// </summary>
    public async Task<ResumeResult> Resume(Dictionary<string, long> have)
    {
        ArgumentNullException.ThrowIfNull(have);
        if (have.Count > MaxResumeCases)
        {
            throw new HubException($"At most {MaxResumeCases} cases per resume.");
        }

        var actor = await ActorAsync();
        var events = new List<TimelineEvent>();
        var ended = new List<string>();
        foreach (var (caseNumber, seq) in have)
        {
            var missed = CaseNumbers.IsWellFormed(caseNumber)
                ? await grains.GetGrain<ICaseGrain>(caseNumber).GetTimeline(actor, Math.Max(0, seq), 1000, "live-resume")
                : null;
            if (missed is null)
            {
                ended.Add(caseNumber);
            }
            else
            {
                events.AddRange(missed.Select(TimelineEvent.From));
            }
        }

        return new ResumeResult(events, ended);
    }

    /// <summary>Follows a case live (caseworkers, supervisors); answers the events after <paramref name="afterSeq"/>.</summary>
    public async Task<IReadOnlyList<TimelineEvent>> Follow(string caseNumber, long afterSeq)
    {
        var actor = await ActorAsync();
        var grain = grains.GetGrain<ICaseGrain>(caseNumber);
        if (!CaseNumbers.IsWellFormed(caseNumber) || !await grain.Follow(actor))
        {
            // The same answer for a case that does not exist and one outside the caller's scope.
            throw new HubException("case.not_found");
        }

        relay.Followed(actor.Id, Context.ConnectionId, caseNumber);
        var missed = await grain.GetTimeline(actor, Math.Max(0, afterSeq), 1000, "live-follow");
        return [.. (missed ?? []).Select(TimelineEvent.From)];
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
