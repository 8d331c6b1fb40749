using System.Reflection;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Problems;
using CaseGrains.Domain.Services;
using CaseGrains.Grains.Abstractions;
using CaseGrains.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace CaseGrains.Grains.Tests;

/// <summary>
/// Grain state as stored (issue 15, deliverable 0): every persisted state type round-trips through the storage serializer
/// in its declared binary form, and rows written by the earlier release (Newtonsoft JSON with type names, which the
/// Orleans type allow-list refused after a restart) still read into their state types.
/// </summary>
public sealed class GrainStateSerializerTests
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private static readonly GrainStateSerializer Storage = new(Services.GetRequiredService<Serializer>());

    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "LegacyState", name + ".json"));

    private static T ReadLegacy<T>(string name) => Storage.Deserialize<T>(BinaryData.FromString(Fixture(name)));

    [Fact]
    public void RowsWrittenByTheEarlierRelease_ReadIntoTheirStateTypes()
    {
        // Rows taken from a database the earlier release wrote (`--seed-demo`): its default storage serializer's JSON.
        var mentor = ReadLegacy<MentorState>("mentor");
        Assert.Equal(30, mentor.Capacity);
        Assert.Equal(["35.79"], mentor.Regions);
        Assert.Equal(16, mentor.ActiveCases.Count);
        Assert.Same(StringComparer.Ordinal, mentor.ActiveCases.Comparer);

        var registry = ReadLegacy<RegistryState>("registry");
        Assert.Equal("3579-000011", registry.CurrentCase);
        Assert.StartsWith("CfDJ8", registry.ProtectedNik, StringComparison.Ordinal);
        Assert.Equal(new CommandOutcome("3579-000011", true, 1, "CaseOpened", 1, null, false), registry.Intakes["demo-10-intake"]);

        var offer = ReadLegacy<OfferState>("offer").Offer!;
        Assert.Equal(OfferType.FinancingProduct, offer.Type);
        Assert.True(offer.Period.End > offer.Period.Start);
        Assert.NotNull(offer.Financing);
        Assert.NotEmpty(offer.Financing.EligibleClasses);

        var catalog = ReadLegacy<CatalogState>("catalog");
        Assert.Equal(9, catalog.Offers.Count);
        Assert.All(catalog.Offers, kv => Assert.Equal(kv.Key, kv.Value.Id));

        var account = ReadLegacy<UserAccountState>("account");
        Assert.False(string.IsNullOrEmpty(account.PasswordHash));
        Assert.NotEqual(default, account.CreatedAt);

        var directory = ReadLegacy<UserDirectoryState>("directory");
        Assert.Equal(["admin", "analis.kemenko", "pendamping.batu", "petugas.batu", "supervisor.batu"], directory.UserIds);

        Assert.Equal(40, ReadLegacy<CaseNumberState>("sequence").Last);
    }

    [Fact]
    public void EveryPersistedStateType_RoundTripsInTheBinaryForm_AndAnEarlierJsonRowOfItReadsToo()
    {
        var samples = Samples();
        // A state type added without a sample here fails this test: every kind of stored state is covered.
        Assert.Equal(PersistedStateTypes().OrderBy(t => t.Name), samples.Keys.OrderBy(t => t.Name));
        var legacyWriter = LegacyWriter();

        foreach (var (type, sample) in samples)
        {
            var roundTrip = typeof(GrainStateSerializerTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
            roundTrip.Invoke(null, [sample, legacyWriter]);
        }
    }

    [Fact]
    public void ARowInNoKnownFormat_IsAnError_NotAnEmptyState()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Storage.Deserialize<MentorState>(new BinaryData(new byte[] { 0x01, 0x02, 0x03 })));
        Assert.Contains(nameof(MentorState), ex.Message, StringComparison.Ordinal);
    }

    private static void RoundTrip<T>(T sample, IGrainStorageSerializer legacyWriter)
    {
        var written = Storage.Serialize(sample);
        Assert.True(written.ToMemory().Span.StartsWith(GrainStateSerializer.Mark), typeof(T).Name);
        var read = Storage.Deserialize<T>(written);
        // Equal content: written again, the bytes are the same.
        Assert.Equal(written.ToArray(), Storage.Serialize(read).ToArray());

        // The same state as the earlier release wrote it (Orleans' Newtonsoft storage serializer) reads to the same content.
        var legacy = legacyWriter.Serialize(sample);
        Assert.Equal((byte)'{', legacy.ToMemory().Span[0]);
        // (Content and order, which is what a sorted set's comparer decides; a dictionary's string comparer may differ
        // between ordinal and the default, which compare strings alike.)
        Assert.Equal(Json(sample), Json(Storage.Deserialize<T>(legacy)));
    }

    /// <summary>Readable content of a state (for a helpful failure message), with its type name.</summary>
    private static string Json<T>(T value) => typeof(T).Name + " " + System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>Orleans' JSON storage serializer, configured as the earlier release's default was.</summary>
    private static JsonGrainStorageSerializer LegacyWriter()
    {
        // An Orleans client's services (never started) hold what its JSON settings need (grain reference converters).
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(c => c.UseLocalhostClustering());
        using var client = builder.Build();
        var options = new OrleansJsonSerializerOptions();
        new ConfigureOrleansJsonSerializerOptions(client.Services).PostConfigure(null, options);
        return new JsonGrainStorageSerializer(new OrleansJsonSerializer(Microsoft.Extensions.Options.Options.Create(options)));
    }

    /// <summary>Every type a grain of src/Grains keeps in grain storage (its <c>IPersistentState&lt;T&gt;</c> constructor parameters).</summary>
    private static IEnumerable<Type> PersistedStateTypes() =>
        typeof(GrainStateSerializer).Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors())
            .SelectMany(c => c.GetParameters())
            .Where(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            .Select(p => p.ParameterType.GetGenericArguments()[0])
            .Distinct();

    private static Offer SampleOffer(string id, OfferType type = OfferType.FinancingProduct) => new()
    {
        Id = id,
        Name = "KUR Mikro " + id,
        Type = type,
        Category = "Modal Kerja",
        Provider = "Bank Rakyat",
        Level = OfferLevel.Partner,
        PartnerRole = HexaHelixRole.Business,
        Segments = [Segment.Umkm, Segment.PekerjaMigran],
        Regions = ["35.79", "35.07.01"],
        Period = new(new DateOnly(2026, 1, 1), new DateOnly(2027, 6, 30)),
        Capacity = 12,
        Financing = type == OfferType.FinancingProduct ? new FinancingTerms(1_000_000, 50_000_000, [UmkmClass.Micro, UmkmClass.Small]) : null,
        AttendanceThresholdPercent = type == OfferType.Training ? 75 : null,
        Sectors = ["Kuliner", "Kerajinan"],
    };

    private static Dictionary<Type, object> Samples()
    {
        var refusal = new RefusalInfo("case.duplicate", "Sudah ada kasus terbuka.", "There is an open case.", "nik",
            new Dictionary<string, string> { ["existingCaseNumber"] = "3579-000001" });
        return new Dictionary<Type, object>
        {
            [typeof(UserAccountState)] = new UserAccountState
            {
                DisplayName = "Petugas Batu", Role = Role.Supervisor, Regions = ["35.79", "35.07"], PasswordHash = "AQAAAAIAAYagAAAAE",
                Disabled = true, ExternalSubject = "oidc|123", CreatedAt = new DateTimeOffset(2026, 11, 2, 3, 4, 5, TimeSpan.Zero), SessionVersion = 7,
                PartnerOrg = "mitra-a", AccessSince = new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.Zero),
            },
            [typeof(UserDirectoryState)] = new UserDirectoryState
            {
                UserIds = new SortedSet<string>(["b.user", "a.user", "Z.user"], StringComparer.Ordinal),
                ByExternalSubject = new Dictionary<string, string>(StringComparer.Ordinal) { ["oidc|123"] = "a.user" },
            },
            [typeof(PartnerOrgState)] = new PartnerOrgState
            {
                Name = "Bank Jatim Cabang Batu", Kind = HexaHelixRole.Business, Regions = ["35.79", "35.07"], Disabled = true,
                CreatedAt = new DateTimeOffset(2026, 12, 7, 3, 4, 5, TimeSpan.Zero),
                Members = new SortedSet<string>(["mitra.b", "mitra.a"], StringComparer.Ordinal),
                Offers = new SortedSet<string>(["kur-1"], StringComparer.Ordinal),
            },
            [typeof(AccountLeaseState)] = new AccountLeaseState { EverLeased = true },
            [typeof(PartnerDirectoryState)] = new PartnerDirectoryState
            {
                OrgIds = new SortedSet<string>(["mitra-b", "mitra-a"], StringComparer.Ordinal),
            },
            [typeof(MentorState)] = new MentorState
            {
                Sectors = ["Kuliner"], Regions = ["35.79.01"], Capacity = 3,
                ActiveCases = new SortedSet<string>(["3579-000002", "3579-000001"], StringComparer.Ordinal),
            },
            [typeof(OfferState)] = new OfferState
            {
                Offer = SampleOffer("kur-1"),
                Seated = new SortedSet<string>(["3579-000001"], StringComparer.Ordinal),
                Waiting = ["3579-000003", "3579-000002"],
                Promoted = new SortedSet<string>(["3579-000001"], StringComparer.Ordinal),
            },
            [typeof(CatalogState)] = new CatalogState
            {
                Offers = new Dictionary<string, Offer>(StringComparer.Ordinal) { ["kur-1"] = SampleOffer("kur-1"), ["kursus-2"] = SampleOffer("kursus-2", OfferType.Training) },
            },
            [typeof(RegistryState)] = new RegistryState
            {
                CurrentCase = "3579-000001", CurrentCommandId = "c1", PendingCase = "3579-000004", PendingCommandId = "c4", ProtectedNik = "CfDJ8xyz",
                Intakes = new Dictionary<string, CommandOutcome>(StringComparer.Ordinal)
                {
                    ["c1"] = new("3579-000001", true, 1, "CaseOpened", 1, null, false),
                    ["c2"] = new("", false, null, null, 0, refusal, false),
                },
            },
            [typeof(CaseNumberState)] = new CaseNumberState { Last = 123_456 },
            [typeof(FieldProblemsState)] = new FieldProblemsState
            {
                Problems =
                [
                    new FieldProblem("p1", "35.79.01.1001", "Kuliner", "Sertifikasi Halal", "Belum punya sertifikat", "Kelompok Tani", ReporterKind.Community,
                        "petugas", new DateTimeOffset(2026, 11, 3, 1, 2, 3, TimeSpan.Zero)),
                ],
            },
            [typeof(ImportState)] = new ImportState
            {
                OwnerId = "petugas", Total = 1_003, Done = false, Pages = 1, Processed = 1_002, Created = 1_001, Rejected = 1,
                Report =
                [
                    new ImportRow(1_002, "3579********0001", ImportResult.Created, "3579-000009", null),
                    new ImportRow(1_003, null, ImportResult.Rejected, null, refusal),
                ],
            },
            [typeof(ImportPageState)] = new ImportPageState
            {
                Rows = [new ImportRow(2, "3579********0002", ImportResult.ConsentRecorded, "3579-000008", null)],
            },
        };
    }
}
