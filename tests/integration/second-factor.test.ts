/**
 * Second factor for every role that needs one, black-box against the real server: administrators and
 * supervisors are sent to the set-up after the password and reach nothing else until done (a passkey, or an
 * authenticator app); officers only once an administrator turns it on for them (the fixed roles cannot be turned
 * off); passkeys over plain HTTP with a software authenticator (tests/helpers/webauthn.ts) — a foreign credential,
 * another site's origin, a used challenge and a counter that goes back are refused; a recovery code stands in;
 * removing the last second factor is refused; every change and passkey sign-in is in the audit log, without secrets.
 * (The same ceremonies in Chromium with a virtual authenticator: tests/e2e/passkeys.spec.ts.)
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../app/lib/totp";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, completeOrgSetup, csrfOf, helperPasskeyOf, type HttpResult } from "../helpers/http";
import { SoftAuthenticator } from "../helpers/webauthn";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "second factor password 2569";
const users = {
  admin: { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, name: "ผู้ดูแล ทดสอบ" },
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "หัวหน้า ทดสอบ" },
  officer: { email: `officer-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่าง ทดสอบ" },
  intake: { email: `intake-${tag}@wangluek.go.th`, role: "intake" as const, name: "ศูนย์รับเรื่อง ทดสอบ" },
};
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.91.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });
const path = (u: string | null) => (u ? new URL(u).pathname : "");
const idOf = async (email: string) => (await dbGet<{ id: number }>(server, "select id from staff where email = ?", email))!.id;

/** The admin's own authenticator (set up in the first test) and a signed-in admin client. */
let adminAuth: SoftAuthenticator;
let admin: HttpClient;
let supSecret = "";
let supLastStep = 0;

async function passwordStep(email: string, redirectTo = "/staff"): Promise<{ c: HttpClient; res: HttpResult }> {
  const c = newClient();
  const res = await c.passwordStep(email, PASSWORD, redirectTo);
  expect(res.status, res.$.text().slice(0, 300)).toBe(302);
  return { c, res };
}

/** Options for a passkey ceremony of this client's session (status checked by the caller when `expectOk` is false). */
async function options(c: HttpClient, purpose: "register" | "authenticate", csrf: string): Promise<HttpResult> {
  return c.postForm("/staff/webauthn/options", { csrf, purpose });
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1,::1" } });
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("administrators and supervisors: the second factor is required", () => {
  it("after the password, an admin and a supervisor reach nothing but the set-up page", async () => {
    for (const who of ["admin", "sup"] as const) {
      const { c, res } = await passwordStep(users[who].email);
      expect(path(res.location), who).toBe("/staff/totp-setup");
      for (const p of [
        "/staff",
        "/staff/admin",
        "/staff/admin/security",
        "/staff/board",
        "/staff/passkeys",
        "/staff/audit",
        "/staff/login/totp",
      ]) {
        const r = await c.get(p);
        expect(r.status, `${who} ${p}`).toBe(302);
        expect(path(r.location), `${who} ${p}`).toBe("/staff/totp-setup");
      }
      // A POST does nothing either.
      const post = await c.postForm("/staff/admin/security", { csrf: c.cookies.get("csrf") ?? "", role: "officer", required: "1" });
      expect(post.status).toBe(302);
      expect(await dbAll(server, "select role from second_factor_roles")).toEqual([]);
      // The set-up page offers both ways: a passkey (needs JavaScript: said so in the page itself) and an app.
      const setup = await c.get("/staff/totp-setup");
      expect(setup.status).toBe(200);
      expect(setup.headers.get("cache-control")).toContain("no-store");
      expect(setup.$.testId("sf-setup-passkey")).toContain("พาสคีย์");
      expect(setup.$.testId("passkey-needs-js")).toContain("JavaScript");
      expect(setup.$.testId("totp-secret")).toMatch(/^[A-Z2-7 ]{32,}$/);
      // No passkey yet: nothing to sign in with; adding one is what this session may do.
      expect((await options(c, "authenticate", csrfOf(setup))).status).toBe(404);
    }
  });

  it("the admin sets up a passkey, the supervisor an authenticator app; both see recovery codes once, then the back office", async () => {
    // Admin: passkey.
    const { c } = await passwordStep(users.admin.email);
    adminAuth = new SoftAuthenticator(server.url);
    const done = await c.passkeyCeremony("register", "/staff/totp-setup", adminAuth, { name: "  คอมพิวเตอร์\u200b ที่ทำงาน  " });
    expect(done.status, done.$.text().slice(0, 300)).toBe(302);
    expect(path(done.location)).toBe("/staff/totp-setup");
    const codes = await c.get(new URL(done.location!).pathname + new URL(done.location!).search);
    expect(codes.status).toBe(200);
    expect([...codes.text.matchAll(/<code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code>/g)]).toHaveLength(10);
    expect(codes.$.testIdAttr("continue", "href")).toBe("/staff");
    expect((await c.get(new URL(done.location!).pathname)).status, "codes shown once").toBe(302);
    // The first administrator then gives the organisation's own details, and only then reaches the back office.
    expect(path((await c.get("/staff")).location)).toBe("/staff/setup");
    expect(await completeOrgSetup(c)).toBe(true);
    expect((await c.get("/staff")).status).toBe(200);
    admin = c;
    const id = await idOf(users.admin.email);
    const rows = await dbAll(server, "select * from staff_passkeys where staff_id = ?", id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "คอมพิวเตอร์ ที่ทำงาน", counter: 0, transports: '["internal"]', last_used_at: null });
    expect(rows[0].credential_id).toBe(Buffer.from(adminAuth.credentials[0].id).toString("base64url"));
    const staffRow = await dbGet(server, "select totp_secret_enc, totp_enabled_at, recovery_codes from staff where id = ?", id);
    expect(staffRow!.totp_secret_enc, "the unused app secret is dropped").toBeNull();
    expect(staffRow!.totp_enabled_at).toBeNull();
    expect(JSON.parse(staffRow!.recovery_codes)).toHaveLength(10);
    // The challenge was used up with the session it belonged to.
    expect(await dbAll(server, "select * from staff_webauthn_challenges")).toEqual([]);

    // Supervisor: authenticator app, the same page and fields as before passkeys.
    const s = await passwordStep(users.sup.email);
    const setup = await s.c.get("/staff/totp-setup");
    supSecret = (setup.$.testId("totp-secret") ?? "").replace(/\s/g, "");
    supLastStep = Math.floor(Date.now() / 30_000);
    const ok = await s.c.postForm("/staff/totp-setup", {
      csrf: csrfOf(setup),
      code: totpCode(supSecret, supLastStep * 30_000),
      redirectTo: "/staff/board",
    });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    const supCodes = await s.c.get(new URL(ok.location!).pathname + new URL(ok.location!).search);
    expect(supCodes.$.testIdAttr("continue", "href")).toBe("/staff/board");
    expect((await s.c.get("/staff/board")).status).toBe(200);
  });

  it("a session that passed only the password cannot add a passkey once the person has a second factor", async () => {
    const { c, res } = await passwordStep(users.admin.email);
    expect(path(res.location)).toBe("/staff/login/totp");
    const page = await c.get("/staff/login/totp");
    expect((await options(c, "register", csrfOf(page))).status).toBe(403);
    // Posting a registration to the set-up page sends the session to the step instead.
    const stranger = new SoftAuthenticator(server.url);
    const forged = stranger.register({
      challenge: "AAAA",
      rp: { id: "127.0.0.1", name: "x" },
      user: { id: "AAAA", name: "x", displayName: "x" },
    });
    const post = await c.postForm("/staff/totp-setup", {
      csrf: csrfOf(page),
      intent: "passkey",
      name: "stolen",
      response: JSON.stringify(forged),
    });
    expect(post.status).toBe(302);
    expect(path(post.location)).toBe("/staff/login/totp");
    expect((await dbAll(server, "select id from staff_passkeys")).length).toBe(1);
    // Without the CSRF token the options endpoint refuses too.
    expect((await c.postForm("/staff/webauthn/options", { purpose: "authenticate" })).status).toBe(403);
  });
});

describe("signing in with a passkey", () => {
  it("the step offers the passkey and a recovery code; the passkey signs in and the session token changes", async () => {
    const { c } = await passwordStep(users.admin.email, "/staff/admin");
    const pending = c.cookies.get("sujarit_session");
    const page = await c.get("/staff/login/totp?redirectTo=%2Fstaff%2Fadmin");
    expect(page.status).toBe(200);
    expect(page.$.testId("sf-passkey")).toContain("พาสคีย์");
    expect(page.$.testId("sf-code")).toContain("รหัสกู้คืน");
    const ok = await c.passkeyCeremony("authenticate", "/staff/login/totp?redirectTo=%2Fstaff%2Fadmin", adminAuth);
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    expect(path(ok.location)).toBe("/staff/admin");
    expect(c.cookies.get("sujarit_session")).not.toBe(pending);
    expect((await c.get("/staff/admin")).status).toBe(200);
    const row = await dbGet(server, "select counter, last_used_at from staff_passkeys where staff_id = ?", await idOf(users.admin.email));
    expect(row!.counter).toBe(1);
    expect(row!.last_used_at).toBeTruthy();
    // A fully signed-in session has nothing to answer.
    expect((await options(c, "authenticate", c.cookies.get("csrf") ?? "")).status).toBe(409);
  });

  it("refuses a credential that is not the person's, another site's origin, a used challenge and a counter that goes back", async () => {
    const adminId = await idOf(users.admin.email);
    const refused = async (
      label: string,
      tamper: (o: { challenge: string; [k: string]: any }) => Record<string, unknown>,
      status = 401,
    ) => {
      const { c } = await passwordStep(users.admin.email);
      const res = await c.passkeyCeremony("authenticate", "/staff/login/totp", adminAuth, { tamper });
      expect(res.status, `${label}: ${res.$.text().slice(0, 200)}`).toBe(status);
      expect(res.$.testId("passkey-error"), label).toBeTruthy();
      const after = await c.get("/staff");
      expect(after.status, label).toBe(302);
      expect(path(after.location), label).toBe("/staff/login/totp");
    };
    // A passkey of another authenticator (never registered, or registered to someone else).
    const foreign = new SoftAuthenticator(server.url);
    foreign.register({ challenge: "AAAA", rp: { id: "127.0.0.1", name: "x" }, user: { id: "AAAA", name: "x", displayName: "x" } });
    await refused("foreign credential", (o) => foreign.authenticate(o, { use: foreign.credentials[0] }));
    // The right passkey, but the answer was made for another site.
    await refused("other origin", (o) => adminAuth.authenticate(o, { origin: "https://phish.example" }));
    // Two failures so far (of five): a success clears them.
    const { c: good } = await passwordStep(users.admin.email);
    expect((await good.passkeyCeremony("authenticate", "/staff/login/totp", adminAuth)).status).toBe(302);

    // A used challenge: an answer to an earlier challenge, posted after fresh options were issued.
    let stale: Record<string, unknown> | null = null;
    await (async () => {
      const { c } = await passwordStep(users.admin.email);
      const page = await c.get("/staff/login/totp");
      const o = JSON.parse((await options(c, "authenticate", csrfOf(page))).text);
      stale = adminAuth.authenticate(o);
    })();
    await refused("answer to an old challenge", () => stale!);
    // Without asking for options at all (the challenge is gone): "press again", not counted as a wrong factor.
    {
      const { c } = await passwordStep(users.admin.email);
      const page = await c.get("/staff/login/totp");
      const res = await c.postForm("/staff/login/totp", { csrf: csrfOf(page), intent: "passkey", response: JSON.stringify(stale) });
      expect(res.status).toBe(400);
      expect(res.$.testId("passkey-error")).toContain("หมดเวลา");
    }
    // A counter that goes back (a cloned authenticator).
    const before = (await dbGet<{ counter: number }>(server, "select counter from staff_passkeys where staff_id = ?", adminId))!.counter;
    expect(before).toBeGreaterThan(1);
    await refused("counter went back", (o) => adminAuth.authenticate(o, { counter: 1 }));
    adminAuth.credentials[0].signCount = before;
    // Still fine with the real one afterwards.
    const { c: again } = await passwordStep(users.admin.email);
    expect((await again.passkeyCeremony("authenticate", "/staff/login/totp", adminAuth)).status).toBe(302);
  });

  it("a wrong recovery code, or six digits without an authenticator app, is refused", async () => {
    const { c } = await passwordStep(users.admin.email);
    const page = await c.get("/staff/login/totp");
    expect(page.status).toBe(200);
    const wrong = await c.postForm("/staff/login/totp", { csrf: csrfOf(page), code: "ABCDE-FGHJK" });
    expect(wrong.status).toBe(401);
    expect(wrong.$.testId("totp-error")).toBeTruthy();
    // A six-digit code means nothing without an authenticator app.
    const digits = await c.postForm("/staff/login/totp", { csrf: csrfOf(page), code: "123456" });
    expect(digits.status).toBe(401);
    // Clear the two failures with the passkey.
    expect((await c.passkeyCeremony("authenticate", "/staff/login/totp", adminAuth)).status).toBe(302);
  });
});

describe("other roles: only when an administrator turns it on", () => {
  let officerSession: HttpClient;

  it("an officer signs in with the password alone while the setting is off", async () => {
    officerSession = newClient();
    const res = await officerSession.passwordStep(users.officer.email, PASSWORD);
    expect(res.status).toBe(302);
    expect(path(res.location)).toBe("/staff");
    expect((await officerSession.get("/staff")).status).toBe(200);
  });

  it("the security page lists every role; the fixed roles cannot be turned off (422) and others may not change anything", async () => {
    const page = await admin.get("/staff/admin/security");
    expect(page.status).toBe(200);
    for (const role of ["admin", "supervisor", "integrity"]) expect(page.$.testIdAttr(`security-role-${role}`, "data-required")).toBe("1");
    for (const role of ["officer", "intake", "executive"]) expect(page.$.testIdAttr(`security-role-${role}`, "data-required")).toBe("0");
    const auditBefore = (await dbAll(server, "select id from audit_log where action = 'second_factor.policy'")).length;
    for (const role of ["admin", "supervisor", "integrity"]) {
      const res = await admin.postForm("/staff/admin/security", { csrf: csrfOf(page), role, required: "0" });
      expect(res.status, role).toBe(422);
      expect(res.$.testId("security-error"), role).toContain("ปิดไม่ได้");
    }
    expect((await admin.postForm("/staff/admin/security", { csrf: csrfOf(page), role: "nobody", required: "1" })).status).toBe(400);
    expect((await admin.postForm("/staff/admin/security", { csrf: csrfOf(page), role: "officer", required: "maybe" })).status).toBe(400);
    expect((await admin.postForm("/staff/admin/security", { role: "officer", required: "1" })).status, "no CSRF token").toBe(403);
    // A supervisor is not an administrator.
    const sup = await supervisorClient();
    expect((await sup.get("/staff/admin/security")).status).toBe(403);
    expect(
      (await sup.postForm("/staff/admin/security", { csrf: sup.cookies.get("csrf") ?? "", role: "officer", required: "1" })).status,
    ).toBe(403);
    expect(await dbAll(server, "select role from second_factor_roles")).toEqual([]);
    expect((await dbAll(server, "select id from audit_log where action = 'second_factor.policy'")).length).toBe(auditBefore);
  });

  it("once the admin turns it on for officers, the officer's session and their next sign-in go to the set-up; intake is not affected", async () => {
    const page = await admin.get("/staff/admin/security");
    const on = await admin.postForm("/staff/admin/security", { csrf: csrfOf(page), role: "officer", required: "1" });
    expect(on.status).toBe(302);
    expect(await dbAll(server, "select role, set_by from second_factor_roles")).toEqual([
      { role: "officer", set_by: await idOf(users.admin.email) },
    ]);
    const shown = await admin.get("/staff/admin/security");
    expect(shown.$.testIdAttr("security-role-officer", "data-required")).toBe("1");
    // The officer's open session now needs it.
    const r = await officerSession.get("/staff");
    expect(r.status).toBe(302);
    expect(path(r.location)).toBe("/staff/totp-setup");
    const { res } = await passwordStep(users.officer.email);
    expect(path(res.location)).toBe("/staff/totp-setup");
    // The intake person still signs in with the password only.
    const intake = await passwordStep(users.intake.email);
    expect(path(intake.res.location)).toBe("/staff");
    // The officer sets up a passkey through the helper and works again.
    const c = newClient();
    const done = await c.login(users.officer.email, PASSWORD);
    expect(done.status).toBe(302);
    expect(path(done.location)).toBe("/staff");
    expect((await c.get("/staff")).status).toBe(200);
    expect(helperPasskeyOf(server.url, users.officer.email)).toBeTruthy();
  });

  it("turning it off again: an officer who has a passkey is still asked for it (what one set up is always asked)", async () => {
    const page = await admin.get("/staff/admin/security");
    expect((await admin.postForm("/staff/admin/security", { csrf: csrfOf(page), role: "officer", required: "0" })).status).toBe(302);
    expect(await dbAll(server, "select role from second_factor_roles")).toEqual([]);
    const { res } = await passwordStep(users.officer.email);
    expect(path(res.location)).toBe("/staff/login/totp");
  });
});

describe("managing one's passkeys", () => {
  it("removing the last second factor of a role that needs one is refused (409); with a second passkey it works", async () => {
    const adminId = await idOf(users.admin.email);
    const list = await admin.get("/staff/passkeys");
    expect(list.status).toBe(200);
    expect(list.$.testId("passkey-name")).toBe("คอมพิวเตอร์ ที่ทำงาน");
    const first = (await dbGet<{ id: number }>(server, "select id from staff_passkeys where staff_id = ?", adminId))!.id;
    const refused = await admin.postForm("/staff/passkeys", { csrf: csrfOf(list), intent: "remove", id: String(first) });
    expect(refused.status).toBe(409);
    expect(refused.$.testId("passkey-row-error")).toContain("ลบพาสคีย์นี้ไม่ได้");
    expect((await dbAll(server, "select id from staff_passkeys where staff_id = ?", adminId)).length).toBe(1);

    // A second passkey (another authenticator) from the signed-in page.
    const phone = new SoftAuthenticator(server.url);
    const added = await admin.passkeyCeremony("register", "/staff/passkeys", phone, { name: "โทรศัพท์" });
    expect(added.status, added.$.text().slice(0, 300)).toBe(302);
    expect(added.location).toContain("/staff/passkeys?added=1");
    const after = await admin.get("/staff/passkeys?added=1");
    expect(after.$.testId("passkeys-flash")).toBeTruthy();
    expect(after.$.testId("new-recovery-codes"), "the admin already has recovery codes").toBeNull();
    // The same authenticator cannot register twice (the options exclude its credential).
    const again = await admin.passkeyCeremony("register", "/staff/passkeys", phone).catch((e: Error) => e);
    expect(again instanceof Error ? again.name : "").toBe("InvalidStateError");

    // Rename, then remove the first one.
    const page = await admin.get("/staff/passkeys");
    const renamed = await admin.postForm("/staff/passkeys", { csrf: csrfOf(page), intent: "rename", id: String(first), name: "โน้ตบุ๊กเก่า" });
    expect(renamed.status).toBe(302);
    expect((await dbGet(server, "select name from staff_passkeys where id = ?", first))!.name).toBe("โน้ตบุ๊กเก่า");
    expect((await admin.postForm("/staff/passkeys", { csrf: csrfOf(page), intent: "rename", id: String(first), name: "   " })).status).toBe(
      422,
    );
    const removed = await admin.postForm("/staff/passkeys", { csrf: csrfOf(page), intent: "remove", id: String(first) });
    expect(removed.status).toBe(302);
    expect((await dbAll(server, "select id from staff_passkeys where staff_id = ?", adminId)).length).toBe(1);
    // The removed passkey no longer signs in; the phone does.
    const { c } = await passwordStep(users.admin.email);
    const old = await c.passkeyCeremony("authenticate", "/staff/login/totp", adminAuth, {
      tamper: (o) => adminAuth.authenticate(o, { use: adminAuth.credentials[0] }),
    });
    expect(old.status).toBe(401);
    expect((await c.passkeyCeremony("authenticate", "/staff/login/totp", phone)).status).toBe(302);
    // And now the phone is the last one.
    const last = (await dbGet<{ id: number }>(server, "select id from staff_passkeys where staff_id = ?", adminId))!.id;
    const page2 = await admin.get("/staff/passkeys");
    expect((await admin.postForm("/staff/passkeys", { csrf: csrfOf(page2), intent: "remove", id: String(last) })).status).toBe(409);
    // Someone else's passkey is not found.
    const officerKey = (await dbGet<{ id: number }>(
      server,
      "select id from staff_passkeys where staff_id = ?",
      await idOf(users.officer.email),
    ))!.id;
    expect((await admin.postForm("/staff/passkeys", { csrf: csrfOf(page2), intent: "remove", id: String(officerKey) })).status).toBe(404);
    expect(
      (await admin.postForm("/staff/passkeys", { csrf: csrfOf(page2), intent: "rename", id: String(officerKey), name: "x" })).status,
    ).toBe(404);
    adminAuth = phone;
  });

  it("someone whose role does not need a second factor may add a passkey (then it is asked, with recovery codes) and remove it again", async () => {
    const c = newClient();
    expect(path((await c.passwordStep(users.intake.email, PASSWORD)).location)).toBe("/staff");
    const key = new SoftAuthenticator(server.url);
    const added = await c.passkeyCeremony("register", "/staff/passkeys", key, { name: "กุญแจ USB" });
    expect(added.status).toBe(302);
    // This session proved the passkey: it stays open (its cookie was replaced).
    const page = await c.get("/staff/passkeys?added=1");
    expect(page.status).toBe(200);
    expect([...(page.$.testId("new-recovery-codes") ?? "").matchAll(/[A-Z0-9]{5}-[A-Z0-9]{5}/g)]).toHaveLength(10);
    // The next sign-in asks for it; a recovery code works once and leads to this page.
    const { c: next, res } = await passwordStep(users.intake.email);
    expect(path(res.location)).toBe("/staff/login/totp");
    const codes = [...(page.$.testId("new-recovery-codes") ?? "").matchAll(/[A-Z0-9]{5}-[A-Z0-9]{5}/g)].map((m) => m[0]);
    const step = await next.get("/staff/login/totp");
    expect(step.$.testId("sf-code")).toContain("รหัสกู้คืน");
    const viaCode = await next.postForm("/staff/login/totp", { csrf: csrfOf(step), code: codes[0] });
    expect(viaCode.status).toBe(302);
    expect(viaCode.location).toContain("/staff/passkeys?recoveryLeft=9");
    const { c: third } = await passwordStep(users.intake.email);
    const step3 = await third.get("/staff/login/totp");
    expect((await third.postForm("/staff/login/totp", { csrf: csrfOf(step3), code: codes[0] })).status, "used once").toBe(401);
    // Removing the only passkey is allowed for this role; the sign-in then no longer asks.
    const list = await c.get("/staff/passkeys");
    const id = (await dbGet<{ id: number }>(server, "select id from staff_passkeys where staff_id = ?", await idOf(users.intake.email)))!
      .id;
    expect((await c.postForm("/staff/passkeys", { csrf: csrfOf(list), intent: "remove", id: String(id) })).status).toBe(302);
    expect(path((await newClient().passwordStep(users.intake.email, PASSWORD)).location)).toBe("/staff");
  });
});

describe("audit", () => {
  it("records set-ups, passkey sign-ins, additions, renames, removals and policy changes — without keys, names or codes", async () => {
    const rows = await dbAll<{ action: string; actor_id: number; details: string; target_id: string }>(
      server,
      "select action, actor_id, details, target_id from audit_log where action in ('passkey.register', 'passkey.rename', 'passkey.remove', 'login.passkey', 'second_factor.policy', 'totp.setup', 'login.totp') order by id",
    );
    const adminId = await idOf(users.admin.email);
    const ofAdmin = rows.filter((r) => r.actor_id === adminId).map((r) => r.action);
    expect(ofAdmin.filter((a) => a === "passkey.register")).toHaveLength(2);
    expect(ofAdmin).toContain("passkey.rename");
    expect(ofAdmin.filter((a) => a === "passkey.remove")).toHaveLength(1);
    expect(ofAdmin.filter((a) => a === "login.passkey").length).toBeGreaterThanOrEqual(4);
    const policy = rows.filter((r) => r.action === "second_factor.policy").map((r) => JSON.parse(r.details));
    expect(policy).toEqual([
      { role: "officer", required: true },
      { role: "officer", required: false },
    ]);
    expect(rows.some((r) => r.action === "totp.setup")).toBe(true);
    const intakeId = await idOf(users.intake.email);
    expect(rows.filter((r) => r.actor_id === intakeId).map((r) => r.action)).toEqual(["passkey.register", "login.totp", "passkey.remove"]);
    const all = JSON.stringify(await dbAll(server, "select * from audit_log"));
    for (const p of await dbAll<{ credential_id: string; public_key: string }>(
      server,
      "select credential_id, public_key from staff_passkeys",
    )) {
      expect(all).not.toContain(p.credential_id);
      expect(all).not.toContain(p.public_key);
    }
    for (const secret of ["คอมพิวเตอร์", "โทรศัพท์", "กุญแจ USB", supSecret]) expect(all).not.toContain(secret);
  });
});

/** A signed-in supervisor (TOTP set up in the first tests), with a code of a step not used yet. */
async function supervisorClient(): Promise<HttpClient> {
  const { c } = await passwordStep(users.sup.email);
  const page = await c.get("/staff/login/totp");
  const step = Math.max(Math.floor(Date.now() / 30_000), supLastStep + 1);
  if (step > Math.floor(Date.now() / 30_000) + 1) await new Promise((r) => setTimeout(r, 30_000));
  supLastStep = step;
  const res = await c.postForm("/staff/login/totp", { csrf: csrfOf(page), code: totpCode(supSecret, step * 30_000) });
  expect(res.status, res.$.text().slice(0, 300)).toBe(302);
  return c;
}
