/**
 * The map against the real server: the Content Security Policy allows the tile host only on pages with a map (never
 * /report), the nearby lookup (open general complaints only, rounded positions, no text or contact, bounded), "me too"
 * (CSRF, honeypot, one per device and per client per case, rate limit, the count on the officer's case page), the
 * officers' map of open cases, and that a photo's GPS position never reaches the stored file.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint, type FiledComplaint, type HttpResult } from "../helpers/http";
import { gpsJpeg } from "../helpers/map";

const TILE_HOST = "https://tiles.example.test";
const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "map officer password 2569 long enough";
const OFFICER = { email: `works-${tag}@wangluek.go.th`, role: "officer" as const, division: "works", name: "ช่างแผนที่ ทดสอบ" };

let server: TestServer;
let ipSeq = 0;
function client(): HttpClient {
  ipSeq++;
  return new HttpClient(server.url, { ip: `10.44.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}` });
}

const HERE = { lat: 14.7636, lng: 100.1905 };
const POINTS = {
  a: { lat: 14.763512, lng: 100.190734 },
  b: { lat: 14.765012, lng: 100.191234 },
  closed: { lat: 14.763612, lng: 100.190634 },
  far: { lat: 14.8, lng: 100.25 },
};
const filed: Record<string, FiledComplaint> = {};
let officer: HttpClient;

async function file(key: string, over: Record<string, string>): Promise<FiledComplaint> {
  const f = await fileComplaint(client(), {
    subject: `เรื่องลับ-${key}-${tag}`,
    details: `รายละเอียดลับ-${key}-${tag}`,
    landmark: `จุดสังเกตลับ-${key}-${tag}`,
    contactName: `ชื่อลับ ${key}${tag}`,
    contactEmail: `secret-${key}-${tag}@example.th`,
    contactPhone: "081 234 5678",
    ...over,
  });
  filed[key] = f;
  return f;
}

async function actOnCase(reference: string, fields: Record<string, string>): Promise<HttpResult> {
  const page = await officer.get(`/staff/cases/${reference}`);
  expect(page.status).toBe(200);
  return officer.postForm(`/staff/cases/${reference}`, { csrf: csrfOf(page), ...fields });
}

interface NearbyBody {
  radiusM?: number;
  cases: { id: string; lat: number; lng: number; category: string; state: string; receivedOn: string; meToo: number }[];
  error?: string;
}

async function nearby(c: HttpClient, query: string): Promise<{ res: HttpResult; body: NearbyBody }> {
  const res = await c.get(`/complaints/nearby?${query}`);
  return { res, body: JSON.parse(res.text) as NearbyBody };
}

async function nearbyIdOf(key: "a" | "b"): Promise<string> {
  const { body } = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}`);
  const p = POINTS[key];
  const hit = body.cases.find((c) => c.lat === Math.round(p.lat * 1000) / 1000 && c.lng === Math.round(p.lng * 1000) / 1000);
  if (!hit) throw new Error(`case ${key} not in the nearby list: ${JSON.stringify(body)}`);
  return hit.id;
}

/** A client ready to post "me too" (the CSRF token of the complaint form). */
async function meTooClient(): Promise<{ c: HttpClient; csrf: string }> {
  const c = client();
  const page = await c.get("/complaints/new");
  return { c, csrf: csrfOf(page) };
}

const meTooRows = async () => Number((await dbGet<{ n: number }>(server, "select count(*) as n from complaint_me_too"))!.n);

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1", MAP_TILE_URL: `${TILE_HOST}/{z}/{x}/{y}.png` } });
  await createStaffUser(server, { ...OFFICER, password: PASSWORD });
  officer = client();
  expect((await officer.login(OFFICER.email, PASSWORD)).status).toBe(302);
  await file("a", { category: "road", latitude: String(POINTS.a.lat), longitude: String(POINTS.a.lng) });
  await file("b", { category: "streetlight", latitude: String(POINTS.b.lat), longitude: String(POINTS.b.lng) });
  await file("closed", { category: "road", latitude: String(POINTS.closed.lat), longitude: String(POINTS.closed.lng) });
  await file("far", { category: "road", latitude: String(POINTS.far.lat), longitude: String(POINTS.far.lng) });
  await file("nowhere", { category: "road" });
  expect((await actOnCase(filed.closed!.reference, { intent: "accept" })).status).toBe(302);
  expect((await actOnCase(filed.closed!.reference, { intent: "resolve", resultSummary: `ซ่อมแล้ว ${tag}` })).status).toBe(302);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("the Content Security Policy allows the tile host only on pages with a map", () => {
  const imgSrc = (res: HttpResult) => /img-src ([^;]*)/.exec(res.headers.get("content-security-policy") ?? "")?.[1] ?? "";

  it("on the complaint form and the staff pages", async () => {
    const c = client();
    for (const path of ["/complaints/new", "/staff/login"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      expect(imgSrc(res).split(" "), path).toContain(TILE_HOST);
    }
    expect(imgSrc(await officer.get(`/staff/cases/${filed.a!.reference}`)).split(" ")).toContain(TILE_HOST);
    expect(imgSrc(await officer.get("/staff")).split(" ")).toContain(TILE_HOST);
  });

  it("never on /report, nor on pages without a map", async () => {
    const c = client();
    for (const path of ["/report", "/report/new", "/report/inbox", "/", "/track", "/complaints/done", "/stats", "/staff/integrity"]) {
      const res = await c.get(path);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("img-src 'self' data: blob:");
      expect(csp, path).not.toContain("tiles.example.test");
      expect(imgSrc(res), path).toBe("'self' data: blob:");
    }
  });
});

describe("open complaints nearby (/complaints/nearby)", () => {
  it("lists only open general complaints with a position inside the radius, nearest first", async () => {
    const { res, body } = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(body.radiusM).toBe(300);
    const positions = body.cases.map((c) => `${c.lat},${c.lng}`);
    expect(positions).toEqual(["14.764,100.191", "14.765,100.191"]);
    expect(body.cases.map((c) => c.state)).toEqual(["received", "received"]);
    expect(body.cases[0]!.category).toBe("ถนน/ทางเท้า");
    expect(body.cases[1]!.category).toBe("ไฟฟ้าสาธารณะ");
    // Buddhist-calendar date of receipt.
    expect(body.cases[0]!.receivedOn).toMatch(/25\d\d/);
    // The closed case stood between the two; the far one and the one without coordinates are not near.
    const en = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}&r=1000&lang=en`);
    expect(en.body.cases).toHaveLength(2);
  });

  it("rounds every position to about 100 m (three decimals)", async () => {
    const { body } = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}`);
    for (const c of body.cases) {
      expect(Math.abs(c.lat * 1000 - Math.round(c.lat * 1000))).toBeLessThan(1e-6);
      expect(Math.abs(c.lng * 1000 - Math.round(c.lng * 1000))).toBeLessThan(1e-6);
    }
    const exact = await dbAll<{ latitude: number }>(
      server,
      "select latitude from complaints where reference in (?, ?)",
      filed.a!.reference,
      filed.b!.reference,
    );
    for (const row of exact) expect(body.cases.map((c) => c.lat)).not.toContain(row.latitude);
  });

  it("gives no text, contact, reference or tracking code: only the listed fields", async () => {
    const { res, body } = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}&r=1000`);
    for (const c of body.cases) expect(Object.keys(c).sort()).toEqual(["category", "id", "lat", "lng", "meToo", "receivedOn", "state"]);
    for (const f of Object.values(filed)) {
      expect(res.text).not.toContain(f.reference);
      expect(res.text).not.toContain(f.reference.replace("-", ""));
      expect(res.text).not.toContain(f.trackingCode);
    }
    for (const secret of [`เรื่องลับ`, `รายละเอียดลับ`, `จุดสังเกตลับ`, `ชื่อลับ`, `secret-`, "081 234 5678", tag])
      expect(res.text).not.toContain(secret);
  });

  it("a case's public id opens nothing on /track (which wants the reference and the tracking code)", async () => {
    const id = await nearbyIdOf("a");
    const c = client();
    const page = await c.get("/track");
    const known = await c.postForm("/track", { csrf: csrfOf(page), reference: filed.a!.reference, code: id });
    const unknown = await c.postForm("/track", { csrf: csrfOf(page), reference: "2569-999999", code: id });
    expect(known.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(known.$.text()).not.toContain("ถนน/ทางเท้า");
    expect(known.$.text().replace(filed.a!.reference, "REF")).toBe(unknown.$.text().replace("2569-999999", "REF"));
  });

  it("refuses a bad point or a radius past the bound with a 400", async () => {
    for (const q of [
      "lat=abc&lng=100.19",
      "lat=14.76",
      "lat=14.76&lng=100.19&r=5000",
      "lat=14.76&lng=100.19&r=-1",
      `lat=${"1".repeat(40)}&lng=1`,
    ]) {
      const { res, body } = await nearby(client(), q);
      expect(res.status, q).toBe(400);
      expect(body.cases, q).toEqual([]);
    }
    // Outside Thailand: nothing (not an error).
    const { res, body } = await nearby(client(), "lat=51.5&lng=-0.12");
    expect(res.status).toBe(200);
    expect(body.cases).toEqual([]);
  });

  it("returns at most 20 cases", async () => {
    const spot = { lat: 14.7, lng: 100.3 };
    for (let i = 0; i < 21; i++) {
      await fileComplaint(client(), { category: "road", latitude: (spot.lat + i * 0.0001).toFixed(6), longitude: String(spot.lng) });
    }
    const { body } = await nearby(client(), `lat=${spot.lat}&lng=${spot.lng}&r=1000`);
    expect(body.cases).toHaveLength(20);
  }, 120_000);

  it("is rate-limited per client (60 look-ups in 10 minutes)", async () => {
    const c = client();
    for (let i = 0; i < 60; i++) expect((await c.get(`/complaints/nearby?lat=${HERE.lat}&lng=${HERE.lng}`)).status).toBe(200);
    const refused = await c.get(`/complaints/nearby?lat=${HERE.lat}&lng=${HERE.lng}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Someone else is not affected.
    expect((await client().get(`/complaints/nearby?lat=${HERE.lat}&lng=${HERE.lng}`)).status).toBe(200);
  });
});

describe('"me too" (/complaints/me-too)', () => {
  it("refuses a post without the CSRF token, or with the honeypot filled, and stores nothing", async () => {
    const id = await nearbyIdOf("a");
    const before = await meTooRows();
    const { c, csrf } = await meTooClient();
    const noToken = await c.postForm("/complaints/me-too", { website: "", case: id });
    expect(noToken.status).toBe(403);
    const wrongToken = await c.postForm("/complaints/me-too", { csrf: "x".repeat(43), website: "", case: id });
    expect(wrongToken.status).toBe(403);
    const bot = await c.postForm("/complaints/me-too", { csrf, website: "http://spam.example", case: id });
    expect(bot.status).toBe(400);
    expect(await meTooRows()).toBe(before);
  });

  it("records one mark per device and per client, counts them, and refuses a second one", async () => {
    const id = await nearbyIdOf("a");
    const first = await meTooClient();
    const ok = await first.c.postForm("/complaints/me-too", { csrf: first.csrf, website: "", case: id });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ ok: true, count: 1 });
    const device = [...first.c.cookies].find(([k]) => k.includes("sujarit_metoo"))?.[1];
    expect(device).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const row = (await dbGet<{ device_hash: string }>(server, "select device_hash from complaint_me_too"))!;
    expect(row.device_hash).not.toContain(device!);

    // The same device again: refused, nothing added.
    const again = await first.c.postForm("/complaints/me-too", { csrf: first.csrf, website: "", case: id });
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text).formError).toBe("map:meToo.already");
    // The same address with a fresh device cookie: refused too.
    first.c.cookies.delete([...first.c.cookies.keys()].find((k) => k.includes("sujarit_metoo"))!);
    const cleared = await first.c.postForm("/complaints/me-too", { csrf: first.csrf, website: "", case: id });
    expect(cleared.status).toBe(409);
    expect(await meTooRows()).toBe(1);

    // Another citizen: counted.
    const second = await meTooClient();
    const ok2 = await second.c.postForm("/complaints/me-too", { csrf: second.csrf, website: "", case: id });
    expect(ok2.status).toBe(200);
    expect(JSON.parse(ok2.text).count).toBe(2);

    const { body } = await nearby(client(), `lat=${HERE.lat}&lng=${HERE.lng}`);
    expect(body.cases.find((c) => c.id === id)?.meToo).toBe(2);
  });

  it("shows the count to the officer on the case page and on the map of open cases", async () => {
    const page = await officer.get(`/staff/cases/${filed.a!.reference}`);
    expect(page.status).toBe(200);
    expect(page.$.testId("me-too-count")).toBe("2 คน");
    const map = await officer.get("/staff/map/cases");
    expect(map.status).toBe(200);
    const data = JSON.parse(map.text) as { cases: { reference: string; meToo: number; lat: number }[]; more: boolean };
    const refs = data.cases.map((c) => c.reference);
    expect(refs).toContain(filed.a!.reference);
    expect(refs).toContain(filed.b!.reference);
    expect(refs).not.toContain(filed.closed!.reference);
    expect(refs).not.toContain(filed.nowhere!.reference);
    expect(data.cases.find((c) => c.reference === filed.a!.reference)).toMatchObject({ meToo: 2, lat: POINTS.a.lat });
    // Not for anyone signed out.
    const anonymous = await client().get("/staff/map/cases");
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toContain("/staff/login");
  });

  it("refuses a forged id (400) and a closed case (409)", async () => {
    const { c, csrf } = await meTooClient();
    const forged = await c.postForm("/complaints/me-too", { csrf, website: "", case: "A".repeat(22) });
    expect(forged.status).toBe(400);
    const malformed = await c.postForm("/complaints/me-too", { csrf, website: "", case: "<script>" });
    expect(malformed.status).toBe(400);
    // The closed case's id, as the list gave it while it was open: made the same way, but the case is closed now.
    const id = await nearbyIdOf("b");
    expect((await actOnCase(filed.b!.reference, { intent: "accept" })).status).toBe(302);
    expect((await actOnCase(filed.b!.reference, { intent: "resolve", resultSummary: "เปลี่ยนหลอดแล้ว" })).status).toBe(302);
    const closed = await c.postForm("/complaints/me-too", { csrf, website: "", case: id });
    expect(closed.status).toBe(409);
    expect(JSON.parse(closed.text).formError).toBe("map:meToo.notOpen");
  });

  it("is rate-limited per client (20 posts in 10 minutes)", async () => {
    const { c, csrf } = await meTooClient();
    for (let i = 0; i < 20; i++) {
      const res = await c.postForm("/complaints/me-too", { csrf, website: "", case: "B".repeat(22) });
      expect(res.status).toBe(400);
    }
    const refused = await c.postForm("/complaints/me-too", { csrf, website: "", case: "B".repeat(22) });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).formError).toBe("map:meToo.rateLimited");
  });
});

describe("a photo's GPS position", () => {
  it("is removed from the stored file (the browser reads it before the upload, if the citizen wants it)", async () => {
    const jpeg = await gpsJpeg(14.7637, 100.1905);
    expect(jpeg.includes(Buffer.from("SujaritTestCam"))).toBe(true);
    const f = await fileComplaint(client(), { category: "road" }, [{ filename: "photo.jpg", type: "image/jpeg", data: jpeg }]);
    const att = (await dbGet<{ id: number }>(
      server,
      "select a.id from attachments a join complaints c on c.id = a.complaint_id where c.reference = ?",
      f.reference,
    ))!;
    const res = await fetch(`${server.url}/staff/cases/${f.reference}/attachments/${att.id}`, {
      headers: { Cookie: officer.cookieHeader() },
    });
    expect(res.status).toBe(200);
    const stored = Buffer.from(await res.arrayBuffer());
    const { default: sharp } = await import("sharp");
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(stored.includes(Buffer.from("SujaritTestCam"))).toBe(false);
  });
});
