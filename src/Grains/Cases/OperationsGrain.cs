using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Metrics;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;

namespace CaseGrains.Grains;

/// <summary>The operators' entry: the consequences' backlog, retrying what is parked, the reconciliation, and a user's notices.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class OperationsGrain(IOperationsStore operations, IProjectionStore projections, ICaseTimelineStore timelines, INoticeOutbox outbox) : Grain, IOperationsGrain
{
    public async Task<IReadOnlyList<NoticeDelivery>?> Deliveries(Actor caller, DeliveryStatus? status, int limit) =>
        caller?.Role == Role.Admin ? await outbox.ReadDeliveriesAsync(status, Math.Clamp(limit, 1, 500), CancellationToken.None) : null;

    public async Task<int?> RetryDeliveries(Actor caller) =>
        caller?.Role == Role.Admin ? await outbox.RetryFailedDeliveriesAsync(DateTimeOffset.UtcNow, CancellationToken.None) : null;

    public async Task<ConsequenceBacklog?> Backlog(Actor caller) =>
        caller?.Role == Role.Admin ? await operations.ReadConsequenceBacklogAsync(DateTimeOffset.UtcNow, CancellationToken.None) : null;

    public async Task<IReadOnlyList<AccessLogEntry>?> SearchAccessLog(Actor caller, AccessLogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (caller is null || !AccessPolicy.MaySearchAccessLogs(caller.ToCaller()))
        {
            return null;
        }

        var filter = string.Join(", ", new[] { ("user", query.UserId), ("case", query.CaseNumber), ("action", query.Action),
                ("from", query.From?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("to", query.To?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)) }
            .Where(f => f.Item2 is not null).Select(f => $"{f.Item1}={f.Item2}"));
        await timelines.RecordAccessAsync(new AccessLogEntry(SearchLogKey, caller.Id, caller.Role.ToString(), "access-log-search",
            filter.Length == 0 ? "all" : filter[..Math.Min(filter.Length, 200)], DateTimeOffset.UtcNow) { Origin = caller.Origin }, CancellationToken.None);
        return await timelines.SearchAccessLogAsync(query, CancellationToken.None);
    }

    /// <summary>The access log's own entries (the officer's searches) are filed under this key.</summary>
    public const string SearchLogKey = "privacy:access-log";

    public async Task<ConsequenceRetry> Retry(Actor caller, ConsequenceKind? kind, string? caseNumber)
    {
        if (caller?.Role != Role.Admin)
        {
            return new ConsequenceRetry(0, RefusalInfo.From(Refusals.Forbidden()));
        }

        var cases = await operations.RetryConsequencesAsync(kind, caseNumber, DateTimeOffset.UtcNow, CancellationToken.None);
        foreach (var n in cases)
        {
            await GrainFactory.GetGrain<ICaseGrain>(n).RunConsequences(force: true);
        }

        return new ConsequenceRetry(cases.Count, null);
    }

    public Task<ReconcileReport> Reconcile(Actor caller, bool apply) =>
        caller?.Role == Role.Admin
            ? new Reconciliation(GrainFactory, operations, timelines).RunAsync(caller, apply)
            : Task.FromResult(new ReconcileReport(0, [], [], [], [], false, RefusalInfo.From(Refusals.Forbidden())));

    public async Task<IReadOnlyList<Notice>> Notices(Actor caller, int limit)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var rows = await projections.ReadNoticesAsync(caller.Id, Math.Clamp(limit, 1, 500), CancellationToken.None);
        // Notices are about cases the account could see when they came: after its access changed (another role, other
        // regions, another partner organisation), the earlier ones are not shown.
        var since = (await GrainFactory.GetGrain<IUserGrain>(caller.Id).GetView())?.AccessSince;
        return [.. rows.Where(r => since is null || r.At >= since).Select(r => new Notice(r.CaseNumber, r.Seq, r.Kind, r.EventType, r.At))];
    }
}

/// <summary>
/// Recomputes from the timelines what the consequences keep elsewhere — mentors' caseloads, offers' rosters, the dashboard
/// counters, the notices — compares, reports each difference, and with apply repairs it. Run it when writes are quiet: a
/// command running meanwhile can show as a passing difference (run it again to see whether it stays).
/// </summary>
internal sealed class Reconciliation(IGrainFactory grains, IOperationsStore operations, ICaseTimelineStore timelines)
{
    private readonly Dictionary<string, SortedSet<string>> _caseloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SortedSet<string> Seated, List<(DateTimeOffset Since, string Case)> Waiting)> _rosters = new(StringComparer.Ordinal);
    private readonly List<MetricDelta> _counters = [];
    private readonly List<(ConsequenceItem Item, CaseState Current)> _noticeEvents = [];

    public async Task<ReconcileReport> RunAsync(Actor admin, bool apply)
    {
        var numbers = await operations.ListCaseNumbersAsync(CancellationToken.None);
        foreach (var chunk in numbers.Chunk(64))
        {
            foreach (var load in await Task.WhenAll(chunk.Select(n => timelines.LoadAsync(n, CancellationToken.None))))
            {
                Fold(load.Events);
            }
        }

        var caseloads = await CaseloadsAsync(admin, apply);
        var places = await RostersAsync(admin, apply);
        var counters = await CountersAsync(apply);
        var notices = await NoticesAsync(apply);
        return new ReconcileReport(numbers.Count, caseloads, places, counters, notices, apply && caseloads.Count + places.Count + counters.Count + notices.Count > 0, null);
    }

    private void Fold(IReadOnlyList<StoredEvent> events)
    {
        CaseState? state = null;
        var items = new List<ConsequenceItem>();
        foreach (var e in events)
        {
            var @event = EventJson.Deserialize(e.Type, e.PayloadJson);
            var next = CaseState.Apply(state, @event, checked((int)e.Seq), e.OccurredAt);
            _counters.AddRange(ProgrammeMetrics.Deltas(state, next, @event));
            items.Add(new ConsequenceItem(e.ToEntry(), @event, state, next));
            state = next;
        }

        if (state is null)
        {
            return;
        }

        _noticeEvents.AddRange(items.Where(NoticeRules.Concerns).Select(i => (i, state)));
        if (state is { Status: CaseStatus.Open, MentorId: { } mentor })
        {
            Add(_caseloads, mentor).Add(state.CaseNumber);
        }

        foreach (var offerId in state.Enrolments.Select(e => e.Offer.Id).Distinct(StringComparer.Ordinal))
        {
            if (!_rosters.TryGetValue(offerId, out var roster))
            {
                _rosters[offerId] = roster = (new SortedSet<string>(StringComparer.Ordinal), []);
            }

            switch (ConsequenceHandlers.PlaceOf(state, offerId))
            {
                case PlaceHolding.Seat:
                    roster.Seated.Add(state.CaseNumber);
                    break;
                case PlaceHolding.Waiting:
                    roster.Waiting.Add((EnrolmentDecider.Current(state, offerId)!.Since, state.CaseNumber));
                    break;
            }
        }
    }

    private async Task<List<string>> CaseloadsAsync(Actor admin, bool apply)
    {
        var drift = new List<string>();
        // The mentors with cases in the timelines, and every mentor account (page by page from the people index): a
        // caseload held by a mentor whose cases all moved on is drift too.
        var mentors = new SortedSet<string>(_caseloads.Keys, StringComparer.Ordinal);
        var people = grains.GetGrain<IPeopleGrain>(0);
        for (var page = await people.List(Role.Mentor, null, "", IPeopleGrain.MaxPage); page.Count > 0; page = await people.List(Role.Mentor, null, page[^1].UserId, IPeopleGrain.MaxPage))
        {
            mentors.UnionWith(page.Select(p => p.UserId));
        }

        foreach (var mentor in mentors)
        {
            var expected = _caseloads.GetValueOrDefault(mentor) ?? [];
            var held = await grains.GetGrain<IMentorGrain>(mentor).ActiveCases();
            if (Difference($"caseload of {mentor}", expected, held) is { } difference)
            {
                drift.Add(difference);
                if (apply)
                {
                    await grains.GetGrain<IMentorGrain>(mentor).ReplaceCaseload([.. expected], admin);
                }
            }
        }

        return drift;
    }

    private async Task<List<string>> RostersAsync(Actor admin, bool apply)
    {
        var drift = new List<string>();
        var offers = new SortedSet<string>(_rosters.Keys, StringComparer.Ordinal);
        foreach (var key in CatalogKeys.All())
        {
            offers.UnionWith((await grains.GetGrain<ICatalogGrain>(key).List()).Select(o => o.Id));
        }

        foreach (var offerId in offers)
        {
            var (seated, waiting) = _rosters.GetValueOrDefault(offerId, (new SortedSet<string>(StringComparer.Ordinal), []));
            if (await grains.GetGrain<IOfferGrain>(offerId).GetRoster() is not { } roster)
            {
                continue; // enrolments in an offer that was never saved here (cannot happen through the API)
            }

            var problems = new[]
            {
                Difference($"places of {offerId}", seated, roster.Seated),
                Difference($"waiting list of {offerId}", waiting.Select(w => w.Case), roster.Waiting),
            }.OfType<string>().ToList();
            if (problems.Count > 0)
            {
                drift.AddRange(problems);
                if (apply)
                {
                    await grains.GetGrain<IOfferGrain>(offerId).ReplaceRoster(
                        new OfferRoster([.. seated], [.. waiting.OrderBy(w => w.Since).ThenBy(w => w.Case, StringComparer.Ordinal).Select(w => w.Case)]), admin);
                }
            }
        }

        return drift;
    }

    private async Task<List<string>> CountersAsync(bool apply)
    {
        var expected = MetricsProjection.Combine(_counters).ToDictionary(d => d.Key, d => d.Delta);
        var live = MetricsProjection.Combine(await operations.ReadAllMetricsAsync(CancellationToken.None)).ToDictionary(d => d.Key, d => d.Delta);
        var drift = expected.Keys.Union(live.Keys)
            .Where(k => expected.GetValueOrDefault(k) != live.GetValueOrDefault(k))
            .Select(k => $"counter {k.Item1} {k.Item2} {k.Item3}/{k.Item4}/{k.Item5}/{k.Item6}: held {live.GetValueOrDefault(k)}, from the timelines {expected.GetValueOrDefault(k)}")
            .Order(StringComparer.Ordinal).ToList();
        if (apply && drift.Count > 0)
        {
            await operations.ReplaceMetricsAsync(MetricsProjection.Combine(_counters), CancellationToken.None);
        }

        return drift;
    }

    /// <summary>Every event that calls for notices has them in the inbox of each recipient the rules give now.</summary>
    private async Task<List<string>> NoticesAsync(bool apply)
    {
        var drift = new List<string>();
        foreach (var caseEvents in _noticeEvents.GroupBy(n => n.Item.Entry.CaseNumber, StringComparer.Ordinal))
        {
            var held = (await operations.ReadCaseNoticesAsync(caseEvents.Key, CancellationToken.None)).Select(n => (n.Seq, n.UserId)).ToHashSet();
            var missing = new List<NoticeRow>();
            foreach (var (item, current) in caseEvents)
            {
                var (kind, recipients) = await NoticeRules.ForAsync(item, current, grains, timelines);
                missing.AddRange(recipients.Where(r => !held.Contains((item.Seq, r.UserId)))
                    .Select(r => new NoticeRow(r.UserId, item.Entry.CaseNumber, item.Seq, kind, item.Entry.Type, item.Entry.OccurredAt)));
            }

            drift.AddRange(missing.Select(m => $"notice of {m.CaseNumber} #{m.Seq} ({m.Kind}) missing for {m.UserId}"));
            if (apply && missing.Count > 0)
            {
                await timelines.RecordNoticesAsync(missing, CancellationToken.None);
            }
        }

        return drift;
    }

    private static string? Difference(string what, IEnumerable<string> expected, IEnumerable<string> held)
    {
        var e = expected.ToHashSet(StringComparer.Ordinal);
        var h = held.ToHashSet(StringComparer.Ordinal);
        var missing = e.Except(h).Order(StringComparer.Ordinal).ToList();
        var extra = h.Except(e).Order(StringComparer.Ordinal).ToList();
        return missing.Count + extra.Count == 0 ? null
            : $"{what}: missing [{string.Join(", ", missing)}], not on the timelines [{string.Join(", ", extra)}]";
    }

    private static SortedSet<string> Add(Dictionary<string, SortedSet<string>> map, string key) =>
        map.TryGetValue(key, out var set) ? set : map[key] = new SortedSet<string>(StringComparer.Ordinal);
}
