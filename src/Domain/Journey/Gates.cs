using System.Globalization;

namespace CaseGrains.Domain.Journey;

/// <summary>Exit criteria of each stage. Returns null when the gate is met, else the refusal that names what is missing.</summary>
public static class Gates
{
    public static Refusal? Check(CaseState s, Stage stage, JourneyPolicy policy) => stage switch
    {
        Stage.Intake when !s.HasConsent => Refusals.Gate(stage, "intake.consent_missing",
            "persetujuan (consent) penerima manfaat belum dicatat.",
            "the beneficiary's consent has not been recorded."),
        Stage.Assessment when s.Profile is null => Refusals.Gate(stage, "assessment.profile_missing",
            "profil usaha (sektor, omzet, modal, tenaga kerja) dan kebutuhan belum dicatat.",
            "the business profile (sector, turnover, capital, workers) and needs have not been recorded."),
        Stage.Training when !s.Trainings.Any(t => t.Passed) => TrainingMissing(s, stage),
        Stage.Mentoring when s.MentorId is null => Refusals.Gate(stage, "mentoring.no_mentor",
            "belum ada pendamping yang ditugaskan.",
            "no mentor is assigned."),
        Stage.Mentoring when s.MentoringSessions < policy.MentoringSessionsRequired => Refusals.Gate(stage, "mentoring.too_few_sessions",
            $"baru {N(s.MentoringSessions)} sesi pendampingan tercatat; dibutuhkan minimal {N(policy.MentoringSessionsRequired)}.",
            $"{N(s.MentoringSessions)} mentoring session(s) logged; at least {N(policy.MentoringSessionsRequired)} are needed."),
        Stage.Matching when s.Matches.Count == 0 => Refusals.Gate(stage, "matching.no_outcome",
            "belum ada hasil pencocokan bisnis (diterima/kontrak, atau ditolak dengan alasan).",
            "no business match has an outcome yet (accepted/contracted, or declined with a reason)."),
        Stage.Financing when s.Financing.Count == 0 => Refusals.Gate(stage, "financing.no_decision",
            "belum ada pengajuan pembiayaan dengan keputusan akhir (dicairkan, atau ditolak dengan alasan).",
            "no financing application has a final decision (disbursed, or rejected with a reason)."),
        Stage.Graduated when s.Outcomes is null => Refusals.Gate(stage, "graduated.outcomes_missing",
            "indikator hasil (omzet sesudah, tenaga kerja, perubahan kelas usaha) belum dicatat.",
            "the outcome indicators (turnover after, jobs, class change) have not been recorded."),
        _ => null,
    };

    /// <summary>What the Training gate misses, with the figures: the best attendance so far against its course's threshold, or the courses still running.</summary>
    private static Refusal TrainingMissing(CaseState s, Stage stage)
    {
        var best = s.Trainings.OrderByDescending(t => t.AttendancePercent - t.ThresholdPercent).FirstOrDefault();
        var running = s.Enrolments.Where(e => e.Offer.Type == Services.OfferType.Training && e.Status == Services.EnrolmentStatus.Enrolled).Select(e => e.Offer.Name).ToList();
        var runningId = running.Count == 0 ? "" : $" Kehadiran akhir belum dicatat untuk: {string.Join(", ", running.Select(n => $"'{n}'"))}.";
        var runningEn = running.Count == 0 ? "" : $" Final attendance not yet recorded for: {string.Join(", ", running.Select(n => $"'{n}'"))}.";
        return best is null
            ? Refusals.Gate(stage, "training.no_completed_enrolment",
                "belum ada pelatihan yang diselesaikan dengan kehadiran memenuhi ambang batas kursus." + runningId,
                "no course has been completed with attendance at or above the course's threshold." + runningEn)
            : Refusals.Gate(stage, "training.no_completed_enrolment",
                $"belum ada pelatihan yang lulus: kehadiran tertinggi {N(best.AttendancePercent)}% di '{best.CourseName}', perlu {N(best.ThresholdPercent)}%." + runningId,
                $"no course passed yet: the best attendance is {N(best.AttendancePercent)}% in '{best.CourseName}', which needs {N(best.ThresholdPercent)}%." + runningEn);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
