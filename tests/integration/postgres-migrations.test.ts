/**
 * PostgreSQL support (issue 15), against a private real PostgreSQL server (tests/helpers/postgres.ts) and, for
 * comparison, a fresh SQLite file:
 * - the migrations build the same tables, columns, indexes and triggers on PostgreSQL as on SQLite;
 * - every reversible migration goes down and up again on PostgreSQL (2026-12-03T0800_recipient_keys refuses to go down
 *   on both databases, so the full chain is checked from a database stopped just before it);
 * - the central path of the portal works on PostgreSQL as on SQLite: seed the organisation, file a complaint, find it
 *   by reference and tracking code, list it in the staff queue, and keep and verify the audit chain;
 * - the statistics triggers keep the same summaries as SQLite's;
 * - the production server (build/server.js, like the other integration tests) starts on DATABASE_URL=postgres://…,
 *   migrates, seeds and serves its public pages.
 * Missing PostgreSQL binaries fail this file (they are never a reason to skip it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Migrator, NO_MIGRATIONS, sql, type Kysely, type RawBuilder } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { startServer, type TestServer } from "../helpers/server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-pg-model-"));
process.env.DATA_DIR = dataDir;
process.env.PUBLIC_URL = "http://localhost:3999";
process.env.MASTER_KEY = crypto.randomBytes(32).toString("base64");
delete process.env.DATABASE_URL;

// App modules read DATA_DIR when first used, so they are imported after it is set.
const { migrateToLatest, openDatabase, openConfiguredDatabase, openPostgresDatabase, dialectOf } = await import("../../db/connection");
const { migrations } = await import("../../db/migrations");
const { seedHolidays, seedOrganisation } = await import("../../db/seed");
const { rebuildStatistics } = await import("../../db/statistics");
const { parseEnv } = await import("~/utils/env.server");
const filing = await import("~/models/complaints/filing.server");
const queue = await import("~/models/complaints/queue.server");
const audit = await import("~/models/audit/audit.server");
const { casePolicies } = await import("~/models/deadlines/policy.server");

type DB = import("../../db/connection").DB;

let server: TestPostgres | null = null;
const opened: Kysely<any>[] = [];
let sqlite: DB;

function track<T extends Kysely<any>>(db: T): T {
  opened.push(db);
  return db;
}

/** A fresh, empty PostgreSQL database opened the way the portal opens it (DATABASE_URL=postgres://…). */
async function freshPostgres(name: string): Promise<DB> {
  const url = await server!.createDatabase(name);
  const env = parseEnv({ DATABASE_URL: url, DATA_DIR: dataDir });
  expect(env.DATABASE_DIALECT).toBe("postgres");
  const db = track(openConfiguredDatabase(env));
  expect(dialectOf(db).name).toBe("postgres");
  return db;
}

beforeAll(async () => {
  server = await startPostgres();
  sqlite = track(openDatabase(path.join(dataDir, "sujarit.db")));
  await migrateToLatest(sqlite);
});

afterAll(async () => {
  for (const db of opened) await db.destroy().catch(() => undefined);
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Column {
  name: string;
  type: string;
  notNull: boolean;
}

/** The portal's tables on SQLite: name → columns (FTS5's own tables, SQLite's and Kysely's internal ones left out). */
async function sqliteTables(db: DB): Promise<Map<string, Column[]>> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'
    and name not like 'sqlite_%' and name not like 'complaints_fts%' and name not like 'kysely_%' order by name`.execute(db);
  const out = new Map<string, Column[]>();
  for (const { name } of tables.rows) {
    const cols = await sql<{ name: string; type: string; notnull: number; pk: number }>`select name, type, "notnull", pk
      from pragma_table_info(${name})`.execute(db);
    out.set(
      name,
      cols.rows
        // A primary key column is never null on PostgreSQL; SQLite's pragma reports only what was declared.
        .map((c) => ({ name: c.name, type: c.type.toLowerCase(), notNull: c.notnull === 1 || c.pk > 0 }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return out;
}

/** The same on PostgreSQL, with its types named as the migrations name them for SQLite. */
async function postgresTables(db: DB): Promise<Map<string, Column[]>> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = 'public' and table_name not like 'kysely_%' order by table_name, column_name`.execute(db);
  const asSqlite: Record<string, string> = { integer: "integer", text: "text", "double precision": "real", bytea: "blob" };
  const out = new Map<string, Column[]>();
  for (const r of rows.rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: asSqlite[r.data_type] ?? r.data_type, notNull: r.is_nullable === "NO" });
    out.set(r.table_name, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

/** Indexes the migrations create by name (not those SQLite or PostgreSQL make for keys and unique columns). */
async function sqliteIndexes(db: DB): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and sql is not null order by name`.execute(db);
  return r.rows.map((x) => x.name);
}
async function postgresIndexes(db: DB): Promise<string[]> {
  const r = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = 'public' order by indexname`.execute(db);
  return r.rows.map((x) => x.indexname);
}
async function sqliteTriggers(db: DB): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' order by name`.execute(db);
  return r.rows.map((x) => x.name);
}
async function postgresTriggers(db: DB): Promise<string[]> {
  const r = await sql<{ tgname: string }>`select tgname from pg_trigger where not tgisinternal order by tgname`.execute(db);
  return r.rows.map((x) => x.tgname);
}

/** Checks that PostgreSQL has every table, column (type, not null), index and trigger SQLite has. */
async function expectSameSchema(pg: DB): Promise<void> {
  const lite = await sqliteTables(sqlite);
  const post = await postgresTables(pg);
  expect(lite.size).toBeGreaterThan(40);
  // PostgreSQL's only extra table: the id marks of append-only tables (SQLite's sqlite_sequence does that job).
  expect([...post.keys()].filter((t) => !lite.has(t)).sort()).toEqual(["id_marks"]);
  for (const [table, columns] of lite) {
    expect({ table, columns: post.get(table) }).toEqual({ table, columns });
  }
  // Same named indexes; PostgreSQL adds one index per primary key / unique constraint, and its trigram index
  // replaces SQLite's FTS5 table.
  const postIndexes = new Set(await postgresIndexes(pg));
  expect((await sqliteIndexes(sqlite)).filter((i) => !postIndexes.has(i))).toEqual([]);
  expect(postIndexes.has("complaints_search")).toBe(true);
  // Same triggers, except SQLite's FTS5 upkeep (PostgreSQL's index keeps itself) and PostgreSQL's own additions.
  const postTriggers = new Set(await postgresTriggers(pg));
  const liteTriggers = (await sqliteTriggers(sqlite)).filter((t) => !t.startsWith("complaints_fts_"));
  expect(liteTriggers.length).toBeGreaterThan(20);
  expect(liteTriggers.filter((t) => !postTriggers.has(t))).toEqual([]);
  expect([...postTriggers].filter((t) => !liteTriggers.includes(t)).sort()).toEqual(["audit_log_id_mark", "audit_log_no_truncate"]);
}

function migratorFor(db: DB) {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

describe("migrations on PostgreSQL", () => {
  it("build the same schema as on SQLite", async () => {
    const pg = await freshPostgres("schema_check");
    const result = await migrateToLatest(pg);
    expect(result.results?.map((r) => r.status)).toEqual(Object.keys(migrations).map(() => "Success"));
    await expectSameSchema(pg);
  });

  it("go down and up again (down stops at the irreversible recipient_keys migration, as on SQLite)", async () => {
    const names = Object.keys(migrations);
    const irreversible = "2026-12-03T0800_recipient_keys";
    const pg = await freshPostgres("down_up");
    await migrateToLatest(pg);
    // Down from the latest: every migration after recipient_keys reverts; recipient_keys refuses (nothing changes).
    const down = await migratorFor(pg).migrateTo(NO_MIGRATIONS);
    expect(String(down.error)).toMatch(/recipient_keys cannot be reverted/);
    // PostgreSQL runs a batch of migrations in one transaction: the refusal left every migration applied.
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(pg);
    expect(applied.rows.map((r) => r.name)).toEqual(names);
    // One step at a time instead: every migration after recipient_keys goes down, then it refuses.
    for (let i = names.length - 1; names[i] !== irreversible; i--) {
      const r = await migratorFor(pg).migrateDown();
      expect({ name: names[i], error: r.error }).toEqual({ name: names[i], error: undefined });
    }
    expect(String((await migratorFor(pg).migrateDown()).error)).toMatch(/cannot be reverted/);
    await migrateToLatest(pg);
    await expectSameSchema(pg);

    // The migrations before recipient_keys, from a database stopped just before it: down to nothing, up to the latest.
    const early = await freshPostgres("down_to_zero");
    const before = names[names.indexOf(irreversible) - 1]!;
    expect((await migratorFor(early).migrateTo(before)).error).toBeUndefined();
    const toZero = await migratorFor(early).migrateTo(NO_MIGRATIONS);
    expect(toZero.error).toBeUndefined();
    expect(toZero.results?.length).toBe(names.indexOf(irreversible));
    const left = await sql<{ n: number }>`select count(*) as n from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(early);
    expect(left.rows[0]!.n).toBe(0);
    await migrateToLatest(early);
    await expectSameSchema(early);
  });
});

interface SmokeResult {
  reference: string;
  duplicate: boolean;
  tracked: boolean;
  wrongCodeFound: boolean;
  timeline: string[];
  queueRow: Record<string, unknown>;
  officerQueue: string[];
  otherDivisionQueue: string[];
  statsAll: { received: number; closed: number } | undefined;
  dirty: number;
  outbox: number;
  audit: unknown;
}

/** The central path, on one database; returns what the same path must give on both. */
async function smoke(db: DB): Promise<SmokeResult> {
  expect(await seedOrganisation(db)).toBe(true);
  expect(await seedHolidays(db)).toBeGreaterThan(50);
  const submissionKey = crypto.randomBytes(32).toString("base64url");
  const input = {
    category: "road",
    subject: "ถนนเป็นหลุมหน้าวัด",
    details: "หลุมลึกมาก รถจักรยานยนต์ล้มแล้วสองคัน",
    village: 3,
    landmark: "หน้าวัด",
    latitude: 14.7636123,
    longitude: 100.1905456,
    contactName: "สมชาย ใจดี",
    contactPhone: undefined,
    contactEmail: "somchai@example.org",
    contactAddress: undefined,
    preferredContact: "email" as const,
    channel: "web" as const,
    lang: "th" as const,
    submissionKey,
    recordedBy: null,
    uploadIds: [] as string[],
  };
  const created = await filing.createComplaint(db, input);
  const again = await filing.createComplaint(db, input);
  expect(again.reference).toBe(created.reference);
  expect(again.trackingCode).toBe(created.trackingCode);

  const found = await filing.findCaseForTracking(db, created.reference, created.trackingCode);
  const wrong = await filing.findCaseForTracking(db, created.reference, "0000-0000-0000");
  const timeline = found ? await filing.publicTimeline(db, found.id) : [];
  const exact = await db.selectFrom("complaints").select(["latitude", "longitude"]).where("id", "=", created.id).executeTakeFirstOrThrow();
  expect(exact).toEqual({ latitude: 14.7636123, longitude: 100.1905456 });

  const policies = await casePolicies(db);
  const now = new Date();
  const works = await db.selectFrom("divisions").select("id").where("code", "=", "works").executeTakeFirstOrThrow();
  const health = await db.selectFrom("divisions").select("id").where("code", "=", "health").executeTakeFirstOrThrow();
  const list = (actor: { id: number; role: "admin" | "officer"; division_id: number | null }, filters = {}) =>
    queue.listQueue(db, { actor, filters, now, policy: policies.org, policyFor: policies.of });
  const all = await list({ id: 1, role: "admin", division_id: null });
  const officer = await list({ id: 2, role: "officer", division_id: works.id });
  const other = await list({ id: 3, role: "officer", division_id: health.id });
  const byStatus = await list({ id: 1, role: "admin", division_id: null }, { status: "received" });
  expect(byStatus.rows.map((r) => r.reference)).toEqual([created.reference]);
  expect(all.rows).toHaveLength(1);
  const row = all.rows[0]!;

  const stats = await db
    .selectFrom("complaint_stats")
    .select(["received", "closed"])
    .where("dim", "=", "all")
    .where("fiscal_year", "=", found!.fiscal_year)
    .executeTakeFirst();
  const dirty = await db
    .selectFrom("deadline_dirty")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const outbox = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();

  for (let i = 0; i < 3; i++) {
    await audit.appendAudit(db, { actorId: 1, actorRole: "admin", action: "settings.update", targetType: "settings", targetId: i });
  }
  const verified = await audit.verifyAuditChain(db, { batch: 2 });

  return {
    reference: created.reference.replace(/\d+$/, "N"),
    duplicate: again.duplicate,
    tracked: found?.id === created.id,
    wrongCodeFound: wrong !== null,
    timeline: timeline.map((t) => t.kind),
    // Every field of the queue row with its JS type: numbers must stay numbers, nulls nulls.
    queueRow: Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, k === "id" || k.endsWith("_at") || k === "reference" || k === "deadline" ? typeof v : v]),
    ),
    officerQueue: officer.rows.map((r) => r.reference.replace(/\d+$/, "N")),
    otherDivisionQueue: other.rows.map((r) => r.reference),
    statsAll: stats,
    dirty: dirty.n,
    outbox: outbox.n,
    audit: verified,
  };
}

describe("the central path on PostgreSQL", () => {
  it("files, tracks, queues and audits exactly as on SQLite", async () => {
    const pg = await freshPostgres("smoke");
    await migrateToLatest(pg);
    const onPostgres = await smoke(pg);
    const onSqlite = await smoke(sqlite);
    expect(onPostgres).toEqual(onSqlite);
    expect(onPostgres).toMatchObject({
      duplicate: true,
      tracked: true,
      wrongCodeFound: false,
      timeline: ["created"],
      officerQueue: [onPostgres.reference],
      otherDivisionQueue: [],
      statsAll: { received: 1, closed: 0 },
      dirty: 1,
      outbox: 1,
      audit: { ok: true, checked: 3 },
    });
    expect(onPostgres.queueRow).toMatchObject({ id: "number", status: "received", channel: "web", category_code: "road" });

    // The audit log is append-only on PostgreSQL too, and removing its newest entry shows.
    await expect(sql`update audit_log set action = 'x' where id = 1`.execute(pg)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where id = 3`.execute(pg)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(pg)).rejects.toThrow(/append-only/);
    await sql`alter table audit_log disable trigger audit_log_no_delete`.execute(pg);
    await sql`delete from audit_log where id = 3`.execute(pg);
    await sql`alter table audit_log enable trigger audit_log_no_delete`.execute(pg);
    expect(await audit.verifyAuditChain(pg)).toEqual({ ok: false, checked: 2, firstBadId: 3, reason: "truncated" });
    // A new entry continues after the removed one (the mark survives), so the gap stays visible.
    const next = await audit.appendAudit(pg, {
      actorId: 1,
      actorRole: "admin",
      action: "settings.update",
      targetType: "settings",
      targetId: 9,
    });
    expect(next.id).toBe(4);
  });

  it("appends audit entries from concurrent transactions as one chain", async () => {
    const pg = await freshPostgres("audit_concurrency");
    await migrateToLatest(pg);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        audit.appendAudit(pg, { actorId: null, actorRole: null, action: "settings.update", targetType: "settings", targetId: i }),
      ),
    );
    expect(await audit.verifyAuditChain(pg)).toEqual({ ok: true, checked: 8 });
  });
});

/** Every row of the statistics summary tables, in key order. */
async function summaries(db: DB): Promise<Record<string, unknown[]>> {
  const dump = async (table: string, order: string) =>
    (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.raw(order)}`.execute(db)).rows;
  return {
    complaint_stats: await dump("complaint_stats", "fiscal_year, dim, key, day"),
    complaint_resolve_days: await dump("complaint_resolve_days", "fiscal_year, month, days"),
    report_stats: await dump("report_stats", "fiscal_year, day"),
    topic_stats: await dump("topic_stats", "fiscal_year, source, topic, day"),
    rating_stats: await dump("rating_stats", "fiscal_year, source, day, score"),
  };
}

/**
 * The same changes on one database: complaints received on both sides of a Bangkok midnight and of a fiscal year,
 * closed, reclassified, rated and re-rated, topics added and removed, a report concluded. Returns every summary row.
 */
async function statisticsScenario(db: DB): Promise<Record<string, unknown[]>> {
  await seedOrganisation(db);
  const cat = await db.selectFrom("categories").select(["id", "division_id"]).orderBy("id").execute();
  const village = await db.selectFrom("villages").select("id").orderBy("id").executeTakeFirstOrThrow();
  const insertCase = async (n: number, receivedAt: string, fiscalYear: number) =>
    (
      await db
        .insertInto("complaints")
        .values({
          reference: `S${n}`,
          fiscal_year: fiscalYear,
          seq: n,
          submission_key_hash: null,
          tracking_hash: "0".repeat(64),
          channel: n === 2 ? "phone" : "web",
          category_id: cat[n % cat.length]!.id,
          subject: `case ${n}`,
          details: "details",
          village_id: n === 1 ? village.id : null,
          landmark: "",
          latitude: null,
          longitude: null,
          contact_name: "",
          contact_phone: "",
          contact_email: "",
          contact_address: "",
          preferred_contact: "none",
          lang: "th",
          result_summary: "",
          forwarded_to: "",
          status: "received",
          division_id: cat[n % cat.length]!.division_id,
          assignee_id: null,
          received_at: receivedAt,
          due_at: "2026-12-31T10:00:00.000Z",
          accepted_at: null,
          closed_at: null,
          recorded_by: null,
          created_at: receivedAt,
          updated_at: receivedAt,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  // 17:30 UTC on 30 September is 00:30 on 1 October in Bangkok: fiscal year 2570. 16:59:59 is still 2569.
  const a = await insertCase(1, "2026-09-30T17:30:00.000Z", 2570);
  const b = await insertCase(2, "2026-09-30T16:59:59.000Z", 2569);
  const c = await insertCase(3, "2026-12-01T03:00:00.000Z", 2570);
  await db
    .updateTable("complaints")
    .set({ status: "resolved", closed_at: "2026-10-05T18:00:00.000Z", sla_outcome: "resolved", ack_outcome: "on_time" })
    .where("id", "=", a)
    .execute();
  await db
    .updateTable("complaints")
    .set({ status: "forwarded", closed_at: "2026-10-20T02:00:00.000Z", sla_outcome: "late", ack_outcome: "late" })
    .where("id", "=", b)
    .execute();
  await db
    .updateTable("complaints")
    .set({ status: "in_progress", division_id: null, village_id: village.id })
    .where("id", "=", c)
    .execute();
  // Not a watched change: no trigger work.
  await db.updateTable("complaints").set({ subject: "renamed" }).where("id", "=", c).execute();

  await db
    .insertInto("complaint_topics")
    .values([
      { complaint_id: a, topic: "bribery" },
      { complaint_id: c, topic: "procurement" },
    ])
    .execute();
  await db.deleteFrom("complaint_topics").where("complaint_id", "=", c).execute();

  await db
    .insertInto("case_ratings")
    .values({ complaint_id: a, score: 4, comment: "", created_at: "2026-10-06T18:00:00.000Z", updated_at: "2026-10-06T18:00:00.000Z" })
    .execute();
  await db.updateTable("case_ratings").set({ score: 5 }).where("complaint_id", "=", a).execute();
  await db
    .insertInto("case_ratings")
    .values({ complaint_id: b, score: 2, comment: "", created_at: "2026-10-21T01:00:00.000Z", updated_at: "2026-10-21T01:00:00.000Z" })
    .execute();
  await db.deleteFrom("case_ratings").where("complaint_id", "=", b).execute();
  await db
    .insertInto("counter_feedback")
    .values([
      { service: "counter", score: 3, comment: "", fiscal_year: 2570, created_at: "2026-10-01T23:00:00.000Z" },
      { service: "counter", score: 1, comment: "", fiscal_year: 2570, created_at: "2026-10-02T00:00:00.000Z" },
    ])
    .execute();
  await db.deleteFrom("counter_feedback").where("score", "=", 1).execute();

  const report = await db
    .insertInto("reports")
    .values({
      public_id: "R2570-0001",
      receipt_hash: "r".repeat(64),
      submission_key_hash: null,
      status: "received",
      finding: null,
      referred_to: null,
      wrapped_key: "",
      envelope: "",
      submission_digest: "d".repeat(64),
      received_at: "2026-10-03",
      fiscal_year: 2570,
      seq: 1,
      ack_due_at: "2026-10-10",
      last_feedback_at: null,
      closed_at: null,
      purged_at: null,
      created_at: "2026-10-03",
      updated_at: "2026-10-03",
      reporter_pub: null,
      reporter_enc: null,
      reporter_wrapped: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db.insertInto("report_tags").values({ report_id: report.id, tag: "procurement" }).execute();
  await db.updateTable("reports").set({ status: "concluded", finding: "substantiated" }).where("id", "=", report.id).execute();

  const version = await db.selectFrom("stats_version").select("v").executeTakeFirstOrThrow();
  const dirty = await db.selectFrom("deadline_dirty").select("complaint_id").orderBy("id").execute();
  return { ...(await summaries(db)), stats_version: [version.v], deadline_dirty: dirty.map((r) => r.complaint_id) };
}

/** Summary rows that count something (the triggers leave zero rows behind; a rebuild does not). */
function counting(rows: Record<string, unknown[]>): Record<string, unknown[]> {
  const keys = new Set(["fiscal_year", "dim", "key", "day", "month", "days", "source", "topic", "score"]);
  return Object.fromEntries(
    ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"].map((t) => [
      t,
      rows[t]!.filter((r) => Object.entries(r as Record<string, unknown>).some(([k, v]) => !keys.has(k) && v !== 0)),
    ]),
  );
}

describe("the dialect's query helpers", () => {
  it("answer the same on both databases", async () => {
    const pg = await freshPostgres("helpers");
    const answers = async (db: DB) => {
      const d = dialectOf(db);
      const one = async (condition: RawBuilder<unknown>) =>
        Number((await sql<{ n: number }>`select count(*) as n from (select 1 as x) as one where ${condition}`.execute(db)).rows[0]!.n);
      const like = (text: string, pattern: string) => one(d.likeInsensitive(sql`cast(${text} as text)`, pattern));
      return {
        inList: [
          await one(sql`2 in ${d.integerList([])}`),
          await one(sql`2 in ${d.integerList([1, 3])}`),
          await one(sql`2 in ${d.integerList([1, 2, 3])}`),
        ],
        like: [await like("Road ถนน", "%rOAD%"), await like("Road", "%rx%"), await like("50%", "%0\\%"), await like("500", "%0\\%")],
        day: (await sql<{ d: string }>`select ${sql.raw(d.bangkokDay("'2026-09-30T17:30:00.000Z'"))} as d`.execute(db)).rows[0]!.d,
        // The earlier tests may have left complaints behind: that the statement runs is the point.
        indexed:
          Number(
            (await sql<{ n: number }>`select count(*) as n from ${d.fromIndexed("complaints", "c", "complaints_fy_received")}`.execute(db))
              .rows[0]!.n,
          ) >= 0,
      };
    };
    await migrateToLatest(pg);
    const onSqlite = await answers(sqlite);
    expect(await answers(pg)).toEqual(onSqlite);
    expect(onSqlite).toMatchObject({ inList: [0, 0, 1], like: [1, 0, 1, 0], day: "2026-10-01" });
    // Compacting after removals is a no-op on PostgreSQL and works on SQLite.
    await dialectOf(pg).compactAfterRemoval(pg);
    await dialectOf(sqlite).compactAfterRemoval(sqlite);
  });
});

describe("connections of a schema per organisation on PostgreSQL", () => {
  it("each schema's queries keep to its own connections (its home one first), take another only when its own have queries queued and give it back once quiet, always in its own schema", async () => {
    const { openPostgresSchemas, homeLaneOf, LANE_QUEUE_BEFORE_SPILL } = await import("../../db/dialects/postgres");
    const url = await server!.createDatabase("lanes");
    const keepSpilledMs = 1_000;
    const pool = openPostgresSchemas(url, { max: 4, keepSpilledMs });
    try {
      // Two schemas with different home lanes (of four).
      const names = Array.from({ length: 12 }, (_, i) => `org_l${i}`);
      const a = names[0]!;
      const b = names.find((n) => homeLaneOf(n, 4) !== homeLaneOf(a, 4))!;
      for (const s of [a, b]) await sql.raw(`create schema ${s}; create table ${s}.t (x int)`).execute(pool.forSchema("platform"));
      const backend = async (s: string) =>
        (await sql<{ pid: number; schema: string }>`select pg_backend_pid() as pid, current_schema() as schema`.execute(pool.forSchema(s)))
          .rows[0]!;
      const one = await backend(a);
      expect(one.schema).toBe(a);
      for (let i = 0; i < 5; i++) expect(await backend(a)).toEqual(one); // the same connection while it is free
      const other = await backend(b);
      expect(other.schema).toBe(b);
      expect(other.pid).not.toBe(one.pid);
      expect(await backend(a)).toEqual(one); // and back: still its home connection, its path set again
      const slow = (s: string, seconds = 0.2) =>
        sql<{ pid: number; schema: string }>`select pg_backend_pid() as pid, current_schema() as schema, pg_sleep(${seconds})`
          .execute(pool.forSchema(s))
          .then((r) => r.rows[0]!);
      // Busy with a query or two: the next ones wait for their own connection rather than take a free one (which would
      // then have to read another organisation's catalogue entries).
      const twoOfB = await Promise.all([slow(b, 0.1), slow(b, 0.1)]);
      expect(twoOfB.map((r) => r.pid)).toEqual([other.pid, other.pid]);
      // LANE_QUEUE_BEFORE_SPILL queued on its home connection: the next one takes a free connection, which is then one
      // of the schema's own; each runs in its own schema.
      const many = await Promise.all(Array.from({ length: LANE_QUEUE_BEFORE_SPILL + 2 }, () => slow(a, 0.05)));
      expect(many.map((r) => r.schema)).toEqual(many.map(() => a));
      const pids = [...new Set(many.map((r) => r.pid))];
      expect(pids).toHaveLength(2);
      expect(many.slice(0, LANE_QUEUE_BEFORE_SPILL).map((r) => r.pid)).toEqual(many.slice(0, LANE_QUEUE_BEFORE_SPILL).map(() => one.pid));
      const second = pids.find((p) => p !== one.pid)!;
      // Now a has two connections: with its home one busy, its next query takes the other at once.
      const [, quick] = await Promise.all([slow(a), new Promise((r) => setTimeout(r, 50)).then(() => backend(a))]);
      expect(quick).toEqual({ pid: second, schema: a });
      expect(await backend(b)).toEqual(other);
      // A transaction keeps its one connection throughout.
      const inTrx = await pool
        .forSchema(a)
        .transaction()
        .execute(async (trx) => {
          await sql`insert into t values (1)`.execute(trx);
          const pids = await Promise.all([1, 2].map(() => sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)));
          return pids.map((r) => r.rows[0]!.pid);
        });
      expect(new Set(inTrx).size).toBe(1);
      expect((await sql<{ n: number }>`select count(*) as n from t`.execute(pool.forSchema(a))).rows[0]!.n).toBe(1);
      expect((await sql<{ n: number }>`select count(*) as n from t`.execute(pool.forSchema(b))).rows[0]!.n).toBe(0);
      // Quiet for keepSpilledMs: a is back to its home connection alone, and waits for it again while it is busy.
      await new Promise((r) => setTimeout(r, keepSpilledMs + 200));
      const [busy, waited] = await Promise.all([slow(a), new Promise((r) => setTimeout(r, 50)).then(() => backend(a))]);
      expect([busy, waited]).toEqual([
        { pid: one.pid, schema: a, pg_sleep: "" },
        { pid: one.pid, schema: a },
      ]);
    } finally {
      await pool.destroy();
    }
  });
});

describe("app servers starting together on PostgreSQL", () => {
  it("take turns at the tables every start creates when missing: none fails, each finds them made", async () => {
    const { openOrganisationStorage, preparePlatform } = await import("../../db/platform");
    const { prepareSharedLimits } = await import("~/utils/shared-limits.server");
    const url = await server!.createDatabase("starts");
    // Four servers' pools on a fresh database, all starting at once (two at once failed now and then before).
    const storages = [1, 2, 3, 4].map(() => openOrganisationStorage({ DATABASE_URL: url, DATA_DIR: dataDir }, { max: 2 }));
    try {
      for (let round = 0; round < 2; round++) {
        const results = await Promise.allSettled(
          storages.flatMap((st) => [preparePlatform(st).then(() => prepareSharedLimits(st.platform))]),
        );
        expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      }
      const tables = await sql<{ name: string }>`select schemaname || '.' || tablename as name from pg_tables
        where tablename in ('organisation', 'organisation_host', 'staff_link', 'rate_limit_counts') order by 1`.execute(
        storages[0]!.platform,
      );
      expect(tables.rows.map((r) => r.name)).toEqual([
        "platform.organisation",
        "platform.organisation_host",
        "platform.rate_limit_counts",
        "platform.staff_link",
      ]);
    } finally {
      await Promise.all(storages.map((st) => st.destroy()));
    }
  });
});

describe("prepared statements on PostgreSQL", () => {
  it("are prepared once per connection, and the queue's page is planned once and then reused", async () => {
    const url = await server!.createDatabase("prepared");
    const setup = track(openConfiguredDatabase(parseEnv({ DATABASE_URL: url, DATA_DIR: dataDir })));
    await migrateToLatest(setup);
    await seedOrganisation(setup);
    // Enough open cases for the planner's estimates to matter: 3,000, most of them overdue.
    const category = (await setup.selectFrom("categories").select("id").executeTakeFirstOrThrow()).id;
    const now = new Date("2026-12-01T03:00:00.000Z");
    await sql`insert into complaints (reference, fiscal_year, seq, tracking_hash, channel, category_id, subject, details,
        status, received_at, due_at, created_at, updated_at)
      select 'WL-2570-' || g, 2570, g, repeat('0', 64), 'web', ${category}, 'case ' || g, 'details', 'received',
        ${now.toISOString()}, to_char(timestamp '2026-11-01' + g * interval '20 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"'),
        ${now.toISOString()}, ${now.toISOString()}
      from generate_series(1, 3000) as g`.execute(setup);
    await sql`analyze complaints`.execute(setup);

    // One connection, so that its prepared statements can be read back on it.
    const single = track(openPostgresDatabase(url, { max: 1 }));
    const admin = { id: 1, role: "admin" as const, division_id: null };
    const pageOf = (db: DB, page: number) =>
      queue.listQueue(db, { actor: admin, filters: { deadline: "overdue", page }, now, policy: { dueSoonDays: 3 } });
    const first = await pageOf(single, 1);
    expect(first.rows.map((r) => r.reference)).toEqual(Array.from({ length: 25 }, (_, i) => `WL-2570-${i + 1}`));
    for (let i = 0; i < 9; i++) expect(await pageOf(single, 1)).toEqual(first);
    const second = await pageOf(single, 2);
    expect(second.rows[0]!.reference).toBe("WL-2570-26");
    const statements = (
      await sql<{ statement: string; generic_plans: number; custom_plans: number }>`select statement, generic_plans, custom_plans
        from pg_prepared_statements`.execute(single)
    ).rows;
    const queuePages = statements.filter((s) => s.statement.includes('"page"("id")'));
    // One statement per page number (the page's window is written into it), each prepared once on this connection.
    expect(queuePages).toHaveLength(2);
    const pageOne = queuePages.find((s) => /limit 26 offset 0\b/.test(s.statement))!;
    // PostgreSQL plans a prepared statement afresh for its first five runs, then reuses its generic plan when that is
    // no dearer. A LIMIT given as a parameter made it look dearer, and the queue was planned on every page.
    expect(pageOne.custom_plans).toBeLessThanOrEqual(5);
    expect(pageOne.generic_plans).toBeGreaterThanOrEqual(5);
  });
});

describe("statistics triggers on PostgreSQL", () => {
  it("keep every summary exactly as SQLite's do, and agree with a rebuild", async () => {
    const pg = await freshPostgres("statistics");
    await migrateToLatest(pg);
    const lite = track(openDatabase(path.join(dataDir, "statistics.db")));
    await migrateToLatest(lite);
    const onPostgres = await statisticsScenario(pg);
    const onSqlite = await statisticsScenario(lite);
    expect(onPostgres).toEqual(onSqlite);

    // Spot checks of the definitions themselves (what both must say).
    const counted = counting(onPostgres);
    expect(counted.complaint_stats).toContainEqual(
      expect.objectContaining({ fiscal_year: 2569, dim: "all", day: "2026-09-30", received: 1, forwarded: 1, sla_late: 1, ack_late: 1 }),
    );
    expect(counted.complaint_stats).toContainEqual(
      expect.objectContaining({
        fiscal_year: 2570,
        dim: "all",
        day: "2026-10-01",
        received: 1,
        resolved: 1,
        sla_resolved: 1,
        ack_on_time: 1,
      }),
    );
    // Received 1 Oct, closed 6 Oct (Bangkok): 5 days.
    expect(counted.complaint_resolve_days).toContainEqual({ fiscal_year: 2570, month: "2026-10", days: 5, n: 1 });
    expect(counted.rating_stats).toEqual([
      { fiscal_year: 2570, source: "case", day: "2026-10-07", score: 5, n: 1 },
      { fiscal_year: 2570, source: "counter", day: "2026-10-02", score: 3, n: 1 },
    ]);
    expect(counted.topic_stats).toEqual([
      { fiscal_year: 2570, source: "complaint", topic: "bribery", day: "2026-10-01", n: 1 },
      { fiscal_year: 2570, source: "report", topic: "procurement", day: "2026-10-03", n: 1 },
    ]);
    expect(counted.report_stats).toEqual([
      { fiscal_year: 2570, day: "2026-10-03", received: 1, completed: 1, substantiated: 1, unsubstantiated: 0, referred: 0 },
    ]);

    // db/statistics.ts's rebuild computes the same figures from the rows on PostgreSQL.
    await pg.transaction().execute((trx) => rebuildStatistics(trx));
    const rebuilt = counting(await summaries(pg));
    expect(rebuilt).toEqual(counted);
  });
});

describe("the server on PostgreSQL", () => {
  let portal: TestServer | null = null;
  afterAll(async () => {
    await portal?.stop();
  });

  it("migrates, seeds and serves the public pages with DATABASE_URL=postgres://…", async () => {
    const url = await server!.createDatabase("portal");
    portal = await startServer({ env: { DATABASE_URL: url } });
    const health = await fetch(`${portal.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { checks: { database: { ok: boolean } } }).checks.database.ok).toBe(true);
    for (const page of ["/", "/complaints/new", "/track", "/report", "/staff/login"]) {
      const res = await fetch(`${portal.url}${page}`);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
    }
    // Its tables are in PostgreSQL (no SQLite file was created) and the organisation was seeded there.
    expect(fs.existsSync(portal.dbFile)).toBe(false);
    const pg = track(openConfiguredDatabase(parseEnv({ DATABASE_URL: url, DATA_DIR: portal.dataDir })));
    const org = await pg.selectFrom("org_profile").select("code").executeTakeFirstOrThrow();
    expect(org.code).toBe("wangluek");
  });
});
