import enums from "../../../Domain/Words/enums.json";
// Bahasa Indonesia by default, English on request; the choice is kept in this browser.
const messages = {
  id: {
    "app.title": "Perintis Berdaya Connect",
    "auth.title": "Masuk",
    "auth.userId": "ID pengguna",
    "auth.password": "Kata sandi",
    "auth.submit": "Masuk",
    "auth.logout": "Keluar",
    "auth.failed": "ID pengguna atau kata sandi salah.",
    "mentor.title": "Kasus dampingan saya",
    "mentor.empty": "Belum ada kasus yang ditugaskan.",
    "mentor.export": "Unduh daftar kasus (CSV)",
    "case.stage": "Tahap",
    "case.updated": "Perubahan terakhir",
    "case.back": "← Kembali",
    "case.timeline": "Riwayat kasus",
    "session.title": "Catat sesi pendampingan",
    "session.date": "Tanggal",
    "session.topic": "Topik",
    "session.notes": "Catatan",
    "session.next": "Langkah berikutnya",
    "session.submit": "Simpan sesi",
    "session.saved": "Sesi tersimpan.",
    "live.reconnecting": "Koneksi terputus — menghubungkan ulang…",
    "live.unavailable": "Layanan sedang tidak dapat dijangkau — mencoba lagi…",
    "live.ended": "Kasus ini tidak lagi ditugaskan kepada Anda.",
    "nav.notifications": "Pemberitahuan",
    "live.consent-withdrawn": "Penerima manfaat menarik persetujuan pendampingan: kasus ini tidak lagi dapat Anda lihat, dan datanya dihapus dari perangkat ini.",
    "live.sharing-withdrawn": "Penerima manfaat menarik persetujuan berbagi data dengan mitra: kasus ini tidak lagi dapat dilihat organisasi Anda.",
    "session.ended.signed-out": "Sesi Anda berakhir: akun ini keluar (di perangkat lain atau di sini). Silakan masuk lagi.",
    "session.ended.account-disabled": "Sesi Anda berakhir: akun ini dinonaktifkan oleh admin.",
    "session.ended.password-changed": "Sesi Anda berakhir: kata sandi akun ini diganti. Silakan masuk lagi.",
    "session.ended.access-changed": "Sesi Anda berakhir: peran atau wilayah akun ini diubah. Silakan masuk lagi.",
    "session.ended.session-expired": "Sesi Anda berakhir: sudah lebih dari 12 jam sejak Anda masuk. Silakan masuk lagi.",
    "error.generic": "Terjadi kesalahan.",
    "dash.title": "Dasbor program",
    "dash.up": "↑ Naik satu tingkat",
    "dash.cases": "Kasus",
    "dash.open": "Berjalan",
    "dash.graduated": "Mandiri",
    "dash.disbursed": "Pembiayaan dicairkan",
    "dash.funnel": "Kasus per tahap",
    "dash.bySegment": "Per segmen",
    "dash.byGender": "Per jenis kelamin",
    "dash.children": "Wilayah di bawahnya",
    "dash.region": "Wilayah",
    "dash.throughput": "Tahap diselesaikan per minggu",
    "dash.median": "Median lama tahap (hari)",
    "dash.classes": "Perubahan kelas usaha",
    "dash.financing": "Pembiayaan",
    "dash.applied": "Diajukan",
    "dash.approved": "Disetujui",
    "dash.redundancy": "Layanan tumpang tindih",
    "dash.beneficiaries": "penerima manfaat",
    "dash.none": "Belum ada data.",
    "dash.live": "Angka diperbarui langsung.",
    "dash.problems": "Belanja masalah wilayah ini",
    "gender.Male": "Laki-laki",
    "gender.Female": "Perempuan",
  },
  en: {
    "app.title": "Perintis Berdaya Connect",
    "auth.title": "Sign in",
    "auth.userId": "User id",
    "auth.password": "Password",
    "auth.submit": "Sign in",
    "auth.logout": "Sign out",
    "auth.failed": "Wrong user id or password.",
    "mentor.title": "My mentoring cases",
    "mentor.empty": "No cases are assigned to you yet.",
    "mentor.export": "Download the case list (CSV)",
    "case.stage": "Stage",
    "case.updated": "Last change",
    "case.back": "← Back",
    "case.timeline": "Case timeline",
    "session.title": "Log a mentoring session",
    "session.date": "Date",
    "session.topic": "Topic",
    "session.notes": "Notes",
    "session.next": "Next step",
    "session.submit": "Save session",
    "session.saved": "Session saved.",
    "live.reconnecting": "Connection lost — reconnecting…",
    "live.unavailable": "The service cannot be reached — trying again…",
    "live.ended": "This case is no longer assigned to you.",
    "nav.notifications": "Notifications",
    "live.consent-withdrawn": "The beneficiary withdrew consent to mentoring: you can no longer see this case, and its data was removed from this device.",
    "live.sharing-withdrawn": "The beneficiary withdrew consent to sharing data with partners: your organisation can no longer see this case.",
    "session.ended.signed-out": "Your session ended: this account signed out (on another device or here). Please sign in again.",
    "session.ended.account-disabled": "Your session ended: an admin disabled this account.",
    "session.ended.password-changed": "Your session ended: this account's password was changed. Please sign in again.",
    "session.ended.access-changed": "Your session ended: this account's role or regions were changed. Please sign in again.",
    "session.ended.session-expired": "Your session ended: it is more than 12 hours since you signed in. Please sign in again.",
    "error.generic": "Something went wrong.",
    "dash.title": "Programme dashboard",
    "dash.up": "↑ Up one level",
    "dash.cases": "Cases",
    "dash.open": "Open",
    "dash.graduated": "Graduated",
    "dash.disbursed": "Financing disbursed",
    "dash.funnel": "Cases per stage",
    "dash.bySegment": "By segment",
    "dash.byGender": "By gender",
    "dash.children": "Regions below",
    "dash.region": "Region",
    "dash.throughput": "Stages completed per week",
    "dash.median": "Median time in stage (days)",
    "dash.classes": "Business class changes",
    "dash.financing": "Financing",
    "dash.applied": "Applied",
    "dash.approved": "Approved",
    "dash.redundancy": "Overlapping offers",
    "dash.beneficiaries": "beneficiaries",
    "dash.none": "No data yet.",
    "dash.live": "Numbers update live.",
    "dash.problems": "Field problems of this region",
    "gender.Male": "Male",
    "gender.Female": "Female",
  },
} as const;

export type Lang = keyof typeof messages;
export type Key = keyof (typeof messages)["id"];

// Every enum value in both languages: the one table the server's messages read too (src/Domain/Words/enums.json).
const enumTable = enums as unknown as Record<string, Record<string, [string, string]>>;

/** An enum value in words in the given language (its name only when the table lacks it, which a test forbids). */
export const enumNameIn = (l: Lang, type: string, value: string): string => enumTable[type]?.[value]?.[l === "id" ? 0 : 1] ?? value;

/** An enum value in words in the page's language. */
export const enumName = (type: string, value: string): string => enumNameIn(lang, type, value);

/** A text as a word inside a sentence: the first letter lower-cased unless it starts an acronym ("usaha mikro", but "UMKM"). */
export const inSentence = (text: string): string => (/^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text);

/** An enum's values as [Indonesian, English] pairs, optionally shaped for use inside a sentence. */
export const enumPairs = (type: string, shape: (text: string) => string = (x) => x): Record<string, [string, string]> =>
  Object.fromEntries(Object.entries(enumTable[type] ?? {}).map(([k, [id, en]]) => [k, [shape(id), shape(en)]]));

export let lang: Lang = localStorage.getItem("lang") === "en" ? "en" : "id";

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem("lang", next);
  document.documentElement.lang = next;
}

export const t = (key: Key): string => messages[lang][key];

/** A phrase in the current language, for screens that keep their words next to the code. */
export const words = (id: string, en: string): string => (lang === "id" ? id : en);

export const stageName = (stage: string): string => stageNameIn(lang, stage);

/** A stage's name in the given language (the timeline's words hold both). */
export const stageNameIn = (l: Lang, stage: string): string => enumNameIn(l, "Stage", stage);

export const formatTime = (iso: string): string =>
  new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Jakarta" }).format(new Date(iso));

export const segmentName = (segment: string): string => enumName("Segment", segment);

/** Whole numbers as Indonesians write them (12.345), or in English (12,345). */
export const formatNumber = (n: number): string => new Intl.NumberFormat(lang === "id" ? "id-ID" : "en-GB").format(n);

/** Rupiah without decimals: Rp 12.345.678. */
export const formatRupiah = (n: number): string =>
  new Intl.NumberFormat(lang === "id" ? "id-ID" : "en-GB", { style: "currency", currency: "IDR", maximumFractionDigits: 0 }).format(n);

/** Translates every element carrying data-i18n. */
export function translatePage(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n as Key);
  });
}
