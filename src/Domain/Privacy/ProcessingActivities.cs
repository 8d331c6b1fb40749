namespace CaseGrains.Domain.Privacy;

/// <summary>A text in both of the platform's languages.</summary>
public sealed record Bilingual(string Indonesian, string English);

/// <summary>
/// One processing activity of the programme, as a record of processing activities lists it (UU 27/2022 PDP, Pasal 31):
/// why personal data is processed, on what basis, about whom, which data, who receives it, how long it is kept, and
/// how it is protected.
/// </summary>
public sealed record ProcessingActivity(
    string Id,
    Bilingual Name,
    Bilingual Purpose,
    Bilingual LegalBasis,
    Bilingual DataSubjects,
    Bilingual DataCategories,
    Bilingual Recipients,
    Bilingual Retention,
    Bilingual Safeguards);

/// <summary>The record of processing activities of a CaseGrains installation (what the platform itself does).</summary>
public static class ProcessingActivities
{
    private static readonly Bilingual Beneficiaries = new(
        "Penerima manfaat program: pelaku UMKM, anggota koperasi, pelaku ekonomi kreatif, pekerja migran",
        "The programme's beneficiaries: UMKM owners, cooperative members, creative-economy actors, migrant workers");

    private static readonly Bilingual Safeguards = new(
        "NIK hanya disimpan terenkripsi dan sebagai hash berkunci; data pribadi dalam riwayat kasus dienkripsi dengan kunci tiap kasus, yang dimusnahkan saat penghapusan; akses per wilayah, per pendamping dan per tujuan persetujuan, diperiksa di server; setiap baca, buka NIK dan ekspor dicatat dengan asal permintaan; riwayat kasus berantai hash, dengan titik periksa berkunci di luar basis data; log, metrik dan pesan pemberitahuan tanpa data pribadi",
        "NIK stored only encrypted and as a keyed hash; personal data in case timelines encrypted under each case's own key, destroyed at erasure; access by region, by assigned mentor and by consented purpose, checked on the server; every read, NIK reveal and export logged with where it came from; hash-chained case timelines, checkpointed under a key outside the database; logs, metrics and notification messages without personal data");

    public static IReadOnlyList<ProcessingActivity> All { get; } =
    [
        new("case-management",
            new("Pengelolaan kasus pendampingan", "Case management"),
            new("Mendampingi penerima manfaat melalui tahapan program: pendaftaran, asesmen, pelatihan, pendampingan, temu bisnis, pembiayaan, kelulusan",
                "Carrying a beneficiary through the programme's stages: intake, assessment, training, mentoring, matchmaking, financing, graduation"),
            new("Persetujuan subjek data (Pasal 20 ayat (2) huruf a) dan pelaksanaan tugas pemerintahan (huruf e)",
                "The data subject's consent (Art. 20(2)(a)) and the performance of a public task (Art. 20(2)(e))"),
            Beneficiaries,
            new("Nama, NIK, jenis kelamin, wilayah, kelompok, profil usaha (sektor, omzet, modal, tenaga kerja), catatan dan riwayat tahapan",
                "Name, NIK, gender, region, segment, business profile (sector, turnover, capital, workers), notes and stage history"),
            new("Petugas dan supervisor wilayahnya", "The region's caseworkers and supervisors"),
            new("Selama kasus terbuka, lalu sesuai masa simpan yang ditetapkan setelah kasus ditutup", "While the case is open, then for the configured retention period after it closes"),
            Safeguards),
        new("mentoring",
            new("Pendampingan usaha", "Business mentoring"),
            new("Sesi pendampingan oleh pendamping yang ditugaskan", "Mentoring sessions by the assigned mentor"),
            new("Persetujuan subjek data untuk pendampingan", "The data subject's consent to mentoring"),
            Beneficiaries,
            new("Nama, NIK tersamar, profil usaha, catatan sesi", "Name, masked NIK, business profile, session notes"),
            new("Pendamping yang sedang ditugaskan (akses berakhir saat penugasan berakhir)", "The currently assigned mentor (access ends with the assignment)"),
            new("Mengikuti kasus", "As the case"),
            Safeguards),
        new("partners-and-financing",
            new("Rujukan mitra dan pembiayaan", "Partner referrals and financing"),
            new("Merujuk ke mitra usaha, penyedia pelatihan dan lembaga pembiayaan (KUR, UMi, LPDB) dan mencatat jawabannya",
                "Referring to business partners, training providers and lenders (KUR, UMi, LPDB) and recording their answers"),
            new("Persetujuan subjek data untuk berbagi dengan mitra dan pemberi pembiayaan", "The data subject's consent to sharing with partners and lenders"),
            Beneficiaries,
            new("Nama, NIK tersamar, profil usaha, jumlah pengajuan dan keputusan pembiayaan", "Name, masked NIK, business profile, amounts applied for and financing decisions"),
            new("Mitra dan pemberi pembiayaan yang dirujuk", "The partners and lenders referred to"),
            new("Mengikuti kasus", "As the case"),
            Safeguards),
        new("programme-statistics",
            new("Statistik program", "Programme statistics"),
            new("Angka agregat per wilayah untuk kementerian (tanpa data perorangan)", "Aggregate figures by region for the ministry (no individual data)"),
            new("Pelaksanaan tugas pemerintahan (Pasal 20 ayat (2) huruf e)", "The performance of a public task (Art. 20(2)(e))"),
            Beneficiaries,
            new("Hanya hitungan: kasus per tahap, kelompok, wilayah, hasil", "Counts only: cases by stage, segment, region, outcome"),
            new("Analis kementerian", "Ministry analysts"),
            new("Tanpa batas (tidak memuat data pribadi)", "Without limit (holds no personal data)"),
            Safeguards),
        new("access-audit",
            new("Log akses dan keamanan", "Access log and security"),
            new("Mencatat siapa membaca, membuka NIK atau mengekspor data kasus, kapan, untuk apa dan dari mana", "Recording who read, revealed a NIK or exported a case's data, when, why and from where"),
            new("Kewajiban hukum pengendali (Pasal 20 ayat (2) huruf c; Pasal 31)", "The controller's legal obligation (Art. 20(2)(c); Art. 31)"),
            new("Petugas, supervisor, pendamping, analis, admin", "Caseworkers, supervisors, mentors, analysts, admins"),
            new("ID akun, peran, tindakan, keperluan, waktu, alamat asal permintaan", "Account id, role, action, purpose, time, the request's origin address"),
            new("Petugas pelindungan data pribadi; supervisor untuk kasus wilayahnya", "The data protection officer; supervisors for their regions' cases"),
            new("Tidak dihapus (log hanya-tambah)", "Never deleted (append-only log)"),
            Safeguards),
    ];
}
