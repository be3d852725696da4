/**
 * Two app servers on one PostgreSQL database (issue 15: "app servers share nothing but the database"), black-box:
 * a private PostgreSQL server (tests/helpers/postgres.ts), a real SMTP server (tests/helpers/smtp.ts) and two
 * production servers (build/server.js), each with a data folder of its own holding copies of the same keys
 * (MASTER_KEY in the environment; secrets.json, signing.key and report-secrets.json in keys/), FILE_STORE=database, a
 * short outbox interval and the deadline ticker in its worker thread.
 *
 * A stream of submissions goes to both servers, several at once: each form is fetched from one server and posted to
 * either, some are posted to both at once (a double submit across servers), some carry a photo. Then both servers are
 * replaced by two new ones (new data folders, the same keys) whose clock is 50 days ahead: their first ticks run at
 * about the same moment and every case is due at three rungs, while a second stream arrives. Checked afterwards:
 * - every acknowledged submission is in the database exactly once and can be tracked through either server;
 * - every outbox row was sent, and arrived at the SMTP server exactly once (by Message-ID); every complainant got one
 *   acknowledgement;
 * - every escalation was claimed once, recorded once in the case history, and told to each of its recipients exactly
 *   once (an e-mail about the case or a digest whose range holds the claim), with nothing owed and nothing stuck.
 * The same stream against ONE server on SQLite is the control.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { startServer, waitUntil, type TestServer } from "../helpers/server";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { makeSharedKeys } from "../helpers/shared-keys";
import { HttpClient, complaintFields, csrfOf, formData, makeJpeg, submissionKeyOf } from "../helpers/http";

// The keys both servers share, made once in a folder of their own (the app's own code creates them).
const keys = await makeSharedKeys("sujarit-two");
const MASTER_KEY = keys.MASTER_KEY;
const { openDatabase, openPostgresDatabase } = await import("../../db/connection");
type DB = import("../../db/connection").DB;

const DAY_MS = 24 * 3600 * 1000;
/** Far enough ahead that every case of the first stream is overdue, 7 days more (executive) and unassigned. */
const LATER_MS = 50 * DAY_MS;
/** Submissions per stream: the first (before the clock moves) and the second (while the new servers tick). */
const FIRST = 64;
const SECOND = 16;

let pg: TestPostgres | null = null;
let smtp: TestSmtp;
const running = new Set<TestServer>();
const opened: DB[] = [];
const folders: string[] = [];

beforeAll(async () => {
  [pg, smtp] = await Promise.all([startPostgres(), startSmtp()]);
});

afterAll(async () => {
  for (const s of running) await s.stop().catch(() => undefined);
  for (const db of opened) await db.destroy().catch(() => undefined);
  await smtp?.stop();
  await pg?.stop();
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
  keys.removeAll();
});

/** Starts a server on `databaseUrl` with a fresh data folder and the shared keys; stop() removes the folder. */
async function start(databaseUrl: string, clockOffsetMs: number): Promise<TestServer> {
  const server = await startServer({
    dataDir: keys.dataFolder(),
    env: {
      DATABASE_URL: databaseUrl,
      MASTER_KEY,
      SMTP_URL: smtp.url,
      FILE_STORE: "database",
      OUTBOX_INTERVAL_MS: "150",
      OUTBOX_BACKOFF_BASE_MS: "500",
      TRUSTED_PROXIES: "127.0.0.1",
      CLOCK_OFFSET_MS: String(clockOffsetMs),
    },
  });
  running.add(server);
  return server;
}

/** The logs of every server stopped so far. */
const stoppedLogs: string[] = [];

async function stop(server: TestServer): Promise<void> {
  await server.stop();
  running.delete(server);
  stoppedLogs.push(server.logs());
}

/** What one server's log says it did: e-mails sent, escalations claimed by its ticks. */
function workOf(log: string): { emails: number; claims: number } {
  let claims = 0;
  for (const line of log.split("\n")) {
    if (!line.includes('"msg":"deadline tick"')) continue;
    const t = JSON.parse(line) as Record<string, unknown>;
    for (const level of ["due_soon", "overdue", "overdue_executive", "unassigned"]) claims += Number(t[level] ?? 0);
  }
  return { emails: log.split('"msg":"email sent"').length - 1, claims };
}

interface Filed {
  n: number;
  reference: string;
  trackingCode: string;
  email: string;
  /** Posted to both servers at once. */
  twice: boolean;
  photo: boolean;
}

/**
 * Files submission `n`: the form from one server, the post to the other one for odd `n` (to both at once every 8th),
 * the confirmation page from the server that took the post. Each submission is a client of its own (address).
 */
async function submit(servers: TestServer[], n: number, tag: string): Promise<Filed> {
  const ip = `10.${tag.length}.${n >> 8}.${n & 255}`;
  const formServer = servers[n % servers.length]!;
  const postServer = servers[(n + (n % 2)) % servers.length]!;
  const from = new HttpClient(formServer.url, { ip });
  const page = await from.get("/complaints/new");
  expect(page.status).toBe(200);
  const email = `c${n}-${tag}@example.th`;
  const photo = n % 10 === 3;
  const form = formData(
    {
      csrf: csrfOf(page),
      submissionKey: submissionKeyOf(page),
      ...complaintFields({ contactEmail: email, subject: `ไฟถนนดับ ${tag} ${n}` }),
    },
    photo ? [{ filename: `p${n}.jpg`, type: "image/jpeg", data: await makeJpeg(n) }] : [],
  );
  const to = new HttpClient(postServer.url, { ip });
  for (const [k, v] of from.cookies) to.cookies.set(k, v);
  const twice = n % 8 === 5;
  const others = twice ? servers.filter((s) => s !== postServer) : [];
  const posts = await Promise.all([
    to.postMultipart("/complaints/new", form),
    ...others.map((s) => {
      const c = new HttpClient(s.url, { ip });
      for (const [k, v] of from.cookies) c.cookies.set(k, v);
      return c.postMultipart("/complaints/new", form);
    }),
  ]);
  for (const p of posts) expect(p.status, p.$.text().slice(0, 300)).toBe(302);
  const done = await to.get("/complaints/done");
  const reference = done.$.testId("reference");
  const trackingCode = done.$.testId("tracking-code");
  expect(reference, done.$.text().slice(0, 300)).toBeTruthy();
  expect(trackingCode).toBeTruthy();
  return { n, reference: reference!, trackingCode: trackingCode!, email, twice, photo };
}

/** Submissions `from`…`to - 1`, eight at a time, spread over the servers. */
async function stream(servers: TestServer[], from: number, to: number, tag: string): Promise<Filed[]> {
  const filed: Filed[] = [];
  for (let i = from; i < to; i += 8) {
    const batch = [];
    for (let n = i; n < Math.min(to, i + 8); n++) batch.push(submit(servers, n, tag));
    filed.push(...(await Promise.all(batch)));
  }
  return filed;
}

/** Tracks a case through `server` (a client of its own); returns the status shown. */
async function track(server: TestServer, f: Filed): Promise<string | null> {
  const c = new HttpClient(server.url, { ip: `10.99.${f.n >> 8}.${f.n & 255}` });
  const page = await c.get("/track");
  expect(page.status).toBe(200);
  const res = await c.postForm("/track", { csrf: csrfOf(page), reference: f.reference, code: f.trackingCode });
  expect(res.status).toBe(200);
  return res.$.testIdAttr("case-status", "data-status");
}

/** Staff who receive escalations: one supervisor, one executive, one centre lead. */
async function addEscalationStaff(
  db: DB,
  tag: string,
): Promise<Record<"supervisor" | "executive" | "lead", { id: number; email: string }>> {
  const add = async (key: string, role: "supervisor" | "executive" | "intake", lead: number) => {
    const email = `${key}-${tag}@wangluek.go.th`;
    const row = await db
      .insertInto("staff")
      .values({
        email,
        name: key,
        role,
        division_id: null,
        password_hash: "x",
        active: 1,
        locked_until: null,
        last_login_at: null,
        created_at: new Date().toISOString(),
        is_division_head: 0,
        is_centre_lead: lead,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id: row.id, email };
  };
  const staff = {
    supervisor: await add("supervisor", "supervisor", 0),
    executive: await add("executive", "executive", 0),
    lead: await add("lead", "intake", 1),
  };
  await db.updateTable("escalation_rules").set({ enabled: 1 }).execute();
  return staff;
}

/** The outbox id in a Message-ID (<outbox-<id>.<suffix>@host>). */
function outboxIdOf(messageId: string): number {
  const m = /outbox-(\d+)\./.exec(messageId);
  expect(m, messageId).toBeTruthy();
  return Number(m![1]);
}

/**
 * The whole scenario on `databaseUrl` with `count` servers at a time; `open` opens the test's own connection to the
 * same database (once the first server has created it). Returns what it counted.
 */
async function scenario(open: () => DB, databaseUrl: string, count: number, tag: string) {
  const mailsBefore = smtp.messages.length;
  const logsBefore = stoppedLogs.length;
  let servers: TestServer[] = [];
  // The first server migrates and seeds; the others start on the ready database.
  servers.push(await start(databaseUrl, 0));
  const db = open();
  opened.push(db);
  const staff = await addEscalationStaff(db, tag);
  for (let i = 1; i < count; i++) servers.push(await start(databaseUrl, 0));

  const first = await stream(servers, 0, FIRST, tag);

  // The clock moves: all servers are replaced at once by new ones (new data folders, same keys) 50 days ahead. Their
  // first ticks (about 1 s after start) run at about the same moment, while the second stream arrives.
  await Promise.all(servers.map((s) => stop(s)));
  servers = await Promise.all(Array.from({ length: count }, () => start(databaseUrl, LATER_MS)));
  const second = await stream(servers, FIRST, FIRST + SECOND, tag);
  const filed = [...first, ...second];

  // Every case of the first stream escalates at three rungs; wait for the claims, their e-mails and the outbox.
  const expectedClaims = FIRST * 3;
  await waitUntil(
    async () => {
      const n = await db
        .selectFrom("escalations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(n.n) >= expectedClaims;
    },
    "the escalations",
    30_000,
  );
  await waitUntil(
    async () => {
      const mark = await db.selectFrom("escalation_notify_state").select("notified_through").where("id", "=", 1).executeTakeFirstOrThrow();
      const top = await db
        .selectFrom("escalations")
        .select((eb) => eb.fn.max("id").as("m"))
        .executeTakeFirstOrThrow();
      const open = await db.selectFrom("outbox").select("id").where("status", "!=", "sent").execute();
      return mark.notified_through === Number(top.m) && open.length === 0;
    },
    "every escalation told and every e-mail sent",
    30_000,
  );
  // A little longer: a duplicate would arrive now, if at all.
  await new Promise((r) => setTimeout(r, 1500));

  // ---- submissions: in the database exactly once, trackable through every server ----
  const complaints = await db
    .selectFrom("complaints")
    .select(["id", "reference", "contact_email"])
    .where("subject", "like", `%${tag}%`)
    .execute();
  expect(complaints.length).toBe(filed.length);
  expect(new Set(complaints.map((c) => c.reference))).toEqual(new Set(filed.map((f) => f.reference)));
  expect(filed.filter((f) => f.twice).length).toBeGreaterThan(0);
  for (const [i, f] of filed.entries()) {
    // Alternating, so that each server tracks cases the other one filed.
    expect(await track(servers[i % servers.length]!, f), f.reference).toBe("received");
  }
  for (const f of filed.slice(0, 8)) for (const s of servers) expect(await track(s, f)).toBe("received");
  const photos = await db
    .selectFrom("attachments")
    .innerJoin("complaints", "complaints.id", "attachments.complaint_id")
    .select("complaints.reference")
    .where("complaints.subject", "like", `%${tag}%`)
    .execute();
  expect(new Set(photos.map((p) => p.reference))).toEqual(new Set(filed.filter((f) => f.photo).map((f) => f.reference)));
  expect(photos.length).toBe(filed.filter((f) => f.photo).length);

  // ---- escalations: each claimed and recorded once ----
  const firstIds = new Set(complaints.filter((c) => first.some((f) => f.reference === c.reference)).map((c) => c.id));
  const esc = await db.selectFrom("escalations").select(["id", "complaint_id", "level", "notify_key"]).execute();
  expect(esc.length).toBe(expectedClaims);
  for (const id of firstIds) {
    expect(
      esc
        .filter((e) => e.complaint_id === id)
        .map((e) => e.level)
        .sort(),
    ).toEqual(["overdue", "overdue_executive", "unassigned"]);
  }
  const history = await db.selectFrom("case_events").select("complaint_id").where("note", "like", "escalation:%").execute();
  expect(history.length).toBe(esc.length);

  // ---- e-mails: every outbox row sent, each arrived exactly once ----
  const outbox = await db.selectFrom("outbox").select(["id", "kind", "status", "dedupe_key"]).execute();
  expect(outbox.every((o) => o.status === "sent")).toBe(true);
  const mails = smtp.messages.slice(mailsBefore);
  const byOutboxId = new Map<number, number>();
  for (const m of mails) byOutboxId.set(outboxIdOf(m.messageId), (byOutboxId.get(outboxIdOf(m.messageId)) ?? 0) + 1);
  expect([...byOutboxId.keys()].sort((a, b) => a - b)).toEqual(outbox.map((o) => o.id).sort((a, b) => a - b));
  expect([...byOutboxId.values()].every((n) => n === 1)).toBe(true);
  expect(mails.length).toBe(outbox.length);
  // One acknowledgement per complainant (the double submits included), naming their case.
  for (const f of filed) {
    const got = mails.filter((m) => m.rcptTo.includes(f.email));
    expect(got.length, f.email).toBe(1);
    expect(`${got[0]!.subject}\n${got[0]!.text}`).toContain(f.reference);
  }
  // Every recipient of every claim told exactly once: an e-mail about the case, or a digest whose range holds it.
  const digests = await db.selectFrom("escalation_digests").select(["level", "staff_id", "from_id", "through_id"]).execute();
  const recipients: Record<string, number> = {
    supervisors: staff.supervisor.id,
    executives: staff.executive.id,
    centre_leads: staff.lead.id,
  };
  const perCase = new Set(outbox.map((o) => o.dedupe_key).filter((k): k is string => k?.startsWith("esc:") ?? false));
  for (const e of esc) {
    const who = recipients[e.notify_key ?? ""];
    expect(who, `claim ${e.id}: ${e.notify_key}`).toBeDefined();
    const byMail = perCase.has(`esc:${e.id}:${who}`) ? 1 : 0;
    const byDigest = digests.filter((d) => d.level === e.level && d.staff_id === who && d.from_id < e.id && d.through_id >= e.id).length;
    expect(byMail + byDigest, `claim ${e.id} (${e.level})`).toBe(1);
  }
  const staffMails = mails.filter((m) => Object.values(staff).some((s) => m.rcptTo.includes(s.email)));
  expect(staffMails.length).toBe(outbox.filter((o) => o.kind.startsWith("escalation.")).length);
  expect(staffMails.length).toBeGreaterThan(0);

  // Nothing left behind: no claimed outbox row, the dirty list read, the tick's mark moved to the new clock.
  const state = await db.selectFrom("deadline_tick_state").select("last_tick_at").where("id", "=", 1).executeTakeFirstOrThrow();
  expect(Date.parse(state.last_tick_at)).toBeGreaterThan(Date.now() + LATER_MS - 120_000);
  for (const s of servers) await stop(s);
  const logs = stoppedLogs.slice(logsBefore);
  expect(logs.join("\n")).not.toMatch(/"level":"error"/);
  // What each server did (its ticks' claims and the e-mails it sent) adds up to the whole, nothing more.
  const work = logs.map(workOf);
  expect(work.reduce((a, w) => a + w.emails, 0)).toBe(outbox.length);
  expect(work.reduce((a, w) => a + w.claims, 0)).toBe(esc.length);
  return { complaints: complaints.length, claims: esc.length, mails: mails.length, work };
}

describe("two app servers on one PostgreSQL database", () => {
  it("lose nothing and send nothing twice under a stream of submissions, ticks and e-mails", async () => {
    const started = Date.now();
    const url = await pg!.createDatabase("portal");
    const r = await scenario(() => openPostgresDatabase(url, { max: 2 }), url, 2, "pg");
    expect(r).toMatchObject({ complaints: FIRST + SECOND, claims: FIRST * 3 });
    // Both servers of each pair sent e-mails: the outbox really was shared between them.
    expect(r.work.filter((w) => w.emails > 0).length).toBeGreaterThanOrEqual(3);
    console.log(`two servers on PostgreSQL: ${JSON.stringify(r)} in ${Date.now() - started} ms`);
  }, 150_000);

  it("control: the same stream against one server on SQLite", async () => {
    const started = Date.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-two-sqlite-"));
    folders.push(dir);
    // Outside the servers' data folders, which are replaced when the clock moves.
    const file = path.join(dir, "sujarit.db");
    const r = await scenario(() => openDatabase(file), file, 1, "sqlite");
    expect(r).toMatchObject({ complaints: FIRST + SECOND, claims: FIRST * 3 });
    console.log(`one server on SQLite: ${JSON.stringify(r)} in ${Date.now() - started} ms`);
  }, 150_000);
});
