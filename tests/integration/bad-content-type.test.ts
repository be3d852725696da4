/**
 * A POST whose body is not a form (Content-Type application/json or text/plain, or a multipart type with a body that
 * is not multipart) is bad input: every route with an action answers 4xx (400 with the "form data incomplete"
 * message of /complaints/new), never 500, with or without the CSRF cookie and token, signed in or not. Black-box
 * against the production server; no "request handler error" may be logged for any of these requests.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, type HttpResult } from "../helpers/http";
import { createAnyStaff, integrityLogin, totpAccount } from "../helpers/report";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const admin = { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, name: "ผู้ดูแล" };
const integrity = { email: `int-${tag}@wangluek.go.th`, role: "integrity" as const, name: "ผู้รับผิดชอบ" };
let ipSeq = 0;
const newClient = () => {
  const n = ipSeq++;
  return new HttpClient(server.url, { ip: `10.62.${Math.floor(n / 250)}.${(n % 250) + 1}` });
};
let adminClient: HttpClient;
let integrityClient: HttpClient;
let reference = "";

const JSON_BODY = '{"a":1}';
/** The bodies sent to every route; `csrf` is the token to embed (or null for none). */
function badBodies(csrf: string | null): { label: string; contentType: string; body: string }[] {
  return [
    { label: "application/json", contentType: "application/json", body: csrf ? JSON.stringify({ a: 1, csrf }) : JSON_BODY },
    { label: "text/plain", contentType: "text/plain;charset=UTF-8", body: csrf ? `csrf=${csrf}&a=1` : JSON_BODY },
    {
      label: "multipart without a multipart body",
      contentType: "multipart/form-data; boundary=----sujarit",
      body: csrf ? `csrf=${csrf}` : JSON_BODY,
    },
  ];
}

function currentFy(): number {
  const b = new Date(Date.now() + 7 * 3600 * 1000);
  return (b.getUTCMonth() >= 9 ? b.getUTCFullYear() + 1 : b.getUTCFullYear()) + 543;
}

function handlerErrors(): number {
  return (server.logs().match(/request handler error/g) ?? []).length;
}

function expect4xx(res: HttpResult, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
}

const PUBLIC_ROUTES = [
  "/complaints/new",
  "/complaints/done",
  "/track",
  "/track/rate",
  "/feedback",
  "/language",
  "/report/new",
  "/report/inbox",
  "/report/receipt-file",
  "/staff/login",
  "/staff/login/totp",
  "/staff/totp-setup",
  "/staff/logout",
];

const adminRoutes = () => [
  `/staff/cases/${reference}`,
  "/staff/intake",
  "/staff/admin",
  "/staff/admin/escalation",
  "/staff/admin/holidays",
  "/staff/admin/sla",
  "/staff/admin/templates",
  "/staff/admin/outbox",
  "/staff/integrity/settings",
  `/staff/reports/${currentFy()}/h1`,
  `/staff/reports/${currentFy()}/year`,
];

const INTEGRITY_ROUTES = [`/staff/integrity/reports/R${currentFy()}-0001`, `/staff/integrity/reports/R${currentFy()}-0001/export`];

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  await createStaffUser(server, { ...admin, password: PASSWORD });
  await createAnyStaff(server, { ...integrity, password: PASSWORD });
  adminClient = newClient();
  expect((await adminClient.login(admin.email, PASSWORD)).status).toBe(302);
  integrityClient = newClient();
  await integrityLogin(integrityClient, totpAccount(integrity.email, PASSWORD));
  reference = (await fileComplaint(newClient(), { subject: `ถนนพัง ${tag}` })).reference;
});

afterAll(async () => {
  await server?.stop();
});

describe("public POST routes", () => {
  for (const path of PUBLIC_ROUTES) {
    it(`${path}: 4xx without cookies, and with the CSRF cookie and token`, async () => {
      const before = handlerErrors();
      for (const b of badBodies(null)) {
        const res = await newClient().postRaw(path, b.body, b.contentType);
        expect4xx(res, `${path} ${b.label}, no cookies`);
      }
      for (const b of badBodies("x")) {
        const c = newClient();
        const token = csrfOf(await c.get("/complaints/new"));
        const body = b.body.replace('"x"', JSON.stringify(token)).replace("csrf=x", `csrf=${token}`);
        const res = await c.postRaw(path, body, b.contentType);
        expect4xx(res, `${path} ${b.label}, CSRF cookie and token`);
      }
      expect(handlerErrors(), `errors logged for ${path}`).toBe(before);
    });
  }

  it("the answer explains the problem in the visitor's language", async () => {
    const th = await newClient().postRaw("/track", JSON_BODY, "application/json");
    expect(th.status).toBe(400);
    expect(th.$.text()).toContain("ข้อมูลแบบฟอร์มไม่สมบูรณ์ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง");
    const c = newClient();
    c.cookies.set("lng", "en");
    const en = await c.postRaw("/staff/login", "email=a@b.c", "text/plain");
    expect(en.status).toBe(400);
    expect(en.$.text()).toContain("The form data was incomplete. Please reload the page and try again.");
  });

  it("a proper form post still works (CSRF refused with 403, not 400)", async () => {
    const c = newClient();
    await c.get("/track");
    const res = await c.postForm("/track", { reference: "X", code: "Y" });
    expect(res.status).toBe(403);
  });

  it("the CSRF field: the page's masked token or the token itself passes; another visitor's, a changed one or none is refused with 403", async () => {
    const c = newClient();
    const page = await c.get("/track");
    const cookie = c.cookies.get("csrf")!;
    const other = newClient();
    const othersField = csrfOf(await other.get("/track"));
    const field = csrfOf(page);
    const changed = field.slice(0, 50) + (field[50] === "A" ? "B" : "A") + field.slice(51);
    const status = async (csrf: string) => (await c.postForm("/track", { csrf, reference: "X", code: "Y" })).status;
    for (const bad of [othersField, other.cookies.get("csrf")!, changed, "", `${field}x`]) expect(await status(bad)).toBe(403);
    for (const good of [field, csrfOf(await c.get("/track")), cookie]) expect(await status(good)).not.toBe(403);
  });
});

describe("staff POST routes (signed in)", () => {
  it("admin routes: 4xx with and without the CSRF token", async () => {
    const before = handlerErrors();
    const token = csrfOf(await adminClient.get("/staff"));
    for (const path of adminRoutes()) {
      for (const b of [...badBodies(null), ...badBodies(token)]) {
        const res = await adminClient.postRaw(path, b.body, b.contentType);
        expect4xx(res, `${path} ${b.label}`);
      }
    }
    expect(handlerErrors()).toBe(before);
    // Still signed in (a bad body is not a logout).
    expect((await adminClient.get("/staff/admin")).status).toBe(200);
  });

  it("the staff error page explains the problem", async () => {
    const res = await adminClient.postRaw(`/staff/cases/${reference}`, JSON_BODY, "application/json");
    expect(res.status).toBe(400);
    expect(res.$.text()).toContain("ข้อมูลแบบฟอร์มไม่สมบูรณ์ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง");
  });

  it("integrity officer routes: 4xx with and without the CSRF token", async () => {
    const before = handlerErrors();
    const token = csrfOf(await integrityClient.get("/staff/integrity"));
    for (const path of INTEGRITY_ROUTES) {
      for (const b of [...badBodies(null), ...badBodies(token)]) {
        const res = await integrityClient.postRaw(path, b.body, b.contentType);
        expect4xx(res, `${path} ${b.label}`);
      }
    }
    expect(handlerErrors()).toBe(before);
  });

  it("the TOTP pages with a pending sign-in: 4xx", async () => {
    const before = handlerErrors();
    const c = newClient();
    const login = await c.login(integrity.email, PASSWORD);
    expect(login.status).toBe(302);
    const step = new URL(login.location!).pathname;
    expect(step).toBe("/staff/login/totp");
    const token = csrfOf(await c.get(step));
    for (const path of ["/staff/login/totp", "/staff/totp-setup"]) {
      for (const b of [...badBodies(null), ...badBodies(token)]) {
        const res = await c.postRaw(path, b.body, b.contentType);
        expect4xx(res, `${path} ${b.label}`);
      }
    }
    expect(handlerErrors()).toBe(before);
  });
});
