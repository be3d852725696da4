/**
 * /staff/admin/escalation, black-box against the real server: rung settings and reminder recipients persist,
 * out-of-range or unknown values are refused with 422 (nothing written), CSRF is required, non-admins get 403.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf } from "../helpers/http";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  admin: { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, name: "ผู้ดูแลระบบ" },
  sup: { email: `sup-${tag}@wangluek.go.th`, role: "supervisor" as const, name: "ปลัด ทดสอบ" },
  works: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "หัวหน้ากองช่าง" },
};
let ipSeq = 0;
const ids: Record<keyof typeof users, number> = { admin: 0, sup: 0, works: 0 };

async function loggedIn(user: keyof typeof users): Promise<HttpClient> {
  const c = new HttpClient(server.url, { ip: `10.44.0.${++ipSeq}` });
  const res = await c.login(users[user].email, PASSWORD);
  expect(res.status, `login of ${user}`).toBeGreaterThanOrEqual(300);
  expect(res.status).toBeLessThan(400);
  return c;
}

async function post(c: HttpClient, fields: Record<string, string | string[]>) {
  const page = await c.get("/staff/admin/escalation");
  expect(page.status).toBe(200);
  return c.postForm("/staff/admin/escalation", { csrf: csrfOf(page), ...fields });
}

const rule = (level: string) =>
  dbGet<{ enabled: number; days: number }>(server, "select enabled, days from escalation_rules where level = ?", level);

beforeAll(async () => {
  server = await startServer();
  for (const [k, u] of Object.entries(users)) {
    await createStaffUser(server, { ...u, password: PASSWORD });
    ids[k as keyof typeof users] = (await dbGet<{ id: number }>(server, "select id from staff where email = ?", u.email))!.id;
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("escalation ladder settings", () => {
  it("shows the rungs and the staff table to an admin, in Thai and English", async () => {
    const admin = await loggedIn("admin");
    const th = await admin.get("/staff/admin/escalation");
    expect(th.status).toBe(200);
    expect(th.text).toContain("ลำดับขั้นการแจ้งเตือน");
    expect(th.text).toContain("หัวหน้าศูนย์รับเรื่อง");
    for (const level of ["due_soon", "overdue", "overdue_executive", "unassigned"]) expect(th.text).toContain(`data-level="${level}"`);
    expect(th.text).toContain(users.works.email);
    // The admin nav links to the page.
    expect(th.text).toContain('href="/staff/admin/escalation"');
    admin.cookies.set("lng", "en");
    const en = await admin.get("/staff/admin/escalation");
    expect(en.status).toBe(200);
    expect(en.text).toContain("Escalation ladder");
    expect(en.text).toContain("Complaint centre lead");
    const enBad = await post(admin, { intent: "rule", level: "due_soon", days: "31", enabled: "on" });
    expect(enBad.status).toBe(422);
    expect(enBad.text).toContain("Days must be a whole number from 0 to 30.");
  });

  it("saves a rung: days and on/off persist", async () => {
    const admin = await loggedIn("admin");
    let res = await post(admin, { intent: "rule", level: "overdue_executive", days: "10", enabled: "on" });
    expect(res.status).toBe(302);
    expect(await rule("overdue_executive")).toEqual({ enabled: 1, days: 10 });
    res = await post(admin, { intent: "rule", level: "unassigned", days: "2" }); // checkbox left unticked → off
    expect(res.status).toBe(302);
    expect(await rule("unassigned")).toEqual({ enabled: 0, days: 2 });
    const page = await admin.get("/staff/admin/escalation?saved=rule");
    expect(page.text).toContain('data-testid="saved"');
    expect(page.text).toMatch(/name="days"[^>]*value="10"|value="10"[^>]*name="days"/);
  });

  it("refuses invalid values with 422 and a message, writing nothing", async () => {
    const admin = await loggedIn("admin");
    const before = await dbAll(server, "select level, enabled, days, updated_at from escalation_rules order by level");
    for (const days of ["-1", "999", "abc", "", "1.5"]) {
      const res = await post(admin, { intent: "rule", level: "overdue", days, enabled: "on" });
      expect(res.status, `days=${days}`).toBe(422);
      expect(res.text).toContain("จำนวนวันต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 30");
    }
    const exec0 = await post(admin, { intent: "rule", level: "overdue_executive", days: "0", enabled: "on" });
    expect(exec0.status).toBe(422);
    const unknown = await post(admin, { intent: "rule", level: "never", days: "3", enabled: "on" });
    expect(unknown.status).toBe(422);
    const badFlags = await post(admin, { intent: "flags", staffId: [String(ids.works)], centreLead: ["x"] });
    expect(badFlags.status).toBe(422);
    expect(await dbAll(server, "select level, enabled, days, updated_at from escalation_rules order by level")).toEqual(before);
  });

  it("sets division heads and centre leads", async () => {
    const admin = await loggedIn("admin");
    const all = Object.values(ids).map(String);
    let res = await post(admin, {
      intent: "flags",
      staffId: all,
      divisionHead: [String(ids.works)],
      centreLead: [String(ids.sup), String(ids.works)],
    });
    expect(res.status).toBe(302);
    const flags = async () =>
      Object.fromEntries(
        (await dbAll<{ id: number; h: number; l: number }>(server, "select id, is_division_head as h, is_centre_lead as l from staff")).map(
          (r) => [r.id, [r.h, r.l]],
        ),
      );
    let f = await flags();
    expect(f[ids.works]).toEqual([1, 1]);
    expect(f[ids.sup]).toEqual([0, 1]);
    expect(f[ids.admin]).toEqual([0, 0]);
    // Unticking clears them.
    res = await post(admin, { intent: "flags", staffId: all, centreLead: [String(ids.sup)] });
    expect(res.status).toBe(302);
    f = await flags();
    expect(f[ids.works]).toEqual([0, 0]);
    expect(f[ids.sup]).toEqual([0, 1]);
  });

  it("requires CSRF and refuses non-admins with 403", async () => {
    const admin = await loggedIn("admin");
    await admin.get("/staff/admin/escalation");
    const noCsrf = await admin.postForm("/staff/admin/escalation", { intent: "rule", level: "overdue", days: "5", enabled: "on" });
    expect(noCsrf.status).toBe(403);
    for (const who of ["sup", "works"] as const) {
      const c = await loggedIn(who);
      expect((await c.get("/staff/admin/escalation")).status).toBe(403);
      const staffPage = await c.get("/staff");
      const res = await c.postForm("/staff/admin/escalation", {
        csrf: csrfOf(staffPage),
        intent: "rule",
        level: "overdue",
        days: "5",
        enabled: "on",
      });
      expect(res.status).toBe(403);
      expect(staffPage.text).not.toContain('href="/staff/admin/escalation"');
    }
    expect((await rule("overdue"))!.days).toBe(0);
    // Signed out: sent to the login page, nothing changes.
    const anon = new HttpClient(server.url, { ip: "10.44.9.9" });
    const res = await anon.get("/staff/admin/escalation");
    expect([302, 303]).toContain(res.status);
  });
});
