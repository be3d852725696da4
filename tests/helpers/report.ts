/**
 * Helpers for black-box tests of the corruption & misconduct report channel: filing a report through the
 * real form, signing in as an integrity officer with TOTP (driving the real first-login setup page), a JPEG that
 * carries EXIF and GPS metadata, running the audit CLI, scanning files for leaked bytes.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { base32Decode, hotp, totpStep } from "../../app/lib/totp";
import { ROOT, createStaffUser, type StaffUserInput, type TestServer } from "./server";
import { HttpClient, csrfOf, formData, pageRedirectTo, submissionKeyOf, type HttpResult } from "./http";

// ---------------------------------------------------------------------------------------------------------------
// Staff

export type AnyRole = StaffUserInput["role"] | "integrity";

/** createStaffUser, also for the integrity role (the helper's type predates it; the CLI accepts it). */
export function createAnyStaff(server: Pick<TestServer, "env">, user: Omit<StaffUserInput, "role"> & { role: AnyRole }): Promise<string> {
  return createStaffUser(server, user as StaffUserInput);
}

/** TOTP state per officer: the base32 secret read from the setup page and the last step used (replay guard). */
export interface TotpAccount {
  email: string;
  password: string;
  secret: string | null;
  lastStep: number;
  recoveryCodes: string[];
  /** The report-key recovery key shown once after the first sign-in. */
  recoveryKey: string | null;
}

export function totpAccount(email: string, password: string): TotpAccount {
  return { email, password, secret: null, lastStep: -1, recoveryCodes: [], recoveryKey: null };
}

/**
 * After the second factor: the first sign-in of a report recipient creates their key pair and shows the recovery key
 * once (/staff/keys/recovery): it is read here (and the page taken), so later requests go straight to their target.
 */
async function takeRecoveryKey(client: HttpClient, acc: TotpAccount): Promise<void> {
  const probe = await client.get("/staff/integrity");
  if (probe.status === 302 && probe.location && client.routePath(probe.location) === "/staff/keys/recovery") {
    const page = await client.get(new URL(probe.location).pathname + new URL(probe.location).search);
    const key = page.$.testId("recovery-key");
    if (!key) throw new Error(`recovery-key page without the key: ${page.$.text().slice(0, 300)}`);
    acc.recoveryKey = key.trim();
  }
}

/**
 * A code the server will accept now: the current step, or a later one (within its ±1 window) when the current step
 * was already used; waits for the clock when even the next step was used.
 */
export async function nextTotpCode(acc: TotpAccount): Promise<string> {
  if (!acc.secret) throw new Error(`no TOTP secret known for ${acc.email}`);
  for (;;) {
    const cur = totpStep(Date.now());
    const step = Math.max(cur, acc.lastStep + 1);
    if (step <= cur + 1) {
      acc.lastStep = step;
      return hotp(base32Decode(acc.secret), step);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Full sign-in of an integrity officer (or of anyone who signs in with TOTP: admins and supervisors too, whose
 * report-key probe then just gets a 403): password, then either the first-login setup (the authenticator-app choice:
 * the secret is read from the page, a code computed with app/lib/totp.ts, recovery codes collected) or the
 * second-factor step with a TOTP code. Returns the final response (a redirect to `redirectTo`). Throws with the page
 * text when a step is refused.
 */
export async function integrityLogin(client: HttpClient, acc: TotpAccount, redirectTo = "/staff/integrity"): Promise<HttpResult> {
  const login = await client.passwordStep(acc.email, acc.password, redirectTo);
  if (login.status !== 302 || !login.location)
    throw new Error(`password step for ${acc.email} gave ${login.status}: ${login.$.text().slice(0, 400)}`);
  const step = new URL(login.location);
  if (client.routePath(step) === "/staff/totp-setup") {
    const page = await client.get(step.pathname + step.search);
    if (page.status !== 200) throw new Error(`GET ${step.pathname} gave ${page.status}: ${page.$.text().slice(0, 400)}`);
    const shown = page.$.testId("totp-secret");
    if (!shown) throw new Error(`setup page without data-testid="totp-secret": ${page.$.text().slice(0, 400)}`);
    acc.secret = shown.replace(/\s+/g, "");
    acc.lastStep = -1;
    const confirm = await client.postForm(step.pathname + step.search, {
      csrf: csrfOf(page),
      code: await nextTotpCode(acc),
      redirectTo: pageRedirectTo(page) ?? redirectTo,
    });
    if (confirm.status !== 302 || !confirm.location)
      throw new Error(`TOTP setup for ${acc.email} gave ${confirm.status}: ${confirm.$.text().slice(0, 400)}`);
    const codes = await client.get(confirm.location);
    acc.recoveryCodes = [...codes.text.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => m[1]);
    const next = codes.$.testIdAttr("continue", "href");
    await takeRecoveryKey(client, acc);
    return next ? { ...confirm, location: new URL(next, client.baseUrl).toString() } : confirm;
  }
  if (client.routePath(step) === "/staff/login/totp") {
    const page = await client.get(step.pathname + step.search);
    if (page.status !== 200) throw new Error(`GET ${step.pathname} gave ${page.status}: ${page.$.text().slice(0, 400)}`);
    const res = await client.postForm(step.pathname, {
      csrf: csrfOf(page),
      code: await nextTotpCode(acc),
      redirectTo: pageRedirectTo(page) ?? redirectTo,
    });
    if (res.status !== 302) throw new Error(`TOTP step for ${acc.email} gave ${res.status}: ${res.$.text().slice(0, 400)}`);
    await takeRecoveryKey(client, acc);
    return res;
  }
  throw new Error(`after the password, ${acc.email} was sent to ${login.location} instead of a TOTP page`);
}

/** The same sign-in for any role that uses an authenticator app (TOTP) as its second factor. */
export const totpLogin = integrityLogin;

/** A signed-in client of an ordinary staff role (HttpClient.login: the password, and the helper's passkey for roles that need a second factor). */
export async function staffLogin(client: HttpClient, email: string, password: string): Promise<HttpClient> {
  const res = await client.login(email, password);
  if (res.status !== 302) throw new Error(`login of ${email} gave ${res.status}: ${res.$.text().slice(0, 300)}`);
  return client;
}

// ---------------------------------------------------------------------------------------------------------------
// Reports

/** Valid report form fields (anonymous, to the integrity officers), overridable. */
export function reportFields(over: Record<string, string> = {}): Record<string, string> {
  return {
    website: "",
    mode: "anonymous",
    recipient: "integrity",
    involvedName: "",
    involvedPosition: "หัวหน้าฝ่ายพัสดุ",
    involvedDivision: "กองคลัง",
    whatHappened: "มีการเรียกรับเงินจากผู้รับเหมาเพื่อให้ผ่านการตรวจรับงานถนน",
    when: "เดือนที่แล้ว",
    where: "ที่ทำการ อบต.",
    howKnown: "เห็นด้วยตนเอง",
    reportedElsewhere: "",
    reporterName: "",
    reporterContact: "",
    ...over,
  };
}

export interface FiledReport {
  /** 16 digits. */
  receipt: string;
  /** As shown: "1234 5678 9012 3456". */
  shown: string;
  post: HttpResult;
  page: HttpResult;
}

/** GET /report/new, POST the form (multipart, files as "evidence"), follow to /report/receipt and read the receipt. */
export async function fileReport(
  client: HttpClient,
  over: Record<string, string> = {},
  files: { filename: string; type: string; data: Buffer }[] = [],
): Promise<FiledReport> {
  const form = await client.get("/report/new");
  if (form.status !== 200) throw new Error(`GET /report/new gave ${form.status}: ${form.$.text().slice(0, 400)}`);
  const fd = formData(
    { csrf: csrfOf(form), submissionKey: submissionKeyOf(form), ...reportFields(over) },
    files.map((f) => ({ ...f, name: "evidence" })),
  );
  let post = await client.postMultipart("/report/new", fd);
  if (post.status === 422 && post.$.testId("recipients-error") && !("namesChecked" in over)) {
    // Names of recipients were found in the text and ticked: accept the page's choice and send again, as a reporter would.
    const again = formData(
      {
        csrf: csrfOf(post),
        submissionKey: submissionKeyOf(post),
        ...reportFields(over),
        namesChecked: "yes",
        exclude: [...post.text.matchAll(/<input[^>]*name="exclude"[^>]*>/g)]
          .filter((m) => / checked/.test(m[0]))
          .map((m) => /value="(\d+)"/.exec(m[0])![1]),
      },
      files.map((f) => ({ ...f, name: "evidence" })),
    );
    post = await client.postMultipart("/report/new", again);
  }
  if (post.status !== 302 || !post.location || client.routePath(post.location) !== "/report/receipt") {
    throw new Error(`POST /report/new gave ${post.status}: ${post.$.text().slice(0, 600)}`);
  }
  const page = await client.get("/report/receipt");
  const shown = page.$.testId("receipt");
  const receipt = shown?.replace(/\D/g, "") ?? "";
  if (!/^\d{16}$/.test(receipt)) throw new Error(`no 16-digit receipt on /report/receipt: ${page.$.text().slice(0, 400)}`);
  return { receipt, shown: shown!.replace(/\s+/g, " ").trim(), post, page };
}

/** POST a receipt to /report/inbox (intent=open). */
export async function openInbox(client: HttpClient, receipt: string): Promise<HttpResult> {
  const page = await client.get("/report/inbox");
  const csrf = page.status === 200 && page.$.inputValue("csrf") ? csrfOf(page) : (client.cookies.get("csrf") ?? "");
  return client.postForm("/report/inbox", { csrf, intent: "open", receipt });
}

/** A JPEG with EXIF (camera make "SpyPhone") and a GPS block (Bangkok), made by sharp. */
export async function jpegWithGps(): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  return sharp({ create: { width: 16, height: 16, channels: 3, background: "red" } })
    .withMetadata({
      exif: {
        IFD0: { Make: "SpyPhone", Model: "Spy 3000" },
        // sharp names the GPS directory IFD3.
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "13/1 45/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "100/1 30/1 0/1" },
      },
    })
    .jpeg()
    .toBuffer();
}

// ---------------------------------------------------------------------------------------------------------------
// Files and commands

/** Every regular file under `dir` (recursive). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** The needles (utf8 and utf16le) found in `bytes`. */
export function leaks(bytes: Buffer, needles: string[]): string[] {
  return needles.filter((n) => n && (bytes.includes(Buffer.from(n, "utf8")) || bytes.includes(Buffer.from(n, "utf16le"))));
}

/** Runs `node --import tsx scripts/audit.ts <args>` against a test server's data folder. */
export function runAuditCli(server: Pick<TestServer, "env">, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["BUILD_DIR", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "TEST"]) delete env[k];
    const proc = spawn(process.execPath, ["--import", "tsx", "scripts/audit.ts", ...args], {
      cwd: ROOT,
      env: { ...env, ...server.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    proc.on("error", reject);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * A report recipient: an integrity officer created with the staff CLI who signs in once (password, TOTP set-up,
 * recovery key), which makes their key pair. Reports can be filed only when someone can receive them.
 */
export async function enrolRecipient(
  server: Pick<TestServer, "env" | "url">,
  user: { email?: string; name?: string; password?: string } = {},
): Promise<{ acc: TotpAccount; client: HttpClient }> {
  const email = user.email ?? `recipient-${Math.random().toString(36).slice(2, 10)}@wangluek.go.th`;
  const password = user.password ?? "recipient password 2569";
  await createAnyStaff(server, { email, name: user.name ?? "ผู้รับเรื่องร้องเรียน", role: "integrity", password });
  const acc = totpAccount(email, password);
  const client = new HttpClient(server.url, { ip: `10.250.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
  await integrityLogin(client, acc);
  return { acc, client };
}
