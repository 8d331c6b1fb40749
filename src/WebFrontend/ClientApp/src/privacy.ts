import { enumName, formatTime, lang, words } from "./i18n";
import type { Api, El } from "./page";

// The data protection officer's page (UU 27/2022 PDP): who read, revealed or exported which case, when, why and from
// where, searched with filters; and the record of processing activities. The server shows this role no case content.

interface Entry { caseNumber: string; userId: string; role: string; action: string; purpose: string; at: string; origin: string | null }
interface Text { indonesian: string; english: string }
interface Activity { id: string; name: Text; purpose: Text; legalBasis: Text; dataSubjects: Text; dataCategories: Text; recipients: Text; retention: Text; safeguards: Text }

/** Each recorded action in words, [Bahasa Indonesia, English] (this page and the subject access document). */
export const accessActions: Record<string, [string, string]> = {
  "read-case": ["membaca kasus", "read a case"],
  "read-timeline": ["membaca riwayat kasus", "read a case timeline"],
  list: ["melihat di daftar kasus", "saw it in the case list"],
  "reveal-nik": ["membuka NIK lengkap", "revealed a full NIK"],
  "reveal-nik-denied": ["ditolak membuka NIK", "was refused a full NIK"],
  "subject-access-export": ["mengekspor data subjek", "exported a subject's data"],
  "subject-access-denied": ["ditolak mengekspor data subjek", "was refused a subject's data"],
  "denied-read": ["ditolak membaca (di luar wilayah)", "was refused a read (out of scope)"],
  "denied-command": ["ditolak mengubah (di luar wilayah)", "was refused a change (out of scope)"],
  "case-list": ["melihat di daftar kasus", "saw it in the case list"],
  "nik-search": ["mencarinya dengan NIK", "searched for it by NIK"],
  command: ["mengubah kasus", "changed the case"],
  "refused-command": ["mencoba mengubah kasus, ditolak", "tried to change the case, refused"],
  "account-change": ["mengubah akun", "changed an account"],
  "access-log-search": ["mencari di log akses", "searched the access log"],
  "notification-settings": ["mengubah cara menerima pemberitahuan", "changed how they receive notices"],
};

const say = (x: Text): string => (lang === "id" ? x.indonesian : x.english);

/** An account change's record ("Mentor [35.79] disabled=False -> … password-set") in words. */
function purposeWords(e: Entry): string {
  if (e.action !== "account-change") return e.purpose;
  return e.purpose
    .replace(/\b(Caseworker|Mentor|Supervisor|MinistryAnalyst|Admin|DataProtectionOfficer)\b/g, (role) => enumName("Role", role))
    .replace(/disabled=False/g, words("aktif", "enabled")).replace(/disabled=True/g, words("nonaktif", "disabled"))
    .replace(/password-set/g, words("kata sandi diatur", "password set")).replace(/\(new\)/g, words("(baru)", "(new)"));
}

/** A local date (yyyy-mm-dd, the officer's day) as the start of that day in their time zone, in ISO form. */
const startOf = (date: string): string => new Date(`${date}T00:00:00`).toISOString();

export async function renderPrivacy(app: HTMLElement, api: Api, el: El): Promise<void> {
  const field = (id: string, label: string, input: HTMLElement) => el("div", { className: "field" }, el("label", { htmlFor: id, textContent: label }), input);
  const user = el("input", { id: "pv-user", maxLength: 100 });
  const caseNumber = el("input", { id: "pv-case", maxLength: 100 });
  const action = el("select", { id: "pv-action" }, el("option", { value: "", textContent: words("Semua tindakan", "Every action") }),
    ...Object.entries(accessActions).map(([value, w]) => el("option", { value, textContent: words(...w) })));
  const from = el("input", { id: "pv-from", type: "date" });
  const to = el("input", { id: "pv-to", type: "date" });
  const message = el("p", { id: "pv-message", role: "status" });
  const rows = el("tbody", { id: "pv-rows" });
  const form = el("form", { className: "card", id: "pv-filters" },
    el("h2", { textContent: words("Cari di log akses", "Search the access log") }),
    field("pv-user", words("Akun", "Account"), user), field("pv-case", words("Nomor kasus", "Case number"), caseNumber),
    field("pv-action", words("Tindakan", "Action"), action), field("pv-from", words("Dari tanggal", "From"), from), field("pv-to", words("Sampai tanggal", "To"), to),
    el("button", { type: "submit", id: "pv-search", textContent: words("Cari", "Search") }), message);
  const search = async () => {
    const q = new URLSearchParams({ limit: "200" });
    if (user.value.trim()) q.set("user", user.value.trim());
    if (caseNumber.value.trim()) q.set("case", caseNumber.value.trim());
    if (action.value) q.set("action", action.value);
    if (from.value) q.set("from", startOf(from.value));
    // "To" names a whole day: up to the start of the next one.
    if (to.value) q.set("to", new Date(new Date(`${to.value}T00:00:00`).getTime() + 86_400_000).toISOString());
    const result = await api<Entry[] & { detail?: string; code?: string }>("GET", `/api/privacy/access-log?${q}`);
    if (!result.ok) {
      message.textContent = result.data?.detail ?? result.data?.code ?? "";
      return;
    }
    message.textContent = words(`${result.data.length} catatan (terbaru dulu).`, `${result.data.length} entries (newest first).`);
    rows.replaceChildren(...result.data.map((e) => {
      const tr = el("tr", {},
        el("td", { textContent: formatTime(e.at) }),
        el("td", { textContent: `${e.userId} (${enumName("Role", e.role)})` }),
        el("td", { textContent: e.caseNumber }),
        el("td", { textContent: accessActions[e.action] ? words(...accessActions[e.action]) : words("akses lain", "another access") }),
        el("td", { textContent: purposeWords(e) }),
        el("td", { textContent: e.origin ?? "—" }));
      tr.dataset.action = e.action;
      return tr;
    }));
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); void search(); });

  const activities = await api<Activity[]>("GET", "/api/privacy/processing-activities");
  const row = (label: string, value: Text) => [el("dt", { textContent: label }), el("dd", { textContent: say(value) })];
  const ropa = el("section", { className: "card", id: "pv-activities" },
    el("h2", { textContent: words("Catatan kegiatan pemrosesan data pribadi", "Record of processing activities") }),
    ...(activities.ok ? activities.data : []).map((a) => {
      const item = el("details", {}, el("summary", { textContent: say(a.name) }),
        el("dl", {}, ...row(words("Tujuan", "Purpose"), a.purpose), ...row(words("Dasar pemrosesan", "Legal basis"), a.legalBasis),
          ...row(words("Subjek data", "Data subjects"), a.dataSubjects), ...row(words("Jenis data", "Data categories"), a.dataCategories),
          ...row(words("Penerima", "Recipients"), a.recipients), ...row(words("Masa simpan", "Retention"), a.retention),
          ...row(words("Pengamanan", "Safeguards"), a.safeguards)));
      item.dataset.activity = a.id;
      return item;
    }));
  app.replaceChildren(
    el("h1", { textContent: words("Pelindungan data pribadi", "Personal data protection") }),
    el("p", { className: "meta", textContent: words(
      "Siapa membaca, membuka NIK atau mengekspor data kasus mana, kapan, untuk apa dan dari mana. Halaman ini tidak menampilkan isi kasus; pencarian Anda juga dicatat.",
      "Who read, revealed a NIK or exported which case's data, when, why and from where. This page shows no case content; your searches are recorded too.") }),
    form,
    el("section", { className: "card" }, el("div", { className: "table-wrap" }, el("table", { id: "pv-table" },
      el("thead", {}, el("tr", {}, ...[words("Waktu", "When"), words("Akun", "Account"), words("Kasus", "Case"), words("Tindakan", "Action"), words("Keperluan", "Purpose"), words("Asal", "From")]
        .map((h) => el("th", { textContent: h })))), rows))),
    ropa);
  await search();
}
