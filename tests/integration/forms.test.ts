/**
 * Forms that help, against the real server: one post reports every error at once (fields and files) and writes
 * nothing; files picked before a refusal are kept and the page says so; the reference is accepted without its dash;
 * the printed receipt carries a short address and a QR code without the tracking code; the organisation's own details
 * come first for an administrator (redirect, validation, audit) and the home page shows only the channels that exist.
 */
import crypto from "node:crypto";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaffUser, dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, TEST_ORG_CONTACT, complaintFields, csrfOf, fileComplaint, formData, makeJpeg, submissionKeyOf } from "../helpers/http";
import { shortWebAddress } from "~/lib/short-address";

let server: TestServer;
let ipSeq = 0;

function client(): HttpClient {
  ipSeq++;
  return new HttpClient(server.url, { ip: `10.44.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}` });
}

async function counts() {
  const one = async (table: string) => Number((await dbGet<{ n: number }>(server, `select count(*) as n from ${table}`))!.n);
  return {
    complaints: await one("complaints"),
    events: await one("case_events"),
    attachments: await one("attachments"),
    pending: await one("pending_uploads"),
    outbox: await one("outbox"),
  };
}

/** The error summary's links: field id → text. */
function summaryLinks(html: string): Map<string, string> {
  const box = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? "";
  return new Map([...box.matchAll(/<a href="#([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => [m[1], m[2]]));
}

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
});

afterAll(async () => {
  await server?.stop();
});

describe("every error at once", () => {
  it("one post with several bad fields and bad files lists them all (422), links them to the fields, writes nothing", async () => {
    const c = client();
    const page = await c.get("/complaints/new");
    const before = await counts();
    const fake = Buffer.from("not an image at all\n".repeat(50));
    const big = Buffer.concat([await makeJpeg(3), Buffer.alloc(10 * 1024 * 1024 + 4096, 0)]);
    const res = await c.postMultipart(
      "/complaints/new",
      formData(
        {
          csrf: csrfOf(page),
          submissionKey: submissionKeyOf(page),
          ...complaintFields({
            category: "",
            subject: "",
            details: "",
            village: "",
            latitude: "14.5",
            longitude: "",
            contactPhone: "",
            contactEmail: "not-an-email@",
            preferredContact: "phone",
          }),
        },
        [
          { filename: "notes.jpg", type: "image/jpeg", data: fake },
          { filename: "huge.jpg", type: "image/jpeg", data: big },
        ],
      ),
    );
    expect(res.status).toBe(422);
    expect(await counts()).toEqual(before);
    const links = summaryLinks(res.text);
    for (const field of ["category", "subject", "details", "village", "longitude", "contactPhone", "contactEmail", "attachments"]) {
      expect(links.has(`f-${field}`), `summary lists ${field}: ${[...links.keys()].join(",")}`).toBe(true);
    }
    expect(links.get("f-contactPhone")).toMatch(/โทรศัพท์/);
    expect(links.get("f-contactEmail")).toContain("รูปแบบอีเมลไม่ถูกต้อง");
    // Each refused file is named with its own reason, the oversize one included (it did not end the post).
    const rejected = /<ul class="rejected-files">([\s\S]*?)<\/ul>/.exec(res.text)?.[1] ?? "";
    expect(rejected).toContain("notes.jpg");
    expect(rejected).toContain("huge.jpg");
    // The form asks the browser not to interrupt with its own pop-ups: the portal's summary does the talking.
    expect(res.text).toMatch(/<form[^>]*class="complaint-form"[^>]*novalidate|<form[^>]*novalidate[^>]*class="complaint-form"/i);
  });

  it("a good file sent with a refused form is kept, and the summary says it need not be chosen again", async () => {
    const c = client();
    const page = await c.get("/complaints/new");
    const before = await counts();
    const res = await c.postMultipart(
      "/complaints/new",
      formData({ csrf: csrfOf(page), submissionKey: submissionKeyOf(page), ...complaintFields({ subject: "" }) }, [
        { filename: "pothole.jpg", type: "image/jpeg", data: await makeJpeg(11) },
      ]),
    );
    expect(res.status).toBe(422);
    expect((await counts()).complaints).toBe(before.complaints);
    expect(res.text).toMatch(/name="keptUploads" value="[A-Za-z0-9_-]{22}"/);
    expect(res.text).toContain("pothole.jpg");
    expect(res.$.testId("kept-note")).toContain("ไม่ต้องเลือกใหม่");
  });
});

describe("the reference with or without its dash, and the receipt", () => {
  let reference = "";
  let trackingCode = "";
  let receiptHtml = "";

  beforeAll(async () => {
    const filed = await fileComplaint(client());
    reference = filed.reference;
    trackingCode = filed.trackingCode;
    receiptHtml = filed.res.text;
  });

  async function track(reference: string, code: string) {
    const c = client();
    const page = await c.get("/track");
    return c.postForm("/track", { csrf: csrfOf(page), reference, code });
  }

  it("finds the case with the reference typed with or without its dash, or with Thai digits", async () => {
    const thaiDigits = reference.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    for (const typed of [reference, reference.replace("-", ""), thaiDigits.replace("-", "")]) {
      const res = await track(typed, trackingCode);
      expect(res.status, typed).toBe(200);
      expect(res.$.testIdAttr("case-status", "data-status"), typed).toBe("received");
    }
  });

  it("the tracking form asks the browser for no pop-ups, and an empty lookup lists both fields at once", async () => {
    const c = client();
    const page = await c.get("/track");
    expect(page.text).toMatch(/<form[^>]*track-form[^>]*novalidate/i);
    const res = await c.postForm("/track", { csrf: csrfOf(page), reference: "", code: "" });
    expect(res.status).toBe(422);
    const links = summaryLinks(res.text);
    expect([...links.keys()].sort()).toEqual(["f-code", "f-reference"]);
  });

  it("prints a short web address beside the QR code, and the QR code carries the reference but never the tracking code", async () => {
    const address = shortWebAddress(server.url, "/track");
    expect(address).toBe(`${new URL(server.url).host}/track`);
    const printed = /data-testid="receipt-address"[^>]*>([\s\S]*?)<\/p>/.exec(receiptHtml)?.[1] ?? "";
    expect(printed).toContain(address);
    const svg = /<figure class="receipt-qr">[\s\S]*?<div aria-hidden="true">([\s\S]*?)<\/div>/.exec(receiptHtml)?.[1] ?? "";
    expect(svg).toContain("<svg");
    const opts = { type: "svg", errorCorrectionLevel: "M", margin: 2 } as const;
    expect(svg).toBe(await QRCode.toString(`${server.url}/track#ref=${encodeURIComponent(reference)}`, opts));
    expect(svg).not.toBe(
      await QRCode.toString(`${server.url}/track#ref=${encodeURIComponent(reference)}&code=${encodeURIComponent(trackingCode)}`, opts),
    );
  });
});

describe("the organisation's own details come first", () => {
  const tag = crypto.randomBytes(3).toString("hex");
  const admin = { email: `admin-${tag}@wangluek.go.th`, role: "admin" as const, password: `Admin-pass-${tag}-long-enough` };
  const officer = {
    email: `officer-${tag}@wangluek.go.th`,
    role: "officer" as const,
    password: `Officer-pass-${tag}-long`,
    division: "works",
  };
  let c: HttpClient;

  beforeAll(async () => {
    await createStaffUser(server, admin);
    await createStaffUser(server, officer);
  });

  it("before the set-up the home page invites no phone, e-mail or LINE", async () => {
    const home = await client().get("/");
    expect(home.status).toBe(200);
    expect(home.text).not.toContain("Facebook");
    expect(home.text).not.toContain("LINE");
    expect(home.text).not.toContain('data-channel="phone"');
    expect(home.text).not.toContain("ทางโทรศัพท์");
    // The seeded office address exists: the office (and a letter to it) is offered.
    expect(home.text).toContain("ที่ที่ทำการ");
  });

  it("sends an administrator to /staff/setup from every staff page until it is done", async () => {
    c = client();
    const signedIn = await c.login(admin.email, admin.password, "/staff", { completeOrgSetup: false });
    expect(signedIn.status).toBe(302);
    for (const path of ["/staff", "/staff/admin", "/staff/audit"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(302);
      expect(new URL(res.location!).pathname, path).toBe("/staff/setup");
      expect(new URL(res.location!).searchParams.get("redirectTo"), path).toBe(path);
    }
    const setup = await c.get("/staff/setup");
    expect(setup.status).toBe(200);
    expect(setup.$.testIdAttr("org-setup", "data-first-time")).toBe("yes");
    for (const name of ["phone", "email", "lineId", "addressTh", "officeHoursTh", "village_1_th", "village_8_th"]) {
      expect(setup.text, name).toContain(`name="${name}"`);
    }
    // Another role is never asked (nor allowed to change it).
    const o = client();
    await o.login(officer.email, officer.password);
    expect((await o.get("/staff")).status).toBe(200);
    expect((await o.get("/staff/setup")).status).toBe(403);
  });

  it("refuses bad details with every error at once and saves nothing", async () => {
    const page = await c.get("/staff/setup");
    const res = await c.postForm("/staff/setup", {
      csrf: csrfOf(page),
      phone: "12",
      email: "saraban@",
      lineId: "ไลน์ของเรา!",
      addressTh: "",
      officeHoursTh: "",
      village_1_th: "บ้านวังลึก",
      village_2_th: "หมู่ที่ 2",
      village_3_th: "",
    });
    expect(res.status).toBe(422);
    const links = [...summaryLinks(res.text).keys()];
    for (const f of ["phone", "email", "lineId", "addressTh", "officeHoursTh", "village_2_th", "village_3_th"]) {
      expect(links, f).toContain(`f-${f}`);
    }
    expect(links).not.toContain("f-village_1_th");
    const row = await dbGet<{ setup_completed_at: string | null; phone: string }>(
      server,
      "select setup_completed_at, phone from org_profile",
    );
    expect(row).toEqual({ setup_completed_at: null, phone: "" });
  });

  it("saves valid details with the village names, audits it, and lets the administrator through", async () => {
    const page = await c.get("/staff/setup?redirectTo=%2Fstaff%2Fadmin");
    const fields: Record<string, string> = { csrf: csrfOf(page), redirectTo: "/staff/admin", ...TEST_ORG_CONTACT, phone: "056 123 456" };
    for (let n = 1; n <= 8; n++) fields[`village_${n}_th`] = n === 1 ? "บ้านวังลึก" : `บ้านหนองน้ำ ${n}`;
    const res = await c.postForm("/staff/setup", fields);
    expect(res.status).toBe(302);
    expect(new URL(res.location!).pathname).toBe("/staff/admin");
    const row = await dbGet<Record<string, string | null>>(
      server,
      "select phone, email, line_id, office_hours_th, setup_completed_at from org_profile",
    );
    expect(row).toMatchObject({
      phone: "056123456",
      email: TEST_ORG_CONTACT.email,
      line_id: "@wangluek",
      office_hours_th: TEST_ORG_CONTACT.officeHoursTh,
    });
    expect(row!.setup_completed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const villages = await dbAll<{ number: number; name_th: string; name_en: string }>(
      server,
      "select number, name_th, name_en from villages order by number",
    );
    expect(villages[1]).toEqual({ number: 2, name_th: "บ้านหนองน้ำ 2", name_en: "Village 2" });
    const audit = await dbAll<{ action: string; target_type: string; details: string }>(
      server,
      "select action, target_type, details from audit_log where target_type = 'org_profile'",
    );
    expect(audit.some((a) => a.action === "settings.update" && JSON.parse(a.details).setting === "org_setup")).toBe(true);
    expect((await c.get("/staff")).status).toBe(200);
    expect((await c.get("/staff/admin")).text).toContain('href="/staff/setup"');
    // Editable later: the page stays open to administrators, no longer as a first step.
    expect((await c.get("/staff/setup")).$.testIdAttr("org-setup", "data-first-time")).toBe("no");
  });

  it("the home page then shows the real channels only, and the new village names reach the complaint form", async () => {
    const home = await client().get("/");
    const section = /data-testid="contact-channels"[\s\S]*?<\/section>/.exec(home.text)?.[0] ?? "";
    expect(section).toContain('href="tel:056123456"');
    expect(section).toContain(`href="mailto:${TEST_ORG_CONTACT.email}"`);
    expect(section).toContain("https://line.me/R/ti/p/%40wangluek");
    expect(section).toContain(TEST_ORG_CONTACT.officeHoursTh);
    expect(home.text).toContain("ทาง LINE");
    expect(home.text).not.toContain("Facebook");
    const form = await client().get("/complaints/new");
    expect(form.text).toContain("บ้านหนองน้ำ 3");
  });
});
