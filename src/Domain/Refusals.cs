using CaseGrains.Domain.Words;
using System.Globalization;
using CaseGrains.Domain.Journey;

namespace CaseGrains.Domain;

/// <summary>
/// Every refusal the domain gives, with its stable code. Codes are part of the API contract: add new ones,
/// never rename. Messages name the rule in words a caseworker understands.
/// </summary>
public static class Refusals
{
    public static Refusal NikFormat() => new(
        "nik.invalid_format",
        "NIK harus terdiri dari 16 digit angka.",
        "A NIK is 16 digits.") { Field = "nik" };

    public static Refusal NikRegion() => new(
        "nik.unknown_region",
        "Kode wilayah pada NIK (provinsi dan kabupaten/kota) tidak dikenal.",
        "The region part of the NIK (province and kab/kota) is not a known region.") { Field = "nik" };

    public static Refusal NikDistrict() => new(
        "nik.unknown_district",
        "Kode kecamatan pada NIK (enam digit pertama) tidak ada dalam daftar wilayah Kemendagri.",
        "The kecamatan in the NIK (its first six digits) is not in the Kemendagri region list.") { Field = "nik" };

    public static Refusal NikBirthDate() => new(
        "nik.invalid_birth_date",
        "Tanggal lahir pada NIK tidak valid (untuk perempuan, tanggal ditambah 40).",
        "The birth date part of the NIK is not a valid date (women's day is day + 40).") { Field = "nik" };

    public static Refusal UnknownRegion(string field) => new(
        "region.unknown",
        "Kode wilayah tidak dikenal (format Kemendagri, mis. 35.79.01).",
        "Unknown region code (Kemendagri format, e.g. 35.79.01).") { Field = field };

    public static Refusal RegionTooCoarse(string field) => new(
        "region.too_coarse",
        "Wilayah penerima manfaat harus setingkat kecamatan atau desa/kelurahan.",
        "A beneficiary's region must be a kecamatan or a desa/kelurahan.") { Field = field };

    public static Refusal Required(string field) => new(
        "input.required",
        $"Kolom '{field}' wajib diisi.",
        $"'{field}' is required.") { Field = field };

    public static Refusal TooLong(string field, int max) => new(
        "input.too_long",
        $"Kolom '{field}' paling banyak {max} karakter.",
        $"'{field}' is at most {max} characters.") { Field = field };

    /// <summary>A value outside its range, where the range is language-neutral (numbers: "0..100", ">= 0").</summary>
    public static Refusal OutOfRange(string field, string range) => OutOfRange(field, range, range);

    /// <summary>A value outside its range, with the range in words in each language.</summary>
    public static Refusal OutOfRange(string field, string indonesian, string english) => new(
        "input.out_of_range",
        $"Nilai '{field}' harus {indonesian}.",
        $"'{field}' must be {english}.") { Field = field };

    /// <summary>
    /// The beneficiary does not consent to <paramref name="purpose"/> now: <c>consent.withdrawn</c> when they withdrew it,
    /// <c>consent.missing</c> when it was never given.
    /// </summary>
    public static Refusal Consent(CaseState state, Privacy.ConsentPurpose purpose) => state.Withdrew(purpose)
        ? new("consent.withdrawn",
            $"Penerima manfaat telah menarik persetujuan untuk {EnumWords.InSentence(EnumWords.Id(purpose))}; langkah ini tidak dapat dilakukan.",
            $"The beneficiary withdrew consent to {EnumWords.InSentence(EnumWords.En(purpose))}; this step cannot be taken.")
        {
            Details = new Dictionary<string, string> { ["purpose"] = purpose.ToString() },
        }
        : new("consent.missing",
            $"Belum ada persetujuan penerima manfaat untuk {EnumWords.InSentence(EnumWords.Id(purpose))}; catat persetujuannya lebih dulu.",
            $"The beneficiary has not consented to {EnumWords.InSentence(EnumWords.En(purpose))}; record their consent first.")
        {
            Details = new Dictionary<string, string> { ["purpose"] = purpose.ToString() },
        };

    public static Refusal CaseClosed(CaseStatus status) => new(
        "case.not_open",
        status == CaseStatus.Graduated
            ? "Kasus sudah selesai (mandiri); tidak ada langkah lagi."
            : "Kasus sudah ditutup; buka kembali (oleh supervisor) sebelum melanjutkan.",
        status == CaseStatus.Graduated
            ? "The case has graduated; no further steps are possible."
            : "The case is closed; a supervisor must reopen it first.");

    public static Refusal CaseErased() => new(
        "case.erased",
        "Data pribadi penerima manfaat kasus ini telah dihapus; kasus tidak dapat diubah lagi.",
        "The beneficiary's personal data in this case has been erased; the case can no longer be changed.");

    public static Refusal ErasureCaseOpen() => new(
        "erasure.case_open",
        "Hanya kasus yang sudah ditutup (atau mandiri) yang dapat dihapus datanya. Tutup kasus terlebih dahulu.",
        "Only a closed (or graduated) case can be erased. Close the case first.");

    public static Refusal CaseNotClosed() => new(
        "case.not_closed",
        "Hanya kasus yang ditutup yang dapat dibuka kembali.",
        "Only a closed case can be reopened.");

    public static Refusal ApprovalAlreadyPending(ApprovalRequestKind pending) => new(
        "approval.already_pending",
        pending == ApprovalRequestKind.Closure
            ? "Permintaan penutupan kasus ini masih menunggu keputusan supervisor."
            : "Permintaan pembukaan kembali kasus ini masih menunggu keputusan supervisor.",
        pending == ApprovalRequestKind.Closure
            ? "A request to close this case is still waiting for a supervisor's decision."
            : "A request to reopen this case is still waiting for a supervisor's decision.");

    public static Refusal NoApprovalPending(ApprovalRequestKind kind) => new(
        "approval.none_pending",
        kind == ApprovalRequestKind.Closure
            ? "Tidak ada permintaan penutupan yang menunggu keputusan untuk kasus ini."
            : "Tidak ada permintaan pembukaan kembali yang menunggu keputusan untuk kasus ini.",
        kind == ApprovalRequestKind.Closure
            ? "There is no closure request waiting for a decision on this case."
            : "There is no reopening request waiting for a decision on this case.");

    public static Refusal StageTransition(Stage stage, StageState state, StageAction action) => new(
        "stage.transition_not_allowed",
        $"Tahap {Names.Id(stage)} berstatus {Names.Id(state)}; tidak dapat {Names.Id(action)}.",
        $"Stage {Names.En(stage)} is {EnumWords.InSentence(EnumWords.En(state))}; it cannot be {Names.En(action)}.")
    { Details = new Dictionary<string, string> { ["stage"] = stage.ToString(), ["state"] = state.ToString() } };

    public static Refusal StageOutOfOrder(Stage stage, Stage blocking) => new(
        "stage.out_of_order",
        $"Tahap {Names.Id(stage)} belum dapat dimulai: tahap {Names.Id(blocking)} belum selesai atau dilewati.",
        $"Stage {Names.En(stage)} cannot start yet: stage {Names.En(blocking)} is not completed or skipped.")
    { Details = new Dictionary<string, string> { ["stage"] = stage.ToString(), ["blockingStage"] = blocking.ToString() } };

    public static Refusal StageNotSkippable(Stage stage) => new(
        "stage.not_skippable",
        $"Tahap {Names.Id(stage)} tidak boleh dilewati.",
        $"Stage {Names.En(stage)} cannot be skipped.");

    public static Refusal StageNotActive(Stage stage) => new(
        "stage.not_active",
        $"Langkah ini hanya dapat dicatat saat tahap {Names.Id(stage)} aktif.",
        $"This can only be recorded while stage {Names.En(stage)} is active.")
    { Details = new Dictionary<string, string> { ["stage"] = stage.ToString() } };

    public static Refusal MentorRequired() => new(
        "mentor.not_assigned",
        "Belum ada pendamping yang ditugaskan pada kasus ini.",
        "No mentor is assigned to this case.");

    public static Refusal Gate(Stage stage, string gate, string indonesian, string english) => new(
        $"gate.{gate}",
        $"Tahap {Names.Id(stage)} belum dapat diselesaikan: {indonesian}",
        $"Stage {Names.En(stage)} cannot be completed: {english}")
    { Details = new Dictionary<string, string> { ["stage"] = stage.ToString(), ["gate"] = gate } };

    public static Refusal DuplicateCase(string existingCaseNumber) => new(
        "case.duplicate",
        $"Penerima manfaat dengan NIK ini sudah memiliki kasus terbuka: {existingCaseNumber}.",
        $"A beneficiary with this NIK already has an open case: {existingCaseNumber}.")
    { Details = new Dictionary<string, string> { ["existingCaseNumber"] = existingCaseNumber } };

    /// <summary>The person has an open case the caller may not see: say so, without its number.</summary>
    public static Refusal DuplicateCaseElsewhere() => new(
        "case.duplicate",
        "Penerima manfaat dengan NIK ini sudah memiliki kasus terbuka yang ditangani di wilayah lain.",
        "A beneficiary with this NIK already has an open case handled in another region.");

    public static Refusal UnknownMentor() => new(
        "mentor.unknown",
        "Pendamping tidak dikenal: ID ini bukan akun pendamping yang aktif.",
        "Unknown mentor: this id is not an active mentor account.") { Field = "mentorId" };

    public static Refusal NikNotStored() => new(
        "nik.not_stored",
        "NIK kasus ini tidak tersimpan.",
        "This case's NIK is not stored.");

    public static Refusal StaleVersion(int currentVersion) => new(
        "case.version_conflict",
        $"Kasus sudah berubah (versi sekarang {currentVersion.ToString(CultureInfo.InvariantCulture)}); muat ulang lalu coba lagi.",
        $"The case has changed (current version {currentVersion.ToString(CultureInfo.InvariantCulture)}); reload and try again.")
    { Details = new Dictionary<string, string> { ["currentVersion"] = currentVersion.ToString(CultureInfo.InvariantCulture) } };

    public static Refusal CaseNotFound() => new(
        "case.not_found",
        "Kasus tidak ditemukan.",
        "Case not found.");

    /// <summary>No such mentor — also the answer for one the caller may not see, so the two read alike.</summary>
    public static Refusal MentorNotFound() => new(
        "user.not_found",
        "Pendamping tidak ditemukan.",
        "Mentor not found.");

    public static Refusal Forbidden() => new(
        "access.forbidden",
        "Peran Anda tidak berwenang melakukan tindakan ini.",
        "Your role is not allowed to do this.");

    public static Refusal CommandIdReused() => new(
        "command.id_reused",
        "ID perintah ini sudah dipakai untuk perintah lain.",
        "This command id was already used for a different command.") { Field = "commandId" };

    /// <summary>Indonesian and English names for enum values used inside messages.</summary>
    public static class Names
    {
        public static string Id(Stage stage) => EnumWords.Id(stage);

        public static string En(Stage stage) => EnumWords.En(stage);

        public static string Id(StageState state) => state switch
        {
            StageState.NotStarted => "belum dimulai",
            StageState.Active => "aktif",
            StageState.Completed => "selesai",
            StageState.Skipped => "dilewati",
            _ => state.ToString(),
        };

        public static string Id(StageAction action) => action switch
        {
            StageAction.Start => "dimulai",
            StageAction.Complete => "diselesaikan",
            StageAction.Skip => "dilewati",
            _ => action.ToString(),
        };

        public static string Id(Services.OfferLevel level) => EnumWords.InSentence(EnumWords.Id(level));

        public static string En(Services.OfferLevel level) => EnumWords.InSentence(EnumWords.En(level));

        /// <summary>Offers named as a refusal names them: "name (provider, level)", joined by "; ", in one language.</summary>
        public static string Offers(IEnumerable<Services.Offer> offers, bool english) =>
            string.Join("; ", offers.Select(o => $"{o.Name} ({o.Provider}, {(english ? En(o.Level) : Id(o.Level))})"));

        public static string En(StageAction action) => action switch
        {
            StageAction.Start => "started",
            StageAction.Complete => "completed",
            StageAction.Skip => "skipped",
            _ => action.ToString(),
        };
    }
}
