/**
 * The receipt-hashing queue, in-process with real argon2id and a temporary DATA_DIR:
 * - lookups are bounded: past HASH_CONCURRENCY running and LOOKUP_QUEUE_MAX waiting, a lookup is refused at once with
 *   ReceiptHashBusyError (the routes answer 503 with Retry-After), never queued without end;
 * - a lookup from a client without failures of its own ("first") takes the place of a waiting one from a client that
 *   has failed, instead of being refused;
 * - filing has its own capacity: with the lookup queue full, a new report's hash runs at once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-hashq-"));
process.env.DATA_DIR = dataDir;
delete process.env.DATABASE_URL;

const q = await import("~/models/report/receipt-hash.server");
const { hashReceipt, ReceiptHashBusyError, HASH_CONCURRENCY, LOOKUP_QUEUE_MAX, receiptHashQueueLength } = q;

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const receipt = (i: number) => String(1_000_000_000_000_000 + i);

interface Outcome {
  ok: boolean;
  busy: boolean;
  retryAfterSec?: number;
  at: number;
}

function track(p: Promise<unknown>): Promise<Outcome> {
  return p.then(
    () => ({ ok: true, busy: false, at: performance.now() }),
    (e) => ({
      ok: false,
      busy: e instanceof ReceiptHashBusyError,
      retryAfterSec: (e as { retryAfterSec?: number }).retryAfterSec,
      at: performance.now(),
    }),
  );
}

describe("receipt-hashing queue", () => {
  it("warms up (keys created, first hash)", async () => {
    await hashReceipt(receipt(0));
    await hashReceipt(receipt(0), { purpose: "filing" });
  });

  it("is bounded: once full, further lookups are refused at once with ReceiptHashBusyError and a Retry-After", async () => {
    const capacity = HASH_CONCURRENCY + LOOKUP_QUEUE_MAX;
    const admitted = Array.from({ length: capacity }, (_, i) => track(hashReceipt(receipt(i + 1))));
    expect(receiptHashQueueLength()).toBe(LOOKUP_QUEUE_MAX);
    const t0 = performance.now();
    const extra = await track(hashReceipt(receipt(999)));
    expect(extra.busy).toBe(true);
    expect(extra.retryAfterSec).toBeGreaterThan(0);
    expect(extra.at - t0).toBeLessThan(50); // refused, not queued
    const done = await Promise.all(admitted);
    expect(done.every((d) => d.ok)).toBe(true);
    expect(receiptHashQueueLength()).toBe(0);
  }, 30_000);

  it("a first-time client takes the place of a waiting client that has failed before", async () => {
    const capacity = HASH_CONCURRENCY + LOOKUP_QUEUE_MAX;
    const normals = Array.from({ length: capacity }, (_, i) => track(hashReceipt(receipt(100 + i), { priority: "normal" })));
    const first = track(hashReceipt(receipt(200), { priority: "first" }));
    const results = await Promise.all(normals);
    const firstResult = await first;
    expect(firstResult.ok).toBe(true);
    // Exactly one waiting "normal" lookup (the newest) gave up its place; the first-time one ran before the others.
    expect(results.filter((r) => r.busy)).toHaveLength(1);
    expect(results[results.length - 1].busy).toBe(true);
    const lastNormal = Math.max(...results.filter((r) => r.ok).map((r) => r.at));
    expect(firstResult.at).toBeLessThan(lastNormal);
    // A queue full of first-time clients refuses the next first-time one (nobody to take the place of).
    const firsts = Array.from({ length: capacity }, (_, i) => track(hashReceipt(receipt(300 + i), { priority: "first" })));
    const refused = await track(hashReceipt(receipt(400), { priority: "first" }));
    expect(refused.busy).toBe(true);
    expect((await Promise.all(firsts)).every((r) => r.ok)).toBe(true);
  }, 30_000);

  it("filing has its own capacity: with lookups saturated, a new report's hash runs at once", async () => {
    // One hash alone, for scale.
    let t = performance.now();
    await hashReceipt(receipt(500), { purpose: "filing" });
    const single = performance.now() - t;

    const capacity = HASH_CONCURRENCY + LOOKUP_QUEUE_MAX;
    const lookups = Array.from({ length: capacity + 5 }, (_, i) => track(hashReceipt(receipt(600 + i))));
    t = performance.now();
    const filing = await track(hashReceipt(receipt(700), { purpose: "filing" }));
    const filingMs = filing.at - t;
    const results = await Promise.all(lookups);
    const lookupsDone = Math.max(...results.map((r) => r.at));
    expect(filing.ok).toBe(true);
    expect(results.some((r) => r.busy)).toBe(true); // the lookups really were saturated
    // The filing finished long before the lookup queue drained, in about the time of one hash (two CPUs busy).
    expect(filing.at).toBeLessThan(lookupsDone);
    expect(filingMs, `one hash ${Math.round(single)} ms, filing under saturated lookups ${Math.round(filingMs)} ms`).toBeLessThan(
      Math.max(4 * single, single + 400),
    );
  }, 30_000);
});
