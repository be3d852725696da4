/**
 * Several organisations on PostgreSQL with two app servers (ORG_ROUTING=host, one schema per organisation,
 * docs/decisions/0015-one-database-per-organisation.md), against a private PostgreSQL server: both servers share nothing
 * but the database and the master key. Complaints of two organisations go in through one server and are tracked
 * through the other; an officer signed in at one server works at the other and sees only their organisation's cases;
 * a photo stored by one server (FILE_STORE=database) is served by the other; each organisation's rows are in its own
 * schema and nowhere else.
 */
import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { councilSeed, createStaffUser, orgCommand, startServer, waitUntil, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, makeJpeg } from "../helpers/http";
import { staffLogin } from "../helpers/report";

const MASTER_KEY = crypto.randomBytes(32).toString("base64");
const ORGS = [
  { code: "wangluek", host: "wangluek.localhost", name: "วังลึก" },
  { code: "nongbua", host: "nongbua.localhost", name: "หนองบัว" },
] as const;
const PASSWORD = "two servers password 2569";

let postgres: TestPostgres;
let databaseUrl = "";
const servers: TestServer[] = [];
/** What every server of the installation shares: the database and the master key (each has its own data folder). */
const serverEnv = () => ({
  DATABASE_URL: databaseUrl,
  MASTER_KEY,
  ORG_ROUTING: "host",
  FILE_STORE: "database",
  TRUSTED_PROXIES: "127.0.0.1,::1",
});
let ipSeq = 0;
const at = (server: TestServer, host: string) => new HttpClient(server.url, { host, ip: `10.91.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });

const orgCli = (env: Record<string, string>, args: string[]) => orgCommand({ env }, args);

async function query<T>(text: string, schema?: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (schema) await client.query(`set search_path to "${schema}"`);
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase("organisations");
  const env = serverEnv();
  servers.push(await startServer({ env }));
  // Organisations added while the first server runs (it finds them at their first request).
  const seedB = councilSeed(servers[0]!.dataDir, { code: "nongbua", th: "หนองบัว", en: "Nong Bua" });
  for (const [org, file] of [
    [ORGS[0], "db/seed/wangluek.json"],
    [ORGS[1], seedB],
  ] as const) {
    const r = await orgCli(servers[0]!.env, ["add", file, "--code", org.code, "--host", org.host]);
    expect(r.code, r.out).toBe(0);
    await createStaffUser(servers[0]!, {
      email: `officer@${org.code}.go.th`,
      role: "officer",
      division: "works",
      password: PASSWORD,
      org: org.code,
    });
  }
  servers.push(await startServer({ env }));
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  await postgres?.stop();
});

interface Filed {
  org: (typeof ORGS)[number];
  reference: string;
  trackingCode: string;
  subject: string;
  via: number;
}
const filed: Filed[] = [];

describe("two app servers, two organisations, one PostgreSQL database", () => {
  it("complaints go in through either server, each into its own organisation's schema", async () => {
    for (let i = 0; i < 8; i++) {
      const org = ORGS[i % 2]!;
      const via = Math.floor(i / 2) % 2;
      const subject = `เรื่องที่ ${i} ของ${org.name} ${crypto.randomBytes(3).toString("hex")}`;
      const files = i === 0 ? [{ filename: "p.jpg", type: "image/jpeg", data: await makeJpeg(3) }] : [];
      const r = await fileComplaint(at(servers[via]!, org.host), { subject }, files);
      filed.push({ org, reference: r.reference, trackingCode: r.trackingCode, subject, via });
    }
    for (const org of ORGS) {
      const rows = await query<{ subject: string }>("select subject from complaints order by id", `org_${org.code}`);
      expect(rows.map((r) => r.subject)).toEqual(filed.filter((f) => f.org === org).map((f) => f.subject));
    }
    // The platform schema and public hold no organisation's table.
    const stray = await query<{ table_schema: string }>(
      "select table_schema from information_schema.tables where table_name = 'complaints' and table_schema not like 'org\\_%'",
    );
    expect(stray).toEqual([]);
  });

  it("each tracking code works at its organisation through the other server, and at no other organisation", async () => {
    for (const f of filed) {
      const other = servers[1 - f.via]!;
      const lookup = async (host: string) => {
        const c = at(other, host);
        const page = await c.get("/track");
        return c.postForm("/track", { csrf: csrfOf(page), reference: f.reference, code: f.trackingCode });
      };
      const own = await lookup(f.org.host);
      expect(own.status).toBe(200);
      expect(own.text).toContain(f.subject);
      const foreign = await lookup(ORGS.find((o) => o !== f.org)!.host);
      expect(foreign.status).toBeGreaterThanOrEqual(400);
      expect(foreign.text).not.toContain(f.subject);
    }
  });

  it("an officer signed in at one server works at the other, sees only their organisation's cases, and gets a photo the other server stored", async () => {
    const org = ORGS[0];
    const officer = await staffLogin(at(servers[1]!, org.host), `officer@${org.code}.go.th`, PASSWORD);
    const moved = new HttpClient(servers[0]!.url, { host: org.host, ip: officer.opts.ip });
    for (const [k, v] of officer.cookies) moved.cookies.set(k, v);
    const queue = await moved.get("/staff");
    expect(queue.status).toBe(200);
    for (const f of filed) {
      if (f.org === org) expect(queue.text).toContain(f.reference);
    }
    // References are numbered per organisation: B's cases carry the same numbers, so check B's subjects instead.
    for (const f of filed.filter((x) => x.org !== org)) expect(queue.text).not.toContain(f.subject);
    const first = filed[0]!;
    const [attachment] = await query<{ id: number }>("select id from attachments order by id limit 1", `org_${org.code}`);
    const photo = await moved.get(`/staff/cases/${encodeURIComponent(first.reference)}/attachments/${attachment!.id}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toMatch(/^image\//);
    // The same session at the other organisation's host opens nothing.
    const elsewhere = new HttpClient(servers[0]!.url, { host: ORGS[1].host, ip: officer.opts.ip });
    for (const [k, v] of officer.cookies) elsewhere.cookies.set(k, v);
    expect((await elsewhere.get("/staff")).status).toBe(302);
  });

  it("a third server whose clock is 20 days ahead escalates the overdue cases of both organisations, each once, in each one's schema", async () => {
    const env = { ...serverEnv(), CLOCK_OFFSET_MS: String(20 * 24 * 3600_000), ALLOW_CLOCK_OFFSET: "1" };
    const later = await startServer({ env });
    servers.push(later);
    for (const org of ORGS) {
      const cases = filed.filter((f) => f.org === org).length;
      await waitUntil(
        async () => {
          const rows = await query<{ n: number }>(
            "select count(distinct complaint_id)::int as n from escalations where level = 'overdue'",
            `org_${org.code}`,
          );
          return rows[0]!.n >= cases ? true : null;
        },
        `overdue escalations of ${org.code}`,
        // Each organisation's first tick falls somewhere in the server's first minute (spread, scripts/deadline-worker.ts).
        100_000,
        250,
      );
      const twice = await query<{ n: number }>(
        "select count(*)::int as n from (select complaint_id, level, period_no from escalations group by 1, 2, 3 having count(*) > 1) d",
        `org_${org.code}`,
      );
      expect(twice[0]!.n).toBe(0);
    }
  }, 180_000);

  it("rate limits count across both servers: a guesser who spreads wrong tracking codes over them is refused at the shared limit", async () => {
    const ip = "10.92.7.7";
    const f = filed[0]!;
    const guess = async (server: TestServer) => {
      const c = new HttpClient(server.url, { host: f.org.host, ip });
      const page = await c.get("/track");
      return (await c.postForm("/track", { csrf: csrfOf(page), reference: f.reference, code: "AAAA-BBBB-CCCC" })).status;
    };
    // Six wrong codes at the first server (the per-client limit is 10 in 15 minutes) …
    for (let i = 0; i < 6; i++) expect(await guess(servers[0]!)).toBe(404);
    // … then the second server (once the first has passed its count on: it exchanges twice a second) …
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await guess(servers[1]!)).toBe(404);
    // … which learns the first one's count at its next exchange.
    await new Promise((r) => setTimeout(r, 1_500));
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(429); i++) statuses.push(await guess(servers[1]!));
    expect(statuses).toContain(429);
    // 6 + 1 + 3 = 10 wrong codes in all, not 6 + 10.
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(3);
    // The shared table holds keyed hashes only: no address, no limiter name.
    const rows = await query<{ k: string }>("select k from platform.rate_limit_counts");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toMatch(/10\.92|track/);
  }, 60_000);
});
