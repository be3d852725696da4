/**
 * The deadline tick and the outbox on PostgreSQL (issue 15), in-process against a private real PostgreSQL server
 * (tests/helpers/postgres.ts) and, for comparison, a fresh SQLite file:
 * - one scripted life of many cases (every rung of the ladder, digests, a backdated case, a pause and a resume, a rule
 *   change, "late" first deadlines and acknowledgements, a clock set back) gives the same claims, history, outcomes,
 *   e-mails and tick results on both databases;
 * - four tickers on four connection pools, ticking at once, round after round, claim every escalation exactly once,
 *   write its history once and tell every recipient of every claim exactly once (an e-mail about the case, or a digest
 *   whose range holds the claim), with nothing left owed;
 * - a claim that commits after a higher one was already read (identity values are taken at insert, not at commit) is
 *   still told: the notifier waits for claims in flight and reads the range again;
 * - four outbox workers on four pools, claiming at once, send every message exactly once.
 * Missing PostgreSQL binaries fail this file (they are never a reason to skip it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-pg-deadlines-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
delete process.env.DATABASE_URL;

// App modules read DATA_DIR when first used, so they are imported after it is set.
const { migrateToLatest, openDatabase, openPostgresDatabase, dialectOf } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { createComplaint } = await import("~/models/complaints/filing.server");
const { runDeadlineTick, notifyOwed } = await import("~/models/deadlines/escalation.server");
const { enqueueEmail, processOutboxOnce } = await import("~/models/notices/outbox.server");
const { decryptText } = await import("~/utils/crypto.server");
const { getSecrets } = await import("~/utils/db.server");

type DB = import("../../db/connection").DB;

let server: TestPostgres | null = null;
const opened: DB[] = [];

function track(db: DB): DB {
  opened.push(db);
  return db;
}

async function freshPostgres(name: string, max = 10): Promise<{ url: string; db: DB }> {
  const url = await server!.createDatabase(name);
  const db = track(openPostgresDatabase(url, { max }));
  expect(dialectOf(db).name).toBe("postgres");
  return { url, db };
}

beforeAll(async () => {
  server = await startPostgres();
});

// Each test's pools are closed after it (the private server allows 50 connections).
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy().catch(() => undefined);
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Staff = Record<"officer" | "head" | "supervisor" | "executive" | "lead", number>;

/** Migrates and seeds `db`, adds one person per escalation role and enables every rung; returns the staff ids. */
async function prepare(db: DB): Promise<{ staff: Staff; divisionId: number }> {
  await migrateToLatest(db);
  await seedOrganisation(db);
  const divisionId = (await db.selectFrom("categories").select("division_id").where("code", "=", "road").executeTakeFirstOrThrow())
    .division_id;
  const add = async (key: string, role: string, extra: { division_id?: number; is_division_head?: number; is_centre_lead?: number } = {}) =>
    (
      await db
        .insertInto("staff")
        .values({
          email: `${key}@wangluek.go.th`,
          name: key,
          role: role as "officer",
          division_id: extra.division_id ?? null,
          password_hash: "x",
          active: 1,
          locked_until: null,
          last_login_at: null,
          created_at: "2026-01-01T00:00:00.000Z",
          is_division_head: extra.is_division_head ?? 0,
          is_centre_lead: extra.is_centre_lead ?? 0,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const staff: Staff = {
    officer: await add("officer", "officer", { division_id: divisionId }),
    head: await add("head", "officer", { division_id: divisionId, is_division_head: 1 }),
    supervisor: await add("supervisor", "supervisor"),
    executive: await add("executive", "executive"),
    lead: await add("lead", "intake", { is_centre_lead: 1 }),
  };
  await db.updateTable("escalation_rules").set({ enabled: 1 }).execute();
  return { staff, divisionId };
}

/** A case received at `receivedAt`, due at the end of the Bangkok day `dueKey`, acknowledgement due at `ackDueAt`. */
async function newCase(db: DB, receivedAt: string, dueKey: string, opts: { ackDueAt?: string; assignee?: number } = {}): Promise<number> {
  const created = await createComplaint(db, {
    category: "road",
    subject: "ถนนเป็นหลุม",
    details: "หลุมลึกมากหน้าวัด",
    village: 3,
    landmark: "",
    contactName: "สมชาย",
    preferredContact: "none",
    channel: "web",
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
  } as unknown as Parameters<typeof createComplaint>[1]);
  await db
    .updateTable("complaints")
    .set({
      received_at: receivedAt,
      period_started_at: receivedAt,
      due_at: new Date(`${dueKey}T16:59:59.999Z`).toISOString(), // 23:59:59.999 Bangkok
      ack_due_at: opts.ackDueAt ?? null,
      // A written acknowledgement still to be made when it has a due time (web filings are acknowledged at once).
      ...(opts.ackDueAt ? { acknowledged_at: null, ack_outcome: null } : {}),
      ...(opts.assignee !== undefined ? { assignee_id: opts.assignee, status: "in_progress" as const } : {}),
    })
    .where("id", "=", created.id)
    .execute();
  return created.id;
}

const tick = (db: DB, iso: string) => runDeadlineTick(db, { now: new Date(iso) });

/** Everything the ladder wrote, in an order that does not depend on the database. */
async function outcome(db: DB) {
  const escalations = await db
    .selectFrom("escalations")
    .select(["id", "complaint_id", "level", "period_no", "notify_key", "created_at"])
    .orderBy("id")
    .execute();
  const history = await db
    .selectFrom("case_events")
    .select(["complaint_id", "note", "created_at"])
    .where("note", "like", "escalation:%")
    .orderBy("complaint_id")
    .orderBy("note")
    .orderBy("created_at")
    .execute();
  const cases = await db
    .selectFrom("complaints")
    .select(["id", "status", "explanation_owed", "sla_outcome", "ack_outcome"])
    .orderBy("id")
    .execute();
  const outbox = (await db.selectFrom("outbox").select(["kind", "complaint_id", "dedupe_key", "payload", "status"]).execute())
    .map(({ payload, ...r }) => {
      const m = JSON.parse(decryptText(payload!, getSecrets().outboxKey, "outbox")) as { to: string; subject: string };
      return { ...r, to: m.to, subject: m.subject };
    })
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const digests = await db
    .selectFrom("escalation_digests")
    .select(["level", "staff_id", "from_id", "through_id", "cases"])
    .orderBy("through_id")
    .orderBy("level")
    .orderBy("staff_id")
    .execute();
  const tickState = await db.selectFrom("deadline_tick_state").selectAll().execute();
  const notifyState = await db.selectFrom("escalation_notify_state").selectAll().where("id", "=", 1).execute();
  const dirty = Number(
    (
      await db
        .selectFrom("deadline_dirty")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  return { escalations, history, cases, outbox, digests, tickState, notifyState, dirty };
}

/**
 * The scripted life: cases through every rung, a digest's worth for one officer, acknowledgements and first deadlines
 * that pass undecided, a backdated intake case, a pause and a resume, a rule change (full scan) and a clock set back.
 * Returns what each tick reported and everything written.
 */
async function scenario(db: DB) {
  const { staff } = await prepare(db);
  const ticks: unknown[] = [];
  const at = async (iso: string) => {
    const r = await tick(db, iso);
    ticks.push({ at: iso, escalated: r.escalated, notified: r.notified, stats: r.stats, examined: r.examined });
  };
  const life = await newCase(db, "2026-01-05T03:00:00.000Z", "2026-01-20", { ackDueAt: "2026-01-06T16:59:59.999Z" });
  const own: number[] = [];
  for (let i = 0; i < 6; i++)
    own.push(
      await newCase(db, "2026-01-06T03:00:00.000Z", "2026-01-21", { assignee: staff.officer, ackDueAt: "2026-01-08T16:59:59.999Z" }),
    );
  const few: number[] = [];
  for (let i = 0; i < 2; i++) few.push(await newCase(db, "2026-01-07T03:00:00.000Z", "2026-01-22"));
  const paused = await newCase(db, "2026-01-05T03:00:00.000Z", "2026-01-20", { assignee: staff.officer });

  await at("2026-01-05T04:00:00.000Z");
  await at("2026-01-07T03:00:00.000Z"); // unassigned, acknowledgements late
  await db.updateTable("complaints").set({ assignee_id: staff.officer, status: "in_progress" }).where("id", "=", life).execute();
  await db
    .updateTable("complaints")
    .set({ status: "waiting_info", paused_at: "2026-01-08T03:00:00.000Z", remaining_days: 4 })
    .where("id", "=", paused)
    .execute();
  await at("2026-01-13T03:00:00.000Z");
  await at("2026-01-18T03:00:00.000Z"); // due soon: a digest for the officer's own cases
  await at("2026-01-19T03:00:00.000Z");
  await at("2026-01-21T01:00:00.000Z"); // overdue, late first deadlines
  await at("2026-01-22T01:00:00.000Z");
  // A case recorded now, received long ago: found as a changed case, not by the window.
  const backdated = await newCase(db, "2025-12-01T03:00:00.000Z", "2025-12-16");
  await at("2026-01-22T02:00:00.000Z");
  // Resumed with a deadline before the mark.
  await db
    .updateTable("complaints")
    .set({ status: "in_progress", paused_at: null, remaining_days: null, due_at: "2026-01-21T16:59:59.999Z" })
    .where("id", "=", paused)
    .execute();
  await at("2026-01-22T03:00:00.000Z");
  await at("2026-01-10T03:00:00.000Z"); // a clock set back reads nothing
  await db.updateTable("escalation_rules").set({ days: 5 }).where("level", "=", "overdue_executive").execute();
  await at("2026-01-27T10:00:00.000Z"); // full scan after the rule change
  await at("2026-01-29T03:00:00.000Z");
  await at("2026-01-29T03:05:00.000Z"); // nothing left to read
  return { ticks, ids: { life, own, few, paused, backdated }, written: await outcome(db) };
}

describe("the deadline tick on PostgreSQL", () => {
  it("gives the same claims, history, outcomes, e-mails and tick results as on SQLite", async () => {
    const sqlite = track(openDatabase(path.join(dataDir, "scenario.db")));
    const { db: pg } = await freshPostgres("scenario");
    const onSqlite = await scenario(sqlite);
    const onPostgres = await scenario(pg);

    // The script did what it is meant to (so the comparison compares something).
    const w = onSqlite.written;
    const levelsOf = (id: number) =>
      w.escalations
        .filter((e) => e.complaint_id === id)
        .map((e) => e.level)
        .sort();
    expect(levelsOf(onSqlite.ids.life)).toEqual(["due_soon", "overdue", "overdue_executive", "unassigned"]);
    expect(levelsOf(onSqlite.ids.backdated)).toEqual(["overdue", "overdue_executive", "unassigned"]);
    expect(levelsOf(onSqlite.ids.paused)).toEqual(["overdue", "overdue_executive"]);
    expect(w.digests.some((d) => d.level === "due_soon" && d.cases > 3)).toBe(true); // more than DIGEST_THRESHOLD
    expect(w.outbox.some((m) => m.kind === "escalation.overdue")).toBe(true);
    expect(w.cases.filter((c) => c.sla_outcome === "late").length).toBeGreaterThanOrEqual(8);
    expect(w.cases.filter((c) => c.ack_outcome === "late").length).toBe(7);
    expect(w.history.length).toBe(w.escalations.length);
    expect(onSqlite.ticks.map((t) => (t as { stats: { mode: string } }).stats.mode)).toContain("clock_behind");
    expect(w.dirty).toBe(0);

    expect(onPostgres.ids).toEqual(onSqlite.ids);
    expect(onPostgres.ticks).toEqual(onSqlite.ticks);
    expect(onPostgres.written).toEqual(onSqlite.written);
  });

  it("four tickers on four pools at once: each escalation claimed, recorded and told exactly once", async () => {
    const { url, db } = await freshPostgres("tickers");
    const { staff } = await prepare(db);
    const tickers = [db, ...[1, 2, 3].map(() => track(openPostgresDatabase(url, { max: 3 })))];
    // 120 cases in waves: some assigned to the officer (due soon to them), most to nobody.
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) {
      const day = 5 + (i % 6);
      const received = `2026-03-${String(day).padStart(2, "0")}T03:00:00.000Z`;
      const due = `2026-03-${String(day + 15).padStart(2, "0")}`;
      ids.push(await newCase(db, received, due, i % 3 === 0 ? { assignee: staff.officer, ackDueAt: "2026-03-06T16:59:59.999Z" } : {}));
    }
    const rounds = ["2026-03-06T03:00:00.000Z", "2026-03-12T03:00:00.000Z", "2026-03-18T03:00:00.000Z", "2026-03-22T03:00:00.000Z"];
    rounds.push("2026-03-26T03:00:00.000Z", "2026-04-01T03:00:00.000Z");
    let claimed = 0;
    for (const [n, iso] of rounds.entries()) {
      // Between rounds the cases change as requests would change them: some are assigned, new backdated ones arrive.
      if (n === 2) await db.updateTable("complaints").set({ assignee_id: staff.officer }).where("id", "in", ids.slice(0, 30)).execute();
      if (n === 3) for (let i = 0; i < 10; i++) ids.push(await newCase(db, "2026-02-01T03:00:00.000Z", "2026-02-16"));
      const results = await Promise.all(tickers.map((t, i) => tick(t, new Date(Date.parse(iso) + i).toISOString())));
      claimed += results.reduce((a, r) => a + Object.values(r.escalated).reduce((x, y) => x + y, 0), 0);
    }

    const esc = await db.selectFrom("escalations").select(["id", "complaint_id", "level", "period_no", "notify_key"]).execute();
    expect(esc.length).toBeGreaterThan(200);
    expect(claimed).toBe(esc.length); // each claim counted by exactly one ticker
    // Every open case reached overdue and unassigned (or due soon, when assigned) once.
    for (const id of ids) {
      const levels = esc.filter((e) => e.complaint_id === id).map((e) => e.level);
      expect(new Set(levels).size, `case ${id}`).toBe(levels.length);
      expect(levels, `case ${id}`).toContain("overdue");
    }
    // One history row per claim.
    const history = await db.selectFrom("case_events").select(["complaint_id", "note"]).where("note", "like", "escalation:%").execute();
    expect(history.length).toBe(esc.length);
    const explanationOwed = await db.selectFrom("complaints").select("id").where("explanation_owed", "=", 1).execute();
    expect(explanationOwed.length).toBe(esc.filter((e) => e.level === "overdue").length);

    // Nothing owed, and every recipient of every claim told exactly once.
    const mark = await db.selectFrom("escalation_notify_state").select("notified_through").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(mark.notified_through).toBe(Math.max(...esc.map((e) => e.id)));
    const mails = await db.selectFrom("outbox").select(["kind", "dedupe_key"]).where("kind", "like", "escalation.%").execute();
    const digests = await db.selectFrom("escalation_digests").select(["level", "staff_id", "from_id", "through_id"]).execute();
    expect(digests.length).toBeGreaterThan(0);
    const perCase = new Map<string, number>();
    for (const m of mails) if (m.dedupe_key?.startsWith("esc:")) perCase.set(m.dedupe_key, (perCase.get(m.dedupe_key) ?? 0) + 1);
    const roles: Record<string, number[]> = {
      supervisors: [staff.supervisor],
      executives: [staff.executive],
      centre_leads: [staff.lead],
    };
    const recipients = (key: string): number[] => {
      if (key.startsWith("assignee:")) return [Number(key.slice(9))];
      if (key.startsWith("division:")) return [staff.head];
      return roles[key] ?? [];
    };
    let checked = 0;
    for (const e of esc) {
      expect(e.notify_key).not.toBeNull();
      for (const who of recipients(e.notify_key!)) {
        const byMail = perCase.get(`esc:${e.id}:${who}`) ?? 0;
        const byDigest = digests.filter(
          (d) => d.level === e.level && d.staff_id === who && d.from_id < e.id && d.through_id >= e.id,
        ).length;
        expect(byMail + byDigest, `claim ${e.id} (${e.level}) to staff ${who}`).toBe(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(esc.length);
    // The dirty list is emptied and the mark is the latest round's.
    expect(
      Number(
        (
          await db
            .selectFrom("deadline_dirty")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirst()
        )?.n,
      ),
    ).toBe(0);
    const state = await db.selectFrom("deadline_tick_state").selectAll().executeTakeFirstOrThrow();
    expect(state.last_tick_at).toBe(new Date(Date.parse(rounds[rounds.length - 1]!) + 3).toISOString());
  });

  it("a claim committed after a higher one was read is still told (ids are not in commit order)", async () => {
    const { db } = await freshPostgres("late_claim");
    const { staff } = await prepare(db);
    const a = await newCase(db, "2026-05-04T03:00:00.000Z", "2026-05-19");
    const b = await newCase(db, "2026-05-04T03:00:00.000Z", "2026-05-19");
    const claim = (trx: typeof db, complaintId: number) =>
      trx
        .insertInto("escalations")
        .values({
          complaint_id: complaintId,
          level: "overdue",
          period_no: 1,
          created_at: "2026-05-20T03:00:00.000Z",
          notify_key: "supervisors",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
    // What claimBatch does on PostgreSQL: the share lock on the notify state first, then the claim. This one stays open.
    const slow = await db.startTransaction().execute();
    await slow.selectFrom("escalation_notify_state").select("id").where("id", "=", 1).forShare().execute();
    const first = await claim(slow, a);
    // A later claim (a higher id) commits first.
    const second = await db.transaction().execute(async (trx) => {
      await trx.selectFrom("escalation_notify_state").select("id").where("id", "=", 1).forShare().execute();
      return claim(trx, b);
    });
    expect(second.id).toBeGreaterThan(first.id);
    let settled = false;
    const notifying = notifyOwed(db).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(settled).toBe(false); // waits for the claim in flight
    await slow.commit().execute();
    const told = await notifying;
    expect(told).toEqual({ perCase: 2, digests: 0, claims: 2 });
    const keys = (await db.selectFrom("outbox").select("dedupe_key").where("kind", "=", "escalation.overdue").execute())
      .map((r) => r.dedupe_key)
      .sort();
    expect(keys).toEqual([`esc:${first.id}:${staff.supervisor}`, `esc:${second.id}:${staff.supervisor}`].sort());
    const mark = await db.selectFrom("escalation_notify_state").select("notified_through").where("id", "=", 1).executeTakeFirstOrThrow();
    expect(mark.notified_through).toBe(second.id);
  });
});

describe("the outbox on PostgreSQL", () => {
  it("four workers on four pools claiming at once send every message exactly once", async () => {
    const { url, db } = await freshPostgres("outbox");
    await migrateToLatest(db);
    const total = 240;
    for (let i = 0; i < total; i++)
      await enqueueEmail(db, {
        kind: "test.concurrent",
        message: { to: `person${i}@example.com`, subject: `message ${i}`, text: `text ${i}`, html: `<p>${i}</p>` },
        dedupeKey: `concurrent:${i}`,
      });
    const sent: { worker: number; to: string; messageId: string }[] = [];
    const workers = [db, ...[1, 2, 3].map(() => track(openPostgresDatabase(url, { max: 2 })))].map((wdb, worker) => async () => {
      const sender = {
        describe: "memory",
        async send(m: { to: string; messageId: string }) {
          await new Promise((r) => setTimeout(r, 1)); // the network: claims of other workers interleave
          sent.push({ worker, to: m.to, messageId: m.messageId });
        },
      };
      for (;;) {
        const r = await processOutboxOnce(sender, { db: wdb, workerId: `worker-${worker}`, limit: 7 });
        if (r.sent + r.failed + r.dead === 0) return;
      }
    });
    await Promise.all(workers.map((w) => w()));

    expect(sent.length).toBe(total);
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(total);
    expect(new Set(sent.map((s) => s.to)).size).toBe(total);
    expect(new Set(sent.map((s) => s.worker)).size).toBeGreaterThan(1); // they really ran side by side
    const left = await db.selectFrom("outbox").select(["status", "payload"]).where("status", "!=", "sent").execute();
    expect(left).toEqual([]);
  });
});
