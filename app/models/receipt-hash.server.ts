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
 * At most HASH_CONCURRENCY hashes run at once (a small in-process semaphore; argon2 runs on libuv's thread pool),
 * so a flood of receipt guesses queues up here instead of taking every CPU from the rest of the server. It is
 * min(2, CPUs - 1), at least 1.
 */
import os from "node:os";
import argon2 from "argon2";
import { getInstallationSalt, getReceiptPepper } from "~/utils/keys.server";

export const RECEIPT_HASH_PARAMS = { memoryCost: 32 * 1024, timeCost: 3, parallelism: 1, hashLength: 32 } as const;

export const HASH_CONCURRENCY = Math.max(1, Math.min(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));

let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= HASH_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else running--;
  }
}

/** How many hashes are waiting for a slot (for tests and the benchmark). */
export function receiptHashQueueLength(): number {
  return waiting.length;
}

/** Scheme 2: argon2id(receipt) → { lookup (hex, stored), seed (the reporter's key seed, never stored) }. `receipt` normalised (16 digits). */
export async function hashReceipt(receipt: string): Promise<{ lookup: string; seed: Buffer }> {
  const salt = getInstallationSalt();
  const secret = getReceiptPepper();
  const out = Buffer.from(
    await withSlot(() => argon2.hash(receipt, { type: argon2.argon2id, raw: true, salt, secret, ...RECEIPT_HASH_PARAMS, hashLength: 64 })),
  );
  return { lookup: out.subarray(0, 32).toString("hex"), seed: Buffer.from(out.subarray(32, 64)) };
}

/** Scheme 1 (reports filed before migration 0800): the 32-byte argon2id, hex. */
export async function hashReceiptLegacy(receipt: string): Promise<string> {
  const salt = getInstallationSalt();
  const secret = getReceiptPepper();
  const out = await withSlot(() => argon2.hash(receipt, { type: argon2.argon2id, raw: true, salt, secret, ...RECEIPT_HASH_PARAMS }));
  return Buffer.from(out).toString("hex");
}
