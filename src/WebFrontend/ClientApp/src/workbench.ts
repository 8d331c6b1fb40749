import { enumName, enumPairs, formatRupiah, formatTime, inSentence, lang, segmentName, stageName, words } from "./i18n";
import { type Api, type El, downloadLink } from "./page";
import { closeReasonNames, consentMethods, repayments, umkmClasses } from "./events";
import { kecamatanPicker, regionsUnder } from "./regions";
import type { TimelineEvent } from "./offline";
import { formatLocalDate } from "./zones";

// The caseworker's and supervisor's workbench: the cases of their regions with filters, intake, and a case page with the
// journey's gates and every action (stages, assessment, ranked courses / mentors / partners / lenders, enrolment with the
// overlap warning to acknowledge, each enrolment's next step, notes, closing and reopening through a supervisor's
// approval, outcomes). Every rule is the server's; this page shows its answers.


export interface Problem { code: string; detail?: string; title?: string }
interface Stage { stage: string; state: string; gateMet: boolean; gateMissing: { indonesian: string; english: string } | null }
interface Profile { sector: string; annualTurnoverIdr: number; businessCapitalIdr: number; workers: number; needs: string[]; umkmClass: string }
interface Enrolment { offerId: string; offerName: string; offerType: string; provider: string; status: string; waitlistPosition: number | null; passed: boolean | null;
  attendancePercent: number | null; attendanceThresholdPercent: number | null;
  respondBy: string | null; responseOverdue: boolean; amountIdr: number | null; plafondIdr: number | null; disbursedIdr: number | null; repayment: string | null; reason: string | null }
interface Pending { kind: "Closure" | "Reopening"; reason: string | null; closeReason: string | null; requestedAt: string; requestedBy: string }
interface View { caseNumber: string; version: number; fullName: string; status: string; closeReason: string | null; currentStage: string; regionName: string; segment: string;
  nikMasked: string; stages: Stage[]; profile: Profile | null; mentorId: string | null; enrolments: Enrolment[]; pendingApproval: Pending | null;
  regionCode: string; consentRecorded: boolean; consent: { method: string; formVersion: string | null; givenOn: string | null; witness: string | null } | null;
  consentPurposes: string[]; withdrawal: { purposes: string[]; method: string; withdrawnOn: string | null; witness: string | null; note: string | null; recordedAt: string } | null;
  erasedAt: string | null }

/** The purposes a beneficiary consents to, each on its own (UU PDP); withdrawing case management ends them all. */
const purposes = ["CaseManagement", "Mentoring", "PartnerSharing"];
interface Candidate { kind: string; id: string; name: string; provider: string | null; score: number; reasons: { code: string; points: number; indonesian: string; english: string }[] }
export interface Summary { caseNumber: string; version: number; fullName: string; regionCode: string; segment: string; currentStage: string; status: string; sla: string; mentorId: string | null;
  pendingApproval: string | null }

// The case version on screen: a live event or a command's answer re-renders only when it is newer (one render per
// version, so a form being filled in is not replaced by a second render of the same version).
let rendered = { caseNumber: "", version: 0, lang: "" };

/** True when the page already shows (or is drawing) this case at this version or later, in the page's language. */
export const isRendered = (caseNumber: string, version: number): boolean =>
  rendered.caseNumber === caseNumber && rendered.version >= version && rendered.lang === lang;

// The part of the page the user last acted in (the form, row or section of the button clicked or the form submitted):
// a command sent from it clears what was typed there, and only there.
let actionScope: HTMLElement | null = null;

/** Remembers where the user acted (a capturing click / submit listener on the page). */
export function markAction(e: Event): void {
  actionScope = (e.target as HTMLElement | null)?.closest<HTMLElement>("form, details, li, section") ?? null;
}

const stages = ["Intake", "Assessment", "Training", "Mentoring", "Matching", "Financing", "Graduated"];
const skippable = ["Training", "Mentoring", "Matching", "Financing"];
const segments = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"];
const closeReasons = ["DroppedOut", "Ineligible", "Duplicate", "Moved", "Deceased"];

const closeReasonName = (r: string): string => (closeReasonNames[r] ? words(...closeReasonNames[r]) : r);

// Stage, case and enrolment states share one lookup (where names repeat, so do the words).
const statusNames = { ...enumPairs("StageState"), ...enumPairs("CaseStatus"), ...enumPairs("EnrolmentStatus") };
export const statusName = (s: string): string => (statusNames[s] ? words(...statusNames[s]) : s);

/** A labelled control for inline forms: the label names it for screen readers and keyboard users alike. */
function field(el: El, id: string, label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  control.id = id;
  return el("span", { className: "field" }, el("label", { htmlFor: id, textContent: label }), control);
}

function options(el: El, values: string[], name: (v: string) => string, empty?: string): HTMLOptionElement[] {
  return [...(empty !== undefined ? [el("option", { value: "", textContent: empty })] : []), ...values.map((v) => el("option", { value: v, textContent: name(v) }))];
}

// Whether the folded parts of the list page were open (they stay so across a visit to a case page).
let moreFiltersOpen = false;
let intakeOpen = false;

// The list's filters survive a visit to a case page.
const filters = { region: "", stage: "", segment: "", mentor: "", pending: "", overdue: false, q: "" };

/** The list's query string (the export reads the same filters). */
export function listParams(f: typeof filters = filters): URLSearchParams {
  const params = new URLSearchParams();
  if (f.region) params.set("region", f.region);
  if (f.stage) params.set("stage", f.stage);
  if (f.segment) params.set("segment", f.segment);
  if (f.mentor.trim()) params.set("mentor", f.mentor.trim());
  if (f.pending) params.set("pending", f.pending);
  if (f.overdue) params.set("overdue", "true");
  if (f.q.trim()) params.set("q", f.q.trim());
  return params;
}

export async function renderWorkbench(app: HTMLElement, api: Api, el: El, regions: string[], role: string): Promise<void> {
  const under = await regionsUnder(api, regions);
  const regionName = (code: string): string =>
    under.filter((r) => code === r.code || code.startsWith(r.code + ".")).sort((a, b) => b.code.length - a.code.length)[0]?.name ?? code;
  const region = el("select", {}, ...options(el, under.map((k) => k.code), (c) => `${under.find((k) => k.code === c)?.name} (${c})`, words("Semua wilayah saya", "All my regions")));
  const stage = el("select", {}, ...options(el, stages, stageName, words("Semua tahap", "All stages")));
  const segment = el("select", {}, ...options(el, segments, segmentName, words("Semua segmen", "All segments")));
  const mentor = el("input", { autocomplete: "off" });
  const pending = el("select", {}, ...options(el, ["Closure", "Reopening"], (k) => (k === "Closure" ? words("Menunggu persetujuan penutupan", "Closure awaiting approval")
    : words("Menunggu persetujuan buka kembali", "Reopening awaiting approval")), words("Semua", "All")));
  const overdue = el("input", { id: "f-overdue", type: "checkbox" });
  const q = el("input", { type: "search", autocomplete: "off" });
  region.value = filters.region; stage.value = filters.stage; segment.value = filters.segment; mentor.value = filters.mentor;
  pending.value = filters.pending; overdue.checked = filters.overdue; q.value = filters.q;
  const list = el("ul", { className: "cases", id: "wb-cases" });
  const total = el("p", { className: "meta", id: "wb-total", role: "status" });
  const exportMessage = el("p", { id: "export-message", className: "error", role: "status" });
  const exportLink = downloadLink(el, "export", "action", words("Unduh daftar (CSV, NIK disamarkan)", "Download the list (CSV, NIK masked)"), "/api/cases/export", exportMessage, lang);
  const load = async () => {
    Object.assign(filters, { region: region.value, stage: stage.value, segment: segment.value, mentor: mentor.value, pending: pending.value, overdue: overdue.checked, q: q.value });
    const params = listParams();
    exportLink.href = `/api/cases/export?${params}`;
    params.set("pageSize", "200");
    const page = await api<{ items: Summary[]; total: number }>("GET", `/api/cases?${params}`);
    const items = page.ok ? page.data.items : [];
    total.textContent = words(`${page.ok ? page.data.total : 0} kasus`, `${page.ok ? page.data.total : 0} cases`);
    list.replaceChildren(...items.map((c) => {
      const flags = [c.sla !== "OnTime" ? "⚠ " + (c.sla === "Escalated" ? words("dieskalasi", "escalated") : words("lewat tenggat", "overdue")) : "",
        c.pendingApproval ? "⏳ " + words("menunggu persetujuan", "awaiting approval") : "", c.status !== "Open" ? statusName(c.status) : ""].filter((f) => f);
      // The region by its name (the kecamatan or kab/kota served), its code on hover.
      const region = el("span", { textContent: regionName(c.regionCode), title: c.regionCode });
      const li = el("li", {}, el("a", { href: `#/cases/${c.caseNumber}` }, el("strong", { textContent: `${c.fullName} · ${c.caseNumber}` }),
        el("div", { className: "meta" }, `${stageName(c.currentStage)} · ${segmentName(c.segment)} · `, region,
          [c.mentorId ?? "", ...flags].filter((x) => x).map((x) => ` · ${x}`).join(""))));
      li.dataset.case = c.caseNumber;
      return li;
    }));
  };
  // The list comes first: one search box, the other filters folded (open while one is set), registering a new person
  // folded above it (open while being filled in).
  const more = el("details", { id: "more-filters", open: moreFiltersOpen || !!(filters.region || filters.stage || filters.segment || filters.mentor || filters.pending || filters.overdue) },
    el("summary", { textContent: words("Saring menurut wilayah, tahap, segmen…", "Filter by region, stage, segment…") }),
    field(el, "f-region", words("Wilayah", "Region"), region),
    field(el, "f-stage", words("Tahap", "Stage"), stage),
    field(el, "f-segment", words("Segmen", "Segment"), segment),
    field(el, "f-mentor", words("ID pendamping", "Mentor id"), mentor),
    field(el, "f-pending", words("Persetujuan", "Approval"), pending),
    el("label", { htmlFor: "f-overdue" }, overdue, words(" Hanya yang lewat tenggat", " Overdue only")));
  more.addEventListener("toggle", () => (moreFiltersOpen = more.open));
  const form = el("form", { className: "card", id: "filters", role: "search" },
    field(el, "f-q", words("Cari nama, nomor kasus atau NIK", "Search a name, case number or NIK"), q),
    el("button", { className: "primary", type: "submit", textContent: words("Terapkan", "Apply") }), " ", exportLink, exportMessage,
    more);
  form.addEventListener("submit", (e) => { e.preventDefault(); void load(); });
  const intake = await intakeForm(api, el, regions);
  const intakePanel = el("details", { className: "card", id: "intake-panel", open: intakeOpen },
    el("summary", { textContent: words("＋ Daftarkan penerima manfaat baru", "＋ Register a new beneficiary") }), intake);
  intakePanel.addEventListener("toggle", () => (intakeOpen = intakePanel.open));
  app.replaceChildren(el("h1", { textContent: words("Kasus wilayah saya", "Cases of my regions") }), nav(el, role), intakePanel, form, total, list);
  await load();
}

/** The workbench's own pages, one line at the top of each. */
export function nav(el: El, role: string): HTMLElement {
  const links: [string, string, string][] = [
    ...(role === "Supervisor" ? [["to-supervisor", "#/supervisor", words("Supervisi", "Supervision")] as [string, string, string]] : []),
    ["to-list", "#/list", words("Daftar kasus", "Case list")],
    ["to-import", "#/import", words("Impor CSV", "Import CSV")],
    ["to-problems", "#/problems", words("Belanja masalah", "Field problems")],
  ];
  return el("nav", { className: "links", ariaLabel: words("Halaman", "Pages") }, ...links.map(([id, href, text]) => el("a", { id, href, textContent: text })));
}

async function intakeForm(api: Api, el: El, regions: string[]): Promise<HTMLElement> {
  const nik = el("input", { id: "i-nik", inputMode: "numeric", maxLength: 16, required: true, autocomplete: "off" });
  const nikHint = el("p", { id: "i-nik-hint", className: "meta", textContent: words("16 digit angka.", "16 digits.") });
  nik.setAttribute("aria-describedby", "i-nik-hint");
  nik.addEventListener("input", () => {
    const v = nik.value;
    nikHint.textContent = /^\d{0,16}$/.test(v) ? (v.length === 16 ? words("Format NIK benar.", "NIK format is right.") : words(`${v.length}/16 digit.`, `${v.length}/16 digits.`))
      : words("NIK hanya berisi angka.", "A NIK has digits only.");
  });
  const name = el("input", { id: "i-name", required: true, maxLength: 200 });
  const picker = await kecamatanPicker(api, el, regions, { regency: "i-regency", kecamatan: "i-region" });
  const region = picker.kecamatan;
  const segment = el("select", { id: "i-segment" }, ...segments.map((s) => el("option", { value: s, textContent: segmentName(s) })));
  const consent = el("input", { id: "i-consent", type: "checkbox" });
  consent.setAttribute("aria-describedby", "i-consent-why");
  const message = el("p", { id: "i-message", role: "status" });
  const form = el("form", { id: "intake" },
    el("label", { htmlFor: "i-nik", textContent: "NIK" }), nik, nikHint,
    el("label", { htmlFor: "i-name", textContent: words("Nama lengkap", "Full name") }), name,
    ...picker.fields,
    el("label", { htmlFor: "i-segment", textContent: words("Segmen", "Segment") }), segment,
    el("label", { htmlFor: "i-consent" }, consent, words(" Persetujuan sudah diberikan", " Consent given")),
    el("p", { id: "i-consent-why", className: "meta", textContent: words(
      "Persetujuan diperlukan karena data pribadi penerima manfaat (NIK, usaha, keluarga) diproses untuk program ini (UU 27/2022 tentang Pelindungan Data Pribadi). Tanpa persetujuan kasus tetap dibuka, tetapi tidak dapat melewati tahap Pendaftaran; persetujuan dapat dicatat kemudian di halaman kasus.",
      "Consent is needed because the beneficiary's personal data (NIK, business, family) is processed for this programme (Law 27/2022 on Personal Data Protection). Without it the case is still opened but cannot leave the Intake stage; consent can be recorded later on the case page.") }),
    el("button", { className: "primary", type: "submit", textContent: words("Daftarkan", "Register") }), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<{ caseNumber: string } & Problem>("POST", "/api/cases", {
      commandId: crypto.randomUUID(), nik: nik.value, fullName: name.value, regionCode: region.value, segment: segment.value, consentGiven: consent.checked,
    });
    if (result.ok) location.hash = `#/cases/${result.data.caseNumber}`;
    else message.textContent = result.data.detail ?? result.data.code;
  });
  return form;
}

type Send = (suffix: string, body: Record<string, unknown>) => Promise<Problem | null>;

export async function renderWorkbenchCase(caseNumber: string, app: HTMLElement, api: Api, el: El, role: string,
  timeline: () => Promise<{ section: HTMLElement; events: TimelineEvent[] }>): Promise<void> {
  const view = await api<View>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
  if (!view.ok) {
    app.replaceChildren(el("a", { href: "#/", textContent: words("← Kembali", "← Back") }), el("p", { className: "error", textContent: words("Kasus tidak ditemukan.", "Case not found.") }));
    return;
  }
  const v = view.data;
  if (isRendered(caseNumber, v.version) && document.getElementById("case-title")?.dataset.case === caseNumber) return;
  rendered = { caseNumber, version: v.version, lang };
  shownView = v;
  const open = v.status === "Open";
  const supervisor = role === "Supervisor";
  const message = el("p", { id: "c-message", role: "status" });
  if (confirmation?.caseNumber === caseNumber) message.append(el("span", { className: "confirm", id: "confirm", textContent: confirmation.text }));
  const send: Send = async (suffix, body) => {
    confirmation = null;
    // What was typed where the user acted is being sent: the next render starts from the server's answer there (and
    // puts it back if the command is refused). Its buttons wait for the answer, so a double click sends once.
    const scope = actionScope;
    const sent = scope ? [...scope.querySelectorAll<Control>("[data-typed]")] : [];
    const saved = new Map(sent.map((c) => [c.id, valueOf(c)] as [string, string | boolean]));
    sent.forEach((c) => delete c.dataset.typed);
    const buttons = scope ? [...scope.querySelectorAll<HTMLButtonElement>("button")] : [];
    buttons.forEach((b) => (b.disabled = true));
    let result: { ok: boolean; data: Problem & { version: number } };
    try {
      result = await api<Problem & { version: number }>("POST", `/api/cases/${encodeURIComponent(caseNumber)}${suffix}`, { commandId: crypto.randomUUID(), ...body });
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
    if (!result.ok) {
      restoreTyped(app, { values: saved, focus: null });
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return result.data;
    }
    message.textContent = "";
    if (!isRendered(caseNumber, result.data.version)) await renderWorkbenchCase(caseNumber, app, api, el, role, timeline);
    return null;
  };

  // The journey as a stepper: each stage with its state, the current one marked, and what its gate still misses.
  const stageRows = v.stages.map((s) => {
    const li = el("li", { className: `step ${s.state.toLowerCase()}` }, el("strong", { textContent: `${stageName(s.stage)}: ` }), statusName(s.state),
      ...(s.state === "Active" && !s.gateMet && s.gateMissing ? [el("div", { className: "meta", textContent: lang === "id" ? s.gateMissing.indonesian : s.gateMissing.english })] : []));
    if (s.stage === v.currentStage && open) li.setAttribute("aria-current", "step");
    li.dataset.stage = s.stage;
    li.dataset.state = s.state;
    return li;
  });

  // Only the active stage's tools: its form or its ranked candidates.
  const sections: HTMLElement[] = [];
  const active = open ? v.stages.find((s) => s.state === "Active")?.stage ?? null : null;
  const needsTerms = open && (v.profile !== null || active === "Assessment");
  const terms = needsTerms ? await api<Terms>("GET", `/api/catalog/terms?region=${encodeURIComponent(v.regionCode)}`) : null;
  const termsOrNone: Terms = terms?.ok ? terms.data : { sectors: [], needs: [] };
  if (active === "Assessment" && v.profile === null) sections.push(assessmentForm(el, send, termsOrNone, null));
  if (open && v.profile !== null && active) {
    const enrol = async (c: Candidate, extra: Record<string, unknown> = {}) => {
      const problem = await send("/enrolments", { offerId: c.id, ...extra });
      if (problem?.code === "enrolment.overlap_unacknowledged") {
        const ack = button(el, "acknowledge", words("Tetap daftarkan (peringatan dicatat)", "Enrol anyway (the warning is recorded)"), async () => {
          if (!(await send("/enrolments", { offerId: c.id, acknowledgeOverlap: true, ...extra }))) await confirm(caseNumber, c);
        });
        message.replaceChildren(el("span", { className: "warning", id: "overlap-warning", textContent: problem.detail ?? "" }), ack);
        ack.focus();
      } else if (!problem) await confirm(caseNumber, c);
    };
    if (active === "Training") sections.push(await candidatesSection(api, el, caseNumber, "Course", words("Pelatihan yang cocok", "Matching courses"), (c) => enrol(c)));
    const withdrawn = (purpose: string) => el("section", { className: "card consent-stop" }, el("p", { className: "warning", textContent: words(
      `Penerima manfaat tidak memberi persetujuan untuk ${inSentence(enumName("ConsentPurpose", purpose))}: tahap ini tidak dapat dilanjutkan (lewati dengan alasan, atau catat persetujuan baru).`,
      `The beneficiary does not consent to ${inSentence(enumName("ConsentPurpose", purpose))}: this stage cannot go on (skip it with a reason, or record a new consent).`) }));
    if (active === "Mentoring" && !v.consentPurposes.includes("Mentoring")) sections.push(withdrawn("Mentoring"));
    else if ((active === "Matching" || active === "Financing") && !v.consentPurposes.includes("PartnerSharing")) sections.push(withdrawn("PartnerSharing"));
    else if (active === "Mentoring") {
      sections.push(await candidatesSection(api, el, caseNumber, "Mentor", v.mentorId ? words("Ganti pendamping", "Change the mentor") : words("Pendamping yang cocok", "Matching mentors"),
        async (c) => { if (!(await send("/mentor", { mentorId: c.id }))) await confirm(caseNumber, c); }));
    }
    else if (active === "Matching") sections.push(await candidatesSection(api, el, caseNumber, "Partner", words("Mitra usaha yang cocok (rujukan)", "Matching partners (referral)"), (c) => enrol(c)));
    else if (active === "Financing") {
      const amount = el("input", { type: "number", min: "1", step: "1", inputMode: "numeric" });
      const financing = await candidatesSection(api, el, caseNumber, "Financing", words("Pembiayaan yang cocok", "Matching financing"),
        (c) => enrol(c, { amountIdr: Number(amount.value) }));
      financing.querySelector("h2")?.after(field(el, "fin-amount", words("Jumlah yang diajukan (Rp)", "Amount applied for (Rp)"), amount));
      sections.push(financing);
    }
  }
  const enrolments = el("ul", { id: "enrolments" }, ...v.enrolments.map((e) => {
    const detail = [e.waitlistPosition ? `#${e.waitlistPosition}` : "", e.amountIdr ? formatRupiah(e.amountIdr) : "", e.plafondIdr ? `${words("plafon", "limit")} ${formatRupiah(e.plafondIdr)}` : "",
      e.disbursedIdr ? `${words("cair", "disbursed")} ${formatRupiah(e.disbursedIdr)}` : "", e.repayment ? `${words("angsuran", "repayment")}: ${repayments[e.repayment] ? words(...repayments[e.repayment]) : e.repayment}` : "",
      e.respondBy && e.status === "ReferralOffered" ? `${words("dijawab sebelum", "answer by")} ${formatTime(e.respondBy)}${e.responseOverdue ? " ⚠" : ""}` : "", e.reason ?? ""].filter((x) => x);
    const li = el("li", {}, el("strong", { textContent: `${e.offerName} — ${e.provider}: ` }), el("span", { className: "status", textContent: statusName(e.status) }),
      ...(detail.length ? [el("div", { className: "meta", textContent: detail.join(" · ") })] : []), ...(open ? enrolmentActions(el, e, send) : []));
    li.dataset.offer = e.offerId;
    li.dataset.status = e.status;
    return li;
  }));

  if (active === "Graduated") sections.push(outcomesForm(el, send));

  const { section: fullTimeline, events } = await timeline();
  // A graduated or closed case's page is short: its timeline folded under one line (opened on demand).
  const timelineSection = open ? fullTimeline : el("details", { className: "card", id: "timeline-folded" },
    el("summary", { textContent: words(`Riwayat kasus (${events.length} peristiwa)`, `Case timeline (${events.length} events)`) }), ...fullTimeline.childNodes);
  const sessions = open ? sessionsSection(el, events, send) : null;
  // Stale when a newer render of this case started meanwhile, or the user went elsewhere.
  if (!isRendered(caseNumber, v.version) || rendered.version !== v.version || decodeURIComponent(location.hash) !== `#/cases/${caseNumber}`) return;
  const title = el("h1", { id: "case-title", textContent: `${v.erasedAt ? words("Data dihapus", "Erased") : v.fullName} · ${v.caseNumber}` });
  title.dataset.case = caseNumber;
  // Taken right before the page is replaced, so nothing typed while this render was loading is lost.
  const typed = document.getElementById("case-title")?.dataset.case === caseNumber ? typedOn(app) : null;
  app.replaceChildren(
    el("a", { href: "#/", textContent: words("← Kembali", "← Back") }),
    title,
    el("p", { id: "stage", className: "meta" }, `${stageName(v.currentStage)} · ${statusName(v.status)}${v.closeReason ? ` (${closeReasonName(v.closeReason)})` : ""} · ${segmentName(v.segment)} · `,
      el("span", { textContent: v.regionName, title: v.regionCode }), ` · NIK ${v.erasedAt ? "—" : v.nikMasked} · ${words("pendamping", "mentor")}: ${v.mentorId ?? "—"}`),
    ...(v.erasedAt ? [el("p", { className: "card", id: "erased", role: "note", textContent: words(
      `Data pribadi penerima manfaat ini telah dihapus (${formatTime(v.erasedAt)}). Riwayat kasus tetap ada dan terverifikasi; nama, NIK, catatan dan alasan tidak dapat dibaca lagi, dan kasus tidak dapat diubah.`,
      `This beneficiary's personal data was erased (${formatTime(v.erasedAt)}). The case timeline stays and verifies; the name, NIK, notes and reasons can no longer be read, and the case can no longer be changed.`) })] : []),
    message,
    approvalSection(el, v, supervisor, send),
    el("section", { className: "card", id: "journey" }, el("h2", { textContent: words("Tahapan", "Journey") }), el("ol", { id: "stages", className: "stepper" }, ...stageRows)),
    nextAction(el, v, send),
    ...sections,
    consentSection(el, v, open, send),
    ...(v.profile ? [profileSection(el, v.profile, open ? assessmentForm(el, send, termsOrNone, v.profile) : null)] : []),
    el("section", { className: "card" }, el("h2", { textContent: words("Layanan diikuti", "Enrolments") }), enrolments),
    ...(sessions ? [sessions] : []),
    ...(v.erasedAt ? [] : [noteForm(el, send)]),
    ...(supervisor && !open && !v.erasedAt ? [erasureForm(el, api, caseNumber, message, () => renderWorkbenchCase(caseNumber, app, api, el, role, timeline))] : []),
    timelineSection,
    el("p", { className: "meta" }, el("a", { id: "subject-access-link", href: `#/subject-access/${encodeURIComponent(caseNumber)}`,
      textContent: words("Akses data subjek: semua data tentang orang ini, untuk dicetak (UU PDP)", "Subject access: all data held about this person, to print (PDP law)") })));
  if (typed) restoreTyped(app, typed);
}

/** What an enrolment, referral, application or assignment just did and what happens next, shown until the next action. */
let confirmation: { caseNumber: string; text: string } | null = null;

/** The case as the page last drew it. */
let shownView: View | null = null;

/** Says what the accepted enrolment (or assignment) of candidate <c> did, from the case as it now is, and what comes next. */
async function confirm(caseNumber: string, c: Candidate): Promise<void> {
  // The command's answer has just drawn the case (or a live event did): its view is the one on screen.
  if (shownView?.caseNumber !== caseNumber) return;
  const e = [...shownView.enrolments].reverse().find((x) => x.offerId === c.id);
  const text = c.kind === "Mentor"
    ? words(`Pendamping ${c.name} ditugaskan. Kasus ini kini tampil di halaman pendamping; pendamping mencatat sesi dari sana.`,
      `${c.name} is now the mentor. The case shows on the mentor's page, where the sessions are logged.`)
    : !e ? ""
    : e.status === "Waitlisted" ? words(`${e.offerName} penuh: masuk daftar tunggu urutan ${e.waitlistPosition}. Kasus mendapat tempat otomatis ketika ada peserta yang mundur.`,
      `${e.offerName} is full: on the waiting list at position ${e.waitlistPosition}. The case gets a place by itself when someone withdraws.`)
    : e.status === "ReferralOffered" ? words(`Rujukan ke ${e.provider} (${e.offerName}) dikirim. Mitra diminta menjawab sebelum ${formatTime(e.respondBy ?? "")}; bila lewat, keterlambatan tercatat di riwayat.`,
      `Referral to ${e.provider} (${e.offerName}) sent. The partner is asked to answer by ${formatTime(e.respondBy ?? "")}; if not, the delay is recorded on the timeline.`)
    : e.status === "Applied" ? words(`Pengajuan ${e.offerName} sebesar ${formatRupiah(e.amountIdr ?? 0)} ke ${e.provider} tercatat. Berikutnya: catat keputusan lembaga (disetujui dengan plafon, atau ditolak dengan alasan).`,
      `The application for ${e.offerName}, ${formatRupiah(e.amountIdr ?? 0)}, to ${e.provider} is recorded. Next: record the lender's decision (approved with a limit, or rejected with a reason).`)
    : e.offerType === "Training" ? words(`Terdaftar di ${e.offerName} (${e.provider}). Berikutnya: catat kehadiran akhir ketika kursus selesai.`,
      `Enrolled in ${e.offerName} (${e.provider}). Next: record the final attendance when the course ends.`)
    : words(`Terdaftar di ${e.offerName} (${e.provider}). Berikutnya: tandai program selesai ketika berakhir.`,
      `Enrolled in ${e.offerName} (${e.provider}). Next: mark the programme completed when it ends.`);
  if (!text) return;
  confirmation = { caseNumber, text };
  document.getElementById("c-message")?.replaceChildren(Object.assign(document.createElement("span"), { className: "confirm", id: "confirm", textContent: text }));
}

/** What each active stage asks of the caseworker, when its gate is not met yet. */
const stageHints: Record<string, [string, string]> = {
  Intake: ["Lengkapi data pendaftaran.", "Complete the registration."],
  Assessment: ["Isi asesmen usaha di bawah.", "Fill in the business assessment below."],
  Training: ["Daftarkan ke pelatihan dari daftar di bawah, lalu catat kehadiran akhir ketika kursus selesai.", "Enrol in a course from the list below, then record the final attendance when it ends."],
  Mentoring: ["Tugaskan pendamping dari daftar di bawah; pendamping mencatat sesi dari halamannya.", "Assign a mentor from the list below; the mentor logs the sessions from their page."],
  Matching: ["Rujuk ke mitra dari daftar di bawah, lalu catat jawaban mitra dan hasilnya.", "Refer to a partner from the list below, then record the partner's answer and the outcome."],
  Financing: ["Ajukan pembiayaan dari daftar di bawah, lalu catat keputusan lembaga.", "Apply for financing from the list below, then record the lender's decision."],
  Graduated: ["Catat hasil akhir usaha di bawah.", "Record the business outcomes below."],
};

/**
 * The one thing to do next, with its button: record consent, meet the active stage's gate (what is missing, and where),
 * complete it, or start the next stage; a skippable stage offers skipping with a reason. A closed or graduated case says so.
 */
function nextAction(el: El, v: View, send: Send): HTMLElement {
  const card = el("section", { className: "card next", id: "next-action" }, el("h2", { textContent: words("Langkah berikutnya", "Next step") }));
  const say = (id: string, en: string) => card.append(el("p", { className: "next-text", textContent: words(id, en) }));
  const primary = (b: HTMLButtonElement) => { b.className = "primary"; return b; };
  if (v.status === "Graduated") {
    say("Perjalanan selesai: penerima manfaat sudah mandiri.", "The journey is complete: the beneficiary has graduated.");
    return card;
  }
  if (v.status === "Closed") {
    say(`Kasus ditutup (${closeReasonName(v.closeReason ?? "")}). Bila perlu, ajukan pembukaan kembali di atas.`,
      `The case is closed (${closeReasonName(v.closeReason ?? "")}). If needed, ask to reopen it above.`);
    return card;
  }
  if (v.pendingApproval) say("Permintaan di atas menunggu keputusan supervisor.", "The request above waits for a supervisor's decision.");
  if (!v.consentRecorded && v.withdrawal) {
    say("Penerima manfaat menarik persetujuan pengelolaan kasus: tahapan berhenti. Ajukan penutupan kasus, atau catat persetujuan baru bila ia berubah pikiran.",
      "The beneficiary withdrew consent to case management: the journey stops. Ask to close the case, or record a new consent if they change their mind.");
    card.append(consentForm(el, send));
    return card;
  }
  if (!v.consentRecorded) {
    say("Catat persetujuan penerima manfaat: tanpa itu kasus tidak dapat melewati tahap Pendaftaran.",
      "Record the beneficiary's consent: without it the case cannot leave the Intake stage.");
    card.append(consentForm(el, send));
    return card;
  }
  const skip = (stage: string) => {
    if (!skippable.includes(stage)) return;
    const reason = el("input", { maxLength: 2000 });
    card.append(el("details", {}, el("summary", { textContent: words("Lewati tahap ini", "Skip this stage") }),
      field(el, `skip-reason-${stage}`, words("Alasan melewati", "Reason for skipping"), reason),
      button(el, `skip-${stage}`, words("Lewati", "Skip"), () => void send(`/stages/${stage}/skip`, { reason: reason.value }))));
  };
  const active = v.stages.find((s) => s.state === "Active");
  if (active) {
    const name = stageName(active.stage);
    const complete = button(el, `complete-${active.stage}`, words(`Selesaikan tahap ${name}`, `Complete the ${name} stage`), () => void send(`/stages/${active.stage}/complete`, {}));
    if (active.gateMet) {
      say(`Syarat tahap ${name} sudah terpenuhi.`, `The ${name} stage's requirements are met.`);
      card.append(primary(complete));
    } else {
      const missing = active.gateMissing ? words(active.gateMissing.indonesian, active.gateMissing.english) : "";
      card.append(el("p", { className: "next-text", textContent: missing }), el("p", { className: "meta", id: "next-hint", textContent: words(...(stageHints[active.stage] ?? ["", ""])) }), complete);
    }
    skip(active.stage);
    return card;
  }
  const current = stages.indexOf(v.currentStage);
  const next = v.stages[current + 1];
  if (next && next.state === "NotStarted") {
    const name = stageName(next.stage);
    say(`Tahap ${stageName(v.currentStage)} selesai. Berikutnya: tahap ${name}.`, `The ${stageName(v.currentStage)} stage is done. Next: the ${name} stage.`);
    card.append(primary(button(el, `start-${next.stage}`, words(`Mulai tahap ${name}`, `Start the ${name} stage`), () => void send(`/stages/${next.stage}/start`, {}))));
    skip(next.stage);
  }
  return card;
}

/**
 * What the user typed or chose on the case page and has not sent, by control id, and where the focus was: a live event
 * re-renders the page, and this puts it back (controls are marked when the user changes them).
 */
type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const valueOf = (c: Control): string | boolean => (c instanceof HTMLInputElement && c.type === "checkbox" ? c.checked : c.value);

function typedOn(app: HTMLElement): { values: Map<string, string | boolean>; focus: string | null } {
  const values = new Map<string, string | boolean>();
  app.querySelectorAll<Control>("[data-typed]").forEach((c) => values.set(c.id, valueOf(c)));
  const active = document.activeElement;
  return { values, focus: active && app.contains(active) && active.id ? active.id : null };
}

function restoreTyped(app: HTMLElement, typed: { values: Map<string, string | boolean>; focus: string | null }): void {
  typed.values.forEach((value, id) => {
    const c = app.querySelector<Control>(`#${CSS.escape(id)}`);
    if (!c) return;
    if (typeof value === "boolean") (c as HTMLInputElement).checked = value;
    else c.value = value;
    c.dataset.typed = "1";
    const details = c.closest("details");
    if (details) details.open = true;
  });
  if (typed.focus) app.querySelector<HTMLElement>(`#${CSS.escape(typed.focus)}`)?.focus();
}

/** Marks a control of the case page as changed by the user (so a live re-render keeps it). */
export function markTyped(e: Event): void {
  const target = e.target as HTMLElement | null;
  if (target?.id && target.matches("input, select, textarea")) target.dataset.typed = "1";
}

function button(el: El, id: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el("button", { type: "button", id, className: "action", textContent: text });
  b.addEventListener("click", onClick);
  return b;
}

/** The next step of one enrolment, by offer type and status (the server checks each again). */
function enrolmentActions(el: El, e: Enrolment, send: Send): HTMLElement[] {
  const path = `/enrolments/${encodeURIComponent(e.offerId)}`;
  const id = e.offerId;
  const actions: HTMLElement[] = [];
  if (e.offerType === "Training" && e.status === "Enrolled") {
    const attendance = el("input", { type: "number", min: "0", max: "100", value: "90", className: "attendance" });
    actions.push(field(el, `attendance-${id}`, words("Kehadiran (%)", "Attendance (%)"), attendance),
      button(el, `attend-${id}`, words("Catat kehadiran akhir", "Record final attendance"), () => void send(`${path}/attendance`, { attendancePercent: Number(attendance.value) })));
  }
  if (e.offerType === "Training" && e.status === "Completed" && e.attendancePercent !== null) {
    const attendance = el("input", { type: "number", min: "0", max: "100", value: String(e.attendancePercent), className: "attendance" });
    const reason = el("input", { maxLength: 2000, required: true });
    actions.push(el("details", { className: "correction" }, el("summary", { textContent: words("Koreksi kehadiran", "Correct the attendance") }),
      field(el, `correct-attendance-${id}`, words("Kehadiran yang benar (%)", "Correct attendance (%)"), attendance),
      field(el, `correct-attendance-reason-${id}`, words("Alasan koreksi", "Reason for the correction"), reason),
      button(el, `correct-attend-${id}`, words("Simpan koreksi", "Save the correction"),
        () => void send(`${path}/attendance/correct`, { attendancePercent: Number(attendance.value), reason: reason.value }))));
  }
  if (e.offerType === "MentoringProgramme" && e.status === "Enrolled") {
    actions.push(button(el, `complete-${id}`, words("Program selesai", "Programme completed"), () => void send(`${path}/complete`, {})));
  }
  if (e.status === "ReferralOffered") {
    const reason = el("input", { maxLength: 2000 });
    actions.push(button(el, `referral-accept-${id}`, words("Mitra menerima", "Partner accepted"), () => void send(`${path}/referral-response`, { accepted: true })),
      field(el, `referral-reason-${id}`, words("Alasan penolakan mitra", "Partner's reason for declining"), reason),
      button(el, `referral-decline-${id}`, words("Mitra menolak", "Partner declined"), () => void send(`${path}/referral-response`, { accepted: false, reason: reason.value })));
  }
  if (e.status === "ReferralAccepted") {
    const outcome = el("select", {}, ...[["Contracted", "Kontrak / transaksi", "Contracted"], ["Accepted", "Diterima, belum kontrak", "Accepted, no contract yet"], ["Declined", "Batal", "Declined"]]
      .map(([value, id2, en]) => el("option", { value, textContent: words(id2, en) })));
    const reason = el("input", { maxLength: 2000 });
    actions.push(field(el, `outcome-${id}`, words("Hasil rujukan", "Referral outcome"), outcome), field(el, `outcome-reason-${id}`, words("Keterangan", "Remarks"), reason),
      button(el, `report-outcome-${id}`, words("Laporkan hasil", "Report outcome"), () => void send(`${path}/referral-outcome`, { outcome: outcome.value, reason: reason.value || null })));
  }
  if (e.status === "Applied") {
    const plafond = el("input", { type: "number", min: "1", step: "1", value: String(e.amountIdr ?? "") });
    const reason = el("input", { maxLength: 2000 });
    actions.push(field(el, `plafond-${id}`, words("Plafon disetujui (Rp)", "Approved limit (Rp)"), plafond),
      button(el, `approve-${id}`, words("Disetujui lembaga", "Approved by the lender"), () => void send(`${path}/financing-decision`, { approved: true, plafondIdr: Number(plafond.value) })),
      field(el, `reject-reason-${id}`, words("Alasan penolakan", "Reason for rejection"), reason),
      button(el, `reject-${id}`, words("Ditolak lembaga", "Rejected by the lender"), () => void send(`${path}/financing-decision`, { approved: false, reason: reason.value })));
  }
  if (e.status === "Approved") {
    const amount = el("input", { type: "number", min: "1", step: "1", value: String(e.plafondIdr ?? "") });
    const date = el("input", { type: "date", value: new Date().toISOString().slice(0, 10) });
    actions.push(field(el, `disburse-amount-${id}`, words("Jumlah dicairkan (Rp)", "Amount disbursed (Rp)"), amount), field(el, `disburse-date-${id}`, words("Tanggal pencairan", "Disbursement date"), date),
      button(el, `disburse-${id}`, words("Catat pencairan", "Record disbursement"), () => void send(`${path}/disbursement`, { amountIdr: Number(amount.value), date: date.value })));
  }
  if (e.status === "Disbursed") {
    const status = el("select", {}, ...[["Current", "Lancar", "Current"], ["Late", "Terlambat", "Late"], ["Defaulted", "Macet", "Defaulted"], ["Repaid", "Lunas", "Repaid"]]
      .map(([value, id2, en]) => el("option", { value, textContent: words(id2, en), selected: value === e.repayment })));
    actions.push(field(el, `repayment-${id}`, words("Status angsuran", "Repayment status"), status),
      button(el, `repay-${id}`, words("Simpan status", "Save status"), () => void send(`${path}/repayment`, { status: status.value })));
  }
  if (e.status === "Waitlisted" || (e.status === "Enrolled" && e.offerType !== "FinancingProduct")) {
    const reason = el("input", { maxLength: 2000 });
    actions.push(el("details", {}, el("summary", { textContent: words("Mundur dari layanan ini", "Withdraw from this offer") }),
      field(el, `withdraw-reason-${id}`, words("Alasan mundur", "Reason for withdrawing"), reason),
      button(el, `withdraw-${id}`, words("Mundur", "Withdraw"), () => void send(`${path}/withdraw`, { reason: reason.value }))));
  }
  return actions;
}

/**
 * Closing and reopening: a caseworker asks, a supervisor decides (or closes / reopens directly). A pending request is
 * shown to everyone; only supervisors get the approve and decline buttons.
 */
function approvalSection(el: El, v: View, supervisor: boolean, send: Send): HTMLElement {
  const section = el("section", { className: "card", id: "approval" });
  const p = v.pendingApproval;
  if (p) {
    const what = p.kind === "Closure"
      ? words(`Permintaan penutupan (${closeReasonName(p.closeReason ?? "")})`, `Closure requested (${closeReasonName(p.closeReason ?? "")})`)
      : words("Permintaan pembukaan kembali", "Reopening requested");
    section.append(el("h2", { textContent: words("Menunggu persetujuan supervisor", "Waiting for a supervisor's approval") }),
      el("p", { id: "pending", className: "warning", textContent: `${what}${p.reason ? ": " + p.reason : ""} · ${words("oleh", "by")} ${p.requestedBy} · ${formatTime(p.requestedAt)}` }));
    if (supervisor) {
      const path = p.kind === "Closure" ? "/closure-request" : "/reopening-request";
      const reason = el("input", { maxLength: 2000 });
      section.append(button(el, "approve-request", words("Setujui", "Approve"), () => void send(`${path}/approve`, {})),
        field(el, "decline-reason", words("Alasan menolak permintaan", "Reason for declining the request"), reason),
        button(el, "decline-request", words("Tolak permintaan", "Decline the request"), () => void send(`${path}/decline`, { reason: reason.value })));
    }
    return section;
  }
  if (v.status === "Open") {
    const reason = el("select", {}, ...options(el, closeReasons, closeReasonName));
    const note = el("input", { maxLength: 2000 });
    const form = el("form", { id: "close-form" },
      el("h2", { textContent: supervisor ? words("Tutup kasus", "Close the case") : words("Ajukan penutupan kasus", "Ask to close the case") }),
      field(el, "close-reason", words("Alasan", "Reason"), reason), field(el, "close-note", words("Catatan", "Note"), note),
      el("button", { className: "action", type: "submit", id: "close-submit", textContent: supervisor ? words("Tutup kasus", "Close the case") : words("Kirim ke supervisor", "Send to the supervisor") }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void send(supervisor ? "/close" : "/closure-request", { reason: reason.value, note: note.value || null });
    });
    section.append(el("details", {}, el("summary", { textContent: supervisor ? words("Tutup kasus…", "Close the case…") : words("Ajukan penutupan…", "Ask to close…") }), form));
    return section;
  }
  if (v.status === "Closed") {
    const reason = el("input", { maxLength: 2000, required: true });
    const form = el("form", { id: "reopen-form" },
      el("h2", { textContent: supervisor ? words("Buka kembali kasus", "Reopen the case") : words("Ajukan pembukaan kembali", "Ask to reopen") }),
      field(el, "reopen-reason", words("Alasan", "Reason"), reason),
      el("button", { className: "action", type: "submit", id: "reopen-submit", textContent: supervisor ? words("Buka kembali", "Reopen") : words("Kirim ke supervisor", "Send to the supervisor") }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void send(supervisor ? "/reopen" : "/reopening-request", { reason: reason.value });
    });
    section.append(form);
    return section;
  }
  section.hidden = true;
  return section;
}

/**
 * The consent per purpose: what the beneficiary consents to now, the latest withdrawal, a form to record a withdrawal
 * (it takes effect at once: a mentor's access ends, partners and lenders are no longer matched), and a form to give
 * consent again for what was withdrawn.
 */
function consentSection(el: El, v: View, open: boolean, send: Send): HTMLElement {
  const given = new Set(v.consentPurposes);
  const w = v.withdrawal;
  const list = el("ul", { id: "consent-purposes" }, ...purposes.map((p) => {
    const state = given.has(p) ? words("diberikan", "given")
      : w && (w.purposes.includes(p) || w.purposes.includes("CaseManagement"))
        ? `${words("ditarik", "withdrawn")}${w.withdrawnOn ? ` ${w.withdrawnOn}` : ""} (${w.method}${w.witness ? `, ${words("saksi", "witness")} ${w.witness}` : ""})`
        : words("belum diberikan", "not given");
    const li = el("li", {}, el("strong", { textContent: `${enumName("ConsentPurpose", p)}: ` }), el("span", { textContent: state }));
    li.dataset.purpose = p;
    li.dataset.given = String(given.has(p));
    return li;
  }));
  const section = el("section", { className: "card", id: "consent" }, el("h2", { textContent: words("Persetujuan per tujuan (UU PDP)", "Consent per purpose (PDP law)") }), list);
  if (w?.note) section.append(el("p", { className: "meta", textContent: `${words("Catatan penarikan", "Withdrawal note")}: ${w.note}` }));

  const boxes = (prefix: string, values: string[]) => values.map((p) => {
    const box = el("input", { type: "checkbox", id: `${prefix}-${p}`, value: p, name: prefix });
    return el("label", { htmlFor: box.id, className: "check" }, box, ` ${enumName("ConsentPurpose", p)}`);
  });
  const checked = (form: HTMLElement, prefix: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name="${prefix}"]:checked`)].map((b) => b.value);

  if (given.size > 0) {
    const method = el("input", { maxLength: 200, required: true, autocomplete: "off" });
    const on = el("input", { type: "date", value: new Date().toISOString().slice(0, 10) });
    const witness = el("input", { maxLength: 200, autocomplete: "off" });
    const note = el("textarea", { maxLength: 2000, rows: 2 });
    const form = el("form", { id: "withdraw-form" },
      el("p", { className: "meta", textContent: words(
        "Berlaku seketika: pendamping kehilangan akses bila pendampingan ditarik, mitra dan pemberi pembiayaan tidak lagi dicocokkan bila berbagi ditarik, dan tanpa pengelolaan kasus tahapan berhenti (kasus hanya dapat ditutup). Data kasus tetap disimpan sesuai dasar hukum yang tersisa.",
        "Takes effect at once: the mentor loses access when mentoring is withdrawn, partners and lenders are no longer matched when sharing is withdrawn, and without case management the journey stops (the case can only be closed). The case record stays for the legal basis that remains.") }),
      el("fieldset", {}, el("legend", { textContent: words("Tujuan yang ditarik", "Purposes withdrawn") }), ...boxes("withdraw-purpose", purposes.filter((p) => given.has(p)))),
      field(el, "withdraw-method", words("Cara penarikan (mis. surat ditandatangani)", "How it was withdrawn (e.g. a signed letter)"), method),
      field(el, "withdraw-date", words("Tanggal penarikan", "Date withdrawn"), on),
      field(el, "withdraw-witness", words("Saksi (nama dan jabatan)", "Witness (name and role)"), witness),
      field(el, "withdraw-note", words("Catatan", "Note"), note),
      el("button", { type: "submit", id: "withdraw-submit", textContent: words("Catat penarikan persetujuan", "Record the withdrawal") }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void send("/consent/withdrawal", { purposes: checked(form, "withdraw-purpose"), method: method.value, withdrawnOn: on.value || null, witness: witness.value || null, note: note.value || null });
    });
    section.append(el("details", { id: "withdraw-consent" }, el("summary", { textContent: words("Penerima manfaat menarik persetujuan…", "The beneficiary withdraws consent…") }), form));
  }

  const missing = purposes.filter((p) => !given.has(p));
  if (open && given.has("CaseManagement") && missing.length > 0) {
    const form = consentForm(el, send, missing);
    section.append(el("details", { id: "regive-consent" }, el("summary", { textContent: words("Catat persetujuan baru…", "Record a new consent…") }), form));
  }
  return section;
}

/** Recording the beneficiary's consent (for <purposesAsked>, or every purpose): the next action of a case that waits for it. */
function consentForm(el: El, send: Send, purposesAsked?: string[]): HTMLElement {
  const method = el("select", { required: true }, ...Object.entries(consentMethods).map(([id, en]) => el("option", { value: id, textContent: words(id, en) })));
  const version = el("input", { maxLength: 50, value: "1", required: true });
  const given = el("input", { type: "date", required: true, value: new Date().toISOString().slice(0, 10) });
  const witness = el("input", { maxLength: 200, autocomplete: "off" });
  const form = el("form", { id: "consent-form" },
    el("p", { className: "meta", textContent: words("Catat cara persetujuan diberikan, versi formulir, tanggalnya, dan saksinya.",
      "Record how consent was given, the form's version, the day and the witness.") }),
    field(el, "consent-method", words("Cara persetujuan", "How consent was given"), method),
    field(el, "consent-version", words("Versi formulir", "Form version"), version),
    field(el, "consent-date", words("Tanggal persetujuan", "Date of consent"), given),
    field(el, "consent-witness", words("Saksi (nama dan jabatan)", "Witness (name and role)"), witness),
    el("button", { className: "primary", type: "submit", id: "consent-submit", textContent: words("Simpan persetujuan", "Save consent") }));
  if (purposesAsked) {
    form.id = "regive-form";
    form.querySelector("button")?.before(el("fieldset", {}, el("legend", { textContent: words("Untuk tujuan", "For the purposes") }), ...purposesAsked.map((p) => {
      const box = el("input", { type: "checkbox", id: `regive-purpose-${p}`, value: p, name: "regive-purpose" });
      return el("label", { htmlFor: box.id, className: "check" }, box, ` ${enumName("ConsentPurpose", p)}`);
    })));
    form.querySelector("button")!.id = "regive-submit";
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const chosen = purposesAsked ? [...form.querySelectorAll<HTMLInputElement>('input[name="regive-purpose"]:checked')].map((b) => b.value) : null;
    void send("/consent", { method: method.value, formVersion: version.value, givenOn: given.value, witness: witness.value || null, ...(chosen ? { purposes: chosen } : {}) });
  });
  return form;
}

/**
 * The mentoring sessions logged on the case as they now read (a correction replaces a session's details), each with its
 * correction form: the corrected details and the reason, sent as an event that names the session; the original stays.
 */
function sessionsSection(el: El, events: TimelineEvent[], send: Send): HTMLElement | null {
  const sessions = new Map<number, Record<string, unknown>>();
  for (const e of events) {
    if (e.type === "MentoringSessionLogged") sessions.set(e.seq, e.payload);
    if (e.type === "MentoringSessionCorrected" && sessions.has(Number(e.payload.sessionSeq))) sessions.set(Number(e.payload.sessionSeq), e.payload);
  }
  if (sessions.size === 0) return null;
  const text = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
  const items = [...sessions].map(([seq, p]) => {
    const date = el("input", { type: "date", required: true, value: text(p.date) });
    const topic = el("input", { maxLength: 200, required: true, value: text(p.topic) });
    const notes = el("textarea", { maxLength: 2000, rows: 2, value: text(p.notes) });
    const next = el("input", { maxLength: 2000, value: text(p.nextStep) });
    const reason = el("input", { maxLength: 2000, required: true });
    const li = el("li", {}, el("strong", { textContent: `${formatLocalDate(text(p.date))}: ${text(p.topic)}` }),
      ...(p.notes ? [el("div", { className: "meta", textContent: text(p.notes) })] : []),
      el("details", { className: "correction" }, el("summary", { textContent: words("Koreksi sesi ini", "Correct this session") }),
        field(el, `session-date-${seq}`, words("Tanggal", "Date"), date), field(el, `session-topic-${seq}`, words("Topik", "Topic"), topic),
        field(el, `session-notes-${seq}`, words("Catatan", "Notes"), notes), field(el, `session-next-${seq}`, words("Langkah berikutnya", "Next step"), next),
        field(el, `session-reason-${seq}`, words("Alasan koreksi", "Reason for the correction"), reason),
        button(el, `session-correct-${seq}`, words("Simpan koreksi", "Save the correction"), () => void send(`/mentoring-sessions/${seq}/correct`,
          { date: date.value, topic: topic.value, notes: notes.value || null, nextStep: next.value || null, reason: reason.value }))));
    li.dataset.session = String(seq);
    return li;
  });
  return el("section", { className: "card", id: "sessions" }, el("h2", { textContent: words("Sesi pendampingan", "Mentoring sessions") }), el("ul", {}, ...items));
}

/** A supervisor erases the person's data in a closed case (UU PDP): the reason and legal basis stay on the timeline. */
function erasureForm(el: El, api: Api, caseNumber: string, message: HTMLElement, rerender: () => Promise<void>): HTMLElement {
  const reason = el("input", { maxLength: 200, required: true });
  const basis = el("input", { maxLength: 200, required: true, value: "UU 27/2022 Pasal 8" });
  const sure = el("input", { type: "checkbox", required: true });
  const form = el("form", { className: "card", id: "erasure-form" }, el("h2", { textContent: words("Hapus data pribadi", "Erase personal data") }),
    el("p", { className: "meta", textContent: words(
      "Kunci data kasus ini dimusnahkan: nama, NIK, catatan dan alasan tidak dapat dibaca lagi oleh siapa pun. Angka program tidak berubah. Tidak dapat dibatalkan.",
      "This case's data key is destroyed: nobody can read the name, NIK, notes and reasons again. Programme figures stay the same. This cannot be undone.") }),
    field(el, "erase-reason", words("Alasan (tanpa data pribadi)", "Reason (no personal data)"), reason),
    field(el, "erase-basis", words("Dasar hukum", "Legal basis"), basis),
    el("label", { htmlFor: "erase-sure" }, sure, words(" Saya yakin", " I am sure")),
    el("button", { className: "action", type: "submit", textContent: words("Hapus data pribadi", "Erase personal data") }));
  sure.id = "erase-sure";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<Problem>("POST", `/api/cases/${encodeURIComponent(caseNumber)}/erasure`, { reason: reason.value, legalBasis: basis.value });
    if (!result.ok) {
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return;
    }
    await rerender();
  });
  return form;
}

function noteForm(el: El, send: Send): HTMLElement {
  const text = el("textarea", { maxLength: 2000, required: true, rows: 2 });
  const form = el("form", { className: "card", id: "note-form" }, el("h2", { textContent: words("Catatan kasus", "Case note") }),
    field(el, "note-text", words("Catatan (terlihat di riwayat kasus)", "Note (shown on the case timeline)"), text),
    el("button", { className: "action", type: "submit", textContent: words("Simpan catatan", "Save note") }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void send("/notes", { text: text.value });
  });
  return form;
}

function outcomesForm(el: El, send: Send): HTMLElement {
  const turnover = el("input", { type: "number", min: "0", required: true });
  const capital = el("input", { type: "number", min: "0", required: true });
  const workers = el("input", { type: "number", min: "0", required: true });
  const form = el("form", { className: "card", id: "outcomes" }, el("h2", { textContent: words("Hasil akhir usaha", "Business outcomes") }),
    field(el, "o-turnover", words("Omzet setahun sesudah program (Rp)", "Annual turnover after (Rp)"), turnover),
    field(el, "o-capital", words("Modal usaha sesudah program (Rp)", "Business capital after (Rp)"), capital),
    field(el, "o-workers", words("Tenaga kerja sesudah program", "Workers after"), workers),
    el("button", { className: "primary", type: "submit", textContent: words("Simpan hasil", "Save outcomes") }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void send("/outcomes", { annualTurnoverAfterIdr: Number(turnover.value), businessCapitalAfterIdr: Number(capital.value), workersAfter: Number(workers.value) });
  });
  return form;
}

/** The business profile on record, in words, with its correction form when the case is open. */
function profileSection(el: El, p: Profile, correction: HTMLElement | null): HTMLElement {
  const cls = umkmClasses[p.umkmClass] ? words(...umkmClasses[p.umkmClass]) : p.umkmClass;
  const row = (label: string, value: string) => [el("dt", { textContent: label }), el("dd", { textContent: value })];
  return el("section", { className: "card", id: "profile" }, el("h2", { textContent: words("Profil usaha", "Business profile") }),
    el("dl", {}, ...row(words("Sektor", "Sector"), p.sector), ...row(words("Omzet setahun", "Annual turnover"), formatRupiah(p.annualTurnoverIdr)),
      ...row(words("Modal usaha", "Business capital"), formatRupiah(p.businessCapitalIdr)), ...row(words("Tenaga kerja", "Workers"), String(p.workers)),
      ...row(words("Kelas usaha", "Business class"), cls), ...row(words("Kebutuhan", "Needs"), p.needs.join(", "))),
    ...(correction ? [correction] : []));
}

/** What the assessment picks from (GET /api/catalog/terms for the case's region). */
export interface Terms { sectors: string[]; needs: string[] }

/**
 * The assessment, recorded or corrected: the sector from a picker and the needs as boxes to tick, both fed by the catalog
 * (so matching never depends on typing the same word as an offer), and the figures the class is derived from. A
 * correction starts from what is on record and needs a reason; the original stays in the timeline.
 */
function assessmentForm(el: El, send: Send, terms: Terms, onRecord: Profile | null): HTMLElement {
  const p = onRecord;
  const sectorNames = [...terms.sectors, ...(p && !terms.sectors.includes(p.sector) ? [p.sector] : [])];
  const sector = el("select", { id: "a-sector", required: true }, ...options(el, sectorNames, (x) => x, words("— pilih sektor —", "— choose a sector —")));
  sector.value = p?.sector ?? "";
  const turnover = el("input", { id: "a-turnover", type: "number", min: "0", required: true, value: p ? String(p.annualTurnoverIdr) : "" });
  const capital = el("input", { id: "a-capital", type: "number", min: "0", required: true, value: p ? String(p.businessCapitalIdr) : "" });
  const workers = el("input", { id: "a-workers", type: "number", min: "0", required: true, value: p ? String(p.workers) : "" });
  const needNames = [...terms.needs, ...(p?.needs ?? []).filter((n) => !terms.needs.includes(n))];
  const needBoxes = needNames.map((name, i) => el("input", { id: `a-need-${i}`, type: "checkbox", value: name, checked: p?.needs.includes(name) ?? false }));
  const needs = el("fieldset", { id: "a-needs", className: "choices" }, el("legend", { textContent: words("Kebutuhan (pilih satu atau lebih)", "Needs (tick one or more)") }),
    ...needBoxes.map((box, i) => el("label", { htmlFor: box.id, className: "choice" }, box, ` ${needNames[i]}`)));
  const reason = el("input", { id: "a-reason", maxLength: 2000, required: true });
  const message = el("p", { id: "a-message", className: "error", role: "status" });
  const form = el("form", { className: "card", id: p ? "assessment-correction" : "assessment" },
    el("h2", { textContent: p ? words("Koreksi asesmen", "Correct the assessment") : words("Asesmen usaha", "Business assessment") }),
    el("label", { htmlFor: "a-sector", textContent: words("Sektor", "Sector") }), sector,
    el("label", { htmlFor: "a-turnover", textContent: words("Omzet setahun (Rp)", "Annual turnover (Rp)") }), turnover,
    el("label", { htmlFor: "a-capital", textContent: words("Modal usaha, tanpa tanah dan bangunan (Rp)", "Business capital, without land and buildings (Rp)") }), capital,
    el("label", { htmlFor: "a-workers", textContent: words("Tenaga kerja", "Workers") }), workers,
    needs,
    ...(p ? [el("label", { htmlFor: "a-reason", textContent: words("Alasan koreksi", "Reason for the correction") }), reason] : []),
    message,
    el("button", { className: "primary", type: "submit", textContent: p ? words("Simpan koreksi", "Save the correction") : words("Simpan asesmen", "Save assessment") }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const chosen = needBoxes.filter((b) => b.checked).map((b) => b.value);
    if (chosen.length === 0) {
      message.textContent = words("Pilih sedikitnya satu kebutuhan.", "Tick at least one need.");
      return;
    }
    message.textContent = "";
    void send(p ? "/assessment/correct" : "/assessment", {
      sector: sector.value, annualTurnoverIdr: Number(turnover.value), businessCapitalIdr: Number(capital.value), workers: Number(workers.value), needs: chosen,
      ...(p ? { reason: reason.value } : {}),
    });
  });
  return p ? el("details", { className: "correction", id: "assessment-correct" }, el("summary", { textContent: words("Koreksi asesmen…", "Correct the assessment…") }), form) : form;
}


async function candidatesSection(api: Api, el: El, caseNumber: string, kind: string, title: string, accept: (c: Candidate) => void | Promise<void>): Promise<HTMLElement> {
  const result = await api<Candidate[]>("GET", `/api/cases/${encodeURIComponent(caseNumber)}/candidates?kind=${kind}&limit=5`);
  const verb: Record<string, [string, string]> = { Mentor: ["Tugaskan", "Assign"], Course: ["Daftarkan", "Enrol"], Partner: ["Rujuk", "Refer"], Financing: ["Ajukan", "Apply"] };
  const items = (result.ok ? result.data : []).map((c) => {
    // The score's reasons fold behind one line, so five candidates fit a phone's screen.
    const li = el("li", {}, el("strong", { textContent: `${c.name}${c.provider ? " — " + c.provider : ""} (${c.score})` }),
      el("details", { className: "reasons" }, el("summary", { textContent: words(`Alasan skor ${c.score}`, `Why ${c.score}`) }),
        el("div", { className: "meta", textContent: c.reasons.map((r) => `${lang === "id" ? r.indonesian : r.english} ${r.points >= 0 ? "+" : ""}${r.points}`).join(" · ") })),
      button(el, `accept-${kind}-${c.id}`, words(...verb[kind]), () => void accept(c)));
    li.dataset.candidate = c.id;
    return li;
  });
  return el("section", { className: "card", id: `candidates-${kind}` }, el("h2", { textContent: title }), items.length ? el("ul", {}, ...items) : el("p", { textContent: "—" }));
}
