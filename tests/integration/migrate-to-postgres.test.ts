/**
 * `npm run migrate-to-postgres` (scripts/migrate-to-postgres.ts): a SQLite installation with real data — complaints
 * (one with a photo), an officer's work on one, a corruption report with evidence, the audit log — is copied into an
 * empty database of a private PostgreSQL server (tests/helpers/postgres.ts), with its keys and files, and verified.
 * Then the portal runs on the copy: the citizen's tracking code, the officer's photo and the reporter's receipt all
 * still work, and the copy's audit chain verifies. A second copy into the same database is refused.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToPostgres, type MigrationReport } from "../../scripts/migrate-to-postgres";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { createStaffUser, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, makeJpeg } from "../helpers/http";
import { enrolRecipient, fileReport, openInbox, staffLogin } from "../helpers/report";

const tag = crypto.randomBytes(4).toString("hex");
const officerEmail = `mig-${tag}@wangluek.go.th`;
const PASSWORD = "officer password 2569 moves";
const PHRASE = `เงินทอนโครงการถนน-${tag}`;

let pg: TestPostgres;
let source: TestServer;
let copy: TestServer | null = null;
let targetUrl = "";
let report: MigrationReport;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-migrate-pg-"));
const targetDataDir = path.join(scratch, "data-pg");
let ipSeq = 0;
const client = (s: TestServer) => new HttpClient(s.url, { ip: `10.93.${(++ipSeq >> 8) & 255}.${ipSeq & 255 || 1}` });

let withPhoto = { reference: "", code: "" };
let plain = { reference: "", code: "" };
let receipt = "";

async function track(s: TestServer, reference: string, code: string) {
  const c = client(s);
  const page = await c.get("/track");
  return c.postForm("/track", { csrf: csrfOf(page), reference, code });
}

beforeAll(async () => {
  pg = await startPostgres();
  source = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  await createStaffUser(source, { email: officerEmail, role: "officer", division: "works", password: PASSWORD, name: "เจ้าหน้าที่ย้ายระบบ" });
  const photoBytes = await makeJpeg(41);
  const a = await fileComplaint(client(source), { subject: `ถนนพัง ${tag}` }, [
    { filename: "ถนน.jpg", type: "image/jpeg", data: photoBytes },
  ]);
  const b = await fileComplaint(client(source), { subject: `ไฟดับ ${tag}` });
  withPhoto = { reference: a.reference, code: a.trackingCode };
  plain = { reference: b.reference, code: b.trackingCode };
  // The officer takes the first case on: status events, audit entries and statistics move.
  const officer = await staffLogin(client(source), officerEmail, PASSWORD);
  const casePage = await officer.get(`/staff/cases/${withPhoto.reference}`);
  const accepted = await officer.postForm(`/staff/cases/${withPhoto.reference}`, { csrf: csrfOf(casePage), intent: "accept" });
  expect(accepted.status).toBeLessThan(400);
  // The channel needs a recipient before it takes reports.
  await enrolRecipient(source, { email: `integrity-${tag}@wangluek.go.th` });
  ({ receipt } = await fileReport(client(source), { whatHappened: PHRASE }, [
    { filename: "หลักฐาน.jpg", type: "image/jpeg", data: await makeJpeg(42) },
  ]));
  // The old portal stops (its files stay: kill, not stop, which would remove the folder).
  await source.kill();
  targetUrl = await pg.createDatabase("migrated");
  report = await migrateToPostgres({ fromDataDir: source.dataDir, toUrl: targetUrl, toDataDir: targetDataDir, fileStore: "database" });
}, 240_000);

let hosted: TestServer | null = null;

afterAll(async () => {
  await hosted?.stop();
  await copy?.stop();
  await pg?.stop();
  if (source && !process.env.KEEP_TEST_DATA) fs.rmSync(source.dataDir, { recursive: true, force: true });
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("npm run migrate-to-postgres", () => {
  it("copies every table row for row, the files, and verifies statistics and the audit chain", () => {
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const rows = Object.fromEntries(report.tables.map((t) => [t.name, t]));
    expect(rows.complaints).toMatchObject({ source: 2, copied: 2 });
    expect(rows.reports).toMatchObject({ source: 1, copied: 1 });
    for (const t of report.tables) expect(t.copied, t.name).toBe(t.source);
    expect(rows.audit_log.copied).toBeGreaterThan(0);
    // The photo and the encrypted evidence.
    expect(report.files.count).toBe(2);
    expect(report.files.mismatched).toBe(0);
    expect(report.statistics).toEqual({ copiedEqual: true, recomputedEqual: true, differing: [] });
    expect(report.audit.copyVerified).toBe(true);
    expect(report.audit.sameHead).toBe(true);
    expect(report.audit.copyEntries).toBe(report.audit.sourceEntries);
    // The keys went along; nothing else of the old data folder did (the files are in the database now).
    expect(fs.readdirSync(path.join(targetDataDir, "keys")).sort()).toEqual(fs.readdirSync(path.join(source.dataDir, "keys")).sort());
    expect(fs.existsSync(path.join(targetDataDir, "uploads"))).toBe(false);
  });

  it("the portal runs on the copy: tracking codes, the officer's photo and the reporter's receipt still work", async () => {
    copy = await startServer({
      dataDir: targetDataDir,
      env: { DATABASE_URL: targetUrl, FILE_STORE: "database", TRUSTED_PROXIES: "127.0.0.1" },
    });
    const tracked = await track(copy, withPhoto.reference, withPhoto.code);
    expect(tracked.status).toBe(200);
    expect(tracked.$.testIdAttr("case-status", "data-status")).toBe("accepted");
    expect((await track(copy, plain.reference, plain.code)).status).toBe(200);
    expect((await track(copy, plain.reference, withPhoto.code)).status).toBe(404);

    const attachment = await dbGet<{ id: number; sha256: string }>(
      copy,
      "select a.id, a.sha256 from attachments a join complaints c on c.id = a.complaint_id where c.reference = ?",
      withPhoto.reference,
    );
    const officer = await staffLogin(client(copy), officerEmail, PASSWORD);
    const res = await fetch(`${copy.url}/staff/cases/${withPhoto.reference}/attachments/${attachment!.id}`, {
      headers: { Cookie: officer.cookieHeader(), "X-Forwarded-For": officer.opts.ip! },
    });
    expect(res.status).toBe(200);
    // The stored photo (its metadata removed on upload), byte for byte: the file the source kept under that hash.
    const served = Buffer.from(await res.arrayBuffer());
    expect(crypto.createHash("sha256").update(served).digest("hex")).toBe(attachment!.sha256);
    const h = attachment!.sha256;
    expect(served.equals(fs.readFileSync(path.join(source.dataDir, "uploads", h.slice(0, 2), h)))).toBe(true);

    // The reporter's receipt (found by its peppered hash, keys from the copied folder) opens the inbox.
    const reporter = client(copy);
    const opened = await openInbox(reporter, receipt);
    expect(opened.status, opened.$.text().slice(0, 300)).toBe(302);
    const inbox = await reporter.get("/report/inbox");
    expect(inbox.status).toBe(200);
    expect(inbox.$.testIdAttr("report-stage", "data-stage")).toBeTruthy();
    // The report's own text stays ciphertext in the copied rows.
    const stored = await dbGet<Record<string, unknown>>(copy, "select * from reports");
    expect(stored).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(PHRASE);
  }, 120_000);

  it("refuses to copy into a database that already holds an installation", async () => {
    await expect(
      migrateToPostgres({ fromDataDir: source.dataDir, toUrl: targetUrl, toDataDir: path.join(scratch, "again"), fileStore: "database" }),
    ).rejects.toThrow(/already holds an installation/);
  });
});

describe("npm run migrate-to-postgres -- --org: into one organisation of an installation with several", () => {
  const hostedDataDir = path.join(scratch, "hosted");
  const host = "wangluek.localhost";
  let hostedUrl = "";
  let imported: MigrationReport;
  const at = (s: TestServer) => new HttpClient(s.url, { host, ip: `10.94.${(++ipSeq >> 8) & 255}.${ipSeq & 255 || 1}` });

  beforeAll(async () => {
    hostedUrl = await pg.createDatabase("hosted");
    imported = await migrateToPostgres({
      fromDataDir: source.dataDir,
      toUrl: hostedUrl,
      toDataDir: hostedDataDir,
      fileStore: "database",
      organisation: { code: "wangluek", hosts: [host], province: "40" },
    });
  }, 120_000);

  it("copies into the organisation's schema, verified, and lists the organisation with the source's keys sealed", async () => {
    expect(imported.problems).toEqual([]);
    expect(imported.ok).toBe(true);
    expect(imported.audit.copyVerified).toBe(true);
    expect(imported.statistics).toEqual({ copiedEqual: true, recomputedEqual: true, differing: [] });
    const pgc = new (await import("pg")).default.Client({ connectionString: hostedUrl });
    await pgc.connect();
    try {
      const org = (await pgc.query("select code, name_th, imported_keys from platform.organisation")).rows;
      expect(org).toHaveLength(1);
      expect(org[0].code).toBe("wangluek");
      expect(org[0].name_th).toContain("วังลึก");
      // Sealed: neither the source's master key nor its tracking pepper appears in the platform database.
      const master = fs.readFileSync(path.join(source.dataDir, "keys", "master.key")).toString("base64");
      const secrets = JSON.parse(fs.readFileSync(path.join(source.dataDir, "keys", "secrets.json"), "utf8"));
      expect(org[0].imported_keys).toBeTruthy();
      expect(org[0].imported_keys).not.toContain(master);
      expect(org[0].imported_keys).not.toContain(secrets.trackingPepper);
      const n = (await pgc.query("select count(*)::int as n from org_wangluek.complaints")).rows[0].n;
      expect(n).toBe(2);
    } finally {
      await pgc.end();
    }
    // No key files for the organisation: only the installation's own master key in the new data folder.
    expect(fs.existsSync(path.join(hostedDataDir, "orgs", "wangluek", "keys"))).toBe(false);
  });

  it("the hosted portal serves it at its host name: tracking codes, the officer's photo and the reporter's receipt still work", async () => {
    hosted = await startServer({
      dataDir: hostedDataDir,
      env: { DATABASE_URL: hostedUrl, FILE_STORE: "database", ORG_ROUTING: "host", TRUSTED_PROXIES: "127.0.0.1" },
    });
    const c = at(hosted);
    const page = await c.get("/track");
    const tracked = await c.postForm("/track", { csrf: csrfOf(page), reference: withPhoto.reference, code: withPhoto.code });
    expect(tracked.status).toBe(200);
    expect(tracked.$.testIdAttr("case-status", "data-status")).toBe("accepted");
    const officer = await staffLogin(at(hosted), officerEmail, PASSWORD);
    const caseRes = await officer.get(`/staff/cases/${withPhoto.reference}`);
    expect(caseRes.status).toBe(200);
    const reporter = at(hosted);
    const opened = await openInbox(reporter, receipt);
    expect(opened.status, opened.$.text().slice(0, 300)).toBe(302);
    // Another host name of the same server knows nothing of it.
    const stranger = new HttpClient(hosted.url, { host: "other.localhost" });
    expect((await stranger.get("/track")).status).toBe(404);
  }, 120_000);

  it("refuses a code or host name that is taken", async () => {
    await expect(
      migrateToPostgres({
        fromDataDir: source.dataDir,
        toUrl: hostedUrl,
        toDataDir: hostedDataDir,
        fileStore: "database",
        organisation: { code: "wangluek", hosts: ["second.localhost"] },
      }),
    ).rejects.toThrow(/code exists/);
    await expect(
      migrateToPostgres({
        fromDataDir: source.dataDir,
        toUrl: hostedUrl,
        toDataDir: hostedDataDir,
        fileStore: "database",
        organisation: { code: "second", hosts: [host] },
      }),
    ).rejects.toThrow(/host name is already taken/);
  });
});
