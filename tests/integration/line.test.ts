/**
 * The LINE Official Account, black-box: the production server with LINE configured and the real @line/bot-sdk pointed
 * at a stand-in of the Messaging API on loopback (tests/helpers/line-stand-in.ts); webhook events signed with the
 * channel secret and POSTed to /line/webhook. Signature refusals (logged without content), one-time link codes,
 * pushes on status changes / public replies / explanations / the result through the outbox (with retries and one
 * retry key), the rating from the result's quick replies (recorded once), filing from the chat (photo + location +
 * text → draft → confirm, photo stripped of EXIF), redelivery, erasure, and a LINE-free corruption channel.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { storedFile } from "../helpers/file-store";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";
import { createAnyStaff, fileReport, integrityLogin, openInbox, totpAccount } from "../helpers/report";
import { lineUserId, startLineStandIn, type LineStandIn } from "../helpers/line-stand-in";

let server: TestServer;
let off: TestServer;
let line: LineStandIn;
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "correct horse battery staple 42";
const officer = { email: `line-works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่างโยธา" };
let ipSeq = 0;
const newClient = () => new HttpClient(server.url, { ip: `10.77.0.${++ipSeq}` });
let works: HttpClient;

async function act(reference: string, fields: Record<string, string>): Promise<HttpResult> {
  const page = await works.get(`/staff/cases/${reference}`);
  expect(page.status).toBe(200);
  return works.postForm(`/staff/cases/${reference}`, { csrf: csrfOf(page), ...fields });
}

/** A complaint filed on the web and the link code its receipt page offers. */
async function fileWithCode(over: Record<string, string> = {}): Promise<{ filed: FiledComplaint; code: string; id: number }> {
  const filed = await fileComplaint(newClient(), { subject: `ไฟถนนดับ ${tag}`, category: "streetlight", ...over });
  const code = filed.res.$.testId("line-link-code");
  expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  const id = (await dbGet(server, "select id from complaints where reference = ?", filed.reference))!.id as number;
  return { filed, code: code!, id };
}

/** Sends one text from the chat and returns the reply the portal gave. */
async function say(userId: string, text: string) {
  const event = line.textEvent(userId, text);
  const res = await line.sendEvents(server.url, [event]);
  expect(res.status).toBe(200);
  return line.waitForReply((c) => c.to === event.replyToken, `the reply to "${text}"`);
}

async function postback(userId: string, data: string) {
  const event = line.postbackEvent(userId, data);
  const res = await line.sendEvents(server.url, [event]);
  expect(res.status).toBe(200);
  return line.waitForReply((c) => c.to === event.replyToken, `the reply to postback ${data}`);
}

function writable<T>(fn: (db: import("better-sqlite3").Database) => T): Promise<T> {
  return import("better-sqlite3").then(({ default: SQLite }) => {
    const db = new SQLite(server.dbFile, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      return fn(db);
    } finally {
      db.close();
    }
  });
}

beforeAll(async () => {
  line = await startLineStandIn();
  server = await startServer({ env: { ...line.portalEnv(), TRUSTED_PROXIES: "127.0.0.1", OUTBOX_BACKOFF_BASE_MS: "200" } });
  off = await startServer({ env: { LINE_API_BASE_URL: line.url, LINE_DATA_API_BASE_URL: line.url } });
  await createStaffUser(server, { ...officer, password: PASSWORD });
  works = newClient();
  expect((await works.login(officer.email, PASSWORD)).status).toBe(302);
});

afterAll(async () => {
  await server?.stop();
  await off?.stop();
  await line?.close();
});

describe("the webhook", () => {
  it("is 404 and the receipt page offers no LINE when LINE is not configured", async () => {
    const res = await line.sendEvents(off.url, [line.textEvent(lineUserId(), "สวัสดี")]);
    expect(res.status).toBe(404);
    const filed = await fileComplaint(new HttpClient(off.url, { ip: "10.78.0.1" }), { subject: `ไม่มีไลน์ ${tag}` });
    expect(filed.res.text).not.toContain('data-testid="line-follow"');
  });

  it("refuses a missing or wrong signature with 401 and logs it without content", async () => {
    const userId = lineUserId();
    const secretText = `ข้อความลับ ${tag} ห้ามบันทึก`;
    const before = line.calls.length;
    const wrong = await line.sendEvents(server.url, [line.textEvent(userId, secretText)], { secret: "another-channel-secret-0000" });
    expect(wrong.status).toBe(401);
    const missing = await line.sendEvents(server.url, [line.textEvent(userId, secretText)], { signature: null });
    expect(missing.status).toBe(401);
    const garbage = await line.sendEvents(server.url, [line.textEvent(userId, secretText)], { signature: "bm90IGEgc2lnbmF0dXJl" });
    expect(garbage.status).toBe(401);
    await waitUntil(() => (server.logs().match(/line webhook refused: bad signature/g) ?? []).length >= 3, "three refusals logged");
    expect(server.logs()).not.toContain(secretText);
    expect(server.logs()).not.toContain(userId);
    expect(line.calls.length).toBe(before);
    expect((await dbGet(server, "select count(*) as n from line_drafts"))!.n).toBe(0);
  });

  it("handles a redelivered event once", async () => {
    const userId = lineUserId();
    const event = line.textEvent(userId, `ถนนเป็นหลุมหน้าบ้าน ${tag}`);
    expect((await line.sendEvents(server.url, [event])).status).toBe(200);
    await line.waitForReply((c) => c.to === event.replyToken, "the draft summary");
    const again = { ...event, deliveryContext: { isRedelivery: true } };
    expect((await line.sendEvents(server.url, [again])).status).toBe(200);
    expect((await line.sendEvents(server.url, [again])).status).toBe(200);
    expect(line.calls.filter((c) => c.to === event.replyToken)).toHaveLength(1);
    // The draft holds the text once (one draft row, its text added once: the summary of the next event shows it once).
    const next = await say(userId, "เพิ่มเติม");
    expect(next.texts[0]!.split(`ถนนเป็นหลุมหน้าบ้าน ${tag}`).length - 1).toBe(1);
    expect(await dbAll(server, "select user_key from line_drafts")).toHaveLength(1);
    await postback(userId, "a=cancel");
    expect(await dbAll(server, "select user_key from line_drafts")).toHaveLength(0);
  });
});

describe("following a case on LINE", () => {
  let caseA: { filed: FiledComplaint; code: string; id: number };
  const userA = lineUserId();
  const userB = lineUserId();

  it("the receipt page offers a one-time link code (never the tracking code) as a QR and a LINE link", async () => {
    caseA = await fileWithCode();
    const page = caseA.filed.res;
    const link = page.$.testIdAttr("line-chat-link", "href")!;
    expect(link).toBe(`https://line.me/R/oaMessage/%40wangluek/?${encodeURIComponent(`เชื่อมต่อ ${caseA.code}`)}`);
    const section = /data-testid="line-follow"[\s\S]*?<\/section>/.exec(page.text)![0];
    expect(section).toContain("<svg");
    const compact = caseA.filed.trackingCode.replace(/-/g, "");
    expect(section).not.toContain(caseA.filed.trackingCode);
    expect(section.replace(/-/g, "")).not.toContain(compact);
    // Stored only as a keyed hash, expiring within 30 minutes.
    const rows = await dbAll(
      server,
      "select code_hash, created_at, expires_at, used_at from line_link_codes where complaint_id = ?",
      caseA.id,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(caseA.code);
    expect(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at)).toBe(30 * 60_000);
  });

  it("links the chat once: the confirmation names the case, a second use and a wrong code are refused", async () => {
    const ok = await say(userA, `เชื่อมต่อ ${caseA.code}`);
    expect(ok.texts.join("\n")).toContain(`เชื่อมต่อแล้ว แชทนี้จะได้รับความคืบหน้าของเรื่องเลขที่ ${caseA.filed.reference}`);
    expect(ok.texts.join("\n")).not.toContain(caseA.code);
    expect(ok.texts.join("\n")).not.toContain(caseA.filed.trackingCode);
    const follows = await dbAll(server, "select user_key, user_enc from line_follows where complaint_id = ?", caseA.id);
    expect(follows).toHaveLength(1);
    expect(follows[0]!.user_enc).toMatch(/^v1\./);
    expect(JSON.stringify(follows)).not.toContain(userA);

    const reused = await say(userB, caseA.code.toLowerCase());
    expect(reused.texts.join("\n")).toContain("รหัสเชื่อมต่อนี้ใช้ไม่ได้");
    const wrong = await say(userB, "เชื่อมต่อ ZZZZ-ZZZZ");
    expect(wrong.texts.join("\n")).toContain("รหัสเชื่อมต่อนี้ใช้ไม่ได้");
    expect(await dbAll(server, "select id from line_follows where complaint_id = ?", caseA.id)).toHaveLength(1);
    // Never logged: the code, the chat's user id, the message.
    for (const secret of [caseA.code, userA, userB, caseA.filed.trackingCode]) expect(server.logs()).not.toContain(secret);
  });

  it("an expired code is refused", async () => {
    const again = await newClient().get("/complaints/done"); // no receipt cookie in a new browser: no code
    expect(again.text).not.toContain('data-testid="line-link-code"');
    const other = await fileWithCode({ subject: `ขยะไม่เก็บ ${tag}`, category: "waste" });
    await writable((db) =>
      db.prepare("update line_link_codes set expires_at = ? where complaint_id = ?").run("2000-01-01T00:00:00.000Z", other.id),
    );
    const late = await say(userB, `เชื่อมต่อ ${other.code}`);
    expect(late.texts.join("\n")).toContain("รหัสเชื่อมต่อนี้ใช้ไม่ได้");
    expect(await dbAll(server, "select id from line_follows where complaint_id = ?", other.id)).toHaveLength(0);
  });

  it("pushes status changes, public replies and explanations to the linked chat through the outbox", async () => {
    const ref = caseA.filed.reference;
    expect((await act(ref, { intent: "accept", note: "" })).status).toBe(302);
    const status = await line.waitForPush(
      (c) => c.to === userA && c.texts.some((t) => t.includes(ref) && t.includes("สถานะ")),
      "status push",
    );
    expect(status.retryKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // A failed push is retried by the outbox with the same retry key, and arrives once.
    line.failNextPushes(1);
    const replyText = `ช่างจะเข้าไปดูวันพรุ่งนี้ ${tag}`;
    expect((await act(ref, { intent: "reply", note: replyText })).status).toBe(302);
    const reply = await line.waitForPush((c) => c.to === userA && c.texts.some((t) => t.includes(replyText)), "reply push");
    expect(reply.texts[0]).toContain(`ข้อความจากเจ้าหน้าที่ เรื่องเลขที่ ${ref}`);
    const row = await waitUntil(
      () =>
        dbGet(
          server,
          "select status, attempts, payload, channel, last_error from outbox where kind = 'line.reply' and complaint_id = ? and status = 'sent'",
          caseA.id,
        ),
      "the reply push row marked sent",
    );
    expect(row).toMatchObject({ status: "sent", attempts: 2, payload: null, channel: "line" });

    const expected = new Date(Date.now() + 10 * 24 * 3600_000).toISOString().slice(0, 10);
    const why = `รองบประมาณจัดซื้อหลอดไฟ ${tag}`;
    const res = await act(ref, { intent: "explanation", text: why, expectedAt: expected });
    expect(res.status).toBe(302);
    const explanation = await line.waitForPush((c) => c.to === userA && c.texts.some((t) => t.includes(why)), "explanation push");
    expect(explanation.texts[0]).toContain("แจ้งเหตุที่ยังดำเนินการไม่แล้วเสร็จ");
    // Nothing pushed twice, nothing to another chat.
    await new Promise((r) => setTimeout(r, 600));
    expect(line.calls.filter((c) => c.kind === "push" && c.texts.some((t) => t.includes(replyText)))).toHaveLength(1);
    expect(line.calls.filter((c) => c.kind === "push" && c.to === userB)).toHaveLength(0);
    for (const secret of [userA, replyText, why]) expect(server.logs()).not.toContain(secret);
  });

  it("pushes the result with rating quick replies; a rating postback is recorded once", async () => {
    const ref = caseA.filed.reference;
    const result = `เปลี่ยนหลอดไฟแล้ว ${tag}`;
    expect((await act(ref, { intent: "resolve", resultSummary: result })).status).toBe(302);
    const push = await line.waitForPush((c) => c.to === userA && c.texts.some((t) => t.includes(result)), "result push");
    expect(push.texts[0]).toContain(`ผลการดำเนินการ เรื่องเลขที่ ${ref}`);
    expect(push.postbacks).toHaveLength(5);
    const four = push.postbacks.find((p) => new URLSearchParams(p).get("s") === "4")!;
    const two = push.postbacks.find((p) => new URLSearchParams(p).get("s") === "2")!;

    // Another chat cannot use the buttons.
    const stranger = await postback(userB, four);
    expect(stranger.texts[0]).toContain("ให้คะแนนเรื่องนี้ไม่ได้แล้ว");
    expect(await dbGet(server, "select score from case_ratings where complaint_id = ?", caseA.id)).toBeUndefined();

    const event = line.postbackEvent(userA, four);
    expect((await line.sendEvents(server.url, [event])).status).toBe(200);
    const rated = await line.waitForReply((c) => c.to === event.replyToken, "rated reply");
    expect(rated.texts[0]).toContain(`บันทึกคะแนน 4 จาก 5 ของเรื่องเลขที่ ${ref} แล้ว`);
    // Redelivery of the same event: nothing new.
    expect((await line.sendEvents(server.url, [{ ...event, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    // A second tap (another score): refused, the first answer stays.
    const second = await postback(userA, two);
    expect(second.texts[0]).toContain("ได้รับคะแนนแล้ว");
    const rating = await dbGet(server, "select score, comment from case_ratings where complaint_id = ?", caseA.id);
    expect(rating).toEqual({ score: 4, comment: "" });
    expect(line.calls.filter((c) => c.to === event.replyToken)).toHaveLength(1);
    // Counted in the statistics like a rating from the web.
    const stats = await dbAll(server, "select sum(n) as n from rating_stats where source = 'case' and score = 4");
    expect(stats[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it("erasing the case's personal data removes its LINE chats", async () => {
    const other = await fileWithCode({ subject: `ท่อตัน ${tag}`, category: "drainage" });
    const userC = lineUserId();
    await say(userC, `เชื่อมต่อ ${other.code}`);
    expect(await dbAll(server, "select id from line_follows where complaint_id = ?", other.id)).toHaveLength(1);
    const { spawnSync } = await import("node:child_process");
    const out = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/privacy.ts", "erase", "--reference", other.filed.reference, "--open-case"],
      {
        cwd: path.resolve(__dirname, "../.."),
        env: { ...process.env, ...server.env, NODE_ENV: "production" },
        encoding: "utf8",
      },
    );
    expect(out.status, out.stdout + out.stderr).toBe(0);
    expect(await dbAll(server, "select id from line_follows where complaint_id = ?", other.id)).toHaveLength(0);
    expect(await dbAll(server, "select code_hash from line_link_codes where complaint_id = ?", other.id)).toHaveLength(0);
  });
});

describe("filing a complaint from LINE", () => {
  const user = lineUserId();

  it("photo + location + text → draft → category, village, confirm → the complaint exists, its photo without EXIF", async () => {
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 120, b: 200 } } })
      .jpeg()
      .withExif({
        IFD0: { Make: "PhoneCam", Model: `X-${tag}` },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "16/1 26/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "102/1 50/1 0/1" },
      })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const messageId = `7${Date.now()}`;
    line.setContent(messageId, photo, "image/jpeg");

    const imageEvent = line.imageEvent(user, messageId);
    expect((await line.sendEvents(server.url, [imageEvent])).status).toBe(200);
    const afterPhoto = await line.waitForReply((c) => c.to === imageEvent.replyToken, "summary after the photo");
    expect(afterPhoto.texts[0]).toContain("รูปถ่าย / Photos: 1 รูป");
    expect(line.contentRequests).toContain(messageId);

    const locEvent = line.locationEvent(user, { latitude: 16.4333, longitude: 102.8333, title: "หน้าวัดวังลึก", address: "ตำบลวังลึก" });
    expect((await line.sendEvents(server.url, [locEvent])).status).toBe(200);
    const afterLoc = await line.waitForReply((c) => c.to === locEvent.replyToken, "summary after the location");
    expect(afterLoc.texts[0]).toContain("หน้าวัดวังลึก");

    const details = `ถนนหน้าวัดเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย ${tag}`;
    const afterText = await say(user, details);
    expect(afterText.texts[0]).toContain(details);
    expect(afterText.postbacks).toContain("a=cat&c=road");

    const afterCat = await postback(user, "a=cat&c=road");
    expect(afterCat.postbacks).toContain("a=vil&v=1");
    const early = await postback(user, "a=confirm");
    expect(early.texts[0]).toContain("เลือกหมู่บ้าน");
    const afterVil = await postback(user, "a=vil&v=1");
    expect(afterVil.postbacks).toContain("a=confirm");

    // The draft is encrypted at rest.
    const draft = await dbGet(server, "select payload from line_drafts");
    expect(draft!.payload).toMatch(/^v1\./);
    expect(draft!.payload).not.toContain(tag);

    const confirmEvent = line.postbackEvent(user, "a=confirm");
    expect((await line.sendEvents(server.url, [confirmEvent])).status).toBe(200);
    const filed = await line.waitForReply((c) => c.to === confirmEvent.replyToken, "the filed reply");
    const reference = /เลขที่เรื่อง (\d{4}\/\d+|\S+)/.exec(filed.texts[0]!)?.[1];
    expect(reference).toBeTruthy();
    const c = await dbGet(server, "select * from complaints where reference = ?", reference);
    expect(c).toMatchObject({ channel: "line", details, latitude: 16.4333, longitude: 102.8333, lang: "th", status: "received" });
    expect(c!.subject).toBe(details);
    expect(c!.landmark).toContain("หน้าวัดวังลึก");
    const files = await dbAll(server, "select sha256, mime from attachments where complaint_id = ?", c!.id);
    expect(files).toHaveLength(1);
    expect(files[0]!.mime).toBe("image/jpeg");
    const stored = (await storedFile(server, `uploads/${files[0]!.sha256.slice(0, 2)}/${files[0]!.sha256}`))!;
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(stored.includes(Buffer.from(`X-${tag}`))).toBe(false);
    // The chat follows the new case; the draft is gone; a repeated confirm files nothing more.
    expect(await dbAll(server, "select id from line_follows where complaint_id = ?", c!.id)).toHaveLength(1);
    expect(await dbAll(server, "select user_key from line_drafts")).toHaveLength(0);
    const repeat = await postback(user, "a=confirm");
    expect(repeat.texts[0]).toContain("ไม่มีร่างเรื่อง");
    expect((await dbAll(server, "select id from complaints where details = ?", details)).length).toBe(1);
    for (const secret of [user, details]) expect(server.logs()).not.toContain(secret);

    // Updates of that case reach the chat.
    expect((await act(reference!, { intent: "accept", note: "" })).status).toBe(302);
    await line.waitForPush((p) => p.to === user && p.texts.some((t) => t.includes(reference!)), "status push of the LINE case");
  });

  it("refuses a file that is not a photo, with the web form's message", async () => {
    const messageId = `8${Date.now()}`;
    line.setContent(messageId, Buffer.from("this is not an image at all"), "image/jpeg");
    const event = line.imageEvent(user, messageId);
    expect((await line.sendEvents(server.url, [event])).status).toBe(200);
    const refused = await line.waitForReply((c) => c.to === event.replyToken, "the refusal");
    expect(refused.texts[0]).toContain("รับรูปนี้ไม่ได้");
    await postback(user, "a=cancel");
  });
});

describe("the corruption channel never reaches LINE", () => {
  it("filing and reading a report makes no LINE call", async () => {
    const integrity = { email: `line-integrity-${tag}@wangluek.go.th`, password: "integrity line password 2569" };
    await createAnyStaff(server, { ...integrity, name: "ผู้รับเรื่องทุจริต", role: "integrity" });
    const officerClient = new HttpClient(server.url, { ip: "10.79.0.9" });
    await integrityLogin(officerClient, totpAccount(integrity.email, integrity.password));
    const before = line.calls.length;
    const contentBefore = line.contentRequests.length;
    const reporter = new HttpClient(server.url, { ip: "10.79.0.1" });
    const report = await fileReport(reporter, { whatHappened: `มีการเรียกรับเงินค่าตรวจรับงาน ${tag}` });
    expect(report.receipt).toMatch(/^\d{16}$/);
    expect([200, 302, 303]).toContain((await openInbox(reporter, report.receipt)).status);
    const list = await officerClient.get("/staff/integrity");
    expect(list.status).toBe(200);
    const publicId = /\/staff\/integrity\/reports\/([A-Za-z0-9_-]+)/.exec(list.text)?.[1];
    expect(publicId).toBeTruthy();
    expect((await officerClient.get(`/staff/integrity/reports/${publicId}`)).status).toBe(200);
    // A receipt or report text sent to the webhook as a "link code" links nothing.
    const probe = await say(lineUserId(), `เชื่อมต่อ ${report.receipt.slice(0, 8)}`);
    expect(probe.texts[0]).toContain("รหัสเชื่อมต่อนี้ใช้ไม่ได้");
    await new Promise((r) => setTimeout(r, 800));
    expect(line.calls.length).toBe(before + 1); // only the reply to the probe
    expect(line.contentRequests.length).toBe(contentBefore);
    expect(await dbAll(server, "select id from outbox where channel = 'line' and complaint_id is null")).toHaveLength(0);
  });

  it("no module of the report channel can reach the LINE code", () => {
    const root = path.resolve(__dirname, "../..");
    const starts = [
      ...fs.readdirSync(path.join(root, "app/models/report")).map((f) => path.join(root, "app/models/report", f)),
      ...fs
        .readdirSync(path.join(root, "app/routes"))
        .filter((f) => f.startsWith("report.") || f.startsWith("staff.integrity"))
        .map((f) => path.join(root, "app/routes", f)),
    ].filter((f) => /\.tsx?$/.test(f));
    expect(starts.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    const reached: string[] = [];
    const resolve = (from: string, spec: string): string | null => {
      let base: string;
      if (spec.startsWith("~/")) base = path.join(root, "app", spec.slice(2));
      else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
      else {
        if (spec.startsWith("@line/")) reached.push(`${path.relative(root, from)} → ${spec}`);
        return null;
      }
      for (const cand of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
        if (fs.existsSync(cand) && fs.statSync(cand).isFile()) return cand;
      }
      return null;
    };
    const queue = [...starts];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      if (file.includes(`${path.sep}models${path.sep}line${path.sep}`)) reached.push(path.relative(root, file));
      if (!/\.tsx?$/.test(file)) continue;
      const src = fs.readFileSync(file, "utf8");
      for (const m of src.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)) {
        const target = resolve(file, m[1] ?? m[2]!);
        if (target) queue.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(starts.length);
    expect(reached).toEqual([]);
  });
});
