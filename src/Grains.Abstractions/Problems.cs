using CaseGrains.Domain.Problems;

namespace CaseGrains.Grains.Abstractions;

/// <summary>The field problems of one province (key: its code), newest first.</summary>
[Alias("cg.IFieldProblemsGrain")]
public interface IFieldProblemsGrain : IGrainWithStringKey
{
    /// <summary>Records a problem (the region's caseworkers and supervisors).</summary>
    [Alias("Report")]
    Task<FieldProblemOutcome> Report(FieldProblemRequest request, Actor actor);

    /// <summary>The problems under a region of this province (newest first, at most <paramref name="limit"/>); access is the caller's job.</summary>
    [Alias("List"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<FieldProblem>> List(string regionCode, string? categoryKey, int limit);
}

/// <summary>Counts of field problems per region and category, with the offers of that category reaching the region. Stateless.</summary>
[Alias("cg.IFieldProblemQueryGrain")]
public interface IFieldProblemQueryGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    Task<FieldProblemList> List(string regionCode, string? category, int limit, Actor caller);

    [Alias("Summary")]
    Task<FieldProblemSummary> Summary(string regionCode, Actor caller);
}

[GenerateSerializer, Alias("cg.FieldProblemRequest")]
public sealed record FieldProblemRequest
{
    /// <summary>Kecamatan or desa where the problem is.</summary>
    [Id(0)] public string? RegionCode { get; init; }
    [Id(1)] public string? Sector { get; init; }
    /// <summary>What kind of need, in the catalog's words where possible (e.g. "Pemasaran Digital").</summary>
    [Id(2)] public string? Category { get; init; }
    [Id(3)] public string? Description { get; init; }
    /// <summary>The community, partner or caseworker who raised it.</summary>
    [Id(4)] public string? Reporter { get; init; }
    [Id(5)] public ReporterKind? ReporterKind { get; init; }
}

[GenerateSerializer, Immutable, Alias("cg.FieldProblemOutcome")]
public sealed record FieldProblemOutcome([property: Id(0)] FieldProblem? Problem, [property: Id(1)] RefusalInfo? Refusal);

[GenerateSerializer, Immutable, Alias("cg.FieldProblemList")]
public sealed record FieldProblemList([property: Id(0)] IReadOnlyList<FieldProblem>? Problems, [property: Id(1)] RefusalInfo? Refusal);

/// <summary>One (child region, category) cell: problems reported, and offers of that category reaching the child region (0 = an unmet need).</summary>
[GenerateSerializer, Immutable, Alias("cg.FieldProblemCount")]
public sealed record FieldProblemCount(
    [property: Id(0)] string RegionCode,
    [property: Id(1)] string RegionName,
    [property: Id(2)] string Category,
    [property: Id(3)] long Problems,
    [property: Id(4)] int MatchingOffers);

[GenerateSerializer, Immutable, Alias("cg.FieldProblemSummary")]
public sealed record FieldProblemSummary(
    [property: Id(0)] string RegionCode,
    [property: Id(1)] IReadOnlyList<FieldProblemCount>? Counts,
    [property: Id(2)] RefusalInfo? Refusal);

[GenerateSerializer, Alias("cg.FieldProblemSurrogate")]
public record struct FieldProblemSurrogate
{
    [Id(0)] public string Id { get; init; }
    [Id(1)] public string RegionCode { get; init; }
    [Id(2)] public string Sector { get; init; }
    [Id(3)] public string Category { get; init; }
    [Id(4)] public string Description { get; init; }
    [Id(5)] public string Reporter { get; init; }
    [Id(6)] public ReporterKind ReporterKind { get; init; }
    [Id(7)] public string RecordedBy { get; init; }
    [Id(8)] public DateTimeOffset RecordedAt { get; init; }
}

[RegisterConverter]
public sealed class FieldProblemSurrogateConverter : IConverter<FieldProblem, FieldProblemSurrogate>
{
    public FieldProblem ConvertFromSurrogate(in FieldProblemSurrogate s) =>
        new(s.Id, s.RegionCode, s.Sector, s.Category, s.Description, s.Reporter, s.ReporterKind, s.RecordedBy, s.RecordedAt);

    public FieldProblemSurrogate ConvertToSurrogate(in FieldProblem p) => new()
    {
        Id = p.Id, RegionCode = p.RegionCode, Sector = p.Sector, Category = p.Category, Description = p.Description,
        Reporter = p.Reporter, ReporterKind = p.ReporterKind, RecordedBy = p.RecordedBy, RecordedAt = p.RecordedAt,
    };
}
