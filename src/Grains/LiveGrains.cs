using CaseGrains.Domain;
using CaseGrains.Domain.Regions;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace CaseGrains.Grains;

/// <summary>
/// One user's live feed: forwards what cases publish to the frontends where the user is connected. Holds no state:
/// frontends renew their subscription well within <see cref="SubscriptionExpiry"/>, so a deactivated feed is rebuilt
/// by the next renewal, and a vanished frontend drops out on its own.
/// </summary>
public sealed class UserFeedGrain : Grain, IUserFeedGrain
{
    public static readonly TimeSpan SubscriptionExpiry = TimeSpan.FromMinutes(2);

    private readonly ObserverManager<IFeedObserver> _frontends;

    public UserFeedGrain(ILogger<UserFeedGrain> logger)
    {
        _frontends = new ObserverManager<IFeedObserver>(SubscriptionExpiry, logger);
    }

    public Task Subscribe(IFeedObserver frontend)
    {
        _frontends.Subscribe(frontend, frontend);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(IFeedObserver frontend)
    {
        _frontends.Unsubscribe(frontend);
        return Task.CompletedTask;
    }

    public Task Publish(FeedItem item)
    {
        // Observer calls are one-way; a dead frontend never fails the case's command.
        _frontends.Notify(f => f.OnFeedItem(item));
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
}

/// <summary>A mentor's profile and active caseload; the capacity is enforced when a case is assigned.</summary>
public sealed class MentorGrain(
    [PersistentState("mentor", ProviderNames.GrainState)] IPersistentState<MentorState> mentor) : Grain, IMentorGrain
{
    public const int DefaultCapacity = 20;
    public const int MaxCapacity = 500;

    private MentorState S => mentor.State;

    public async Task<RefusalInfo?> SetProfile(MentorProfile profile, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(actor);
        if (!MentorAdministration.MayManage(actor.Role))
        {
            return RefusalInfo.From(Refusals.Forbidden());
        }

        if (profile.Capacity is < 1 or > MaxCapacity)
        {
            return RefusalInfo.From(Refusals.OutOfRange("capacity", $"1..{MaxCapacity}"));
        }

        if (profile.Regions.Any(r => r is null || !RegionTable.Kemendagri.IsKnown(r)))
        {
            return RefusalInfo.From(Refusals.UnknownRegion("regions"));
        }

        if (profile.Sectors.Count > 30 || profile.Sectors.Any(x => Domain.Journey.CaseDecider.Text(x, "sectors", 100, required: true) is not null))
        {
            return RefusalInfo.From(Refusals.OutOfRange("sectors", "1..30 names of at most 100 characters"));
        }

        S.Sectors = [.. profile.Sectors.Select(x => x.Trim())];
        S.Regions = [.. profile.Regions];
        S.Capacity = profile.Capacity;
        await mentor.WriteStateAsync();
        return null;
    }

    public Task<MentorCaseload> GetCaseload() =>
        Task.FromResult(new MentorCaseload(this.GetPrimaryKeyString(), new MentorProfile(S.Sectors, S.Regions, S.Capacity), [.. S.ActiveCases]));

    public async Task<RefusalInfo?> Reserve(string caseNumber)
    {
        if (S.ActiveCases.Contains(caseNumber))
        {
            return null;
        }

        if (S.ActiveCases.Count >= S.Capacity)
        {
            return RefusalInfo.From(new Refusal("mentor.at_capacity",
                $"Pendamping sudah mendampingi {S.ActiveCases.Count} kasus aktif (kapasitas {S.Capacity}).",
                $"The mentor already has {S.ActiveCases.Count} active cases (capacity {S.Capacity}).") { Field = "mentorId" });
        }

        S.ActiveCases.Add(caseNumber);
        await mentor.WriteStateAsync();
        return null;
    }

    public async Task Release(string caseNumber)
    {
        if (S.ActiveCases.Remove(caseNumber))
        {
            await mentor.WriteStateAsync();
        }
    }
}

/// <summary>Readiness: a silo answers and its database does too. Stateless, so any silo may answer.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class HealthGrain(Storage.ICaseEventStore store) : Grain, IHealthGrain
{
    public Task<bool> Ready() => store.PingAsync(CancellationToken.None);
}
