/**
 * The map in a real browser, on a 360 px phone in Thai, against a portal of its own whose MAP_TILE_URL points at a
 * stand-in tile server on loopback: open the map, drop and drag the pin, and the coordinates are submitted; choose a
 * photo carrying GPS, accept the offer, see the open case nearby and say "me too"; every tile came from the stand-in,
 * and /report loaded none.
 */
import crypto from "node:crypto";
import { test, expect, type Page, type Request } from "@playwright/test";
import { startServer, dbGet, type TestServer } from "../helpers/server";
import { HttpClient, fileComplaint } from "../helpers/http";
import { gpsJpeg, startTileServer, type TileServer } from "../helpers/map";
import { noHorizontalScroll, phone, watch } from "./support";

const tag = crypto.randomBytes(3).toString("hex");
/** The seeded organisation's map centre (db/seed/wangluek.json). */
const CENTRE = { lat: 14.7636, lng: 100.1905 };
/** Where the photo was taken, and where the open case already reported is (about 40 m apart). */
const PHOTO = { lat: 14.7651, lng: 100.1921 };
const EXISTING = { lat: 14.76535, lng: 100.19195 };

let tiles: TileServer;
let server: TestServer;

test.beforeAll(async () => {
  tiles = await startTileServer();
  server = await startServer({ env: { MAP_TILE_URL: tiles.template } });
  await fileComplaint(new HttpClient(server.url), {
    category: "streetlight",
    subject: `ไฟถนนดับหน้าวัด ${tag}`,
    latitude: String(EXISTING.lat),
    longitude: String(EXISTING.lng),
  });
});

test.afterAll(async () => {
  await server?.stop();
  await tiles?.stop();
});

/** Every request the page makes, to check where tiles came from. */
function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on("request", (r) => seen.push(r));
  return seen;
}

function expectOnlyPortalAndStandIn(requests: Request[]) {
  const origins = new Set(requests.map((r) => new URL(r.url()).origin).filter((o) => o.startsWith("http")));
  for (const o of origins) expect([server.url, tiles.origin], `request to ${o}`).toContain(o);
  const tileRequests = requests.filter((r) => /\/\d+\/\d+\/\d+\.png$/.test(new URL(r.url()).pathname));
  expect(tileRequests.length).toBeGreaterThan(0);
  for (const r of tileRequests) expect(new URL(r.url()).origin).toBe(tiles.origin);
}

async function fillRequired(page: Page, subject: string) {
  await page.getByRole("combobox", { name: "ประเภทเรื่อง", exact: true }).selectOption("road");
  await page.getByRole("textbox", { name: "หัวข้อเรื่อง", exact: true }).fill(subject);
  await page.getByRole("textbox", { name: "รายละเอียด", exact: true }).fill("ถนนเป็นหลุมลึกหน้าบ้าน น้ำขังเวลาฝนตก รถจักรยานยนต์ล้มบ่อย");
  await page.getByRole("combobox", { name: "หมู่บ้าน", exact: true }).selectOption("1");
}

test("drop and drag the pin on the map, and the coordinates are submitted", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  const requests = recordRequests(page);
  const before = tiles.requests.length;
  await page.goto(`${server.url}/complaints/new`);
  await expect(page.locator("html")).toHaveAttribute("lang", "th");
  // Nothing of the map is loaded before the citizen asks for it.
  expect(tiles.requests.length).toBe(before);
  expect(requests.some((r) => /leaflet/i.test(r.url()))).toBe(false);
  await expect(page.getByText("แผนที่จะโหลดเมื่อกดปุ่มนี้เท่านั้น", { exact: false })).toBeVisible();

  await page.getByRole("button", { name: "ปักหมุดบนแผนที่" }).click();
  const map = page.getByRole("region", { name: /แผนที่สำหรับปักหมุดตำแหน่งปัญหา/ });
  await expect(map).toBeVisible();
  await expect(page.locator(".leaflet-tile-loaded").first()).toBeVisible();
  await expect(page.getByText("© OpenStreetMap contributors")).toBeVisible();

  // Drop the pin: a tap in the middle of the map (the organisation's centre).
  const box = (await map.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const lat = page.getByRole("textbox", { name: "ละติจูด", exact: true });
  const lng = page.getByRole("textbox", { name: "ลองจิจูด", exact: true });
  await expect(lat).toHaveValue(/^14\.7\d{4,6}$/);
  const dropped = { lat: Number(await lat.inputValue()), lng: Number(await lng.inputValue()) };
  expect(Math.abs(dropped.lat - CENTRE.lat)).toBeLessThan(0.002);
  expect(Math.abs(dropped.lng - CENTRE.lng)).toBeLessThan(0.002);

  // Drag it to the south-east.
  const pin = page.locator(".leaflet-marker-icon");
  const p = (await pin.boundingBox())!;
  await page.mouse.move(p.x + p.width / 2, p.y + p.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(p.x + p.width / 2 + i * 8, p.y + p.height / 2 + i * 5);
  await page.mouse.up();
  await expect.poll(async () => Number(await lat.inputValue())).toBeLessThan(dropped.lat);
  await expect.poll(async () => Number(await lng.inputValue())).toBeGreaterThan(dropped.lng);
  const dragged = { lat: await lat.inputValue(), lng: await lng.inputValue() };

  await noHorizontalScroll(page);
  const subject = `หลุมบนถนน ปักหมุด ${tag}`;
  await fillRequired(page, subject);
  await page.locator("form:has([name=subject]) button[type=submit]").first().click();
  await expect(page.getByTestId("reference")).toHaveText(/^\s*\d{4}-\d{6}\s*$/);
  const row = await dbGet<{ latitude: number; longitude: number }>(
    server,
    "select latitude, longitude from complaints where subject = ?",
    subject,
  );
  expect(row).toEqual({ latitude: Number(dragged.lat), longitude: Number(dragged.lng) });

  expectOnlyPortalAndStandIn(requests);
  expect(problems).toEqual([]);
  await context.close();
});

test("a photo's position is used only when the citizen agrees, then “me too” on the case nearby", async ({ browser }) => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = watch(page);
  const requests = recordRequests(page);
  await page.goto(`${server.url}/complaints/new`);
  const lat = page.getByRole("textbox", { name: "ละติจูด", exact: true });
  const lng = page.getByRole("textbox", { name: "ลองจิจูด", exact: true });

  // A photo carrying GPS: offered, nothing set yet.
  await page.getByLabel(/^แนบไฟล์/).setInputFiles({ name: "ไฟดับ.jpg", mimeType: "image/jpeg", buffer: await gpsJpeg(PHOTO.lat, PHOTO.lng) });
  const offer = page.getByTestId("photo-offer");
  await expect(offer).toBeVisible();
  await expect(offer).toContainText("ใช้ตำแหน่งนี้เป็นตำแหน่งของปัญหาหรือไม่");
  await expect(lat).toHaveValue("");
  await offer.getByRole("button", { name: "ใช้ตำแหน่งจากรูป" }).click();
  await expect(lat).toHaveValue(/^14\.765\d+$/);
  expect(Math.abs(Number(await lat.inputValue()) - PHOTO.lat)).toBeLessThan(0.0001);
  expect(Math.abs(Number(await lng.inputValue()) - PHOTO.lng)).toBeLessThan(0.0001);
  await expect(page.getByTestId("photo-status")).toContainText("ใช้ตำแหน่งจากรูปแล้ว");

  // The open case already reported there: category, state, date, no text.
  const nearby = page.getByTestId("nearby-case");
  await expect(nearby).toHaveCount(1);
  await expect(nearby).toContainText("ไฟฟ้าสาธารณะ");
  await expect(nearby).toContainText("รับเรื่องแล้ว");
  await expect(nearby).not.toContainText(tag);

  // The map shows the pin and the case.
  await page.getByRole("button", { name: "ปักหมุดบนแผนที่" }).click();
  await expect(page.locator(".leaflet-marker-icon")).toHaveCount(1);
  await expect(page.locator("path.leaflet-interactive")).toHaveCount(1);
  await expect(page.locator(".leaflet-tile-loaded").first()).toBeVisible();

  await nearby.getByRole("button", { name: "ฉันก็พบปัญหานี้" }).click();
  await expect(page.getByTestId("me-too-done")).toContainText("บันทึกแล้ว");
  await expect(page.getByTestId("me-too-done")).toContainText("1 คน");
  const marks = await dbGet<{ n: number }>(
    server,
    "select count(*) as n from complaint_me_too m join complaints c on c.id = m.complaint_id where c.subject = ?",
    `ไฟถนนดับหน้าวัด ${tag}`,
  );
  expect(marks?.n).toBe(1);
  await noHorizontalScroll(page);

  // The corruption channel loads no tile and its policy does not name the tile host.
  const tilesBefore = tiles.requests.length;
  const report = await page.goto(`${server.url}/report/new`);
  expect(report?.headers()["content-security-policy"]).not.toContain(tiles.origin);
  await expect(page.locator("h1")).toBeVisible();
  expect(tiles.requests.length).toBe(tilesBefore);

  expectOnlyPortalAndStandIn(requests);
  expect(problems).toEqual([]);
  await context.close();
});
