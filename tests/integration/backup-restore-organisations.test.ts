/**
 * `npm run backup` and `npm run restore` for an installation that serves several organisations on SQLite
 * (ORG_ROUTING=host): one backup holds the list of organisations (platform.db) and every organisation's database,
 * uploads and evidence under orgs/<code>/, each database snapshot while the portal serves; the restore checks every
 * database, every organisation's audit chain (with its own keys) and statistics, and a server on the restored folder
 * serves each organisation its own cases again, at its own host name; an organisation whose audit log was altered is
 * named and nothing is restored. On PostgreSQL the command refuses and says how.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, orgCommand, scriptCommand, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, makeJpeg, type FiledComplaint } from "../helpers/http";

const A = { code: "wangluek", host: "wangluek.localhost" };
const B = { code: "nongbua", host: "nongbua.localhost" };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-org-backup-"));
let server: TestServer;
let restored: TestServer | null = null;
const filed: Record<string, FiledComplaint> = {};
let backupFolder = "";
let restoreDir = "";

const at = (s: TestServer, host: string) => new HttpClient(s.url, { host, ip: "10.61.0.1" });

async function track(s: TestServer, host: string, c: FiledComplaint) {
  const client = at(s, host);
  const page = await client.get("/track");
  return client.postForm("/track", { csrf: csrfOf(page), reference: c.reference, code: c.trackingCode });
}

beforeAll(async () => {
  server = await startServer({ env: { ORG_ROUTING: "host", TRUSTED_PROXIES: "127.0.0.1" } });
  const seedB = path.join(scratch, "nongbua.json");
  fs.writeFileSync(
    seedB,
    fs
      .readFileSync(path.join(ROOT, "db/seed/wangluek.json"), "utf8")
      .replaceAll("วังลึก", "หนองบัว")
      .replaceAll("Wang Luek", "Nong Bua")
      .replaceAll("wangluek", "nongbua"),
  );
  for (const [o, seed] of [
    [A, "db/seed/wangluek.json"],
    [B, seedB],
  ] as const) {
    const add = await orgCommand(server, ["add", seed, "--code", o.code, "--host", o.host, "--province", "40"]);
    expect(add.code, add.out).toBe(0);
  }
  // An account in each (audited: each organisation's audit chain has entries to check).
  for (const o of [A, B]) {
    const staff = await scriptCommand(server, "scripts/staff.ts", [
      "add",
      "--org",
      o.code,
      "--email",
      `officer@${o.code}.go.th`,
      "--name",
      `เจ้าหน้าที่ ${o.code}`,
      "--role",
      "supervisor",
    ]);
    expect(staff.code, staff.out).toBe(0);
  }
  for (const o of [A, B])
    filed[o.code] = await fileComplaint(at(server, o.host), { subject: `ไฟถนนดับ ${o.code}` }, [
      { filename: "ไฟ.jpg", type: "image/jpeg", data: await makeJpeg(o.code.length) },
    ]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await restored?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("backup and restore of an installation with several organisations", () => {
  it("one backup holds the list of organisations and each one's database and photos", async () => {
    const to = path.join(scratch, "backups");
    const r = await scriptCommand(server, "scripts/backup.ts", ["--to", to]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("the list of organisations and 2 organisations'");
    expect(r.out).toMatch(/files: 2 uploads/);
    backupFolder = path.join(
      to,
      fs.readdirSync(to).find((f) => f.startsWith("sujarit-"))!,
    );
    const summary = JSON.parse(fs.readFileSync(path.join(backupFolder, "backup.json"), "utf8"));
    expect(summary.database.organisations).toBe(2);
    expect(summary.database.rows.complaints).toBe(2);
    // Nothing personal in what the command printed.
    for (const c of Object.values(filed)) {
      expect(r.out).not.toContain(c.reference);
      expect(r.out).not.toContain(c.trackingCode);
    }
  }, 120_000);

  it("restores into an empty folder after checking every database, audit chain and statistics", async () => {
    restoreDir = path.join(scratch, "restored");
    fs.mkdirSync(restoreDir);
    const r = await scriptCommand({ env: { ...server.env, DATA_DIR: restoreDir } }, "scripts/restore.ts", ["--from", backupFolder]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("list of organisations: integrity_check ok");
    for (const o of [A, B]) expect(r.out).toContain(`${o.code}: integrity_check ok`);
    expect(r.out).toContain("audit logs: 2 intact");
    expect(Number(/audit logs: 2 intact, (\d+) entries/.exec(r.out)?.[1])).toBeGreaterThan(0);
    expect(r.out).toContain("statistics: 2 organisations' summaries equal their recounts");
    for (const o of [A, B]) {
      expect(fs.existsSync(path.join(restoreDir, "orgs", o.code, "sujarit.db"))).toBe(true);
      const uploads = path.join(restoreDir, "orgs", o.code, "uploads");
      expect(fs.readdirSync(uploads, { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f)))).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(restoreDir, "platform.db"))).toBe(true);
    // A second restore into the same (now full) folder is refused.
    const again = await scriptCommand({ env: { ...server.env, DATA_DIR: restoreDir } }, "scripts/restore.ts", ["--from", backupFolder]);
    expect(again.code).not.toBe(0);
    expect(again.out).toContain("not empty");
  }, 180_000);

  it("a server on the restored folder serves each organisation its own cases, at its own host", async () => {
    restored = await startServer({ dataDir: restoreDir, env: { ORG_ROUTING: "host", TRUSTED_PROXIES: "127.0.0.1" } });
    for (const o of [A, B]) {
      const own = await track(restored, o.host, filed[o.code]!);
      expect(own.status, `${o.code}: ${own.$.text().slice(0, 200)}`).toBe(200);
      expect(own.text).toContain(`ไฟถนนดับ ${o.code}`);
    }
    const elsewhere = await track(restored, B.host, filed[A.code]!);
    expect(elsewhere.status).toBeGreaterThanOrEqual(400);
    expect(elsewhere.text).not.toContain(`ไฟถนนดับ ${A.code}`);
  }, 120_000);

  it("an organisation whose audit log was altered: the restore names it and leaves nothing behind", async () => {
    // Someone with the disk changes one entry of B's audit log; the next backup copies it as it is.
    const db = new SQLite(path.join(server.dataDir, "orgs", B.code, "sujarit.db"));
    try {
      db.pragma("busy_timeout = 5000");
      db.exec("drop trigger if exists audit_log_no_update"); // the append-only guard goes first
      db.prepare("update audit_log set action = 'staff.disable' where id = (select max(id) from audit_log)").run();
    } finally {
      db.close();
    }
    const to = path.join(scratch, "backups-2");
    const made = await scriptCommand(server, "scripts/backup.ts", ["--to", to]);
    expect(made.code, made.out).toBe(0);
    const folder = path.join(
      to,
      fs.readdirSync(to).find((f) => f.startsWith("sujarit-"))!,
    );
    const target = path.join(scratch, "restored-2");
    fs.mkdirSync(target);
    const r = await scriptCommand({ env: { ...server.env, DATA_DIR: target } }, "scripts/restore.ts", ["--from", folder]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${B.code}: audit log broken`);
    expect(fs.readdirSync(target)).toEqual([]);
  }, 180_000);

  it("the file-store command works on the organisation --org names, and refuses to guess one", async () => {
    const none = await scriptCommand(server, "scripts/file-store.ts", ["check"]);
    expect(none.code).toBe(1);
    expect(none.out).toContain("--org");
    const check = await scriptCommand(server, "scripts/file-store.ts", ["check", "--org", A.code]);
    expect(check.code, check.out).toBe(0);
    expect(check.out).toContain("1 files referenced by the database, 0 missing");
    const copied = await scriptCommand(server, "scripts/file-store.ts", ["copy", "--to", "database", "--org", B.code]);
    expect(copied.code, copied.out).toBe(0);
    expect(copied.out).toContain("copied 1 files");
    expect(copied.out).toContain("the database store now holds 1 of the 1 files");
    // Only B's database got the file.
    const rows = (code: string) => {
      const db = new SQLite(path.join(server.dataDir, "orgs", code, "sujarit.db"), { readonly: true });
      try {
        return Number(db.prepare("select count(*) from stored_file").pluck().get());
      } finally {
        db.close();
      }
    };
    expect([rows(A.code), rows(B.code)]).toEqual([0, 1]);
  }, 120_000);

  it("on PostgreSQL the command refuses and names what to use instead", async () => {
    const r = await scriptCommand({ env: { ...server.env, DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" } }, "scripts/backup.ts", [
      "--to",
      path.join(scratch, "pg"),
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("PostgreSQL");
    expect(r.out).toContain("pg_dump");
    expect(fs.existsSync(path.join(scratch, "pg"))).toBe(false);
  });
});
