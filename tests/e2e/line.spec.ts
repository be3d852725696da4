/**
 * Follow on LINE, in Chromium on a 360 px phone in Thai, against a portal server of its own with LINE configured and
 * the real @line/bot-sdk pointed at a stand-in of the Messaging API (tests/helpers/line-stand-in.ts): a citizen files
 * a complaint on the web, reads the link code on the receipt page and sends it from the "chat" (a signed webhook
 * event); an officer closes the case (the staff page's own HTTP); the chat receives the result with the rating quick
 * replies; the citizen taps one (a signed postback) and /track shows the rating as recorded.
 */
import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createStaffUser, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf } from "../helpers/http";
import { lineUserId, startLineStandIn, type LineStandIn } from "../helpers/line-stand-in";
import { noHorizontalScroll, phone, watch } from "./support";

const tag = crypto.randomBytes(3).toString("hex");
const officer = {
  email: `line-e2e-${tag}@wangluek.go.th`,
  role: "officer" as const,
  division: "works",
  name: "ช่างไลน์ ทดสอบ",
  password: "e2e line officer password 2569",
};
let server: TestServer;
let line: LineStandIn;

test.beforeAll(async () => {
  line = await startLineStandIn();
  server = await startServer({ env: line.portalEnv() });
  await createStaffUser(server, officer);
});

test.afterAll(async () => {
  await server?.stop();
  await line?.close();
});

async function fileOnTheWeb(page: Page, subject: string) {
  await page.goto(`${server.url}/complaints/new`);
  await expect(page.locator("html")).toHaveAttribute("lang", "th");
  await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("streetlight");
  await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(subject);
  await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ไฟถนนหน้าศาลาประชาคมดับมาสามคืนแล้ว มืดมาก ขอให้ซ่อมด้วย");
  await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("1");
  await page.locator("form:has([name=subject]) button[type=submit]").first().click();
  const reference = (await page.getByTestId("reference").textContent())!.trim();
  const code = (await page.getByTestId("tracking-code").textContent())!.trim();
  return { reference, code };
}

test("a citizen follows a complaint on LINE, receives the result in the chat and rates it there", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  const filed = await fileOnTheWeb(page, `ไฟถนนดับ ${tag}`);
  expect(filed.reference).toMatch(/^\d{4}-\d{6}$/);

  // The receipt page: "ติดตามทาง LINE" with a QR code and a link that opens the chat with the code typed in.
  const section = page.getByTestId("line-follow");
  await expect(section.getByRole("heading", { name: "ติดตามทาง LINE" })).toBeVisible();
  await expect(section.locator("svg")).toHaveCount(1);
  const link = section.getByTestId("line-chat-link");
  await expect(link).toHaveText("เปิด LINE เพื่อส่งรหัสเชื่อมต่อ");
  const href = (await link.getAttribute("href"))!;
  expect(href.startsWith("https://line.me/R/oaMessage/%40wangluek/?")).toBe(true);
  const message = decodeURIComponent(href.split("?")[1]!);
  const shownCode = (await section.getByTestId("line-link-code").textContent())!.trim();
  expect(message).toBe(`เชื่อมต่อ ${shownCode}`);
  expect(message).not.toContain(filed.code);
  await noHorizontalScroll(page);

  // The citizen sends the pre-filled message from their LINE chat.
  const chat = lineUserId();
  const linkEvent = line.textEvent(chat, message);
  expect((await line.sendEvents(server.url, [linkEvent])).status).toBe(200);
  const linked = await line.waitForReply((c) => c.to === linkEvent.replyToken, "the link confirmation");
  expect(linked.texts[0]).toContain(`เรื่องเลขที่ ${filed.reference}`);

  // An officer closes the case with the staff page's own form posts.
  const staff = new HttpClient(server.url, { ip: "10.90.0.1" });
  expect((await staff.login(officer.email, officer.password)).status).toBe(302);
  const casePage = await staff.get(`/staff/cases/${filed.reference}`);
  expect(casePage.text).toContain('data-testid="case-line-followed"');
  const steps: Record<string, string>[] = [{ intent: "accept" }, { intent: "resolve", resultSummary: `เปลี่ยนหลอดไฟถนนแล้ว ${tag}` }];
  for (const fields of steps) {
    const form = await staff.get(`/staff/cases/${filed.reference}`);
    expect((await staff.postForm(`/staff/cases/${filed.reference}`, { csrf: csrfOf(form), ...fields })).status).toBe(302);
  }

  // The chat receives the result and the rating question with five quick replies.
  const result = await line.waitForPush((c) => c.to === chat && c.texts.some((t) => t.includes(`เปลี่ยนหลอดไฟถนนแล้ว ${tag}`)), "the result");
  expect(result.texts[1]).toContain("แตะเลือกคะแนน 1–5");
  const labels = result.messages[1]!.quickReply!.items.map((i) => i.action.label);
  expect(labels).toEqual(["1 ไม่พอใจมาก", "2 ไม่พอใจ", "3 ปานกลาง", "4 พอใจ", "5 พอใจมากที่สุด"]);
  const five = result.messages[1]!.quickReply!.items[4]!.action.data!;

  // The citizen taps "5".
  const rateEvent = line.postbackEvent(chat, five);
  expect((await line.sendEvents(server.url, [rateEvent])).status).toBe(200);
  const thanks = await line.waitForReply((c) => c.to === rateEvent.replyToken, "the thanks");
  expect(thanks.texts[0]).toContain("บันทึกคะแนน 5 จาก 5");

  // /track shows the rating as recorded.
  await page.goto(`${server.url}/track`);
  await page.getByRole("textbox", { name: "เลขที่เรื่อง", exact: true }).fill(filed.reference);
  await page.getByRole("textbox", { name: "รหัสติดตาม", exact: true }).fill(filed.code);
  await page.locator("form:has([name=code]) button[type=submit]").click();
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
  await expect(page.getByTestId("rating-current")).toHaveAttribute("data-score", "5");
  await noHorizontalScroll(page);
  expect(problems).toEqual([]);
  await context.close();
});
