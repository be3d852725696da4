/**
 * The server's deadline ticker in a worker thread (node:worker_threads). The worker (scripts/deadline-worker.ts,
 * bundled to build/deadline-worker.js next to build/server.js) opens its own connection to the same database (the
 * SQLite file in WAL mode, or its own PostgreSQL pool) and runs startDeadlineTicker there: the claims, the "late" outcomes and the escalation e-mails of a catch-up never
 * run on the thread that answers requests, so /healthz and every page keep answering while 100,000 cases escalate
 * (docs/decisions/0009-deadline-ticks-in-a-worker-thread.md).
 *
 * This side, in the request thread:
 * - passes the worker the shared count of requests in flight (yield.server.ts), so the worker starts a new write
 *   transaction only when no request is being answered (or MAX_WAIT_MS has passed);
 * - records each finished tick the worker reports (recordDeadlineTick: /healthz "deadline_tick_stale", /metrics);
 * - logs a worker that crashed or exited and starts a new one after a back-off (RESTART_FIRST_MS, doubling up to
 *   RESTART_MAX_MS; back to the first delay after a tick finished), never taking the server down. A worker that keeps
 *   failing shows on /healthz as a stale tick after TICK_STALE_AFTER_S;
 * - stop() (SIGTERM) asks the worker to stop between two batches, waits for the batch under way to commit and the
 *   worker to close its connection, and ends it by force only after STOP_TIMEOUT_MS.
 */
import { Worker } from "node:worker_threads";
import { log, errorFields } from "~/utils/logger.server";
import { requestTrafficBuffer } from "~/utils/yield.server";
import { recordDeadlineTick } from "~/models/operations/health.server";
import type { EscalationLevel } from "../../../db/schema";

/** First delay before a crashed worker is started again. */
export const RESTART_FIRST_MS = 1_000;
/** Longest delay between two restarts of a worker that keeps crashing. */
export const RESTART_MAX_MS = 5 * 60_000;
/** How long stop() waits for the worker to finish its batch and exit before ending it. */
export const STOP_TIMEOUT_MS = 20_000;

/** The worker's old-generation heap limit (MB). */
export const WORKER_HEAP_MB = 192;

/** What the request thread gives the worker (workerData). */
export interface DeadlineWorkerData {
  intervalMs: number;
  firstTickMs: number;
  /** The request thread's count of requests in flight (yield.server.ts requestTrafficBuffer). */
  traffic: SharedArrayBuffer;
}

/** Messages from the worker. */
export type DeadlineWorkerMessage =
  | { type: "ready"; threadId: number }
  | {
      type: "tick";
      finishedAt: number;
      threadId: number;
      escalated: Record<EscalationLevel, number>;
      emails: number;
      digests: number;
    }
  | { type: "stopped" };

/** Messages to the worker. */
export type DeadlineWorkerCommand = { type: "stop" };

export interface DeadlineTickerThread {
  /** Stops the ticker between two batches and waits for the worker to exit. */
  stop(): Promise<void>;
}

export function startDeadlineTickerThread(opts: {
  /** The worker's module (build/deadline-worker.js next to the running server file). */
  workerFile: URL;
  intervalMs: number;
  /** Delay of the first tick after a worker starts (catch-up after downtime). */
  firstTickMs?: number;
  /** Arguments for the worker's Node.js (e.g. a TypeScript loader when the server runs from source). */
  execArgv?: string[];
  restartFirstMs?: number;
  restartMaxMs?: number;
  /** Each message from a worker, after it was handled (tests). */
  onMessage?: (m: DeadlineWorkerMessage) => void;
}): DeadlineTickerThread {
  const firstDelay = opts.restartFirstMs ?? RESTART_FIRST_MS;
  const maxDelay = opts.restartMaxMs ?? RESTART_MAX_MS;
  let delay = firstDelay;
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | null = null;
  let stopping = false;

  const start = () => {
    restartTimer = null;
    if (stopping) return;
    const data: DeadlineWorkerData = {
      intervalMs: opts.intervalMs,
      firstTickMs: opts.firstTickMs ?? 1_000,
      traffic: requestTrafficBuffer(),
    };
    let w: Worker;
    try {
      w = new Worker(opts.workerFile, {
        workerData: data,
        execArgv: opts.execArgv ?? [],
        name: "deadline-ticker",
        // Its own V8 heap, capped like the server's (--max-old-space-size=192 in package.json, the unit, the container).
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      });
    } catch (e) {
      log.error("deadline ticker thread could not start", errorFields(e));
      scheduleRestart();
      return;
    }
    worker = w;
    exited = new Promise<void>((resolve) => {
      w.on("message", (m: DeadlineWorkerMessage) => {
        if (m?.type === "tick") {
          delay = firstDelay;
          recordDeadlineTick({ escalated: m.escalated }, m.finishedAt);
        }
        opts.onMessage?.(m);
      });
      w.on("error", (e) => log.error("deadline ticker thread crashed", errorFields(e)));
      w.on("exit", (code) => {
        if (worker === w) worker = null;
        if (!stopping) {
          log.error("deadline ticker thread exited; starting it again", { code, restartInMs: delay });
          scheduleRestart();
        }
        resolve();
      });
    });
  };

  const scheduleRestart = () => {
    if (stopping || restartTimer) return;
    restartTimer = setTimeout(start, delay);
    restartTimer.unref();
    delay = Math.min(maxDelay, delay * 2);
  };

  start();

  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      const w = worker;
      if (!w) return;
      const done = exited;
      w.postMessage({ type: "stop" } satisfies DeadlineWorkerCommand);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
      });
      const late = await Promise.race([done.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) {
        log.warn("deadline ticker thread did not stop in time; ending it", { waitedMs: STOP_TIMEOUT_MS });
        await w.terminate();
      }
    },
  };
}
