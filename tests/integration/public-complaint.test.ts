/**
 * Black-box tests of the public complaint form and tracking page against the real server (spawned on the
 * default build) and a real SMTP server. Each client gets its own X-Forwarded-For address (the server trusts one
 * proxy hop here) so rate limits apply per test, as they would per citizen.
 */
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbAll, dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { storedFile } from "../helpers/file-store";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import {
  HttpClient,
  complaintFields,
  csrfOf,
  fileComplaint,
  formData,
  makeJpeg,
  submissionKeyOf,
  type FiledComplaint,
  type HttpResult,
} from "../helpers/http";
import { deriveTrackingCode, formatTrackingCode, hashTrackingCode } from "~/lib/tracking-code";
import { unmaskToken } from "~/utils/crypto.server";

const REFERENCE_RE = /^\d{4}-\d{6}$/;
const CODE_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

let server: TestServer;
let smtp: TestSmtp;
const clients: HttpClient[] = [];
let ipSeq = 0;
const tag = crypto.randomBytes(4).toString("hex");

function client(): HttpClient {
  ipSeq++;
  const c = new HttpClient(server.url, { ip: `10.20.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}` });
  clients.push(c);
  return c;
}

async function counts() {
  const one = async (table: string) => Number((await dbGet<{ n: number }>(server, `select count(*) as n from ${table}`))!.n);
  return {
    complaints: await one("complaints"),
    events: await one("case_events"),
    attachments: await one("attachments"),
    outbox: await one("outbox"),
  };
}

/** Asserts a refusal: an expected 4xx status and no row written anywhere. */
async function expectRefused(res: HttpResult, allowed: number[], before: Awaited<ReturnType<typeof counts>>) {
  expect(res.status, `status (body: ${res.$.text().slice(0, 300)})`).toBeLessThan(500);
  expect(allowed).toContain(res.status);
  expect(await counts()).toEqual(before);
}

/** A fresh form (csrf + submissionKey) for a new client. */
async function openForm() {
  const c = client();
  const page = await c.get("/complaints/new");
  expect(page.status).toBe(200);
  return { c, csrf: csrfOf(page), submissionKey: submissionKeyOf(page) };
}

function secrets(): { trackingPepper: string; trackingDerivation: string } {
  return JSON.parse(fs.readFileSync(path.join(server.dataDir, "keys", "secrets.json"), "utf8"));
}

const subject = `ถนนหน้าบ้านเป็นหลุม ${tag}`;
const details = `รายละเอียดลับเฉพาะ ${tag}: หลุมลึกมาก`;
const email = `citizen-${tag}@example.th`;
let filed: FiledComplaint;
let jpeg: Buffer;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url, TRUSTED_PROXIES: "127.0.0.1" } });
  jpeg = await makeJpeg(7);
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("filing a complaint", () => {
  it("shows the form with a CSRF token and a one-time submission key", async () => {
    const c = client();
    const a = await c.get("/complaints/new");
    const b = await c.get("/complaints/new");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toMatch(/text\/html/);
    // The token masked afresh in every page (no secret repeats in compressed pages): never the cookie itself.
    const cookie = c.cookies.get("csrf")!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfOf(a)).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(csrfOf(b)).not.toBe(csrfOf(a));
    expect(a.text).not.toContain(cookie);
    expect([unmaskToken(csrfOf(a)), unmaskToken(csrfOf(b))]).toEqual([cookie, cookie]);
    expect(submissionKeyOf(a).length).toBeGreaterThanOrEqual(16);
    expect(submissionKeyOf(b)).not.toBe(submissionKeyOf(a));
    expect(a.text).toMatch(/name="website"/);
    expect(a.text).toMatch(/enctype="multipart\/form-data"/i);
  });

  it("accepts a valid submission with a photo and writes the case, its history, attachment and e-mail", async () => {
    const before = await counts();
    filed = await fileComplaint(client(), { subject, details, contactEmail: email }, [
      { filename: "หลุม.jpg", type: "image/jpeg", data: jpeg },
    ]);
    expect(filed.reference).toMatch(REFERENCE_RE);
    expect(filed.trackingCode).toMatch(CODE_RE);
    expect(filed.res.$.testId("due-date")).toBeTruthy();

    // The tracking code is derived from the submission key with the installation's secret; only its HMAC is stored.
    const s = secrets();
    expect(filed.trackingCode).toBe(formatTrackingCode(deriveTrackingCode(filed.submissionKey, s.trackingDerivation)));

    const row = await dbGet(server, "select * from complaints where reference = ?", filed.reference);
    expect(row).toBeTruthy();
    const road = await dbGet(server, "select id, division_id from categories where code = 'road'");
    const village1 = await dbGet(server, "select id from villages where number = 1");
    expect(row).toMatchObject({
      channel: "web",
      status: "received",
      subject,
      details,
      category_id: road!.id,
      division_id: road!.division_id,
      village_id: village1!.id,
      landmark: "หน้าวัดวังลึก",
      contact_name: "สมชาย ใจดี",
      contact_phone: "0812345678",
      contact_email: email,
      preferred_contact: "email",
      lang: "th",
      recorded_by: null,
      assignee_id: null,
      closed_at: null,
    });
    expect(row!.tracking_hash).toBe(hashTrackingCode(filed.trackingCode, s.trackingPepper));
    expect(row!.submission_key_hash).toBe(crypto.createHash("sha256").update(filed.submissionKey).digest("hex"));
    expect(Date.parse(row!.due_at)).toBeGreaterThan(Date.parse(row!.received_at));
    expect(row!.reference).toBe(`${row!.fiscal_year}-${String(row!.seq).padStart(6, "0")}`);

    const events = await dbAll(server, "select * from case_events where complaint_id = ?", row!.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "created", to_status: "received" });

    const atts = await dbAll(server, "select * from attachments where complaint_id = ?", row!.id);
    expect(atts).toHaveLength(1);
    expect(atts[0].mime).toBe("image/jpeg");
    expect(atts[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const stored = await storedFile(server, `uploads/${atts[0].sha256.slice(0, 2)}/${atts[0].sha256}`);
    expect(stored).not.toBeNull();
    expect(crypto.createHash("sha256").update(stored!).digest("hex")).toBe(atts[0].sha256);
    expect(stored!.length).toBe(atts[0].size);

    const outbox = await dbAll(server, "select * from outbox where complaint_id = ?", row!.id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0].payload ?? "").not.toContain(email); // encrypted at rest

    const after = await counts();
    expect(after.complaints).toBe(before.complaints + 1);
    expect(after.attachments).toBe(before.attachments + 1);
  });

  it("delivers the acknowledgement e-mail with the reference", async () => {
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email), 15_000);
    expect(`${mail.subject}\n${mail.text}`).toContain(filed.reference);
    expect(mail.text.length).toBeGreaterThan(20);
    expect(mail.html).toContain(filed.reference);
    const row = await waitUntil(
      () =>
        dbGet(
          server,
          "select o.* from outbox o join complaints c on c.id = o.complaint_id where c.reference = ? and o.status = 'sent'",
          filed.reference,
        ),
      "outbox row marked sent",
    );
    expect(row.payload).toBeNull();
    expect(row.sent_at).toBeTruthy();
  });

  it("never stores the tracking code itself", async () => {
    const bare = filed.trackingCode.replace(/-/g, "");
    for (const f of ["sujarit.db", "sujarit.db-wal"]) {
      const file = path.join(server.dataDir, f);
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from(bare)), `${f} contains the code`).toBe(false);
      expect(bytes.includes(Buffer.from(filed.trackingCode)), `${f} contains the code`).toBe(false);
    }
  });

  it("re-posting the same form returns the same case and creates nothing", async () => {
    const before = await counts();
    const c = client();
    // Same cookies as the original client are not needed: the submission key identifies the form.
    c.cookies.set("csrf", filed.csrfCookie);
    const posted = await c.postMultipart("/complaints/new", filed.form);
    expect(posted.status).toBe(302);
    const res = await c.get("/complaints/done");
    expect(res.status).toBe(200);
    expect(res.$.testId("reference")).toBe(filed.reference);
    expect(res.$.testId("tracking-code")).toBe(filed.trackingCode);
    expect(await counts()).toEqual(before);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.messages.filter((m) => m.rcptTo.includes(email))).toHaveLength(1);
  });

  it("shows the receipt from an encrypted cookie that carries no readable code, and lets the citizen clear it", async () => {
    const c = client();
    const mine = await fileComplaint(c, { subject: `ทางเท้าชำรุด ${tag}`, contactEmail: "", preferredContact: "none" });
    const cookie = c.cookies.get("receipt");
    expect(cookie).toMatch(/^v1\./);
    expect(cookie).not.toContain(mine.trackingCode);
    expect(cookie).not.toContain(mine.trackingCode.replace(/-/g, ""));
    expect(cookie).not.toContain(mine.reference);
    // The receipt can be shown again (reload, print) while the cookie lives …
    const again = await c.get("/complaints/done");
    expect(again.$.testId("tracking-code")).toBe(mine.trackingCode);
    expect(again.headers.get("cache-control")).toContain("no-store");
    // … a tampered cookie shows no receipt …
    const forged = new HttpClient(server.url);
    forged.cookies.set("receipt", cookie!.slice(0, -4) + "AAAA");
    const forgedPage = await forged.get("/complaints/done");
    expect(forgedPage.status).toBe(200);
    expect(forgedPage.$.testId("tracking-code")).toBeFalsy();
    // … and "clear from this device" removes it.
    const page = await c.get("/complaints/done");
    const cleared = await c.postForm("/complaints/done", { csrf: csrfOf(page) });
    expect(cleared.status).toBe(302);
    expect(c.cookies.has("receipt")).toBe(false);
    const after = await c.get("/complaints/done");
    expect(after.$.testId("tracking-code")).toBeFalsy();
    expect(after.text).not.toContain(mine.trackingCode);
  });

  it("accepts markup in text fields but never echoes it unescaped", async () => {
    const evil = `<script>alert("x${tag}")</script><img src=x onerror=alert(1)>`;
    const done = await fileComplaint(client(), {
      subject: `ไฟดับ ${evil}`,
      details: `ไฟดับ ${evil}`,
      contactEmail: "",
      preferredContact: "none",
    });
    expect(done.reference).toMatch(REFERENCE_RE);
    const row = await dbGet(server, "select subject from complaints where reference = ?", done.reference);
    expect(row!.subject).toBe(`ไฟดับ ${evil}`);
    for (const h of clients.flatMap((c) => c.history)) {
      expect(h.text).not.toContain(`<script>alert("x${tag}")`);
      expect(h.text).not.toContain("<img src=x onerror");
    }
  });
});

describe("refusing bad input cleanly", () => {
  it("missing required fields → 422 with an error summary", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields({ subject: "", details: "", category: "", village: "" }) }),
    );
    await expectRefused(res, [422], before);
    expect(res.text).toMatch(/error-summary/);
    expect(res.text).toContain("กรุณากรอกข้อมูลช่องนี้");
    // The citizen's other input is kept.
    expect(res.text).toContain("หน้าวัดวังลึก");
  });

  it("too-long subject → 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields({ subject: "ก".repeat(201) }) }),
    );
    await expectRefused(res, [422], before);
    expect(res.text).toContain("ข้อความยาวเกินไป");
  });

  it("bad e-mail → 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields({ contactEmail: "not-an-email@" }) }),
    );
    await expectRefused(res, [422], before);
    expect(res.text).toContain("รูปแบบอีเมลไม่ถูกต้อง");
  });

  it("unknown category and village → 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields({ category: "bribery", village: "99" }) }),
    );
    await expectRefused(res, [422], before);
    expect(res.text).toContain("กรุณาเลือกจากรายการ");
  });

  it("oversize file (> 10 MB) → 413 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const big = Buffer.concat([jpeg, Buffer.alloc(10 * 1024 * 1024 + 1024, 0)]);
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields() }, [{ filename: "big.jpg", type: "image/jpeg", data: big }]),
    );
    await expectRefused(res, [413, 422], before);
  });

  it("a text file disguised as a JPEG → 415 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const fake = Buffer.from("<?php system($_GET['c']); ?> this is not an image\n".repeat(20));
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields() }, [{ filename: "photo.jpg", type: "image/jpeg", data: fake }]),
    );
    await expectRefused(res, [415, 422], before);
  });

  it("six files (limit is five) → 413 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const files = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (i) => ({ filename: `p${i}.jpg`, type: "image/jpeg", data: await makeJpeg(100 + i) })),
    );
    const res = await c.postMultipart("/complaints/new", formData({ csrf, submissionKey, ...complaintFields() }, files));
    await expectRefused(res, [413, 422], before);
  });

  it("multipart body with the wrong boundary → 400 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const body = [
      `--REAL`,
      `Content-Disposition: form-data; name="csrf"`,
      ``,
      csrf,
      `--REAL`,
      `Content-Disposition: form-data; name="submissionKey"`,
      ``,
      submissionKey,
      `--REAL--`,
      ``,
    ].join("\r\n");
    const res = await c.postRaw("/complaints/new", body, "multipart/form-data; boundary=OTHER");
    await expectRefused(res, [400, 403, 422], before);
  });

  it("truncated multipart body → 400 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const fields = { csrf, submissionKey, ...complaintFields() } as Record<string, string>;
    const parts = Object.entries(fields).map(([k, v]) => `--B0UND\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    const full = Buffer.concat([
      Buffer.from(parts.join("")),
      Buffer.from(`--B0UND\r\nContent-Disposition: form-data; name="attachments"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      jpeg,
    ]); // no closing boundary, file cut off
    const res = await c.postRaw("/complaints/new", full.subarray(0, full.length - 100), "multipart/form-data; boundary=B0UND");
    await expectRefused(res, [400, 413, 422], before);
  });

  it("broken UTF-8 in a multipart text field → 400 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const fields = { csrf, submissionKey, ...complaintFields() } as Record<string, string>;
    const chunks: Buffer[] = [];
    for (const [k, v] of Object.entries(fields)) {
      chunks.push(Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n`));
      chunks.push(
        k === "subject" ? Buffer.concat([Buffer.from("ถนน"), Buffer.from([0xff, 0xfe, 0xe0, 0xb8]), Buffer.from("พัง")]) : Buffer.from(v),
      );
      chunks.push(Buffer.from("\r\n"));
    }
    chunks.push(Buffer.from("--XyZ--\r\n"));
    const res = await c.postRaw("/complaints/new", Buffer.concat(chunks), "multipart/form-data; boundary=XyZ");
    await expectRefused(res, [400, 422], before);
  });

  it("broken UTF-8 in a urlencoded body → 400, 415 or 422", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const params = new URLSearchParams({ csrf, submissionKey, ...(complaintFields() as Record<string, string>) });
    const body = params.toString().replace(/subject=[^&]*/, "subject=%E0%B8%96%FF%FE%E0%B8");
    const res = await c.postRaw("/complaints/new", body, "application/x-www-form-urlencoded");
    await expectRefused(res, [400, 415, 422], before);
  });

  it("missing CSRF token → 403", async () => {
    const { c, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart("/complaints/new", formData({ submissionKey, ...complaintFields() }));
    await expectRefused(res, [403], before);
  });

  it("wrong CSRF token → 403", async () => {
    const { c, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart("/complaints/new", formData({ csrf: "A".repeat(43), submissionKey, ...complaintFields() }));
    await expectRefused(res, [403], before);
  });

  it("CSRF token without the matching cookie → 403", async () => {
    const { csrf, submissionKey } = await openForm();
    const stranger = client();
    const before = await counts();
    const res = await stranger.postMultipart("/complaints/new", formData({ csrf, submissionKey, ...complaintFields() }));
    await expectRefused(res, [403], before);
  });

  it("honeypot filled → 4xx and nothing stored", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf, submissionKey, ...complaintFields({ website: "http://spam.example" }) }),
    );
    await expectRefused(res, [400, 403, 422, 429], before);
  });

  it("cross-site Origin → 403", async () => {
    const { c, csrf, submissionKey } = await openForm();
    const before = await counts();
    const res = await c.postMultipart("/complaints/new", formData({ csrf, submissionKey, ...complaintFields() }), {
      Origin: "https://evil.example",
    });
    await expectRefused(res, [403], before);
    const res2 = await c.postMultipart("/complaints/new", formData({ csrf, submissionKey, ...complaintFields() }), {
      "Sec-Fetch-Site": "cross-site",
    });
    await expectRefused(res2, [403], before);
  });
});

describe("tracking", () => {
  async function track(c: HttpClient, reference: string, code: string) {
    const page = await c.get("/track");
    expect(page.status).toBe(200);
    return c.postForm("/track", { csrf: csrfOf(page), reference, code });
  }

  /** The page with everything that legitimately differs between two requests removed. */
  function normalised(res: HttpResult, ...secrets: string[]) {
    let t = res.text.replace(/nonce="[^"]*"/g, "").replace(/name="csrf" value="[^"]*"/g, "");
    t = t.replace(/"csrf":"[^"]*"/g, "");
    for (const s of secrets) t = t.split(s).join("<X>");
    return t;
  }

  it("shows the case status with the reference and code (code in any case, without dashes)", async () => {
    const res = await track(client(), filed.reference, filed.trackingCode);
    expect(res.status).toBe(200);
    expect(res.$.testId("case-status")).toBeTruthy();
    expect(res.$.testIdAttr("case-status", "data-status")).toBe("received");
    expect(res.text).toContain(filed.reference);
    expect(res.text).not.toContain(details); // details are not shown publicly
    const loose = await track(client(), filed.reference, filed.trackingCode.replace(/-/g, "").toLowerCase());
    expect(loose.status).toBe(200);
    expect(loose.$.testId("case-status")).toBe(res.$.testId("case-status"));
  });

  it("gives the same answer for a wrong code and for an unknown reference", async () => {
    const first = filed.trackingCode[0] === "A" ? "B" : "A";
    const wrongCode = first + filed.trackingCode.slice(1);
    const [fy] = filed.reference.split("-");
    const unknownRef = `${fy}-987654`;
    const a = await track(client(), filed.reference, wrongCode);
    const b = await track(client(), unknownRef, filed.trackingCode);
    expect(a.status).toBeGreaterThanOrEqual(400);
    expect(a.status).toBeLessThan(500);
    expect(b.status).toBe(a.status);
    expect(a.$.testId("case-status")).toBeNull();
    expect(b.$.testId("case-status")).toBeNull();
    expect(normalised(a, filed.reference, wrongCode)).toBe(normalised(b, unknownRef, filed.trackingCode));
  });

  it("throttles repeated wrong codes with 429, per client", async () => {
    const c = client();
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const code = `ZZZZ-ZZZZ-ZZ${"0123456789ABCDEFGH"[i]}Z`;
      const res = await track(c, filed.reference, code);
      statuses.push(res.status);
      if (res.status === 429) break;
    }
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s < 500)).toBe(true);
    // Another citizen is not affected.
    const other = await track(client(), filed.reference, filed.trackingCode);
    expect(other.status).toBe(200);
  });
});

describe("every response", () => {
  it("carries the security headers, and scripts carry the CSP nonce", async () => {
    const c = client();
    for (const p of ["/", "/healthz", "/complaints/new", "/track", "/no-such-page", "/styles/app.css"]) await c.get(p);
    const all = clients.flatMap((x) => x.history);
    expect(all.length).toBeGreaterThan(5);
    for (const r of all) {
      const where = `${r.method} ${r.path} → ${r.status}`;
      const csp = r.headers.get("content-security-policy") ?? "";
      const scriptSrc = /script-src([^;]*)/.exec(csp)?.[1] ?? "";
      expect(scriptSrc, where).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'/);
      expect(scriptSrc, where).not.toContain("'unsafe-inline'");
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-content-type-options"), where).toBe("nosniff");
      expect(r.headers.get("referrer-policy"), where).toBeTruthy();
      expect(r.headers.get("permissions-policy"), where).toBeTruthy();
      if (r.path.startsWith("/complaints") || r.path.startsWith("/track"))
        expect(r.headers.get("cache-control"), where).toContain("no-store");
      if (/text\/html/.test(r.headers.get("content-type") ?? "")) {
        const nonce = /'nonce-([^']+)'/.exec(csp)![1];
        for (const tagText of r.text.match(/<script\b[^>]*>/g) ?? []) expect(tagText, where).toContain(`nonce="${nonce}"`);
        expect(r.text, where).not.toMatch(/\sstyle="/);
      }
    }
  });

  it("server logs never contain complaint text, contact details or tracking codes", () => {
    const logs = server.logs();
    expect(logs).toContain("request"); // the request log is there…
    for (const secret of [
      subject,
      details,
      email,
      "0812345678",
      "สมชาย",
      filed.trackingCode,
      filed.trackingCode.replace(/-/g, ""),
      filed.submissionKey,
    ]) {
      expect(logs, `logs contain ${secret}`).not.toContain(secret);
    }
    expect(logs).not.toMatch(/10\.20\.\d+\.\d+/); // … without client addresses
  });
});
