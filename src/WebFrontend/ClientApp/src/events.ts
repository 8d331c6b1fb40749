import { enumNameIn, enumPairs, formatRupiah, inSentence, lang, stageNameIn } from "./i18n";
import { formatLocalDate } from "./zones";
import type { TimelineEvent } from "./offline";

// Every timeline event in words, in Bahasa Indonesia and English, from one place. The keys are the stored event type
// names (src/Domain/Journey/Events.cs, EnrolmentEvents.cs); ClientFilesTests.EveryTimelineEventType_… fails when a type has no text here.

type P = Record<string, unknown>;
type Words = (p: P, offer: (id: unknown) => string) => [string, string];

const s = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const n = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));
const offerOf = (p: P): string => s((p.offer as P | undefined)?.name);
const also = (text: unknown, id: string, en: string): [string, string] => (s(text) ? [`${id}: ${s(text)}`, `${en}: ${s(text)}`] : ["", ""]);
const join = (a: [string, string], b: [string, string]): [string, string] => [a[0] + (b[0] ? ` — ${b[0]}` : ""), a[1] + (b[1] ? ` — ${b[1]}` : "")];

/** Why a case was closed, in both languages (the workbench's picker and status line use the same words). */
export const closeReasonNames = enumPairs("CloseReason");
/** The ways of giving consent the workbench offers: the stored (Indonesian) words and their English. */
export const consentMethods: Record<string, string> = {
  "Formulir persetujuan ditandatangani": "Signed consent form",
  "Cap jempol pada formulir, dengan saksi": "Thumbprint on the form, with a witness",
  "Persetujuan lisan, dengan saksi": "Spoken consent, with a witness",
  "Persetujuan elektronik": "Electronic consent",
};
/** … and the one an import records. */
const consentMethodsEn: Record<string, string> = { ...consentMethods, "impor data (CSV)": "data import (CSV)" };
const matchOutcomes = enumPairs("MatchOutcome", inSentence);
/** The level of an offer's provider (the catalog's and the redundancy map's words). */
export const offerLevels = enumPairs("OfferLevel");
export const repayments = enumPairs("RepaymentStatus", inSentence);
export const umkmClasses = enumPairs("UmkmClass", inSentence);
/** The assessment's answers by field name (a correction names the ones it changed). */
const assessmentFields: Record<string, [string, string]> = {
  sector: ["sektor", "sector"], annualTurnoverIdr: ["omzet setahun", "annual turnover"], businessCapitalIdr: ["modal usaha", "business capital"],
  workers: ["tenaga kerja", "workers"], needs: ["kebutuhan", "needs"],
};
const pick = (table: Record<string, [string, string]>, v: unknown): [string, string] => table[s(v)] ?? [s(v), s(v)];
const stage = (v: unknown): [string, string] => [stageNameIn("id", s(v)), stageNameIn("en", s(v))];

/** " untuk …" / " for …": the purposes a consent names (none: every purpose, said as nothing). */
const purposeWords = (v: unknown): [string, string] => Array.isArray(v) && v.length
  ? [` untuk ${v.map((p) => inSentence(enumNameIn("id", "ConsentPurpose", s(p)))).join(", ")}`, ` for ${v.map((p) => inSentence(enumNameIn("en", "ConsentPurpose", s(p)))).join(", ")}`]
  : ["", ""];

export const eventWords: Record<string, Words> = {
  CaseOpened: (p) => [`Kasus dibuka (NIK ${s(p.nikMasked)})`, `Case opened (NIK ${s(p.nikMasked)})`],
  ConsentRecorded: (p) => {
    const given = s(p.givenOn) ? formatLocalDate(s(p.givenOn)) : "";
    const id = [s(p.method), s(p.formVersion) ? `formulir versi ${s(p.formVersion)}` : "", given ? `tanggal ${given}` : "", s(p.witness) ? `saksi ${s(p.witness)}` : ""];
    const en = [consentMethodsEn[s(p.method)] ?? s(p.method), s(p.formVersion) ? `form version ${s(p.formVersion)}` : "", given ? `given on ${given}` : "", s(p.witness) ? `witness ${s(p.witness)}` : ""];
    const [forId, forEn] = purposeWords(p.purposes);
    return [`Persetujuan dicatat${forId} (${id.filter((x) => x).join(", ")})`, `Consent recorded${forEn} (${en.filter((x) => x).join(", ")})`];
  },
  ConsentWithdrawn: (p) => {
    const on = s(p.withdrawnOn) ? formatLocalDate(s(p.withdrawnOn)) : "";
    const [forId, forEn] = purposeWords(p.purposes);
    const id = [s(p.method), on ? `tanggal ${on}` : "", s(p.witness) ? `saksi ${s(p.witness)}` : "", s(p.note)];
    const en = [s(p.method), on ? `on ${on}` : "", s(p.witness) ? `witness ${s(p.witness)}` : "", s(p.note)];
    return [`Persetujuan ditarik${forId} (${id.filter((x) => x).join(", ")})`, `Consent withdrawn${forEn} (${en.filter((x) => x).join(", ")})`];
  },
  AssessmentRecorded: (p) => {
    const c = pick(umkmClasses, p.umkmClass);
    return [`Asesmen dicatat: sektor ${s(p.sector)}, ${c[0]}, ${n(p.workers)} pekerja`, `Assessment recorded: ${s(p.sector)} sector, ${c[1]}, ${n(p.workers)} workers`];
  },
  AssessmentCorrected: (p) => {
    const changed = Array.isArray(p.changed) ? p.changed.map((f) => pick(assessmentFields, f)) : [];
    const c = pick(umkmClasses, p.umkmClass);
    return [`Asesmen dikoreksi (${changed.map((f) => f[0]).join(", ")}): sektor ${s(p.sector)}, omzet ${formatRupiah(n(p.annualTurnoverIdr))}, ${c[0]}, ${n(p.workers)} pekerja — alasan: ${s(p.reason)}`,
      `Assessment corrected (${changed.map((f) => f[1]).join(", ")}): ${s(p.sector)} sector, turnover ${formatRupiah(n(p.annualTurnoverIdr))}, ${c[1]}, ${n(p.workers)} workers — reason: ${s(p.reason)}`];
  },
  StageStarted: (p) => [`Tahap ${stage(p.stage)[0]} dimulai`, `${stage(p.stage)[1]} stage started`],
  StageCompleted: (p) => [`Tahap ${stage(p.stage)[0]} selesai`, `${stage(p.stage)[1]} stage completed`],
  StageSkipped: (p) => [`Tahap ${stage(p.stage)[0]} dilewati: ${s(p.reason)}`, `${stage(p.stage)[1]} stage skipped: ${s(p.reason)}`],
  CaseClosed: (p) => join([`Kasus ditutup (${pick(closeReasonNames, p.reason)[0]})`, `Case closed (${pick(closeReasonNames, p.reason)[1]})`], also(p.note, "catatan", "note")),
  CaseReopened: (p) => [`Kasus dibuka kembali: ${s(p.reason)}`, `Case reopened: ${s(p.reason)}`],
  ClosureRequested: (p) => [`Penutupan kasus diajukan (${pick(closeReasonNames, p.reason)[0]}), menunggu supervisor`, `Closure requested (${pick(closeReasonNames, p.reason)[1]}), waiting for a supervisor`],
  ClosureRequestDeclined: (p) => [`Permintaan penutupan ditolak: ${s(p.reason)}`, `Closure request declined: ${s(p.reason)}`],
  ReopeningRequested: (p) => [`Pembukaan kembali diajukan: ${s(p.reason)}`, `Reopening requested: ${s(p.reason)}`],
  ReopeningRequestDeclined: (p) => [`Permintaan pembukaan kembali ditolak: ${s(p.reason)}`, `Reopening request declined: ${s(p.reason)}`],
  NoteAdded: (p) => [`Catatan: ${s(p.text)}`, `Note: ${s(p.text)}`],
  TrainingCompletionRecorded: (p) => p.passed
    ? [`Pelatihan "${s(p.courseName)}" lulus (hadir ${n(p.attendancePercent)}%, perlu ${n(p.attendanceThresholdPercent)}%)`, `Course "${s(p.courseName)}" passed (attended ${n(p.attendancePercent)}%, needs ${n(p.attendanceThresholdPercent)}%)`]
    : [`Pelatihan "${s(p.courseName)}" belum lulus (hadir ${n(p.attendancePercent)}%, perlu ${n(p.attendanceThresholdPercent)}%)`, `Course "${s(p.courseName)}" not passed (attended ${n(p.attendancePercent)}%, needs ${n(p.attendanceThresholdPercent)}%)`],
  MentorAssigned: (p) => [`Pendamping ditugaskan: ${s(p.mentorId)}`, `Mentor assigned: ${s(p.mentorId)}`],
  MentoringSessionLogged: (p) => join(join([`Sesi pendampingan ${formatLocalDate(s(p.date))}: ${s(p.topic)}`, `Mentoring session ${formatLocalDate(s(p.date))}: ${s(p.topic)}`],
    also(p.notes, "catatan", "notes")), also(p.nextStep, "langkah berikutnya", "next step")),
  MentoringSessionDue: () => ["Sudah waktunya sesi pendampingan berikutnya (belum ada sesi tercatat dalam periode ini)", "The next mentoring session is due (no session logged in this period)"],
  MentoringSessionCorrected: (p) => join(join([`Sesi pendampingan (riwayat #${n(p.sessionSeq)}) dikoreksi: ${formatLocalDate(s(p.date))}: ${s(p.topic)}`,
    `Mentoring session (timeline #${n(p.sessionSeq)}) corrected: ${formatLocalDate(s(p.date))}: ${s(p.topic)}`], also(p.notes, "catatan", "notes")),
    [`alasan koreksi: ${s(p.reason)}`, `reason for the correction: ${s(p.reason)}`]),
  AttendanceCorrected: (p) => [
    `Kehadiran pelatihan "${s(p.courseName)}" dikoreksi dari ${n(p.previousPercent)}% menjadi ${n(p.attendancePercent)}% (perlu ${n(p.attendanceThresholdPercent)}%; ${p.passed ? "lulus" : "belum lulus"}) — alasan: ${s(p.reason)}`,
    `Attendance in "${s(p.courseName)}" corrected from ${n(p.previousPercent)}% to ${n(p.attendancePercent)}% (needs ${n(p.attendanceThresholdPercent)}%; ${p.passed ? "passed" : "not passed"}) — reason: ${s(p.reason)}`],
  MatchOutcomeRecorded: (p) => [`Hasil pencocokan dengan ${s(p.partnerName)}: ${pick(matchOutcomes, p.outcome)[0]}`, `Match with ${s(p.partnerName)}: ${pick(matchOutcomes, p.outcome)[1]}`],
  FinancingDecisionRecorded: (p) => [`Keputusan pembiayaan ${s(p.productName)}: ${p.decision === "Disbursed" ? "dicairkan" : "ditolak"} ${formatRupiah(n(p.amountIdr))}`,
    `Financing decision on ${s(p.productName)}: ${p.decision === "Disbursed" ? "disbursed" : "rejected"} ${formatRupiah(n(p.amountIdr))}`],
  OutcomesRecorded: (p) => [`Hasil akhir dicatat: ${pick(umkmClasses, p.umkmClassAfter)[0]}, ${n(p.workersAfter)} pekerja`, `Outcomes recorded: ${pick(umkmClasses, p.umkmClassAfter)[1]}, ${n(p.workersAfter)} workers`],
  SlaWarned: (p) => [`Tahap ${stage(p.stage)[0]} hampir melewati batas waktu`, `${stage(p.stage)[1]} stage is close to its deadline`],
  SlaBreached: (p) => [`Tahap ${stage(p.stage)[0]} melewati batas waktu`, `${stage(p.stage)[1]} stage is overdue`],
  SlaEscalated: (p) => [`Tahap ${stage(p.stage)[0]} yang terlambat diteruskan ke supervisor`, `Overdue ${stage(p.stage)[1]} stage escalated to the supervisors`],
  SubjectErased: (p) => [`Data pribadi penerima manfaat dihapus (kunci dimusnahkan): ${s(p.reason)} — dasar hukum: ${s(p.legalBasis)}`,
    `The beneficiary's personal data erased (key destroyed): ${s(p.reason)} — legal basis: ${s(p.legalBasis)}`],
  Enrolled: (p) => [`Terdaftar di ${offerOf(p)}`, `Enrolled in ${offerOf(p)}`],
  Waitlisted: (p) => [`Masuk daftar tunggu ${offerOf(p)} (urutan ${n(p.position)})`, `Waitlisted for ${offerOf(p)} (position ${n(p.position)})`],
  WaitlistPromoted: (p, offer) => [`Naik dari daftar tunggu: ${offer(p.offerId)}`, `Promoted from the waitlist: ${offer(p.offerId)}`],
  EnrolmentWithdrawn: (p, offer) => [`Mundur dari ${offer(p.offerId)}: ${s(p.reason)}`, `Withdrew from ${offer(p.offerId)}: ${s(p.reason)}`],
  EnrolmentCompleted: (p, offer) => join([`${offer(p.offerId)} selesai`, `${offer(p.offerId)} completed`], also(p.note, "catatan", "note")),
  ReferralOffered: (p) => [`Dirujuk ke ${offerOf(p)}`, `Referred to ${offerOf(p)}`],
  ReferralAccepted: (p, offer) => [`Rujukan diterima oleh ${offer(p.offerId)}`, `Referral accepted by ${offer(p.offerId)}`],
  ReferralDeclined: (p, offer) => [`Rujukan ditolak oleh ${offer(p.offerId)}: ${s(p.reason)}`, `Referral declined by ${offer(p.offerId)}: ${s(p.reason)}`],
  ReferralResponseOverdue: (p, offer) => [`${offer(p.offerId)} belum menjawab rujukan`, `${offer(p.offerId)} has not answered the referral`],
  ReferralOutcomeReported: (p, offer) => [`Hasil rujukan ${offer(p.offerId)}: ${pick(matchOutcomes, p.outcome)[0]}`, `Referral outcome with ${offer(p.offerId)}: ${pick(matchOutcomes, p.outcome)[1]}`],
  FinancingApplied: (p) => [`Mengajukan pembiayaan ${offerOf(p)} sebesar ${formatRupiah(n(p.amountIdr))}`, `Applied for ${offerOf(p)}: ${formatRupiah(n(p.amountIdr))}`],
  FinancingApproved: (p, offer) => [`Pembiayaan ${offer(p.offerId)} disetujui, plafon ${formatRupiah(n(p.plafondIdr))}`, `${offer(p.offerId)} approved, limit ${formatRupiah(n(p.plafondIdr))}`],
  FinancingRejected: (p, offer) => [`Pembiayaan ${offer(p.offerId)} ditolak: ${s(p.reason)}`, `${offer(p.offerId)} rejected: ${s(p.reason)}`],
  FinancingDisbursed: (p, offer) => [`Pembiayaan ${offer(p.offerId)} dicairkan ${formatRupiah(n(p.amountIdr))} pada ${formatLocalDate(s(p.date))}`, `${offer(p.offerId)} disbursed ${formatRupiah(n(p.amountIdr))} on ${formatLocalDate(s(p.date))}`],
  RepaymentStatusRecorded: (p, offer) => [`Angsuran ${offer(p.offerId)}: ${pick(repayments, p.status)[0]}`, `Repayment of ${offer(p.offerId)}: ${pick(repayments, p.status)[1]}`],
};

/** The names of the offers a timeline mentions, by id (later events name only the offer id). */
function offerNames(events: TimelineEvent[]): (id: unknown) => string {
  const names = new Map<string, string>();
  for (const e of events) {
    const offer = e.payload?.offer as P | undefined;
    if (offer?.id) names.set(s(offer.id), s(offer.name));
  }
  return (id) => names.get(s(id)) ?? s(id);
}

/** One event in words in both languages [Bahasa Indonesia, English] (the subject access export carries both). */
export function describeBoth(e: TimelineEvent, all: TimelineEvent[]): [string, string] {
  const words = eventWords[e.type];
  return words ? words(e.payload ?? {}, offerNames(all)) : [`Peristiwa lain (${e.type})`, `Other event (${e.type})`];
}

/** One event in words in the page's language; an unknown type (a newer server) is named as such, never shown raw alone. */
export function describe(e: TimelineEvent, all: TimelineEvent[]): string {
  const words = eventWords[e.type];
  if (!words) return lang === "id" ? `Peristiwa lain (${e.type})` : `Other event (${e.type})`;
  const [id, en] = words(e.payload ?? {}, offerNames(all));
  return lang === "id" ? id : en;
}

/** Who did it, in words: the system's timers and sweeps are named as such. */
export function actorWords(e: TimelineEvent): string {
  if (e.actorId.startsWith("system")) return lang === "id" ? "sistem" : "system";
  // A partner's own answer: who, and that it came from the partner.
  if (e.actorRole === "Partner") return `${e.actorId} (${enumNameIn(lang, "Role", "Partner")})`;
  return e.actorId;
}
