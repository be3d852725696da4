/**
 * `npm run reports -- …` (scripts/reports.ts): the key-migration commands need an integrity officer's own password and
 * key pair (the operator alone cannot run them) and are written to the audit log with the operating-system user.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, dbAll, startServer, type TestServer } from "../helpers/server";
import { createAnyStaff, enrolRecipient } from "../helpers/report";

let server: TestServer;
const PASSWORD = "cli officer password 2569";

function run(args: string[], stdin = ""): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...server.env, NODE_ENV: "production" };
    for (const k of ["VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "NODE_OPTIONS"]) delete env[k];
    const p = spawn(process.execPath, ["--import", "tsx", "scripts/reports.ts", ...args], {
      cwd: ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("exit", (code) => resolve({ code, out }));
    p.stdin.end(stdin);
  });
}

beforeAll(async () => {
  server = await startServer();
  await enrolRecipient(server, { email: "keys-cli@wangluek.go.th", password: PASSWORD });
  await createAnyStaff(server, { email: "nokeys-cli@wangluek.go.th", name: "ยังไม่เคยเข้าระบบ", role: "integrity", password: PASSWORD });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe("npm run reports", () => {
  it("key-migration-status counts the reports still wrapped by the master key", async () => {
    const r = await run(["key-migration-status"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/master key: 0/);
  }, 60_000);

  it("migrate-keys refuses a wrong password, an officer without keys and a missing password", async () => {
    expect((await run(["migrate-keys", "--email", "keys-cli@wangluek.go.th"], "wrong password 123\n")).code).toBe(1);
    const nokeys = await run(["migrate-keys", "--email", "nokeys-cli@wangluek.go.th"], `${PASSWORD}\n`);
    expect(nokeys.code).toBe(1);
    expect(nokeys.out).toMatch(/sign in once/);
    expect((await run(["migrate-keys", "--email", "keys-cli@wangluek.go.th"])).code).toBe(2);
    expect((await run(["bogus"])).code).toBe(2);
  }, 120_000);

  it("migrate-keys with the officer's password runs and is audited with the operating-system user", async () => {
    const r = await run(["migrate-keys", "--email", "keys-cli@wangluek.go.th"], `${PASSWORD}\n`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/destroyed: 0/);
    const rows = await dbAll<{ actor_role: string; details: string }>(
      server,
      "select actor_role, details from audit_log where action = 'report.key-migration.finish'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].actor_role).toBe("cli");
    expect(JSON.parse(rows[0].details).osUser).toBe(os.userInfo().username);
  }, 60_000);
});
