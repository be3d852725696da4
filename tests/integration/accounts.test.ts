/**
 * Staff accounts that can be run for years, black-box against the real server and the staff CLI:
 * enrolment links (single use, expiry, reuse refused), the password rule (length, common and breached passwords,
 * Thai welcome), changing one's password, an administrator's reset (with and without a report recipient's recovery
 * key), the audit of CLI actions with the operating-system user, and a stranger's wrong passwords never locking the
 * officer out of their own recognised browser.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, dbAll, dbGet, startServer, testDb, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, type HttpResult } from "../helpers/http";
import { enrolRecipient, fileReport, integrityLogin, type TotpAccount } from "../helpers/report";

let server: TestServer;
const path = (u: string | null) => (u ? new URL(u).pathname : "");
let ipSeq = 0;
const client = () => new HttpClient(server.url, { ip: `10.70.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });

function cli(args: string[], stdin = ""): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...server.env, NODE_ENV: "production" };
    for (const k of ["VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "NODE_OPTIONS"]) delete env[k];
    const p = spawn(process.execPath, ["--import", "tsx", "scripts/staff.ts", ...args], {
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

const linkIn = (out: string) => /(https?:\/\/\S+\/staff\/enrol\?t=[A-Za-z0-9_-]{43})/.exec(out)?.[1] ?? "";

/** Opens an enrolment link like a browser: the token leaves the address at once (redirect), the page is served bare. */
async function openLink(c: HttpClient, link: string): Promise<HttpResult> {
  const u = new URL(link);
  const first = await c.get(u.pathname + u.search);
  expect(first.status).toBe(302);
  expect(first.location).toBe(`${server.url}/staff/enrol`);
  return c.get("/staff/enrol");
}

async function setPassword(c: HttpClient, page: HttpResult, password: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return c.postForm("/staff/enrol", { csrf: csrfOf(page), password, confirm: password, ...extra });
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1,::1" } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("enrolment links", () => {
  let link = "";
  it("the CLI creates an account without printing any password, and prints a one-time link", async () => {
    const r = await cli([
      "add",
      "--email",
      "new.officer@wangluek.go.th",
      "--name",
      "สมใจ มาใหม่",
      "--role",
      "officer",
      "--division",
      "works",
    ]);
    expect(r.code, r.out).toBe(0);
    link = linkIn(r.out);
    expect(link).toBeTruthy();
    // Nothing that looks like a password besides the link's own token.
    expect(r.out.replace(link, "")).not.toMatch(/\b[A-Za-z0-9_-]{16,}\b/);
    const row = await dbGet(server, "select password_hash from staff where email = 'new.officer@wangluek.go.th'");
    expect(row!.password_hash).toBe("");
    // Only the token's hash is stored.
    const token = new URL(link).searchParams.get("t")!;
    expect(JSON.stringify(await dbAll(server, "select * from staff_enrolments"))).not.toContain(token);
    // Nobody can sign in before the person sets a password.
    expect((await client().login("new.officer@wangluek.go.th", "")).status).not.toBe(302);
  }, 60_000);

  it("refuses a short, a common or a leaked password and one containing the e-mail name; accepts a Thai one", async () => {
    const c = client();
    const page = await openLink(c, link);
    expect(page.status).toBe(200);
    expect(page.$.text()).toContain("สมใจ มาใหม่");
    for (const [pw, key] of [
      ["short pw", "อย่างน้อย 12"],
      ["password1234", "ใช้กันทั่วไป"],
      ["Qwertyuiop123!", "ใช้กันทั่วไป"],
      ["new.officer-is-me", "ชื่ออีเมล"],
    ] as const) {
      const r = await setPassword(c, page, pw);
      expect(r.status, pw).toBe(422);
      expect(r.$.text(), pw).toContain(key);
    }
    const mismatch = await c.postForm("/staff/enrol", { csrf: csrfOf(page), password: "ข้าวเหนียวมะม่วงอร่อยมาก", confirm: "ข้าวเหนียวมะม่วง" });
    expect(mismatch.status).toBe(422);
    const ok = await setPassword(c, page, "ข้าวเหนียวมะม่วงอร่อยมาก");
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    expect(path(ok.location)).toBe("/staff");
    expect((await c.get("/staff")).status).toBe(200);
  });

  it("a used link is refused, also in another browser", async () => {
    const c = client();
    const page = await openLink(c, link);
    expect(page.status).toBe(410);
    expect(page.$.testId("enrol-invalid")).toBeTruthy();
    const post = await c.postForm("/staff/enrol", {
      csrf: c.cookies.get("csrf") ?? "",
      password: "another long password 99",
      confirm: "another long password 99",
    });
    expect(post.status).toBe(410);
  });

  it("an expired link is refused", async () => {
    const r = await cli(["add", "--email", "late.enrol@wangluek.go.th", "--name", "ช้า ไป", "--role", "intake"]);
    const l = linkIn(r.out);
    const db = await testDb(server);
    await db
      .updateTable("staff_enrolments")
      .set({ expires_at: "2000-01-01T00:00:00.000Z" })
      .where("staff_id", "=", (eb) => eb.selectFrom("staff").select("id").where("email", "=", "late.enrol@wangluek.go.th"))
      .execute();
    expect((await openLink(client(), l)).status).toBe(410);
  }, 60_000);
});

describe("changing one's password", () => {
  it("needs the current password, ends the other sessions, and the new password works", async () => {
    const other = client();
    expect((await other.login("new.officer@wangluek.go.th", "ข้าวเหนียวมะม่วงอร่อยมาก")).status).toBe(302);
    const c = client();
    await c.login("new.officer@wangluek.go.th", "ข้าวเหนียวมะม่วงอร่อยมาก");
    const page = await c.get("/staff/account");
    expect(page.status).toBe(200);
    const wrong = await c.postForm("/staff/account", {
      csrf: csrfOf(page),
      current: "not it at all 123",
      password: "ส้มตำไทยใส่ถั่วเยอะ ๆ",
      confirm: "ส้มตำไทยใส่ถั่วเยอะ ๆ",
    });
    expect(wrong.status).toBe(422);
    const ok = await c.postForm("/staff/account", {
      csrf: csrfOf(page),
      current: "ข้าวเหนียวมะม่วงอร่อยมาก",
      password: "ส้มตำไทยใส่ถั่วเยอะ ๆ",
      confirm: "ส้มตำไทยใส่ถั่วเยอะ ๆ",
    });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    expect((await c.get("/staff")).status).toBe(200);
    expect(path((await other.get("/staff")).location)).toBe("/staff/login");
    expect((await client().login("new.officer@wangluek.go.th", "ข้าวเหนียวมะม่วงอร่อยมาก")).status).toBe(401);
    expect((await client().login("new.officer@wangluek.go.th", "ส้มตำไทยใส่ถั่วเยอะ ๆ")).status).toBe(302);
    const audit = await dbAll(server, "select action from audit_log where action = 'staff.password_change'");
    expect(audit).toHaveLength(1);
  });
});

describe("an administrator's reset of a report recipient", () => {
  let acc: TotpAccount;
  let publicId = "";
  beforeAll(async () => {
    ({ acc } = await enrolRecipient(server, { email: "keeper@wangluek.go.th", password: "กุญแจลับของผู้ดูแลเรื่อง 2569" }));
    await fileReport(client(), { whatHappened: "เรื่องทดสอบการตั้งรหัสผ่านใหม่" });
    publicId = (await dbGet<{ public_id: string }>(server, "select public_id from reports order by id desc limit 1"))!.public_id;
  }, 120_000);

  it("with the recovery key, the reports they held still open under the new password", async () => {
    expect(acc.recoveryKey).toBeTruthy();
    const r = await cli(["reset", "--email", "keeper@wangluek.go.th"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/recovery key/);
    const c = client();
    const page = await openLink(c, linkIn(r.out));
    expect(page.$.testId("recovery-explained")).toBeTruthy();
    const bad = await setPassword(c, page, "รหัสใหม่หลังลืมรหัสเดิม 2570", { recoveryKey: "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH" });
    expect(bad.status).toBe(422);
    const ok = await setPassword(c, page, "รหัสใหม่หลังลืมรหัสเดิม 2570", { recoveryKey: acc.recoveryKey!.toLowerCase() });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    acc.password = "รหัสใหม่หลังลืมรหัสเดิม 2570";
    const fresh = client();
    await integrityLogin(fresh, acc);
    // A new recovery key was shown once (the old one no longer works); the report opens.
    expect(acc.recoveryKey).not.toBe(null);
    const report = await fresh.get(`/staff/integrity/reports/${publicId}`);
    expect(report.status).toBe(200);
    expect(report.$.text()).toContain("เรื่องทดสอบการตั้งรหัสผ่านใหม่");
  }, 60_000);

  it("without it, new keys are made and the old report stays closed until a colleague gives access", async () => {
    const r = await cli(["reset", "--email", "keeper@wangluek.go.th"]);
    const c = client();
    const page = await openLink(c, linkIn(r.out));
    expect((await setPassword(c, page, "รหัสที่สามไม่มีกุญแจกู้คืน 2571")).status).toBe(302);
    acc.password = "รหัสที่สามไม่มีกุญแจกู้คืน 2571";
    const fresh = client();
    await integrityLogin(fresh, acc);
    expect((await fresh.get(`/staff/integrity/reports/${publicId}`)).status).toBe(404);
    const audit = await dbAll<{ details: string }>(
      server,
      "select details from audit_log where action = 'staff.password_reset' order by id",
    );
    expect(audit.map((a) => JSON.parse(a.details).reportKeys)).toEqual(["kept", "replaced"]);
  }, 60_000);
});

describe("the staff CLI is audited with the operating-system user", () => {
  it("add, reset, unlock, disable and enable each leave an entry naming who ran them", async () => {
    await cli(["add", "--email", "audited@wangluek.go.th", "--name", "ตรวจ สอบได้", "--role", "executive"]);
    for (const c of ["reset", "unlock", "disable", "enable"]) expect((await cli([c, "--email", "audited@wangluek.go.th"])).code).toBe(0);
    const id = (await dbGet(server, "select id from staff where email = 'audited@wangluek.go.th'"))!.id;
    const rows = await dbAll<{ action: string; actor_role: string; details: string }>(
      server,
      "select action, actor_role, details from audit_log where target_type = 'staff' and target_id = ? order by id",
      String(id),
    );
    expect(rows.map((r) => r.action)).toEqual([
      "staff.create",
      "staff.enrolment_link",
      "staff.reset_link",
      "staff.unlock",
      "staff.disable",
      "staff.enable",
    ]);
    for (const r of rows) {
      expect(r.actor_role).toBe("cli");
      expect(JSON.parse(r.details).osUser).toBe(os.userInfo().username);
    }
  }, 120_000);
});

describe("a stranger cannot lock the officer out", () => {
  it("after many wrong passwords from other addresses, unknown browsers wait, but the officer's own browser signs in at once", async () => {
    const added = await cli(
      ["add", "--email", "target@wangluek.go.th", "--name", "ผู้ถูก ลองรหัส", "--role", "intake", "--password-stdin"],
      "ทุ่งนาเขียวขจีสุดลูกหูลูกตา\n",
    );
    expect(added.code, added.out).toBe(0);
    const own = client();
    expect((await own.login("target@wangluek.go.th", "ทุ่งนาเขียวขจีสุดลูกหูลูกตา")).status).toBe(302);
    const device = own.cookies.get("sujarit_device");
    expect(device).toBeTruthy();
    // The stranger: 12 wrong passwords, each from a new address.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await client().login("target@wangluek.go.th", `wrong guess number ${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toContain(429);
    // A browser the account never used waits, even with the right password…
    expect((await client().login("target@wangluek.go.th", "ทุ่งนาเขียวขจีสุดลูกหูลูกตา")).status).toBe(429);
    // …the officer's own browser does not.
    // A forged device cookie is worth nothing.
    const forged = client();
    forged.cookies.set(
      "sujarit_device",
      device!.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")),
    );
    expect((await forged.login("target@wangluek.go.th", "ทุ่งนาเขียวขจีสุดลูกหูลูกตา")).status).toBe(429);
    const again = client();
    again.cookies.set("sujarit_device", device!);
    expect((await again.login("target@wangluek.go.th", "ทุ่งนาเขียวขจีสุดลูกหูลูกตา")).status).toBe(302);
    // The stranger tries again: unknown browsers wait again (the officer's success cleared the count, the new failures count).
    for (let i = 0; i < 6; i++) await client().login("target@wangluek.go.th", `wrong again ${i}`);
    // And `unlock` ends the wait for everyone.
    expect((await cli(["unlock", "--email", "target@wangluek.go.th"])).code).toBe(0);
    expect((await client().login("target@wangluek.go.th", "ทุ่งนาเขียวขจีสุดลูกหูลูกตา")).status).toBe(302);
  }, 120_000);
});
