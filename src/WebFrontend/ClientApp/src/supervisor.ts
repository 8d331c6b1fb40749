import { stageName, words } from "./i18n";
import type { Api, El } from "./page";
import { type Problem, type Summary, nav } from "./workbench";

// The supervisor's view of their regions: closures and reopenings waiting for approval (approve or decline in place),
// overdue and escalated stages, and each mentor's caseload with reassignment. It re-reads itself when a case event
// arrives (requests and escalations are pushed to the region's supervisors), so it stays current without a reload.

interface MentorLoad { mentorId: string; name: string; capacity: number; activeCases: number; disabled: boolean }
interface PendingView { caseNumber: string; pendingApproval: { kind: string; reason: string | null; closeReason: string | null; requestedBy: string } | null }

let shown: { app: HTMLElement; api: Api; el: El; regions: string[] } | null = null;
let refreshing: Promise<void> | null = null;
// Mentors whose cases the supervisor opened: they stay open when the view refreshes.
const expanded = new Set<string>();
let again = false;

/** Called for every live case event: re-reads the view when it is on screen (one refresh at a time, then one more if asked meanwhile). */
export function refreshSupervisor(): Promise<void> {
  if (!shown || !document.getElementById("supervisor")) return Promise.resolve();
  if (refreshing) {
    again = true;
    return refreshing;
  }
  const { app, api, el, regions } = shown;
  refreshing = (async () => {
    try {
      do {
        again = false;
        await fill(app, api, el, regions);
      } while (again);
    } catch {
      // A dropped connection or a proxy's error page: say so; the next event or action refreshes again.
      const message = app.querySelector<HTMLElement>("#sv-message");
      if (message) message.textContent = words("Gagal memuat ulang; mencoba lagi pada perubahan berikutnya.", "Could not refresh; trying again on the next change.");
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function renderSupervisor(app: HTMLElement, api: Api, el: El, regions: string[]): Promise<void> {
  shown = { app, api, el, regions };
  app.replaceChildren(el("h1", { id: "supervisor", textContent: words("Supervisi wilayah", "Regional supervision") }), nav(el, "Supervisor"),
    el("p", { id: "sv-message", role: "status" }),
    el("section", { className: "card", id: "approvals" }), el("section", { className: "card", id: "overdue" }), el("section", { className: "card", id: "caseloads" }));
  await refreshSupervisor();
}

async function list(api: Api, query: string): Promise<Summary[]> {
  const page = await api<{ items: Summary[] }>("GET", `/api/cases?${query}&pageSize=200`);
  return page.ok ? page.data.items : [];
}

async function fill(app: HTMLElement, api: Api, el: El, regions: string[]): Promise<void> {
  const message = app.querySelector<HTMLElement>("#sv-message");
  // A refused action leaves the screen as it is (what was typed stays); an accepted one refreshes it.
  const act = async (path: string, body: Record<string, unknown>) => {
    const result = await api<Problem>("POST", path, { commandId: crypto.randomUUID(), ...body });
    if (message) message.textContent = result.ok ? words("Tersimpan.", "Saved.") : (result.data?.detail ?? result.data?.code ?? "");
    if (result.ok || result.status === 409) await refreshSupervisor();
  };
  const caseLink = (c: Summary) => el("a", { href: `#/cases/${c.caseNumber}`, textContent: `${c.fullName} · ${c.caseNumber}` });

  // Waiting for approval, oldest case number first; the request's reason comes from the case itself.
  const pending = [...await list(api, "pending=Closure"), ...await list(api, "pending=Reopening")];
  // A row already on screen is kept as it is, so a reason being typed survives a live refresh.
  const onScreen = new Map([...app.querySelectorAll<HTMLLIElement>("#approvals li[data-key]")].map((li) => [li.dataset.key!, li]));
  const approvalRows = await Promise.all(pending.map(async (c) => {
    // Keyed by the case's version: a request declined and asked again (new reason, maybe another asker) is a new row.
    const kept = onScreen.get(`${c.caseNumber}:${c.pendingApproval}:${c.version}`);
    if (kept) return kept;
    const view = await api<PendingView>("GET", `/api/cases/${encodeURIComponent(c.caseNumber)}`);
    const p = view.ok ? view.data.pendingApproval : null;
    const path = `/api/cases/${encodeURIComponent(c.caseNumber)}/${c.pendingApproval === "Closure" ? "closure-request" : "reopening-request"}`;
    const reason = el("input", { id: `decline-reason-${c.caseNumber}`, maxLength: 2000 });
    const approve = el("button", { type: "button", className: "action", id: `approve-${c.caseNumber}`, textContent: words("Setujui", "Approve") });
    // The decision is about the request as shown: if the case moved on meanwhile, the server refuses (409) and the view refreshes.
    approve.addEventListener("click", () => void act(`${path}/approve`, { expectedVersion: c.version }));
    const decline = el("button", { type: "button", className: "action", id: `decline-${c.caseNumber}`, textContent: words("Tolak", "Decline") });
    decline.addEventListener("click", () => void act(`${path}/decline`, { reason: reason.value, expectedVersion: c.version }));
    const li = el("li", {}, caseLink(c),
      el("div", { className: "meta", textContent: `${c.pendingApproval === "Closure" ? words("Minta ditutup", "Closure asked") : words("Minta dibuka kembali", "Reopening asked")}${p?.reason ? ": " + p.reason : ""}${p ? ` (${words("oleh", "by")} ${p.requestedBy})` : ""}` }),
      approve, el("label", { htmlFor: reason.id, textContent: words("Alasan menolak", "Reason for declining") }), reason, decline);
    li.dataset.case = c.caseNumber;
    li.dataset.key = `${c.caseNumber}:${c.pendingApproval}:${c.version}`;
    return li;
  }));
  app.querySelector("#approvals")?.replaceChildren(el("h2", { textContent: words(`Menunggu persetujuan (${pending.length})`, `Waiting for approval (${pending.length})`) }),
    approvalRows.length ? el("ul", {}, ...approvalRows) : el("p", { className: "meta", textContent: words("Tidak ada.", "None.") }));

  const overdue = await list(api, "overdue=true&status=Open");
  app.querySelector("#overdue")?.replaceChildren(el("h2", { textContent: words(`Tahap lewat tenggat (${overdue.length})`, `Overdue stages (${overdue.length})`) }),
    overdue.length ? el("ul", {}, ...overdue.map((c) => {
      const li = el("li", {}, caseLink(c), el("div", { className: "meta", textContent: `${stageName(c.currentStage)} · ${c.sla === "Escalated" ? words("⚠ dieskalasi ke supervisor", "⚠ escalated to the supervisor") : words("⚠ lewat tenggat", "⚠ overdue")} · ${words("pendamping", "mentor")}: ${c.mentorId ?? "—"}` }));
      li.dataset.case = c.caseNumber;
      li.dataset.sla = c.sla;
      return li;
    })) : el("p", { className: "meta", textContent: words("Tidak ada.", "None.") }));

  // Caseload per mentor over the regions served; a mentor's cases open in place with a reassignment to another mentor.
  const loads = new Map<string, MentorLoad>();
  for (const region of regions) {
    const result = await api<MentorLoad[]>("GET", `/api/mentors?region=${encodeURIComponent(region)}`);
    for (const m of result.ok ? result.data : []) loads.set(m.mentorId, m);
  }
  const mentors = [...loads.values()].filter((m) => !m.disabled);
  // Unchanged caseloads are left as they are on screen (an open list of cases and a choice being made stay put).
  const section = app.querySelector<HTMLElement>("#caseloads");
  const signature = JSON.stringify([words("id", "en"), mentors]);
  if (!section || section.dataset.signature === signature) return;
  section.dataset.signature = signature;
  const rows = mentors.map((m) => {
    const more = el("button", { type: "button", className: "action", id: `cases-of-${m.mentorId}`, textContent: words("Lihat kasus", "Show cases") });
    const cell = el("td", {}, more);
    const show = async () => {
      expanded.add(m.mentorId);
      const cases = await list(api, `mentor=${encodeURIComponent(m.mentorId)}&status=Open`);
      cell.replaceChildren(el("ul", {}, ...cases.map((c) => {
        const to = el("select", { id: `reassign-to-${c.caseNumber}` }, ...mentors.filter((o) => o.mentorId !== m.mentorId)
          .map((o) => el("option", { value: o.mentorId, textContent: `${o.name} (${o.activeCases}/${o.capacity})` })));
        const move = el("button", { type: "button", className: "action", id: `reassign-${c.caseNumber}`, textContent: words("Pindahkan", "Reassign") });
        move.addEventListener("click", () => void act(`/api/cases/${encodeURIComponent(c.caseNumber)}/mentor`, { mentorId: to.value }));
        const li = el("li", {}, caseLink(c), el("label", { htmlFor: to.id, textContent: words("Pindahkan ke", "Reassign to") }), to, move);
        li.dataset.case = c.caseNumber;
        return li;
      })));
    };
    more.addEventListener("click", () => void show());
    if (expanded.has(m.mentorId)) void show();
    const tr = el("tr", {}, el("td", { textContent: `${m.name} (${m.mentorId})` }), el("td", { textContent: `${m.activeCases} / ${m.capacity}`, className: m.activeCases >= m.capacity ? "full" : "" }), cell);
    tr.dataset.mentor = m.mentorId;
    return tr;
  });
  section.replaceChildren(el("h2", { textContent: words("Beban pendamping", "Mentor caseloads") }),
    rows.length ? el("div", { className: "scroll" }, el("table", {}, el("thead", {}, el("tr", {},
      el("th", { textContent: words("Pendamping", "Mentor") }), el("th", { textContent: words("Kasus aktif / kapasitas", "Active cases / capacity") }), el("th", { textContent: "" }))),
    el("tbody", {}, ...rows))) : el("p", { className: "meta", textContent: words("Belum ada pendamping di wilayah ini.", "No mentors in this region yet.") }));
}
