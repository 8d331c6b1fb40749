import { enumName, formatTime, lang, segmentName, stageName, words } from "./i18n";
import type { Api, El } from "./page";
import { actorWords, describeBoth } from "./events";
import { accessActions } from "./privacy";
import type { TimelineEvent } from "./offline";
import { formatLocalDate } from "./zones";

// The beneficiary's right of access (UU 27/2022 PDP): everything held about the person, as a document to print and
// hand over, and as JSON to download. The server decides who may export it and records the export in the access log
// before it answers; this page only lays the answer out in words.

interface Consent { seq: number; recordedAt: string; recordedBy: string; method: string; formVersion: string | null; givenOn: string | null; witness: string | null;
  purposes: string[]; withdrawn: boolean; note: string | null }
interface Access { userId: string; role: string; action: string; purpose: string; at: string }
interface Export {
  caseNumber: string; exportedAt: string; exportedBy: string; purpose: string; nik: string | null; consents: Consent[]; timeline: TimelineEvent[]; accessLog: Access[];
  profile: { fullName: string; gender: string; regionName: string; regionCode: string; segment: string; status: string; currentStage: string; mentorId: string | null; nikMasked: string;
    profile: { sector: string; annualTurnoverIdr: number; businessCapitalIdr: number; workers: number; needs: string[]; umkmClass: string } | null };
}

/** What each access-log action says: the officer's words, the export named as this document. */
const actions: Record<string, [string, string]> = {
  ...accessActions,
  "subject-access-export": ["mengekspor data subjek (dokumen ini)", "exported the subject's data (this document)"],
};

/** The last export made on this page, kept only in memory (it holds the full NIK): a reload asks again. */
let last: Export | null = null;

/** <c>#/subject-access/{n}</c>: the purpose form, then the document. */
export function renderSubjectAccess(caseNumber: string, app: HTMLElement, api: Api, el: El): void {
  if (last?.caseNumber === caseNumber) return drawDocument(last, app, el);
  const purpose = el("input", { id: "sa-purpose", required: true, maxLength: 200 });
  const message = el("p", { id: "sa-message", role: "status" });
  const form = el("form", { className: "card", id: "sa-form" },
    el("h2", { textContent: words("Akses data subjek", "Subject access") }),
    el("p", { className: "meta", textContent: words(
      "Orang yang bersangkutan berhak melihat semua data tentang dirinya (UU No. 27 Tahun 2022). Ekspor ini berisi NIK lengkap dan dicatat di log akses kasus.",
      "The person has the right to see all data held about them (Law No. 27 of 2022). This export holds the full NIK and is recorded in the case's access log.") }),
    el("label", { htmlFor: "sa-purpose", textContent: words("Keperluan (dicatat)", "Purpose (recorded)") }), purpose,
    el("button", { type: "submit", id: "sa-export", textContent: words("Siapkan dokumen", "Prepare the document") }), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<Export & { detail?: string; code?: string }>("POST", `/api/cases/${encodeURIComponent(caseNumber)}/subject-access`, { purpose: purpose.value });
    if (!result.ok) {
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return;
    }
    last = result.data;
    drawDocument(result.data, app, el);
  });
  app.replaceChildren(el("a", { href: `#/cases/${encodeURIComponent(caseNumber)}`, className: "no-print", textContent: words("← Kembali ke kasus", "← Back to the case") }), form);
  purpose.focus();
}

function drawDocument(x: Export, app: HTMLElement, el: El): void {
  const p = x.profile;
  const row = (label: string, value: string) => [el("dt", { textContent: label }), el("dd", { textContent: value })];
  const both = x.timeline.map((e) => describeBoth(e, x.timeline));
  const download = el("button", { type: "button", id: "sa-download", className: "no-print", textContent: words("Unduh JSON", "Download JSON") });
  download.addEventListener("click", () => {
    // The server's export as it came, with each event in words in both languages beside it.
    const json = { ...x, timelineInWords: x.timeline.map((e, i) => ({ seq: e.seq, at: e.occurredAt, actor: e.actorId, id: both[i][0], en: both[i][1] })) };
    const link = el("a", { href: URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: "application/json" })), download: `data-subjek-${x.caseNumber}.json` });
    link.click();
    URL.revokeObjectURL(link.href);
  });
  const print = el("button", { type: "button", id: "sa-print", className: "no-print", textContent: words("Cetak", "Print") });
  print.addEventListener("click", () => window.print());
  app.replaceChildren(
    el("a", { href: `#/cases/${encodeURIComponent(x.caseNumber)}`, className: "no-print", textContent: words("← Kembali ke kasus", "← Back to the case") }),
    el("div", { className: "no-print actions" }, print, download),
    el("article", { id: "subject-access" },
      el("h1", { textContent: words(`Data pribadi yang disimpan tentang ${p.fullName}`, `Personal data held about ${p.fullName}`) }),
      el("p", { className: "meta", textContent: words(
        `Program Perintis Berdaya Connect · kasus ${x.caseNumber} · disiapkan ${formatTime(x.exportedAt)} oleh ${x.exportedBy} · keperluan: ${x.purpose}`,
        `Perintis Berdaya Connect programme · case ${x.caseNumber} · prepared ${formatTime(x.exportedAt)} by ${x.exportedBy} · purpose: ${x.purpose}`) }),
      el("p", { className: "warning", textContent: words("Dokumen ini berisi NIK lengkap: serahkan hanya kepada yang bersangkutan.", "This document holds the full NIK: hand it only to the person it is about.") }),
      el("section", { id: "sa-identity" }, el("h2", { textContent: words("Identitas dan kasus", "Identity and case") }),
        el("dl", {}, ...row(words("Nama", "Name"), p.fullName), ...row("NIK", x.nik ?? p.nikMasked), ...row(words("Jenis kelamin", "Gender"), enumName("Gender", p.gender)),
          ...row(words("Wilayah", "Region"), p.regionName), ...row(words("Kelompok", "Segment"), segmentName(p.segment)),
          ...row(words("Status", "Status"), enumName("CaseStatus", p.status)), ...row(words("Tahap", "Stage"), stageName(p.currentStage)),
          ...row(words("Pendamping", "Mentor"), p.mentorId ?? "—"),
          ...(p.profile ? [...row(words("Sektor usaha", "Business sector"), p.profile.sector), ...row(words("Tenaga kerja", "Workers"), String(p.profile.workers)),
            ...row(words("Kebutuhan", "Needs"), p.profile.needs.join(", "))] : []))),
      el("section", { id: "sa-consents" }, el("h2", { textContent: words("Persetujuan", "Consents") }),
        el("ul", {}, ...x.consents.map((c) => el("li", { textContent: [
          formatTime(c.recordedAt),
          c.withdrawn ? words("DITARIK", "WITHDRAWN") : "",
          c.purposes.map((p) => enumName("ConsentPurpose", p)).join(", "),
          c.method === "intake" ? words("diberikan saat pendaftaran", "given at intake") : c.method,
          c.formVersion ? words(`formulir versi ${c.formVersion}`, `form version ${c.formVersion}`) : "",
          c.givenOn ? (c.withdrawn ? words(`ditarik tanggal ${formatLocalDate(c.givenOn)}`, `withdrawn on ${formatLocalDate(c.givenOn)}`)
            : words(`tanggal ${formatLocalDate(c.givenOn)}`, `given on ${formatLocalDate(c.givenOn)}`)) : "",
          c.witness ? words(`saksi ${c.witness}`, `witness ${c.witness}`) : "",
          c.note ?? "",
          words(`dicatat oleh ${c.recordedBy}`, `recorded by ${c.recordedBy}`)].filter((s) => s).join(" · ") })))),
      el("section", { id: "sa-timeline" }, el("h2", { textContent: words(`Riwayat kasus (${x.timeline.length} peristiwa)`, `Case timeline (${x.timeline.length} events)`) }),
        el("ol", {}, ...x.timeline.map((e, i) => el("li", { textContent: `${formatTime(e.occurredAt)} · ${actorWords(e)} · ${both[i][lang === "id" ? 0 : 1]}` })))),
      el("section", { id: "sa-access" }, el("h2", { textContent: words(`Siapa yang mengakses (${x.accessLog.length})`, `Who accessed it (${x.accessLog.length})`) }),
        el("ol", {}, ...x.accessLog.map((a) => {
          const action = actions[a.action] ? words(...actions[a.action]) : words("akses lain", "another access");
          const why = a.action === "command" || a.action === "refused-command" ? "" : a.purpose;
          const li = el("li", { textContent: `${formatTime(a.at)} · ${a.userId} (${enumName("Role", a.role)}) · ${action}${why ? ` · ${words("keperluan", "purpose")}: ${why}` : ""}` });
          li.dataset.action = a.action;
          return li;
        })))));
}
