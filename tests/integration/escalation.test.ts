/**
 * The escalation ladder, in-process against a real SQLite file, with time controlled by passing `now` to
 * runDeadlineTick: each level happens exactly once per period — across repeated ticks, two ticks at once on one
 * connection, two connections, two separate processes (npm run sla:tick) and after "downtime". Each claim is told
 * once: by an e-mail about the case, or (more than DIGEST_THRESHOLD cases for one person at one level) by a digest
 *, also after a tick stopped half-way or two notifiers racing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-escalation-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
delete process.env.DATABASE_URL;

const { getDb } = await import("~/utils/db.server");
const { migrateToLatest, openDatabase } = await import("../../db/connection");
const { seedOrganisation } = await import("../../db/seed");
const { createComplaint } = await import("~/models/complaints/filing.server");
const { runDeadlineTick, notifyOwed, DIGEST_THRESHOLD, DIGEST_LIST } = await import("~/models/deadlines/escalation.server");
const { decryptText } = await import("~/utils/crypto.server");
const { BatchAborted } = await import("~/utils/yield.server");
const { getSecrets } = await import("~/utils/db.server");
const { sendNotice } = await import("~/models/notices/notices.server");

const db = getDb();
const ROOT = path.resolve(import.meta.dirname, "../..");

const staff: Record<string, number> = {};
async function addStaff(key: string, role: string, extra: Record<string, unknown> = {}) {
  const row = await db
    .insertInto("staff")
    .values({
      email: `${key}@wangluek.go.th`,
      name: key,
      role: role as any,
      division_id: (extra.division_id as number | undefined) ?? null,
      password_hash: "x",
      active: 1,
      locked_until: null,
      last_login_at: null,
      created_at: new Date().toISOString(),
      is_division_head: (extra.is_division_head as number | undefined) ?? 0,
      is_centre_lead: (extra.is_centre_lead as number | undefined) ?? 0,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  staff[key] = row.id;
}

let divisionId = 0;

beforeAll(async () => {
  await migrateToLatest(db);
  await seedOrganisation(db);
  divisionId = (await db.selectFrom("categories").select("division_id").where("code", "=", "road").executeTakeFirstOrThrow()).division_id;
  await addStaff("officer", "officer", { division_id: divisionId });
  await addStaff("head", "officer", { division_id: divisionId, is_division_head: 1 });
  await addStaff("supervisor", "supervisor");
  await addStaff("executive", "executive");
  await addStaff("lead", "intake", { is_centre_lead: 1 });
  // Rules as seeded: due soon at the policy's threshold, overdue at once, executive 7 days later, unassigned after 1 day.
  await db.updateTable("escalation_rules").set({ enabled: 1 }).execute();
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A case received at `receivedAt` and due at the end of the Bangkok day `dueKey` (set directly: this test is about escalation). */
async function newCase(receivedAt: string, dueKey: string, opts: { email?: string } = {}) {
  const created = await createComplaint(db, {
    category: "road",
    subject: "ถนนเป็นหลุม",
    details: "หลุมลึกมากหน้าวัด",
    village: 3,
    landmark: "",
    latitude: undefined,
    longitude: undefined,
    contactName: "สมชาย",
    contactPhone: undefined,
    contactEmail: opts.email,
    contactAddress: undefined,
    preferredContact: opts.email ? "email" : "none",
    channel: "web",
    lang: "th",
    submissionKey: crypto.randomBytes(32).toString("base64url"),
    recordedBy: null,
    uploadIds: [],
  } as any);
  const dueAt = new Date(`${dueKey}T16:59:59.999Z`).toISOString(); // 23:59:59.999 Bangkok
  await db
    .updateTable("complaints")
    .set({ received_at: receivedAt, period_started_at: receivedAt, due_at: dueAt, ack_due_at: null })
    .where("id", "=", created.id)
    .execute();
  return created.id;
}

async function escalationNotes(id: number) {
  const rows = await db.selectFrom("case_events").select("note").where("complaint_id", "=", id).where("kind", "=", "note").execute();
  return rows
    .map((r) => r.note)
    .filter((n) => n.startsWith("escalation: "))
    .sort();
}

async function mails(id: number, kind: string) {
  const rows = await db.selectFrom("outbox").select("id").where("complaint_id", "=", id).where("kind", "=", kind).execute();
  return rows.length;
}

/**
 * How many e-mails told someone about the case's escalation at `level`: e-mails about the case itself, plus digests
 * whose range of claims holds the case's claim and whose recipient the claim's notify key reaches.
 */
async function told(id: number, level: string) {
  const esc = await db
    .selectFrom("escalations")
    .select(["id", "notify_key"])
    .where("complaint_id", "=", id)
    .where("level", "=", level as any)
    .execute();
  let n = await mails(id, `escalation.${level}`);
  for (const e of esc) {
    const digests = await db
      .selectFrom("escalation_digests")
      .select("staff_id")
      .where("level", "=", level as any)
      .where("from_id", "<", e.id)
      .where("through_id", ">=", e.id)
      .execute();
    n += digests.filter((d) => reaches(e.notify_key, d.staff_id)).length;
  }
  return n;
}
function reaches(key: string | null, staffId: number): boolean {
  if (key === null) return false;
  if (key.startsWith("assignee:")) return Number(key.slice(9)) === staffId;
  if (key.startsWith("division:")) return staffId === staff.head;
  return true; // role-wide keys: every digest of the level in the range reaches every case in it
}

/** Decrypted outbox messages of a kind queued after outbox id `afterId`. */
async function messages(kind: string, afterId = 0) {
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "payload", "dedupe_key", "complaint_id"])
    .where("kind", "=", kind)
    .where("id", ">", afterId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    ...r,
    ...(JSON.parse(decryptText(r.payload!, getSecrets().outboxKey, "outbox")) as {
      to: string;
      subject: string;
      text: string;
      html: string;
    }),
  }));
}

const tick = (iso: string, on = db) => runDeadlineTick(on, { now: new Date(iso) });

describe("escalation ladder", () => {
  it("walks a case through its life: each level exactly once, to the right people", async () => {
    const id = await newCase("2026-01-05T03:00:00.000Z", "2026-01-20", { email: "citizen@example.com" });

    // Received on Monday; nothing yet an hour later (no one assigned, but less than a working day).
    let r = await tick("2026-01-05T04:00:00.000Z");
    expect(await escalationNotes(id)).toEqual([]);

    // Two days later, still unassigned → the centre lead, once.
    r = await tick("2026-01-07T03:00:00.000Z");
    expect(r.escalated.unassigned).toBeGreaterThanOrEqual(1);
    await tick("2026-01-07T05:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: unassigned"]);
    expect(await told(id, "unassigned")).toBe(1);

    // Assigned; two days before the deadline → the assignee is reminded, once.
    await db.updateTable("complaints").set({ assignee_id: staff.officer!, status: "in_progress" }).where("id", "=", id).execute();
    await tick("2026-01-13T03:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: unassigned"]);
    await tick("2026-01-18T03:00:00.000Z");
    await tick("2026-01-19T03:00:00.000Z");
    await tick("2026-01-20T10:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: due_soon", "escalation: unassigned"]);
    expect(await told(id, "due_soon")).toBe(1);
    const toOfficer = await db
      .selectFrom("outbox")
      .select("dedupe_key")
      .where("kind", "=", "escalation.due_soon")
      .where("complaint_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(toOfficer.dedupe_key).toMatch(new RegExp(`:${staff.officer}$`));

    // Deadline passed → supervisors told, explanation owed.
    let c = await db.selectFrom("complaints").select(["explanation_owed"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.explanation_owed).toBe(0);
    await tick("2026-01-21T01:00:00.000Z");
    await tick("2026-01-22T01:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: due_soon", "escalation: overdue", "escalation: unassigned"]);
    expect(await told(id, "overdue")).toBe(1);
    c = await db.selectFrom("complaints").select(["explanation_owed"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.explanation_owed).toBe(1);

    // Seven more days → the executive, once.
    await tick("2026-01-27T10:00:00.000Z");
    expect(await told(id, "overdue_executive")).toBe(0);
    await tick("2026-01-28T03:00:00.000Z");
    await tick("2026-01-29T03:00:00.000Z");
    expect(await escalationNotes(id)).toEqual([
      "escalation: due_soon",
      "escalation: overdue",
      "escalation: overdue_executive",
      "escalation: unassigned",
    ]);
    expect(await told(id, "overdue_executive")).toBe(1);

    // History rows are internal.
    const ev = await db
      .selectFrom("case_events")
      .select("is_public")
      .where("complaint_id", "=", id)
      .where("note", "like", "escalation:%")
      .execute();
    expect(ev.every((e) => e.is_public === 0)).toBe(true);
  });

  it("explanation owed appears at the deadline and clears when the explanation is sent", async () => {
    const id = await newCase("2026-02-02T03:00:00.000Z", "2026-02-17", { email: "late@example.com" });
    await tick("2026-02-18T03:00:00.000Z");
    let c = await db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.explanation_owed).toBe(1);
    const expected = new Date(Date.now() + 10 * 24 * 3600 * 1000);
    const sent = await sendNotice(db, {
      complaintId: id,
      kind: "explanation",
      actor: { id: staff.officer!, role: "officer", division_id: divisionId },
      expectedAt: expected,
    });
    expect(sent.emailed).toBe(true);
    c = await db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.explanation_owed).toBe(0);
    expect(c.explained_at).not.toBeNull();
    expect(c.expected_at).toBe(expected.toISOString());
    // Another tick in the same period does not raise it again.
    await tick("2026-02-19T03:00:00.000Z");
    c = await db.selectFrom("complaints").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(c.explanation_owed).toBe(0);
  });

  it("a paused case (waiting for the complainant) does not escalate; a new period escalates again, once", async () => {
    const id = await newCase("2026-03-02T03:00:00.000Z", "2026-03-17");
    await db
      .updateTable("complaints")
      .set({ status: "waiting_info", paused_at: "2026-03-10T03:00:00.000Z", remaining_days: 7, assignee_id: staff.officer! })
      .where("id", "=", id)
      .execute();
    await tick("2026-03-20T03:00:00.000Z");
    expect(await escalationNotes(id)).toEqual([]);
    // Resumed (and later reopened): period 2 with a deadline that has passed.
    await db.updateTable("complaints").set({ status: "in_progress", paused_at: null, remaining_days: null }).where("id", "=", id).execute();
    await tick("2026-03-20T04:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: overdue"]);
    await db.updateTable("complaints").set({ period_no: 2, due_at: "2026-03-25T16:59:59.999Z" }).where("id", "=", id).execute();
    await tick("2026-03-26T03:00:00.000Z");
    await tick("2026-03-26T04:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue"]);
    const periods = await db
      .selectFrom("escalations")
      .select("period_no")
      .where("complaint_id", "=", id)
      .where("level", "=", "overdue")
      .execute();
    expect(periods.map((p) => p.period_no).sort()).toEqual([1, 2]);
  });

  it("catches up after downtime: a deadline that passed while nothing ran escalates once", async () => {
    const id = await newCase("2026-04-01T03:00:00.000Z", "2026-04-16");
    await db.updateTable("complaints").set({ assignee_id: staff.officer! }).where("id", "=", id).execute();
    // No tick ran between 1 April and 1 May.
    const r = await tick("2026-05-01T03:00:00.000Z");
    expect(r.escalated.overdue).toBeGreaterThanOrEqual(1);
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue_executive"]);
    // "Restart": the next tick, and a tick with the clock set back, send nothing more.
    await tick("2026-05-01T03:01:00.000Z");
    await tick("2026-04-20T03:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue_executive"]);
    expect(await told(id, "overdue")).toBe(1);
  });

  it("two ticks at once on one connection escalate once", async () => {
    const ids = await Promise.all([0, 1, 2].map(() => newCase("2026-06-01T03:00:00.000Z", "2026-06-16")));
    await Promise.all([tick("2026-06-17T03:00:00.000Z"), tick("2026-06-17T03:00:00.000Z"), tick("2026-06-17T03:00:01.000Z")]);
    for (const id of ids) {
      expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: unassigned"]);
      expect(await told(id, "overdue")).toBe(1);
    }
  });

  it("two ticks at once from two separate connections escalate once", async () => {
    const second = openDatabase(path.join(dataDir, "sujarit.db"));
    try {
      const ids = await Promise.all([0, 1, 2, 3].map(() => newCase("2026-07-01T03:00:00.000Z", "2026-07-16")));
      await Promise.all([tick("2026-07-17T03:00:00.000Z", db), tick("2026-07-17T03:00:00.000Z", second)]);
      for (const id of ids) {
        expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: unassigned"]);
        expect(await told(id, "overdue")).toBe(1);
      }
    } finally {
      await second.destroy();
    }
  });

  it("two `npm run sla:tick` processes at once escalate once", async () => {
    const ids = await Promise.all([0, 1, 2, 3, 4].map(() => newCase("2026-08-03T03:00:00.000Z", "2026-08-18")));
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/sla-tick.ts", "--now", "2026-08-19T03:00:00.000Z"], {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: "http://localhost:3999", NODE_ENV: "production" },
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("exit", (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    for (const id of ids) {
      expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: unassigned"]);
      expect(await told(id, "overdue")).toBe(1);
      expect(await told(id, "unassigned")).toBe(1);
    }
  });
});

describe("incremental tick (high-water mark)", () => {
  const zero = { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0, changed: 0 };

  it("after a tick, a second tick over unchanged data reads nothing", async () => {
    await tick("2026-09-01T03:00:00.000Z");
    const r = await tick("2026-09-01T03:05:00.000Z");
    expect(r.stats.mode).toBe("incremental");
    expect(r.stats.window).toEqual({ from: "2026-09-01T03:00:00.000Z", to: "2026-09-01T03:05:00.000Z" });
    expect(r.stats.examined).toEqual(zero);
    expect(r.examined).toBe(0);
    // A clock set back reads nothing and leaves the mark where it was.
    const back = await tick("2026-08-01T03:00:00.000Z");
    expect(back.stats.mode).toBe("clock_behind");
    expect(back.stats.examined).toEqual(zero);
    const state = await db.selectFrom("deadline_tick_state").selectAll().executeTakeFirstOrThrow();
    expect(state.last_tick_at).toBe("2026-09-01T03:05:00.000Z");
  });

  it("a backdated intake case (deadline already before the mark) is escalated, once", async () => {
    await tick("2026-09-10T03:00:00.000Z");
    // Recorded now, received in August: its deadline passed long before the last tick's window.
    const id = await newCase("2026-08-03T03:00:00.000Z", "2026-08-18");
    const r = await tick("2026-09-10T04:00:00.000Z");
    expect(r.stats.examined.changed).toBe(1);
    expect(r.stats.examined.overdue).toBe(0); // not found by the window, by the change
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue_executive", "escalation: unassigned"]);
    const again = await tick("2026-09-10T05:00:00.000Z");
    expect(again.stats.examined).toEqual(zero);
    expect(await told(id, "overdue")).toBe(1);
  });

  it("a resumed case past its new deadline is escalated once", async () => {
    const id = await newCase("2026-09-14T03:00:00.000Z", "2026-09-29");
    await db
      .updateTable("complaints")
      .set({ status: "waiting_info", paused_at: "2026-09-20T03:00:00.000Z", remaining_days: 0, assignee_id: staff.officer! })
      .where("id", "=", id)
      .execute();
    await tick("2026-10-05T03:00:00.000Z"); // paused: nothing
    expect(await escalationNotes(id)).toEqual([]);
    // Resumed with a deadline (end of 1 October) that lies before the mark (5 October 03:00).
    await db
      .updateTable("complaints")
      .set({ status: "in_progress", paused_at: null, remaining_days: null, due_at: "2026-10-01T16:59:59.999Z" })
      .where("id", "=", id)
      .execute();
    const r = await tick("2026-10-05T04:00:00.000Z");
    expect(r.escalated.overdue).toBe(1);
    expect(await escalationNotes(id)).toEqual(["escalation: overdue"]);
    await tick("2026-10-05T05:00:00.000Z");
    await tick("2026-10-09T05:00:00.000Z"); // 7 days past 1 October: the executive, found by the window
    await tick("2026-10-10T05:00:00.000Z");
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue_executive"]);
    expect(await told(id, "overdue")).toBe(1);
  });

  it("a threshold crossed in the window is found by the window (no change to the case)", async () => {
    const id = await newCase("2026-10-12T03:00:00.000Z", "2026-10-27");
    await db.updateTable("complaints").set({ assignee_id: staff.officer! }).where("id", "=", id).execute();
    await tick("2026-10-26T03:00:00.000Z"); // consumes the change; due soon
    expect(await escalationNotes(id)).toEqual(["escalation: due_soon"]);
    const r = await tick("2026-10-28T03:00:00.000Z");
    expect(r.stats.examined.changed).toBe(0);
    expect(r.stats.examined.overdue).toBe(1);
    expect(await escalationNotes(id)).toEqual(["escalation: due_soon", "escalation: overdue"]);
  });

  it("changing the escalation rules makes the next tick look at every open case once", async () => {
    await db.updateTable("escalation_rules").set({ days: 7 }).where("level", "=", "overdue_executive").execute();
    const r = await tick("2026-10-28T04:00:00.000Z");
    expect(r.stats.mode).toBe("full");
    const next = await tick("2026-10-28T04:05:00.000Z");
    expect(next.stats.mode).toBe("incremental");
  });

  it("a tick soon after another (another app server's) is skipped; a case due in between waits for the next one", async () => {
    const skipping = (iso: string) => runDeadlineTick(db, { now: new Date(iso), skipIfTickedWithinMs: 30_000 });
    await tick("2026-11-02T03:00:00.000Z");
    const id = await newCase("2026-10-01T03:00:00.000Z", "2026-10-16"); // long overdue, recorded now
    const soon = await skipping("2026-11-02T03:00:20.000Z");
    expect(soon.stats.mode).toBe("skipped");
    expect(soon.examined).toBe(0);
    expect(await escalationNotes(id)).toEqual([]);
    const state = await db.selectFrom("deadline_tick_state").selectAll().executeTakeFirstOrThrow();
    expect(state.last_tick_at).toBe("2026-11-02T03:00:00.000Z"); // a skipped tick leaves the mark alone
    const later = await skipping("2026-11-02T03:00:31.000Z");
    expect(later.stats.mode).toBe("incremental");
    expect(later.stats.examined.changed).toBe(1);
    expect(await escalationNotes(id)).toEqual(["escalation: overdue", "escalation: overdue_executive", "escalation: unassigned"]);
    // A full scan owed (rules changed) is never skipped, nor is a clock set back.
    await db.updateTable("escalation_rules").set({ days: 8 }).where("level", "=", "overdue_executive").execute();
    expect((await skipping("2026-11-02T03:00:40.000Z")).stats.mode).toBe("full");
    expect((await skipping("2026-11-02T02:59:00.000Z")).stats.mode).toBe("clock_behind");
  });
});

describe("ticks of many organisations", () => {
  it("each organisation is ticked every minute while they are few, then spaced so one process starts a tick every 150 ms", async () => {
    const { organisationTickInterval, TICK_SPACING_MS } = await import("~/models/deadlines/escalation.server");
    expect(TICK_SPACING_MS).toBe(150);
    expect(organisationTickInterval(60_000, 1)).toBe(60_000);
    expect(organisationTickInterval(60_000, 400)).toBe(60_000);
    expect(organisationTickInterval(60_000, 401)).toBe(60_150);
    expect(organisationTickInterval(60_000, 1_000)).toBe(150_000);
    expect(organisationTickInterval(60_000, 0)).toBe(60_000);
  });
});

describe("digests and bounded batches", () => {
  const maxOutboxId = async () =>
    Number(
      (
        await db
          .selectFrom("outbox")
          .select((eb) => eb.fn.max("id").as("m"))
          .executeTakeFirst()
      )?.m ?? 0,
    );
  const assigned = async (id: number, staffId: number) =>
    db.updateTable("complaints").set({ assignee_id: staffId, status: "in_progress" }).where("id", "=", id).execute();
  const refOf = async (id: number) =>
    (await db.selectFrom("complaints").select("reference").where("id", "=", id).executeTakeFirstOrThrow()).reference;
  /** Stops the tick when it checks its signal for the n-th time (between two batches). */
  const stopAfterChecks = (n: number) => {
    let checks = 0;
    return {
      get aborted() {
        return ++checks > n;
      },
    } as AbortSignal;
  };

  it("many cases at once: one digest per recipient and level (how many, which, the queue link); a few: one e-mail each", async () => {
    await addStaff("officer2", "officer", { division_id: divisionId });
    await tick("2026-12-01T03:00:00.000Z"); // older cases' pending rungs are told here, not below
    const before = await maxOutboxId();
    const overdue: number[] = [];
    for (let i = 0; i < 25; i++) {
      const id = await newCase("2026-11-16T03:00:00.000Z", "2026-12-01");
      await assigned(id, staff.officer!);
      overdue.push(id);
    }
    const soonMine: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await newCase("2026-11-20T03:00:00.000Z", "2026-12-04");
      await assigned(id, staff.officer!);
      soonMine.push(id);
    }
    const soonOther: number[] = [];
    for (let i = 0; i < DIGEST_THRESHOLD - 1; i++) {
      const id = await newCase("2026-11-20T03:00:00.000Z", "2026-12-04");
      await assigned(id, staff.officer2!);
      soonOther.push(id);
    }

    const r = await tick("2026-12-02T03:00:00.000Z");
    expect(r.escalated.overdue).toBe(25);
    expect(r.escalated.due_soon).toBe(5 + soonOther.length);
    expect(r.notified).toEqual({ digests: 2, perCase: soonOther.length, claims: 25 + 5 + soonOther.length });

    // The supervisor: ONE e-mail for 25 overdue cases, naming the first 20 (oldest claim first) and linking the queue.
    const supDigest = await messages("escalation.overdue.digest", before);
    expect(supDigest).toHaveLength(1);
    expect(supDigest[0]!.to).toBe("supervisor@wangluek.go.th");
    expect(supDigest[0]!.complaint_id).toBeNull();
    expect(supDigest[0]!.subject).toContain("25 เรื่องเกินกำหนดแล้ว");
    expect(supDigest[0]!.subject).toContain("25 cases are overdue");
    const refs = await Promise.all(overdue.map(refOf));
    for (const ref of refs.slice(0, DIGEST_LIST)) expect(supDigest[0]!.text).toContain(ref);
    for (const ref of refs.slice(DIGEST_LIST)) expect(supDigest[0]!.text).not.toContain(ref);
    expect(supDigest[0]!.text).toContain("and 5 more");
    expect(supDigest[0]!.text).toContain("http://localhost:3999/staff?deadline=overdue");
    expect(await messages("escalation.overdue", before)).toHaveLength(0);

    // The officer: one due-soon digest about their own cases; officer2 (below the threshold): one e-mail per case.
    const mine = await messages("escalation.due_soon.digest", before);
    expect(mine.map((m) => m.to)).toEqual(["officer@wangluek.go.th"]);
    expect(mine[0]!.text).toContain("http://localhost:3999/staff?deadline=due_soon&assignee=me");
    expect(mine[0]!.subject).toContain("5 cases are due soon");
    const perCase = await messages("escalation.due_soon", before);
    expect(perCase.map((m) => m.to)).toEqual(soonOther.map(() => "officer2@wangluek.go.th"));
    expect(perCase.map((m) => m.complaint_id).sort()).toEqual([...soonOther].sort());
    for (const m of perCase) expect(m.dedupe_key).toMatch(new RegExp(`^esc:\\d+:${staff.officer2}$`));

    // Every case told exactly once, history and "explanation owed" as before.
    for (const id of overdue) {
      expect(await told(id, "overdue")).toBe(1);
      expect(await escalationNotes(id)).toEqual(["escalation: overdue"]);
      expect(
        (await db.selectFrom("complaints").select("explanation_owed").where("id", "=", id).executeTakeFirstOrThrow()).explanation_owed,
      ).toBe(1);
    }
    for (const id of [...soonMine, ...soonOther]) expect(await told(id, "due_soon")).toBe(1);

    // The next tick queues nothing more.
    const again = await tick("2026-12-02T04:00:00.000Z");
    expect(again.notified).toEqual({ digests: 0, perCase: 0, claims: 0 });
    expect(await maxOutboxId()).toBe(before + 4);
    // Resolved: they take no part in the rounds below.
    await db
      .updateTable("complaints")
      .set({ status: "resolved", closed_at: "2026-12-02T05:00:00.000Z" })
      .where("id", "in", [...overdue, ...soonMine, ...soonOther])
      .execute();
  });

  it("a tick stopped between batches leaves its claims owed; the next tick claims the rest and sends ONE digest for all", async () => {
    const before = await maxOutboxId();
    const ids: number[] = [];
    for (let i = 0; i < 250; i++) {
      const id = await newCase("2026-11-23T03:00:00.000Z", "2026-12-07");
      await assigned(id, staff.officer!);
      ids.push(id);
    }
    // Stopped (shutdown) after a couple of claim batches: what committed stays committed, nothing is e-mailed yet.
    await expect(runDeadlineTick(db, { now: new Date("2026-12-08T03:00:00.000Z"), signal: stopAfterChecks(2) })).rejects.toBeInstanceOf(
      BatchAborted,
    );
    const claimedFirst = Number(
      (
        await db
          .selectFrom("escalations")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("complaint_id", "in", ids)
          .where("level", "=", "overdue")
          .executeTakeFirst()
      )?.n,
    );
    expect(claimedFirst).toBeGreaterThan(0);
    expect(claimedFirst).toBeLessThan(250);
    expect(await maxOutboxId()).toBe(before);

    const r = await tick("2026-12-08T03:00:00.000Z");
    expect(r.escalated.overdue).toBe(250 - claimedFirst);
    const digests = await messages("escalation.overdue.digest", before);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.subject).toContain("250 cases are overdue");
    for (const id of ids) {
      expect(await told(id, "overdue")).toBe(1);
      expect(await escalationNotes(id)).toEqual(["escalation: overdue"]);
    }
  });

  it("two notifiers at once (two connections) queue the owed e-mails once", async () => {
    const second = openDatabase(path.join(dataDir, "sujarit.db"));
    try {
      const before = await maxOutboxId();
      const ids: number[] = [];
      for (let i = 0; i < 120; i++) {
        const id = await newCase("2026-11-30T03:00:00.000Z", "2026-12-14");
        await assigned(id, staff.officer!);
        ids.push(id);
      }
      await expect(runDeadlineTick(db, { now: new Date("2026-12-15T03:00:00.000Z"), signal: stopAfterChecks(1) })).rejects.toBeInstanceOf(
        BatchAborted,
      );
      const [a, b] = await Promise.all([notifyOwed(db), notifyOwed(second)]);
      expect(a.digests + b.digests).toBe(1);
      const afterRace = await messages("escalation.overdue.digest", before);
      expect(afterRace).toHaveLength(1);
      // The rest, in the next tick: a second digest names only the cases the first did not.
      await tick("2026-12-15T03:00:00.000Z");
      for (const id of ids) expect(await told(id, "overdue")).toBe(1);
      const all = await messages("escalation.overdue.digest", before);
      const counted = await db
        .selectFrom("escalation_digests")
        .select(["cases", "from_id", "through_id"])
        .where("level", "=", "overdue")
        .where("staff_id", "=", staff.supervisor!)
        .orderBy("id", "desc")
        .limit(all.length)
        .execute();
      expect(counted.reduce((n, d) => n + d.cases, 0)).toBe(120);
      // Ranges never overlap.
      const sorted = [...counted].sort((x, y) => x.from_id - y.from_id);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from_id).toBeGreaterThanOrEqual(sorted[i - 1]!.through_id);
    } finally {
      await second.destroy();
    }
  });
});
