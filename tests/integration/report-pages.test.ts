/**
 * Black-box tests of the whistleblower pages (/report, /report/new, /report/receipt, /report/receipt-file,
 * /report/inbox) against the real server (default build). Each client has its own X-Forwarded-For address (the
 * server trusts one proxy hop here) so the in-memory throttles apply per test client.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbAll, dbGet, startServer, type TestServer } from "../helpers/server";
import { storedKeys } from "../helpers/file-store";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { HttpClient, csrfOf, formData, makeJpeg, submissionKeyOf, type HttpResult } from "../helpers/http";
import { createAnyStaff, integrityLogin, totpAccount } from "../helpers/report";

let server: TestServer;
let smtp: TestSmtp;
const clients: HttpClient[] = [];
let ipSeq = 0;
const tag = crypto.randomBytes(4).toString("hex");
const phrase = `เงินทอนโครงการถนน ${tag} ZEBRA-${tag}`;

function client(): HttpClient {
  ipSeq++;
  const c = new HttpClient(server.url, {
    ip: `10.77.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`,
  });
  clients.push(c);
  return c;
}

function reportFields(over: Record<string, string> = {}): Record<string, string> {
  return {
    website: "",
    mode: "anonymous",
    recipient: "integrity",
    involvedName: "",
    involvedPosition: "หัวหน้าส่วนโยธา",
    involvedDivision: "กองช่าง",
    whatHappened: phrase,
    when: "มีนาคม 2568",
    where: "โครงการถนนหมู่ 3",
    howKnown: "เห็นด้วยตนเอง",
    reportedElsewhere: "",
    ...over,
  };
}

async function attachmentCount(): Promise<number> {
  return Number((await dbGet<{ n: number }>(server, "select count(*) as n from report_attachments"))!.n);
}

async function pendingCount(ids: string[]): Promise<number> {
  return Number(
    (await dbGet<{ n: number }>(
      server,
      `select count(*) as n from report_pending_uploads where id in (${ids.map(() => "?").join(",")})`,
      ...ids,
    ))!.n,
  );
}

/** Every file under a folder (recursively). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function reportCount(): Promise<number> {
  return Number((await dbGet<{ n: number }>(server, "select count(*) as n from reports"))!.n);
}

/** Opens /report/new and posts the form; returns the POST response plus the form's keys. */
async function fileReport(
  c: HttpClient,
  over: Record<string, string> = {},
  files: { filename: string; type: string; data: Buffer }[] = [],
) {
  const page = await c.get("/report/new");
  expect(page.status).toBe(200);
  const csrf = csrfOf(page);
  const submissionKey = submissionKeyOf(page);
  const fd = formData(
    { csrf, submissionKey, ...reportFields(over) },
    files.map((f) => ({ ...f, name: "evidence" })),
  );
  const res = await c.postMultipart("/report/new", fd);
  return { res, csrf, submissionKey };
}

/** Files a valid report and reads its receipt from the receipt page (16 digits). */
async function fileAndReadReceipt(c: HttpClient, over: Record<string, string> = {}) {
  const { res, csrf, submissionKey } = await fileReport(c, over);
  expect(res.status, res.$.text().slice(0, 400)).toBe(302);
  const page = await c.get("/report/receipt");
  const shown = page.$.testId("receipt");
  expect(shown).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  return { receipt: shown!.replace(/ /g, ""), page, csrf, submissionKey };
}

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({
    env: { SMTP_URL: smtp.url, TRUSTED_PROXIES: "127.0.0.1" },
  });
  // A recipient: an integrity officer who has signed in once (their key pair makes them one).
  await createAnyStaff(server, {
    email: `receiver-${tag}@wangluek.go.th`,
    name: "ผู้รับเรื่อง",
    role: "integrity",
    password: "receiver password 2569",
  });
  await integrityLogin(
    new HttpClient(server.url, { ip: "10.77.250.1" }),
    totpAccount(`receiver-${tag}@wangluek.go.th`, "receiver password 2569"),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("the whistleblower pages", () => {
  it("/report explains the channel and links to the form and the inbox", async () => {
    const c = client();
    const res = await c.get("/report");
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/report/new"');
    expect(res.text).toContain('href="/report/inbox"');
    expect(res.$.text()).toContain("1205");
    expect(res.$.text()).toContain("1567");
    // Nothing from other origins.
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\/(?!127\.0\.0\.1)/);
  });

  it("the form renders with both modes, the identity fields, evidence and the metadata warnings", async () => {
    const c = client();
    const res = await c.get("/report/new");
    expect(res.status).toBe(200);
    expect(csrfOf(res)).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(submissionKeyOf(res).length).toBeGreaterThanOrEqual(20);
    for (const name of [
      "mode",
      "recipient",
      "involvedName",
      "involvedPosition",
      "involvedDivision",
      "when",
      "where",
      "howKnown",
      "reportedElsewhere",
      "reporterName",
      "reporterContact",
      "keepOriginal",
      "website",
    ]) {
      expect(res.text, name).toContain(`name="${name}"`);
    }
    expect(res.text).toContain('name="whatHappened"');
    expect(res.text).toMatch(/<input[^>]*type="file"[^>]*name="evidence"|<input[^>]*name="evidence"[^>]*type="file"/);
    expect(res.text).toContain('value="anonymous"');
    expect(res.text).toContain('value="confidential"');
    expect(res.text).toMatch(/enctype="multipart\/form-data"/i);
  });

  it("a rejected form (422) comes back with every text field, but never the identity fields of an anonymous report", async () => {
    const c = client();
    const before = await reportCount();
    const { res } = await fileReport(c, {
      whatHappened: "",
      involvedName: `ชื่อผู้เกี่ยวข้อง ${tag}`,
      where: `สถานที่ ${tag}`,
      reporterName: `ชื่อจริงของฉัน ${tag}`,
    });
    expect(res.status).toBe(422);
    expect(res.$.inputValue("involvedName")).toBe(`ชื่อผู้เกี่ยวข้อง ${tag}`);
    expect(res.$.inputValue("where")).toBe(`สถานที่ ${tag}`);
    expect(res.text).not.toContain(`ชื่อจริงของฉัน ${tag}`);
    expect(res.text).toContain('id="f-whatHappened"');
    expect(res.text).toContain("error-summary");
    expect(await reportCount()).toBe(before);

    // Confidential without any identity is refused, and the typed text survives.
    const again = await fileReport(c, {
      mode: "confidential",
      whatHappened: `ข้อความยาว ${tag}`,
    });
    expect(again.res.status).toBe(422);
    expect(again.res.text).toContain(`ข้อความยาว ${tag}`);
    expect(await reportCount()).toBe(before);
  });

  it("files a report: redirect to a neutral URL, receipt shown once, re-post creates nothing", async () => {
    const c = client();
    const before = await reportCount();
    const jpeg = await makeJpeg(3);
    const { res, csrf, submissionKey } = await fileReport(c, {}, [{ filename: "photo.jpg", type: "image/jpeg", data: jpeg }]);
    expect(res.status, res.$.text().slice(0, 400)).toBe(302);
    expect(new URL(res.location!).pathname).toBe("/report/receipt");
    expect(new URL(res.location!).search).toBe("");
    const setCookie = res.headers.getSetCookie().find((s) => s.startsWith("report_receipt="))!;
    expect(setCookie).toMatch(/Path=\/report/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(await reportCount()).toBe(before + 1);

    const first = await c.get("/report/receipt");
    expect(first.status).toBe(200);
    const shown = first.$.testId("receipt");
    expect(shown).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(first.text).toContain('action="/report/receipt-file"');
    expect(first.$.inputValue("receipt")).toBe(shown!.replace(/ /g, ""));

    const second = await c.get("/report/receipt");
    expect(second.status).toBe(200);
    expect(second.$.testId("receipt")).toBeNull();
    expect(second.$.testId("receipt-gone")).not.toBeNull();
    expect(second.text).not.toContain(shown!);

    // The same form posted again (double click, reload): still one report.
    const fd = formData({ csrf, submissionKey, ...reportFields() }, [
      {
        name: "evidence",
        filename: "photo.jpg",
        type: "image/jpeg",
        data: jpeg,
      },
    ]);
    const repost = await c.postMultipart("/report/new", fd);
    expect(repost.status).toBe(302);
    expect(await reportCount()).toBe(before + 1);
    const afterRepost = await c.get("/report/receipt");
    expect(afterRepost.status).toBe(200);
    // The receipt is not shown again (it is not stored anywhere); the page says the report was already received.
    expect(afterRepost.$.testId("receipt")).toBeNull();
    expect(afterRepost.$.testId("receipt-duplicate")).not.toBeNull();
  });

  it("the proof-of-filing file carries a valid signature and the digest, never the receipt or the report text", async () => {
    const c = client();
    const { receipt, csrf } = await fileAndReadReceipt(c);
    const res = await c.postForm("/report/receipt-file", { csrf, receipt });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="sujarit-receipt\.txt"$/);
    // The receipt opens the inbox: it is not in the file, in any spacing.
    expect(res.text.replace(/\D/g, "")).not.toContain(receipt);
    expect(res.text).not.toContain(receipt.replace(/(\d{4})(?=\d)/g, "$1 "));
    expect(res.text).not.toContain(tag);
    expect(res.text).not.toMatch(/BEGIN PUBLIC KEY|SPKI/);
    // The statement between the markers is signed with the installation's own key (keys/signing.key).
    const lines = res.text.split("\n");
    const start = lines.indexOf("-----BEGIN SUJARIT PROOF OF FILING-----");
    const end = lines.indexOf("-----END SUJARIT PROOF OF FILING-----");
    expect(start).toBeGreaterThanOrEqual(0);
    const statement = lines.slice(start + 1, end).join("\n");
    const signature = lines.find((l) => l.startsWith("signature: "))!.slice("signature: ".length);
    const signing = crypto.createPrivateKey(fs.readFileSync(path.join(server.dataDir, "keys", "signing.key")));
    expect(crypto.verify(null, Buffer.from(statement), crypto.createPublicKey(signing), Buffer.from(signature, "base64"))).toBe(true);
    const row = await dbGet<{ received_at: string; submission_digest: string }>(
      server,
      "select received_at, submission_digest from reports order by id desc limit 1",
    );
    expect(statement).toContain(`received-on: ${row!.received_at}`);
    expect(statement).toContain(row!.submission_digest);

    // GET is refused (receipts never travel in URLs); a wrong receipt gets a generic 404.
    expect((await c.get("/report/receipt-file")).status).toBe(405);
    const wrong = await c.postForm("/report/receipt-file", {
      csrf,
      receipt: receipt === "0000000000000000" ? "1111111111111111" : "0000000000000000",
    });
    expect(wrong.status).toBe(404);
    expect(wrong.text).not.toContain("0000 0000");
  });

  it("the inbox: a wrong receipt gets one generic answer; the right one shows the status; replies appear", async () => {
    const c = client();
    const { receipt } = await fileAndReadReceipt(c);
    const inbox = client();
    const form = await inbox.get("/report/inbox");
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="receipt"');
    const csrf = csrfOf(form);

    const wrongA = await inbox.postForm("/report/inbox", {
      csrf,
      intent: "open",
      receipt: receipt.startsWith("9") ? "1" + receipt.slice(1) : "9" + receipt.slice(1),
    });
    const wrongB = await inbox.postForm("/report/inbox", {
      csrf,
      intent: "open",
      receipt: "12 34",
    });
    expect(wrongA.status).toBeGreaterThanOrEqual(400);
    expect(wrongA.status).toBeLessThan(500);
    expect(wrongB.status).toBe(wrongA.status);
    expect(wrongA.$.testId("inbox-error")).toBeTruthy();
    expect(wrongB.$.testId("inbox-error")).toBe(wrongA.$.testId("inbox-error"));
    expect(wrongA.$.testId("report-stage")).toBeNull();

    const open = await inbox.postForm("/report/inbox", {
      csrf,
      intent: "open",
      receipt: receipt.replace(/(\d{4})(?=\d)/g, "$1-"),
    });
    expect(open.status).toBe(302);
    expect(new URL(open.location!).pathname).toBe("/report/inbox");
    expect(new URL(open.location!).search).toBe("");
    const sc = open.headers.getSetCookie().find((s) => s.startsWith("report_inbox="))!;
    expect(sc).toMatch(/Path=\/report/);
    expect(sc).toMatch(/HttpOnly/);
    expect(sc).toMatch(/SameSite=Strict/);
    // The session is the sealed cookie alone: nothing about the visit is stored on the server, and the cookie is not
    // readable (the report key inside it is sealed with the day's inbox key; only the day number is in the clear).
    const token = inbox.cookies.get("report_inbox")!;
    expect(token).toMatch(/^\d+\.v1\.[A-Za-z0-9_-]+$/);
    expect(Number(token.split(".")[0])).toBe(Math.floor(Date.now() / 86_400_000));
    const tables = await dbAll<{ name: string }>(server, "select name from sqlite_master where type = 'table'");
    expect(tables.map((t) => t.name)).not.toContain("report_sessions");
    expect(Buffer.from(token.split(".")[2]!, "base64url").toString("latin1")).not.toMatch(/"rid"|"k"/);
    // The day keys are random and sealed; their rows hold a day and a ciphertext, nothing of the visit.
    const keys = await dbAll<Record<string, unknown>>(server, "select * from inbox_cookie_keys");
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) expect(Object.keys(k).sort()).toEqual(["day", "sealed"]);

    const view = await inbox.get("/report/inbox");
    expect(view.status).toBe(200);
    expect(view.$.testIdAttr("report-stage", "data-stage")).toBe("received");
    expect(view.$.testId("report-stage")).toBeTruthy();

    // Nothing to send -> 422; a reply -> redirect to the same URL, then it is listed.
    const empty = await inbox.postMultipart("/report/inbox", formData({ csrf, intent: "reply", message: "" }));
    expect(empty.status).toBe(422);
    const replyText = `คำตอบเพิ่มเติม ${tag}`;
    const sent = await inbox.postMultipart("/report/inbox", formData({ csrf, intent: "reply", message: replyText }));
    expect(sent.status).toBe(302);
    expect(new URL(sent.location!).pathname).toBe("/report/inbox");
    const after = await inbox.get("/report/inbox");
    expect(after.$.testId("report-messages")).toContain(replyText);
    expect(await dbGet(server, "select count(*) as n from report_messages where author = 'reporter'")).toMatchObject({
      n: expect.any(Number),
    });

    // Closing the inbox ends the session.
    const leave = await inbox.postForm("/report/inbox", {
      csrf,
      intent: "leave",
    });
    expect(leave.status).toBe(302);
    const closed = await inbox.get("/report/inbox");
    expect(closed.$.testId("report-stage")).toBeNull();
    expect(closed.text).toContain('name="receipt"');
    // The old token no longer opens anything.
    const replay = new HttpClient(server.url, { ip: "10.99.0.1" });
    replay.cookies.set("report_inbox", token);
    expect((await replay.get("/report/inbox")).$.testId("report-stage")).toBeNull();
  });

  it("a browser without JavaScript can post: under Referrer-Policy no-referrer it sends Origin: null", async () => {
    // Chromium and Firefox send "Origin: null" with every POST from a no-referrer page. The server must accept it
    // for same-site posts (CSRF is checked by token and Sec-Fetch-Site), or no-JS reporters cannot file anything.
    const c = new HttpClient(server.url, { ip: "10.77.250.1", headers: { Origin: "null", "Sec-Fetch-Site": "same-origin" } });
    clients.push(c);
    const { res } = await fileReport(c);
    expect(res.status, res.$.text().slice(0, 300)).toBe(302);
    const page = await c.get("/report/inbox");
    const wrong = await c.postForm("/report/inbox", { csrf: csrfOf(page), intent: "open", receipt: "0000 0000 0000 0001" });
    expect(wrong.status).toBe(404);
    // A post from another site is still refused.
    const evil = new HttpClient(server.url, {
      ip: "10.77.250.2",
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    const refused = await evil.postForm("/report/inbox", { csrf: "x", intent: "open", receipt: "1" });
    expect(refused.status).toBe(403);
  });

  it("evidence that passed its checks is kept encrypted across a rejected post, with the key only in the page", async () => {
    const c = client();
    const before = await reportCount();
    const attBefore = await attachmentCount();
    const marker = `secret-marker-${tag}-XYZ`;
    const pdf = Buffer.from(`%PDF-1.4\n% ${marker}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, "latin1");
    const jpeg = await makeJpeg(7);
    const photoName = `kept-photo-${tag}.jpg`;
    const pdfName = `kept-doc-${tag}.pdf`;

    // 1. Valid files, a required field missing -> 422; both files listed and kept (token = <id>.<key>).
    const { res, csrf, submissionKey } = await fileReport(c, { whatHappened: "" }, [
      { filename: photoName, type: "image/jpeg", data: jpeg },
      { filename: pdfName, type: "application/pdf", data: pdf },
    ]);
    expect(res.status, res.$.text().slice(0, 400)).toBe(422);
    const keptList = res.$.testId("kept-evidence") ?? "";
    expect(keptList).toContain(photoName);
    expect(keptList).toContain(pdfName);
    const tokens = [...res.text.matchAll(/name="keptEvidence" value="([^"]+)"/g)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    for (const tk of tokens) expect(tk).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const removeIds = [...res.text.matchAll(/name="removeEvidence" value="([^"]+)"/g)].map((m) => m[1]);
    expect(removeIds.sort()).toEqual(tokens.map((tk) => tk.split(".")[0]).sort());
    // The photo comes first in the list (order of the files chosen).
    const [photoToken, pdfToken] = tokens;
    const photoId = photoToken.split(".")[0];
    const pdfId = pdfToken.split(".")[0];
    expect(await pendingCount([photoId, pdfId])).toBe(2);
    expect(await reportCount()).toBe(before);

    // 2. Nothing under DATA_DIR (DB, WAL, pending folder, keys) holds the file in the clear, nor its key.
    const files = listFiles(server.dataDir);
    expect((await storedKeys(server, "reports/pending/")).length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      expect(bytes.includes(Buffer.from(marker)), f).toBe(false);
      expect(bytes.includes(Buffer.from(pdfName)), f).toBe(false);
      expect(bytes.includes(Buffer.from(photoName)), f).toBe(false);
      for (const tk of tokens) {
        const key = tk.split(".")[1];
        expect(bytes.includes(Buffer.from(key)), f).toBe(false);
        expect(bytes.includes(Buffer.from(key, "base64url")), f).toBe(false);
      }
    }

    const fixed = reportFields({ whatHappened: `${phrase} kept-evidence` });
    // 3. A tampered key: 422, "choose the file again", never a 500; the other file is still kept.
    const k = photoToken.split(".")[1];
    const flipped = photoId + "." + (k[0] === "A" ? "B" : "A") + k.slice(1);
    const tampered = await c.postMultipart("/report/new", formData({ csrf, submissionKey, ...fixed, keptEvidence: [flipped, pdfToken] }));
    expect(tampered.status, tampered.$.text().slice(0, 400)).toBe(422);
    expect(tampered.$.text()).toContain("โปรดเลือกไฟล์อีกครั้ง");
    const keptAfterTamper = tampered.$.testId("kept-evidence") ?? "";
    expect(keptAfterTamper).toContain(pdfName);
    expect(keptAfterTamper).not.toContain(photoName);
    // An unknown id is treated the same way.
    const unknown = await c.postMultipart(
      "/report/new",
      formData({ csrf, submissionKey, ...fixed, keptEvidence: `${"A".repeat(22)}.${k}` }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.$.text()).toContain("โปรดเลือกไฟล์อีกครั้ง");
    expect(await reportCount()).toBe(before);

    // 4. Text fixed, both tokens sent back, the PDF removed -> 302 to the receipt, one attachment (the photo).
    const ok = await c.postMultipart(
      "/report/new",
      formData({
        csrf,
        submissionKey,
        ...fixed,
        keptEvidence: [photoToken, pdfToken],
        removeEvidence: pdfId,
      }),
    );
    expect(ok.status, ok.$.text().slice(0, 400)).toBe(302);
    expect(new URL(ok.location!).pathname).toBe("/report/receipt");
    expect(await reportCount()).toBe(before + 1);
    expect(await attachmentCount()).toBe(attBefore + 1);
    // Used and removed files are gone, rows and files.
    expect(await pendingCount([photoId, pdfId])).toBe(0);
    expect(await storedKeys(server, "reports/pending/")).toEqual([]);
    for (const f of listFiles(server.dataDir)) {
      expect(fs.readFileSync(f).includes(Buffer.from(marker)), f).toBe(false);
    }
    const receipt = await c.get("/report/receipt");
    expect(receipt.$.testId("receipt")).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  });

  it("every /report* response is no-store and no-referrer, and the logs hold nothing about the reporter", async () => {
    const all = clients.flatMap((c) => c.history).filter((h) => h.path.startsWith("/report"));
    expect(all.length).toBeGreaterThan(10);
    for (const h of all) {
      expect(h.headers.get("cache-control"), `${h.method} ${h.path} ${h.status}`).toMatch(/no-store/);
      expect(h.headers.get("referrer-policy"), `${h.method} ${h.path} ${h.status}`).toBe("no-referrer");
      expect(h.headers.get("content-security-policy"), `${h.method} ${h.path}`).toBeTruthy();
    }
    const logs = server.logs();
    expect(logs).not.toContain(tag);
    expect(logs).not.toContain("10.77.");
    // The request log writes nothing at all for the corruption channel.
    expect(logs).not.toMatch(/"path":"\/report/);
  });
});

export type { HttpResult };
