/**
 * Staff back office, black-box: division-based access, read-only executives, the officer's workflow (accept,
 * assign, public reply by e-mail and on /track, internal note, resolve), invalid transitions, login throttling.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { storedFile } from "../helpers/file-store";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { HttpClient, csrfOf, fileComplaint, makeJpeg, type FiledComplaint, type HttpResult } from "../helpers/http";

let server: TestServer;
let smtp: TestSmtp;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  works: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "เจ้าหน้าที่กองช่าง" },
  health: { email: `health-${tag}@wangluek.go.th`, role: "officer" as const, division: "health", name: "เจ้าหน้าที่กองสาธารณสุข" },
  exec: { email: `exec-${tag}@wangluek.go.th`, role: "executive" as const, name: "นายก อบต." },
  locky: { email: `locky-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ผู้ถูกล็อก" },
};
const ids: Record<keyof typeof users, number> = { works: 0, health: 0, exec: 0, locky: 0 };
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.30.0.${++ipSeq}` });

const emailA = `road-${tag}@example.th`;
const subjectA = `ถนนพัง <script>alert("staff${tag}")</script>`;
let caseA: FiledComplaint; // road → กองช่าง (works)
let caseB: FiledComplaint; // waste → กองสาธารณสุขฯ (health), with a photo
let attachmentB: { id: number; sha256: string };
let attachmentA: { id: number; sha256: string };
let works: HttpClient;
let health: HttpClient;
let exec: HttpClient;

async function loggedIn(user: keyof typeof users): Promise<HttpClient> {
  const c = newClient();
  const res = await c.login(users[user].email, PASSWORD);
  expect(res.status, `login of ${user}: ${res.$.text().slice(0, 300)}`).toBeGreaterThanOrEqual(300);
  expect(res.status).toBeLessThan(400);
  expect(new URL(res.location!).pathname).toBe("/staff");
  return c;
}

/** POSTs an intent to the case page with the CSRF token of the client's last page. */
async function act(c: HttpClient, reference: string, fields: Record<string, string>): Promise<HttpResult> {
  const page = await c.get(`/staff/cases/${reference}`);
  const csrf = page.status === 200 ? csrfOf(page) : (c.cookies.get("csrf") ?? "");
  return c.postForm(`/staff/cases/${reference}`, { csrf, ...fields });
}

async function snapshot(reference: string) {
  const complaint = await dbGet(server, "select * from complaints where reference = ?", reference);
  const events = await dbAll(server, "select * from case_events where complaint_id = ? order by id", complaint!.id);
  // Which messages were queued (their delivery status changes in the background, so it is left out).
  const outbox = await dbAll(server, "select id, kind from outbox where complaint_id = ? order by id", complaint!.id);
  return { complaint, events, outbox };
}

async function track(reference: string, code: string) {
  const c = newClient();
  const page = await c.get("/track");
  return c.postForm("/track", { csrf: csrfOf(page), reference, code });
}

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url, TRUSTED_PROXIES: "127.0.0.1" } });
  for (const [key, u] of Object.entries(users)) {
    await createStaffUser(server, { ...u, password: PASSWORD });
    const row = await dbGet(server, "select id from staff where email = ?", u.email);
    if (!row) throw new Error(`staff ${u.email} was not created`);
    ids[key as keyof typeof users] = row.id;
  }
  caseA = await fileComplaint(newClient(), { subject: subjectA, contactEmail: emailA, category: "road" }, [
    { filename: "road.jpg", type: "image/jpeg", data: await makeJpeg(3) },
  ]);
  caseB = await fileComplaint(newClient(), { subject: `ขยะไม่มีคนเก็บ ${tag}`, contactEmail: `waste-${tag}@example.th`, category: "waste" }, [
    { filename: "waste.jpg", type: "image/jpeg", data: await makeJpeg(5) },
  ]);
  attachmentA = (await dbGet(
    server,
    "select a.id, a.sha256 from attachments a join complaints c on c.id = a.complaint_id where c.reference = ?",
    caseA.reference,
  )) as any;
  attachmentB = (await dbGet(
    server,
    "select a.id, a.sha256 from attachments a join complaints c on c.id = a.complaint_id where c.reference = ?",
    caseB.reference,
  )) as any;
  const t = await track(caseA.reference, caseA.trackingCode);
  expect(t.$.testIdAttr("case-status", "data-status")).toBe("received");
  [works, health, exec] = [await loggedIn("works"), await loggedIn("health"), await loggedIn("exec")];
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("staff CLI", () => {
  it("created the accounts with a hashed password and the right division and role", async () => {
    const row = await dbGet(
      server,
      "select s.*, d.code as division_code from staff s left join divisions d on d.id = s.division_id where s.email = ?",
      users.works.email,
    );
    expect(row).toMatchObject({ role: "officer", division_code: "works", active: 1, name: users.works.name });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
    const ex = await dbGet(server, "select role, division_id from staff where email = ?", users.exec.email);
    expect(ex).toEqual({ role: "executive", division_id: null });
  });
});

describe("access control", () => {
  it("sends anonymous visitors to the login page and refuses their writes", async () => {
    const anon = newClient();
    const res = await anon.get(`/staff/cases/${caseA.reference}`);
    expect([302, 303]).toContain(res.status);
    expect(new URL(res.location!).pathname).toBe("/staff/login");
    const file = await anon.get(`/staff/cases/${caseA.reference}/attachments/${attachmentA.id}`);
    expect(file.status).not.toBe(200);
    expect(file.headers.get("content-type") ?? "").not.toMatch(/image\//);
    const before = await snapshot(caseA.reference);
    await anon.get("/");
    const post = await anon.postForm(`/staff/cases/${caseA.reference}`, { csrf: anon.cookies.get("csrf") ?? "", intent: "accept" });
    expect(post.status).toBeGreaterThanOrEqual(300);
    expect(post.status).toBeLessThan(500);
    expect(await snapshot(caseA.reference)).toEqual(before);
  });

  it("an officer sees the cases of their own division, with attachments, and markup escaped", async () => {
    const page = await works.get(`/staff/cases/${caseA.reference}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(caseA.reference);
    expect(page.text).not.toContain(`<script>alert("staff${tag}")`);
    expect(page.text).toContain(`&lt;script&gt;alert(`);
    const file = await works.get(`/staff/cases/${caseA.reference}/attachments/${attachmentA.id}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^image\/jpeg/);
    expect(file.headers.get("x-content-type-options")).toContain("nosniff");
    expect(file.headers.get("content-disposition") ?? "").toMatch(/^(attachment|inline)/);
    const stored = (await storedFile(server, `uploads/${attachmentA.sha256.slice(0, 2)}/${attachmentA.sha256}`))!;
    const res = await fetch(`${server.url}/staff/cases/${caseA.reference}/attachments/${attachmentA.id}`, {
      headers: { Cookie: works.cookieHeader(), "X-Forwarded-For": "10.30.9.9" },
    });
    expect(Buffer.from(await res.arrayBuffer()).equals(stored)).toBe(true);
  });

  it("an officer of กองช่าง cannot open another division's case nor download its attachments", async () => {
    // Positive control: the health officer can.
    expect((await health.get(`/staff/cases/${caseB.reference}`)).status).toBe(200);
    expect((await health.get(`/staff/cases/${caseB.reference}/attachments/${attachmentB.id}`)).status).toBe(200);

    const page = await works.get(`/staff/cases/${caseB.reference}`);
    expect([403, 404]).toContain(page.status);
    expect(page.text).not.toContain(`ขยะไม่มีคนเก็บ ${tag}`);
    const file = await works.get(`/staff/cases/${caseB.reference}/attachments/${attachmentB.id}`);
    expect([403, 404]).toContain(file.status);
    // Nor through a case they may see.
    const sideways = await works.get(`/staff/cases/${caseA.reference}/attachments/${attachmentB.id}`);
    expect([403, 404]).toContain(sideways.status);
    // The queue does not list it either.
    const queue = await works.get("/staff");
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(caseA.reference);
    expect(queue.text).not.toContain(caseB.reference);

    const before = await snapshot(caseB.reference);
    const post = await works.postForm(`/staff/cases/${caseB.reference}`, { csrf: works.cookies.get("csrf")!, intent: "accept" });
    expect([403, 404]).toContain(post.status);
    expect(await snapshot(caseB.reference)).toEqual(before);
  });

  it("an executive can view any case, but every intent is refused with 403 and nothing changes", async () => {
    for (const c of [caseA, caseB]) expect((await exec.get(`/staff/cases/${c.reference}`)).status).toBe(200);
    const before = await snapshot(caseA.reference);
    const intents: Record<string, string>[] = [
      { intent: "accept" },
      { intent: "start" },
      { intent: "request_info", note: "ขอข้อมูลเพิ่ม" },
      { intent: "info_received" },
      { intent: "resolve", resultSummary: "ซ่อมแล้ว" },
      { intent: "forward", forwardedTo: "แขวงทางหลวง" },
      { intent: "reopen" },
      { intent: "assign", divisionId: "1", assigneeId: String(ids.exec) },
      { intent: "reply", note: "ตอบจากผู้บริหาร" },
      { intent: "note", note: "บันทึกจากผู้บริหาร" },
    ];
    for (const f of intents) {
      const res = await act(exec, caseA.reference, f);
      expect(res.status, `executive ${f.intent}`).toBe(403);
    }
    expect(await snapshot(caseA.reference)).toEqual(before);
  });

  it("a request without the CSRF token is refused with 403", async () => {
    const before = await snapshot(caseA.reference);
    const res = await works.postForm(`/staff/cases/${caseA.reference}`, { intent: "accept" });
    expect(res.status).toBe(403);
    expect(await snapshot(caseA.reference)).toEqual(before);
  });
});

describe("an officer handles a case", () => {
  const reply = `ทีมช่างจะเข้าซ่อมถนนภายในวันศุกร์นี้ ${tag}`;
  const internal = `ภายใน: ใช้งบซ่อมบำรุง ${tag}`;
  const summary = `ซ่อมผิวถนนเรียบร้อยแล้ว ${tag}`;

  function expectOk(res: HttpResult, what: string) {
    expect([200, 302, 303], `${what}: ${res.status} ${res.$.text().slice(0, 300)}`).toContain(res.status);
  }

  it("accepts", async () => {
    const res = await act(works, caseA.reference, { intent: "accept" });
    expectOk(res, "accept");
    const { complaint, events } = await snapshot(caseA.reference);
    expect(complaint).toMatchObject({ status: "accepted" });
    expect(complaint!.accepted_at).toBeTruthy();
    expect(events.at(-1)).toMatchObject({ kind: "status", from_status: "received", to_status: "accepted", actor_id: ids.works });
  });

  it("assigns the case to themself", async () => {
    const division = await dbGet(server, "select id from divisions where code = 'works'");
    const res = await act(works, caseA.reference, { intent: "assign", divisionId: String(division!.id), assigneeId: String(ids.works) });
    expectOk(res, "assign");
    const { complaint, events } = await snapshot(caseA.reference);
    expect(complaint).toMatchObject({ assignee_id: ids.works, division_id: division!.id, status: "accepted" });
    expect(events.at(-1)).toMatchObject({ kind: "assign", assignee_id: ids.works, actor_id: ids.works });
  });

  it("replies publicly: the citizen gets an e-mail and sees it on /track", async () => {
    const res = await act(works, caseA.reference, { intent: "reply", note: reply });
    expectOk(res, "reply");
    const { events } = await snapshot(caseA.reference);
    expect(events.at(-1)).toMatchObject({ kind: "reply", note: reply, is_public: 1, actor_id: ids.works });
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(emailA) && m.text.includes(reply), 15_000);
    expect(`${mail.subject}\n${mail.text}`).toContain(caseA.reference);
    expect(mail.text).not.toContain(caseA.trackingCode);
    const t = await track(caseA.reference, caseA.trackingCode);
    expect(t.status).toBe(200);
    expect(t.$.text()).toContain(reply);
  });

  it("adds an internal note that the citizen never sees", async () => {
    const res = await act(works, caseA.reference, { intent: "note", note: internal });
    expectOk(res, "note");
    const { events } = await snapshot(caseA.reference);
    expect(events.at(-1)).toMatchObject({ kind: "note", note: internal, is_public: 0 });
    const page = await works.get(`/staff/cases/${caseA.reference}`);
    expect(page.$.text()).toContain(internal);
    const t = await track(caseA.reference, caseA.trackingCode);
    expect(t.status).toBe(200);
    expect(t.text).not.toContain(internal);
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp.messages.some((m) => m.text.includes(internal) || m.html.includes(internal))).toBe(false);
  });

  it("resolve without a result summary is refused", async () => {
    const before = await snapshot(caseA.reference);
    const res = await act(works, caseA.reference, { intent: "resolve", resultSummary: "" });
    expect(res.status).toBe(422);
    expect(await snapshot(caseA.reference)).toEqual(before);
  });

  it("resolves with a result summary", async () => {
    const res = await act(works, caseA.reference, { intent: "resolve", resultSummary: summary });
    expectOk(res, "resolve");
    const { complaint, events } = await snapshot(caseA.reference);
    expect(complaint).toMatchObject({ status: "resolved", result_summary: summary });
    expect(complaint!.closed_at).toBeTruthy();
    expect(events.at(-1)).toMatchObject({ kind: "status", from_status: "accepted", to_status: "resolved" });
    const t = await track(caseA.reference, caseA.trackingCode);
    expect(t.status).toBe(200);
    expect(t.$.testIdAttr("case-status", "data-status")).toBe("resolved");
    expect(t.$.testId("result-summary")).toBe(summary);
    expect(t.$.text()).toContain(reply);
  });

  it("resolving twice is an invalid transition: 409 with a message, nothing changes", async () => {
    const before = await snapshot(caseA.reference);
    const res = await act(works, caseA.reference, { intent: "resolve", resultSummary: "อีกครั้ง" });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/role="alert"/);
    expect(await snapshot(caseA.reference)).toEqual(before);
    const unknown = await act(works, caseA.reference, { intent: "explode" });
    expect(unknown.status).toBe(400);
    expect(await snapshot(caseA.reference)).toEqual(before);
  });
});

describe("login throttling", () => {
  it("after repeated wrong passwords an unfamiliar browser waits, even with the right password", async () => {
    const c = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await c.login(users.locky.email, `wrong-password-${i}`);
      statuses.push(res.status);
      if (res.status === 429) break;
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 429 && s !== 401)).toEqual([]);
    const right = await c.login(users.locky.email, PASSWORD);
    expect(right.status).toBe(429);
    expect(right.location).toBeNull();
    expect(right.$.testId("login-error")).toBeTruthy();
    const row = await dbGet(server, "select failed_logins, locked_until from staff where email = ?", users.locky.email);
    expect(row!.failed_logins).toBeGreaterThanOrEqual(1);
    expect(Date.parse(row!.locked_until)).toBeGreaterThan(Date.now());
    // From another unfamiliar browser, too: the wait is on the account (the person's own browser is not made to wait:
    // tests/integration/accounts.test.ts).
    const elsewhere = await newClient().login(users.locky.email, PASSWORD);
    expect(elsewhere.status).toBe(429);
  });

  it("a wrong password is a 401 with a message, and does not reveal whether the account exists", async () => {
    const a = await newClient().login(users.works.email, "nope");
    const b = await newClient().login(`nobody-${tag}@wangluek.go.th`, "nope");
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.$.testId("login-error")).toBe(b.$.testId("login-error"));
    expect(a.location).toBeNull();
  });

  it("logs never contain passwords or staff e-mail addresses", async () => {
    await waitUntil(() => server.logs().includes("staff login"), "login log line");
    const logs = server.logs();
    for (const s of [PASSWORD, "wrong-password-0", users.works.email, users.locky.email, emailA, caseA.trackingCode])
      expect(logs).not.toContain(s);
  });
});
