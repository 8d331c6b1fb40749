using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace CaseGrains.WebFrontend.Tests;

/// <summary>
/// The services catalog over HTTP on the embedded default (issue 7): offers and their import, enrolment with capacity and
/// a waiting list, overlap warnings and refusals, referrals, the financing pipeline and its totals, matching, and the
/// redundancy map. The app holds the sample Kota Batu catalog (samples/catalog-kota-batu.csv).
/// </summary>
[Collection(AppCollection.Name)]
[Trait("Category", "Quick")]
public sealed class ServicesApiTests(AppFixture fx)
{
    private ServicesFlow Flow => new(fx.App, fx.App.Client);

    private static string NewOfferId() => "t-" + Guid.NewGuid().ToString("N")[..10];

    private static object Course(string category = "Fotografi Produk", int capacity = 30, string level = "KabKota", string provider = "Dinas Koperasi Kota Batu",
        string[]? regions = null, int? threshold = null) => new
    {
        name = "Kursus " + category, type = "Training", category, provider, level, segments = new[] { "Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran" },
        regions = regions ?? ["35.79"], start = "2026-01-01", end = "2030-12-31", capacity, attendanceThresholdPercent = threshold,
    };

    private async Task<string> SaveOfferAsync(object offer, string? id = null)
    {
        using var admin = await fx.App.ClientFor(AppHost.Administrator);
        id ??= NewOfferId();
        using var response = await admin.PutAsJsonAsync($"/api/offers/{id}", offer, AppHost.Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return id;
    }

    [Fact]
    public async Task AnAdmin_SavesAnOffer_ReSavingChangesNothing_AndOthersMayNot()
    {
        using var admin = await fx.App.ClientFor(AppHost.Administrator);
        var id = NewOfferId();

        var created = await admin.PutAsJsonAsync($"/api/offers/{id}", Course(), AppHost.Json);
        var again = await admin.PutAsJsonAsync($"/api/offers/{id}", Course(), AppHost.Json);
        var raised = await admin.PutAsJsonAsync($"/api/offers/{id}", Course(capacity: 45), AppHost.Json);
        var partnerWithoutRole = await admin.PutAsJsonAsync($"/api/offers/{NewOfferId()}", Course(level: "Partner"), AppHost.Json);
        var byCaseworker = await fx.App.Client.PutAsJsonAsync($"/api/offers/{NewOfferId()}", Course(), AppHost.Json);

        Assert.Equal("Created", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("change").GetString());
        Assert.Equal("Unchanged", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("change").GetString());
        Assert.Equal("Updated", (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("change").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, partnerWithoutRole.StatusCode);
        Assert.Equal("offer.partner_role", (await partnerWithoutRole.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, byCaseworker.StatusCode);
        var listed = await Flow.Get($"/api/offers/{id}");
        Assert.Equal((45, 0), (listed.GetProperty("places").GetProperty("capacity").GetInt32(), listed.GetProperty("places").GetProperty("taken").GetInt32()));
    }

    [Fact]
    public async Task TheCsvImport_ReportsEachRow_KeepsTheGoodOnes_AndReImportingUpdatesInsteadOfDuplicating()
    {
        using var admin = await fx.App.ClientFor(AppHost.Administrator);
        var (a, b) = (NewOfferId(), NewOfferId());
        var header = "id,name,type,category,provider,level,partner_role,segments,regions,start,end,capacity,attendance_threshold,min_amount_idr,max_amount_idr,eligible_classes,sectors";
        string Csv(int capacityA) => string.Join("\n",
            header,
            $"{a},\"Kursus Kopi, Dasar\",Training,Barista,Dinas Pariwisata Kota Batu,KabKota,,Umkm;EkonomiKreatif,35.79,2026-01-01,2030-12-31,{capacityA},70,,,,",
            $"{b},Hibah Alat,FinancingProduct,Hibah Alat,Bank Jatim,Partner,Business,Umkm,35,2026-01-01,2030-12-31,50,,1000000,20000000,Micro,Kuliner",
            "t-bad-type,Kursus,Webinar,Umum,Dinas,KabKota,,Umkm,35.79,2026-01-01,2030-12-31,10,,,,,",
            "t-bad-region,Kursus,Training,Umum,Dinas,KabKota,,Umkm,99.99,2026-01-01,2030-12-31,10,,,,,",
            $"{a},Kursus Lagi,Training,Barista,Dinas,KabKota,,Umkm,35.79,2026-01-01,2030-12-31,10,,,,,",
            "t-dotted-amount,Pinjaman,FinancingProduct,KUR,Bank,Partner,Business,Umkm,35,2026-01-01,2030-12-31,10,,1.000.000,5000000,Micro,",
            "t-period,Kursus,Training,Umum,Dinas,KabKota,,Umkm,35.79,2026-06-01,2026-01-01,10,,,,,");

        var (status, first) = await ServicesFlow.ImportAsync(admin, Csv(20));
        var (_, second) = await ServicesFlow.ImportAsync(admin, Csv(20));
        var (_, third) = await ServicesFlow.ImportAsync(admin, Csv(25));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((2, 0, 0, 5), Counts(first));
        var problems = first.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("result").GetString() == "Rejected")
            .ToDictionary(r => r.GetProperty("line").GetInt32(), r => r.GetProperty("problem").GetProperty("code").GetString());
        Assert.Equal(new Dictionary<int, string?>
        {
            [4] = "import.bad_value", [5] = "region.unknown", [6] = "import.duplicate_id", [7] = "import.bad_value", [8] = "offer.period",
        }, problems);
        Assert.Equal((0, 0, 2, 5), Counts(second));
        Assert.Equal((0, 1, 1, 5), Counts(third));
        var barista = (await Flow.Get("/api/offers?region=35.79&type=Training")).EnumerateArray().Where(o => o.GetProperty("offer").GetProperty("category").GetString() == "Barista").ToList();
        Assert.Equal(25, Assert.Single(barista).GetProperty("offer").GetProperty("capacity").GetInt32());
        Assert.Equal("Kursus Kopi, Dasar", barista[0].GetProperty("offer").GetProperty("name").GetString());

        var (badHeader, problem) = await ServicesFlow.ImportAsync(admin, "id,nama\nx,y");
        Assert.Equal((HttpStatusCode.BadRequest, "import.bad_header"), (badHeader, problem.GetProperty("code").GetString()));
        using var json = await admin.PostAsJsonAsync("/api/offers/import", new { id = "x" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        static (int, int, int, int) Counts(JsonElement r) => (r.GetProperty("created").GetInt32(), r.GetProperty("updated").GetInt32(),
            r.GetProperty("unchanged").GetInt32(), r.GetProperty("rejected").GetInt32());
    }

    [Fact]
    public async Task AFullCourse_PutsTheNextCaseOnTheWaitingList_AndAWithdrawalPromotesIt_PushedLive()
    {
        var course = await SaveOfferAsync(Course("Kemasan Produk", capacity: 1));
        var first = await Flow.AssessedAsync();
        var second = await Flow.AssessedAsync();
        await using var live = await LiveClient.ConnectAsync(fx.App, AppHost.Caseworker);
        await live.Connection.InvokeAsync<JsonElement>("Follow", second, 0L);

        Assert.Null((await Flow.Enrol(first, course)).Code);
        Assert.Null((await Flow.Enrol(second, course)).Code);
        var waiting = await Flow.EnrolmentAsync(second, course);
        Assert.Equal(("Waitlisted", 1), (waiting.GetProperty("status").GetString(), waiting.GetProperty("waitlistPosition").GetInt32()));
        Assert.Equal("enrolment.wrong_status", (await Flow.Try(second, $"/enrolments/{course}/attendance", new { attendancePercent = 90 })).Code);

        await Flow.Command(first, $"/enrolments/{course}/withdraw", new { reason = "Jadwal bentrok dengan panen" });

        var types = new List<string>();
        while (!types.Contains("WaitlistPromoted"))
        {
            types.Add((await live.NextEventAsync()).GetProperty("type").GetString()!);
        }

        Assert.Equal("Enrolled", (await Flow.EnrolmentAsync(second, course)).GetProperty("status").GetString());
        var places = (await Flow.Get($"/api/offers/{course}")).GetProperty("places");
        Assert.Equal((1, 0), (places.GetProperty("taken").GetInt32(), places.GetProperty("waiting").GetInt32()));
        Assert.Single((await Flow.EventTypesAsync(second)), t => t == "WaitlistPromoted");
    }

    [Fact]
    public async Task Attendance_IsJudgedByTheCoursesOwnThreshold_AndTheTrainingGateUsesIt()
    {
        var strict = await SaveOfferAsync(Course("Keamanan Pangan", threshold: 95));
        var n = await Flow.AssessedAsync();
        await Flow.Enrol(n, strict);

        await Flow.Command(n, $"/enrolments/{strict}/attendance", new { attendancePercent = 90 });

        var e = await Flow.EnrolmentAsync(n, strict);
        Assert.Equal((90, 95, false), (e.GetProperty("attendancePercent").GetInt32(), e.GetProperty("attendanceThresholdPercent").GetInt32(), e.GetProperty("passed").GetBoolean()));
        Assert.Equal("gate.training.no_completed_enrolment", (await Flow.Try(n, "/stages/training/complete", new { })).Code);
        Assert.Equal("enrolment.wrong_status", (await Flow.Try(n, $"/enrolments/{strict}/attendance", new { attendancePercent = 99 })).Code);
        await Flow.Enrol(n, "buku-batu-2026");
        await Flow.Command(n, "/enrolments/buku-batu-2026/attendance", new { attendancePercent = 80 });
        Assert.Null((await Flow.Try(n, "/stages/training/complete", new { })).Code);
    }

    [Fact]
    public async Task AnOverlappingCourse_NeedsAcknowledging_AndTheWarningIsRecorded_WhileOverlappingFinancingIsRefused()
    {
        var n = await Flow.AssessedAsync();
        await Flow.Enrol(n, "dm-batu-2026");

        var (status, code, problem) = await Flow.Enrol(n, "dm-pusat-2026");
        var acknowledged = await Flow.Enrol(n, "dm-pusat-2026", acknowledge: true);
        Assert.Null((await Flow.Enrol(n, "kur-bri-mikro", amountIdr: 20_000_000)).Code);
        var (kurStatus, kurCode, kurProblem) = await Flow.Enrol(n, "kur-jatim-mikro", acknowledge: true, amountIdr: 10_000_000);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "enrolment.overlap_unacknowledged"), (status, code));
        Assert.Contains("Kelas Pemasaran Digital Kota Batu (Dinas Koperasi dan Usaha Mikro Kota Batu, kabupaten/kota)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(acknowledged.Code);
        Assert.Equal(["dm-batu-2026"], (await Flow.EnrolmentAsync(n, "dm-pusat-2026")).GetProperty("overlapsAcknowledged").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "enrolment.financing_overlap"), (kurStatus, kurCode));
        Assert.Contains("Bank BRI", kurProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The refused application changed nothing: one application on the timeline.
        Assert.Single(await Flow.EventTypesAsync(n), t => t == "FinancingApplied");
    }

    [Fact]
    public async Task TheFinancingPipeline_RunsToRepayment_WithExactTotalsPerRegionAndProduct()
    {
        var offer = await SaveOfferAsync(new
        {
            name = "Pinjaman Uji", type = "FinancingProduct", category = "Pinjaman Uji " + Guid.NewGuid().ToString("N")[..6], provider = "Bank Uji", level = "Partner",
            partnerRole = "Business", segments = new[] { "Umkm" }, regions = new[] { "35.79" }, start = "2026-01-01", end = "2030-12-31", capacity = 10,
            minAmountIdr = 1_000_000, maxAmountIdr = 75_000_000, eligibleClasses = new[] { "Micro", "Small" },
        });
        var a = await Flow.AssessedAsync(region: "35.79.02.2004");
        var b = await Flow.AssessedAsync(region: "35.79.01.1001");
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("financing.amount_out_of_range", (await Flow.Enrol(a, offer, amountIdr: 75_000_001)).Code);
        await Flow.Enrol(a, offer, amountIdr: 12_345_678);
        await Flow.Enrol(b, offer, amountIdr: 40_000_001);
        Assert.Equal("input.out_of_range", (await Flow.Try(a, $"/enrolments/{offer}/financing-decision", new { approved = true, plafondIdr = 80_000_000 })).Code);
        await Flow.Command(a, $"/enrolments/{offer}/financing-decision", new { approved = true, plafondIdr = 12_000_001 });
        Assert.Equal("input.out_of_range", (await Flow.Try(a, $"/enrolments/{offer}/disbursement", new { amountIdr = 12_000_002, date = today })).Code);
        await Flow.Command(a, $"/enrolments/{offer}/disbursement", new { amountIdr = 11_999_999, date = today });
        await Flow.Command(a, $"/enrolments/{offer}/repayment", new { status = "Late" });
        await Flow.Command(b, $"/enrolments/{offer}/financing-decision", new { approved = false, reason = "Agunan belum memadai" });

        using var analyst = await fx.App.ClientFor(AppHost.Analyst);
        var kota = (await analyst.GetFromJsonAsync<JsonElement>("/api/financing/totals?region=35.79")).GetProperty("products").EnumerateArray().Single(p => p.GetProperty("offerId").GetString() == offer);
        var bumiaji = (await analyst.GetFromJsonAsync<JsonElement>("/api/financing/totals?region=35.79.02")).GetProperty("products").EnumerateArray().Single(p => p.GetProperty("offerId").GetString() == offer);
        Assert.Equal((2L, 52_345_679L, 1L, 12_000_001L, 1L, 1L, 11_999_999L, 1L), (L(kota, "applications"), L(kota, "appliedIdr"), L(kota, "approved"),
            L(kota, "approvedPlafondIdr"), L(kota, "rejected"), L(kota, "disbursed"), L(kota, "disbursedIdr"), L(kota, "late")));
        Assert.Equal((1L, 12_345_678L, 0L), (L(bumiaji, "applications"), L(bumiaji, "appliedIdr"), L(bumiaji, "rejected")));
        var view = await Flow.EnrolmentAsync(a, offer);
        Assert.Equal(("Disbursed", "Late"), (view.GetProperty("status").GetString(), view.GetProperty("repayment").GetString()));

        static long L(JsonElement e, string p) => e.GetProperty(p).GetInt64();
    }

    [Fact]
    public async Task FinancingTotals_AreForTheMinistryAndTheRegionsOwnStaff()
    {
        using var mentor = await fx.App.ClientFor(AppHost.Mentor);
        using var analyst = await fx.App.ClientFor(AppHost.Analyst);

        var asMentor = await mentor.GetAsync("/api/financing/totals?region=35.79");
        var elsewhere = await fx.App.Client.GetAsync("/api/financing/totals?region=35.73");
        var unknown = await analyst.GetAsync("/api/financing/totals?region=99.99");
        var national = await analyst.GetFromJsonAsync<JsonElement>("/api/financing/totals");

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest), (asMentor.StatusCode, elsewhere.StatusCode, unknown.StatusCode));
        Assert.Equal("ID", national.GetProperty("regionCode").GetString());
    }

    [Fact]
    public async Task AReferral_IsAcceptedOrDeclinedWithAReason_ThenItsOutcomeMeetsTheMatchingGate()
    {
        var n = await Flow.AssessedAsync();
        await Flow.Enrol(n, "buyer-hotel-2026");
        var offered = await Flow.EnrolmentAsync(n, "buyer-hotel-2026");
        Assert.Equal("ReferralOffered", offered.GetProperty("status").GetString());
        Assert.True(offered.GetProperty("respondBy").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(6));

        Assert.Equal("input.required", (await Flow.Try(n, "/enrolments/buyer-hotel-2026/referral-response", new { accepted = false })).Code);
        Assert.Equal("enrolment.wrong_status", (await Flow.Try(n, "/enrolments/buyer-hotel-2026/referral-outcome", new { outcome = "Contracted" })).Code);
        await Flow.Command(n, "/enrolments/buyer-hotel-2026/referral-response", new { accepted = true });
        await Flow.Command(n, "/enrolments/buyer-hotel-2026/referral-outcome", new { outcome = "Contracted" });

        var view = await Flow.Get($"/api/cases/{n}");
        Assert.Equal(1, view.GetProperty("matchOutcomes").GetInt32());
        Assert.Equal("Contracted", (await Flow.EnrolmentAsync(n, "buyer-hotel-2026")).GetProperty("outcome").GetString());
        Assert.Equal(["ReferralOffered", "ReferralAccepted", "ReferralOutcomeReported"],
            (await Flow.EventTypesAsync(n)).Where(t => t.StartsWith("Referral", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Matching_RanksCandidatesWithReasons_AndAcceptingOneEnrolsOrAssigns()
    {
        var n = await Flow.AssessedAsync(sector: "Kuliner", needs: ["Pemasaran Digital", "Pembukuan"]);
        using var admin = await fx.App.ClientFor(AppHost.Administrator);
        var mentorId = "mentor-" + Guid.NewGuid().ToString("N")[..8];
        await fx.App.CreateUser(mentorId, Domain.Access.Role.Mentor);
        var profile = await admin.PutAsJsonAsync($"/api/mentors/{mentorId}/profile", new { sectors = new[] { "Kuliner" }, regions = new[] { "35.79.02" }, capacity = 500 });
        Assert.True(profile.IsSuccessStatusCode);

        var courses = await Flow.Get($"/api/cases/{n}/candidates?kind=Course");
        var mentors = await Flow.Get($"/api/cases/{n}/candidates?kind=Mentor");
        var financing = await Flow.Get($"/api/cases/{n}/candidates?kind=Financing&amountIdr=8000000");
        var partners = await Flow.Get($"/api/cases/{n}/candidates?kind=Partner");

        var top = courses[0];
        Assert.Equal(top.GetProperty("score").GetInt32(), top.GetProperty("reasons").EnumerateArray().Sum(r => r.GetProperty("points").GetInt32()));
        Assert.Contains(courses.EnumerateArray(), c => c.GetProperty("id").GetString() == "buku-batu-2026"
            && c.GetProperty("reasons").EnumerateArray().Any(r => r.GetProperty("code").GetString() == "need" && r.GetProperty("points").GetInt32() == 40));
        var mine = mentors.EnumerateArray().Single(m => m.GetProperty("id").GetString() == mentorId);
        Assert.Equal(["sector", "region", "free_capacity", "caseload_balance"], mine.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal(30, mine.GetProperty("reasons")[1].GetProperty("points").GetInt32());
        Assert.DoesNotContain(financing.EnumerateArray(), c => c.GetProperty("id").GetString() is "kur-bri-kecil" or "lpdb-koperasi-2026");
        Assert.Contains(financing.EnumerateArray(), c => c.GetProperty("id").GetString() == "umi-pip-2026");
        // Both buyers serve Kuliner in Kota Batu: equal scores, the lower id first.
        Assert.Equal(["buyer-apel-2026", "buyer-hotel-2026"], partners.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(partners[0].GetProperty("score").GetInt32(), partners[1].GetProperty("score").GetInt32());

        Assert.Null((await Flow.Enrol(n, top.GetProperty("id").GetString()!, acknowledge: true)).Code);
        await Flow.Command(n, "/mentor", new { mentorId });
        Assert.Equal(mentorId, (await Flow.Get($"/api/cases/{n}")).GetProperty("mentorId").GetString());

        // The case list filters by mentor; the supervisor sees the mentor's load among those reaching Bumiaji.
        Assert.Equal(n, Assert.Single((await Flow.Get($"/api/cases?mentor={mentorId}")).GetProperty("items").EnumerateArray()).GetProperty("caseNumber").GetString());
        using var supervisor = await fx.App.ClientFor(AppHost.Supervisor);
        var loads = await supervisor.GetFromJsonAsync<JsonElement>("/api/mentors?region=35.79.02");
        var load = loads.EnumerateArray().Single(m => m.GetProperty("mentorId").GetString() == mentorId);
        Assert.Equal((500, 1), (load.GetProperty("capacity").GetInt32(), load.GetProperty("activeCases").GetInt32()));
        Assert.DoesNotContain((await supervisor.GetFromJsonAsync<JsonElement>("/api/mentors?region=35.07")).EnumerateArray(),
            m => m.GetProperty("mentorId").GetString() == mentorId);
        using var unknownKind = await fx.App.Client.GetAsync($"/api/cases/{n}/candidates?kind=Buyer");
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
    }

    [Fact]
    public async Task TheRedundancyMap_OfKotaBatu_ListsTheOverlappingOffersAcrossLevels_WithTheirBeneficiaries()
    {
        using var analyst = await fx.App.ClientFor(AppHost.Analyst);

        var map = await analyst.GetFromJsonAsync<JsonElement>("/api/catalog/redundancy?region=35.79");

        var sets = map.GetProperty("sets").EnumerateArray().Select(s => s.GetProperty("offers").EnumerateArray()
            .Select(o => o.GetProperty("offer").GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList()).ToList();
        Assert.Contains(["dm-batu-2026", "dm-bumiaji-2026", "dm-jatim-2026", "dm-pusat-2026"], sets);
        Assert.Contains(["kur-bri-mikro", "kur-jatim-mikro"], sets);
        var levels = map.GetProperty("sets")[0].GetProperty("offers").EnumerateArray().Select(o => o.GetProperty("offer").GetProperty("level").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Pusat", "Provinsi", "KabKota" }, levels);
    }
}
