using CaseGrains.Grains.Abstractions;

namespace CaseGrains.Grains.Notifications;

/// <summary>
/// A notice in words, in the recipient's language: what happened and on which case, and where to open it. Nothing about
/// the beneficiary (no name, no NIK): the message passes through mail relays and messaging gateways, and the case page,
/// behind sign-in, says the rest to whoever may read it.
/// </summary>
public sealed record NoticeText(string Subject, string Body)
{
    public static NoticeText For(NoticeDelivery d, string? appUrl)
    {
        ArgumentNullException.ThrowIfNull(d);
        var english = d.Language == "en";
        var n = d.CaseNumber;
        var (id, en) = d.Kind switch
        {
            "approval-requested" when d.EventType == "ReopeningRequested" =>
                ($"Permintaan membuka kembali kasus {n} menunggu keputusan Anda.", $"A request to reopen case {n} waits for your decision."),
            "approval-requested" => ($"Permintaan menutup kasus {n} menunggu keputusan Anda.", $"A request to close case {n} waits for your decision."),
            "escalated" => ($"Satu tahap kasus {n} melewati batas waktu dan dieskalasikan kepada Anda.", $"A stage of case {n} is overdue and was escalated to you."),
            "request-settled" => ($"Permintaan Anda untuk kasus {n} sudah diputuskan supervisor.", $"A supervisor decided your request on case {n}."),
            "case-assigned" => ($"Anda ditugaskan sebagai pendamping kasus {n}.", $"You were assigned as the mentor of case {n}."),
            "sla-warning" => ($"Satu tahap kasus {n} hampir melewati batas waktunya.", $"A stage of case {n} is close to its deadline."),
            "referral-answered" when d.EventType == "ReferralOutcomeReported" =>
                ($"Hasil rujukan yang Anda buat untuk kasus {n} sudah dilaporkan.", $"The outcome of your referral on case {n} was reported."),
            "referral-answered" => ($"Rujukan yang Anda buat untuk kasus {n} sudah dijawab.", $"Your referral on case {n} was answered."),
            "financing-decided" => ($"Pengajuan pembiayaan yang Anda buat untuk kasus {n} sudah diputuskan.", $"The financing application you made on case {n} was decided."),
            "session-due" => ($"Sudah waktunya sesi pendampingan untuk kasus {n}.", $"A mentoring session is due on case {n}."),
            "partner-request" when d.EventType == "FinancingApplied" =>
                ($"Pengajuan pembiayaan baru untuk organisasi Anda (kasus {n}) menunggu keputusan.", $"A new financing application to your organisation (case {n}) waits for a decision."),
            "partner-request" when d.EventType == "ReferralOffered" =>
                ($"Rujukan baru untuk organisasi Anda (kasus {n}) menunggu jawaban.", $"A new referral to your organisation (case {n}) waits for an answer."),
            "partner-request" => ($"Peserta baru di layanan organisasi Anda (kasus {n}).", $"A new participant in your organisation's offer (case {n})."),
            _ => ($"Ada kabar baru pada kasus {n}.", $"There is news on case {n}."),
        };
        var link = string.IsNullOrWhiteSpace(appUrl) ? null : $"{appUrl.TrimEnd('/')}/#/cases/{Uri.EscapeDataString(n)}";
        var body = english
            ? $"{en}\n\n{(link is null ? "Open the case in CaseGrains." : $"Open the case: {link}")}\n\nPerintis Berdaya Connect · this message holds no personal data; sign in to see the case."
            : $"{id}\n\n{(link is null ? "Buka kasusnya di CaseGrains." : $"Buka kasusnya: {link}")}\n\nPerintis Berdaya Connect · pesan ini tidak memuat data pribadi; masuk untuk melihat kasusnya.";
        return new NoticeText($"[Perintis Berdaya] {(english ? en : id)}", body);
    }
}
