/**
 * Plan topics at triage, black-box: an officer of the case's division sets and changes the topics, the
 * summary table topic_stats follows, executives (read-only) and other divisions cannot, CSRF is required, and the
 * public list filters by topic.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { bangkokDateKey } from "~/lib/thai-date";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";

let server: TestServer;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const users = {
  works: { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works" },
  health: { email: `health-${tag}@wangluek.go.th`, role: "officer" as const, division: "health" },
  exec: { email: `exec-${tag}@wangluek.go.th`, role: "executive" as const },
  intake: { email: `intake-${tag}@wangluek.go.th`, role: "intake" as const },
};
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.62.0.${++ipSeq}` });
let complaint: FiledComplaint;
let complaintId = 0;
let fy = 0;
let day = "";
const c: Partial<Record<keyof typeof users, HttpClient>> = {};

async function login(user: keyof typeof users): Promise<HttpClient> {
  const client = newClient();
  const res = await client.login(users[user].email, PASSWORD);
  expect(res.status).toBeGreaterThanOrEqual(300);
  expect(res.status).toBeLessThan(400);
  return client;
}

async function postTopics(client: HttpClient, topics: string[], csrf?: string): Promise<HttpResult> {
  const page = await client.get(`/staff/cases/${complaint.reference}`);
  const token = csrf ?? (page.status === 200 ? csrfOf(page) : (client.cookies.get("csrf") ?? ""));
  return client.postForm(`/staff/cases/${complaint.reference}`, { csrf: token, intent: "topics", topics });
}

const stored = async () =>
  (await dbAll<{ topic: string }>(server, "select topic from complaint_topics where complaint_id = ? order by topic", complaintId)).map(
    (r) => r.topic,
  );

/** topic_stats for this case's cohort (fiscal year and Bangkok day of receipt), source 'complaint'. */
async function stats(): Promise<Record<string, number>> {
  const rows = await dbAll<{ topic: string; n: number }>(
    server,
    "select topic, sum(n) as n from topic_stats where fiscal_year = ? and source = 'complaint' and day = ? group by topic",
    fy,
    day,
  );
  return Object.fromEntries(rows.filter((r) => r.n !== 0).map((r) => [r.topic, r.n]));
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  for (const u of Object.values(users)) await createStaffUser(server, { ...u, password: PASSWORD });
  complaint = await fileComplaint(newClient(), { subject: `ถนนพัง ${tag}`, category: "road", contactEmail: `t-${tag}@example.th` });
  const row = await dbGet<{ id: number; fiscal_year: number; received_at: string }>(
    server,
    "select id, fiscal_year, received_at from complaints where reference = ?",
    complaint.reference,
  );
  complaintId = row!.id;
  fy = row!.fiscal_year;
  day = bangkokDateKey(new Date(row!.received_at));
  for (const k of Object.keys(users) as (keyof typeof users)[]) c[k] = await login(k);
});

afterAll(async () => {
  await server?.stop();
});

describe("plan topics at triage", () => {
  it("shows the officer a fieldset of every topic with a one-line explanation", async () => {
    const page = await c.works!.get(`/staff/cases/${complaint.reference}`);
    expect(page.status).toBe(200);
    const form = /<form[^>]*data-testid="form-topics"[\s\S]*?<\/form>/.exec(page.text)![0];
    const boxes = (form.match(/<input type="checkbox"[^>]*>/g) ?? []).map((tag) => [
      /name="([^"]+)"/.exec(tag)![1],
      /value="([^"]+)"/.exec(tag)![1],
    ]);
    expect(boxes).toEqual(["bribery", "procurement", "personnel", "unfair_service", "officer_conduct"].map((t) => ["topics", t]));
    expect(form).toContain("<fieldset");
    expect(form).toContain("<legend>");
    expect(page.$.text()).toContain("หัวข้อตามแผนป้องกันการทุจริต");
    expect(page.$.text()).toContain("เรียก รับ หรือยอมจะรับเงิน"); // the bribery explanation
  });

  it("an officer sets the topics; topic_stats follows", async () => {
    expect(await stats()).toEqual({});
    const res = await postTopics(c.works!, ["bribery", "procurement"]);
    expect(res.status, res.$.text().slice(0, 300)).toBe(302);
    expect(new URL(res.location!).search).toBe("?done=topics");
    expect(await stored()).toEqual(["bribery", "procurement"]);
    expect(await stats()).toEqual({ bribery: 1, procurement: 1 });
    const page = await c.works!.get(res.location!);
    expect(page.$.testId("action-done")).toBe("บันทึกหัวข้อตามแผนแล้ว");
    const checked = (page.text.match(/<input type="checkbox"[^>]*>/g) ?? [])
      .filter((tag) => /\bchecked=""/.test(tag))
      .map((tag) => /value="([^"]+)"/.exec(tag)![1]);
    expect(checked).toEqual(["bribery", "procurement"]);
    // an internal history row names the new set; the citizen's timeline does not show it
    const note = await dbGet<{ note: string; is_public: number; kind: string }>(
      server,
      "select note, is_public, kind from case_events where complaint_id = ? order by id desc limit 1",
      complaintId,
    );
    expect(note).toEqual({ kind: "note", is_public: 0, note: "หัวข้อตามแผน: การรับสินบน, การจัดซื้อจัดจ้าง" });
  });

  it("changing the set moves the figures; clearing it empties them", async () => {
    expect((await postTopics(c.works!, ["procurement", "officer_conduct"])).status).toBe(302);
    expect(await stored()).toEqual(["officer_conduct", "procurement"]);
    expect(await stats()).toEqual({ procurement: 1, officer_conduct: 1 });
    const events = await dbAll(server, "select id from case_events where complaint_id = ?", complaintId);
    // saving the same set again changes nothing (no new history row)
    expect((await postTopics(c.works!, ["officer_conduct", "procurement", "procurement"])).status).toBe(302);
    expect(await dbAll(server, "select id from case_events where complaint_id = ?", complaintId)).toHaveLength(events.length);
    // intake staff may triage too
    expect((await postTopics(c.intake!, ["unfair_service"])).status).toBe(302);
    expect(await stats()).toEqual({ unfair_service: 1 });
    expect((await postTopics(c.works!, [])).status).toBe(302);
    expect(await stored()).toEqual([]);
    expect(await stats()).toEqual({});
    expect((await postTopics(c.works!, ["personnel"])).status).toBe(302);
    expect(await stats()).toEqual({ personnel: 1 });
  });

  it("refuses an unknown topic with 422 and writes nothing", async () => {
    const res = await postTopics(c.works!, ["personnel", "abuse_of_position"]);
    expect(res.status).toBe(422);
    expect(res.$.testId("action-error")).toContain("หัวข้อที่เลือกไม่ถูกต้อง");
    expect(await stored()).toEqual(["personnel"]);
    expect(await stats()).toEqual({ personnel: 1 });
  });

  it("an executive sees the topics read-only and cannot change them (403)", async () => {
    const page = await c.exec!.get(`/staff/cases/${complaint.reference}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('data-testid="form-topics"');
    expect(page.$.testId("topics-readonly")).toContain("การบริหารงานบุคคล");
    const res = await postTopics(c.exec!, ["bribery"]);
    expect(res.status).toBe(403);
    expect(await stored()).toEqual(["personnel"]);
    expect(await stats()).toEqual({ personnel: 1 });
  });

  it("an officer of another division cannot see or change the case (404)", async () => {
    const res = await postTopics(c.health!, ["bribery"]);
    expect(res.status).toBe(404);
    expect(await stored()).toEqual(["personnel"]);
  });

  it("requires the CSRF token", async () => {
    const missing = await c.works!.postForm(`/staff/cases/${complaint.reference}`, { intent: "topics", topics: ["bribery"] });
    expect(missing.status).toBe(403);
    const wrong = await postTopics(c.works!, ["bribery"], "x".repeat(43));
    expect(wrong.status).toBe(403);
    expect(await stored()).toEqual(["personnel"]);
    expect(await stats()).toEqual({ personnel: 1 });
  });

  it("topics narrow the staff queue, never the public list (an internal classification)", async () => {
    const sup = await login("intake");
    const withTopic = await sup.get(`/staff?status=all&fy=${fy}&topic=personnel`);
    expect(withTopic.status).toBe(200);
    expect(withTopic.text).toContain(`/staff/cases/${complaint.reference}`);
    const other = await sup.get(`/staff?status=all&fy=${fy}&topic=bribery`);
    expect(other.text).not.toContain(`/staff/cases/${complaint.reference}`);
    // The public list ignores the parameter: the same rows with or without it.
    const pub = await newClient().get(`/stats/cases?fy=${fy}&topic=bribery`);
    expect(pub.status).toBe(200);
    expect(pub.text).toContain(`data-reference="${complaint.reference}"`);
    expect(pub.text).not.toContain(`ถนนพัง ${tag}`);
  });
});
