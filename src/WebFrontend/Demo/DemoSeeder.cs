using System.Globalization;
using CaseGrains.Domain.Access;
using CaseGrains.Domain.Journey;
using CaseGrains.Grains.Abstractions;
using CaseGrains.WebFrontend.Apis;

namespace CaseGrains.WebFrontend.Demo;

/// <summary>
/// <c>--seed-demo</c>: a few dozen Kota Batu beneficiaries across the four segments, walked to different stages
/// through the same commands a caseworker sends. Command ids are fixed, so running it again adds nothing.
/// The NIKs are synthetic (Kota Batu kecamatan codes, sequence 9xxx).
/// </summary>
public sealed partial class DemoSeeder(IGrainFactory grains, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    public const int Beneficiaries = 40;

    /// <summary>The demo accounts: one per role. Passwords are random and printed once, when the account is created.</summary>
    public static IReadOnlyList<(string UserId, string Name, Role Role, string[] Regions)> Accounts { get; } =
    [
        ("admin", "Admin Sistem", Role.Admin, []),
        ("petugas.batu", "Petugas Kota Batu", Role.Caseworker, ["35.79"]),
        ("supervisor.batu", "Supervisor Kota Batu", Role.Supervisor, ["35.79"]),
        (MentorId, "Pendamping Kota Batu", Role.Mentor, []),
        ("analis.kemenko", "Analis Kemenko PM", Role.MinistryAnalyst, []),
        ("pdp.kemenko", "Petugas PDP Kemenko PM", Role.DataProtectionOfficer, []),
        ("mitra.bri", "Petugas Bank BRI Batu", Role.Partner, []),
    ];

    /// <summary>The demo's partner organisation: the bank answering for the KUR products of BRI (its user is <c>mitra.bri</c>).</summary>
    public const string PartnerOrg = "bank-bri-batu";

    private static readonly string[] PartnerOffers = ["kur-bri-mikro", "kur-bri-kecil"];

    public const string MentorId = "pendamping.batu";

    private static readonly Actor Seeder = new("petugas.batu", Role.Caseworker, ["35.79"]);

    private static readonly Actor SystemAdmin = new("system", Role.Admin, []);

    /// <summary>
    /// <c>--create-admin &lt;userId&gt;</c>: the first administrator of a real installation. Creates the account with a
    /// random password, printed once to the console; does nothing if the account exists.
    /// </summary>
    public async Task<string?> CreateAdminAsync(string userId)
    {
        var user = grains.GetGrain<IUserGrain>(userId);
        if (await user.GetView() is not null)
        {
            return null;
        }

        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(15));
        var outcome = await user.Upsert(new UpsertUserRequest { DisplayName = userId, Role = Role.Admin, Password = password }, SystemAdmin);
        if (outcome.Refusal is { } r)
        {
            throw new InvalidOperationException($"The admin account {userId} was refused: {r.Code} {r.English}");
        }

        Console.WriteLine($"Admin account created (shown once): {userId} {password}");
        return password;
    }

    /// <summary>Creates the demo accounts that do not exist yet; returns their (user id, password) once.</summary>
    public async Task<IReadOnlyList<(string UserId, Role Role, string Password)>> SeedAccountsAsync()
    {
        var created = new List<(string, Role, string)>();
        var bank = grains.GetGrain<IPartnerOrgGrain>(PartnerOrg);
        if (await bank.Get() is null)
        {
            var org = await bank.Upsert(new PartnerOrgRequest { Name = "Bank BRI Kantor Cabang Batu", Kind = Domain.Services.HexaHelixRole.Business, Regions = ["35.79"] }, SystemAdmin);
            if (org.Refusal is { } refused)
            {
                throw new InvalidOperationException($"Demo partner organisation was refused: {refused.Code}");
            }
        }

        foreach (var (userId, name, role, regions) in Accounts)
        {
            var user = grains.GetGrain<IUserGrain>(userId);
            if (await user.GetView() is not null)
            {
                continue;
            }

            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
            var outcome = await user.Upsert(new UpsertUserRequest
            {
                DisplayName = name, Role = role, Regions = regions, Password = password, PartnerOrg = role == Role.Partner ? PartnerOrg : null,
            }, SystemAdmin);
            if (outcome.Refusal is { } r)
            {
                throw new InvalidOperationException($"Demo account {userId} was refused: {r.Code}");
            }

            created.Add((userId, role, password));
        }

        return created;
    }

    private static readonly string[] Names =
    [
        "Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Prasetyo", "Sri Wahyuni", "Joko Susilo", "Rina Kartika",
        "Eko Saputra", "Nur Hidayah", "Hendra Gunawan", "Ayu Puspita", "Bambang Irawan", "Fitri Handayani",
        "Rudi Hartono", "Yuliana Sari", "Slamet Riyadi", "Wulan Dari", "Teguh Wibowo", "Ratna Sari", "Dimas Aditya",
    ];

    private static readonly (string Code, string Name)[] Villages =
    [
        ("35.79.01.1001", "Sisir"), ("35.79.01.2003", "Oro-Oro Ombo"), ("35.79.02.2004", "Bumiaji"),
        ("35.79.02.2008", "Tulungrejo"), ("35.79.03.2001", "Dadaprejo"), ("35.79.03.2006", "Tlekung"),
    ];

    private static readonly string[] Sectors = ["Kuliner", "Kerajinan", "Pertanian apel", "Fesyen", "Jasa wisata", "Perdagangan"];

    public async Task<int> SeedAsync()
    {
        var accounts = await SeedAccountsAsync();

        await SeedCatalogAsync();
        // The bank answers for its KUR products itself: its officer sees the demo's applications to them.
        foreach (var offerId in PartnerOffers)
        {
            var offer = grains.GetGrain<IOfferGrain>(offerId);
            if (await offer.Get() is { PartnerOrgId: null } current)
            {
                await offer.Save(current with { PartnerOrgId = PartnerOrg }, SystemAdmin);
            }
        }

        if (accounts.Any(a => a.UserId == MentorId))
        {
            // The demo mentor reaches Kota Batu in the demo's sectors (set when the account is created; later edits stay).
            await grains.GetGrain<IMentorGrain>(MentorId).SetProfile(new MentorProfile(Sectors, ["35.79"], 30), SystemAdmin);
        }

        var opened = 0;
        var numbers = new Dictionary<int, string>();
        for (var i = 0; i < Beneficiaries; i++)
        {
            var caseNumber = await OpenAsync(i);
            if (caseNumber is null)
            {
                continue;
            }

            opened++;
            numbers[i] = caseNumber;
            await AdvanceAsync(grains.GetGrain<ICaseGrain>(caseNumber), i, (Stage)(i % 7), i);
        }

        // Two cases whose closure the caseworker asked for, so the supervisor's view has something to decide.
        foreach (var i in ClosureAsked)
        {
            if (numbers.TryGetValue(i, out var caseNumber))
            {
                await grains.GetGrain<ICaseGrain>(caseNumber).Execute(
                    new RequestClosureRequest { CommandId = $"demo-{i}-closure", Reason = CloseReason.Moved, Note = "Pindah ke luar Kota Batu" }, Seeder);
            }
        }

        LogSeeded(opened);
        // Printed once, at the very end (so it is the last thing on the console), to the console only (not the log).
        Console.WriteLine($"Demo siap / ready: {opened} kasus Kota Batu / Kota Batu cases.");
        if (accounts.Count > 0)
        {
            Console.WriteLine("Akun demo (hanya ditampilkan sekali; ganti sebelum dipakai sungguhan) / Demo accounts (shown once; change them before any real use):");
            foreach (var (userId, role, password) in accounts)
            {
                Console.WriteLine($"  {role,-21} {userId,-18} {password}");
            }
        }

        return opened;
    }

    /// <summary>The beneficiaries (by index) whose closure the demo asks for.</summary>
    private static readonly int[] ClosureAsked = [8, 16];

    /// <summary>The sample Kota Batu catalog (samples/catalog-kota-batu.csv); re-importing changes nothing.</summary>
    public async Task SeedCatalogAsync()
    {
        using var stream = typeof(DemoSeeder).Assembly.GetManifestResourceStream("catalog-kota-batu.csv")
            ?? throw new InvalidOperationException("The sample catalog is not embedded.");
        var csv = await CsvRecords.ReadAllAsync(stream, CancellationToken.None);
        if (csv.IsRefused)
        {
            throw new InvalidOperationException($"The sample catalog could not be read: {csv.Refusal!.Code}");
        }

        var report = await grains.GetGrain<ICatalogQueryGrain>(0).Import(csv.Value.Header, csv.Value.Rows, SystemAdmin);
        if (report.Refusal is { } r || report.Rejected > 0)
        {
            throw new InvalidOperationException($"The sample catalog was refused: {report.Refusal?.Code ?? report.Rows.First(x => x.Problem is not null).Problem!.Code}");
        }
    }

    private async Task<string?> OpenAsync(int i)
    {
        var village = Villages[i % Villages.Length];
        var female = i % 2 == 0;
        var day = 1 + (i % 28) + (female ? 40 : 0);
        var nik = string.Create(CultureInfo.InvariantCulture, $"{village.Code[..8].Replace(".", "", StringComparison.Ordinal)}{day:D2}{1 + (i % 12):D2}{70 + (i % 30):D2}{9000 + i:D4}");
        var outcome = await grains.GetGrain<IIntakeGrain>(0).Open(new IntakeRequest
        {
            CommandId = $"demo-{i}-intake",
            Nik = nik,
            FullName = Names[i % Names.Length] + (i >= Names.Length ? " " + (i / Names.Length + 1).ToString(CultureInfo.InvariantCulture) : ""),
            RegionCode = village.Code,
            Segment = (Segment)(i % 4),
            ConsentGiven = i % 9 != 0,
        }, Seeder);
        if (!outcome.Accepted)
        {
            LogSkipped(i, outcome.Refusal?.Code);
        }

        return outcome.Accepted ? outcome.CaseNumber : null;
    }

    /// <summary>Walks a case up to <paramref name="target"/> (exclusive), satisfying each gate on the way.</summary>
    private async Task AdvanceAsync(ICaseGrain c, int i, Stage target, int seed)
    {
        var step = 0;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        async Task Do(CaseCommandRequest cmd)
        {
            var outcome = await c.Execute(cmd with { CommandId = $"demo-{i}-{step++}" }, Seeder);
            if (!outcome.Accepted)
            {
                throw new InvalidOperationException($"Demo seed step {cmd.GetType().Name} on {outcome.CaseNumber} was refused: {outcome.Refusal?.Code}");
            }
        }

        StageCommandRequest Stage(Stage s, StageAction a, string? reason = null) => new() { Stage = s, Action = a, Reason = reason };

        if (target <= Domain.Journey.Stage.Intake)
        {
            return;
        }

        await Do(new RecordConsentRequest { Method = "Formulir persetujuan ditandatangani" });
        await Do(Stage(Domain.Journey.Stage.Intake, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Assessment, StageAction.Start));
        if (target <= Domain.Journey.Stage.Assessment)
        {
            return;
        }

        await Do(new RecordAssessmentRequest
        {
            Sector = Sectors[seed % Sectors.Length],
            AnnualTurnoverIdr = 60_000_000L * (1 + (seed % 10)),
            BusinessCapitalIdr = 15_000_000L * (1 + (seed % 5)),
            Workers = 1 + (seed % 6),
            Needs = ["pemasaran digital", "pembukuan"],
        });
        await Do(Stage(Domain.Journey.Stage.Assessment, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Training, StageAction.Start));
        if (target <= Domain.Journey.Stage.Training)
        {
            return;
        }

        await Do(new EnrolRequest { OfferId = "buku-batu-2026" });
        await Do(new CompleteTrainingRequest { OfferId = "buku-batu-2026", AttendancePercent = 90 });
        await Do(Stage(Domain.Journey.Stage.Training, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Mentoring, StageAction.Start));
        if (target <= Domain.Journey.Stage.Mentoring)
        {
            return;
        }

        await Do(new AssignMentorRequest { MentorId = MentorId });
        for (var s = 0; s < 3; s++)
        {
            await Do(new LogMentoringSessionRequest { Date = today, Topic = $"Pendampingan usaha #{s + 1}", NextStep = "Lanjutkan" });
        }

        await Do(Stage(Domain.Journey.Stage.Mentoring, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Matching, StageAction.Start));
        if (target <= Domain.Journey.Stage.Matching)
        {
            return;
        }

        await Do(new EnrolRequest { OfferId = "buyer-hotel-2026" });
        await Do(new RespondToReferralRequest { OfferId = "buyer-hotel-2026", Accepted = true });
        await Do(new ReportReferralOutcomeRequest { OfferId = "buyer-hotel-2026", Outcome = MatchOutcome.Contracted });
        await Do(Stage(Domain.Journey.Stage.Matching, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Financing, StageAction.Start));
        if (target <= Domain.Journey.Stage.Financing)
        {
            return;
        }

        await Do(new EnrolRequest { OfferId = "kur-bri-mikro", AmountIdr = 25_000_000 });
        await Do(new DecideFinancingRequest { OfferId = "kur-bri-mikro", Approved = true, PlafondIdr = 25_000_000 });
        await Do(new DisburseFinancingRequest { OfferId = "kur-bri-mikro", AmountIdr = 25_000_000, Date = today });
        await Do(Stage(Domain.Journey.Stage.Financing, StageAction.Complete));
        await Do(Stage(Domain.Journey.Stage.Graduated, StageAction.Start));
    }

    // Debug: the console says it to the person who asked for the demo (the accounts table must be the last thing they read).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Demo seed: {Count} demo cases present")]
    private partial void LogSeeded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo seed: beneficiary {Index} not opened ({Code})")]
    private partial void LogSkipped(int index, string? code);
}
