import { openDB, type DBSchema, type IDBPDatabase } from "idb";

// What the mentor's phone keeps between visits (docs/offline.md): the signed-in account, the assigned cases and their
// timelines as last seen (NIK masked, as on screen; the keyed NIK hash dropped), and the queue of actions not yet
// acknowledged by the server. IndexedDB, so it survives closing the browser; cleared at sign-out and when another
// account signs in on this browser.

export interface Me { id: string; role: string; regions: string[] }

export interface TimelineEvent { caseNumber: string; seq: number; type: string; actorId: string; actorRole?: string; occurredAt: string; commandId?: string; payload: Record<string, unknown> }

/** The case as the API shows it (CaseView); only what the mentor's pages read is named. */
export interface CaseView {
  caseNumber: string; version: number; status: string; currentStage: string; nikMasked: string; fullName: string; regionCode: string; regionName: string;
  segment: string; updatedAt: string; mentorId?: string | null; mentoringSessions: number;
  stages: { stage: string; state: string; gateMet: boolean; gateMissing?: { code: string; indonesian: string; english: string } | null }[];
  profile?: { sector: string; umkmClass: string; workers: number; needs: string[] } | null;
}

/** A refusal as the server gave it (problem+json), kept with the queued action it refused. */
export interface Refusal { status: number; code: string; detail: string; currentVersion?: number }

/** What a mentoring session record holds (the body of POST /api/cases/{caseNumber}/mentoring-sessions, without the ids). */
export interface SessionBody { date: string; topic: string; notes: string | null; nextStep: string | null }

/** An action taken on this phone, kept until the server acknowledges it (or the mentor discards it after a refusal). */
export interface QueuedAction {
  id?: number;
  owner: string;
  caseNumber: string;
  /** The case's name when the action was taken, to say what the item is about after the case can no longer be read. */
  caseName: string;
  kind: "mentoring-session";
  /** The idempotency key: a second send of the same action is answered with the first outcome, appending nothing. */
  commandId: string;
  /** The case version the mentor saw when acting; sent as expectedVersion. */
  baseVersion: number;
  body: SessionBody;
  createdAt: string;
  state: "waiting" | "refused";
  refusal?: Refusal;
  /** The last failed attempt (no connection, or the server failing): shown, and tried again. */
  lastError?: string;
}

interface Stored { caseNumber: string; savedAt: string }

interface Schema extends DBSchema {
  meta: { key: string; value: { key: string; me: Me; contactAt: string } };
  cases: { key: string; value: Stored & { view: CaseView } };
  timelines: { key: string; value: Stored & { events: TimelineEvent[] } };
  queue: { key: number; value: QueuedAction; indexes: { byCase: string } };
}

/** A cache that has not heard from the server for this long is dropped at start (the queue is kept). */
const cacheLifetimeMs = 7 * 24 * 3600 * 1000;

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>("casegrains", 1, {
    upgrade(d) {
      d.createObjectStore("meta", { keyPath: "key" });
      d.createObjectStore("cases", { keyPath: "caseNumber" });
      d.createObjectStore("timelines", { keyPath: "caseNumber" });
      d.createObjectStore("queue", { keyPath: "id", autoIncrement: true }).createIndex("byCase", "caseNumber");
    },
  });
  return db;
}

/** The account last signed in on this browser, when its cache is still fresh enough to show offline. */
export async function owner(): Promise<{ me: Me; contactAt: string } | null> {
  const row = await (await open()).get("meta", "owner");
  return row ? { me: row.me, contactAt: row.contactAt } : null;
}

/**
 * The server confirmed <paramref name="me"/> is signed in: the cache becomes theirs. Another account's cases, timelines
 * and unsent actions are removed first (they must never be shown to, or sent as, someone else).
 */
export async function claim(me: Me): Promise<void> {
  const d = await open();
  const current = await d.get("meta", "owner");
  if (current && current.me.id !== me.id) await clearAll();
  await d.put("meta", { key: "owner", me, contactAt: new Date().toISOString() });
}

/** The server answered: the cache is current as of now. */
export async function touch(): Promise<void> {
  const d = await open();
  const current = await d.get("meta", "owner");
  if (current) await d.put("meta", { ...current, contactAt: new Date().toISOString() });
}

/** Drops cached cases older than the cache's lifetime (the unsent queue stays: it is the mentor's own work). */
export async function expire(): Promise<void> {
  const d = await open();
  const current = await d.get("meta", "owner");
  if (current && Date.now() - Date.parse(current.contactAt) > cacheLifetimeMs) await clearCases();
}

/** Everything: at sign-out on this browser, or when another account signs in. */
export async function clearAll(): Promise<void> {
  const d = await open();
  const tx = d.transaction(["meta", "cases", "timelines", "queue"], "readwrite");
  await Promise.all([tx.objectStore("meta").clear(), tx.objectStore("cases").clear(), tx.objectStore("timelines").clear(), tx.objectStore("queue").clear(), tx.done]);
}

/** The cached cases and timelines (the server ended the session: what it allowed to be read is no longer shown). */
export async function clearCases(): Promise<void> {
  const d = await open();
  const tx = d.transaction(["cases", "timelines"], "readwrite");
  await Promise.all([tx.objectStore("cases").clear(), tx.objectStore("timelines").clear(), tx.done]);
}

export async function cachedCases(): Promise<(Stored & { view: CaseView })[]> {
  return (await open()).getAll("cases");
}

export async function cachedCase(caseNumber: string): Promise<(Stored & { view: CaseView }) | undefined> {
  return (await open()).get("cases", caseNumber);
}

/** The cases whose timeline the phone holds (keys only: nothing is read). */
export async function cachedTimelineCases(): Promise<Set<string>> {
  return new Set(await (await open()).getAllKeys("timelines"));
}

export async function cachedTimeline(caseNumber: string): Promise<(Stored & { events: TimelineEvent[] }) | undefined> {
  return (await open()).get("timelines", caseNumber);
}

export async function saveCase(view: CaseView): Promise<void> {
  await (await open()).put("cases", { caseNumber: view.caseNumber, savedAt: new Date().toISOString(), view });
}

/** Keeps the timeline as last seen; the keyed NIK hash of the opening event is not kept on the phone. */
export async function saveTimeline(caseNumber: string, events: TimelineEvent[]): Promise<void> {
  const kept = events.map((e) => (e.payload && "nikHash" in e.payload ? { ...e, payload: { ...e.payload, nikHash: undefined } } : e));
  // Resolved once committed: what the page then says is kept (and another reader sees) is on the phone.
  const tx = (await open()).transaction("timelines", "readwrite");
  await Promise.all([tx.store.put({ caseNumber, savedAt: new Date().toISOString(), events: kept }), tx.done]);
}

/** The case is no longer the mentor's (unassigned, closed to them): its cached view and timeline go. */
export async function forgetCase(caseNumber: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(["cases", "timelines"], "readwrite");
  await Promise.all([tx.objectStore("cases").delete(caseNumber), tx.objectStore("timelines").delete(caseNumber), tx.done]);
}

/** Cached cases the server no longer lists for the mentor. */
export async function keepOnly(caseNumbers: Set<string>): Promise<void> {
  for (const c of await cachedCases()) if (!caseNumbers.has(c.caseNumber)) await forgetCase(c.caseNumber);
}

export async function queued(): Promise<QueuedAction[]> {
  return (await open()).getAll("queue"); // key order: the order the actions were taken
}

export async function enqueue(action: QueuedAction): Promise<number> {
  return (await open()).add("queue", action);
}

export async function updateQueued(action: QueuedAction): Promise<void> {
  await (await open()).put("queue", action);
}

export async function removeQueued(id: number): Promise<void> {
  await (await open()).delete("queue", id);
}

/**
 * An earlier action of ours on <paramref name="caseNumber"/> was accepted at <paramref name="from"/> and took the case to
 * from + 1: the actions queued after it on the same version are now based on the version that includes it (what the
 * mentor saw plus their own action), so a day's sessions logged offline are not refused as conflicts with each other.
 */
export async function rebase(caseNumber: string, from: number): Promise<void> {
  const d = await open();
  const tx = d.transaction("queue", "readwrite");
  for (const action of await tx.store.index("byCase").getAll(caseNumber)) {
    if (action.state === "waiting" && action.baseVersion === from) await tx.store.put({ ...action, baseVersion: from + 1 });
  }
  await tx.done;
}
