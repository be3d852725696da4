/**
 * The server's deadline ticker, as a worker thread (bundled to build/deadline-worker.js by scripts/build-server.mjs;
 * started and supervised by app/models/deadlines/ticker-thread.server.ts from scripts/serve.ts). It opens its own
 * connection to the portal's database (the SQLite file, or a pool of its own on PostgreSQL, where the ticks of several
 * app servers run side by side: docs/decisions/0012-postgresql.md) and runs the escalation ladder every minute
 * (startDeadlineTicker), reporting
 * each finished tick to the request thread, which keeps /healthz's heartbeat. On {type: "stop"} it stops between two
 * batches, closes its connection and exits.
 */
import fs from "node:fs";
import os from "node:os";
import { isMainThread, parentPort, threadId, workerData } from "node:worker_threads";
import { dialectOf } from "../db/dialects";
import { getDb } from "../app/utils/db.server";
import { log, errorFields } from "../app/utils/logger.server";
import { followRequestTraffic } from "../app/utils/yield.server";
import { organisationTickInterval, startDeadlineTicker, type TickResult } from "../app/models/deadlines/escalation.server";
import { runForSite } from "../app/utils/site-context.server";
import type { DB } from "../db/connection";
import { openSiteDirectory, prepareSite, severalOrganisations } from "./organisations";
import type { DeadlineWorkerCommand, DeadlineWorkerData, DeadlineWorkerMessage } from "../app/models/deadlines/ticker-thread.server";

/**
 * The worker's busy timeout (SQLite; PostgreSQL waits for row locks without one). Waiting for the write lock blocks only this thread; a request's transaction holds the
 * lock for milliseconds, but a slow disk or a backup's checkpoint may hold it longer, and a tick that gave up would
 * only start again a minute later.
 */
const WORKER_BUSY_TIMEOUT_MS = 30_000;

/**
 * How much lower the worker thread's CPU priority is than the process's (Linux nice; the request thread keeps the
 * process's). On a machine whose cores are all busy, the kernel gives the threads answering requests about three times
 * the CPU of the catch-up; on an idle machine it changes nothing. Not lower: a batch holds SQLite's write lock, and a
 * request that writes waits for it.
 */
const WORKER_NICE = 5;

/** Lowers this thread's priority (Linux: a nice value applies to one thread, named by its id in /proc/thread-self). */
function lowerThreadPriority(): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(fs.readlinkSync("/proc/thread-self"))?.[1]);
    if (tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + WORKER_NICE));
  } catch {
    // Not Linux, or not allowed: the worker runs at the process's priority.
  }
}

if (isMainThread || !parentPort) {
  console.error("scripts/deadline-worker.ts runs as the server's worker thread (scripts/serve.ts), not on its own.");
  process.exit(1);
}
const port = parentPort;
const data = workerData as DeadlineWorkerData;
const send = (m: DeadlineWorkerMessage) => port.postMessage(m);

followRequestTraffic(data.traffic);
lowerThreadPriority();
const onFinished = (r: TickResult, finishedAt: number) =>
  send({
    type: "tick",
    finishedAt,
    threadId,
    escalated: r.escalated,
    emails: r.notified.perCase,
    digests: r.notified.digests,
  });

// Its own connection: globalThis (and so getDb's handle) belongs to this thread. With several organisations
// (ORG_ROUTING=host), its own list of them and a ticker for each, started inside runForSite.
const directory = severalOrganisations() ? await openSiteDirectory(undefined, { max: 2 }) : null;
const tickers: { stop(): Promise<void> }[] = [];
const startFor = async (db: DB) => {
  await dialectOf(db).setLockWait(db, WORKER_BUSY_TIMEOUT_MS);
  // Several organisations: each ticked less often as they grow in number (organisationTickInterval), their first ticks
  // (the catch-up after a stop) spread over the first minute instead of all falling in the same second, and the later
  // ones spread likewise over their interval.
  const intervalMs = directory ? organisationTickInterval(data.intervalMs, directory.all().length) : data.intervalMs;
  const firstTickMs = data.firstTickMs + (directory ? Math.floor(Math.random() * data.intervalMs) : 0);
  const periodOffsetMs = directory ? Math.floor(Math.random() * intervalMs) : 0;
  tickers.push(startDeadlineTicker({ intervalMs, firstTickMs, periodOffsetMs, db, onFinished }));
};
let watch: NodeJS.Timeout | undefined;
if (directory) {
  for (const site of directory.all()) await runForSite(site, () => startFor(site.db()));
  // New organisations (npm run org -- add; the request thread migrates them when it finds them).
  watch = setInterval(() => {
    void directory
      .refresh()
      .then(async (added) => {
        for (const site of added) {
          await prepareSite(directory, site);
          await runForSite(site, () => startFor(site.db()));
        }
      })
      .catch((e) => log.warn("deadline ticker thread: reading the organisations failed", errorFields(e)));
  }, 60_000);
  watch.unref();
} else {
  await startFor(getDb());
}

let stopping = false;
port.on("message", (m: DeadlineWorkerCommand) => {
  if (m?.type !== "stop" || stopping) return;
  stopping = true;
  void (async () => {
    try {
      if (watch) clearInterval(watch);
      await Promise.all(tickers.map((t) => t.stop()));
      await (directory ? directory.storage.destroy() : getDb().destroy());
    } catch (e) {
      log.warn("deadline ticker thread: stopping failed", errorFields(e));
    }
    send({ type: "stopped" });
    port.close();
  })();
});

send({ type: "ready", threadId });
log.debug("deadline ticker thread started", { thread: threadId, intervalMs: data.intervalMs });
