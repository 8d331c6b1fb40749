using System.Globalization;
using CaseGrains.Domain.Journey;
using CaseGrains.Domain.Regions;

namespace CaseGrains.Domain.Services;

/// <summary>What kind of candidate a case is matched with.</summary>
public enum CandidateKind
{
    Mentor,
    Course,
    Partner,
    Financing,
}

/// <summary>One named part of a score: its points (negative for a penalty) and why, in both languages.</summary>
public sealed record ScoreReason(string Code, int Points, string Indonesian, string English);

/// <summary>A ranked candidate: the mentor's user id or the offer's id, its score, and the score broken into reasons.</summary>
public sealed record Candidate(CandidateKind Kind, string Id, string Name, string? Provider, int Score, IReadOnlyList<ScoreReason> Reasons);

/// <summary>A mentor as matching sees them: profile and current caseload.</summary>
public sealed record MentorInfo(string MentorId, string Name, IReadOnlyList<string> Sectors, IReadOnlyList<string> Regions, int Capacity, int ActiveCases);

/// <summary>An offer as matching sees it: the offer and its free places (0 = full).</summary>
public sealed record OfferInfo(Offer Offer, int FreePlaces);

/// <summary>
/// Explainable matching (DESIGN.md "Matching"). Every score is a sum of named integer parts, so the same inputs give
/// the same ranking and a caseworker can read why; ties go to the lower id. Candidates that could not be accepted (a
/// full mentor, an offer that does not reach the case, financing the business is not eligible for or that would be
/// refused as an overlap) are left out rather than ranked low. Weights are in <see cref="Weights"/> and docs/services.md.
/// </summary>
public static class Matching
{
    public static class Weights
    {
        public const int Sector = 40;
        public const int SectorAny = 20;
        public const int Need = 40;
        public const int NeedPartial = 25;
        public const int RegionLocal = 30;
        public const int RegionCity = 20;
        public const int RegionProvince = 10;
        public const int RegionNational = 5;
        public const int FreeCapacity = 20;
        public const int CaseloadBalance = 10;
        public const int Seats = 20;
        public const int SeatsWaitlist = 5;
        public const int PeriodSoon = 10;
        public const int PeriodLater = 5;
        public const int Segment = 20;
        public const int UmkmClass = 20;
        public const int Amount = 30;
        public const int OverlapPenalty = -30;
    }

    /// <summary>How soon a course must start to count as "soon".</summary>
    public const int SoonDays = 30;

    public static IReadOnlyList<Candidate> Mentors(CaseState c, IEnumerable<MentorInfo> mentors, int limit = 20)
    {
        ArgumentNullException.ThrowIfNull(c);
        var province = RegionTable.ProvinceOf(c.RegionCode);
        var eligible = mentors.Where(m => m.ActiveCases < m.Capacity && m.MentorId != c.MentorId
            && m.Regions.Any(r => r == province || Offer.Contains(province, r) || Offer.Contains(r, c.RegionCode))).ToList();
        var busiest = eligible.Count == 0 ? 0 : eligible.Max(m => m.ActiveCases);
        return Rank(eligible.Select(m =>
        {
            var reasons = new List<ScoreReason>();
            var sector = c.Profile?.Sector;
            reasons.Add(sector is not null && m.Sectors.Any(x => Offer.Key(x) == Offer.Key(sector))
                ? new("sector", Weights.Sector, $"Sektor sama: {sector}", $"Same sector: {sector}")
                : new("sector", 0, "Sektor berbeda", "Different sector"));
            reasons.Add(RegionReason(c.RegionCode, m.Regions, national: false));
            var free = m.Capacity - m.ActiveCases;
            reasons.Add(new("free_capacity", Weights.FreeCapacity * free / m.Capacity,
                $"{N(free)} dari {N(m.Capacity)} tempat kosong", $"{N(free)} of {N(m.Capacity)} places free"));
            reasons.Add(new("caseload_balance", busiest == 0 ? Weights.CaseloadBalance : Weights.CaseloadBalance * (busiest - m.ActiveCases) / busiest,
                $"{N(m.ActiveCases)} kasus aktif (terbanyak di antara kandidat: {N(busiest)})",
                $"{N(m.ActiveCases)} active cases (most among candidates: {N(busiest)})"));
            return new Candidate(CandidateKind.Mentor, m.MentorId, m.Name, null, reasons.Sum(r => r.Points), reasons);
        }), limit);
    }

    /// <summary>
    /// Why the case may not be matched with candidates of <paramref name="kind"/> now, or null: matching skips what the
    /// beneficiary's consent does not cover (no mentor without mentoring, no partner or lender without sharing, nothing
    /// once case management was withdrawn; mentoring programmes among the courses are left out by <see cref="Offers"/>).
    /// </summary>
    public static Refusal? ConsentRefusal(CaseState c, CandidateKind kind)
    {
        ArgumentNullException.ThrowIfNull(c);
        var purpose = kind switch
        {
            CandidateKind.Mentor => Privacy.ConsentPurpose.Mentoring,
            CandidateKind.Partner or CandidateKind.Financing => Privacy.ConsentPurpose.PartnerSharing,
            _ => Privacy.ConsentPurpose.CaseManagement,
        };
        return c.Withdrew(purpose) || (purpose != Privacy.ConsentPurpose.CaseManagement && !c.Consents(purpose)) ? Refusals.Consent(c, purpose) : null;
    }

    /// <summary>Courses and mentoring programmes (<see cref="CandidateKind.Course"/>), partners (<see cref="CandidateKind.Partner"/>), or financing products.</summary>
    public static IReadOnlyList<Candidate> Offers(CaseState c, CandidateKind kind, IEnumerable<OfferInfo> catalog, DateTimeOffset now, long? amountIdr, int limit = 20)
    {
        ArgumentNullException.ThrowIfNull(c);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var types = kind switch
        {
            CandidateKind.Course => new[] { OfferType.Training, OfferType.MentoringProgramme },
            CandidateKind.Partner => [OfferType.Matchmaking],
            CandidateKind.Financing => [OfferType.FinancingProduct],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var current = c.Enrolments.Where(e => e.Counts).Select(e => e.Offer).ToList();
        var candidates = new List<Candidate>();
        foreach (var (offer, free) in catalog)
        {
            if (!types.Contains(offer.Type) || !offer.IsOpenOn(today) || !offer.Covers(c.RegionCode) || !offer.Segments.Contains(c.Segment)
                || current.Any(o => o.Id == offer.Id) || (EnrolmentDecider.ConsentPurposeOf(offer.Type) is { } purpose && !c.Consents(purpose)))
            {
                continue;
            }

            var overlapping = current.Where(o => Overlap.Overlaps(offer, o)).ToList();
            var reasons = kind switch
            {
                CandidateKind.Course => CourseReasons(c, offer, free, today),
                CandidateKind.Partner => free > 0 ? PartnerReasons(c, offer) : null,
                _ => overlapping.Count == 0 && free > 0 ? FinancingReasons(c, offer, amountIdr) : null,
            };
            if (reasons is null)
            {
                continue;
            }

            if (overlapping.Count > 0)
            {
                reasons.Add(new("overlap", Weights.OverlapPenalty, $"Tumpang tindih dengan: {Refusals.Names.Offers(overlapping, false)}",
                    $"Overlaps: {Refusals.Names.Offers(overlapping, true)}"));
            }

            candidates.Add(new Candidate(kind, offer.Id, offer.Name, offer.Provider, reasons.Sum(r => r.Points), reasons));
        }

        return Rank(candidates, limit);
    }

    private static List<ScoreReason> CourseReasons(CaseState c, Offer offer, int free, DateOnly today)
    {
        var needs = c.Profile?.Needs ?? [];
        var category = offer.CategoryKey;
        var exact = needs.FirstOrDefault(n => Offer.Key(n) == category);
        var partial = exact is null ? needs.FirstOrDefault(n => Offer.Key(n).Contains(category, StringComparison.Ordinal) || category.Contains(Offer.Key(n), StringComparison.Ordinal)) : null;
        var reasons = new List<ScoreReason>
        {
            exact is not null ? new("need", Weights.Need, $"Sesuai kebutuhan: {exact}", $"Meets an assessed need: {exact}")
            : partial is not null ? new("need", Weights.NeedPartial, $"Sebagian sesuai kebutuhan: {partial}", $"Partly meets an assessed need: {partial}")
            : new("need", 0, "Tidak sesuai kebutuhan yang tercatat", "Meets no recorded need"),
            RegionReason(c.RegionCode, offer.Regions, national: true),
            free > 0 ? new("seats", Weights.Seats, $"{N(free)} kursi tersedia", $"{N(free)} seats free")
                : new("seats", Weights.SeatsWaitlist, "Penuh: masuk daftar tunggu", "Full: waiting list"),
            offer.Period.Start <= today.AddDays(SoonDays)
                ? new("period", Weights.PeriodSoon, $"Berjalan atau mulai dalam {N(SoonDays)} hari", $"Running or starting within {N(SoonDays)} days")
                : new("period", Weights.PeriodLater, $"Mulai {offer.Period.Start:yyyy-MM-dd}", $"Starts {offer.Period.Start:yyyy-MM-dd}"),
        };
        return reasons;
    }

    private static List<ScoreReason> PartnerReasons(CaseState c, Offer offer) =>
    [
        SectorReason(c, offer),
        new("segment", Weights.Segment, $"Menyasar segmen {Words.EnumWords.Id(c.Segment)}", $"Targets the {Words.EnumWords.En(c.Segment)} segment"),
        RegionReason(c.RegionCode, offer.Regions, national: true),
    ];

    private static List<ScoreReason>? FinancingReasons(CaseState c, Offer offer, long? amountIdr)
    {
        var terms = offer.Financing!;
        if (c.Profile is not { } profile || !terms.EligibleClasses.Contains(profile.UmkmClass)
            || amountIdr is { } a && (a < terms.MinAmountIdr || a > terms.MaxAmountIdr))
        {
            return null;
        }

        var range = $"{EnrolmentDecider.Rupiah(terms.MinAmountIdr)}–{EnrolmentDecider.Rupiah(terms.MaxAmountIdr)}";
        return
        [
            new("segment", Weights.Segment, $"Menyasar segmen {Words.EnumWords.Id(c.Segment)}", $"Targets the {Words.EnumWords.En(c.Segment)} segment"),
            new("umkm_class", Weights.UmkmClass, $"Untuk usaha kelas {profile.UmkmClass}", $"For {profile.UmkmClass} businesses"),
            SectorReason(c, offer),
            amountIdr is { } amount
                ? new("amount", Weights.Amount, $"{EnrolmentDecider.Rupiah(amount)} dalam rentang {range}", $"{EnrolmentDecider.Rupiah(amount)} within {range}")
                : new("amount", 0, $"Jumlah belum diisi (rentang {range})", $"No amount given (range {range})"),
            RegionReason(c.RegionCode, offer.Regions, national: true),
        ];
    }

    private static ScoreReason SectorReason(CaseState c, Offer offer)
    {
        var sector = c.Profile?.Sector;
        return offer.Sectors.Count == 0 ? new("sector", Weights.SectorAny, "Untuk semua sektor", "For every sector")
            : offer.ServesSector(sector) ? new("sector", Weights.Sector, $"Sektor sama: {sector}", $"Same sector: {sector}")
            : new("sector", 0, "Sektor berbeda", "Different sector");
    }

    /// <summary>How close the candidate is: the deepest region it shares with the case (kecamatan, kab/kota, province, national).</summary>
    private static ScoreReason RegionReason(string caseRegion, IReadOnlyList<string> regions, bool national)
    {
        var depth = regions.Select(r => r == Offer.National ? 0 : SharedDepth(caseRegion, r)).DefaultIfEmpty(-1).Max();
        return depth switch
        {
            >= 3 => new("region", Weights.RegionLocal, "Kecamatan yang sama", "Same kecamatan"),
            2 => new("region", Weights.RegionCity, "Kab/kota yang sama", "Same kab/kota"),
            1 => new("region", Weights.RegionProvince, "Provinsi yang sama", "Same province"),
            0 when national => new("region", Weights.RegionNational, "Layanan nasional", "National offer"),
            _ => new("region", 0, "Wilayah lain", "Another region"),
        };
    }

    /// <summary>How many leading parts of two dotted codes agree (35.79.01 and 35.79.02 → 2).</summary>
    private static int SharedDepth(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        var n = 0;
        while (n < x.Length && n < y.Length && x[n] == y[n])
        {
            n++;
        }

        return n;
    }

    private static IReadOnlyList<Candidate> Rank(IEnumerable<Candidate> candidates, int limit) =>
        [.. candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Id, StringComparer.Ordinal).Take(Math.Clamp(limit, 1, 100))];

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
