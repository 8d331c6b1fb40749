using System.Globalization;
using CaseGrains.Domain.Business;
using CaseGrains.Domain.Services;
using CaseGrains.Domain.Words;

namespace CaseGrains.Domain.Journey;

/// <summary>
/// The enrolment rules (issue 7): who may enrol in an offer, the overlap check, and each later step of an enrolment
/// (attendance, referral answers, the financing pipeline). Pure, like <see cref="CaseDecider"/>, which calls it.
/// </summary>
public static class EnrolmentDecider
{
    /// <summary>
    /// The consent an offer of this type needs beyond case management: a mentoring programme, mentoring; a matchmaking
    /// partner or a lender, sharing with partners. Government training needs none beyond the journey's.
    /// </summary>
    public static Privacy.ConsentPurpose? ConsentPurposeOf(OfferType type) => type switch
    {
        OfferType.MentoringProgramme => Privacy.ConsentPurpose.Mentoring,
        OfferType.Matchmaking or OfferType.FinancingProduct => Privacy.ConsentPurpose.PartnerSharing,
        _ => null,
    };

    /// <summary>
    /// Whether the case may enrol in <paramref name="offer"/> now, before a place is asked for: the offer runs, reaches the
    /// case's region and segment, the case is not in it already, financing fits the business, and no overlap stands in
    /// the way. Returns the overlapping offers (warned ones need <paramref name="acknowledgeOverlap"/>). A financing
    /// application also meets the scheme rules across the person's cases, with <paramref name="elsewhere"/> their active
    /// financing in their other cases (by NIK).
    /// </summary>
    public static Result<EnrolmentCheck> Check(CaseState s, Offer offer, bool acknowledgeOverlap, long? amountIdr, DateTimeOffset now,
        IReadOnlyList<FinancingHolding>? elsewhere = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(offer);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (!offer.IsOpenOn(today))
        {
            return new Refusal("enrolment.offer_ended", $"Layanan '{offer.Name}' sudah berakhir ({Day(offer.Period.End)}).",
                $"'{offer.Name}' has ended ({Day(offer.Period.End)}).") { Field = "offerId" };
        }

        if (!offer.Covers(s.RegionCode))
        {
            return new Refusal("enrolment.region_not_covered", $"Layanan '{offer.Name}' tidak menjangkau wilayah penerima manfaat.",
                $"'{offer.Name}' does not reach the beneficiary's region.") { Field = "offerId" };
        }

        if (ConsentPurposeOf(offer.Type) is { } purpose && !s.Consents(purpose))
        {
            return Refusals.Consent(s, purpose) with { Field = "offerId" };
        }

        if (!offer.Segments.Contains(s.Segment))
        {
            return new Refusal("enrolment.segment_not_targeted", $"Layanan '{offer.Name}' tidak ditujukan untuk segmen {EnumWords.Id(s.Segment)}.",
                $"'{offer.Name}' does not target the {EnumWords.En(s.Segment)} segment.") { Field = "offerId" };
        }

        if (Current(s, offer.Id) is not null)
        {
            return new Refusal("enrolment.already_enrolled", $"Penerima manfaat sudah terdaftar pada '{offer.Name}'.",
                $"The beneficiary is already enrolled in '{offer.Name}'.") { Field = "offerId" };
        }

        if (offer.Type == OfferType.FinancingProduct && FinancingProblem(s, offer, amountIdr) is { } financing)
        {
            return financing;
        }

        var check = Overlap.CheckEnrolment(offer, s.Enrolments.Where(e => e.Counts).Select(e => e.Offer).DistinctBy(o => o.Id));
        if (check.Refusal is { } refused)
        {
            return refused;
        }

        // The catalog's overlap (equivalent offers) is named first; the scheme rules catch what it cannot see: another
        // product or bank of the same scheme, and the person's other cases.
        if (offer.Type == OfferType.FinancingProduct && SchemeProblem(s, offer, elsewhere ?? []) is { } scheme)
        {
            return scheme;
        }

        if (check.NeedsAcknowledgement && !acknowledgeOverlap)
        {
            var (named, namedEn) = (Refusals.Names.Offers(check.Overlapping, false), Refusals.Names.Offers(check.Overlapping, true));
            return new Refusal("enrolment.overlap_unacknowledged",
                $"Layanan ini tumpang tindih dengan yang sudah diterima penerima manfaat: {named}. Konfirmasi untuk tetap mendaftarkan; peringatan ini akan dicatat.",
                $"This offer overlaps one the beneficiary already receives: {namedEn}. Acknowledge to enrol anyway; the warning is recorded.")
            {
                Field = "acknowledgeOverlap",
                Details = new Dictionary<string, string> { ["overlappingOfferIds"] = string.Join(",", check.Overlapping.Select(o => o.Id)) },
            };
        }

        return check;
    }

    public static Result<CaseEvent> Decide(CaseState s, CaseCommand command, DecisionContext ctx) => command switch
    {
        Enrol e => DecideEnrol(s, e, ctx),
        WithdrawEnrolment w => CaseDecider.Text(w.Reason, "reason", CaseDecider.MaxLongText, required: true)
            ?? Step(s, w.OfferId, null, [EnrolmentStatus.Waitlisted, EnrolmentStatus.Enrolled, EnrolmentStatus.ReferralOffered,
                EnrolmentStatus.ReferralAccepted, EnrolmentStatus.Applied, EnrolmentStatus.Approved],
                e => new EnrolmentWithdrawn(e.Offer.Id, w.Reason.Trim())),
        CompleteTraining t => t.AttendancePercent is < 0 or > 100 ? Refusals.OutOfRange("attendancePercent", "0..100")
            : Step(s, t.OfferId, OfferType.Training, [EnrolmentStatus.Enrolled], e =>
            {
                var threshold = e.Offer.AttendanceThresholdPercent ?? ctx.Policy.DefaultAttendanceThresholdPercent;
                return new TrainingCompletionRecorded(e.Offer.Id, e.Offer.Name, t.AttendancePercent, threshold, t.AttendancePercent >= threshold);
            }),
        CorrectAttendance c => DecideAttendanceCorrection(s, c),
        CompleteProgramme p => CaseDecider.Text(p.Note, "note", CaseDecider.MaxLongText, required: false)
            ?? Step(s, p.OfferId, OfferType.MentoringProgramme, [EnrolmentStatus.Enrolled], e => new EnrolmentCompleted(e.Offer.Id, Trimmed(p.Note))),
        // A place freed after the beneficiary withdrew the consent its offer needs is not taken (the roster gives it on).
        PromoteFromWaitlist p => Step(s, p.OfferId, null, [EnrolmentStatus.Waitlisted], e => ConsentPurposeOf(e.Offer.Type) is { } purpose && !s.Consents(purpose)
            ? Refusals.Consent(s, purpose) with { Field = "offerId" }
            : new WaitlistPromoted(e.Offer.Id)),
        // Nor is a partner's handshake accepted once sharing is withdrawn (declining it still is).
        RespondToReferral r => CaseDecider.Text(r.Reason, "reason", CaseDecider.MaxLongText, required: !r.Accepted)
            ?? Step(s, r.OfferId, OfferType.Matchmaking, [EnrolmentStatus.ReferralOffered],
                e => !r.Accepted ? new ReferralDeclined(e.Offer.Id, r.Reason!.Trim())
                    : s.Consents(Privacy.ConsentPurpose.PartnerSharing) ? new ReferralAccepted(e.Offer.Id)
                    : Refusals.Consent(s, Privacy.ConsentPurpose.PartnerSharing) with { Field = "offerId" }),
        ReportReferralOutcome o => (Enum.IsDefined(o.Outcome) ? null : Refusals.Required("outcome"))
            ?? CaseDecider.Text(o.Reason, "reason", CaseDecider.MaxLongText, required: o.Outcome == MatchOutcome.Declined)
            ?? Step(s, o.OfferId, OfferType.Matchmaking, [EnrolmentStatus.ReferralAccepted],
                e => new ReferralOutcomeReported(e.Offer.Id, o.Outcome, Trimmed(o.Reason))),
        DecideFinancing d => DecideLender(s, d),
        DisburseFinancing d => Step(s, d.OfferId, OfferType.FinancingProduct, [EnrolmentStatus.Approved], e =>
            d.AmountIdr < 1 || d.AmountIdr > e.PlafondIdr
                ? Refusals.OutOfRange("amountIdr", $"1..{Rupiah(e.PlafondIdr!.Value)} (plafon yang disetujui)", $"1..{Rupiah(e.PlafondIdr!.Value)} (the approved plafond)")
                : d.Date > DateOnly.FromDateTime(ctx.Now.UtcDateTime.AddDays(1)) || d.Date < DateOnly.FromDateTime(e.Since.UtcDateTime.AddDays(-1))
                    ? Refusals.OutOfRange("date", "antara tanggal pengajuan dan hari ini", "between the application and today")
                    : new FinancingDisbursed(e.Offer.Id, d.AmountIdr, d.Date)),
        RecordRepayment r => Enum.IsDefined(r.Status) ? Step(s, r.OfferId, OfferType.FinancingProduct, [EnrolmentStatus.Disbursed],
            e => e.Repayment == RepaymentStatus.Repaid
                ? new Refusal("financing.repaid", "Pinjaman ini sudah lunas.", "This loan is already repaid.") { Field = "status" }
                : new RepaymentStatusRecorded(e.Offer.Id, r.Status)) : Refusals.Required("status"),
        _ => throw new InvalidOperationException($"No enrolment rule for {command.GetType().Name}."),
    };

    /// <summary>
    /// A course's final attendance corrected, judged against the threshold recorded with it. A correction that would take
    /// away the only pass behind a completed Training stage is refused: that stage's completion cannot be undone silently.
    /// </summary>
    private static Result<CaseEvent> DecideAttendanceCorrection(CaseState s, CorrectAttendance c)
    {
        if (c.AttendancePercent is < 0 or > 100)
        {
            return Refusals.OutOfRange("attendancePercent", "0..100");
        }

        if (CaseDecider.Text(c.Reason, "reason", CaseDecider.MaxLongText, required: true) is { } bad)
        {
            return bad;
        }

        var recorded = s.Trainings.FindLast(t => t.OfferId == c.OfferId?.Trim());
        if (recorded is null)
        {
            return new Refusal("correction.nothing_recorded", "Belum ada kehadiran akhir yang dicatat untuk pelatihan ini.",
                "No final attendance has been recorded for this course yet.") { Field = "offerId" };
        }

        if (recorded.AttendancePercent == c.AttendancePercent)
        {
            return CaseDecider.NoChange() with { Field = "attendancePercent" };
        }

        var passed = c.AttendancePercent >= recorded.ThresholdPercent;
        if (recorded.Passed && !passed && s[Stage.Training].State == StageState.Completed && s.Trainings.Count(t => t.Passed) == 1)
        {
            return new Refusal("correction.stage_already_completed",
                $"Tahap Pelatihan sudah diselesaikan atas dasar kelulusan '{recorded.CourseName}'; dengan kehadiran {c.AttendancePercent}% (perlu {recorded.ThresholdPercent}%) kelulusan itu hilang. Catat catatan kasus dan minta supervisor meninjau.",
                $"The Training stage was completed on the pass in '{recorded.CourseName}'; at {c.AttendancePercent}% (needs {recorded.ThresholdPercent}%) that pass would go. Add a case note and ask a supervisor to review.")
            { Field = "attendancePercent" };
        }

        return new AttendanceCorrected(recorded.OfferId, recorded.CourseName, recorded.AttendancePercent, c.AttendancePercent, recorded.ThresholdPercent,
            passed, c.Reason.Trim());
    }

    /// <summary>
    /// The referral deadline the case's timer watches: the overdue event due now (the earliest unanswered referral past
    /// its deadline), else when the next deadline falls; neither when no referral waits (or the case is not open).
    /// </summary>
    public static (ReferralResponseOverdue? Due, DateTimeOffset? At) NextReferralDeadline(CaseState? s, DateTimeOffset now)
    {
        var waiting = s is { Status: CaseStatus.Open }
            ? s.Enrolments.Where(e => e is { Status: EnrolmentStatus.ReferralOffered, ResponseOverdue: false, RespondBy: not null })
                .OrderBy(e => e.RespondBy).ThenBy(e => e.Seq).FirstOrDefault()
            : null;
        return waiting is null ? (null, null)
            : waiting.RespondBy <= now ? (new ReferralResponseOverdue(waiting.Offer.Id, waiting.RespondBy!.Value), now)
            : (null, waiting.RespondBy);
    }

    /// <summary>The case's current enrolment in an offer (the latest one that still counts), if any.</summary>
    public static Enrolment? Current(CaseState s, string offerId) =>
        s.Enrolments.LastOrDefault(e => e.Offer.Id == offerId) is { Counts: true } e ? e : null;

    private static Result<CaseEvent> DecideEnrol(CaseState s, Enrol e, DecisionContext ctx)
    {
        var check = Check(s, e.Offer, e.AcknowledgeOverlap, e.AmountIdr, ctx.Now, e.Elsewhere);
        if (check.IsRefused)
        {
            return check.Refusal!;
        }

        IReadOnlyList<string> acknowledged = [.. check.Value.Overlapping.Select(o => o.Id)];
        return e.Offer.Type switch
        {
            OfferType.Matchmaking => new ReferralOffered(e.Offer, ctx.Now + ctx.Policy.ReferralResponseTime, acknowledged),
            OfferType.FinancingProduct => new FinancingApplied(e.Offer, e.AmountIdr!.Value, acknowledged),
            _ when e.Seat == SeatOutcome.Waitlisted => new Waitlisted(e.Offer, Math.Max(1, e.WaitlistPosition), acknowledged),
            _ => new Enrolled(e.Offer, acknowledged),
        };
    }

    /// <summary>
    /// The scheme rules across the person's cases: one active KUR per debtor (any product, any bank), UMi only without an
    /// active KUR or UMi, one active LPDB facility. Names the holding in the way, and whether it is on this case or another.
    /// </summary>
    private static Refusal? SchemeProblem(CaseState s, Offer offer, IReadOnlyList<FinancingHolding> elsewhere)
    {
        var wanted = FinancingSchemes.Of(offer);
        var blocking = FinancingSchemes.HeldBy(s).Concat(elsewhere.Where(h => h.CaseNumber != s.CaseNumber)).FirstOrDefault(h => FinancingSchemes.Excludes(h.Scheme, wanted));
        if (blocking is null)
        {
            return null;
        }

        var (whereId, whereEn) = blocking.CaseNumber == s.CaseNumber ? ("pada kasus ini", "on this case") : ("pada kasus lain penerima manfaat ini", "on another case of this beneficiary");
        var (ruleId, ruleEn) = (blocking.Scheme, wanted) switch
        {
            (FinancingScheme.Kur, FinancingScheme.Kur) => ("Satu debitur hanya boleh memiliki satu KUR aktif, apa pun produk dan banknya.", "A debtor may hold one active KUR, whatever the product and the bank."),
            (FinancingScheme.Kur, FinancingScheme.Umi) => ("UMi hanya untuk debitur yang tidak sedang menerima KUR.", "UMi is only for debtors without an active KUR."),
            (FinancingScheme.Umi, _) => ("Satu debitur hanya boleh memiliki satu pembiayaan UMi aktif.", "A debtor may hold one active UMi financing."),
            _ => ("Satu peminjam hanya boleh memiliki satu fasilitas LPDB aktif.", "A borrower may hold one active LPDB facility."),
        };
        return new Refusal("financing.scheme_active",
            $"Penerima manfaat masih memiliki {blocking.OfferName} ({blocking.Provider}) yang aktif {whereId}. {ruleId}",
            $"The beneficiary still holds an active {blocking.OfferName} ({blocking.Provider}) {whereEn}. {ruleEn}")
        {
            Field = "offerId",
            Details = new Dictionary<string, string> { ["scheme"] = blocking.Scheme.ToString(), ["heldOfferId"] = blocking.OfferId },
        };
    }

    private static Refusal? FinancingProblem(CaseState s, Offer offer, long? amountIdr)
    {
        if (s.Profile is null)
        {
            return new Refusal("financing.profile_missing", "Kelas usaha belum diketahui: catat asesmen (omzet dan modal) sebelum mengajukan pembiayaan.",
                "The business class is not known yet: record the assessment (turnover and capital) before applying for financing.") { Field = "offerId" };
        }

        var terms = offer.Financing!;
        if (!terms.EligibleClasses.Contains(s.Profile.UmkmClass))
        {
            return new Refusal("financing.class_not_eligible",
                $"'{offer.Name}' hanya untuk {ClassWords(terms.EligibleClasses, EnumWords.Id, " atau ")}; usaha ini {ClassWords([s.Profile.UmkmClass], EnumWords.Id, "")}.",
                $"'{offer.Name}' is only for a {ClassWords(terms.EligibleClasses, EnumWords.En, " or ")}; this one is a {ClassWords([s.Profile.UmkmClass], EnumWords.En, "")}.")
            { Field = "offerId" };
        }

        if (amountIdr is not { } amount)
        {
            return Refusals.Required("amountIdr");
        }

        return amount < terms.MinAmountIdr || amount > terms.MaxAmountIdr
            ? new Refusal("financing.amount_out_of_range",
                $"Jumlah pengajuan harus antara {Rupiah(terms.MinAmountIdr)} dan {Rupiah(terms.MaxAmountIdr)} untuk '{offer.Name}'.",
                $"The amount must be between {Rupiah(terms.MinAmountIdr)} and {Rupiah(terms.MaxAmountIdr)} for '{offer.Name}'.") { Field = "amountIdr" }
            : null;
    }

    /// <summary>UMKM classes as words inside a sentence ("usaha mikro atau usaha kecil", "micro business or small business").</summary>
    private static string ClassWords(IEnumerable<UmkmClass> classes, Func<UmkmClass, string> words, string separator) =>
        string.Join(separator, classes.Select(c => EnumWords.InSentence(words(c))));

    private static Result<CaseEvent> DecideLender(CaseState s, DecideFinancing d)
    {
        if (!d.Approved)
        {
            return CaseDecider.Text(d.Reason, "reason", CaseDecider.MaxLongText, required: true)
                ?? Step(s, d.OfferId, OfferType.FinancingProduct, [EnrolmentStatus.Applied], e => new FinancingRejected(e.Offer.Id, d.Reason!.Trim()));
        }

        return Step(s, d.OfferId, OfferType.FinancingProduct, [EnrolmentStatus.Applied], e =>
            d.PlafondIdr is not { } plafond ? Refusals.Required("plafondIdr")
            : plafond < 1 || plafond > e.Offer.Financing!.MaxAmountIdr
                ? Refusals.OutOfRange("plafondIdr", $"1..{Rupiah(e.Offer.Financing!.MaxAmountIdr)} (batas produk)", $"1..{Rupiah(e.Offer.Financing!.MaxAmountIdr)} (the product's maximum)")
                : new FinancingApproved(e.Offer.Id, plafond));
    }

    /// <summary>A step on the case's current enrolment in an offer: it must exist, be of the type, and be in one of the states.</summary>
    private static Result<CaseEvent> Step(CaseState s, string? offerId, OfferType? type, EnrolmentStatus[] from, Func<Enrolment, Result<CaseEvent>> next)
    {
        if (CaseDecider.Text(offerId, "offerId", 64, required: true) is { } bad)
        {
            return bad;
        }

        if (Current(s, offerId!.Trim()) is not { } e)
        {
            return new Refusal("enrolment.not_found", "Penerima manfaat tidak terdaftar pada layanan ini.",
                "The beneficiary is not enrolled in this offer.") { Field = "offerId" };
        }

        if (type is { } t && e.Offer.Type != t)
        {
            return new Refusal("enrolment.wrong_type",
                $"Langkah ini untuk layanan jenis {EnumWords.InSentence(EnumWords.Id(t))}; '{e.Offer.Name}' berjenis {EnumWords.InSentence(EnumWords.Id(e.Offer.Type))}.",
                $"This step is for a {EnumWords.InSentence(EnumWords.En(t))}; '{e.Offer.Name}' is a {EnumWords.InSentence(EnumWords.En(e.Offer.Type))}.") { Field = "offerId" };
        }

        return from.Contains(e.Status) ? next(e)
            : new Refusal("enrolment.wrong_status",
                $"Langkah ini tidak berlaku: pendaftaran pada '{e.Offer.Name}' berstatus {EnumWords.InSentence(EnumWords.Id(e.Status))}.",
                $"This step does not apply: the enrolment in '{e.Offer.Name}' is {EnumWords.InSentence(EnumWords.En(e.Status))}.")
            {
                Field = "offerId",
                // Not "status": a problem's status is its HTTP code.
                Details = new Dictionary<string, string> { ["enrolmentStatus"] = e.Status.ToString() },
            };
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Rupiah as Indonesians write it: Rp50.000.000.</summary>
    public static string Rupiah(long amount) => "Rp" + amount.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.');
}
