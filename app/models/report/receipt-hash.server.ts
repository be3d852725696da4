/**
 * The receipt hash (GlobaLeaks model): argon2id of the receipt with a server-side pepper (argon2 "secret") and a
 * per-installation salt. It is deterministic, so a receipt finds its report with ONE hash and ONE indexed lookup
 * (reports.receipt_hash is UNIQUE) — never by trying every report — while a stolen database alone (without
 * <DATA_DIR>/keys) gives nothing to guess against, and even with the keys every guess costs a full argon2id run.
 *
 * Scheme 2 (reports filed since migration 0800): one 64-byte argon2id output; the first 32 bytes are the lookup hash
 * (stored, hex), the last 32 bytes the seed of the reporter's key pair, which opens the reporter's copy of the report
 * key and is never stored. Knowing the stored half tells nothing of the other half, so the database (with every key
 * file) opens no reporter's copy without the receipt itself. Scheme 1 (reports filed earlier): the 32-byte output,
 * only until that reporter signs in once.
 *
 * Parameters: 32 MiB, 3 passes, 1 lane. Measured on this machine (2 vCPU, Node 20, argon2 0.45), 10 sequential
 * hashReceipt calls: 77–131 ms, median ~85 ms — within the 50–150 ms target. (Also measured: 64 MiB × 2 passes
 * ~125 ms; 64 MiB × 3 ~195 ms; 19 MiB × 2 ~35 ms.)
 *
 * Two separate capacities (in-process semaphores; argon2 runs on libuv's thread pool), so a flood of receipt guesses
 * queues up here instead of taking every CPU from the rest of the server, and never delays a new report:
 * - lookups (receipt sign-in, proof file): at most HASH_CONCURRENCY at once (min(2, CPUs - 1), at least 1) and at most
 *   LOOKUP_QUEUE_MAX waiting (≈ LOOKUP_QUEUE_MAX × 85 ms / HASH_CONCURRENCY of wait). Lookups from clients without
 *   recent failures of their own (priority "first") wait ahead of the others, and when the queue is full one of them
 *   takes the place of the newest waiting lookup from a client that has failed. Otherwise a full queue refuses at once
 *   with ReceiptHashBusyError (routes answer 503 with Retry-After). The decision depends only on the queue and the
 *   client's own history, never on the receipt, so it reveals nothing about it.
 * - filing (a new report's receipt): FILING_CONCURRENCY of its own and FILING_QUEUE_MAX waiting, untouched by lookups.
 */
import os from "node:os";
import argon2 from "argon2";
import { getInstallationSalt, getReceiptPepper } from "~/utils/keys.server";

export const RECEIPT_HASH_PARAMS = { memoryCost: 32 * 1024, timeCost: 3, parallelism: 1, hashLength: 32 } as const;

export const HASH_CONCURRENCY = Math.max(1, Math.min(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));
/** Lookups waiting for a slot, at most (beyond: 503). */
export const LOOKUP_QUEUE_MAX = 8 * HASH_CONCURRENCY;
/** Filing's own hashes at once and waiting. */
export const FILING_CONCURRENCY = 1;
export const FILING_QUEUE_MAX = 64;
/** Retry-After of a refusal because the queue is full. */
export const BUSY_RETRY_AFTER_SEC = 2;

export type HashPurpose = "filing" | "lookup";
/** "first": the client has no recent failed lookup of its own (waits ahead of those that have). */
export type HashPriority = "first" | "normal";

/** The hashing queue is full: answer 503 with Retry-After: retryAfterSec (never a 500, never a dropped connection). */
export class ReceiptHashBusyError extends Error {
  constructor(
    readonly purpose: HashPurpose,
    readonly retryAfterSec = BUSY_RETRY_AFTER_SEC,
  ) {
    super(`receipt hashing busy (${purpose})`);
    this.name = "ReceiptHashBusyError";
  }
}

interface Waiter {
  priority: HashPriority;
  start: () => void;
  refuse: (e: Error) => void;
}

interface Pool {
  purpose: HashPurpose;
  concurrency: number;
  maxWaiting: number;
  running: number;
  waiting: Waiter[];
}

const pools: Record<HashPurpose, Pool> = {
  lookup: { purpose: "lookup", concurrency: HASH_CONCURRENCY, maxWaiting: LOOKUP_QUEUE_MAX, running: 0, waiting: [] },
  filing: { purpose: "filing", concurrency: FILING_CONCURRENCY, maxWaiting: FILING_QUEUE_MAX, running: 0, waiting: [] },
};

/** Test hook: other capacities (restored with no argument). */
export function setReceiptHashCapacity(purpose: HashPurpose, opts?: { concurrency?: number; maxWaiting?: number }): void {
  const p = pools[purpose];
  p.concurrency = opts?.concurrency ?? (purpose === "lookup" ? HASH_CONCURRENCY : FILING_CONCURRENCY);
  p.maxWaiting = opts?.maxWaiting ?? (purpose === "lookup" ? LOOKUP_QUEUE_MAX : FILING_QUEUE_MAX);
}

function enqueue(pool: Pool, priority: HashPriority, bounded: boolean): Promise<void> {
  if (pool.running < pool.concurrency && pool.waiting.length === 0) {
    pool.running++;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const w: Waiter = { priority, start: resolve, refuse: reject };
    if (bounded && pool.waiting.length >= pool.maxWaiting) {
      // Full: a first-time client takes the place of the newest waiting client that has failed before; else refused.
      let victim = -1;
      if (priority === "first")
        for (let i = pool.waiting.length - 1; i >= 0 && victim < 0; i--) if (pool.waiting[i].priority === "normal") victim = i;
      if (victim < 0) return reject(new ReceiptHashBusyError(pool.purpose));
      const [evicted] = pool.waiting.splice(victim, 1);
      evicted.refuse(new ReceiptHashBusyError(pool.purpose));
    }
    if (priority === "first") {
      let i = 0;
      while (i < pool.waiting.length && pool.waiting[i].priority === "first") i++;
      pool.waiting.splice(i, 0, w);
    } else {
      pool.waiting.push(w);
    }
  });
}

function release(pool: Pool): void {
  const next = pool.waiting.shift();
  if (next)
    next.start(); // the slot passes straight to the next waiter
  else pool.running--;
}

async function withSlot<T>(purpose: HashPurpose, priority: HashPriority, fn: () => Promise<T>, bounded = true): Promise<T> {
  const pool = pools[purpose];
  await enqueue(pool, priority, bounded);
  try {
    return await fn();
  } finally {
    release(pool);
  }
}

/** How many lookups (or filings) are waiting for a slot (for tests and the benchmark). */
export function receiptHashQueueLength(purpose: HashPurpose = "lookup"): number {
  return pools[purpose].waiting.length;
}

export interface HashOptions {
  /** "filing" for a new report (its own capacity); "lookup" (default) for everything that checks a typed receipt. */
  purpose?: HashPurpose;
  /** Lookups only: "first" when the client has no recent failure of its own. */
  priority?: HashPriority;
}

/** Scheme 2: argon2id(receipt) → { lookup (hex, stored), seed (the reporter's key seed, never stored) }. `receipt` normalised (16 digits). */
export async function hashReceipt(receipt: string, opts: HashOptions = {}): Promise<{ lookup: string; seed: Buffer }> {
  const salt = getInstallationSalt();
  const secret = getReceiptPepper();
  const purpose = opts.purpose ?? "lookup";
  const out = Buffer.from(
    await withSlot(purpose, purpose === "filing" ? "first" : (opts.priority ?? "normal"), () =>
      argon2.hash(receipt, { type: argon2.argon2id, raw: true, salt, secret, ...RECEIPT_HASH_PARAMS, hashLength: 64 }),
    ),
  );
  return { lookup: out.subarray(0, 32).toString("hex"), seed: Buffer.from(out.subarray(32, 64)) };
}

/**
 * Scheme 1 (reports filed before migration 0800): the 32-byte argon2id, hex. Only ever the second hash of a lookup that
 * was already admitted, so it waits for a lookup slot but is never refused.
 */
export async function hashReceiptLegacy(receipt: string): Promise<string> {
  const salt = getInstallationSalt();
  const secret = getReceiptPepper();
  const out = await withSlot(
    "lookup",
    "first",
    () => argon2.hash(receipt, { type: argon2.argon2id, raw: true, salt, secret, ...RECEIPT_HASH_PARAMS }),
    false,
  );
  return Buffer.from(out).toString("hex");
}
