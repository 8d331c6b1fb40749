using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Identity;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;
using CaseGrains.Domain.Services;
using CsCheck;

namespace CaseGrains.Domain.Tests.Support;

/// <summary>
/// What a generated step asks for. <see cref="Progress"/> is read against the case as it is at that step: the command a
/// caseworker would send next to move the case on (so random journeys reach the later stages and graduate);
/// <see cref="Repeat"/> is the previous command again (a double click, a retried request). Every other move is a command of
/// that kind with details picked by the step's dice, from realistic values and from bad ones.
/// </summary>
internal enum Move
{
    Progress,
    Repeat,
    Open,
    Consent,
    Assess,
    CorrectAssessment,
    Start,
    Complete,
    Skip,
    Close,
    RequestClosure,
    Reopen,
    RequestReopening,
    DecideRequest,
    Note,
    AssignMentor,
    LogSession,
    CorrectSession,
    Outcomes,
    Enrol,
    CompleteTraining,
    CorrectAttendance,
    CompleteProgramme,
    Promote,
    Withdraw,
    Respond,
    ReportOutcome,
    DecideFinancing,
    Disburse,
    Repayment,
    Timers,
}

/// <summary>
/// The case's timers firing (the SLA timer, the referral deadline): not a command a person sends, so the runner asks
/// <see cref="SlaPolicy.Next"/> and <see cref="EnrolmentDecider.NextReferralDeadline"/> what is due, as the case grain does.
/// </summary>
internal sealed record TimersDue : CaseCommand;

/// <summary>One generated step: the move and two dice (0..99) that pick its details.</summary>
internal readonly record struct Intent(Move Move, int A, int B);

/// <summary>
/// A generated journey: the programme's settings and the steps, one every <see cref="Journeys.StepHours"/> hours (a
/// <see cref="Move.Timers"/> step comes up to a month later: time passed with nothing done).
/// </summary>
internal sealed record Journey(JourneyPolicy Policy, Intent[] Intents);

/// <summary>One step as it ran: the command sent, the case before, the decision, and the case after (the same object when refused).</summary>
internal sealed record Step(int Number, Intent Intent, CaseCommand Command, DateTimeOffset At, CaseState? Before, Result<CaseEvent> Result, CaseState? After)
{
    public bool Accepted => !Result.IsRefused;

    public DecisionContext Context(JourneyPolicy policy) => new(At, policy);
}

/// <summary>A journey run through the real decider and fold.</summary>
internal sealed record JourneyRun(Journey Journey, IReadOnlyList<Step> Steps)
{
    public CaseState? Final => Steps.Count == 0 ? null : Steps[^1].After;

    /// <summary>The timeline: each accepted step's event with its sequence number and time.</summary>
    public IReadOnlyList<(CaseEvent Event, int Seq, DateTimeOffset At)> Timeline { get; } =
        [.. Steps.Where(s => s.Accepted).Select(s => (s.Result.Value, s.After!.Version, s.At))];
}

/// <summary>
/// Random journeys of a case for the property tests: generators (<see cref="Any"/>), the runner that sends each step's
/// command through <see cref="CaseDecider.Decide"/> and folds accepted events with <see cref="CaseState.Apply"/> as the case
/// grain does, and a readable print of a (shrunk) journey.
/// </summary>
internal static partial class Journeys
{
    /// <summary>The first step's time: a Monday morning in Kota Batu (09:00 WIB).</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.FromHours(7));

    /// <summary>Time between two steps (120 steps span 100 days, plus the timers' waits: mostly inside the test offers' year).</summary>
    public const int StepHours = 20;

    /// <summary>When a step runs, the step before having run at <paramref name="previous"/>.</summary>
    private static DateTimeOffset StepTime(Intent intent, DateTimeOffset previous) =>
        previous.AddHours(StepHours).AddDays(intent.Move == Move.Timers ? intent.A % 30 : 0);

    /// <summary>Progress is weighted so that long journeys often graduate, the timers so that a stage runs overdue now and then; the rest is any move, uniformly.</summary>
    public static readonly Gen<Intent> Steps = Gen.Select(
        Gen.Frequency((45, Gen.Const(Move.Progress)), (5, Gen.Const(Move.Timers)), (50, Gen.Enum<Move>())),
        Gen.Int[0, 99],
        Gen.Int[0, 99],
        (move, a, b) => new Intent(move, a, b));

    public static readonly Gen<JourneyPolicy> Policies = Gen.Select(Gen.Int[1, 4], Gen.OneOf(70, 80, 90), (sessions, threshold) =>
        JourneyPolicy.Default with { MentoringSessionsRequired = sessions, DefaultAttendanceThresholdPercent = threshold });

    public static readonly Gen<Journey> Any = Gen.Select(Policies, Steps.Array[1, 120], (policy, intents) => new Journey(policy, intents));

    public static JourneyRun Run(Journey journey)
    {
        var steps = new List<Step>(journey.Intents.Length);
        CaseState? state = null;
        CaseCommand? previous = null;
        for (var i = 0; i < journey.Intents.Length; i++)
        {
            var step = RunStep(journey, i, state, previous, steps.Count == 0 ? Start : steps[^1].At);
            steps.Add(step);
            (state, previous) = (step.After, step.Command);
        }

        return new JourneyRun(journey, steps);
    }

    private static Step RunStep(Journey journey, int i, CaseState? state, CaseCommand? previous, DateTimeOffset previousAt)
    {
        var at = StepTime(journey.Intents[i], previousAt);
        var ctx = new DecisionContext(at, journey.Policy);
        var intent = journey.Intents[i];
        var command = Resolve(intent, state, previous, ctx);
        var result = Decide(state, command, ctx);
        var after = result.IsRefused ? state : CaseState.Apply(state, result.Value, (state?.Version ?? 0) + 1, at);
        return new Step(i + 1, intent, command, at, state, result, after);
    }

    /// <summary>The decider's answer, or for <see cref="TimersDue"/> the timers' event (none due: a refusal only these tests give).</summary>
    public static Result<CaseEvent> Decide(CaseState? state, CaseCommand command, DecisionContext ctx) => command is TimersDue
        ? (SlaPolicy.Default.Next(state, ctx.Now).Event ?? EnrolmentDecider.NextReferralDeadline(state, ctx.Now).Due
            ?? SessionCadence.Default.Next(state, ctx.Now).Event) is { } due ? due : NothingDue
        : CaseDecider.Decide(state, command, ctx);

    private static readonly Refusal NothingDue = new("timer.nothing_due", "Tidak ada tenggat yang lewat.", "No deadline has passed.");

    /// <summary>
    /// The journey as a reader wants it in a failure message (CsCheck keeps about 5,000 characters of it): the settings,
    /// then one line per step, the command sent and its event (#seq) or refusal (✗ code). Runs the journey again; a step
    /// that throws ends the print with the exception, which is then the failure.
    /// </summary>
    public static string Describe(Journey journey)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{journey.Intents.Length} step(s); policy: {journey.Policy.MentoringSessionsRequired} mentoring session(s), attendance {journey.Policy.DefaultAttendanceThresholdPercent}%");
        CaseState? state = null;
        CaseCommand? previous = null;
        var at = Start;
        for (var i = 0; i < journey.Intents.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{i + 1,3} ");
            try
            {
                var step = RunStep(journey, i, state, previous, at);
                var outcome = step.Accepted ? $"#{step.After!.Version} {Show(step.Result.Value)}" : "✗ " + step.Result.Refusal!.Code;
                text.Append(CultureInfo.InvariantCulture, $"{(step.Intent.Move == Move.Repeat ? "again " : "")}{Show(step.Command)} → {outcome}");
                (state, previous, at) = (step.After, step.Command, step.At);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException or IndexOutOfRangeException)
            {
                text.Append(CultureInfo.InvariantCulture, $"threw {e.GetType().Name}: {e.Message}");
                break;
            }
        }

        if (state is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nends {state.Status}: {string.Join(", ", state.Stages.Entries.Select(e => $"{e.Key} {e.Value.State}"))}");
        }

        return text.ToString();
    }

    /// <summary>
    /// A command or event in one short line: a record's own print as Name(Field=value, …), an offer as its id, an event
    /// without the fields its command already showed, long or odd text made readable.
    /// </summary>
    public static string Show(object value)
    {
        var text = value switch
        {
            Enrol e => $"Enrol(Offer={e.Offer.Id}, Seat={e.Seat}, WaitlistPosition={e.WaitlistPosition}, AcknowledgeOverlap={e.AcknowledgeOverlap}, AmountIdr={e.AmountIdr})",
            OpenCase o => $"OpenCase(FullName={Quote(o.FullName)}, RegionCode={o.RegionCode}, Segment={o.Segment}, Nib={o.Nib}, ConsentGiven={o.ConsentGiven})",
            RecordAssessment a => $"RecordAssessment(Sector={Quote(a.Sector)}, AnnualTurnoverIdr={a.AnnualTurnoverIdr}, BusinessCapitalIdr={a.BusinessCapitalIdr}, Workers={a.Workers}, Needs=[{string.Join(", ", a.Needs?.Select(Quote) ?? [])}])",
            CorrectAssessment a => $"CorrectAssessment(Sector={Quote(a.Sector)}, AnnualTurnoverIdr={a.AnnualTurnoverIdr}, BusinessCapitalIdr={a.BusinessCapitalIdr}, Workers={a.Workers}, Needs=[{string.Join(", ", a.Needs?.Select(Quote) ?? [])}], Reason={Quote(a.Reason)})",
            StageStarted e => $"{e.Type}({e.Stage})",
            StageCompleted e => $"{e.Type}({e.Stage})",
            StageSkipped e => $"{e.Type}({e.Stage})",
            TrainingCompletionRecorded e => $"{e.Type}({e.OfferId}, {e.AttendancePercent}% of {e.AttendanceThresholdPercent}%)",
            SlaBreached e => $"{e.Type}({e.Stage})",
            SlaEscalated e => $"{e.Type}({e.Stage})",
            CaseEvent e => e.Type,
            TimersDue => nameof(TimersDue),
            _ => RecordBraces().Replace(value.ToString() ?? "", m => m.Value.Trim() switch { "{" => "(", "}" => ")", _ => "=" }),
        };
        return Readable(text.Replace(" ()", "()", StringComparison.Ordinal));
    }

    /// <summary>The " { ", " }" and " = " of a record's print.</summary>
    [GeneratedRegex(@" \{ | \}| = ")]
    private static partial Regex RecordBraces();

    private static string Quote(string? s) => s is null ? "null" : $"\"{s}\"";

    /// <summary>A run of one character (a 2,001-character reason) as "a×2001"; control characters as \uXXXX.</summary>
    private static string Readable(string text)
    {
        var collapsed = LongRun().Replace(text, m => $"{m.Value[0]}×{m.Length.ToString(CultureInfo.InvariantCulture)}");
        return string.Concat(collapsed.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    [GeneratedRegex(@"(.)\1{19,}")]
    private static partial Regex LongRun();

    // ---- The data a step picks from. Good values first; a step picks a bad one when its second die is low. ----

    private static readonly string[] People = ["Siti Rahayu", "Budi Santoso", "Ni Luh Putu Ayu Lestari", "Wahyu Hidayat", "Dewi Kartika Sari"];

    /// <summary>Kota Batu's kecamatan (Batu, Bumiaji, Junrejo).</summary>
    private static readonly string[] Regions = ["35.79.01", "35.79.02", "35.79.03"];

    /// <summary>Too coarse (a kota), unknown, blank.</summary>
    private static readonly string[] BadRegions = ["35.79", "35.79.99", ""];

    /// <summary>A man born 15 Aug 1990 and a woman born 15 Aug 1990 (day + 40), both of kecamatan Batu.</summary>
    private static readonly string[] Niks = ["3579011508900001", "3579015508900002"];

    private static readonly string[] Reasons =
    [
        "Sudah pernah mengikuti program serupa",
        "Pindah domisili ke Kota Malang",
        "Usaha tutup sementara setelah banjir",
        "Kuota pelatihan di wilayah ini sudah habis",
        "  Salah input petugas  ",
    ];

    private static readonly string[] Notes = ["Kunjungan lapangan: produksi keripik apel berjalan", "Telepon: penerima manfaat minta jadwal ulang", "Sudah punya NIB dari OSS"];

    private static readonly string[] Sectors = ["Kuliner", "Kerajinan", "Fesyen", "Pertanian", "Jasa"];

    private static readonly string[] Topics = ["Pembukuan sederhana", "Foto produk untuk marketplace", "Perhitungan HPP", "Perizinan PIRT"];

    private static readonly string[] Mentors = ["mentor-7", "mentor-12", "mentor-31"];

    /// <summary>Missing, blank, too long for any text field, and with a control character.</summary>
    private static readonly string?[] BadTexts = [null, "", "   ", new string('a', CaseDecider.MaxLongText + 1), "Alasan\u0007"];

    private static readonly long[] Turnovers = [150_000_000, 300_000_000, 1_800_000_000, 2_500_000_000, 20_000_000_000, 0, -1];

    private static readonly long[] Capitals = [25_000_000, 50_000_000, 900_000_000, 6_000_000_000, 0, -5];

    private static readonly int[] Workers = [1, 2, 5, 12, 0, -3];

    private static readonly string[][] NeedLists = [["Pemasaran digital"], ["Modal kerja", "Pembukuan"], ["Sertifikasi halal", "Kemasan"], [], ["  "]];

    private static readonly long?[] Amounts = [10_000_000, 25_000_000, 50_000_000, 500_000, 60_000_000, null, 0];

    /// <summary>
    /// The catalog the journeys use: two courses of one category from two levels (they overlap: enrolling in the second
    /// needs the warning acknowledged), a course with its own 70% threshold, a mentoring programme, a buyer, and KUR Mikro.
    /// </summary>
    public static readonly Offer[] Offers =
    [
        TestOffers.Course("course-1"),
        TestOffers.Course("course-2", threshold: 70, provider: "Dinas Koperasi dan UKM Provinsi Jawa Timur", level: OfferLevel.Provinsi, region: "35"),
        TestOffers.Course("course-3", "Pemasaran digital", threshold: 90),
        TestOffers.Programme(),
        TestOffers.Buyer(),
        TestOffers.Kur(),
    ];

    private static readonly string[] OfferIds = [.. Offers.Select(o => o.Id), "unknown-9", ""];

    private static T Pick<T>(IReadOnlyList<T> items, int die) => items[die % items.Count];

    /// <summary>A good text most of the time; a bad one when <paramref name="b"/> is under 12.</summary>
    private static string Text(int a, int b, string[] good) => b < 12 ? Pick(BadTexts, a)! : Pick(good, a);

    private static string? OptionalText(int a, int b, string[] good) => b < 25 ? null : Text(a, b, good);

    /// <summary>A stage, now and then one that is not a stage at all.</summary>
    private static Stage AnyStage(int a, int b) => b >= 97 ? (Stage)99 : (Stage)(a % 7);

    private static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime);

    /// <summary>Mostly an offer the case is enrolled in (a step on an enrolment names one), else any offer or a wrong id.</summary>
    private static string OfferId(CaseState? s, int a, int b) =>
        b < 6 ? Pick(OfferIds, a) : s is { Enrolments.Count: > 0 } && b >= 40 ? Pick(s.Enrolments, a).Offer.Id : Pick(Offers, a).Id;

    /// <summary>The command a step sends, given the case as it is (null before it is opened).</summary>
    public static CaseCommand Resolve(Intent intent, CaseState? s, CaseCommand? previous, DecisionContext ctx)
    {
        var (a, b) = (intent.A, intent.B);
        var today = Day(ctx.Now);
        var opened = s is null ? today : Day(s.OpenedAt);
        return intent.Move switch
        {
            Move.Progress => Progress(s, a, b, ctx),
            Move.Repeat => previous ?? Progress(s, a, b, ctx),
            Move.Open => Open(a, b),
            Move.Consent => new RecordConsent(Text(a, b, ["Tanda tangan basah", "Cap jempol", "Formulir elektronik"]), OptionalText(b, a, ["Formulir PBC v2 (Jan 2026)"]),
                b % 3 == 0 ? null : opened.AddDays(45 - a), OptionalText(a, b, People)),
            Move.Assess => new RecordAssessment(Text(a, b, Sectors), Pick(Turnovers, a), Pick(Capitals, b), Pick(Workers, a + b), Pick(NeedLists, b)),
            Move.CorrectAssessment => new CorrectAssessment(Text(a, b, Sectors), Pick(Turnovers, b), Pick(Capitals, a), Pick(Workers, b), Pick(NeedLists, a), Text(b, a, Reasons)),
            Move.Start => new StartStage(AnyStage(a, b)),
            Move.Complete => new CompleteStage(AnyStage(a, b)),
            Move.Skip => new SkipStage(AnyStage(a, b), Text(a, b, Reasons)),
            Move.Close => new CloseCase(b >= 95 ? (CloseReason)42 : (CloseReason)(a % 5), OptionalText(b, a, Reasons)),
            Move.RequestClosure => new RequestClosure(b >= 95 ? (CloseReason)42 : (CloseReason)(a % 5), OptionalText(b, a, Reasons), "caseworker-3"),
            Move.Reopen => new ReopenCase(Text(a, b, Reasons)),
            Move.RequestReopening => new RequestReopening(Text(a, b, Reasons), "caseworker-3"),
            Move.DecideRequest => new DecideRequest((ApprovalRequestKind)(a % 2), b % 3 != 0, b % 3 == 0 || a < 10 ? Text(a, b, Reasons) : null),
            Move.Note => new AddNote(Text(a, b, Notes)),
            Move.AssignMentor => new AssignMentor(Text(a, b, Mentors)),
            Move.LogSession => new LogMentoringSession(opened.AddDays(a - 10), Text(a, b, Topics), OptionalText(b, a, Notes), OptionalText(a, b, Notes)),
            Move.CorrectSession => new CorrectMentoringSession(
                s is { MentoringSessionSeqs.Length: > 0 } && b >= 30 ? Pick(s.MentoringSessionSeqs, a) : a % 30,
                opened.AddDays(a % 20), Text(b, a, Topics), OptionalText(a, b, Notes), null, Text(a, b, Reasons)),
            Move.Outcomes => new RecordOutcomes(Pick(Turnovers, a), Pick(Capitals, b), Pick(Workers, a)),
            Move.Enrol => Enrol(Pick(Offers, a), b),
            Move.CompleteTraining => new CompleteTraining(OfferId(s, a, b), (a + b) % 111 - 5),
            Move.CorrectAttendance => new CorrectAttendance(OfferId(s, a, b), (a * 7 + b) % 101, Text(b, a, Reasons)),
            Move.CompleteProgramme => new CompleteProgramme(OfferId(s, a, b), OptionalText(b, a, Notes)),
            Move.Promote => new PromoteFromWaitlist(OfferId(s, a, b)),
            Move.Withdraw => new WithdrawEnrolment(OfferId(s, a, b), Text(b, a, Reasons)),
            Move.Respond => new RespondToReferral(OfferId(s, a, b), b % 3 != 0, b % 2 == 0 ? Text(a, b, Reasons) : null),
            Move.ReportOutcome => new ReportReferralOutcome(OfferId(s, a, b), (MatchOutcome)(a % 4), b % 2 == 0 ? Text(a, b, Reasons) : null),
            Move.DecideFinancing => new DecideFinancing(OfferId(s, a, b), b % 3 != 0, Pick(Amounts, a), b % 2 == 0 ? Text(a, b, Reasons) : null),
            Move.Disburse => new DisburseFinancing(OfferId(s, a, b), Pick(Amounts, a) ?? 1, today.AddDays(b % 5 - 2)),
            Move.Repayment => new RecordRepayment(OfferId(s, a, b), (RepaymentStatus)(a % 5)),
            Move.Timers => new TimersDue(),
            _ => throw new ArgumentOutOfRangeException(nameof(intent)),
        };
    }

    private static OpenCase Open(int a, int b)
    {
        var nik = Nik.Parse(Pick(Niks, a), RegionTable.Kemendagri, new DateOnly(2025, 6, 1)).Value;
        return OpenCase.For("PBC-2025-000001", nik, $"hmac:{a:x2}{b:x2}", b < 8 ? Pick(BadTexts, a)! : Pick(People, a),
            b is >= 8 and < 14 ? Pick(BadRegions, a) : Pick(Regions, b), b >= 97 ? (Segment)9 : (Segment)(a % 4),
            b % 10 == 0 ? "12345" : b % 3 == 0 ? "9120001234567" : null, consentGiven: a % 3 != 0);
    }

    private static Enrol Enrol(Offer offer, int b) =>
        new(offer, b % 5 == 0 ? SeatOutcome.Waitlisted : SeatOutcome.Granted, b % 4, AcknowledgeOverlap: b % 3 != 0,
            offer.Type == OfferType.FinancingProduct ? Pick(Amounts, b) : null);

    /// <summary>The next step a caseworker takes to move the case on (dice choose among sensible options: skip or not, pass or not).</summary>
    private static CaseCommand Progress(CaseState? s, int a, int b, DecisionContext ctx)
    {
        if (s is null)
        {
            return Open(a, 50 + b % 40);
        }

        if (s.Status == CaseStatus.Closed)
        {
            return s.PendingApproval is { Kind: ApprovalRequestKind.Reopening }
                ? new DecideRequest(ApprovalRequestKind.Reopening, b % 4 != 0, "Belum ada data baru")
                : a % 2 == 0 ? new ReopenCase("Penerima manfaat kembali ke Batu") : new RequestReopening("Penerima manfaat kembali ke Batu", "caseworker-3");
        }

        if (s.Status == CaseStatus.Graduated)
        {
            return new AddNote("Kunjungan pasca-kelulusan: usaha berjalan baik");
        }

        if (s.PendingApproval is { Kind: ApprovalRequestKind.Closure } && b % 3 == 0)
        {
            return new DecideRequest(ApprovalRequestKind.Closure, a % 2 == 0, "Masih aktif mengikuti pendampingan");
        }

        if (s.ActiveStage is not { } stage)
        {
            var next = Enum.GetValues<Stage>().First(x => !s[x].IsDone);
            // Skips now and then, also where the stage may not be skipped.
            return a % 6 == 0 && (Transitions.Skippable.Contains(next) || b % 2 == 0) ? new SkipStage(next, Pick(Reasons, b)) : new StartStage(next);
        }

        // Now and then a caseworker asks to complete the stage before its gate is met.
        if (Gates.Check(s, stage, ctx.Policy) is null || a % 5 == 0)
        {
            return new CompleteStage(stage);
        }

        var today = Day(ctx.Now);
        return stage switch
        {
            Stage.Intake => new RecordConsent("Tanda tangan basah", "Formulir PBC v2 (Jan 2026)", Day(s.OpenedAt), null),
            Stage.Assessment => new RecordAssessment(Pick(Sectors, a), Pick(Turnovers, a % 5), Pick(Capitals, b % 4), Pick(Workers, b % 4), Pick(NeedLists, a % 3)),
            Stage.Training => TrainingStep(s, a, b),
            Stage.Mentoring => MentoringStep(s, a, b, today),
            Stage.Matching => EnrolmentDecider.Current(s, "buyer-1") switch
            {
                null => Enrol(Pick(Offers, 4), 1),
                { Status: EnrolmentStatus.ReferralOffered } => new RespondToReferral("buyer-1", b % 4 != 0, "Kapasitas produksi belum cukup"),
                { Status: EnrolmentStatus.ReferralAccepted } => new ReportReferralOutcome("buyer-1", (MatchOutcome)(a % 3), "Harga tidak cocok"),
                _ => new SkipStage(stage, "Pembeli tidak tersedia"),
            },
            Stage.Financing => s.Profile?.UmkmClass is not (UmkmClass.Micro or UmkmClass.Small) ? new SkipStage(stage, "Kelas usaha di luar sasaran KUR Mikro")
                : EnrolmentDecider.Current(s, "kur-1") switch
                {
                    null => Enrol(Pick(Offers, 5), 1) with { AmountIdr = 10_000_000 },
                    { Status: EnrolmentStatus.Applied } => new DecideFinancing("kur-1", b % 4 != 0, 10_000_000, "Agunan tidak mencukupi"),
                    { Status: EnrolmentStatus.Approved } => new DisburseFinancing("kur-1", 10_000_000, today),
                    _ => new SkipStage(stage, "Tidak ada produk pembiayaan yang sesuai"),
                },
            // The lender reports on the loan while the outcomes are gathered.
            _ => EnrolmentDecider.Current(s, "kur-1") is { Status: EnrolmentStatus.Disbursed } && a % 3 == 0
                ? new RecordRepayment("kur-1", (RepaymentStatus)(b % 4))
                : new RecordOutcomes(Pick(Turnovers, a % 4), Pick(Capitals, b % 3), Pick(Workers, a % 4)),
        };
    }

    /// <summary>Mentoring: a mentor first, then sessions; alongside, now and then, the mentoring programme of the catalog.</summary>
    private static CaseCommand MentoringStep(CaseState s, int a, int b, DateOnly today) => EnrolmentDecider.Current(s, "programme-1") switch
    {
        null when b % 3 == 0 => Enrol(Pick(Offers, 3), 1),
        { Status: EnrolmentStatus.Enrolled } when b % 2 == 0 => new CompleteProgramme("programme-1", b % 4 == 0 ? "Program selesai tepat waktu" : null),
        _ when s.MentorId is null => new AssignMentor(Pick(Mentors, a)),
        _ => new LogMentoringSession(today.AddDays(-(a % 3)), Pick(Topics, a), b % 2 == 0 ? Pick(Notes, b) : null, null),
    };

    /// <summary>Training: finish a course in progress (passing most of the time), take a waiting list's place, or enrol in a course not taken yet.</summary>
    private static CaseCommand TrainingStep(CaseState s, int a, int b)
    {
        var courses = Offers.Where(o => o.Type == OfferType.Training).ToList();
        if (courses.Select(o => EnrolmentDecider.Current(s, o.Id)).FirstOrDefault(e => e?.Status is EnrolmentStatus.Enrolled or EnrolmentStatus.Waitlisted) is { } running)
        {
            return running.Status == EnrolmentStatus.Waitlisted ? new PromoteFromWaitlist(running.Offer.Id)
                : new CompleteTraining(running.Offer.Id, 60 + (a + b) % 41);
        }

        return courses.FirstOrDefault(o => EnrolmentDecider.Current(s, o.Id) is null) is { } untaken
            ? Enrol(untaken, b)
            : new CorrectAttendance(s.Trainings[^1].OfferId, 95, "Daftar hadir susulan dari penyelenggara");
    }
}
