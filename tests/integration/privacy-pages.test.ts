/**
 * /staff/admin/privacy and its export, black-box against the real server: an administrator finds a person's cases by
 * phone (a POST: nothing in a URL or a log), exports them (JSON and a print page), erases the personal data; other
 * roles are refused; `npm run retention -- --dry-run` reports without changing anything.
 */
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, createStaffUser, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint } from "../helpers/http";

let server: TestServer;
const tag = crypto.randomBytes(3).toString("hex");
const PHONE = `089 ${tag.replace(/\D/g, "7").padEnd(3, "7").slice(0, 3)} 4321`;
const SUBJECT = `ไฟฟ้าดับหน้าบ้าน ${tag}`;
let reference = "";
let admin: HttpClient;

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  await createStaffUser(server, {
    email: "privacy-admin@wangluek.go.th",
    role: "admin",
    password: "ผู้ดูแลระบบรักษาความลับ 2569",
    name: "ผู้ดูแล",
  });
  await createStaffUser(server, {
    email: "privacy-officer@wangluek.go.th",
    role: "officer",
    division: "works",
    password: "เจ้าหน้าที่กองช่างทำงาน 2569",
    name: "ช่าง",
  });
  reference = (await fileComplaint(new HttpClient(server.url, { ip: "10.80.0.2" }), { subject: SUBJECT, contactPhone: PHONE })).reference;
  admin = new HttpClient(server.url, { ip: "10.80.0.3" });
  const login = await admin.login("privacy-admin@wangluek.go.th", "ผู้ดูแลระบบรักษาความลับ 2569");
  expect(login.status, login.$.text().slice(0, 200)).toBe(302);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe("personal-data requests in the back office", () => {
  it("finds the person's case by phone in another spelling, and the number is in no URL or log", async () => {
    const page = await admin.get("/staff/admin/privacy");
    expect(page.status).toBe(200);
    const found = await admin.postForm("/staff/admin/privacy", {
      csrf: csrfOf(page),
      intent: "find",
      phone: `+66${PHONE.replace(/\D/g, "").slice(1)}`,
      email: "",
    });
    expect(found.status).toBe(200);
    expect(found.$.testId("privacy-results") ?? "").toContain(reference);
    expect(server.logs()).not.toContain(PHONE.replace(/\D/g, "").slice(-7));
  });

  it("exports the case as JSON and as a print page", async () => {
    const page = await admin.get("/staff/admin/privacy");
    const json = await admin.postForm("/staff/admin/privacy/export", { csrf: csrfOf(page), reference, format: "json" });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toMatch(/application\/json/);
    expect(JSON.parse(json.text)).toMatchObject({ reference, subject: SUBJECT });
    const html = await admin.postForm("/staff/admin/privacy/export", { csrf: csrfOf(page), reference, format: "html" });
    expect(html.status).toBe(200);
    expect(html.text).toContain(SUBJECT);
    expect((await admin.get("/staff/admin/privacy/export")).status).toBe(405);
  });

  it("other roles are refused", async () => {
    const officer = new HttpClient(server.url, { ip: "10.80.0.4" });
    await officer.login("privacy-officer@wangluek.go.th", "เจ้าหน้าที่กองช่างทำงาน 2569");
    expect((await officer.get("/staff/admin/privacy")).status).toBe(403);
    const page = await officer.get("/staff");
    expect((await officer.postForm("/staff/admin/privacy/export", { csrf: csrfOf(page), reference, format: "json" })).status).toBe(403);
  });

  it("an open case is erased only with the acknowledgement; then its personal data is gone", async () => {
    const page = await admin.get("/staff/admin/privacy");
    const refused = await admin.postForm("/staff/admin/privacy", { csrf: csrfOf(page), intent: "erase", reference });
    expect(refused.status).toBe(422);
    const ok = await admin.postForm("/staff/admin/privacy", { csrf: csrfOf(page), intent: "erase", reference, openCase: "yes" });
    expect(ok.status).toBe(200);
    expect(ok.$.testId("done")).toBeTruthy();
    const row = await dbGet(server, "select subject, contact_phone, anonymised_at from complaints where reference = ?", reference);
    expect(row).toMatchObject({ subject: "", contact_phone: "" });
    expect(row!.anonymised_at).toBeTruthy();
  });

  it("`npm run retention -- --dry-run` counts and changes nothing", async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...server.env, NODE_ENV: "production" };
      for (const k of ["VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "NODE_OPTIONS"]) delete env[k];
      const p = spawn(process.execPath, ["--import", "tsx", "scripts/privacy.ts", "retention", "--dry-run"], { cwd: ROOT, env });
      let text = "";
      p.stdout.on("data", (d) => (text += d));
      p.stderr.on("data", (d) => (text += d));
      p.on("exit", (code) => resolve({ code, text }));
    });
    expect(out.code, out.text).toBe(0);
    expect(out.text).toMatch(/retention period: 0 \(nothing changed\)/);
  }, 60_000);
});
