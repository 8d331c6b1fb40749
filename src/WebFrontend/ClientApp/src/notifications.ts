import { enumName, formatTime, words } from "./i18n";
import type { Api, El } from "./page";

// Each user's notification settings (how notices reach them outside the app: e-mail, WhatsApp/SMS, language), and for
// admins the deliveries that failed, with a button to send them again (docs/notifications.md).

interface Settings { email: string | null; phone: string | null; language: string | null; byEmail: boolean; byMessage: boolean }
interface Delivery { userId: string; caseNumber: string; channel: string; kind: string; attempts: number; lastError: string | null; nextAttemptAt: string; createdAt: string }
type Problem = { detail?: string; code?: string };

export async function renderNotifications(app: HTMLElement, api: Api, el: El, admin: boolean): Promise<void> {
  const current = await api<Settings & Problem>("GET", "/api/me/notifications");
  const s: Settings = current.ok ? current.data : { email: null, phone: null, language: "id", byEmail: false, byMessage: false };
  const field = (id: string, label: string, input: HTMLElement) => el("div", { className: "field" }, el("label", { htmlFor: id, textContent: label }), input);
  const check = (id: string, label: string, box: HTMLInputElement) => el("label", { htmlFor: id, className: "check" }, box, ` ${label}`);
  const email = el("input", { id: "n-email", type: "email", maxLength: 254, autocomplete: "email", value: s.email ?? "" });
  const phone = el("input", { id: "n-phone", type: "tel", maxLength: 16, autocomplete: "tel", placeholder: "+6281234567890", value: s.phone ?? "" });
  const language = el("select", { id: "n-language" }, el("option", { value: "id", textContent: "Bahasa Indonesia" }), el("option", { value: "en", textContent: "English" }));
  language.value = s.language ?? "id";
  const byEmail = el("input", { id: "n-by-email", type: "checkbox", checked: s.byEmail });
  const byMessage = el("input", { id: "n-by-message", type: "checkbox", checked: s.byMessage });
  const message = el("p", { id: "n-message", role: "status" });
  const form = el("form", { className: "card", id: "notify-form" },
    el("p", { className: "meta", textContent: words(
      "Pemberitahuan (permintaan persetujuan, eskalasi, tahap yang hampir melewati batas waktu, keputusan atas permintaan Anda, jawaban atas rujukan dan pengajuan pembiayaan Anda, penugasan kasus, sesi pendampingan yang sudah waktunya, permintaan baru untuk organisasi mitra Anda) selalu tampil di aplikasi. Di sini Anda dapat menerimanya juga lewat e-mail atau WhatsApp/SMS. Pesan tidak memuat data pribadi penerima manfaat: hanya nomor kasus dan tautannya.",
      "Notices (approvals to decide, escalations, stages close to their deadline, decisions on your requests, answers to your referrals and financing applications, cases assigned, mentoring sessions due, new requests to your partner organisation) always show in the app. Here you can also receive them by e-mail or WhatsApp/SMS. Messages hold no personal data of the beneficiary: only the case number and its link.") }),
    field("n-email", words("Alamat e-mail", "E-mail address"), email),
    field("n-phone", words("Nomor WhatsApp/SMS (bentuk internasional)", "WhatsApp/SMS number (international form)"), phone),
    field("n-language", words("Bahasa pesan", "Language of the messages"), language),
    check("n-by-email", words("Kirim lewat e-mail", "Send by e-mail"), byEmail),
    check("n-by-message", words("Kirim lewat WhatsApp/SMS", "Send by WhatsApp/SMS"), byMessage),
    el("button", { type: "submit", id: "n-save", className: "primary", textContent: words("Simpan", "Save") }), message);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      const saved = await api<Settings & Problem>("PUT", "/api/me/notifications", {
        email: email.value.trim() || null, phone: phone.value.trim() || null, language: language.value, byEmail: byEmail.checked, byMessage: byMessage.checked,
      });
      message.className = saved.ok ? "" : "error";
      message.textContent = saved.ok ? words("Tersimpan.", "Saved.") : saved.data?.detail ?? saved.data?.code ?? String(saved.status);
    })();
  });

  const sections: HTMLElement[] = [];
  if (admin) {
    const failed = await api<Delivery[]>("GET", "/api/admin/notice-deliveries?status=Failed");
    const rows = failed.ok ? failed.data : [];
    const retry = el("button", { type: "button", id: "retry-deliveries", textContent: words("Kirim ulang semua yang gagal", "Send every failed one again"), disabled: rows.length === 0 });
    retry.addEventListener("click", () => void (async () => {
      await api("POST", "/api/admin/notice-deliveries/retry");
      await renderNotifications(app, api, el, admin);
    })());
    sections.push(el("section", { className: "card", id: "deliveries" },
      el("h2", { textContent: words(`Pesan yang gagal terkirim (${rows.length})`, `Messages that could not be sent (${rows.length})`) }),
      el("ul", { id: "failed-deliveries" }, ...rows.map((d) => el("li", { textContent:
        `${formatTime(d.createdAt)} · ${d.userId} · ${enumName("NoticeChannel", d.channel)} · ${words("kasus", "case")} ${d.caseNumber} · ${words(`${d.attempts} kali dicoba`, `${d.attempts} attempts`)} · ${d.lastError ?? ""}` }))),
      retry));
  }

  app.replaceChildren(el("a", { href: "#/", textContent: words("← Kembali", "← Back") }),
    el("h1", { textContent: words("Pemberitahuan", "Notifications") }), form, ...sections);
}
