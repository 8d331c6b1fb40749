using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace CaseGrains.Grains;

/// <summary>
/// One user's live feed: forwards what cases publish to the frontends where the user is connected. Holds no state:
/// frontends renew their subscription well within <see cref="SubscriptionExpiry"/> (at once after a silo is lost), so a
/// lost feed is rebuilt by the next renewal and its clients resume; a vanished frontend drops out on its own.
/// </summary>
[SiloKeyedPlacement]
public sealed class UserFeedGrain : Grain, IUserFeedGrain
{
    public static readonly TimeSpan SubscriptionExpiry = TimeSpan.FromMinutes(2);

    private readonly ObserverManager<IFeedObserver> _frontends;

    public UserFeedGrain(ILogger<UserFeedGrain> logger)
    {
        _frontends = new ObserverManager<IFeedObserver>(SubscriptionExpiry, logger);
    }

    // A new activation (the last one was lost with its silo, or deactivated) has a new epoch: frontends resubscribing see
    // it and have their clients resume, so what was published to an activation without their subscription is fetched.
    private readonly Guid _epoch = Guid.NewGuid();
    private long _published;

    public Task<FeedPosition> Subscribe(IFeedObserver frontend)
    {
        _frontends.Subscribe(frontend, frontend);
        return Task.FromResult(new FeedPosition(_epoch, _published));
    }

    public Task Unsubscribe(IFeedObserver frontend)
    {
        _frontends.Unsubscribe(frontend);
        return Task.CompletedTask;
    }

    public Task Publish(FeedItem item)
    {
        // Observer calls are one-way; a dead frontend never fails the case's command.
        _published++;
        _frontends.Notify(f => f.OnFeedItem(item));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Deactivated while frontends hold subscriptions (the runtime can drop an activation whose directory entry was lost
    /// with another silo): they are told at once, so they subscribe to the next activation instead of learning of it at
    /// their next renewal while pushes went to it unheard.
    /// </summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _frontends.Notify(f => f.OnFeedClosed(key));
        return Task.CompletedTask;
    }
}

[GenerateSerializer, Alias("cg.MentorState")]
public sealed class MentorState
{
    [Id(0)] public List<string> Sectors { get; set; } = [];
    [Id(1)] public List<string> Regions { get; set; } = [];
    [Id(2)] public int Capacity { get; set; } = MentorGrain.DefaultCapacity;
    [Id(3)] public SortedSet<string> ActiveCases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Places held for assignments not yet appended (case → when reserved); they count against the capacity.</summary>
    [Id(4)] public Dictionary<string, DateTimeOffset> Reserved { get; set; } = new(StringComparer.Ordinal);

    /// <summary>False from a profile change until the account's grain (and so the people index) has its regions.</summary>
    [Id(5)] public bool RegionsIndexed { get; set; }
}

/// <summary>
/// A mentor's profile and active caseload; the capacity is enforced when a case is assigned. An assignment reserves a
/// place first; the case's event confirms it (a consequence, <see cref="Settle"/>), a failed append gives it back, and a
/// reservation left by a process that died before its append is checked with the case after the reservation lease (<c>CaseGrains:Consequences:ReservationLease</c>).
/// </summary>
public sealed partial class MentorGrain(
    [PersistentState("mentor", ProviderNames.GrainState)] IPersistentState<MentorState> mentor,
    IOptions<CaseGrainsOptions> options,
    ILogger<MentorGrain> logger) : Grain, IMentorGrain
{
    public const int DefaultCapacity = 20;
    public const int MaxCapacity = 500;

    /// <summary>How long a reservation waits for its case's event before the case is asked.</summary>
    private readonly TimeSpan _lease = options.Value.Consequences.ReservationLease;

    private IGrainTimer? _leaseTimer;

    private MentorState S => mentor.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        WatchReservations();
        if (mentor.RecordExists && !S.RegionsIndexed)
        {
            // A profile change the people index did not get (the account's grain or the database did not answer).
            RetryIndexing(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ProfileRegions() => Task.FromResult<IReadOnlyList<string>>([.. S.Regions]);

    private IGrainTimer? _indexRetry;

    /// <summary>The profile's regions to the account's grain, which writes them to the people index; tried again every 10 s until it did.</summary>
    private async Task IndexRegionsAsync()
    {
        try
        {
            await GrainFactory.GetGrain<IUserGrain>(MentorId).SetWorkRegions([.. S.Regions]);
            S.RegionsIndexed = true;
            await mentor.WriteStateAsync();
            _indexRetry?.Dispose();
            _indexRetry = null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogIndexFailed(ex, MentorId);
            RetryIndexing(TimeSpan.FromSeconds(10));
        }
    }

    private void RetryIndexing(TimeSpan first) =>
        _indexRetry ??= this.RegisterGrainTimer(IndexRegionsAsync, new GrainTimerCreationOptions(first, TimeSpan.FromSeconds(10)));

    public async Task<MentorCaseloadResult> SetProfile(MentorProfile profile, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(actor);
        var refusal = !AccessPolicy.MayManageMentors(actor.Role) ? Refusals.Forbidden()
            : !await IsMentorAccountAsync() ? Refusals.MentorNotFound()
            : profile.Capacity is < 1 or > MaxCapacity ? Refusals.OutOfRange("capacity", $"1..{MaxCapacity}")
            : profile.Regions.Any(r => r is null || !RegionTable.Kemendagri.IsKnown(r)) ? Refusals.UnknownRegion("regions")
            : profile.Sectors.Count > 30 || profile.Sectors.Any(x => Domain.Journey.CaseDecider.Text(x, "sectors", 100, required: true) is not null)
                ? Refusals.OutOfRange("sectors", "1..30 names of at most 100 characters")
            : null;
        if (refusal is not null)
        {
            return new MentorCaseloadResult(null, RefusalInfo.From(refusal));
        }

        S.Sectors = [.. profile.Sectors.Select(x => x.Trim())];
        S.Regions = [.. profile.Regions];
        S.Capacity = profile.Capacity;
        S.RegionsIndexed = false;
        await mentor.WriteStateAsync();
        await IndexRegionsAsync();
        return new MentorCaseloadResult(Caseload(), null);
    }

    public async Task<MentorCaseloadResult> GetCaseload(Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var who = caller.ToCaller();
        // Another mentor's caseload is refused before the account is looked up, so the answer says nothing about it.
        var exists = (who.Role != Domain.Access.Role.Mentor || who.UserId == MentorId) && await IsMentorAccountAsync();
        var refusal = AccessPolicy.CheckCaseloadRead(who, MentorId, exists ? S.Regions : null);
        return refusal is null ? new MentorCaseloadResult(Caseload(), null) : new MentorCaseloadResult(null, RefusalInfo.From(refusal));
    }

    private string MentorId => this.GetPrimaryKeyString();

    public Task<MentorCapacity> Capacity() => Task.FromResult(new MentorCapacity(Profile, S.ActiveCases.Count));

    private MentorProfile Profile => new(S.Sectors, S.Regions, S.Capacity);

    private MentorCaseload Caseload() => new(MentorId, Profile, [.. S.ActiveCases]);

    private async Task<bool> IsMentorAccountAsync() =>
        UserIds.IsValid(MentorId) && await GrainFactory.GetGrain<IUserGrain>(MentorId).GetView() is { Role: Domain.Access.Role.Mentor };


    public async Task<RefusalInfo?> Reserve(string caseNumber)
    {
        if (S.ActiveCases.Contains(caseNumber) || S.Reserved.ContainsKey(caseNumber))
        {
            return null;
        }

        var taken = S.ActiveCases.Count + S.Reserved.Count;
        if (taken >= S.Capacity)
        {
            return RefusalInfo.From(new Refusal("mentor.at_capacity",
                $"Pendamping sudah mendampingi {taken} kasus aktif (kapasitas {S.Capacity}).",
                $"The mentor already has {taken} active cases (capacity {S.Capacity}).") { Field = "mentorId" });
        }

        S.Reserved[caseNumber] = DateTimeOffset.UtcNow;
        await mentor.WriteStateAsync();
        WatchReservations();
        return null;
    }

    public Task<IReadOnlyList<string>> ActiveCases() => Task.FromResult<IReadOnlyList<string>>([.. S.ActiveCases]);

    public async Task CancelReservation(string caseNumber)
    {
        if (S.Reserved.Remove(caseNumber))
        {
            await mentor.WriteStateAsync();
        }
    }

    public async Task Settle(string caseNumber, bool active)
    {
        var changed = S.Reserved.Remove(caseNumber) | (active ? S.ActiveCases.Add(caseNumber) : S.ActiveCases.Remove(caseNumber));
        if (changed)
        {
            await mentor.WriteStateAsync();
        }
    }

    public async Task ReplaceCaseload(IReadOnlyList<string> activeCases, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(activeCases);
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role != Domain.Access.Role.Admin)
        {
            throw new UnauthorizedAccessException("Only an admin replaces a caseload.");
        }

        S.ActiveCases = new SortedSet<string>(activeCases, StringComparer.Ordinal);
        S.Reserved.Clear();
        await mentor.WriteStateAsync();
    }

    /// <summary>Checks reservations older than the lease with their cases: kept when the case has this mentor, given back otherwise.</summary>
    private void WatchReservations()
    {
        if (S.Reserved.Count == 0 || _leaseTimer is not null)
        {
            return;
        }

        _leaseTimer = this.RegisterGrainTimer(async () =>
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (caseNumber, at) in S.Reserved.Where(r => now - r.Value >= _lease).ToList())
            {
                var scope = await GrainFactory.GetGrain<ICaseGrain>(caseNumber).GetScope();
                await Settle(caseNumber, scope is { Status: Domain.Journey.CaseStatus.Open } && scope.MentorId == MentorId);
            }

            if (S.Reserved.Count == 0)
            {
                _leaseTimer?.Dispose();
                _leaseTimer = null;
            }
        }, new GrainTimerCreationOptions(_lease, _lease) { KeepAlive = true });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mentor {MentorId}: the profile's regions could not be given to the people index; tried again shortly")]
    private partial void LogIndexFailed(Exception exception, string mentorId);
}

/// <summary>Mentors reaching a region with their caseloads, from the people index and each mentor's grain. Stateless.</summary>
[Orleans.Concurrency.StatelessWorker]
[Orleans.Concurrency.Reentrant]
public sealed class MentorQueryGrain : Grain, IMentorQueryGrain
{
    public async Task<IReadOnlyList<MentorLoad>?> Caseloads(string regionCode, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role is not (Domain.Access.Role.Caseworker or Domain.Access.Role.Supervisor or Domain.Access.Role.Admin))
        {
            return null;
        }

        // The mentors working in, above or under the region, from the people index; each one's load from its grain.
        var mentors = await GrainFactory.GetGrain<IPeopleGrain>(0).Find(Domain.Access.Role.Mentor, regionCode?.Trim() ?? "", PeopleReach.Reaching);
        var capacities = await Task.WhenAll(mentors.Select(m => GrainFactory.GetGrain<IMentorGrain>(m.UserId).Capacity()));
        var loads = mentors.Zip(capacities, (p, c) => new MentorLoad(p.UserId, p.DisplayName, c.Profile.Sectors, c.Profile.Regions, c.Profile.Capacity, c.ActiveCases, p.Disabled));
        return [.. loads.OrderByDescending(l => (double)l.ActiveCases / Math.Max(1, l.Capacity)).ThenBy(l => l.MentorId, StringComparer.Ordinal)];
    }
}

/// <summary>Readiness: a silo answers and its database does too. Stateless, so any silo may answer.</summary>
[Orleans.Concurrency.StatelessWorker]
[Orleans.Concurrency.Reentrant]
public sealed class HealthGrain(Storage.IOperationsStore store) : Grain, IHealthGrain
{
    public Task<bool> Ready() => store.PingAsync(CancellationToken.None);
}
