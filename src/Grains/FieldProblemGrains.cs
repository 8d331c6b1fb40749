using CaseGrains.Domain;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Problems;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;

namespace CaseGrains.Grains;

[GenerateSerializer, Alias("cg.FieldProblemsState")]
public sealed class FieldProblemsState
{
    [Id(0)] public List<FieldProblem> Problems { get; set; } = [];
}

/// <summary>The field problems ("belanja masalah") of one province, in its grain storage.</summary>
public sealed class FieldProblemsGrain(
    [PersistentState("problems", ProviderNames.GrainState)] IPersistentState<FieldProblemsState> state,
    [FromKeyedServices(ProviderNames.Clock)] TimeProvider clock) : Grain, IFieldProblemsGrain
{
    public async Task<FieldProblemOutcome> Report(FieldProblemRequest request, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        var refusal = FieldProblem.Validate(request.RegionCode, request.Sector, request.Category, request.Description, request.Reporter, request.ReporterKind)
            ?? (AccessPolicy.MayIssue(actor.Role, CommandKind.Intake) && actor.ToCaller().Serves(request.RegionCode!) ? null : Refusals.Forbidden())
            ?? (request.RegionCode![..2] == this.GetPrimaryKeyString() ? null : Refusals.OutOfRange("regionCode", "this province"));
        if (refusal is not null)
        {
            return new FieldProblemOutcome(null, RefusalInfo.From(refusal));
        }

        var problem = new FieldProblem(Guid.NewGuid().ToString("N"), request.RegionCode!, request.Sector!.Trim(), request.Category!.Trim(),
            request.Description!.Trim(), request.Reporter!.Trim(), request.ReporterKind!.Value, actor.Id, clock.GetUtcNow());
        state.State.Problems.Add(problem);
        await state.WriteStateAsync();
        return new FieldProblemOutcome(problem, null);
    }

    public Task<IReadOnlyList<FieldProblem>> List(string regionCode, string? categoryKey, int limit) =>
        Task.FromResult<IReadOnlyList<FieldProblem>>([.. state.State.Problems
            .Where(p => regionCode.Length <= 2 || p.RegionCode == regionCode || p.RegionCode.StartsWith(regionCode + ".", StringComparison.Ordinal))
            .Where(p => categoryKey is null || p.CategoryKey == categoryKey)
            .OrderByDescending(p => p.RecordedAt).Take(Math.Clamp(limit, 1, 5000))]);
}

/// <summary>Lists and counts field problems across provinces, and sets them against the catalog. Stateless.</summary>
[StatelessWorker]
[Reentrant]
public sealed class FieldProblemQueryGrain : Grain, IFieldProblemQueryGrain
{
    public async Task<FieldProblemList> List(string regionCode, string? category, int limit, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (Refused(regionCode, caller) is { } refusal)
        {
            return new FieldProblemList(null, RefusalInfo.From(refusal));
        }

        var key = string.IsNullOrWhiteSpace(category) ? null : Offer.Key(category);
        var lists = await Task.WhenAll(Provinces(regionCode).Select(p => GrainFactory.GetGrain<IFieldProblemsGrain>(p).List(regionCode, key, limit)));
        return new FieldProblemList([.. lists.SelectMany(l => l).OrderByDescending(p => p.RecordedAt).Take(Math.Clamp(limit, 1, 5000))], null);
    }

    public async Task<FieldProblemSummary> Summary(string regionCode, Actor caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (Refused(regionCode, caller) is { } refusal)
        {
            return new FieldProblemSummary(regionCode, null, RefusalInfo.From(refusal));
        }

        var lists = await Task.WhenAll(Provinces(regionCode).Select(p => GrainFactory.GetGrain<IFieldProblemsGrain>(p).List(regionCode, null, 5000)));
        // Counted by the level below the region asked for (the nation by province, a province by kab/kota, and so on).
        var childLength = regionCode.Length switch { 2 when regionCode == Offer.National => 2, 2 => 5, 5 => 8, _ => 13 };
        var cells = lists.SelectMany(l => l).GroupBy(p => (Child: p.RegionCode[..Math.Min(childLength, p.RegionCode.Length)], p.CategoryKey)).ToList();
        var offers = await CatalogOffersAsync(cells.Select(c => c.Key.Child).Distinct());
        return new FieldProblemSummary(regionCode, [.. cells
            .Select(c =>
            {
                var matching = offers.Where(o => o.CategoryKey == c.Key.CategoryKey && o.Touches(c.Key.Child)).ToList();
                // Named as the catalog names it when an offer matches; else as first reported.
                return new FieldProblemCount(c.Key.Child, RegionTable.Kemendagri.Find(c.Key.Child)?.Name ?? c.Key.Child,
                    matching.FirstOrDefault()?.Category ?? c.First().Category, c.Count(), matching.Count);
            })
            .OrderBy(c => c.MatchingOffers == 0 ? 0 : 1).ThenByDescending(c => c.Problems).ThenBy(c => c.RegionCode, StringComparer.Ordinal).ThenBy(c => c.Category, StringComparer.Ordinal)], null);
    }

    private async Task<IReadOnlyList<Offer>> CatalogOffersAsync(IEnumerable<string> regions)
    {
        var keys = regions.SelectMany(CatalogKeys.Reaching).Distinct(StringComparer.Ordinal);
        var lists = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<ICatalogGrain>(k).List()));
        return [.. lists.SelectMany(l => l).DistinctBy(o => o.Id)];
    }

    private static IEnumerable<string> Provinces(string regionCode) =>
        regionCode == Offer.National ? CatalogKeys.All().Where(k => k != Offer.National) : [regionCode[..2]];

    private static Refusal? Refused(string regionCode, Actor caller) =>
        !AccessPolicy.MayReadProgrammeFigures(caller.ToCaller(), regionCode) ? Refusals.Forbidden()
        : regionCode != Offer.National && !RegionTable.Kemendagri.IsKnown(regionCode) ? Refusals.UnknownRegion("region")
        : null;
}
