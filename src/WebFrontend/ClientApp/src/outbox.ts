import { words } from "./i18n";
import type { Api } from "./page";
import * as store from "./offline";
import type { QueuedAction, Refusal } from "./offline";

// The mentor's outbox (docs/offline.md): every action is written to IndexedDB first and sent from there, oldest first,
// one at a time, until the server acknowledges it. Its command id makes a second send harmless. A refusal stays as a
// visible item with the server's reason until the mentor edits and resends it or discards it; nothing is dropped or
// overwritten silently, and "saved" is said only after the server's acknowledgement.

export interface Outcome { caseNumber: string; seq: number; version: number; replayed: boolean }

interface Hooks {
  api: Api;
  /** The queue changed (an item sent, refused, failed, added or removed): redraw what shows it. */
  changed: () => void;
  /** The server acknowledged this action. */
  accepted: (action: QueuedAction, outcome: Outcome) => void;
  /** The session is gone (401): the queue waits until the mentor signs in again. */
  signInNeeded: () => void;
  /** Makes sure a write can be sent (the antiforgery token of this browser session); the status of the answer when not. */
  ready: () => Promise<number>;
}

let hooks: Hooks | null = null;
let draining = false;
let again = false;
let retry: ReturnType<typeof setTimeout> | null = null;
let paused = false;

/** How long a failed attempt waits before the next (the browser's "online" event also starts one at once). */
const retryMs = 10_000;

export function init(h: Hooks): void {
  hooks = h;
  window.addEventListener("online", () => void drain());
}

/** Signed in again (or not): sending may go on. */
export function resume(): void {
  paused = false;
  void drain();
}

/** Stops sending (signed out); the items stay in the queue. */
export function pause(): void {
  paused = true;
  if (retry) clearTimeout(retry);
  retry = null;
}

const pathOf = (a: QueuedAction): string => `/api/cases/${encodeURIComponent(a.caseNumber)}/mentoring-sessions`;

/** A temporary failure: no connection, a timeout, too many requests, or the server failing. Sent again later. */
const temporary = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

const firstWaiting = async (): Promise<QueuedAction | undefined> => (await store.queued()).find((a) => a.state === "waiting");

/** Sends what waits, oldest first; at most one drain runs, and a call during it runs another pass after it. */
export async function drain(): Promise<void> {
  if (!hooks || paused) return;
  if (draining) {
    again = true;
    return;
  }
  draining = true;
  if (retry) clearTimeout(retry);
  retry = null;
  try {
    do {
      again = false;
      // Read again before each send: an acknowledgement may have rebased the actions after it.
      for (let action = await firstWaiting(); action && !paused; action = await firstWaiting()) {
        const ready = await hooks.ready();
        if (ready === 401) {
          paused = true;
          hooks.signInNeeded();
          return;
        }
        if (ready !== 200) {
          retry = setTimeout(() => void drain(), retryMs);
          return;
        }
        const result = await hooks.api<Outcome & { detail?: string; code?: string; currentVersion?: string }>("POST", pathOf(action),
          { ...action.body, commandId: action.commandId, expectedVersion: action.baseVersion });
        if (result.ok) {
          await store.removeQueued(action.id!);
          await store.rebase(action.caseNumber, action.baseVersion);
          hooks.accepted(action, result.data);
          hooks.changed();
          continue;
        }
        if (result.status === 401) {
          paused = true;
          hooks.signInNeeded();
          return;
        }
        if (temporary(result.status)) {
          await store.updateQueued({ ...action, lastError: result.status === 0 ? "offline" : `http-${result.status}` });
          hooks.changed();
          retry = setTimeout(() => void drain(), retryMs);
          return; // in order: nothing after it is sent before it
        }
        const refusal: Refusal = {
          status: result.status, code: result.data?.code ?? `http-${result.status}`, detail: result.data?.detail ?? String(result.status),
          currentVersion: result.data?.currentVersion ? Number(result.data.currentVersion) : undefined,
        };
        await store.updateQueued({ ...action, state: "refused", refusal, lastError: undefined });
        hooks.changed();
      }
    } while (again && !paused);
  } finally {
    draining = false;
  }
}

/** The state of one item in words. */
export function stateWords(a: QueuedAction): string {
  if (a.state === "refused") return words(`Ditolak server: ${a.refusal?.detail ?? ""}`, `Refused by the server: ${a.refusal?.detail ?? ""}`);
  if (a.lastError === "offline") return words("Menunggu koneksi — akan dikirim otomatis", "Waiting to send — it goes as soon as there is a connection");
  if (a.lastError) return words(`Gagal terkirim (${a.lastError}) — dicoba lagi otomatis`, `Sending failed (${a.lastError}) — trying again automatically`);
  return words("Sedang dikirim…", "Sending…");
}

/** Whether editing and sending again can help: not when the case is out of the mentor's reach (not found). */
export const editable = (a: QueuedAction): boolean => a.state === "refused" && a.refusal?.status !== 404 && a.refusal?.status !== 403;
