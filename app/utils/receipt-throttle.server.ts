/**
 * Throttling of receipt guesses on the whistleblower channel (/report/inbox and /report/receipt-file).
 *
 * - Counters live in memory only, for a short window; the client address is hashed before it is used as a key and
 *   is never written anywhere (no database row, no log line).
 * - Every lookup first reserves an attempt (so a burst of parallel requests cannot slip past the limit before the
 *   first of them fails); a successful lookup gives its attempt back, so people who type their receipt right are
 *   never slowed down by their own earlier successes.
 * - Before the lookup the request waits for a delay that grows with the recent failures of this client, and — only for a
 *   client that has failed itself — with the failures of all clients together (capped). A client without failures of
 *   its own is never slowed by anyone else's. The delay depends only on past failures, never on whether the receipt
 *   being tried exists, so the timing of an answer reveals nothing; the answer to a wrong receipt is always the same.
 * - Past a limit per client the lookup is refused with 429 without hashing anything (the route holds the refusal back
 *   a moment: slowRefusal in rate-limit.server.ts). Globally there is no refusal, only the added delay: a global lockout
 *   would let anyone lock every reporter out of their inbox. The receipt hash itself has a bounded queue
 *   (app/models/report/receipt-hash.server.ts) in which clients without failures go first.
 * - Clients are keyed by clientKey() (IPv6 by /64); at most MAX_CLIENTS are remembered, the least recently used first
 *   forgotten.
 * Waiting is a timer, not work: throttled requests cost the server almost nothing.
 */
import crypto from "node:crypto";
import { clientKey } from "./client-address.server";

/** Window in which failures are remembered. */
export const WINDOW_MS = 15 * 60_000;
/** Failures per client within the window before lookups are refused (429). */
export const CLIENT_LIMIT = 10;
/** Failures across all clients within the window past which the global delay is at its maximum. */
export const GLOBAL_LIMIT = 1000;
/** Longest artificial delay before a lookup. */
export const MAX_DELAY_MS = 5_000;
/** Clients remembered at most (least recently used forgotten first). */
export const MAX_CLIENTS = 10_000;

interface Counter {
  /** Timestamps (ms) of failures and of attempts still in progress, oldest first. */
  hits: number[];
}

interface State {
  clients: Map<string, Counter>;
  global: Counter;
  lastSweep: number;
}

declare global {
  var __sujaritReceiptThrottle: State | undefined;
}

function state(): State {
  return (globalThis.__sujaritReceiptThrottle ??= {
    clients: new Map(),
    global: { hits: [] },
    lastSweep: 0,
  });
}

function keyOf(client: string): string {
  return crypto
    .createHash("sha256")
    .update(`receipt-throttle:${clientKey(client)}`)
    .digest("base64url")
    .slice(0, 22);
}

function prune(c: Counter, at: number) {
  const cutoff = at - WINDOW_MS;
  let i = 0;
  while (i < c.hits.length && c.hits[i] <= cutoff) i++;
  if (i > 0) c.hits.splice(0, i);
}

function sweep(s: State, at: number) {
  if (at - s.lastSweep < 30_000) return;
  s.lastSweep = at;
  for (const [k, c] of s.clients) {
    prune(c, at);
    if (c.hits.length === 0) s.clients.delete(k);
  }
  prune(s.global, at);
}

/** Delay before a lookup for a client with `clientFailures` and a server with `globalFailures` recent failures. */
export function delayFor(clientFailures: number, globalFailures: number): number {
  // Per client: nothing for the first two tries (typos), then 0.5 s, 1 s, 2 s, 4 s … capped.
  const own = clientFailures < 2 ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** (clientFailures - 1));
  // Globally: a distributed guesser that comes back is slowed a little more (up to 2 s); a client without failures of its
  // own is not slowed by others, and nobody is ever locked out by others.
  const all = clientFailures < 1 ? 0 : Math.min(2_000, Math.floor((Math.min(globalFailures, GLOBAL_LIMIT) / GLOBAL_LIMIT) * 20) * 100);
  return Math.min(MAX_DELAY_MS, own + all);
}

export interface ThrottleTicket {
  /** Call when the receipt was right: the reserved attempt is given back. */
  succeeded(): void;
  /** Call when nothing was checked (the hashing queue was full): the reserved attempt is given back too. */
  notChecked(): void;
  /** Call when the receipt was wrong (or malformed): the attempt stays counted as a failure. */
  failed(): void;
}

export type ThrottleDecision =
  | { allowed: false; retryAfterSec: number }
  | {
      allowed: true;
      delayMs: number;
      /** "first" when the client has no recent failure of its own (its hash waits ahead of the others). */
      priority: "first" | "normal";
      ticket: ThrottleTicket;
    };

/**
 * Decides whether a receipt lookup may run now. When allowed, an attempt is reserved; call exactly one of
 * ticket.succeeded() / ticket.failed() afterwards (an unresolved ticket counts as a failure).
 */
export function reserveReceiptAttempt(client: string, at = Date.now()): ThrottleDecision {
  const s = state();
  sweep(s, at);
  const k = keyOf(client);
  let c = s.clients.get(k);
  if (c) {
    prune(c, at);
    s.clients.delete(k); // re-inserted below: the most recently used end
  }
  prune(s.global, at);
  const own = c?.hits.length ?? 0;
  const all = s.global.hits.length;
  if (own >= CLIENT_LIMIT) {
    s.clients.set(k, c!);
    const oldest = c ? c.hits[0] : at;
    return {
      allowed: false,
      retryAfterSec: Math.max(1, Math.ceil((oldest + WINDOW_MS - at) / 1000)),
    };
  }
  c ??= { hits: [] };
  s.clients.set(k, c);
  while (s.clients.size > MAX_CLIENTS) {
    const oldest = s.clients.keys().next().value;
    if (oldest === undefined) break;
    s.clients.delete(oldest);
  }
  const delayMs = delayFor(own, all);
  c.hits.push(at);
  s.global.hits.push(at);
  const counter = c;
  let done = false;
  const giveBack = () => {
    if (done) return;
    done = true;
    removeOne(counter.hits, at);
    removeOne(s.global.hits, at);
  };
  return {
    allowed: true,
    delayMs,
    priority: own === 0 ? "first" : "normal",
    ticket: {
      succeeded: giveBack,
      notChecked: giveBack,
      failed() {
        done = true;
      },
    },
  };
}

function removeOne(list: number[], value: number) {
  const i = list.lastIndexOf(value);
  if (i >= 0) list.splice(i, 1);
}

/** Waits `ms` milliseconds (a timer: no CPU is used while waiting). */
export function throttleDelay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** How many clients are remembered now (for tests). */
export function receiptThrottleClients(): number {
  return state().clients.size;
}

/** Test hook: forgets every counter. */
export function resetReceiptThrottle() {
  globalThis.__sujaritReceiptThrottle = undefined;
}
