import { HttpTransportType, HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from "@microsoft/signalr";
import { registerSW } from "virtual:pwa-register";
import { lang, segmentName, setLang, stageName, t, translatePage, words, type Key } from "./i18n";
import { downloadLink } from "./page";
import * as store from "./offline";
import * as outbox from "./outbox";
import type { CaseView, Me, QueuedAction, TimelineEvent } from "./offline";
import { actorWords, describe, umkmClasses } from "./events";
import { ago, formatLocalDate, formatLocalTime, todayIn } from "./zones";
import type { ImportProgress } from "./staff";

// The shell (sign-in, the live connection, routing) and the mentor's pages: the assigned cases updating live, a case's
// state and timeline in words, and the mentoring-session form. The mentor's pages work offline (docs/offline.md): the
// cases as last seen come from IndexedDB, and actions go through the outbox. The caseworker's, supervisor's and
// ministry's screens are separate chunks, loaded by those roles only. All rules live on the server.

const app = document.getElementById("app")!;
const status = document.getElementById("status")!;
const logoutButton = document.getElementById("logout") as HTMLButtonElement;
const notifyLink = document.getElementById("notify-link") as HTMLAnchorElement;
const langButton = document.getElementById("lang") as HTMLButtonElement;

let antiforgery: string | null = null;
let me: Me | null = null;
let hub: HubConnection | null = null;
const cases = new Map<string, CaseView>();
const lastSeq = new Map<string, number>();
let openCase: string | null = null;
/** The server cannot be reached: the mentor's pages show what was last seen (with its age) and actions wait in the outbox. */
let offline = false;

let staff: typeof import("./staff") | null = null;
const loadStaff = async (): Promise<typeof import("./staff")> => (staff ??= await import("./staff"));
let partner: typeof import("./partner") | null = null;
const loadPartner = async (): Promise<typeof import("./partner")> => (partner ??= await import("./partner"));
let dashboard: typeof import("./dashboard") | null = null;
const loadDashboard = async (): Promise<typeof import("./dashboard")> => (dashboard ??= await import("./dashboard"));

/** How long a request keeps being sent again while the server answers 503 (ms). */
const unavailableFor = 45_000;

type Answer<T> = { ok: boolean; status: number; data: T };

/**
 * One API call as the signed-in user (page language, antiforgery header on writes); never throws. No connection at all
 * is status 0 with a problem saying so. While the server says it cannot be reached (503), the same request is sent
 * again after its Retry-After, for up to `unavailableFor` ms (a silo replaced, a database failing over), with the
 * status line saying so: a command carries its command id, so sending it again is safe. After that the 503 is the
 * answer, shown like any other problem.
 */
async function request<T>(method: string, path: string, body: BodyInit | undefined, contentType: string | undefined): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": lang };
  if (contentType) headers["Content-Type"] = contentType;
  if (method !== "GET" && antiforgery) headers["X-CSRF-TOKEN"] = antiforgery;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    let text: string;
    try {
      response = await fetch(path, { method, headers, body, credentials: "same-origin" });
      text = await response.text();
    } catch {
      const problem = { code: "network.offline", detail: words("Tidak ada koneksi ke server; tidak terkirim.", "No connection to the server; not sent.") };
      return { ok: false, status: 0, data: problem as T };
    }
    if (response.status === 503 && Date.now() - started < unavailableFor) {
      showStatus(t("live.unavailable"));
      const wait = Number(response.headers.get("Retry-After") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 1), 30) * 1000));
      continue;
    }
    if (attempt > 1) showStatus(null);
    let data: T = null as T;
    try {
      data = (text ? JSON.parse(text) : null) as T;
    } catch {
      // Not JSON (a proxy's error page): the status says what happened.
    }
    return { ok: response.ok, status: response.status, data };
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
  // Offline, the status line keeps saying so until the server answers again.
  if (text === null && offline) text = offlineText();
  status.hidden = text === null;
  status.textContent = text ?? "";
}

let contactAt: string | null = null;
const offlineText = (): string => words(
  `Luring — menampilkan data terakhir${contactAt ? ` (diperbarui ${ago(contactAt)})` : ""}. Tindakan disimpan di perangkat dan dikirim saat koneksi kembali.`,
  `Offline — showing what was last seen${contactAt ? ` (updated ${ago(contactAt)})` : ""}. Actions are kept on this phone and sent when the connection returns.`);

// ---- a new version of the page -----------------------------------------------------------------------------------

// The service worker precaches the shell, so the page opens with no network. A new version waits until the mentor
// chooses to load it: an open page (and a form being filled in) is never swapped underneath.
const updateBar = document.getElementById("update")!;
const updateServiceWorker = registerSW({
  onNeedRefresh() {
    const button = el("button", { id: "update-now", type: "button", className: "action", textContent: words("Muat versi baru", "Load the new version") });
    button.addEventListener("click", () => void updateServiceWorker(true));
    updateBar.replaceChildren(words("Versi baru aplikasi tersedia. ", "A new version of the app is available. "), button);
    updateBar.hidden = false;
  },
});

// ---- sign-in -------------------------------------------------------------------------------------------------

function renderLogin(message?: string): void {
  logoutButton.hidden = true;
  notifyLink.hidden = true;
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
    if (result.status === 0) return renderLogin(words("Masuk butuh koneksi ke server. Coba lagi saat ada sinyal.", "Signing in needs a connection to the server. Try again when there is signal."));
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
  hub.on("AccessEnded", (caseNumber: string, reason?: string) => onAccessEnded(caseNumber, reason));
  hub.on("ImportProgress", (p: ImportProgress) => staff?.onImportProgress(p));
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
    result.accessEnded.forEach((caseNumber) => onAccessEnded(caseNumber));
    await onEvents(result.events);
    const before = have;
    have = result.more; // the cases with more to fetch (or not readable just now), from where this answer stopped
    if (Object.keys(have).length > 0 && Object.entries(have).every(([c, seq]) => before[c] === seq)) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (seesWorkbench()) await staff?.resyncImport(api);
  // New work for a partner while it was away comes with its queue.
  if (seesPartnerQueue()) await partner?.refreshPartner();
  // Cases assigned while we were away, and what the outbox could not send meanwhile.
  else if (!seesWorkbench()) {
    await loadCaseload();
    void outbox.drain();
  }
  showStatus(null);
}

/** A pushed event: shown once, in sequence order; a gap before it is filled from the timeline first (it comes with the fill). */
async function onEvent(e: TimelineEvent): Promise<void> {
  const known = lastSeq.get(e.caseNumber) ?? 0;
  if (e.seq <= known) return; // a duplicate (live and resumed)
  // A partner's feed leaves out what is not its organisation's business: its seqs have gaps by design.
  if (known > 0 && e.seq > known + 1 && !seesPartnerQueue()) {
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

/** How often a mentor's case that could not be brought up to date is tried again, and how long the first wait is (ms). */
const syncAttempts = 5;
const syncRetryMs = 1000;

/**
 * The case is now at <seq>: its view (and, for the mentor, the cached timeline) and the open page are brought up to
 * date. A mentor's case whose read failed, or answered from before <seq> (a read racing the command), is read again a
 * little later, a few times: nothing else would bring that case's row up to date until the next change.
 */
async function shown(caseNumber: string, seq: number, attempt = 1): Promise<void> {
  lastSeq.set(caseNumber, Math.max(seq, lastSeq.get(caseNumber) ?? 0));
  if (seesPartnerQueue()) return partner?.refreshPartner();
  if (seesWorkbench()) {
    const view = await api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
    if (view.ok) cases.set(caseNumber, view.data);
    if (openCase === caseNumber && !staff?.isRendered(caseNumber, seq)) await showWorkbenchCase(caseNumber);
    else staff?.refreshSupervisor();
    return;
  }
  changedAt.set(caseNumber, Date.now());
  const synced = await syncCase(caseNumber);
  if ((!synced || synced.view.version < seq) && me && cases.has(caseNumber) && attempt < syncAttempts) {
    setTimeout(() => void shown(caseNumber, seq, attempt + 1), syncRetryMs * attempt);
  }
  if (!synced) return;
  if (openCase === caseNumber) drawCaseParts(synced.view, synced.events, null);
  else if (location.hash === "" || location.hash === "#/") renderCaseload();
}

/**
 * The session is over: the live connection stops, what it allowed to be read leaves the page and the phone (the mentor's
 * unsent actions stay for their next sign-in), and whoever signs in next starts at their own home.
 */
let sessionEnded = false;
async function endSession(message: string): Promise<void> {
  sessionEnded = true;
  const current = hub;
  hub = null;
  await current?.stop();
  outbox.pause();
  await forgetSession();
  openCase = null;
  showStatus(null);
  history.replaceState(null, "", "/");
  renderLogin(message);
}

/** The signed-in account, its cases (on the page and on the phone) and its antiforgery token are forgotten. */
async function forgetSession(): Promise<void> {
  me = null;
  cases.clear();
  lastSeq.clear();
  antiforgery = null;
  phoneLoaded = false;
  await store.clearCases();
}

/** The server ended this session (sign-out elsewhere, account disabled, new password, changed access): back to sign-in, saying why. */
async function onSessionEnded(reason: string): Promise<void> {
  const reasons = ["signed-out", "account-disabled", "password-changed", "access-changed", "session-expired"];
  await endSession(t(`session.ended.${reasons.includes(reason) ? reason : "signed-out"}` as Key));
  const shownMessage = document.querySelector("#login .error");
  if (shownMessage) shownMessage.id = "session-ended";
}

/** Access to a case ended: forget it on the phone too, and say why (the beneficiary's withdrawal of consent is named). */
function onAccessEnded(caseNumber: string, reason?: string): void {
  cases.delete(caseNumber);
  lastSeq.delete(caseNumber);
  void store.forgetCase(caseNumber);
  if (reason === "consent-withdrawn") {
    showStatus(`${t(seesPartnerQueue() ? "live.sharing-withdrawn" : "live.consent-withdrawn")} (${caseNumber})`);
    status.dataset.reason = reason;
    if (openCase === caseNumber) openCase = null;
  } else if (openCase === caseNumber) {
    openCase = null;
    showStatus(t("live.ended"));
  }
  if (seesPartnerQueue()) void partner?.refreshPartner();
  else if (openCase === null && !seesWorkbench() && !seesDashboard()) renderCaseload();
}

// ---- the mentor's cases: from the server when it answers, from the phone when it does not ----------------------

/** The case as the server shows it now, kept on the phone; null when it cannot be read now. */
async function syncView(caseNumber: string): Promise<CaseView | null> {
  const view = await api<CaseView>("GET", `/api/cases/${encodeURIComponent(caseNumber)}`);
  if (!view.ok) {
    if (view.status === 404 || view.status === 403) onAccessEnded(caseNumber);
    return null;
  }
  if (!me) return null; // the session ended meanwhile: nothing more is kept
  // Two reads in flight (a push and an acknowledgement) may answer out of order: the newer view stays.
  const held = cases.get(caseNumber);
  if (held && held.version > view.data.version) return held;
  cases.set(caseNumber, view.data);
  await store.saveCase(view.data);
  return view.data;
}

// One timeline fetch per case at a time: two (a live event and the caseload's prefetch) would each save what they saw.
const timelineSyncs = new Map<string, Promise<TimelineEvent[] | null>>();

/** The events after the cached ones, appended to the phone's timeline of the case; null when they cannot be read now. */
function syncTimeline(caseNumber: string): Promise<TimelineEvent[] | null> {
  const previous = timelineSyncs.get(caseNumber) ?? Promise.resolve(null);
  const next = previous.then(async () => {
    const cached = (await store.cachedTimeline(caseNumber))?.events ?? [];
    const newer = await fetchTimeline(caseNumber, cached.length ? cached[cached.length - 1].seq : 0);
    if (!newer.ok || !me) return null;
    const events = [...cached, ...newer.data];
    await store.saveTimeline(caseNumber, events);
    return events;
  });
  timelineSyncs.set(caseNumber, next);
  void next.finally(() => {
    if (timelineSyncs.get(caseNumber) === next) timelineSyncs.delete(caseNumber);
  });
  return next;
}

/** Fetches the case and the events after the cached ones, keeps both on the phone; null when it cannot be read now. */
async function syncCase(caseNumber: string): Promise<{ view: CaseView; events: TimelineEvent[] } | null> {
  const view = await syncView(caseNumber);
  const events = view ? await syncTimeline(caseNumber) : null;
  return view && events ? { view, events } : null;
}

/** Runs <paramref name="work"/> for each item, six at a time (a browser's connections to one server). */
async function sixAtATime(items: string[], work: (item: string) => Promise<unknown>): Promise<void> {
  const pending = [...items];
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next; next = pending.shift()) await work(next);
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

/**
 * The server's caseload: cases no longer assigned leave the page and the phone; new ones are fetched six at a time and
 * drawn; their timelines (and any the phone lacks) follow in the background, so every case opens offline afterwards.
 * The others are kept current by the live feed and its resume.
 */
async function loadCaseload(): Promise<void> {
  if (!me) return;
  const caseload = await api<{ activeCases: string[] }>("GET", `/api/mentors/${encodeURIComponent(me.id)}/caseload`);
  if (!caseload.ok) return;
  const assigned = new Set(caseload.data.activeCases);
  for (const caseNumber of [...cases.keys()]) if (!assigned.has(caseNumber)) onAccessEnded(caseNumber);
  await store.keepOnly(assigned);
  const fresh = [...assigned].filter((caseNumber) => !cases.has(caseNumber));
  await sixAtATime(fresh, async (caseNumber) => {
    const view = await syncView(caseNumber);
    if (view && !lastSeq.has(caseNumber)) lastSeq.set(caseNumber, view.version);
  });
  contactAt = new Date().toISOString();
  await store.touch();
  if (openCase === null && (location.hash === "" || location.hash === "#/")) renderCaseload();
  const onPhone = await store.cachedTimelineCases();
  const missing = [...assigned].filter((caseNumber) => !onPhone.has(caseNumber));
  let failed = 0;
  void sixAtATime(missing, async (caseNumber) => {
    if (!(await syncTimeline(caseNumber))) failed++;
  }).then(() => {
    keptOnPhone = assigned.size - failed;
    document.getElementById("kept")?.replaceChildren(keptText());
  });
}

/** How many assigned cases (with their timelines) the phone holds, once known: the mentor knows what opens offline. */
let keptOnPhone: number | null = null;
const keptText = (): string => keptOnPhone === null ? "" : words(
  `${keptOnPhone} kasus tersimpan di perangkat ini dan bisa dibuka tanpa sinyal.`, `${keptOnPhone} case(s) are kept on this phone and open without signal.`);

/** Whether the phone's cases are in the page's map already (once per signed-in account). */
let phoneLoaded = false;

/**
 * The cases on the phone, into the page's map (offline start, and the instant first draw of an online one), once; a
 * cache the server has not confirmed for a week is dropped first.
 */
async function loadCachedCases(): Promise<void> {
  if (phoneLoaded) return;
  phoneLoaded = true;
  await store.expire();
  for (const c of await store.cachedCases()) {
    if (cases.has(c.caseNumber)) continue;
    cases.set(c.caseNumber, c.view);
    lastSeq.set(c.caseNumber, c.view.version);
  }
}

/** When each case last changed live: its row is highlighted for a few seconds, across redraws of the list. */
const changedAt = new Map<string, number>();
const highlightMs = 4000;

function renderCaseload(): void {
  pagesDrawn++;
  openCase = null;
  const list = el("ul", { className: "cases", id: "cases" });
  const now = Date.now();
  [...cases.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).forEach((c) => {
    const changed = now - (changedAt.get(c.caseNumber) ?? 0) < highlightMs;
    const link = el("a", { href: `#/cases/${c.caseNumber}` },
      el("strong", { textContent: `${c.fullName} · ${c.caseNumber}` }),
      el("div", { className: "meta", textContent: `${t("case.stage")}: ${stageName(c.currentStage)} · ${t("case.updated")}: ${formatLocalTime(c.updatedAt, c.regionCode)}` }));
    const item = el("li", { className: changed ? "changed" : "" }, link);
    item.dataset.case = c.caseNumber;
    item.dataset.version = String(c.version);
    item.dataset.stage = c.currentStage;
    list.append(item);
  });
  const exportMessage = el("p", { id: "export-message", className: "error", role: "status" });
  const outboxList = outboxSection();
  app.replaceChildren(el("h1", { textContent: t("mentor.title") }), el("p", { id: "kept", className: "meta", textContent: keptText() }), outboxList,
    cases.size ? list : el("p", { textContent: t("mentor.empty") }),
    el("nav", { className: "tools" }, downloadLink(el, "export", "button", t("mentor.export"), "/api/cases/export", exportMessage, lang)), exportMessage);
  void drawOutbox();
  for (const [caseNumber, at] of changedAt) {
    if (now - at >= highlightMs) changedAt.delete(caseNumber);
    else setTimeout(() => {
      // A newer change of the same case keeps its highlight for its own few seconds.
      if (Date.now() - (changedAt.get(caseNumber) ?? 0) >= highlightMs) document.querySelector(`li[data-case="${caseNumber}"]`)?.classList.remove("changed");
    }, highlightMs - (now - at));
  }
  if (document.body.dataset.usable !== "caseload") performance.mark("usable");
  document.body.dataset.usable = "caseload";
}

// ---- the outbox on screen -------------------------------------------------------------------------------------------

/** An action being edited after a refusal: the case page's form opens with it. */
let editing: QueuedAction | null = null;
/** The queue id of the session the open form sent last: its acknowledgement is what "saved" waits for. */
let formSent: number | null = null;

/** The outbox's place on a page being drawn: the one on screen, so a redraw never shows it empty while items wait. */
const outboxSection = (): HTMLElement => document.getElementById("outbox-section") ?? el("section", { id: "outbox-section" });

/** The items not yet acknowledged (all on the caseload page, the case's on its page), each with its state and choices. */
async function drawOutbox(): Promise<void> {
  const section = document.getElementById("outbox-section");
  if (!section || !me) return;
  const only = openCase;
  const items = (await store.queued()).filter((a) => a.owner === me!.id && (only === null || a.caseNumber === only));
  if (!items.length) {
    section.replaceChildren();
    section.className = "";
    return;
  }
  section.className = "card";
  const list = el("ul", { id: "outbox", className: "outbox" });
  for (const a of items) {
    const body = a.body;
    const item = el("li", { className: a.state },
      el("strong", { textContent: words(`Sesi ${formatLocalDate(body.date)}: ${body.topic}`, `Session ${formatLocalDate(body.date)}: ${body.topic}`) }),
      el("div", { className: "meta", textContent: `${a.caseName} · ${a.caseNumber}` }),
      ...(body.notes ? [el("div", { className: "meta", textContent: body.notes })] : []),
      el("div", { className: a.state === "refused" ? "error state" : "state", textContent: outbox.stateWords(a) }));
    item.dataset.command = a.commandId;
    item.dataset.state = a.state;
    if (a.state === "refused") {
      const actions = el("div", {});
      if (outbox.editable(a)) {
        const edit = el("button", { type: "button", className: "action edit", textContent: words("Ubah lalu kirim ulang", "Edit and send again") });
        edit.addEventListener("click", () => {
          editing = a;
          if (location.hash === `#/cases/${a.caseNumber}`) void route();
          else location.hash = `#/cases/${a.caseNumber}`;
        });
        actions.append(edit);
      }
      const discard = el("button", { type: "button", className: "action discard", textContent: words("Buang", "Discard") });
      discard.addEventListener("click", async () => {
        if (!confirm(words("Buang catatan sesi ini? Isinya tidak akan terkirim.", "Discard this session record? It will not be sent."))) return;
        await store.removeQueued(a.id!);
        await drawOutbox();
      });
      actions.append(discard);
      item.append(actions);
    }
    list.append(item);
  }
  section.replaceChildren(el("h2", { textContent: words(`Belum terkirim (${items.length})`, `Not sent yet (${items.length})`) }), list);
}

outbox.init({
  api,
  changed: () => void outboxChanged(),
  accepted: (action, outcome) => {
    if (action.id === formSent) {
      formSent = null;
      const message = document.getElementById("session-message");
      if (message) message.textContent = t("session.saved");
    }
    // The event arrives over the hub too; fetching it here shows it even when the push is late.
    if (outcome.seq && (lastSeq.get(action.caseNumber) ?? 0) < outcome.seq) void shown(action.caseNumber, outcome.seq);
  },
  ready: async () => {
    if (antiforgery) return 200;
    const token = await api<{ token: string }>("GET", "/api/auth/antiforgery");
    if (token.ok) antiforgery = token.data.token;
    return token.status;
  },
  // A 401 to a command: the session is over, as when the server says so live.
  signInNeeded: () => void endSession(words("Sesi Anda berakhir; masuk lagi untuk mengirim catatan yang menunggu.", "Your session ended; sign in again to send what is waiting.")),
});

async function outboxChanged(): Promise<void> {
  await drawOutbox();
  if (formSent === null) return;
  const action = (await store.queued()).find((a) => a.id === formSent);
  const message = document.getElementById("session-message");
  if (action && message) message.textContent = action.state === "refused" ? outbox.stateWords(action) : words(
    "Belum terkirim: disimpan di perangkat ini, menunggu koneksi. Akan dikirim otomatis.",
    "Not sent yet: kept on this phone, waiting for a connection. It is sent automatically.");
}

// ---- the mentor's case page -----------------------------------------------------------------------------------------

async function renderCase(caseNumber: string): Promise<void> {
  openCase = caseNumber;
  // What the phone holds is drawn at once; the server's answer (when there is one) replaces it.
  const cachedView = cases.get(caseNumber) ?? (await store.cachedCase(caseNumber))?.view;
  const cachedTimeline = await store.cachedTimeline(caseNumber);
  let view = cachedView ?? null;
  let events = cachedTimeline?.events ?? [];
  let savedAt: string | null = cachedTimeline?.savedAt ?? null;
  const synced = offline ? null : await syncCase(caseNumber);
  if (synced) {
    view = synced.view;
    events = synced.events;
    savedAt = null;
  } else if (!view) {
    app.replaceChildren(el("a", { href: "#/", textContent: t("case.back") }),
      el("p", { className: "error", id: "case-missing", textContent: offline
        ? words("Kasus ini belum tersimpan di perangkat ini; buka saat ada koneksi.", "This case is not on this phone yet; open it when there is a connection.")
        : words("Kasus tidak ditemukan.", "Case not found.") }));
    return;
  }
  if (openCase !== caseNumber) return; // navigated away meanwhile

  const draft = editing?.caseNumber === caseNumber ? editing : null;
  editing = null;
  const date = el("input", { id: "date", type: "date", value: draft?.body.date ?? todayIn(view.regionCode), required: true });
  const topic = el("input", { id: "topic", required: true, maxLength: 200, value: draft?.body.topic ?? "" });
  const notes = el("textarea", { id: "notes", maxLength: 2000, value: draft?.body.notes ?? "" });
  const next = el("input", { id: "next", maxLength: 2000, value: draft?.body.nextStep ?? "" });
  const message = el("p", { id: "session-message", role: "status" });
  const form = el("form", { className: "card", id: "session" },
    el("h2", { textContent: t("session.title") }),
    ...(draft ? [el("p", { className: "warning", id: "editing", textContent: words(`Mengubah catatan yang ditolak: ${draft.refusal?.detail ?? ""}`, `Editing a refused record: ${draft.refusal?.detail ?? ""}`) })] : []),
    el("label", { htmlFor: "date", textContent: t("session.date") }), date,
    el("label", { htmlFor: "topic", textContent: t("session.topic") }), topic,
    el("label", { htmlFor: "notes", textContent: t("session.notes") }), notes,
    el("label", { htmlFor: "next", textContent: t("session.next") }), next,
    el("button", { className: "primary", type: "submit", textContent: t("session.submit") }), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!me) return;
    const current = cases.get(caseNumber) ?? view!;
    // Written to the phone first: closing the browser now loses nothing. Then sent, in order, by the outbox.
    const id = await store.enqueue({
      owner: me.id, caseNumber, caseName: current.fullName, kind: "mentoring-session", commandId: crypto.randomUUID(),
      baseVersion: current.version, body: { date: date.value, topic: topic.value, notes: notes.value || null, nextStep: next.value || null },
      createdAt: new Date().toISOString(), state: "waiting",
    });
    // Sent again after a refusal: the new record replaces the refused one (which keeps its own command id and outcome).
    if (draft?.id !== undefined) await store.removeQueued(draft.id);
    formSent = id;
    form.querySelector("#editing")?.remove();
    topic.value = notes.value = next.value = "";
    message.textContent = words("Mengirim…", "Sending…");
    await drawOutbox();
    void outbox.drain();
  });

  app.replaceChildren(
    el("a", { href: "#/", textContent: t("case.back") }),
    el("h1", { textContent: `${view.fullName} · ${view.caseNumber}` }),
    el("p", { id: "case-age", className: "meta" }),
    el("section", { className: "card", id: "case-state" }),
    outboxSection(),
    form,
    el("section", { className: "card" }, el("h2", { textContent: t("case.timeline") }), el("ol", { className: "timeline", id: "timeline" })));
  drawCaseParts(view, events, savedAt);
  await drawOutbox();
  document.body.dataset.usable = "case";
}

/** The parts of the case page that follow the case (never the form): its state, next step, profile, timeline and age. */
function drawCaseParts(view: CaseView, events: TimelineEvent[], savedAt: string | null): void {
  const age = document.getElementById("case-age");
  if (age) {
    age.textContent = savedAt ? words(`Data di perangkat ini, terakhir diperbarui ${ago(savedAt)}.`, `Kept on this phone, last updated ${ago(savedAt)}.`) : "";
    age.hidden = !savedAt;
  }
  document.getElementById("case-state")?.replaceChildren(...caseState(view, events));
  document.getElementById("timeline")?.replaceChildren(...timelineItems(events, view.regionCode));
}

/** The current stage with its gate and what is missing, the next step agreed at the last session, and the business. */
function caseState(view: CaseView, events: TimelineEvent[]): Node[] {
  const stage = view.stages.find((s) => s.stage === view.currentStage);
  const missing = stage?.gateMissing ? (lang === "id" ? stage.gateMissing.indonesian : stage.gateMissing.english) : null;
  const gate = view.status !== "Open"
    ? words("Kasus ini sudah ditutup.", "This case is closed.")
    : stage?.gateMet ? words("Syarat tahap ini sudah terpenuhi.", "This stage's requirements are met.")
      : missing ?? "";
  const lastSession = [...events].reverse().find((e) => e.type === "MentoringSessionLogged");
  const nextStep = lastSession?.payload.nextStep as string | null | undefined;
  const profile = view.profile;
  const umkm = profile ? umkmClasses[profile.umkmClass] ?? [profile.umkmClass, profile.umkmClass] : null;
  const stageLine = el("p", { id: "stage" }, el("strong", { textContent: `${t("case.stage")}: ${stageName(view.currentStage)}` }));
  stageLine.dataset.stage = view.currentStage;
  return [
    stageLine,
    el("p", { id: "gate", className: stage?.gateMet ? "" : "warning", textContent: gate }),
    el("p", { id: "sessions", textContent: words(`Sesi pendampingan tercatat: ${view.mentoringSessions}`, `Mentoring sessions logged: ${view.mentoringSessions}`) }),
    el("p", { id: "next-step", textContent: nextStep
      ? words(`Langkah berikutnya (sesi ${formatLocalDate(String(lastSession!.payload.date))}): ${nextStep}`, `Next step (session of ${formatLocalDate(String(lastSession!.payload.date))}): ${nextStep}`)
      : words("Belum ada langkah berikutnya yang disepakati.", "No next step agreed yet.") }),
    el("p", { id: "profile", className: "meta", textContent: [
      segmentName(view.segment),
      profile ? words(`sektor ${profile.sector}`, `${profile.sector} sector`) : words("belum diases", "not assessed yet"),
      ...(umkm ? [lang === "id" ? umkm[0] : umkm[1], words(`${profile!.workers} pekerja`, `${profile!.workers} workers`)] : []),
      view.regionName, `NIK ${view.nikMasked}`,
    ].join(" · ") }),
  ];
}

/** A case's timeline after <after>, page after page (a page holds at most 1,000 events; a full one means more may follow). */
async function fetchTimeline(caseNumber: string, after = 0): Promise<{ ok: boolean; data: TimelineEvent[] }> {
  const all: TimelineEvent[] = [];
  for (;;) {
    const from = all.length ? all[all.length - 1].seq : after;
    const page = await api<TimelineEvent[]>("GET", `/api/cases/${encodeURIComponent(caseNumber)}/timeline?after=${from}&limit=1000`);
    if (!page.ok) return { ok: false, data: all };
    all.push(...page.data);
    if (page.data.length < 1000) return { ok: true, data: all };
  }
}

/** Each event in words, with who and when (the case's local time); its stored type is kept as data-type. */
function timelineItems(events: TimelineEvent[], regionCode: string): HTMLLIElement[] {
  return events.map((e) => {
    const item = el("li", {}, el("span", { className: "seq", textContent: `#${e.seq} ` }), describe(e, events),
      el("div", { className: "meta", textContent: `${formatLocalTime(e.occurredAt, regionCode)} · ${actorWords(e)}` }));
    item.dataset.type = e.type;
    return item;
  });
}

/** The ministry and admins see the programme's numbers; caseworkers and supervisors the workbench; mentors their cases. */
const seesDashboard = (): boolean => me?.role === "MinistryAnalyst" || me?.role === "Admin";
const seesWorkbench = (): boolean => me?.role === "Caseworker" || me?.role === "Supervisor";
/** A hexa-helix partner's user: one page, its organisation's queue, live. */
const seesPartnerQueue = (): boolean => me?.role === "Partner";

/** The workbench's case page, following the case live (its events re-render the page). */
async function showWorkbenchCase(caseNumber: string): Promise<void> {
  openCase = caseNumber;
  const s = await loadStaff();
  await s.renderWorkbenchCase(caseNumber, app, api, el, me?.role ?? "", async () => {
    const timeline = await fetchTimeline(caseNumber);
    const events = timeline.ok ? timeline.data : [];
    if (events.length) lastSeq.set(caseNumber, Math.max(lastSeq.get(caseNumber) ?? 0, events[events.length - 1].seq));
    return { events, section: el("section", { className: "card" }, el("h2", { textContent: t("case.timeline") }), el("ol", { className: "timeline", id: "timeline" }, ...timelineItems(events, caseNumber))) };
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
/** Pages drawn so far: start() draws none of its own over a page the user reached meanwhile (a form being typed in). */
let pagesDrawn = 0;

function route(): Promise<void> {
  routing = routing.then(render, render);
  return routing;
}

async function render(): Promise<void> {
  if (!me) return;
  pagesDrawn++;
  notifyLink.hidden = false;
  // Every role's own notification settings (and, for admins, the deliveries that failed).
  if (location.hash === "#/notifications") {
    await dashboard?.leaveDashboard();
    openCase = null;
    return (await loadStaff()).renderNotifications(app, api, el, me.role === "Admin");
  }
  partner?.leavePartner();
  // A partner's user has one page: its organisation's queue, answered there and updated live.
  if (me.role === "Partner") {
    openCase = null;
    // The live feed resumes exactly the cases listed (at most 200): the others leave lastSeq.
    return (await loadPartner()).renderPartner(app, api, el, (versions) => {
      for (const caseNumber of [...lastSeq.keys()]) if (!versions.has(caseNumber)) lastSeq.delete(caseNumber);
      versions.forEach((version, caseNumber) => lastSeq.set(caseNumber, Math.max(version, lastSeq.get(caseNumber) ?? 0)));
    });
  }
  // The data protection officer has one page: the access log across cases and the record of processing activities.
  if (me.role === "DataProtectionOfficer") {
    openCase = null;
    return (await loadStaff()).renderPrivacy(app, api, el);
  }
  const problems = /^#\/problems(?:\/(.+))?$/.exec(location.hash);
  if (problems && (seesDashboard() || seesWorkbench())) {
    await dashboard?.leaveDashboard();
    openCase = null;
    return (await loadStaff()).renderProblems(problems[1] ? decodeURIComponent(problems[1]) : null, app, api, el, seesWorkbench(), me?.regions ?? []);
  }
  const dashboardMatch = /^#\/dashboard\/(.+)$/.exec(location.hash);
  if (dashboardMatch || (seesDashboard() && !location.hash.startsWith("#/cases/"))) {
    return (await loadDashboard()).renderDashboard(dashboardMatch ? decodeURIComponent(dashboardMatch[1]) : "ID", app, api, el);
  }
  await dashboard?.leaveDashboard();
  const match = /^#\/cases\/(.+)$/.exec(location.hash);
  const subjectAccess = /^#\/subject-access\/(.+)$/.exec(location.hash);
  if (seesWorkbench() && subjectAccess) {
    openCase = null;
    return (await loadStaff()).renderSubjectAccess(decodeURIComponent(subjectAccess[1]), app, api, el);
  }
  if (seesWorkbench()) {
    if (match) return showWorkbenchCase(decodeURIComponent(match[1]));
    openCase = null;
    const s = await loadStaff();
    if (location.hash === "#/import") return s.renderImport(app, api, upload, el);
    // Supervisors land on their supervision view; the case list is one link away.
    if (location.hash === "#/supervisor" || (me?.role === "Supervisor" && location.hash !== "#/list")) return s.renderSupervisor(app, api, el, me?.regions ?? []);
    return s.renderWorkbench(app, api, el, me?.regions ?? [], me?.role ?? "");
  }
  if (match) await renderCase(decodeURIComponent(match[1]));
  else renderCaseload();
}

/** Signed out on this phone while it was offline: the server is told at the next contact. */
const signOutPendingKey = "signOutPending";

async function start(): Promise<void> {
  // A mentor who signed in on this phone: their cases as last seen at once, before the server's first answer (on a
  // thin link that is one round trip or more); the server's answer then confirms, updates or replaces them.
  const cached = me ? null : await store.owner();
  let drawn = false;
  if (cached?.me.role === "Mentor") {
    me = cached.me;
    contactAt = cached.contactAt;
    await loadCachedCases();
    if (cases.size) {
      logoutButton.hidden = false;
      await route();
      drawn = true;
    }
  }
  if (localStorage.getItem(signOutPendingKey)) {
    const told = await api("POST", "/api/auth/logout");
    if (told.status !== 0) localStorage.removeItem(signOutPendingKey);
  }
  const who = await api<Me>("GET", "/api/me");
  if (who.status === 0) return startOffline();
  if (!who.ok) {
    // No session: what it allowed to be read leaves the phone; the unsent queue waits for the same account's sign-in.
    await forgetSession();
    return renderLogin();
  }
  offline = false;
  if (me && me.id !== who.data.id) {
    cases.clear();
    lastSeq.clear();
    drawn = false;
  }
  me = who.data;
  const drawnBefore = pagesDrawn;
  // Another account's cases and unsent actions leave this browser before anything of this one is kept.
  await store.claim(me);
  // Writes need the token; the mentor's first screen does not wait for it (the outbox asks for it when missing).
  const token = antiforgery ? null : api<{ token: string }>("GET", "/api/auth/antiforgery").then((t) => {
    if (t.ok) antiforgery = t.data.token;
  });
  // The header's links for a signed-in account, whichever page is drawn first (the caseload may be drawn by
  // loadCaseload, never by render).
  logoutButton.hidden = false;
  notifyLink.hidden = false;
  if (seesDashboard() || seesWorkbench() || seesPartnerQueue()) await token;
  // The data protection officer: no live feed (no cases), one page.
  if (seesDashboard() || me.role === "DataProtectionOfficer") return route();
  if (seesPartnerQueue()) {
    try {
      await connect();
    } catch {
      showStatus(t("live.reconnecting"));
      setTimeout(() => void restart(), 3000);
    }
    return route();
  }
  if (seesWorkbench()) {
    const s = await loadStaff();
    // What the user changes on a page is marked, so a live re-render of the case page can keep it.
    app.addEventListener("input", s.markTyped);
    app.addEventListener("change", s.markTyped);
    app.addEventListener("click", s.markAction, true);
    app.addEventListener("submit", s.markAction, true);
    await connect();
    return route();
  }
  // The mentor: the server's caseload (only new cases are fetched), the live feed, then what waits in the outbox.
  await loadCachedCases();
  await loadCaseload();
  outbox.resume();
  try {
    await connect();
  } catch {
    showStatus(t("live.reconnecting"));
    setTimeout(() => void restart(), 3000);
  }
  // Connect, then resume: events between loading the caseload and the subscription are fetched, not lost.
  await resume();
  // Nothing drawn yet: the page for the address. Drawn meanwhile (the caseload by loadCaseload, or a case the mentor
  // opened while the feed connected): left as it is, with what the mentor is typing in it.
  if (!drawn && pagesDrawn === drawnBefore) {
    await route();
  } else {
    // Drawn already: the open case page is brought up to date in place (what the mentor may be typing meanwhile
    // stays); the caseload was redrawn by loadCaseload.
    const open = openCase;
    const synced = open ? await syncCase(open) : null;
    if (synced && openCase === open) drawCaseParts(synced.view, synced.events, null);
  }
  // Marked once the mentor's start is over (the browser tests wait for it).
  document.body.dataset.started = "mentor";
}

/** No server: a mentor who signed in on this phone before sees their cases as last seen; anyone else needs a connection. */
async function startOffline(): Promise<void> {
  const cached = await store.owner();
  if (!cached || cached.me.role !== "Mentor") {
    renderLogin(words("Tidak ada koneksi ke server. Masuk butuh koneksi.", "No connection to the server. Signing in needs one."));
  } else {
    offline = true;
    me = cached.me;
    contactAt = cached.contactAt;
    logoutButton.hidden = false;
    await loadCachedCases();
    showStatus(null);
    await route();
    void outbox.drain(); // says "waiting for a connection" on each item, and tries again
  }
  // Back online: start again as usual (the session may have ended meanwhile; then the sign-in form).
  const retry = async (): Promise<void> => {
    const who = await api<Me>("GET", "/api/me");
    if (who.status === 0) return void setTimeout(() => void retry(), 10_000);
    offline = false;
    showStatus(null);
    await start();
  };
  setTimeout(() => void retry(), 5_000);
}

langButton.addEventListener("click", () => {
  setLang(lang === "id" ? "en" : "id");
  langButton.textContent = lang === "id" ? "EN" : "ID";
  translatePage();
  // Marked once the page is drawn again in the new language (the browser tests wait for it).
  void (me ? route() : Promise.resolve(renderLogin())).then(() => (document.body.dataset.renderedLang = lang));
});
logoutButton.addEventListener("click", async () => {
  const unsent = me ? (await store.queued()).filter((a) => a.owner === me!.id).length : 0;
  if (unsent && !confirm(words(`${unsent} catatan belum terkirim dan akan dibuang jika Anda keluar. Tetap keluar?`,
    `${unsent} record(s) are not sent yet and are discarded if you sign out. Sign out anyway?`))) return;
  outbox.pause();
  // Signing out clears this phone: cases, timelines and the outbox.
  await store.clearAll();
  const told = await api("POST", "/api/auth/logout");
  if (told.status === 0) localStorage.setItem(signOutPendingKey, "1");
  await hub?.stop();
  location.reload();
});
window.addEventListener("hashchange", () => void route());

setLang(lang);
langButton.textContent = lang === "id" ? "EN" : "ID";
translatePage();
void start();
