import { enumName, formatNumber, lang, words } from "./i18n";
import type { Api, El } from "./page";

// Bulk import of beneficiaries from a CSV file (progress live over /hubs/cases, then the row-by-row report).
// Every rule is the server's (docs/imports.md); this page sends the file and shows the answers.

type UploadApi = <T>(method: string, path: string, body: Blob, contentType: string) => Promise<{ ok: boolean; status: number; data: T }>;

/** The hub's ImportProgress message (and the report's progress). */
export interface ImportProgress { importId: string; total: number; processed: number; created: number; unchanged: number; updated: number; rejected: number; done: boolean }
interface Refusal { code: string; indonesian: string; english: string }
interface ImportRow { line: number; nikMasked: string | null; result: string; caseNumber: string | null; problem: Refusal | null }
interface ImportReport { progress: ImportProgress; rows: ImportRow[] }
interface Problem { code?: string; detail?: string }

// The latest progress per import, kept whatever the screen: the hub can deliver an import's progress (even its last
// message) before the page has processed the 202 that names the import.
const latest = new Map<string, ImportProgress>();
// The import this browser tab started last, and its report once done (kept so a language switch re-renders them).
let current: { importId: string; report: ImportReport | null; loading: boolean } | null = null;
// The import screen on display, or null.
let screen: { show: (p: ImportProgress) => void; report: HTMLElement } | null = null;

/** Called by the hub connection for every ImportProgress message of this user. */
export function onImportProgress(p: ImportProgress): void {
  const known = latest.get(p.importId);
  if (known && (known.done || known.processed > p.processed)) return; // never step back
  latest.set(p.importId, p);
  if (current?.importId === p.importId) screen?.show(p);
}

const resultName = (result: string): string => enumName("ImportResult", result);

const columns: [string, string, string][] = [
  ["nik", "wajib; 16 digit angka", "required; 16 digits"],
  ["full_name", "wajib; nama lengkap (diapit tanda kutip bila berisi koma)", "required; full name (quoted when it holds a comma)"],
  ["region_code", "wajib; kode kecamatan atau desa Kemendagri, mis. 35.79.02.2004", "required; Kemendagri kecamatan or desa code, e.g. 35.79.02.2004"],
  ["segment", "wajib; salah satu kode berikut:", "required; one of these codes:"],
  ["consent", "wajib; ya atau tidak", "required; ya (yes) or tidak (no)"],
  ["nib", "boleh kosong; 13 digit angka", "optional; 13 digits"],
];

// The format with two made-up rows, offered as a file built in the browser (nothing new is served).
const sampleCsv = "nik,full_name,region_code,segment,consent,nib\n"
  + "3579014301757100,Siti Aminah,35.79.01.1001,Umkm,ya,9120000000000\n"
  + "3579010402767101,Budi Santoso,35.79.01.2003,Koperasi,tidak,\n";
let sampleUrl: string | null = null;

export function renderImport(app: HTMLElement, api: Api, upload: UploadApi, el: El): void {
  sampleUrl ??= URL.createObjectURL(new Blob(["\uFEFF" + sampleCsv], { type: "text/csv" }));
  const file = el("input", { id: "imp-file", type: "file", accept: ".csv,text/csv", required: true });
  const message = el("p", { id: "imp-message", role: "status" });
  const submit = el("button", { className: "primary", type: "submit", textContent: words("Unggah dan impor", "Upload and import") });
  const form = el("form", { className: "card", id: "imp-form" },
    el("label", { htmlFor: "imp-file", textContent: words("Berkas CSV penerima manfaat", "Beneficiaries CSV file") }), file, submit, message);

  const bar = el("progress", { id: "imp-bar", max: 1, value: 0 });
  const processed = el("p", { id: "imp-processed", className: "meta" });
  const count = (key: keyof ImportProgress, id: string, en: string) => {
    const value = el("strong", { textContent: "0" });
    const li = el("li", {}, `${words(id, en)}: `, value);
    li.dataset.count = key;
    return { li, value, key };
  };
  const counts = [count("created", "Dibuat", "Created"), count("unchanged", "Tidak berubah", "Unchanged"), count("updated", "Diperbarui", "Updated"),
    count("rejected", "Ditolak", "Rejected")];
  const progress = el("section", { className: "card", id: "imp-progress", hidden: true },
    el("h2", { textContent: words("Kemajuan impor", "Import progress") }),
    el("label", { htmlFor: "imp-bar", textContent: words("Baris diproses", "Rows processed") }), bar, processed,
    el("ul", { className: "counts", id: "imp-counts" }, ...counts.map((c) => c.li)));
  const report = el("section", { className: "card", id: "imp-report", hidden: true });

  const show = (p: ImportProgress): void => {
    progress.hidden = false;
    bar.max = Math.max(p.total, 1);
    bar.value = p.processed;
    processed.textContent = words(`${formatNumber(p.processed)} dari ${formatNumber(p.total)} baris${p.done ? " — selesai" : ""}`,
      `${formatNumber(p.processed)} of ${formatNumber(p.total)} rows${p.done ? " — done" : ""}`);
    counts.forEach((c) => (c.value.textContent = formatNumber(p[c.key] as number)));
    if (p.done && current?.importId === p.importId && current.report === null && !current.loading) void loadReport(p.importId);
  };
  const loadReport = async (importId: string): Promise<void> => {
    if (current) current.loading = true;
    const result = await api<ImportReport & Problem>("GET", `/api/imports/${encodeURIComponent(importId)}`);
    if (current?.importId !== importId) return; // another import started meanwhile
    current.loading = false;
    if (!result.ok) {
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return;
    }
    current.report = result.data;
    if (screen) drawReport(screen.report, result.data, el);
  };
  screen = { show, report };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    message.textContent = "";
    submit.disabled = true;
    current = null;
    progress.hidden = true;
    report.hidden = true;
    report.replaceChildren();
    try {
      const started = await upload<{ importId: string; total: number } & Problem>("POST", "/api/cases/import", chosen, "text/csv");
      if (!started.ok) {
        message.textContent = started.data?.detail ?? started.data?.code ?? words("Impor gagal.", "The import failed.");
        message.className = "error";
        return;
      }
      message.className = "";
      current = { importId: started.data.importId, report: null, loading: false };
      progress.dataset.importId = started.data.importId;
      show(latest.get(started.data.importId) ?? { importId: started.data.importId, total: started.data.total, processed: 0, created: 0, unchanged: 0, updated: 0, rejected: 0, done: false });
    } finally {
      submit.disabled = false;
    }
  });

  // The segment column takes codes: each shown as code, with its words.
  const segmentCodes = ["Umkm", "Koperasi", "EkonomiKreatif", "PekerjaMigran"].flatMap((c, i) => [i ? ", " : " ", el("code", { textContent: c }), ` (${enumName("Segment", c)})`]);
  const columnList = el("ul", { id: "imp-columns" }, ...columns.map(([name, id, en]) =>
    el("li", {}, el("code", { textContent: name }), ` — ${words(id, en)}`, ...(name === "segment" ? segmentCodes : []))));
  app.replaceChildren(
    el("a", { href: "#/", textContent: words("← Kembali", "← Back") }),
    el("h1", { textContent: words("Impor penerima manfaat", "Import beneficiaries") }),
    el("section", { className: "card" },
      el("h2", { textContent: words("Format berkas", "File format") }),
      el("p", { textContent: words(
        "CSV UTF-8 (dengan atau tanpa BOM), dipisah koma atau titik koma; baris pertama berisi judul kolom (urutan bebas), paling banyak 200.000 baris dan 64 MiB. Hanya untuk wilayah Anda. Setiap baris adalah satu pendaftaran; impor ulang berkas yang sama aman (tidak ada kasus ganda).",
        "CSV in UTF-8 (with or without a BOM), comma or semicolon separated; the first row names the columns (any order), up to 200,000 rows and 64 MiB. Your regions only. Each row is one intake; running the same file again is safe (no case is opened twice).") }),
      columnList,
      el("a", { id: "imp-sample", href: sampleUrl, download: "contoh-impor-penerima.csv", textContent: words("Unduh contoh format (CSV)", "Download a sample file (CSV)") })),
    form, progress, report);

  // Back on the screen (or after a language switch): the last import's progress and report as they stand.
  if (current) {
    progress.dataset.importId = current.importId;
    const p = latest.get(current.importId);
    if (p) show(p);
    if (current.report) drawReport(report, current.report, el);
  }
}

/** After the hub reconnects: the progress of an import still running, in case a message was missed meanwhile. */
export async function resyncImport(api: Api): Promise<void> {
  const importId = current?.importId;
  if (!importId || latest.get(importId)?.done) return;
  const report = await api<ImportReport>("GET", `/api/imports/${encodeURIComponent(importId)}`);
  if (report.ok) onImportProgress(report.data.progress);
}

function drawReport(section: HTMLElement, r: ImportReport, el: El): void {
  const rows = r.rows.map((row) => {
    const outcome = row.caseNumber
      ? el("a", { href: `#/cases/${row.caseNumber}`, textContent: row.caseNumber })
      : el("span", { className: "error", textContent: row.problem ? (lang === "id" ? row.problem.indonesian : row.problem.english) : "—" });
    const tr = el("tr", { className: row.result === "Rejected" ? "rejected" : "" },
      el("td", { textContent: String(row.line) }), el("td", { textContent: row.nikMasked ?? "—" }), el("td", { textContent: resultName(row.result) }),
      el("td", {}, outcome, ...(row.caseNumber && row.problem ? [el("div", { className: "error", textContent: lang === "id" ? row.problem.indonesian : row.problem.english })] : [])));
    tr.dataset.line = String(row.line);
    tr.dataset.result = row.result;
    if (row.problem) tr.dataset.code = row.problem.code;
    return tr;
  });
  section.dataset.importId = r.progress.importId;
  section.replaceChildren(
    el("h2", { textContent: words("Laporan per baris", "Row by row report") }),
    el("p", { className: "meta", textContent: words("Baris dihitung dari baris judul (baris 1).", "Lines count from the header (line 1).") }),
    el("div", { className: "scroll" }, el("table", { className: "text stack", id: "imp-rows" },
      el("thead", {}, el("tr", {}, ...[words("Baris", "Line"), "NIK", words("Hasil", "Result"), words("Kasus / alasan", "Case / reason")].map((h) => el("th", { textContent: h })))),
      el("tbody", {}, ...rows))));
  section.hidden = false;
}
