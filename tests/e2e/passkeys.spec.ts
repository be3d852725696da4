/**
 * Passkeys in Chromium with a virtual authenticator (Chrome DevTools Protocol, WebAuthn domain):
 *
 * 1. On a 360 px phone, a supervisor's first sign-in sends them to the second-factor set-up; they create a passkey
 *    (the authenticator makes it), save the recovery codes, reach the back office and see the passkey on
 *    /staff/passkeys; they sign out and sign in again with password + passkey.
 * 2. The last passkey cannot be removed; with a second one (another credential) the first is removed — and a sign-in
 *    answered by the removed credential, or by a credential the server never saw, is refused by the server (the
 *    options are rewritten on the way to the page so that the browser really signs with them); the remaining passkey
 *    still works.
 * 3. Without JavaScript the step says passkeys need it and a recovery code signs in.
 *
 * WebAuthn refuses IP addresses as the relying party, so this spec starts its OWN server with
 * PUBLIC_URL=http://localhost:<port> and opens it at that address (the shared server of global-setup.ts is
 * http://127.0.0.1:<port>). It runs on the default ./build, or TEST_BUILD_DIR like every other test.
 */
import crypto from "node:crypto";
import { test, expect, type Browser, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { noHorizontalScroll, phone, watch } from "./support";
import { createStaffUser, dbAll, dbGet, freePort, startServer, type TestServer } from "../helpers/server";

const tag = crypto.randomBytes(3).toString("hex");
const SUPERVISOR = {
  email: `passkey-sup-${tag}@wangluek.go.th`,
  name: "หัวหน้า พาสคีย์",
  role: "supervisor" as const,
  password: "e2e passkey supervisor 2569",
};

let server: TestServer;
let origin = "";
let recoveryCodes: string[] = [];

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** A page with a CDP virtual authenticator (internal, resident keys, user verified), as the brief says. */
async function withAuthenticator(context: BrowserContext): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { page, cdp, authenticatorId };
}

async function credentialsOf(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
  const { credentials } = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })) as { credentials: VirtualCredential[] };
  return credentials;
}

const b64url = (b64: string) => Buffer.from(b64, "base64").toString("base64url");
const staffId = async () => (await dbGet<{ id: number }>(server, "select id from staff where email = ?", SUPERVISOR.email))!.id;

async function passwordStep(page: Page) {
  await page.goto(`${origin}/staff/login`);
  await page.getByRole("textbox", { name: "อีเมล", exact: true }).fill(SUPERVISOR.email);
  await page.getByLabel(/^รหัสผ่าน/).fill(SUPERVISOR.password);
  await page.getByRole("button", { name: "เข้าสู่ระบบ", exact: true }).click();
}

/** Rewrites the sign-in options on their way to the page so that only `credentialIdB64url` is allowed. */
async function allowOnly(page: Page, credentialIdB64url: string) {
  await page.unroute("**/staff/webauthn/options");
  await page.route("**/staff/webauthn/options", async (route) => {
    const res = await route.fetch();
    const json = (await res.json()) as Record<string, unknown>;
    if (typeof json.challenge === "string") json.allowCredentials = [{ id: credentialIdB64url, type: "public-key" }];
    await route.fulfill({ response: res, json });
  });
}

test.describe.serial("passkeys: set-up, sign-in, removal, refusal", () => {
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = "";
  let problems: string[] = [];

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startServer({ port, env: { PUBLIC_URL: origin } });
    await createStaffUser(server, SUPERVISOR);
    context = await phone(browser);
    ({ page, cdp, authenticatorId } = await withAuthenticator(context));
    problems = watch(page);
  });

  test.afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  test("a supervisor creates a passkey at the first sign-in, then signs in with password + passkey", async () => {
    await passwordStep(page);
    await expect(page).toHaveURL(/\/staff\/totp-setup/);
    await expect(page.getByRole("heading", { level: 1, name: "ตั้งค่าการยืนยันตัวตนสองขั้นตอน" })).toBeVisible();
    // Nothing else opens before the set-up is done.
    await page.goto(`${origin}/staff/board`);
    await expect(page).toHaveURL(/\/staff\/totp-setup/);
    await noHorizontalScroll(page);

    const passkey = page.getByTestId("sf-setup-passkey");
    await expect(passkey.getByRole("heading", { name: "ทางเลือกที่ 1: พาสคีย์" })).toBeVisible();
    // A name is required first: the error box says so and takes focus.
    await passkey.getByRole("button", { name: "สร้างพาสคีย์" }).click();
    await expect(page.getByTestId("passkey-error")).toContainText("โปรดตั้งชื่อพาสคีย์");
    await expect(page.getByTestId("passkey-error")).toBeFocused();
    await passkey.getByLabel("ชื่อพาสคีย์").fill("โทรศัพท์ที่ทำงาน");
    await passkey.getByRole("button", { name: "สร้างพาสคีย์" }).click();

    // Recovery codes, once; then the back office.
    await expect(page.getByRole("heading", { level: 1, name: "เปิดใช้การยืนยันตัวตนสองขั้นตอนแล้ว" })).toBeVisible();
    await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    recoveryCodes = (await page.getByTestId("recovery-codes").locator("code").allTextContents()).map((c) => c.trim());
    // On to where the supervisor was going before the set-up.
    await page.getByTestId("continue").click();
    await expect(page).toHaveURL(/\/staff\/board$/);

    const creds = await credentialsOf(cdp, authenticatorId);
    expect(creds).toHaveLength(1);
    expect(creds[0].rpId).toBe("localhost");
    const row = await dbGet(server, "select credential_id, name, transports from staff_passkeys where staff_id = ?", await staffId());
    expect(row).toMatchObject({ credential_id: b64url(creds[0].credentialId), name: "โทรศัพท์ที่ทำงาน" });

    // The passkeys page, from the staff menu.
    await page.getByRole("navigation", { name: "เมนูเจ้าหน้าที่" }).getByRole("link", { name: "พาสคีย์และการยืนยันตัวตน" }).click();
    await expect(page).toHaveURL(/\/staff\/passkeys$/);
    await expect(page.getByTestId("passkey-name")).toHaveText("โทรศัพท์ที่ทำงาน");
    await expect(page.getByTestId("recovery-count")).toHaveText("เหลือ 10 รหัส");
    await noHorizontalScroll(page);

    // Sign out, then password + passkey.
    await page.getByRole("button", { name: "ออกจากระบบ", exact: true }).click();
    await passwordStep(page);
    await expect(page).toHaveURL(/\/staff\/login\/totp/);
    await expect(page.getByRole("heading", { level: 1, name: "ยืนยันตัวตนขั้นที่สอง" })).toBeVisible();
    await noHorizontalScroll(page);
    await page.getByRole("button", { name: "ยืนยันด้วยพาสคีย์" }).click();
    await expect(page).toHaveURL(/\/staff\/?$/);
    const used = await dbGet<{ last_used_at: string | null }>(
      server,
      "select last_used_at from staff_passkeys where staff_id = ?",
      await staffId(),
    );
    expect(used?.last_used_at).toBeTruthy();
    const audit = await dbAll<{ action: string }>(
      server,
      "select action from audit_log where actor_id = ? and (action like 'passkey.%' or action = 'login.passkey') order by id",
      await staffId(),
    );
    expect(audit.map((a) => a.action)).toEqual(["passkey.register", "login.passkey"]);
    expect(problems).toEqual([]);
  });

  test("the last passkey cannot be removed; a removed or unknown credential is refused, the remaining passkey works", async () => {
    await page.goto(`${origin}/staff/passkeys`);
    await page.getByRole("button", { name: "ลบพาสคีย์ โทรศัพท์ที่ทำงาน" }).click();
    await expect(page.getByTestId("passkey-row-error")).toContainText("ลบพาสคีย์นี้ไม่ได้");
    await expect(page.getByTestId("passkey-item")).toHaveCount(1);

    // A second passkey: the authenticator lets go of the first one for a moment (it would refuse to make a second
    // credential for the same account), makes the new one, and gets the first one back.
    const [first] = await credentialsOf(cdp, authenticatorId);
    await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: first.credentialId });
    await page.getByLabel("ชื่อพาสคีย์").fill("กุญแจ USB");
    await page.getByRole("button", { name: "สร้างพาสคีย์" }).click();
    await expect(page.getByTestId("passkeys-flash")).toHaveText("เพิ่มพาสคีย์แล้ว");
    await expect(page.getByTestId("passkey-item")).toHaveCount(2);
    const [second] = await credentialsOf(cdp, authenticatorId);
    // (Back as a non-discoverable credential: the authenticator keeps one discoverable credential per account.)
    await cdp.send("WebAuthn.addCredential", {
      authenticatorId,
      credential: {
        credentialId: first.credentialId,
        isResidentCredential: false,
        rpId: first.rpId,
        privateKey: first.privateKey,
        signCount: first.signCount,
      },
    });

    // Rename one, remove the first.
    const item = page.getByTestId("passkey-item").filter({ hasText: "กุญแจ USB" });
    await item.getByLabel("ชื่อใหม่ของพาสคีย์ กุญแจ USB").fill("กุญแจ USB สีดำ");
    await item.getByRole("button", { name: "เปลี่ยนชื่อ" }).click();
    await expect(page.getByTestId("passkeys-flash")).toHaveText("เปลี่ยนชื่อพาสคีย์แล้ว");
    await page.getByRole("button", { name: "ลบพาสคีย์ โทรศัพท์ที่ทำงาน" }).click();
    await expect(page.getByTestId("passkeys-flash")).toHaveText("ลบพาสคีย์แล้ว");
    await expect(page.getByTestId("passkey-name")).toHaveText(["กุญแจ USB สีดำ"]);
    expect((await dbAll(server, "select id from staff_passkeys where staff_id = ?", await staffId())).length).toBe(1);

    // Sign out; the removed credential answers the sign-in (the options are rewritten to allow it): refused.
    await page.getByRole("button", { name: "ออกจากระบบ", exact: true }).click();
    await passwordStep(page);
    await expect(page).toHaveURL(/\/staff\/login\/totp/);
    await allowOnly(page, b64url(first.credentialId));
    await page.getByRole("button", { name: "ยืนยันด้วยพาสคีย์" }).click();
    await expect(page.getByTestId("passkey-error")).toContainText("ระบบไม่รับพาสคีย์นี้");
    await expect(page).toHaveURL(/\/staff\/login\/totp/);
    // Still nothing else opens (and the step remembers where the supervisor was going).
    await page.goto(`${origin}/staff/board`);
    await expect(page).toHaveURL(/\/staff\/login\/totp\?redirectTo=%2Fstaff%2Fboard$/);

    // A credential the server never saw (made by this authenticator directly): refused too.
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const strangerId = crypto.randomBytes(32);
    await cdp.send("WebAuthn.addCredential", {
      authenticatorId,
      credential: {
        credentialId: strangerId.toString("base64"),
        isResidentCredential: false,
        rpId: "localhost",
        privateKey: (privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64"),
        signCount: 0,
      },
    });
    await allowOnly(page, strangerId.toString("base64url"));
    await page.getByRole("button", { name: "ยืนยันด้วยพาสคีย์" }).click();
    await expect(page.getByTestId("passkey-error")).toContainText("ระบบไม่รับพาสคีย์นี้");
    await expect(page).toHaveURL(/\/staff\/login\/totp/);

    // The options as the server sends them: the remaining passkey signs in.
    await page.unroute("**/staff/webauthn/options");
    await page.getByRole("button", { name: "ยืนยันด้วยพาสคีย์" }).click();
    await expect(page).toHaveURL(/\/staff\/board$/);
    const row = await dbGet<{ credential_id: string; last_used_at: string | null }>(
      server,
      "select credential_id, last_used_at from staff_passkeys where staff_id = ?",
      await staffId(),
    );
    expect(row?.credential_id).toBe(b64url(second.credentialId));
    expect(row?.last_used_at).toBeTruthy();
    const audit = await dbAll<{ action: string }>(
      server,
      "select action from audit_log where actor_id = ? and (action like 'passkey.%' or action = 'login.passkey') order by id",
      await staffId(),
    );
    expect(audit.map((a) => a.action)).toEqual([
      "passkey.register",
      "login.passkey",
      "passkey.register",
      "passkey.rename",
      "passkey.remove",
      "login.passkey",
    ]);
    expect(problems).toEqual([]);
  });

  test("without JavaScript the step says passkeys need it, and a recovery code signs in (360 px phone)", async ({ browser }) => {
    const noJs = await phone(browser, false);
    const p = await noJs.newPage();
    await passwordStep(p);
    await expect(p).toHaveURL(/\/staff\/login\/totp/);
    await expect(p.getByTestId("passkey-needs-js")).toContainText("พาสคีย์ต้องใช้ JavaScript");
    await expect(p.getByRole("button", { name: "ยืนยันด้วยพาสคีย์" })).toHaveCount(0);
    await noHorizontalScroll(p);
    await p.getByLabel("รหัสกู้คืน", { exact: true }).fill(recoveryCodes[0]);
    await p.locator("form:has(#f-code) button[type=submit]").click();
    await expect(p).toHaveURL(/\/staff\/passkeys\?recoveryLeft=9$/);
    await expect(p.getByTestId("recovery-left")).toContainText("เหลืออีก 9 รหัส");
    await noHorizontalScroll(p);
    await noJs.close();
  });
});
