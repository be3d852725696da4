/**
 * The deadline ticker runs off the request thread (app/models/deadlines/ticker-thread.server.ts, scripts/deadline-worker.ts).
 *
 * 1. Black-box, against the built server with a moved clock: CASES open cases escalate at once (tests/helpers/catch-up.ts,
 *    as in catch-up.test.ts). SIGTERM part-way stops the worker between two batches and the server exits cleanly.
 *    After the restart, while the worker claims the rest, citizens file complaints (transactions that read, then
 *    write, on the request thread's own connection) and /healthz answers between claims that keep being made. Every
 *    complaint is filed (never a 500, never SQLITE_BUSY), the server's log shows the tick ran in a worker thread (its
 *    thread id, not the main thread's 0) at a lower CPU priority, each case is escalated once per level, and /healthz
 *    has the tick's heartbeat.
 * 2. In-process, the supervisor with stand-in worker files: a worker that crashes is logged and started again after a
 *    doubling back-off, the process carrying on; a finished tick's report reaches /healthz's heartbeat and the
 *    escalation counters; stop() waits for the worker to finish its batch and exit, and starts no other.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { seedCatchUp, type CatchUpSeed } from "../helpers/catch-up";
import { HttpClient, fileComplaint } from "../helpers/http";

const DAY = 24 * 3600 * 1000;
const OFFSET_MS = 30 * DAY;
const CASES = 5_000;

describe("a catch-up in the deadline worker thread, with citizens filing meanwhile", () => {
  let server: TestServer;
  let seed: CatchUpSeed;
  const count = async (sqlText: string) => Number((await dbGet<{ n: number }>(server, sqlText))?.n ?? 0);

  beforeAll(async () => {
    server = await startServer({
      env: {
        CLOCK_OFFSET_MS: String(OFFSET_MS),
        ALLOW_CLOCK_OFFSET: "1",
        OUTBOX_INTERVAL_MS: "3600000",
        // Each citizen below has an address of its own (X-Forwarded-For from the test, a trusted proxy).
        TRUSTED_PROXIES: "127.0.0.1",
        LOG_LEVEL: "info",
      },
    });
    await waitUntil(() => dbGet(server, "select 1 as ok from deadline_tick_state"), "the first (empty) tick", 30_000);
    await server.kill();
    seed = seedCatchUp(server.dbFile, { cases: CASES, offsetMs: OFFSET_MS });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("SIGTERM part-way through the claims: the worker stops between two batches and the server exits cleanly", async () => {
    await server.restart();
    const target = Math.floor(seed.expectedEscalations * 0.1);
    await waitUntil(async () => (await count("select count(*) as n from escalations")) >= target, `${target} claims`, 300_000, 50);
    await server.restart(); // SIGTERM (SIGKILL only after 10 s), then a new start that goes on with the catch-up
    const first = server.logs().split("--- restart ---")[1]!;
    expect(first).toContain('"msg":"shutting down"');
    expect(first).toContain('"msg":"deadline tick stopped; the next tick goes on from here"');
    expect(first).not.toMatch(/did not stop in time/);
    // Stopped part-way, the catch-up not finished: no tick state written, the claims so far owed their e-mails.
    expect(await count("select count(*) as n from escalations")).toBeLessThan(seed.expectedEscalations);
    expect(await count("select count(*) as n from outbox where kind like 'escalation.%'")).toBe(0);
  }, 600_000);

  it("files every complaint and answers /healthz while the worker claims the rest; the claims ran in a worker thread, once each", async () => {
    const filed: string[] = [];
    const failures: string[] = [];
    /** Claims counted at each /healthz answer made while the catch-up was under way. */
    const claimsSeen: number[] = [];
    let citizen = 0;
    let done = false;
    const tickDone = () => dbGet(server, "select 1 as ok from deadline_tick_state");
    const filing = (async () => {
      while (!done) {
        const client = new HttpClient(server.url, { ip: `10.9.${Math.floor(citizen / 250)}.${(citizen % 250) + 1}` });
        citizen++;
        try {
          filed.push((await fileComplaint(client, { subject: `ไฟถนนดับ ${citizen}` })).reference);
        } catch (e) {
          failures.push(String(e).slice(0, 300));
        }
      }
    })();
    const probing = (async () => {
      while (!done) {
        const res = await fetch(`${server.url}/healthz`);
        const body = (await res.json()) as { checks: { database: { ok: boolean } } };
        if (!body.checks.database.ok) failures.push(`/healthz: database not ok (${res.status})`);
        const claims = await count("select count(*) as n from escalations");
        if (claims > 0 && claims < seed.expectedEscalations) claimsSeen.push(claims);
        if (await tickDone()) done = true;
      }
    })();
    try {
      await waitUntil(tickDone, "the catch-up tick to finish", 600_000, 100);
    } finally {
      done = true;
      await Promise.all([filing, probing]);
    }

    console.log(
      `deadline thread: ${filed.length} complaints filed and ${claimsSeen.length} /healthz answers while the worker claimed ` +
        `(claims seen ${claimsSeen[0] ?? "-"} … ${claimsSeen[claimsSeen.length - 1] ?? "-"} of ${seed.expectedEscalations})`,
    );
    expect(failures).toEqual([]);
    expect(filed.length).toBeGreaterThan(0);
    // The claims went on between /healthz answers: the worker and the request thread ran side by side.
    expect(claimsSeen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(claimsSeen).size).toBeGreaterThanOrEqual(2);

    const logs = server.logs().split("\n");
    expect(logs.filter((l) => /SQLITE_BUSY|unhandled request error|deadline tick failed|ticker thread/.test(l))).toEqual([]);
    const ticks = logs
      .filter((l) => l.includes('"msg":"deadline tick"'))
      .map((l) => JSON.parse(l) as { thread: number; overdue: number; overdue_executive: number });
    const catchUp = ticks.find((t) => t.overdue > 0);
    expect(catchUp).toBeDefined();
    expect(catchUp!.thread).toBeGreaterThan(0);

    // Each case once per level, with its history; every filed complaint stored.
    expect(await count("select count(*) as n from escalations")).toBe(seed.expectedEscalations);
    expect(
      await count("select count(*) as n from (select 1 from escalations group by complaint_id, level, period_no having count(*) > 1)"),
    ).toBe(0);
    expect(await count("select count(*) as n from case_events where note like 'escalation: %'")).toBe(seed.expectedEscalations);
    for (const reference of filed)
      expect(await dbGet(server, "select 1 as ok from complaints where reference = ?", reference)).toBeTruthy();

    // On Linux the worker thread runs at a lower CPU priority than the request thread (nice + 5).
    if (fs.existsSync(`/proc/${server.pid}/task`)) {
      const niceOf = (tid: string) =>
        Number(fs.readFileSync(`/proc/${server.pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]);
      const main = niceOf(String(server.pid));
      const threads = fs.readdirSync(`/proc/${server.pid}/task`).map(niceOf);
      expect(threads.filter((n) => n === Math.min(19, main + 5)).length).toBeGreaterThanOrEqual(1);
    }

    // The request thread heard of the finished tick (within HEALTH_CACHE_MS of it).
    const heartbeat = await waitUntil(
      async () => {
        const h = (await (await fetch(`${server.url}/healthz`)).json()) as {
          checks: { deadlineTick: { secondsSinceLastTick: number | null } };
        };
        return h.checks.deadlineTick.secondsSinceLastTick !== null ? h.checks.deadlineTick : null;
      },
      "the tick's heartbeat on /healthz",
      15_000,
      250,
    );
    expect(heartbeat.secondsSinceLastTick).toBeLessThan(120);
  }, 900_000);
});

describe("the supervisor (stand-in workers)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-ticker-thread-"));
  process.env.DATA_DIR = dir;
  for (const k of ["DATABASE_URL", "CLOCK_OFFSET_MS", "PUBLIC_URL"]) delete process.env[k];
  globalThis.__sujaritEnv = undefined;

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return pathToFileURL(file);
  };

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a worker that crashes is logged and started again after a doubling back-off; the process carries on", async () => {
    const { startDeadlineTickerThread } = await import("~/models/deadlines/ticker-thread.server");
    const crashing = write(
      "crashing.mjs",
      `import { parentPort, threadId } from "node:worker_threads";
       parentPort.postMessage({ type: "ready", threadId });
       setTimeout(() => { throw new Error("stand-in worker failed"); }, 5);`,
    );
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const threads: number[] = [];
    const ticker = startDeadlineTickerThread({
      workerFile: crashing,
      intervalMs: 60_000,
      restartFirstMs: 20,
      restartMaxMs: 80,
      onMessage: (m) => {
        if (m.type === "ready") threads.push(m.threadId);
      },
    });
    try {
      await waitUntil(() => threads.length >= 5, "five starts of the crashing worker", 30_000, 20);
    } finally {
      await ticker.stop();
      spy.mockRestore();
    }
    expect(new Set(threads).size).toBe(threads.length); // a new thread each time
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; message?: string; restartInMs?: number });
    expect(logged.filter((l) => l.msg === "deadline ticker thread crashed").map((l) => l.message)).toContain("stand-in worker failed");
    const delays = logged.filter((l) => l.msg === "deadline ticker thread exited; starting it again").map((l) => l.restartInMs);
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
  });

  it("a finished tick reaches the heartbeat; stop() waits for the worker's batch and exit, and starts no other", async () => {
    const { startDeadlineTickerThread } = await import("~/models/deadlines/ticker-thread.server");
    const health = await import("~/models/operations/health.server");
    health.resetHealthForTests();
    const ticking = write(
      "ticking.mjs",
      `import { parentPort, threadId } from "node:worker_threads";
       parentPort.postMessage({ type: "ready", threadId });
       parentPort.postMessage({ type: "tick", finishedAt: 1700000000000, threadId, escalated: { due_soon: 2, overdue: 3, overdue_executive: 0, unassigned: 0 }, emails: 2, digests: 1 });
       parentPort.on("message", (m) => {
         if (m.type !== "stop") return;
         // The batch under way commits first.
         setTimeout(() => { parentPort.postMessage({ type: "stopped" }); parentPort.close(); }, 200);
       });`,
    );
    const events: string[] = [];
    let ticked = false;
    const ticker = startDeadlineTickerThread({
      workerFile: ticking,
      intervalMs: 60_000,
      restartFirstMs: 10,
      onMessage: (m) => {
        events.push(m.type);
        if (m.type === "tick") ticked = true;
      },
    });
    await waitUntil(() => ticked, "the stand-in's tick", 30_000, 20);
    expect(health.deadlineTickState()).toEqual({ lastFinishedAt: 1700000000000, escalated: { due_soon: 2, overdue: 3 } });
    await ticker.stop();
    events.push("stop() returned");
    expect(events).toEqual(["ready", "tick", "stopped", "stop() returned"]);
  });
});
