/**
 * Integrity officers' second factor and the walls around the report channel, black-box against the real server:
 * - an integrity officer whose session has only passed the password reaches nothing but the TOTP pages (first login:
 *   the set-up page with QR code and secret; later: the code step) — not the queue, not a report, not /staff;
 * - a valid code opens the queue; a code is refused when replayed (even from another session); a recovery code works
 *   exactly once; wrong codes are throttled and lock the account;
 * - every /staff/integrity* and /staff/audit route answers 403/404 to admin (except settings and audit), supervisor,
 *   officer, intake and executive, and a login redirect to anonymous visitors; the refusals carry no report content;
 * - successes and refusals are in the audit log (login.totp, totp.setup, report.denied) without content.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../app/lib/totp";
import { createStaffUser, dbAll, dbGet, startServer, type StaffUserInput, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, formData, makeJpeg, submissionKeyOf, type HttpResult } from "../helpers/http";
import { integrityLogin, totpAccount } from "../helpers/report";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "integrity access password 2569";
const PHRASE = `เงินทอนโครงการประปา-${tag}-OKAPI`;
const REPORTER = `ผู้แจ้งลับ ${tag}`;
type Role = "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity";
const users: Record<string, { email: string; role: Role; division?: string; name: string }> = {
  admin: { email: `a-${tag}@wangluek.go.th`, role: "admin", name: "ผู้ดูแลระบบ" },
  supervisor: { email: `s-${tag}@wangluek.go.th`, role: "supervisor", name: "ปลัด" },
  officer: { email: `o-${tag}@wangluek.go.th`, role: "officer", division: "works", name: "เจ้าหน้าที่" },
  intake: { email: `in-${tag}@wangluek.go.th`, role: "intake", name: "รับเรื่อง" },
  executive: { email: `e-${tag}@wangluek.go.th`, role: "executive", name: "นายก" },
  integrity: { email: `g-${tag}@wangluek.go.th`, role: "integrity", name: `ผู้รับผิดชอบ ${tag}` },
  locked: { email: `l-${tag}@wangluek.go.th`, role: "integrity", name: `ผู้ถูกล็อก ${tag}` },
  // Signs in before the report is filed, so the report has a recipient (the others have no keys yet).
  receiver: { email: `r-${tag}@wangluek.go.th`, role: "integrity", name: "ผู้รับเรื่องคนแรก" },
};
let receiverClient: HttpClient;
const GENERAL = ["admin", "supervisor", "officer", "intake", "executive"] as const;
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.61.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });

let secret = "";
let recoveryCodes: string[] = [];
let publicId = "";
let attachmentId = 0;
/** Step of the last code accepted for `integrity` (tests use later steps so that nothing waits 30 s). */
let lastStep = 0;

const path = (u: string | null) => (u ? new URL(u).pathname : "");
const contentIn = (r: HttpResult) => [PHRASE, REPORTER].filter((p) => r.text.includes(p));

async function passwordOnly(email: string, redirectTo = "/staff/integrity"): Promise<{ c: HttpClient; res: HttpResult }> {
  const c = newClient();
  const res = await c.passwordStep(email, PASSWORD, redirectTo);
  expect(res.status, res.$.text().slice(0, 300)).toBe(302);
  return { c, res };
}

/** A code for a step after every one used so far (accepted up to one step ahead of the server's clock). */
function freshCode(): { code: string; step: number } {
  const now = Date.now();
  const step = Math.max(totpStep(now), lastStep + 1);
  if (step > totpStep(now) + 1) throw new Error("test used too many codes in one 30-second step");
  return { code: totpCode(secret, step * 30_000), step };
}

/** Password + an unused recovery code (so that no test waits for the next 30-second step). */
async function fullLogin(recoveryIndex: number): Promise<HttpClient> {
  const { c, res } = await passwordOnly(users.integrity.email);
  expect(path(res.location)).toBe("/staff/login/totp");
  const page = await c.get("/staff/login/totp");
  const ok = await c.postForm("/staff/login/totp", {
    csrf: csrfOf(page),
    code: recoveryCodes[recoveryIndex],
    redirectTo: "/staff/integrity",
  });
  expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
  return c;
}

/** A whistleblower files a confidential report with a photo through the public form. */
async function fileReport(whatHappened: string): Promise<void> {
  const w = newClient();
  const form = await w.get("/report/new");
  expect(form.status).toBe(200);
  const posted = await w.postMultipart(
    "/report/new",
    formData(
      {
        csrf: csrfOf(form),
        submissionKey: submissionKeyOf(form),
        website: "",
        mode: "confidential",
        recipient: "integrity",
        involvedName: "นายผู้ถูกร้อง",
        whatHappened,
        reporterName: REPORTER,
        reporterContact: "081 000 0000",
      },
      [{ name: "evidence", filename: "evidence.jpg", type: "image/jpeg", data: await makeJpeg(11) }],
    ),
  );
  expect(posted.status, posted.$.text().slice(0, 400)).toBe(302);
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  for (const u of Object.values(users)) {
    await createStaffUser(server, { ...u, role: u.role as unknown as StaffUserInput["role"], password: PASSWORD });
  }
  receiverClient = newClient();
  await integrityLogin(receiverClient, totpAccount(users.receiver.email, PASSWORD));
  await fileReport(PHRASE);
  const row = await dbGet(
    server,
    "select r.public_id, a.id as attachment_id from reports r left join report_attachments a on a.report_id = r.id order by r.id desc limit 1",
  );
  publicId = row!.public_id;
  attachmentId = row!.attachment_id;
  expect(publicId).toMatch(/^R\d{4}-\d{4,}$/);
  expect(attachmentId).toBeGreaterThan(0);
});

afterAll(async () => {
  await server?.stop();
});

describe("integrity officer: two-step sign-in", () => {
  it("without TOTP set up, the password alone opens nothing but the set-up page", async () => {
    const { c, res } = await passwordOnly(users.integrity.email);
    expect(path(res.location)).toBe("/staff/totp-setup");
    for (const p of [
      "/staff/integrity",
      `/staff/integrity/reports/${publicId}`,
      `/staff/integrity/reports/${publicId}/attachments/${attachmentId}`,
      "/staff",
      "/staff/audit",
    ]) {
      const r = await c.get(p);
      expect(r.status, p).toBe(302);
      expect(path(r.location), p).toBe("/staff/totp-setup");
      expect(contentIn(r)).toEqual([]);
    }
    // Nor does a POST to the case page do anything.
    const post = await c.postForm(`/staff/integrity/reports/${publicId}`, {
      csrf: c.cookies.get("csrf") ?? "",
      intent: "message",
      message: "x",
    });
    expect(post.status).toBe(302);
    expect((await dbAll(server, "select id from report_messages")).length).toBe(0);
    // The TOTP step itself sends a not-yet-enrolled officer to the set-up page.
    expect(path((await c.get("/staff/login/totp")).location)).toBe("/staff/totp-setup");
  });

  it("sets up TOTP with the QR code page, shows 10 recovery codes once, then opens the queue", async () => {
    const { c } = await passwordOnly(users.integrity.email);
    const setup = await c.get("/staff/totp-setup");
    expect(setup.status).toBe(200);
    expect(setup.headers.get("cache-control")).toContain("no-store");
    expect(setup.text).toContain("<svg");
    secret = (setup.$.testId("totp-secret") ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The secret is stored encrypted, not in the clear.
    const row = await dbGet(server, "select totp_secret_enc, totp_enabled_at from staff where email = ?", users.integrity.email);
    expect(row!.totp_secret_enc).toBeTruthy();
    expect(row!.totp_secret_enc).not.toContain(secret);
    expect(row!.totp_enabled_at).toBeNull();
    // A wrong code is refused and changes nothing.
    const wrong = await c.postForm("/staff/totp-setup", { csrf: csrfOf(setup), code: totpCode(secret, Date.now() - 10 * 60_000) });
    expect(wrong.status).toBe(422);
    expect(wrong.$.testId("totp-error")).toBeTruthy();
    expect((await c.get("/staff/integrity")).status).toBe(302);

    const { code, step } = freshCode();
    const ok = await c.postForm("/staff/totp-setup", { csrf: csrfOf(setup), code, redirectTo: "/staff/integrity" });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    lastStep = step;
    const shown = await c.get(ok.location!);
    expect(shown.status).toBe(200);
    recoveryCodes = [...shown.text.matchAll(/<code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code>/g)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // Shown once: a reload no longer has them.
    const again = await c.get(ok.location!);
    expect(again.status).toBe(302);
    expect(again.text).not.toContain(recoveryCodes[0]);
    // Stored only as hashes.
    const stored = await dbGet(server, "select recovery_codes, totp_enabled_at from staff where email = ?", users.integrity.email);
    expect(stored!.totp_enabled_at).toBeTruthy();
    for (const rc of recoveryCodes) expect(stored!.recovery_codes).not.toContain(rc);
    expect(JSON.parse(stored!.recovery_codes)).toHaveLength(10);

    // First sign-in: the key pair is made and its recovery key shown once, before anything else.
    const toKey = await c.get("/staff/integrity");
    expect(toKey.status).toBe(302);
    expect(path(toKey.location)).toBe("/staff/keys/recovery");
    const keyPage = await c.get(new URL(toKey.location!).pathname + new URL(toKey.location!).search);
    expect(keyPage.status).toBe(200);
    const recoveryKey = keyPage.$.testId("recovery-key") ?? "";
    expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    expect((await c.get("/staff/keys/recovery")).status, "shown once").toBe(302);
    const keyRow = await dbGet(
      server,
      "select k.* from staff_keys k join staff s on s.id = k.staff_id where s.email = ?",
      users.integrity.email,
    );
    expect(JSON.stringify(keyRow)).not.toContain(recoveryKey.replace(/-/g, ""));

    // The report was filed before this officer had keys: it exists, but it is not theirs to open.
    const before = await c.get("/staff/integrity");
    expect(before.status).toBe(200);
    expect(before.text).not.toContain(publicId);
    expect((await c.get(`/staff/integrity/reports/${publicId}`)).status).toBe(404);
    // The officer who received it gives them access from the report's page (the key is wrapped for them).
    const id = (await dbGet(server, "select id from staff where email = ?", users.integrity.email))!.id;
    const rp = await receiverClient.get(`/staff/integrity/reports/${publicId}`);
    expect(rp.status).toBe(200);
    const granted = await receiverClient.postForm(`/staff/integrity/reports/${publicId}`, {
      csrf: csrfOf(rp),
      intent: "grant",
      staffId: String(id),
    });
    expect(granted.status, granted.$.text().slice(0, 300)).toBe(302);

    const queue = await c.get("/staff/integrity");
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(publicId);
    // The queue shows no content.
    expect(contentIn(queue)).toEqual([]);
    const page = await c.get(`/staff/integrity/reports/${publicId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(PHRASE);
    expect(page.text).toContain(REPORTER);
  });

  it("the next sign-in asks for the code; a valid code opens the queue and the session token changes", async () => {
    const { c, res } = await passwordOnly(users.integrity.email);
    expect(path(res.location)).toBe("/staff/login/totp");
    const pendingToken = c.cookies.get("sujarit_session");
    expect((await c.get("/staff/integrity")).status).toBe(302);
    expect(path((await c.get("/staff/integrity")).location)).toBe("/staff/login/totp");
    const page = await c.get("/staff/login/totp");
    expect(page.status).toBe(200);
    const { code, step } = freshCode();
    const ok = await c.postForm("/staff/login/totp", { csrf: csrfOf(page), code, redirectTo: "/staff/integrity" });
    expect(ok.status).toBe(302);
    expect(path(ok.location)).toBe("/staff/integrity");
    lastStep = step;
    expect(c.cookies.get("sujarit_session")).not.toBe(pendingToken);
    expect((await c.get("/staff/integrity")).status).toBe(200);
    // The pre-TOTP token is dead.
    const stale = new HttpClient(server.url, { ip: "10.61.250.1" });
    stale.cookies.set("sujarit_session", pendingToken!);
    expect((await stale.get("/staff/integrity")).status).toBe(302);
    expect(path((await stale.get("/staff/integrity")).location)).toBe("/staff/login");

    // Replay: the same code in another session is refused.
    const other = await passwordOnly(users.integrity.email);
    const p2 = await other.c.get("/staff/login/totp");
    const replay = await other.c.postForm("/staff/login/totp", { csrf: csrfOf(p2), code });
    expect(replay.status).toBe(401);
    expect(replay.$.testId("totp-error")).toBeTruthy();
    expect((await other.c.get("/staff/integrity")).status).toBe(302);
  });

  it("a recovery code works once (any case, with or without the dash)", async () => {
    const first = await passwordOnly(users.integrity.email);
    const p1 = await first.c.get("/staff/login/totp");
    const ok = await first.c.postForm("/staff/login/totp", { csrf: csrfOf(p1), code: recoveryCodes[3].toLowerCase().replace("-", "") });
    expect(ok.status, ok.$.text().slice(0, 300)).toBe(302);
    expect((await first.c.get("/staff/integrity")).status).toBe(200);
    const left = await dbGet(server, "select recovery_codes from staff where email = ?", users.integrity.email);
    expect(JSON.parse(left!.recovery_codes)).toHaveLength(9);

    const second = await passwordOnly(users.integrity.email);
    const p2 = await second.c.get("/staff/login/totp");
    const reuse = await second.c.postForm("/staff/login/totp", { csrf: csrfOf(p2), code: recoveryCodes[3] });
    expect(reuse.status).toBe(401);
    expect((await second.c.get("/staff/integrity")).status).toBe(302);
  });

  it("throttles wrong codes: after 5 the account is locked, even for the right code and the password", async () => {
    // Enrol the second officer first.
    const { c } = await passwordOnly(users.locked.email);
    const setup = await c.get("/staff/totp-setup");
    const s2 = (setup.$.testId("totp-secret") ?? "").replace(/\s/g, "");
    const enrolled = await c.postForm("/staff/totp-setup", { csrf: csrfOf(setup), code: totpCode(s2, Date.now()) });
    expect(enrolled.status).toBe(302);
    const { c: c2 } = await passwordOnly(users.locked.email);
    const page = await c2.get("/staff/login/totp");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await c2.postForm("/staff/login/totp", { csrf: csrfOf(page), code: i % 2 ? "000000" : "ABCDE-FGHJK" })).status);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    const right = await c2.postForm("/staff/login/totp", { csrf: csrfOf(page), code: totpCode(s2, Date.now() + 30_000) });
    expect(right.status).toBe(429);
    expect((await c2.get("/staff/integrity")).status).toBe(302);
    const pw = await newClient().login(users.locked.email, PASSWORD);
    expect(pw.status).toBe(429);
  });

  it("recorded set-up and sign-ins in the audit log, without secrets", async () => {
    const rows = await dbAll(
      server,
      "select action, details from audit_log where action in ('totp.setup', 'login.totp') and actor_id != (select id from staff where email = ?) order by id",
      users.receiver.email,
    );
    expect(rows.map((r) => r.action)).toEqual(["totp.setup", "login.totp", "login.totp", "totp.setup"]);
    const all = JSON.stringify(await dbAll(server, "select * from audit_log"));
    expect(all).not.toContain(secret);
    for (const rc of recoveryCodes) expect(all).not.toContain(rc);
    expect(all).not.toContain(PHRASE);
    expect(all).not.toContain(REPORTER);
  });
});

describe("other roles and anonymous visitors", () => {
  const pages = () => [
    "/staff/integrity",
    "/staff/integrity?status=all",
    `/staff/integrity/reports/${publicId}`,
    `/staff/integrity/reports/${publicId}/attachments/${attachmentId}`,
    `/staff/integrity/reports/${publicId}/export`,
    "/staff/integrity/settings",
    "/staff/audit",
  ];
  const adminMay = (p: string) => p === "/staff/integrity/settings" || p === "/staff/audit";

  it.each(GENERAL)("%s gets 403/404 on every report route (admin: settings and audit only) and changes nothing", async (role) => {
    const c = newClient();
    const login = await c.login(users[role].email, PASSWORD);
    expect(path(login.location)).toBe("/staff");
    for (const p of pages()) {
      const r = await c.get(p);
      if (role === "admin" && adminMay(p)) expect(r.status, p).toBe(200);
      else expect([403, 404], `${role} ${p}`).toContain(r.status);
      expect(contentIn(r), `${role} ${p}`).toEqual([]);
    }
    const before = await dbAll(server, "select status from reports");
    const csrf = c.cookies.get("csrf") ?? "";
    for (const [p, fields] of [
      [`/staff/integrity/reports/${publicId}`, { intent: "message", message: `x ${tag}` }],
      [`/staff/integrity/reports/${publicId}`, { intent: "status", action: "start_review", note: "" }],
      [`/staff/integrity/reports/${publicId}`, { intent: "tags", tags: "other" }],
      [`/staff/integrity/reports/${publicId}/export`, {}],
    ] as const) {
      const r = await c.postForm(p, { csrf, ...fields });
      expect([403, 404], `${role} POST ${p}`).toContain(r.status);
      expect(contentIn(r)).toEqual([]);
    }
    expect(await dbAll(server, "select status from reports")).toEqual(before);
    expect((await dbAll(server, "select id from report_messages where author = 'officer'")).length).toBe(0);
    // The refused attempts on the report are recorded.
    const denied = await dbAll(
      server,
      "select a.* from audit_log a join staff s on s.id = a.actor_id where a.action = 'report.denied' and s.email = ?",
      users[role].email,
    );
    expect(denied.length).toBeGreaterThan(0);
  });

  it("anonymous visitors are sent to the login page and never see content", async () => {
    const c = newClient();
    await c.get("/");
    for (const p of pages()) {
      const r = await c.get(p);
      expect(r.status, p).toBe(302);
      expect(path(r.location), p).toBe("/staff/login");
      expect(contentIn(r)).toEqual([]);
    }
    const post = await c.postForm(`/staff/integrity/reports/${publicId}`, {
      csrf: c.cookies.get("csrf") ?? "",
      intent: "message",
      message: "x",
    });
    expect(post.status).toBe(302);
    expect(path((await c.get("/staff/login/totp")).location)).toBe("/staff/login");
    expect(path((await c.get("/staff/totp-setup")).location)).toBe("/staff/login");
  });

  it("an integrity officer does not see general complaints and may not change the channel's settings", async () => {
    const c = await fullLogin(5);
    const home = await c.get("/staff");
    expect(home.status).toBe(302);
    expect(path(home.location)).toBe("/staff/integrity");
    expect([403, 404]).toContain((await c.get("/staff/integrity/settings")).status);
    expect([403, 404]).toContain((await c.get("/staff/admin")).status);
    expect([403, 404]).toContain((await c.get("/staff/intake")).status);
    const audit = await c.get("/staff/audit");
    expect(audit.status).toBe(200);
    expect(audit.$.testIdAttr("chain-status", "data-ok")).toBe("true");
    expect(contentIn(audit)).toEqual([]);
  });
});

describe("report totals on the general queue", () => {
  it("count a new report at once: the cached totals are checked against the statistics version read with the session", async () => {
    const c = newClient();
    expect((await c.login(users.officer.email, PASSWORD)).status).toBe(302);
    const totals = async () => {
      const page = await c.get("/staff?lang=en");
      expect(page.status).toBe(200);
      const line = /(\d+) received · (\d+) in progress · (\d+) closed/.exec(page.$.testId("report-totals") ?? "");
      expect(line, page.$.testId("report-totals") ?? "no totals").not.toBeNull();
      expect(contentIn(page)).toEqual([]);
      return line!.slice(1).map(Number);
    };
    const before = await totals();
    expect(before[0]).toBeGreaterThanOrEqual(1);
    expect(await totals()).toEqual(before); // cached, and unchanged
    await fileReport(`${PHRASE}-second`);
    expect(await totals()).toEqual([before[0]! + 1, before[1]! + 1, before[2]]);
  });
});
