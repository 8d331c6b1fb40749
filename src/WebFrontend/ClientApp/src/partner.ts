import { enumName, formatNumber, formatRupiah, formatTime, segmentName, words } from "./i18n";
import type { Api, El } from "./page";
import { todayIn } from "./zones";

// A hexa-helix partner's queue (docs/partners.md): what waits for its organisation — referrals to answer and their
// outcomes, financing decisions, disbursements and repayments, course attendance — each answered here, as the partner.
// The live feed (main.ts) brings new work and changes: the page is drawn again from the server's queue.

interface Organisation { orgId: string; name: string; kind: string }
interface Enrolment {
  offerId: string; offerName: string; offerType: string; status: string; since: string; respondBy: string | null; responseOverdue: boolean;
  amountIdr: number | null; plafondIdr: number | null; disbursedIdr: number | null; repayment: string | null; attendanceThresholdPercent: number | null;
}
interface PartnerEnrolment { enrolment: Enrolment; waitingOn: string | null }
interface PartnerCase {
  caseNumber: string; version: number; beneficiaryName: string; nikMasked: string; segment: string; nib: string | null; sector: string | null;
  umkmClass: string | null; regionCode: string; regionName: string; enrolments: PartnerEnrolment[];
}
interface Queue { organisation: Organisation; cases: PartnerCase[]; more: boolean }
type Problem = { detail?: string; code?: string };

/** Where each listed case stands (for the live feed's resume: only these), told to main.ts after each draw. */
type Track = (versions: Map<string, number>) => void;

let drawn: { app: HTMLElement; api: Api; el: El; track: Track } | null = null;
let drawing: Promise<void> = Promise.resolve();

/** The answer each task takes: its path under the enrolment, and its form. */
const taskPaths: Record<string, string> = {
  ReferralResponse: "referral-response",
  ReferralOutcome: "referral-outcome",
  FinancingDecision: "financing-decision",
  Disbursement: "disbursement",
  Repayment: "repayment",
  Attendance: "attendance",
};

export function renderPartner(app: HTMLElement, api: Api, el: El, track: Track): Promise<void> {
  drawn = { app, api, el, track };
  drawing = drawing.then(draw, draw);
  return drawing;
}

let refreshing = false;

/**
 * Draws the queue again after a live event or a reconnect: the events of a quarter second make one draw (a draw reads
 * the whole queue), and one draw runs at a time.
 */
export function refreshPartner(): Promise<void> {
  if (refreshing) return drawing;
  refreshing = true;
  const later = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 250));
    refreshing = false;
    await draw();
  };
  drawing = drawing.then(later, later);
  return drawing;
}

/** Leaves the page (another route): live events no longer draw it. */
export function leavePartner(): void {
  drawn = null;
}

async function draw(): Promise<void> {
  if (!drawn) return;
  const { app, api, el, track } = drawn;
  const answer = await api<Queue & Problem>("GET", "/api/partner/queue");
  if (drawn?.app !== app) return;
  if (!answer.ok) {
    app.replaceChildren(el("h1", { textContent: words("Antrean mitra", "Partner queue") }),
      el("p", { className: "error", id: "partner-error", textContent: answer.data?.detail ?? String(answer.status) }));
    return;
  }
  const queue = answer.data;
  track(new Map(queue.cases.map((c) => [c.caseNumber, c.version])));
  // What the user is typing in a form stays when the page is drawn again for someone else's change.
  const typed = new Map<string, string>();
  app.querySelectorAll<HTMLInputElement | HTMLSelectElement>("#partner-queue input, #partner-queue select").forEach((input) => {
    if (input.id && input.value) typed.set(input.id, input.value);
  });
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.id : "";
  const list = el("ul", { id: "partner-queue", className: "cases" },
    ...queue.cases.map((c) => el("li", { className: "card partner-case", id: `pc-${c.caseNumber}` },
      el("strong", { textContent: `${c.beneficiaryName} · ${c.caseNumber}` }),
      el("div", { className: "meta", textContent: [
        `NIK ${c.nikMasked}`, segmentName(c.segment), c.sector, c.umkmClass ? enumName("UmkmClass", c.umkmClass) : null, c.nib ? `NIB ${c.nib}` : null, c.regionName,
      ].filter((x) => x).join(" · ") }),
      ...c.enrolments.map((e) => enrolmentPart(el, api, c, e)))));
  const empty = el("p", { id: "partner-empty", className: "meta", hidden: queue.cases.length > 0,
    textContent: words("Tidak ada yang menunggu organisasi Anda.", "Nothing is waiting for your organisation.") });
  app.replaceChildren(
    el("h1", { textContent: words("Antrean mitra", "Partner queue") }),
    el("p", { className: "meta", id: "partner-org", textContent: `${queue.organisation.name} · ${enumName("HexaHelixRole", queue.organisation.kind)}` }),
    el("p", { className: "meta", textContent: words(
      "Hanya penerima manfaat yang setuju datanya dibagikan kepada mitra. NIK disamarkan. Halaman ini diperbarui langsung.",
      "Only beneficiaries who agreed to share their data with partners. NIKs are masked. This page updates live.") }),
    el("p", { id: "partner-message", role: "status" }),
    empty, list,
    ...(queue.more ? [el("p", { className: "meta", textContent: words("Masih ada lagi: selesaikan yang di atas dulu.", "There are more: finish the ones above first.") })] : []));
  typed.forEach((value, id) => {
    const input = document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = value;
  });
  if (focused) document.getElementById(focused)?.focus();
}

/** One enrolment with the organisation's offer: where it stands, and the form for what waits on it. */
function enrolmentPart(el: El, api: Api, c: PartnerCase, p: PartnerEnrolment): HTMLElement {
  const e = p.enrolment;
  const facts = [
    enumName("EnrolmentStatus", e.status),
    e.amountIdr !== null ? `${words("diajukan", "applied for")} ${formatRupiah(e.amountIdr)}` : null,
    e.plafondIdr !== null ? `${words("plafon", "ceiling")} ${formatRupiah(e.plafondIdr)}` : null,
    e.disbursedIdr !== null ? `${words("cair", "disbursed")} ${formatRupiah(e.disbursedIdr)}` : null,
    e.repayment ? enumName("RepaymentStatus", e.repayment) : null,
    e.respondBy ? `${words("jawab sebelum", "answer by")} ${formatTime(e.respondBy)}${e.responseOverdue ? words(" (terlambat)", " (overdue)") : ""}` : null,
  ].filter((x) => x).join(" · ");
  const part = el("div", { className: "partner-enrolment", id: `pe-${c.caseNumber}-${e.offerId}` },
    el("div", { textContent: e.offerName }), el("div", { className: "meta", textContent: facts }));
  if (p.waitingOn) part.append(taskForm(el, api, c, e, p.waitingOn));
  return part;
}

function taskForm(el: El, api: Api, c: PartnerCase, e: Enrolment, task: string): HTMLElement {
  const id = (name: string) => `${name}-${c.caseNumber}-${e.offerId}`;
  const field = (name: string, label: string, input: HTMLElement) => el("div", { className: "field" }, el("label", { htmlFor: id(name), textContent: label }), input);
  const message = el("p", { className: "task-message", role: "status" });
  const send = async (body: Record<string, unknown>) => {
    message.className = "task-message";
    message.textContent = words("Mengirim…", "Sending…");
    const path = `/api/partner/cases/${encodeURIComponent(c.caseNumber)}/enrolments/${encodeURIComponent(e.offerId)}/${taskPaths[task]}`;
    const sent = await api<Problem>("POST", path, { commandId: crypto.randomUUID(), ...body });
    if (!sent.ok) {
      message.className = "task-message error";
      message.textContent = sent.status === 0 ? words("Tidak ada koneksi ke server.", "No connection to the server.") : sent.data?.detail ?? sent.data?.code ?? String(sent.status);
      return;
    }
    message.textContent = words("Terkirim.", "Sent.");
    drawing = drawing.then(draw, draw);
    await drawing;
  };
  const reason = el("input", { id: id("reason"), maxLength: 500 });
  const form = el("form", { className: "partner-task", id: id("task") },
    el("div", { className: "meta", textContent: `${words("Menunggu Anda", "Waiting for you")}: ${enumName("PartnerTask", task)}` }));
  const button = (name: string, text: string, primary: boolean, body: () => Record<string, unknown> | null) => {
    const b = el("button", { type: "button", id: id(name), className: primary ? "primary" : "", textContent: text });
    b.addEventListener("click", () => {
      const fields = body();
      if (fields) void send(fields);
    });
    return b;
  };
  const needReason = (): string | null => {
    if (reason.value.trim()) return reason.value.trim();
    message.className = "task-message error";
    message.textContent = words("Tuliskan alasannya.", "Write the reason.");
    return null;
  };
  switch (task) {
    case "ReferralResponse":
      form.append(field("reason", words("Alasan (wajib bila menolak)", "Reason (required to decline)"), reason),
        button("accept", words("Terima rujukan", "Accept the referral"), true, () => ({ accepted: true })),
        button("decline", words("Tolak", "Decline"), false, () => (needReason() ? { accepted: false, reason: reason.value.trim() } : null)));
      break;
    case "ReferralOutcome": {
      const outcome = el("select", { id: id("outcome") }, ...["Contracted", "Accepted", "Declined"].map((o) => el("option", { value: o, textContent: enumName("MatchOutcome", o) })));
      form.append(field("outcome", words("Hasil", "Outcome"), outcome), field("reason", words("Keterangan", "Note"), reason),
        button("report", words("Laporkan hasil", "Report the outcome"), true, () => ({ outcome: outcome.value, reason: reason.value.trim() || null })));
      break;
    }
    case "FinancingDecision": {
      const plafond = el("input", { id: id("plafond"), type: "number", min: "1", step: "1", value: String(e.amountIdr ?? "") });
      form.append(field("plafond", words("Plafon disetujui (Rp)", "Approved ceiling (Rp)"), plafond),
        field("reason", words("Alasan (wajib bila menolak)", "Reason (required to reject)"), reason),
        button("approve", words("Setujui", "Approve"), true, () => ({ approved: true, plafondIdr: Number(plafond.value) })),
        button("reject", words("Tolak", "Reject"), false, () => (needReason() ? { approved: false, reason: reason.value.trim() } : null)));
      break;
    }
    case "Disbursement": {
      const amount = el("input", { id: id("amount"), type: "number", min: "1", step: "1", value: String(e.plafondIdr ?? "") });
      const date = el("input", { id: id("date"), type: "date", value: todayIn(c.regionCode) });
      form.append(field("amount", words("Jumlah dicairkan (Rp)", "Amount disbursed (Rp)"), amount), field("date", words("Tanggal pencairan", "Date disbursed"), date),
        button("disburse", words("Catat pencairan", "Record the disbursement"), true, () => ({ amountIdr: Number(amount.value), date: date.value })));
      break;
    }
    case "Repayment": {
      const status = el("select", { id: id("repayment") }, ...["Current", "Late", "Defaulted", "Repaid"].map((s) => el("option", { value: s, textContent: enumName("RepaymentStatus", s) })));
      form.append(field("repayment", words("Status angsuran", "Repayment status"), status),
        button("repay", words("Catat", "Record"), true, () => ({ status: status.value })));
      break;
    }
    case "Attendance": {
      const percent = el("input", { id: id("attendance"), type: "number", min: "0", max: "100", step: "1" });
      const threshold = e.attendanceThresholdPercent;
      form.append(field("attendance", words(`Kehadiran (%; lulus mulai ${formatNumber(threshold ?? 0)}%)`, `Attendance (%; passes from ${formatNumber(threshold ?? 0)}%)`), percent),
        button("attend", words("Catat kehadiran", "Record the attendance"), true, () => ({ attendancePercent: Number(percent.value) })));
      break;
    }
  }
  form.append(message);
  form.addEventListener("submit", (ev) => ev.preventDefault());
  return form;
}
