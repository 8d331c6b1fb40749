import { formatTime, lang, segmentName, stageName } from "./i18n";
import { workbenchTools } from "./imports";

// The caseworker's workbench (first cut): the cases of their regions with filters, intake, and a case page with the
// journey's gates and actions (stages, assessment, courses and mentors from the ranked candidates, enrolment with the
// overlap warning to acknowledge, attendance). Every rule is the server's; this page shows its answers.

type Api = <T>(method: string, path: string, body?: unknown) => Promise<{ ok: boolean; status: number; data: T }>;
type El = <K extends keyof HTMLElementTagNameMap>(tag: K, props?: Partial<HTMLElementTagNameMap[K]>, ...children: (Node | string)[]) => HTMLElementTagNameMap[K];

interface Problem { code: string; detail?: string; title?: string }
interface Stage { stage: string; state: string; gateMet: boolean; gateMissing: { indonesian: string; english: string } | null }
interface Enrolment { offerId: string; offerName: string; offerType: string; provider: string; status: string; waitlistPosition: number | null; passed: boolean | null }
interface View { caseNumber: string; version: number; fullName: string; status: string; currentStage: string; regionName: string; segment: string; nikMasked: string;
  stages: Stage[]; profile: unknown | null; mentorId: string | null; enrolments: Enrolment[] }
interface Candidate { kind: string; id: string; name: string; provider: string | null; score: number; reasons: { code: string; points: number; indonesian: string; english: string }[] }
interface Summary { caseNumber: string; fullName: string; regionCode: string; segment: string; currentStage: string; status: string; sla: string }

// The case version on screen: a live event or a command's answer re-renders only when it is newer (one render per
// version, so a form being filled in is not replaced by a second render of the same version).
let rendered = { caseNumber: "", version: 0 };

/** True when the page already shows this case at this version or later. */
export const isRendered = (caseNumber: string, version: number): boolean => rendered.caseNumber === caseNumber && rendered.version >= version;

const stages = ["Intake", "Assessment", "Training", "Mentoring", "Matching", "Financing", "Graduated"];
const segments = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"];
const words = (id: string, en: string): string => (lang === "id" ? id : en);

export async function renderWorkbench(app: HTMLElement, api: Api, el: El, regions: string[]): Promise<void> {
  const stage = el("select", { id: "f-stage" }, el("option", { value: "", textContent: words("Semua tahap", "All stages") }), ...stages.map((s) => el("option", { value: s, textContent: stageName(s) })));
  const overdue = el("input", { id: "f-overdue", type: "checkbox" });
  const q = el("input", { id: "f-q", type: "search", placeholder: words("Nama atau nomor kasus", "Name or case number") });
  const list = el("ul", { className: "cases", id: "wb-cases" });
  const load = async () => {
    const params = new URLSearchParams({ pageSize: "200" });
    if (stage.value) params.set("stage", stage.value);
    if (overdue.checked) params.set("overdue", "true");
    if (q.value.trim()) params.set("q", q.value.trim());
    const page = await api<{ items: Summary[] }>("GET", `/api/cases?${params}`);
    list.replaceChildren(...(page.ok ? page.data.items : []).map((c) => {
      const li = el("li", {}, el("a", { href: `#/cases/${c.caseNumber}` }, el("strong", { textContent: `${c.fullName} · ${c.caseNumber}` }),
        el("div", { className: "meta", textContent: `${stageName(c.currentStage)} · ${segmentName(c.segment)} · ${c.regionCode}${c.sla !== "OnTime" ? " · ⚠ " + words("lewat tenggat", "overdue") : ""}` })));
      li.dataset.case = c.caseNumber;
      return li;
    }));
  };
  const filters = el("form", { className: "card", id: "filters" },
    el("label", { htmlFor: "f-stage", textContent: words("Tahap", "Stage") }), stage,
    el("label", { htmlFor: "f-q", textContent: words("Cari", "Search") }), q,
    el("label", { htmlFor: "f-overdue" }, overdue, words(" Hanya yang lewat tenggat", " Overdue only")),
    el("button", { className: "primary", type: "submit", textContent: words("Terapkan", "Apply") }));
  filters.addEventListener("submit", (e) => { e.preventDefault(); void load(); });
  app.replaceChildren(el("h1", { textContent: words("Kasus wilayah saya", "Cases of my regions") }), workbenchTools(el, filters), await intakeForm(api, el, regions), filters, list);
  await load();
}

async function intakeForm(api: Api, el: El, regions: string[]): Promise<HTMLElement> {
  const nik = el("input", { id: "i-nik", inputMode: "numeric", maxLength: 16, required: true, autocomplete: "off" });
  const nikHint = el("p", { id: "i-nik-hint", className: "meta", textContent: words("16 digit angka.", "16 digits.") });
  nik.addEventListener("input", () => {
    const v = nik.value;
    nikHint.textContent = /^\d{0,16}$/.test(v) ? (v.length === 16 ? words("Format NIK benar.", "NIK format is right.") : words(`${v.length}/16 digit.`, `${v.length}/16 digits.`))
      : words("NIK hanya berisi angka.", "A NIK has digits only.");
  });
  const name = el("input", { id: "i-name", required: true, maxLength: 200 });
  const region = el("select", { id: "i-region", required: true });
  // Kecamatan of the regions served (a caseworker of a kab/kota picks among its kecamatan).
  for (const served of regions) {
    const children = await api<{ code: string; name: string; level: string }[]>("GET", `/api/regions?parent=${encodeURIComponent(served)}`);
    const options = children.ok && children.data.length > 0 && children.data[0].level === "District" ? children.data : [];
    region.append(...options.map((r) => el("option", { value: r.code, textContent: `${r.name} (${r.code})` })));
  }
  const segment = el("select", { id: "i-segment" }, ...segments.map((s) => el("option", { value: s, textContent: segmentName(s) })));
  const consent = el("input", { id: "i-consent", type: "checkbox" });
  const message = el("p", { id: "i-message", role: "status" });
  const form = el("form", { className: "card", id: "intake" },
    el("h2", { textContent: words("Pendaftaran penerima manfaat", "Register a beneficiary") }),
    el("label", { htmlFor: "i-nik", textContent: "NIK" }), nik, nikHint,
    el("label", { htmlFor: "i-name", textContent: words("Nama lengkap", "Full name") }), name,
    el("label", { htmlFor: "i-region", textContent: words("Kecamatan", "Kecamatan") }), region,
    el("label", { htmlFor: "i-segment", textContent: words("Segmen", "Segment") }), segment,
    el("label", { htmlFor: "i-consent" }, consent, words(" Persetujuan sudah diberikan", " Consent given")),
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

export async function renderWorkbenchCase(caseNumber: string, app: HTMLElement, api: Api, el: El, timeline: () => Promise<HTMLElement>): Promise<void> {
  const view = await api<View>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
  if (!view.ok) {
    app.replaceChildren(el("a", { href: "#/", textContent: words("← Kembali", "← Back") }), el("p", { className: "error", textContent: words("Kasus tidak ditemukan.", "Case not found.") }));
    return;
  }
  const v = view.data;
  if (isRendered(caseNumber, v.version) && document.getElementById("case-title")) return;
  rendered = { caseNumber, version: v.version };
  const message = el("p", { id: "c-message", role: "status" });
  const send = async (suffix: string, body: Record<string, unknown>): Promise<Problem | null> => {
    const result = await api<Problem & { version: number }>("POST", `/api/cases/${encodeURIComponent(caseNumber)}${suffix}`, { commandId: crypto.randomUUID(), ...body });
    if (!result.ok) {
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return result.data;
    }
    if (!isRendered(caseNumber, result.data.version)) await renderWorkbenchCase(caseNumber, app, api, el, timeline);
    return null;
  };

  const stageRows = v.stages.map((s) => {
    const buttons: HTMLElement[] = [];
    if (v.status === "Open" && s.state === "NotStarted" && stages.indexOf(s.stage) === stages.indexOf(v.currentStage) + 1 && v.stages[stages.indexOf(v.currentStage)].state === "Completed") {
      buttons.push(button(el, `start-${s.stage}`, words("Mulai", "Start"), () => void send(`/stages/${s.stage}/start`, {})));
    }
    if (v.status === "Open" && s.state === "Active") buttons.push(button(el, `complete-${s.stage}`, words("Selesaikan", "Complete"), () => void send(`/stages/${s.stage}/complete`, {})));
    const li = el("li", {}, el("strong", { textContent: `${stageName(s.stage)}: ` }), s.state,
      ...(s.state === "Active" && !s.gateMet && s.gateMissing ? [el("div", { className: "meta", textContent: lang === "id" ? s.gateMissing.indonesian : s.gateMissing.english })] : []), ...buttons);
    li.dataset.stage = s.stage;
    li.dataset.state = s.state;
    return li;
  });

  const sections: HTMLElement[] = [];
  if (v.stages[1].state === "Active" && v.profile === null) sections.push(assessmentForm(el, send));
  if (v.status === "Open" && v.profile !== null) {
    sections.push(await candidatesSection(api, el, caseNumber, "Course", words("Pelatihan yang cocok", "Matching courses"), async (c) => {
      const problem = await send("/enrolments", { offerId: c.id });
      if (problem?.code === "enrolment.overlap_unacknowledged") {
        const ack = button(el, "acknowledge", words("Tetap daftarkan (peringatan dicatat)", "Enrol anyway (the warning is recorded)"), () => void send("/enrolments", { offerId: c.id, acknowledgeOverlap: true }));
        message.replaceChildren(el("span", { className: "warning", id: "overlap-warning", textContent: problem.detail ?? "" }), ack);
      }
    }));
    sections.push(await candidatesSection(api, el, caseNumber, "Mentor", words("Pendamping yang cocok", "Matching mentors"), (c) => void send("/mentor", { mentorId: c.id })));
  }
  const enrolments = el("ul", { id: "enrolments" }, ...v.enrolments.map((e) => {
    const li = el("li", {}, `${e.offerName} — ${e.provider}: ${e.status}${e.waitlistPosition ? ` (#${e.waitlistPosition})` : ""}`);
    li.dataset.offer = e.offerId;
    if (e.offerType === "Training" && e.status === "Enrolled") {
      const attendance = el("input", { type: "number", min: "0", max: "100", value: "90", className: "attendance" });
      attendance.setAttribute("aria-label", words("Kehadiran (%)", "Attendance (%)"));
      li.append(attendance, button(el, `attend-${e.offerId}`, words("Selesai", "Done"), () => void send(`/enrolments/${e.offerId}/attendance`, { attendancePercent: Number(attendance.value) })));
    }
    return li;
  }));

  app.replaceChildren(
    el("a", { href: "#/", textContent: words("← Kembali", "← Back") }),
    el("h1", { id: "case-title", textContent: `${v.fullName} · ${v.caseNumber}` }),
    el("p", { id: "stage", className: "meta", textContent: `${stageName(v.currentStage)} · ${segmentName(v.segment)} · ${v.regionName} · NIK ${v.nikMasked} · ${words("pendamping", "mentor")}: ${v.mentorId ?? "—"}` }),
    message,
    el("section", { className: "card" }, el("h2", { textContent: words("Tahapan", "Journey") }), el("ul", { id: "stages" }, ...stageRows)),
    ...sections,
    el("section", { className: "card" }, el("h2", { textContent: words("Layanan diikuti", "Enrolments") }), enrolments),
    await timeline());
}

function button(el: El, id: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el("button", { type: "button", id, className: "action", textContent: text });
  b.addEventListener("click", onClick);
  return b;
}

function assessmentForm(el: El, send: (suffix: string, body: Record<string, unknown>) => Promise<Problem | null>): HTMLElement {
  const sector = el("input", { id: "a-sector", required: true });
  const turnover = el("input", { id: "a-turnover", type: "number", min: "0", required: true });
  const capital = el("input", { id: "a-capital", type: "number", min: "0", required: true });
  const workers = el("input", { id: "a-workers", type: "number", min: "0", required: true });
  const needs = el("input", { id: "a-needs", required: true, placeholder: words("Pisahkan dengan koma", "Separate with commas") });
  const form = el("form", { className: "card", id: "assessment" },
    el("h2", { textContent: words("Asesmen usaha", "Business assessment") }),
    el("label", { htmlFor: "a-sector", textContent: words("Sektor", "Sector") }), sector,
    el("label", { htmlFor: "a-turnover", textContent: words("Omzet setahun (Rp)", "Annual turnover (Rp)") }), turnover,
    el("label", { htmlFor: "a-capital", textContent: words("Modal usaha (Rp)", "Business capital (Rp)") }), capital,
    el("label", { htmlFor: "a-workers", textContent: words("Tenaga kerja", "Workers") }), workers,
    el("label", { htmlFor: "a-needs", textContent: words("Kebutuhan", "Needs") }), needs,
    el("button", { className: "primary", type: "submit", textContent: words("Simpan asesmen", "Save assessment") }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void send("/assessment", {
      sector: sector.value, annualTurnoverIdr: Number(turnover.value), businessCapitalIdr: Number(capital.value), workers: Number(workers.value),
      needs: needs.value.split(",").map((n) => n.trim()).filter((n) => n.length > 0),
    });
  });
  return form;
}

async function candidatesSection(api: Api, el: El, caseNumber: string, kind: string, title: string, accept: (c: Candidate) => void | Promise<void>): Promise<HTMLElement> {
  const result = await api<Candidate[]>("GET", `/api/cases/${encodeURIComponent(caseNumber)}/candidates?kind=${kind}&limit=5`);
  const items = (result.ok ? result.data : []).map((c) => {
    const li = el("li", {}, el("strong", { textContent: `${c.name}${c.provider ? " — " + c.provider : ""} (${c.score})` }),
      el("div", { className: "meta", textContent: c.reasons.map((r) => `${lang === "id" ? r.indonesian : r.english} ${r.points >= 0 ? "+" : ""}${r.points}`).join(" · ") }),
      button(el, `accept-${kind}-${c.id}`, kind === "Mentor" ? words("Tugaskan", "Assign") : words("Daftarkan", "Enrol"), () => void accept(c)));
    li.dataset.candidate = c.id;
    return li;
  });
  return el("section", { className: "card", id: `candidates-${kind}` }, el("h2", { textContent: title }), items.length ? el("ul", {}, ...items) : el("p", { textContent: "—" }));
}

export const formatWhen = formatTime;
