/**
 * The proof of filing against the real server (TEST_BUILD_DIR or the default build): the downloaded file holds no
 * receipt and no public key and is signed by the installation's key; /report/verify (pasted and uploaded, Thai and
 * English) calls it genuine, an edited copy edited, a proof signed by a test key "not signed by this portal"; the
 * submission text matches; bad input is a 4xx; `npm run proof` agrees; /report publishes the key's fingerprint.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, dbGet, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, formData, type HttpResult } from "../helpers/http";
import { createAnyStaff, fileReport, integrityLogin, reportFields, totpAccount } from "../helpers/report";
import { canonicalSubmissionText, groupFingerprint } from "~/lib/report-proof";
import { formatThaiDateKey } from "~/lib/thai-date";

let server: TestServer;
let ipSeq = 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-proof-test-"));
const tag = crypto.randomBytes(4).toString("hex");
const phrase = `ผู้รับเหมาจ่ายเงินทอน ${tag} PROOF-${tag}`;

function client(lang?: "th" | "en"): HttpClient {
  ipSeq++;
  const c = new HttpClient(server.url, { ip: `10.88.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}` });
  if (lang) c.cookies.set("lng", lang);
  return c;
}

/** The installation's key, read from the server's data folder (what the tests check the file against). */
function serverKey() {
  const pem = fs.readFileSync(path.join(server.dataDir, "keys", "signing.key"), "utf8");
  const publicKey = crypto.createPublicKey(crypto.createPrivateKey(pem));
  const der = publicKey.export({ format: "der", type: "spki" }) as Buffer;
  return { publicKey, der, fingerprint: crypto.createHash("sha256").update(der).digest("hex") };
}

function statementOf(file: string): string {
  const lines = file.split("\n");
  const b = lines.indexOf("-----BEGIN SUJARIT PROOF OF FILING-----");
  const e = lines.indexOf("-----END SUJARIT PROOF OF FILING-----");
  expect(b).toBeGreaterThanOrEqual(0);
  expect(e).toBeGreaterThan(b);
  return lines.slice(b + 1, e).join("\n");
}

function runCli(
  command: "npm" | "node",
  args: string[],
  env: Record<string, string> = server.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["BUILD_DIR", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST", "DATA_DIR", "DATABASE_URL"])
      delete base[k];
    const [bin, argv] =
      command === "npm"
        ? ["npm", ["run", "--silent", "proof", "--", ...args]]
        : [process.execPath, ["--import", "tsx", "scripts/proof.ts", ...args]];
    const proc = spawn(bin, argv, { cwd: ROOT, env: { ...base, ...env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("error", reject);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Downloaded {
  receipt: string;
  file: string;
  row: { received_at: string; submission_digest: string };
  /** The canonical submission text (what submission.json in the inbox holds). */
  submission: string;
}

/**
 * The canonical submission of a report filed with reportFields(over) in anonymous mode without files: the fields as
 * normalised at filing (identity fields dropped, empty ones left out), the row's received_at, no files.
 */
function submissionOf(over: Record<string, string>, receivedAt: string): string {
  const fields = Object.fromEntries(
    Object.entries(reportFields(over)).filter(
      ([k, v]) => v !== "" && !["website", "mode", "recipient", "reporterName", "reporterContact"].includes(k),
    ),
  );
  return canonicalSubmissionText({ receivedAt, mode: "anonymous", fields, files: [] });
}

/** Files a report (its own client) and downloads the proof from the receipt page's form. */
async function fileAndDownload(): Promise<Downloaded> {
  const c = client();
  const filed = await fileReport(c, { whatHappened: phrase });
  const res = await c.postForm("/report/receipt-file", { csrf: csrfOf(filed.page), receipt: filed.receipt });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[a-z-]+\.txt"$/);
  const row = (await dbGet<{ received_at: string; submission_digest: string }>(
    server,
    "select received_at, submission_digest from reports order by id desc limit 1",
  ))!;
  return { receipt: filed.receipt, file: res.text, row, submission: submissionOf({ whatHappened: phrase }, row.received_at) };
}

async function verifyPaste(c: HttpClient, proofText: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  const page = await c.get("/report/verify");
  expect(page.status).toBe(200);
  return c.postForm("/report/verify", { csrf: csrfOf(page), proofText, submissionText: "", ...extra });
}

async function verifyUpload(c: HttpClient, proof: string, submission?: string): Promise<HttpResult> {
  const page = await c.get("/report/verify");
  const files = [{ name: "proofFile", filename: "sujarit-receipt.txt", type: "text/plain", data: Buffer.from(proof, "utf8") }];
  if (submission !== undefined)
    files.push({ name: "submissionFile", filename: "submission.json", type: "application/json", data: Buffer.from(submission, "utf8") });
  return c.postMultipart("/report/verify", formData({ csrf: csrfOf(page), proofText: "", submissionText: "" }, files));
}

const verdictOf = (res: HttpResult) => res.$.testIdAttr("proof-verdict", "data-verdict");

/** The Bangkok date of a received_at (day precision, or a full ISO time in older rows). */
function bangkokDate(receivedAt: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(receivedAt)) return receivedAt;
  return new Date(new Date(receivedAt).getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

let proof: Downloaded;

beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  // Reports are accepted once a recipient exists: an integrity officer whose first sign-in creates their keys.
  const officer = { email: "integrity-proof@example.test", password: "proof of filing password 2569" };
  await createAnyStaff(server, { ...officer, name: "สมหญิง ตรวจสอบ", role: "integrity" });
  await integrityLogin(client(), totpAccount(officer.email, officer.password));
  proof = await fileAndDownload();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the downloaded proof of filing", () => {
  it("holds neither the receipt (in any spacing) nor a public key nor the report text", () => {
    const { file, receipt } = proof;
    expect(receipt).toMatch(/^\d{16}$/);
    expect(file.replace(/\D/g, "")).not.toContain(receipt);
    expect(file).not.toMatch(new RegExp(receipt.split("").join("\\D{0,3}")));
    expect(file).not.toContain(receipt.replace(/(\d{4})(?=\d)/g, "$1 "));
    const key = serverKey();
    expect(file).not.toContain(key.der.toString("base64"));
    expect(file).not.toContain(key.der.toString("hex"));
    expect(file).not.toMatch(/PUBLIC KEY|SPKI|MCowBQYDK2Vw/); // MCowBQYDK2Vw: how every Ed25519 SPKI starts in base64
    expect(file).not.toContain(tag);
  });

  it("is the v2 statement about this report, signed by the installation's key", () => {
    const { file, row } = proof;
    const key = serverKey();
    const statement = statementOf(file);
    expect(statement.split("\n")).toEqual([
      "sujarit-report-proof-v2",
      "organisation: องค์การบริหารส่วนตำบลวังลึก",
      `received-on: ${bangkokDate(row.received_at)}`,
      `submission-sha256: ${row.submission_digest}`,
      "canonical-form: submission.json from the reporter's inbox (UTF-8 JSON, keys sorted, no spaces)",
      `signing-key-sha256: ${key.fingerprint}`,
    ]);
    const sig = /\nsignature: ([A-Za-z0-9+/=]+)\n$/.exec(file)![1];
    expect(crypto.verify(null, Buffer.from(statement, "utf8"), key.publicKey, Buffer.from(sig, "base64"))).toBe(true);
    // The header explains it in Thai and English and says how to check it.
    expect(file).toContain("/report/verify");
    expect(file).toContain("npm run proof -- verify");
    expect(file).toContain("ไม่มีเลขรับแจ้ง");
    expect(file).toContain("no receipt");
  });
});

describe("/report/verify", () => {
  it("the form works without JavaScript and shows the installation's fingerprint", async () => {
    const c = client();
    const page = await c.get("/report/verify");
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toContain("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.text).toMatch(/<meta name="robots" content="noindex"/);
    expect(page.text).not.toMatch(/<script[^>]*src=/);
    expect(page.text).toMatch(/<form method="post" enctype="multipart\/form-data"/i);
    expect(page.text).toMatch(/<label for="f-proofText"/);
    expect(page.text).toMatch(/<label for="f-proofFile"/);
    expect(page.$.testId("signing-fingerprint")).toBe(groupFingerprint(serverKey().fingerprint));
  });

  it("a pasted proof is genuine (Thai): organisation, Buddhist date, digest", async () => {
    const res = await verifyPaste(client(), proof.file);
    expect(res.status).toBe(200);
    expect(verdictOf(res)).toBe("genuine");
    const text = res.$.testId("proof-verdict")!;
    expect(text).toContain("หลักฐานนี้ลงลายมือชื่อโดยระบบนี้");
    expect(text).toContain("องค์การบริหารส่วนตำบลวังลึก");
    expect(text).toContain(formatThaiDateKey(bangkokDate(proof.row.received_at), "th"));
    expect(res.$.testId("proof-digest")).toBe(proof.row.submission_digest);
  });

  it("an uploaded proof file is genuine (English); so is a CRLF copy pasted from a text area", async () => {
    const res = await verifyUpload(client("en"), proof.file);
    expect(res.status).toBe(200);
    expect(verdictOf(res)).toBe("genuine");
    const text = res.$.testId("proof-verdict")!;
    expect(text).toContain("This proof was signed by this portal");
    expect(text).toContain(formatThaiDateKey(bangkokDate(proof.row.received_at), "en"));
    expect(text).toContain(proof.row.submission_digest);

    const crlf = await verifyPaste(client("en"), `\uFEFF  ${proof.file.replace(/\n/g, "\r\n")}  `);
    expect(verdictOf(crlf)).toBe("genuine");
  });

  it("an edited proof: says it was changed, in Thai and English", async () => {
    const day = bangkokDate(proof.row.received_at);
    const other = day.endsWith("1") ? day.slice(0, -1) + "2" : day.slice(0, -1) + "1";
    const edited = proof.file.replace(`received-on: ${day}`, `received-on: ${other}`);
    expect(edited).not.toBe(proof.file);
    const th = await verifyPaste(client(), edited);
    expect(th.status).toBe(200);
    expect(verdictOf(th)).toBe("edited");
    expect(th.$.testId("proof-verdict")).toContain("ถูกแก้ไขหลังลงลายมือชื่อ");
    const en = await verifyUpload(client("en"), edited);
    expect(verdictOf(en)).toBe("edited");
    expect(en.$.testId("proof-verdict")).toContain("changed after signing, or is damaged");
  });

  it("a proof signed by a test key is NOT signed by this portal", async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
    const fp = crypto
      .createHash("sha256")
      .update(publicKey.export({ format: "der", type: "spki" }) as Buffer)
      .digest("hex");
    const statement = statementOf(proof.file).replace(/signing-key-sha256: [0-9a-f]{64}/, `signing-key-sha256: ${fp}`);
    const forged = proof.file
      .replace(statementOf(proof.file), statement)
      .replace(/\nsignature: .*\n$/, `\nsignature: ${crypto.sign(null, Buffer.from(statement, "utf8"), privateKey).toString("base64")}\n`);
    const en = await verifyPaste(client("en"), forged);
    expect(en.status).toBe(200);
    expect(verdictOf(en)).toBe("other-key");
    expect(en.$.testId("proof-verdict")).toContain("NOT signed by this portal");
    const th = await verifyUpload(client(), forged);
    expect(verdictOf(th)).toBe("other-key");
    expect(th.$.testId("proof-verdict")).toContain("ไม่ได้ลงลายมือชื่อโดยระบบนี้");

    // The same statement still naming OUR key, signed by the test key: a forgery, called edited, never genuine.
    const claimed = statementOf(proof.file);
    const forged2 = proof.file.replace(
      /\nsignature: .*\n$/,
      `\nsignature: ${crypto.sign(null, Buffer.from(claimed, "utf8"), privateKey).toString("base64")}\n`,
    );
    expect(verdictOf(await verifyPaste(client(), forged2))).toBe("edited");
  });

  it("the submission text: the canonical one matches, the same JSON pretty-printed does not", async () => {
    const submission = proof.submission;
    // Filing digests exactly canonicalSubmissionText (so the inbox's submission.json, the same text, verifies).
    expect(crypto.createHash("sha256").update(submission, "utf8").digest("hex"), "canonical text of the filed report").toBe(
      proof.row.submission_digest,
    );

    const th = await verifyUpload(client(), proof.file, submission);
    expect(verdictOf(th)).toBe("genuine");
    expect(th.$.testIdAttr("proof-submission", "data-submission")).toBe("match");
    expect(th.$.testId("proof-submission")).toContain("สิ่งที่ส่งตรงกับหลักฐาน");

    const pretty = JSON.stringify(JSON.parse(submission), null, 2);
    const en = await verifyPaste(client("en"), proof.file, { submissionText: pretty });
    expect(verdictOf(en)).toBe("genuine");
    expect(en.$.testIdAttr("proof-submission", "data-submission")).toBe("mismatch");
    expect(en.$.testId("proof-submission")).toContain("does not match");
    expect(en.$.testId("proof-submission")).toContain("canonical form");
  });

  it("bad input is a 4xx: nothing given 422, garbage 422, over-long 422, no CSRF 403, not a form 400", async () => {
    const c = client();
    const empty = await verifyPaste(c, "");
    expect(empty.status).toBe(422);
    expect(empty.text).toMatch(/class="error-summary" role="alert"/);
    expect(empty.$.text()).toContain("โปรดวางข้อความของหลักฐาน");
    expect(empty.text).toContain('href="#f-proofText"');

    const page = await c.get("/report/verify");
    const multipartEmpty = await c.postMultipart("/report/verify", formData({ csrf: csrfOf(page) }));
    expect(multipartEmpty.status).toBe(422);

    const garbage = await verifyPaste(client("en"), "hello, this is not a proof");
    expect(garbage.status).toBe(422);
    expect(verdictOf(garbage)).toBe("unreadable");
    expect(garbage.$.testId("proof-verdict")).toContain("cannot be read");

    const long = await verifyPaste(c, `${proof.file}\n${"x".repeat(30_000)}`);
    expect(long.status).toBe(422);
    expect(verdictOf(long)).toBeNull();

    const noCsrf = await c.postForm("/report/verify", { proofText: proof.file });
    expect(noCsrf.status).toBe(403);
    const notAForm = await c.postRaw("/report/verify", JSON.stringify({ proofText: proof.file }), "application/json");
    expect(notAForm.status).toBe(400);
  });

  it("is rate-limited per client (429 with Retry-After)", async () => {
    const c = client();
    const page = await c.get("/report/verify");
    const csrf = csrfOf(page);
    let last: HttpResult | null = null;
    for (let i = 0; i < 31; i++) last = await c.postForm("/report/verify", { csrf, proofText: "x" });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another client is not affected.
    expect(verdictOf(await verifyPaste(client(), proof.file))).toBe("genuine");
  });
});

describe("the fingerprint and the CLI", () => {
  it("/report and the receipt page show the fingerprint; it equals `npm run proof -- fingerprint`", async () => {
    const c = client();
    const index = await c.get("/report");
    expect(index.status).toBe(200);
    const shown = index.$.testId("signing-fingerprint");
    expect(shown).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(shown).toBe(groupFingerprint(serverKey().fingerprint));
    expect(index.text).toContain('href="/report/verify"');

    const filed = await fileReport(client());
    expect(filed.page.$.testId("signing-fingerprint")).toBe(shown);

    const cli = await runCli("npm", ["fingerprint"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim()).toBe(shown);
  });

  it("`npm run proof -- verify` accepts the downloaded file (exit 0) and rejects an edited one (exit 1)", async () => {
    const good = path.join(tmp, "proof.txt");
    fs.writeFileSync(good, proof.file);
    const ok = await runCli("node", ["verify", good]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(proof.row.submission_digest);

    const edited = path.join(tmp, "edited.txt");
    fs.writeFileSync(edited, proof.file.replace("organisation: องค์การบริหารส่วนตำบลวังลึก", "organisation: องค์การบริหารส่วนตำบลวังตื้น"));
    const bad = await runCli("node", ["verify", edited, "--lang", "en"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("changed after signing");

    // With the canonical submission.json: exit 0; a pretty-printed copy is not the canonical text (exit 1).
    const submission = proof.submission;
    const subFile = path.join(tmp, "submission.json");
    fs.writeFileSync(subFile, submission);
    expect((await runCli("node", ["verify", good, "--submission", subFile])).code).toBe(0);
    fs.writeFileSync(subFile, JSON.stringify(JSON.parse(submission), null, 2));
    expect((await runCli("node", ["verify", good, "--submission", subFile])).code).toBe(1);

    expect((await runCli("node", ["verify"])).code).toBe(2);
    expect((await runCli("node", ["sign", good])).code).toBe(2);
  });

  it("never creates a signing key: with an empty DATA_DIR it says so and exits 1", async () => {
    const empty = fs.mkdtempSync(path.join(tmp, "empty-"));
    const env = { ...server.env, DATA_DIR: empty };
    const res = await runCli("node", ["fingerprint", "--lang", "en"], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("No signing key");
    fs.writeFileSync(path.join(tmp, "proof-copy.txt"), proof.file);
    const verify = await runCli("node", ["verify", path.join(tmp, "proof-copy.txt")], env);
    expect(verify.code).toBe(1);
    expect(fs.existsSync(path.join(empty, "keys", "signing.key"))).toBe(false);
  });
});
