import { HttpTransportType, HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from "@microsoft/signalr";
import { formatTime, lang, setLang, stageName, t, translatePage, type Key } from "./i18n";
import { leaveDashboard, renderDashboard } from "./dashboard";
import { isRendered, markAction, markTyped, renderWorkbench, renderWorkbenchCase } from "./workbench";
import { refreshSupervisor, renderSupervisor } from "./supervisor";
import { downloadLink } from "./page";
import { onImportProgress, renderImport, resyncImport, type ImportProgress } from "./imports";
import { renderProblems } from "./problems";

// The mentor page: sign in, the assigned cases updating live, a case's timeline, log a mentoring session.
// All rules live on the server; this page only shows what the API and the hub send.

interface Me { id: string; role: string; regions: string[] }
interface CaseView { caseNumber: string; version: number; currentStage: string; fullName: string; status: string; updatedAt: string }
interface TimelineEvent { caseNumber: string; seq: number; type: string; actorId: string; occurredAt: string; payload: Record<string, unknown> }

const app = document.getElementById("app")!;
const status = document.getElementById("status")!;
const logoutButton = document.getElementById("logout") as HTMLButtonElement;
const langButton = document.getElementById("lang") as HTMLButtonElement;

let antiforgery: string | null = null;
let me: Me | null = null;
let hub: HubConnection | null = null;
const cases = new Map<string, CaseView>();
const lastSeq = new Map<string, number>();
let openCase: string | null = null;

/** How long a request keeps being sent again while the server answers 503 (ms). */
const unavailableFor = 45_000;

/**
 * One API call as the signed-in user (page language, antiforgery header on writes); never throws for an HTTP error. While
 * the server says it cannot be reached (503), the same request is sent again after its Retry-After, for up to
 * `unavailableFor` ms (a silo replaced, a database failing over), with the status line saying so: a command carries its
 * command id, so sending it again is safe. After that the 503 is the answer, shown like any other problem.
 */
async function request<T>(method: string, path: string, body: BodyInit | undefined, contentType: string | undefined): Promise<{ ok: boolean; status: number; data: T }> {
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": lang };
  if (contentType) headers["Content-Type"] = contentType;
  if (method !== "GET" && antiforgery) headers["X-CSRF-TOKEN"] = antiforgery;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
    const text = await response.text();
    if (response.status === 503 && Date.now() - started < unavailableFor) {
      showStatus(t("live.unavailable"));
      const wait = Number(response.headers.get("Retry-After") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 1), 30) * 1000));
      continue;
    }
    if (attempt > 1) showStatus(null);
    return { ok: response.ok, status: response.status, data: (text ? JSON.parse(text) : null) as T };
  }
}

const api = <T>(method: string, path: string, body?: unknown) =>
  body === undefined ? request<T>(method, path, undefined, undefined) : request<T>(method, path, JSON.stringify(body), "application/json");

/** A raw body (a CSV file) with its content type. */
const upload = <T>(method: string, path: string, body: Blob, contentType: string) => request<T>(method, path, body, contentType);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showStatus(text: string | null): void {
  status.hidden = text === null;
  status.textContent = text ?? "";
}

// ---- sign-in -------------------------------------------------------------------------------------------------

function renderLogin(message?: string): void {
  logoutButton.hidden = true;
  const userId = el("input", { id: "userId", name: "userId", autocomplete: "username", required: true });
  const password = el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { className: "card", id: "login" },
    el("h1", { textContent: t("auth.title") }),
    el("label", { htmlFor: "userId", textContent: t("auth.userId") }), userId,
    el("label", { htmlFor: "password", textContent: t("auth.password") }), password,
    el("button", { className: "primary", type: "submit", textContent: t("auth.submit") }),
    ...(message ? [el("p", { className: "error", textContent: message })] : []));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<{ antiforgeryToken: string }>("POST", "/api/auth/login", { userId: userId.value, password: password.value });
    if (!result.ok) return renderLogin(t("auth.failed"));
    antiforgery = result.data.antiforgeryToken;
    sessionEnded = false;
    await start();
  });
  app.replaceChildren(form);
  userId.focus();
}

// ---- live connection -----------------------------------------------------------------------------------------

async function connect(): Promise<void> {
  hub = new HubConnectionBuilder()
    // WebSockets only: a dropped socket is noticed at once (the fallback transports notice much later, if at all).
    .withUrl("/hubs/cases", { transport: HttpTransportType.WebSockets, skipNegotiation: true })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(1000 * 2 ** ctx.previousRetryCount, 10000) })
    .configureLogging(LogLevel.Warning)
    .build();
  // The server pings every 5 s: a silent server for 15 s is gone, and we start reconnecting.
  hub.serverTimeoutInMilliseconds = 15000;
  hub.keepAliveIntervalInMilliseconds = 5000;
  hub.on("CaseEvent", (e: TimelineEvent) => void onEvent(e));
  hub.on("AccessEnded", (caseNumber: string) => onAccessEnded(caseNumber));
  hub.on("ImportProgress", (p: ImportProgress) => onImportProgress(p));
  // The user's feed was rebuilt after a silo was lost: fetch what may have been pushed meanwhile.
  hub.on("Resync", () => void resume());
  hub.on("SessionEnded", (reason: string) => void onSessionEnded(reason));
  hub.onreconnecting(() => showStatus(t("live.reconnecting")));
  hub.onreconnected(() => void resume());
  hub.onclose(() => {
    if (sessionEnded) return;
    // Automatic reconnect gave up (e.g. the server was away for long): keep trying in the background.
    showStatus(t("live.reconnecting"));
    setTimeout(() => void restart(), 3000);
  });
  await hub.start();
  showStatus(null);
}

async function restart(): Promise<void> {
  try {
    await connect();
    await resume();
  } catch {
    setTimeout(() => void restart(), 3000);
  }
}

/** After a reconnect: exactly the missed events for the cases we have, or "access ended", page after page. */
async function resume(): Promise<void> {
  if (!hub || hub.state !== HubConnectionState.Connected) return;
  let have: Record<string, number> = {};
  lastSeq.forEach((seq, caseNumber) => (have[caseNumber] = seq));
  for (let attempt = 1; Object.keys(have).length > 0; attempt++) {
    let result: { events: TimelineEvent[]; accessEnded: string[]; more: Record<string, number> };
    try {
      result = await hub.invoke("Resume", have);
    } catch (error) {
      if (attempt >= 20 || hub.state !== HubConnectionState.Connected) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    result.accessEnded.forEach(onAccessEnded);
    await onEvents(result.events);
    const before = have;
    have = result.more; // the cases with more to fetch (or not readable just now), from where this answer stopped
    if (Object.keys(have).length > 0 && Object.entries(have).every(([c, seq]) => before[c] === seq)) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await resyncImport(api);
  // Cases assigned while we were away.
  if (!seesWorkbench()) await loadCaseload();
  showStatus(null);
}

/** A pushed event: shown once, in sequence order; a gap before it is filled from the timeline first (it comes with the fill). */
async function onEvent(e: TimelineEvent): Promise<void> {
  const known = lastSeq.get(e.caseNumber) ?? 0;
  if (e.seq <= known) return; // a duplicate (live and resumed)
  if (known > 0 && e.seq > known + 1) {
    // A gap (the feed was rebuilt, or events raced): fetch exactly what is missing, in order.
    await resume();
    return;
  }
  await shown(e.caseNumber, e.seq);
}

/** Fetched events (a resume page or a follow), oldest first per case: each case moves on once, to its last new event. */
async function onEvents(events: TimelineEvent[]): Promise<void> {
  const last = new Map<string, number>();
  for (const e of events) if (e.seq > (lastSeq.get(e.caseNumber) ?? 0)) last.set(e.caseNumber, Math.max(last.get(e.caseNumber) ?? 0, e.seq));
  for (const [caseNumber, seq] of last) await shown(caseNumber, seq);
}

/** The case is now at <seq>: its view and the open page are brought up to date. */
async function shown(caseNumber: string, seq: number): Promise<void> {
  lastSeq.set(caseNumber, seq);
  const view = await api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
  if (view.ok) cases.set(caseNumber, view.data);
  if (seesWorkbench()) {
    if (openCase === caseNumber && !isRendered(caseNumber, seq)) await showWorkbenchCase(caseNumber);
    else refreshSupervisor();
    return;
  }
  if (openCase === caseNumber) await refreshCase(caseNumber);
  else renderCaseload(caseNumber);
}

/** The server ended this session (sign-out elsewhere, account disabled, new password, changed access): back to sign-in, saying why. */
let sessionEnded = false;
async function onSessionEnded(reason: string): Promise<void> {
  sessionEnded = true;
  const current = hub;
  hub = null;
  await current?.stop();
  me = null;
  cases.clear();
  lastSeq.clear();
  openCase = null;
  showStatus(null);
  const reasons = ["signed-out", "account-disabled", "password-changed", "access-changed", "session-expired"];
  renderLogin(t(`session.ended.${reasons.includes(reason) ? reason : "signed-out"}` as Key));
  const shown = document.querySelector("#login .error");
  if (shown) shown.id = "session-ended";
}

function onAccessEnded(caseNumber: string): void {
  cases.delete(caseNumber);
  lastSeq.delete(caseNumber);
  if (openCase === caseNumber) {
    openCase = null;
    showStatus(t("live.ended"));
  }
  if (openCase === null) renderCaseload();
}

// ---- pages ---------------------------------------------------------------------------------------------------

async function loadCaseload(): Promise<void> {
  if (!me) return;
  const caseload = await api<{ activeCases: string[] }>("GET", `/api/mentors/${encodeURIComponent(me.id)}/caseload`);
  if (!caseload.ok) return;
  for (const caseNumber of caseload.data.activeCases) {
    if (cases.has(caseNumber)) continue;
    const view = await api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
    if (view.ok) {
      cases.set(caseNumber, view.data);
      lastSeq.set(caseNumber, view.data.version);
    }
  }
  if (openCase === null) renderCaseload();
}

function renderCaseload(changed?: string): void {
  openCase = null;
  const list = el("ul", { className: "cases", id: "cases" });
  [...cases.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).forEach((c) => {
    const link = el("a", { href: `#/cases/${c.caseNumber}` },
      el("strong", { textContent: `${c.fullName} · ${c.caseNumber}` }),
      el("div", { className: "meta", textContent: `${t("case.stage")}: ${stageName(c.currentStage)} · ${t("case.updated")}: ${formatTime(c.updatedAt)}` }));
    const item = el("li", { className: c.caseNumber === changed ? "changed" : "" }, link);
    item.dataset.case = c.caseNumber;
    item.dataset.version = String(c.version);
    item.dataset.stage = c.currentStage;
    list.append(item);
  });
  const exportMessage = el("p", { id: "export-message", className: "error", role: "status" });
  app.replaceChildren(el("h1", { textContent: t("mentor.title") }), cases.size ? list : el("p", { textContent: t("mentor.empty") }),
    el("nav", { className: "tools" }, downloadLink(el, "export", "button", t("mentor.export"), "/api/cases/export", exportMessage, lang)), exportMessage);
  if (changed) setTimeout(() => document.querySelector(`li[data-case="${changed}"]`)?.classList.remove("changed"), 4000);
}

async function renderCase(caseNumber: string): Promise<void> {
  openCase = caseNumber;
  const [view, timeline] = await Promise.all([
    api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`),
    fetchTimeline(caseNumber),
  ]);
  if (!view.ok || !timeline.ok) {
    onAccessEnded(caseNumber);
    return;
  }
  const events = el("ol", { className: "timeline", id: "timeline" }, ...timelineItems(timeline.data));
  const today = new Date().toISOString().slice(0, 10);
  const date = el("input", { id: "date", type: "date", value: today, required: true });
  const topic = el("input", { id: "topic", required: true, maxLength: 200 });
  const notes = el("textarea", { id: "notes", maxLength: 2000 });
  const next = el("input", { id: "next", maxLength: 2000 });
  const message = el("p", { id: "session-message", role: "status" });
  const form = el("form", { className: "card", id: "session" },
    el("h2", { textContent: t("session.title") }),
    el("label", { htmlFor: "date", textContent: t("session.date") }), date,
    el("label", { htmlFor: "topic", textContent: t("session.topic") }), topic,
    el("label", { htmlFor: "notes", textContent: t("session.notes") }), notes,
    el("label", { htmlFor: "next", textContent: t("session.next") }), next,
    el("button", { className: "primary", type: "submit", textContent: t("session.submit") }), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await api<{ detail?: string }>("POST", `/api/cases/${encodeURIComponent(caseNumber)}/mentoring-sessions`, {
      commandId: crypto.randomUUID(), expectedVersion: cases.get(caseNumber)?.version, date: date.value, topic: topic.value,
      notes: notes.value || null, nextStep: next.value || null,
    });
    message.textContent = result.ok ? t("session.saved") : (result.data?.detail ?? t("error.generic"));
  });
  app.replaceChildren(
    el("a", { href: "#/", textContent: t("case.back") }),
    el("h1", { textContent: `${view.data.fullName} · ${view.data.caseNumber}` }),
    el("p", { id: "stage", textContent: `${t("case.stage")}: ${stageName(view.data.currentStage)}` }),
    el("section", { className: "card" }, el("h2", { textContent: t("case.timeline") }), events),
    form);
}

/** A live update of the open case: the stage and the timeline only, so a form being filled in is left alone. */
async function refreshCase(caseNumber: string): Promise<void> {
  const [view, timeline] = await Promise.all([
    api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`),
    fetchTimeline(caseNumber),
  ]);
  if (!view.ok || !timeline.ok) return onAccessEnded(caseNumber);
  document.getElementById("stage")?.replaceChildren(`${t("case.stage")}: ${stageName(view.data.currentStage)}`);
  document.getElementById("timeline")?.replaceChildren(...timelineItems(timeline.data));
}

/** A case's whole timeline, page after page (a page holds at most 1,000 events; a full one means more may follow). */
async function fetchTimeline(caseNumber: string): Promise<{ ok: boolean; data: TimelineEvent[] }> {
  const all: TimelineEvent[] = [];
  for (;;) {
    const after = all.length ? all[all.length - 1].seq : 0;
    const page = await api<TimelineEvent[]>("GET", `/api/cases/${encodeURIComponent(caseNumber)}/timeline?after=${after}&limit=1000`);
    if (!page.ok) return { ok: false, data: all };
    all.push(...page.data);
    if (page.data.length < 1000) return { ok: true, data: all };
  }
}

function timelineItems(events: TimelineEvent[]): HTMLLIElement[] {
  return events.map((e) => el("li", {}, el("span", { className: "seq", textContent: `#${e.seq} ` }), `${e.type} · ${formatTime(e.occurredAt)} · ${e.actorId}`));
}

/** The ministry and admins see the programme's numbers; caseworkers and supervisors the workbench; mentors their cases. */
const seesDashboard = (): boolean => me?.role === "MinistryAnalyst" || me?.role === "Admin";
const seesWorkbench = (): boolean => me?.role === "Caseworker" || me?.role === "Supervisor";

/** The workbench's case page, following the case live (its events re-render the page). */
async function showWorkbenchCase(caseNumber: string): Promise<void> {
  openCase = caseNumber;
  await renderWorkbenchCase(caseNumber, app, api, el, me?.role ?? "", async () => {
    const timeline = await fetchTimeline(caseNumber);
    const events = timeline.ok ? timeline.data : [];
    if (events.length) lastSeq.set(caseNumber, Math.max(lastSeq.get(caseNumber) ?? 0, events[events.length - 1].seq));
    return el("section", { className: "card" }, el("h2", { textContent: t("case.timeline") }), el("ol", { className: "timeline", id: "timeline" }, ...timelineItems(events)));
  });
  if (hub && hub.state === HubConnectionState.Connected) {
    // Events between the page's timeline and the follow come back with it: shown like pushed ones.
    const missed = await hub.invoke<{ events: TimelineEvent[]; more: boolean }>("Follow", caseNumber, lastSeq.get(caseNumber) ?? 0);
    await onEvents(missed.events);
    if (missed.more) await resume();
  }
}

// Renders run one after another: a render started by an earlier navigation (or a language switch) could otherwise
// finish after a later one and put the earlier page back (found by ReachTests: the case list replaced the import page).
let routing: Promise<void> = Promise.resolve();

function route(): Promise<void> {
  routing = routing.then(render, render);
  return routing;
}

async function render(): Promise<void> {
  const problems = /^#\/problems(?:\/(.+))?$/.exec(location.hash);
  if (problems && (seesDashboard() || seesWorkbench())) {
    await leaveDashboard();
    openCase = null;
    return renderProblems(problems[1] ? decodeURIComponent(problems[1]) : null, app, api, el, seesWorkbench(), me?.regions ?? []);
  }
  const dashboard = /^#\/dashboard\/(.+)$/.exec(location.hash);
  if (dashboard || (seesDashboard() && !location.hash.startsWith("#/cases/"))) {
    return renderDashboard(dashboard ? decodeURIComponent(dashboard[1]) : "ID", app, api, el);
  }
  await leaveDashboard();
  const match = /^#\/cases\/(.+)$/.exec(location.hash);
  if (seesWorkbench()) {
    if (match) return showWorkbenchCase(decodeURIComponent(match[1]));
    openCase = null;
    if (location.hash === "#/import") return renderImport(app, api, upload, el);
    // Supervisors land on their supervision view; the case list is one link away.
    if (location.hash === "#/supervisor" || (me?.role === "Supervisor" && location.hash !== "#/list")) return renderSupervisor(app, api, el, me?.regions ?? []);
    return renderWorkbench(app, api, el, me?.regions ?? [], me?.role ?? "");
  }
  if (match) await renderCase(decodeURIComponent(match[1]));
  else renderCaseload();
}

async function start(): Promise<void> {
  const who = await api<Me>("GET", "/api/me");
  if (!who.ok) return renderLogin();
  me = who.data;
  if (!antiforgery) antiforgery = (await api<{ token: string }>("GET", "/api/auth/antiforgery")).data.token;
  logoutButton.hidden = false;
  if (seesDashboard()) return route();
  if (seesWorkbench()) {
    await connect();
    return route();
  }
  await loadCaseload();
  await connect();
  // Connect, then resume: events between loading the caseload and the subscription are fetched, not lost.
  await resume();
  await route();
}

langButton.addEventListener("click", () => {
  setLang(lang === "id" ? "en" : "id");
  langButton.textContent = lang === "id" ? "EN" : "ID";
  translatePage();
  // Marked once the page is drawn again in the new language (the browser tests wait for it).
  void (me ? route() : Promise.resolve(renderLogin())).then(() => (document.body.dataset.renderedLang = lang));
});
logoutButton.addEventListener("click", async () => {
  await api("POST", "/api/auth/logout");
  await hub?.stop();
  location.reload();
});
window.addEventListener("hashchange", () => void route());
// What the user changes on a page is marked, so a live re-render of the case page can keep it.
app.addEventListener("input", markTyped);
app.addEventListener("change", markTyped);
app.addEventListener("click", markAction, true);
app.addEventListener("submit", markAction, true);

setLang(lang);
langButton.textContent = lang === "id" ? "EN" : "ID";
translatePage();
void start();
