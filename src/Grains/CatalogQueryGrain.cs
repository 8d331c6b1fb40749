using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

/// <summary>Reads across the catalog (listing, redundancy map, financing totals) and the CSV import. Stateless.</summary>
[StatelessWorker]
[Reentrant]
public sealed class CatalogQueryGrain(IProjectionStore store) : Grain, ICatalogQueryGrain
{
    public async Task<IReadOnlyList<OfferListing>> Search(string? regionCode, OfferType? type, string? provider)
    {
        var offers = await OffersTouching(regionCode);
        var chosen = offers.Where(o => (type is null || o.Type == type)
            && (string.IsNullOrWhiteSpace(provider) || string.Equals(o.Provider, provider.Trim(), StringComparison.OrdinalIgnoreCase))).ToList();
        var places = await Task.WhenAll(chosen.Select(o => GrainFactory.GetGrain<IOfferGrain>(o.Id).GetPlaces()));
        return [.. chosen.Zip(places, (o, p) => new OfferListing(o, p ?? new OfferPlaces(o.Capacity, 0, 0)))];
    }

    public async Task<CatalogImportReport> Import(IReadOnlyList<string> header, IReadOnlyList<CsvRecord> rows, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Role != Role.Admin)
        {
            return new CatalogImportReport([], 0, 0, 0, 0, RefusalInfo.From(Refusals.Forbidden()));
        }

        var parsed = CatalogCsv.Parse(header, rows);
        if (parsed.IsRefused)
        {
            return new CatalogImportReport([], 0, 0, 0, 0, RefusalInfo.From(parsed.Refusal!));
        }

        var report = new List<CatalogImportRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, id, request) in parsed.Value)
        {
            var offer = request.IsRefused ? request.Refusal!
                : id is not null && !seen.Add(id) ? new Refusal("import.duplicate_id", $"ID '{id}' sudah muncul di baris sebelumnya.", $"Id '{id}' already appears on an earlier row.") { Field = "id" }
                : OfferMapper.ToOffer(id, request.Value);
            if (offer.IsRefused)
            {
                report.Add(new CatalogImportRow(line, id, OfferChange.Rejected, RefusalInfo.From(offer.Refusal!)));
                continue;
            }

            var saved = await GrainFactory.GetGrain<IOfferGrain>(offer.Value.Id).Save(offer.Value, actor);
            report.Add(new CatalogImportRow(line, id, saved.Change, saved.Refusal));
        }

        return new CatalogImportReport(report, Count(OfferChange.Created), Count(OfferChange.Updated), Count(OfferChange.Unchanged), Count(OfferChange.Rejected), null);

        int Count(OfferChange change) => report.Count(r => r.Result == change);
    }

    public async Task<RedundancyMapResult> RedundancyMap(string regionCode, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (Refused(regionCode, actor) is { } refusal)
        {
            return new RedundancyMapResult(regionCode, null, RefusalInfo.From(refusal));
        }

        var sets = Overlap.RedundancyMap(await OffersTouching(regionCode), regionCode);
        var counts = await store.CountBeneficiariesAsync(regionCode, [.. sets.SelectMany(s => s.Select(o => o.Id))], CancellationToken.None);
        // A set's total is its distinct people: someone in two of its offers, or in one through two cases, counts once.
        var people = await store.CountPeopleInSetsAsync(regionCode, [.. sets.Select(s => (IReadOnlyCollection<string>)[.. s.Select(o => o.Id)])], CancellationToken.None);
        return new RedundancyMapResult(regionCode, [.. sets.Select((set, i) =>
            new RedundancySet([.. set.Select(o => new RedundantOffer(o, counts.GetValueOrDefault(o.Id)))], people.GetValueOrDefault(i)))], null);
    }

    public async Task<FinancingTotalsResult> FinancingTotals(string regionCode, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (Refused(regionCode, actor) is { } refusal)
        {
            return new FinancingTotalsResult(regionCode, null, null, RefusalInfo.From(refusal));
        }

        var products = await store.FinancingTotalsAsync(regionCode, CancellationToken.None);
        return new FinancingTotalsResult(regionCode, products, FinancingTotal.Sum(products), null);
    }

    private static Refusal? Refused(string regionCode, Actor actor) =>
        regionCode != Offer.National && !RegionTable.Kemendagri.IsKnown(regionCode) ? Refusals.UnknownRegion("region")
        : !AccessPolicy.MayReadProgrammeFigures(actor.ToCaller(), regionCode) ? Refusals.Forbidden()
        : null;

    private async Task<IReadOnlyList<Offer>> OffersTouching(string? regionCode)
    {
        var keys = string.IsNullOrWhiteSpace(regionCode) || regionCode == Offer.National ? CatalogKeys.All() : CatalogKeys.Reaching(regionCode);
        var lists = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<ICatalogGrain>(k).List()));
        return [.. lists.SelectMany(l => l).DistinctBy(o => o.Id)
            .Where(o => string.IsNullOrWhiteSpace(regionCode) || o.Touches(regionCode))
            .OrderBy(o => o.Id, StringComparer.Ordinal)];
    }
}
