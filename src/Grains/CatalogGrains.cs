using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CaseGrains.Grains;

/// <summary>
/// The offer grain's stored state: the offer. The roster is kept as rows (<see cref="IPlacesStore"/>); its fields here
/// are the earlier release's roster, moved to rows at the offer's first activation (and held in memory as this type).
/// </summary>
[GenerateSerializer, Alias("cg.OfferState")]
public sealed class OfferState
{
    [Id(0)] public Offer? Offer { get; set; }

    /// <summary>Cases holding a place.</summary>
    [Id(1)] public SortedSet<string> Seated { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Cases waiting, first = next.</summary>
    [Id(2)] public List<string> Waiting { get; set; } = [];

    /// <summary>Cases given a place that have not yet recorded it on their timeline (the notice is re-sent until they do).</summary>
    [Id(3)] public SortedSet<string> Promoted { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Places and waiting-list entries reserved for enrolments not yet on their case's timeline (case → when).</summary>
    [Id(4)] public Dictionary<string, DateTimeOffset> Unconfirmed { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One catalog offer and its roster. Capacity is enforced here, one request at a time: a case reserves a place before it
/// appends its enrolment, and gives it back when the enrolment ends. When a place frees up, the first waiting case is
/// given it and told so one-way (the roster never waits on a case, so a case waiting on the roster cannot deadlock it);
/// the notice is repeated by a timer until the case confirms. A reservation is confirmed by the case's enrolment event
/// (a consequence, <see cref="Settle"/>); one never confirmed (the append failed, or the process died before it) is
/// checked with the case after the reservation lease (<c>CaseGrains:Consequences:ReservationLease</c>) and given back if the case does not hold it.
/// The roster is rows (issue 16, deliverable 4): a change writes the rows of the cases it changed (taking a place, one
/// row), never the whole set; the grain keeps the roster in memory, read from the rows when it activates.
/// </summary>
public sealed partial class OfferGrain(
    [PersistentState("offer", ProviderNames.GrainState)] IPersistentState<OfferState> state,
    IPlacesStore places,
    IOptions<CaseGrainsOptions> options,
    ILogger<OfferGrain> logger) : Grain, IOfferGrain
{
    public static readonly TimeSpan NoticeRetry = TimeSpan.FromSeconds(20);

    /// <summary>How long a reservation waits for its case's event before the case is asked.</summary>
    private readonly TimeSpan _lease = options.Value.Consequences.ReservationLease;

    private IGrainTimer? _noticeTimer;
    private IGrainTimer? _leaseTimer;

    /// <summary>The roster in memory (the rows as they are); <see cref="OfferState.Offer"/> is unused here.</summary>
    private readonly OfferState _roster = new();

    /// <summary>Each waiting case's place in the queue (the row's position).</summary>
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);

    private long _lastPosition;

    private OfferState S => _roster;

    private string OfferId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var rows = await places.LoadPlacesAsync(OfferId, cancellationToken);
        var stored = state.State;
        if (rows.Count == 0 && stored.Seated.Count + stored.Waiting.Count > 0)
        {
            // The earlier release kept the roster in the grain state: moved to rows once, then cleared from the state.
            rows = [.. stored.Seated.Select(c => new PlaceRow(c, true, 0, stored.Promoted.Contains(c), stored.Unconfirmed.TryGetValue(c, out var at) ? at : null)),
                .. stored.Waiting.Select((c, i) => new PlaceRow(c, false, i + 1, false, stored.Unconfirmed.TryGetValue(c, out var at) ? at : null))];
            await places.ReplacePlacesAsync(OfferId, rows, cancellationToken);
            (stored.Seated, stored.Waiting, stored.Promoted, stored.Unconfirmed) = (new(StringComparer.Ordinal), [], new(StringComparer.Ordinal), new(StringComparer.Ordinal));
            await state.WriteStateAsync(cancellationToken);
        }

        foreach (var row in rows)
        {
            if (row.Seated)
            {
                _roster.Seated.Add(row.CaseNumber);
            }
            else
            {
                _roster.Waiting.Add(row.CaseNumber);
                _positions[row.CaseNumber] = row.Position;
                _lastPosition = Math.Max(_lastPosition, row.Position);
            }

            if (row.Promoted)
            {
                _roster.Promoted.Add(row.CaseNumber);
            }

            if (row.UnconfirmedSince is { } since)
            {
                _roster.Unconfirmed[row.CaseNumber] = since;
            }
        }

        EnsureNoticeTimer();
        WatchReservations();
    }

    /// <summary>
    /// Writes the rows of <paramref name="cases"/> as the roster holds them now (a case no longer on it: its row goes).
    /// When the write fails, what the rows hold is unknown: this activation ends and the next one reads them.
    /// </summary>
    private async Task SaveAsync(params string[] cases)
    {
        var rows = new List<PlaceRow>();
        var removed = new List<string>();
        foreach (var caseNumber in cases.Distinct(StringComparer.Ordinal))
        {
            if (RowOf(caseNumber) is { } row)
            {
                rows.Add(row);
            }
            else
            {
                removed.Add(caseNumber);
            }
        }

        try
        {
            await places.WritePlacesAsync(OfferId, rows, removed, CancellationToken.None);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private PlaceRow? RowOf(string caseNumber)
    {
        DateTimeOffset? since = S.Unconfirmed.TryGetValue(caseNumber, out var at) ? at : null;
        return S.Seated.Contains(caseNumber) ? new PlaceRow(caseNumber, true, 0, S.Promoted.Contains(caseNumber), since)
            : _positions.TryGetValue(caseNumber, out var position) ? new PlaceRow(caseNumber, false, position, false, since)
            : null;
    }

    private void AddWaiting(string caseNumber)
    {
        S.Waiting.Add(caseNumber);
        _positions[caseNumber] = ++_lastPosition;
    }

    private bool RemoveWaiting(string caseNumber) => S.Waiting.Remove(caseNumber) & _positions.Remove(caseNumber);

    public Task<OfferSaveOutcome> SaveRequest(OfferRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offer = OfferMapper.ToOffer(OfferId, request);
        return offer.IsRefused
            ? Task.FromResult(new OfferSaveOutcome(null, OfferChange.Rejected, RefusalInfo.From(offer.Refusal!)))
            : Save(offer.Value, actor);
    }

    public async Task<OfferSaveOutcome> Save(Offer offer, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role != Role.Admin)
        {
            return new OfferSaveOutcome(null, OfferChange.Rejected, RefusalInfo.From(Refusals.Forbidden()));
        }

        var refusal = (offer.Id != OfferId ? new Refusal("offer.id_mismatch", "ID layanan tidak sesuai.", "The offer id does not match.") { Field = "id" } : null)
            ?? OfferRules.Validate(offer)
            ?? (offer.PartnerOrgId is { } org && await GrainFactory.GetGrain<IPartnerOrgGrain>(org).Get() is null
                ? new Refusal("offer.partner_org_unknown", "Organisasi mitra tidak terdaftar.", "No such partner organisation.") { Field = "partnerOrgId" }
                : null);
        if (refusal is not null)
        {
            return new OfferSaveOutcome(null, OfferChange.Rejected, RefusalInfo.From(refusal));
        }

        var before = state.State.Offer;
        if (before is not null && Same(before, offer))
        {
            return new OfferSaveOutcome(before, OfferChange.Unchanged, null);
        }

        // The partner organisations answering for it know its offers, told before the offer is written: if a call fails,
        // nothing is written and the admin's repeat does both again (idempotent). Their lists are for admins: whose an
        // enrolment is comes from the offer as it was at enrolment.
        if (before?.PartnerOrgId is { } formerOrg && formerOrg != offer.PartnerOrgId)
        {
            await GrainFactory.GetGrain<IPartnerOrgGrain>(formerOrg).SetOffer(OfferId, false);
        }

        if (offer.PartnerOrgId is { } partnerOrg)
        {
            await GrainFactory.GetGrain<IPartnerOrgGrain>(partnerOrg).SetOffer(OfferId, true);
        }

        state.State.Offer = offer;
        await state.WriteStateAsync();
        // The index follows the offer: out of the provinces it no longer reaches, into the ones it does.
        var keys = CatalogKeys.For(offer);
        foreach (var gone in before is null ? [] : CatalogKeys.For(before).Except(keys))
        {
            await GrainFactory.GetGrain<ICatalogGrain>(gone).Remove(OfferId);
        }

        foreach (var key in keys)
        {
            await GrainFactory.GetGrain<ICatalogGrain>(key).Put(offer);
        }

        // A raised capacity may seat waiting cases.
        await PromoteAsync();
        LogSaved(OfferId, before is null ? "created" : "updated", actor.Id);
        return new OfferSaveOutcome(offer, before is null ? OfferChange.Created : OfferChange.Updated, null);
    }

    public Task<Offer?> Get() => Task.FromResult(state.State.Offer);

    public Task<OfferPlaces?> GetPlaces() =>
        Task.FromResult(state.State.Offer is { } o ? new OfferPlaces(o.Capacity, S.Seated.Count, S.Waiting.Count) : null);

    public async Task<SeatGrant> Reserve(string caseNumber)
    {
        if (state.State.Offer is not { } offer)
        {
            return new SeatGrant(SeatOutcome.Granted, 0, RefusalInfo.From(OfferNotFound()));
        }

        if (S.Seated.Contains(caseNumber))
        {
            return new SeatGrant(SeatOutcome.Granted, 0, null);
        }

        var waiting = S.Waiting.IndexOf(caseNumber);
        if (waiting >= 0)
        {
            return new SeatGrant(SeatOutcome.Waitlisted, waiting + 1, null);
        }

        if (S.Seated.Count < offer.Capacity && S.Waiting.Count == 0)
        {
            S.Seated.Add(caseNumber);
            S.Unconfirmed[caseNumber] = DateTimeOffset.UtcNow;
            await SaveAsync(caseNumber);
            WatchReservations();
            return new SeatGrant(SeatOutcome.Granted, 0, null);
        }

        if (offer.Type is OfferType.Matchmaking or OfferType.FinancingProduct)
        {
            // Referrals and financing quotas have no waiting list: the caseworker picks another partner or product.
            return new SeatGrant(SeatOutcome.Granted, 0, RefusalInfo.From(new Refusal("offer.full",
                $"Kuota '{offer.Name}' sudah penuh ({S.Seated.Count}/{offer.Capacity}).",
                $"'{offer.Name}' is at its quota ({S.Seated.Count}/{offer.Capacity}).") { Field = "offerId" }));
        }

        AddWaiting(caseNumber);
        S.Unconfirmed[caseNumber] = DateTimeOffset.UtcNow;
        await SaveAsync(caseNumber);
        WatchReservations();
        return new SeatGrant(SeatOutcome.Waitlisted, S.Waiting.Count, null);
    }

    public async Task Release(string caseNumber)
    {
        var changed = S.Seated.Remove(caseNumber) | RemoveWaiting(caseNumber) | S.Promoted.Remove(caseNumber) | S.Unconfirmed.Remove(caseNumber);
        if (changed)
        {
            await SaveAsync(caseNumber);
        }

        await PromoteAsync();
    }

    public async Task Settle(string caseNumber, PlaceHolding holding)
    {
        switch (holding)
        {
            case PlaceHolding.None:
                await Release(caseNumber);
                return;
            case PlaceHolding.Seat:
                // The case's timeline says it holds a place: kept (a promotion it recorded is confirmed too).
                var seated = S.Seated.Add(caseNumber) | RemoveWaiting(caseNumber) | S.Promoted.Remove(caseNumber) | S.Unconfirmed.Remove(caseNumber);
                if (seated)
                {
                    await SaveAsync(caseNumber);
                }

                return;
            default:
                // Waiting, as the timeline says: in the list unless the roster has meanwhile given it a place (a promotion
                // on its way to the case, which will record it).
                var waiting = S.Unconfirmed.Remove(caseNumber);
                if (!S.Seated.Contains(caseNumber) && !S.Waiting.Contains(caseNumber))
                {
                    AddWaiting(caseNumber);
                    waiting = true;
                }

                if (waiting)
                {
                    await SaveAsync(caseNumber);
                }

                await PromoteAsync();
                return;
        }
    }

    public Task<OfferRoster?> GetRoster() =>
        Task.FromResult(state.State.Offer is null ? null : new OfferRoster([.. S.Seated], [.. S.Waiting]));

    public async Task ReplaceRoster(OfferRoster roster, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role != Role.Admin)
        {
            throw new UnauthorizedAccessException("Only an admin replaces a roster.");
        }

        S.Seated = new SortedSet<string>(roster.Seated, StringComparer.Ordinal);
        S.Waiting = [];
        _positions.Clear();
        foreach (var caseNumber in roster.Waiting)
        {
            AddWaiting(caseNumber);
        }

        S.Promoted.IntersectWith(S.Seated);
        S.Unconfirmed.Clear();
        try
        {
            await places.ReplacePlacesAsync(OfferId, [.. S.Seated.Concat(S.Waiting).Select(c => RowOf(c)!)], CancellationToken.None);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        await PromoteAsync();
    }

    /// <summary>Checks reservations older than the lease with their cases: kept as the case's timeline says, given back otherwise.</summary>
    private void WatchReservations()
    {
        if (S.Unconfirmed.Count == 0 || _leaseTimer is not null)
        {
            return;
        }

        _leaseTimer = this.RegisterGrainTimer(async () =>
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var caseNumber in S.Unconfirmed.Where(r => now - r.Value >= _lease).Select(r => r.Key).ToList())
            {
                await Settle(caseNumber, await GrainFactory.GetGrain<ICaseGrain>(caseNumber).GetPlace(OfferId));
            }

            if (S.Unconfirmed.Count == 0)
            {
                _leaseTimer?.Dispose();
                _leaseTimer = null;
            }
        }, new GrainTimerCreationOptions(_lease, _lease) { KeepAlive = true });
    }

    public async Task ConfirmSeat(string caseNumber)
    {
        if (S.Promoted.Remove(caseNumber))
        {
            await SaveAsync(caseNumber);
        }
    }

    /// <summary>Seats waiting cases while places are free, then tells each one.</summary>
    private async Task PromoteAsync()
    {
        if (state.State.Offer is not { } offer)
        {
            return;
        }

        var promoted = new List<string>();
        while (S.Waiting.Count > 0 && S.Seated.Count < offer.Capacity)
        {
            var next = S.Waiting[0];
            RemoveWaiting(next);
            S.Seated.Add(next);
            S.Promoted.Add(next);
            promoted.Add(next);
        }

        if (promoted.Count > 0)
        {
            await SaveAsync([.. promoted]);
            SendNotices();
            EnsureNoticeTimer();
        }
    }

    private void SendNotices()
    {
        foreach (var caseNumber in S.Promoted)
        {
            // One-way: returns at once, and a dead or busy case never holds the roster up.
            _ = GrainFactory.GetGrain<ICaseGrain>(caseNumber).SeatGranted(OfferId);
        }
    }

    private void EnsureNoticeTimer()
    {
        if (S.Promoted.Count == 0 || _noticeTimer is not null)
        {
            return;
        }

        _noticeTimer = this.RegisterGrainTimer(_ =>
        {
            if (S.Promoted.Count == 0)
            {
                _noticeTimer?.Dispose();
                _noticeTimer = null;
                return Task.CompletedTask;
            }

            SendNotices();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(NoticeRetry, NoticeRetry) { KeepAlive = true });
    }

    private static bool Same(Offer a, Offer b) =>
        Storage.OfferJson.Serialize(a) == Storage.OfferJson.Serialize(b);

    private static Refusal OfferNotFound() => new("offer.not_found", "Layanan tidak ditemukan di katalog.", "No such offer in the catalog.") { Field = "offerId" };

    [LoggerMessage(Level = LogLevel.Information, Message = "Offer {OfferId} {Change} by {ActorId}")]
    private partial void LogSaved(string offerId, string change, string actorId);
}

/// <summary>Which catalog index grains an offer belongs to: each province it reaches, or the national one.</summary>
public static class CatalogKeys
{
    public static IReadOnlyList<string> For(Offer offer) =>
        [.. offer.Regions.Select(r => r == Offer.National ? Offer.National : r[..Math.Min(2, r.Length)]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The index grains holding every offer that can reach <paramref name="regionCode"/>.</summary>
    public static IReadOnlyList<string> Reaching(string regionCode) =>
        regionCode == Offer.National ? [Offer.National] : [regionCode[..Math.Min(2, regionCode.Length)], Offer.National];

    /// <summary>Every index grain (for a listing of the whole catalog).</summary>
    public static IReadOnlyList<string> All() =>
        [.. Domain.Regions.RegionTable.Kemendagri.All.Where(r => r.Level == Domain.Regions.RegionLevel.Province).Select(r => r.Code).Order(StringComparer.Ordinal), Offer.National];
}

[GenerateSerializer, Alias("cg.CatalogState")]
public sealed class CatalogState
{
    [Id(0)] public Dictionary<string, Offer> Offers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The offers reaching one province (or the national ones): what matching and listings read.</summary>
public sealed class CatalogGrain(
    [PersistentState("catalog", ProviderNames.GrainState)] IPersistentState<CatalogState> state) : Grain, ICatalogGrain
{
    public async Task Put(Offer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        state.State.Offers[offer.Id] = offer;
        await state.WriteStateAsync();
    }

    public async Task Remove(string offerId)
    {
        if (state.State.Offers.Remove(offerId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<Offer>> List() => Task.FromResult<IReadOnlyList<Offer>>([.. state.State.Offers.Values.OrderBy(o => o.Id, StringComparer.Ordinal)]);
}
