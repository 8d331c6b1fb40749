using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains;

/// <summary>
/// Who receives a case's events live: its current mentor (without asking), and the caseworkers and supervisors following
/// it (in memory: frontends renew their follows periodically, so a deactivation loses nothing for long). Every push is
/// checked against the case as it is now: a follower who may no longer read it is told "access ended" and dropped, and
/// a mentor who lost the case is told the same before anything else goes out ("consent withdrawn" when that is why).
/// The users of a partner organisation whose offers the case holds enrolments with hear, without asking, the events about
/// those enrolments as their organisation sees them (<see cref="PartnerEntries"/>), and "access ended" when the case leaves
/// their sight (the consent to sharing with partners withdrawn).
/// </summary>
internal sealed class CaseFeed(string caseNumber, IGrainFactory grains, LocalFeed feed)
{
    // Made on the first follow: most cases are never followed while active.
    private HashSet<string>? _followers;

    /// <summary>Adds a follower (true: the caller checked they may read the case).</summary>
    public bool Follow(string userId)
    {
        (_followers ??= new(StringComparer.Ordinal)).Add(userId);
        return true;
    }

    public void Unfollow(string userId) => _followers?.Remove(userId);

    /// <summary>True when the user gets the case's events through this feed (the notices skip them).</summary>
    public bool Reaches(string userId, CaseState current) => _followers?.Contains(userId) == true || userId == current.MentorId;

    /// <summary>Pushes one event (or the end of a mentor's access) to everyone who may read the case now.</summary>
    public async Task PushAsync(TimelineEntry entry, CaseEvent @event, CaseState? before, CaseState after, CaseState current)
    {
        await PushToPartnersAsync(entry, @event, before, after, current);
        if (before?.MentorId is { } previous && previous != after.MentorId && previous != current.MentorId)
        {
            await Publish(previous, null, entry.Type == nameof(ConsentWithdrawn) ? AccessEnd.ConsentWithdrawn : AccessEnd.Ended);
        }

        if (current.MentorId is { } mentor)
        {
            await Publish(mentor, entry);
        }

        foreach (var follower in _followers?.Where(f => f != current.MentorId).ToList() ?? [])
        {
            var view = await grains.GetGrain<IUserGrain>(follower).GetView();
            var allowed = view is { Disabled: false } && AccessPolicy.CanRead(view.ToCaller(), current);
            if (!allowed)
            {
                _followers!.Remove(follower);
            }

            await Publish(follower, allowed ? entry : null);
        }
    }

    /// <summary>
    /// Each organisation the case serves (before or after the event) whose sight of it the event concerns: its users get
    /// the event as it sees it, on the case as it is now; or, when the case just left its sight, the end of access.
    /// A user is checked against their account as it is now (a partner's user of that organisation, enabled).
    /// </summary>
    private async Task PushToPartnersAsync(TimelineEntry entry, CaseEvent @event, CaseState? before, CaseState after, CaseState current)
    {
        foreach (var org in PartnerScope.OrganisationsOf(before).Union(PartnerScope.OrganisationsOf(after), StringComparer.Ordinal))
        {
            var seen = PartnerScope.Sees(current, org) ? PartnerEntries.Of(entry, @event, org, after) : null;
            var lost = seen is null && before is not null && PartnerScope.Sees(before, org) && !PartnerScope.Sees(current, org);
            if ((seen is null && !lost) || await grains.GetGrain<IPartnerOrgGrain>(org).Get() is not { Disabled: false } organisation)
            {
                continue;
            }

            foreach (var member in organisation.Members)
            {
                var view = await grains.GetGrain<IUserGrain>(member).GetView();
                if (view is { Disabled: false, Role: Role.Partner } && view.PartnerOrg == org)
                {
                    await Publish(member, seen is null ? null : PartnerEntries.For(seen, entry, member),
                        @event is ConsentWithdrawn ? AccessEnd.ConsentWithdrawn : AccessEnd.Ended);
                }
            }
        }
    }

    /// <summary>Pushes an event (or, null, the end of access and why) to one user.</summary>
    public Task Publish(string userId, TimelineEntry? entry, string endReason = AccessEnd.Ended) =>
        feed.Publish(new FeedItem(userId, caseNumber, entry, AccessEnded: entry is null) { EndReason = entry is null ? endReason : null });
}
