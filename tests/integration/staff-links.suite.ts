/**
 * One sign-in for a person who works for two councils (docs/decisions/0016-one-sign-in-across-organisations.md), black-box
 * against the real server with two organisations, วังลึก (A) and หนองบัว (B), once per way of naming them
 * (staff-links.test.ts: by host name, ORG_ROUTING=host — the switch is a post from one site to another;
 * staff-links-path.test.ts: under /o/<code>/ of one host, ORG_ROUTING=path — the same origin).
 *
 * - Linking needs both accounts: a code B shows after B's password, typed at A after A's password. A wrong password, a
 *   wrong council, a wrong or used code links nothing; both audit logs record the link.
 * - Switching: A's page posts a one-time token to B's address (its CSP allows exactly that form target); B lets that one
 *   cross-site post through only from another organisation's host name, asks once more, then starts a session for the
 *   linked account — with the second factor carried over only when A's session passed its own. A token works once, only
 *   at its council, and not after the link is cut.
 * - Unlinking ends the sessions switches made; an administrator's password reset cuts the account's links.
 * - A third council, โพนสวรรค์ (C): a chain of switches A → B → C ends at B and at C when A's account is unlinked.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCouncil, installationRows, startServer, type Council, type TestServer } from "../helpers/server";
import { HttpClient, completeOrgSetup, csrfOf, helperPasskeyOf, type HttpResult } from "../helpers/http";
import { createAnyStaff, staffLogin } from "../helpers/report";

const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "two councils password 2569";
const A = { code: "wangluek", th: "วังลึก", en: "Wang Luek", host: "wangluek.localhost" } satisfies Council;
const B = { code: "nongbua", th: "หนองบัว", en: "Nong Bua", host: "nongbua.localhost" } satisfies Council;
/** A third council, for a chain of switches (A → B → C). */
const C = { code: "phonsawan", th: "โพนสวรรค์", en: "Phon Sawan", host: "phonsawan.localhost" } satisfies Council;

export function staffLinksSuite(routing: "host" | "path") {
  let server: TestServer;
  let ipSeq = 0;
  const prefixOf = (host: string) => `/o/${host.split(".")[0]}`;
  const at = (host: string) => {
    const ip = `10.91.${(++ipSeq >> 8) & 255}.${ipSeq & 255}`;
    return routing === "host" ? new HttpClient(server.url, { host, ip }) : new HttpClient(server.url, { pathPrefix: prefixOf(host), ip });
  };
  /** The origin a browser sees for a council's pages (with path routing, every council's is the server's). */
  const originOf = (host: string) => (routing === "host" ? `http://${host}:${server.port}` : new URL(server.url).origin);
  /** A council's switch page, as the other council's page names it. */
  const switchUrlOf = (host: string) =>
    routing === "host" ? `${originOf(host)}/staff/switch` : `${server.url}${prefixOf(host)}/staff/switch`;

  const people = {
    a1: { email: `somchai-${tag}@wangluek.go.th`, name: "สมชาย ใจดี", role: "supervisor" as const },
    b1: { email: `somchai-${tag}@nongbua.go.th`, name: "สมชาย ใจดี", role: "supervisor" as const },
    a2: { email: `malee-${tag}@wangluek.go.th`, name: "มาลี มีสุข", role: "officer" as const, division: "works" },
    b2: { email: `malee-${tag}@nongbua.go.th`, name: "มาลี มีสุข", role: "supervisor" as const },
    adminA: { email: `admin-${tag}@wangluek.go.th`, name: "ผู้ดูแลวังลึก", role: "admin" as const },
    adminB: { email: `admin-${tag}@nongbua.go.th`, name: "ผู้ดูแลหนองบัว", role: "admin" as const },
    // Works for all three councils (the chain of switches).
    a3: { email: `wichai-${tag}@wangluek.go.th`, name: "วิชัย รักงาน", role: "supervisor" as const },
    b3: { email: `wichai-${tag}@nongbua.go.th`, name: "วิชัย รักงาน", role: "supervisor" as const },
    c3: { email: `wichai-${tag}@phonsawan.go.th`, name: "วิชัย รักงาน", role: "supervisor" as const },
    adminC: { email: `admin-${tag}@phonsawan.go.th`, name: "ผู้ดูแลโพนสวรรค์", role: "admin" as const },
    // Linked once, for a cut that stops half-way.
    a4: { email: `kanya-${tag}@wangluek.go.th`, name: "กัญญา ตั้งใจ", role: "supervisor" as const },
    b4: { email: `kanya-${tag}@nongbua.go.th`, name: "กัญญา ตั้งใจ", role: "supervisor" as const },
  };
  const councilOf = (email: string) => [A, B, C].find((o) => email.endsWith(`@${o.code}.go.th`))!;

  const orgRows = <T>(code: string, query: string) => installationRows<T>(server, code, query);
  const platformRows = <T>(query: string) => installationRows<T>(server, null, query);
  const auditActions = async (code: string) =>
    (await orgRows<{ action: string; details: string }>(code, "select action, details from audit_log order by id")).filter(
      (r) => r.action.startsWith("staff.link") || r.action.startsWith("staff.switch") || r.action === "staff.unlink",
    );

  async function linkCode(client: HttpClient, password = PASSWORD): Promise<HttpResult> {
    const page = await client.get("/staff/account");
    return client.postForm("/staff/account", { csrf: csrfOf(page), intent: "link-code", codePassword: password });
  }

  async function enterCode(client: HttpClient, fields: { fromOrg: string; code: string; password?: string }): Promise<HttpResult> {
    const page = await client.get("/staff/account");
    return client.postForm("/staff/account", {
      csrf: csrfOf(page),
      intent: "link",
      fromOrg: fields.fromOrg,
      code: fields.code,
      linkPassword: fields.password ?? PASSWORD,
    });
  }

  async function link(codeAt: HttpClient, enterAt: HttpClient, fromOrg: string): Promise<void> {
    const shown = await linkCode(codeAt);
    const code = shown.$.testId("link-code");
    expect(code, shown.$.text().slice(0, 300)).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const done = await enterCode(enterAt, { fromOrg, code: code! });
    expect(done.status, done.$.text().slice(0, 300)).toBe(302);
  }

  /** Step 1 at the council the person is at: the page whose form carries the token to the other council. */
  async function startSwitch(client: HttpClient, to: string): Promise<{ page: HttpResult; token: string; action: string }> {
    const account = await client.get("/staff/account");
    const page = await client.postForm("/staff/switch", { csrf: csrfOf(account), intent: "start", to });
    const token = page.$.inputValue("token") ?? "";
    const action = page.$.testIdAttr("switch-handoff", "action") ?? "";
    return { page, token, action };
  }

  /** Steps 2 and 3 in a browser at the other council: the cross-site post from the first council's page, then the button. */
  async function arrive(browser: HttpClient, token: string, fromHost: string): Promise<HttpResult> {
    return browser.postForm(
      "/staff/switch",
      { intent: "arrive", token },
      { Origin: originOf(fromHost), "Sec-Fetch-Site": routing === "host" ? "cross-site" : "same-origin" },
    );
  }
  async function confirm(browser: HttpClient, page: HttpResult, token: string): Promise<HttpResult> {
    return browser.postForm("/staff/switch", { csrf: csrfOf(page), intent: "confirm", token });
  }

  /** A fresh browser at council `to`, signed in there by a switch from `from` (a client signed in at `fromHost`). */
  async function switchedInto(from: HttpClient, fromHost: string, to: { code: string; host: string }): Promise<HttpClient> {
    const browser = at(to.host);
    const { token } = await startSwitch(from, to.code);
    expect((await confirm(browser, await arrive(browser, token, fromHost), token)).status).toBe(302);
    return browser;
  }

  beforeAll(async () => {
    server = await startServer({ env: { ORG_ROUTING: routing, TRUSTED_PROXIES: "127.0.0.1,::1" } });
    for (const org of [A, B, C]) await addCouncil(server, org);
    for (const p of Object.values(people)) {
      await createAnyStaff(server, { ...p, password: PASSWORD, org: councilOf(p.email).code });
    }
    // Each council's first administrator fills in its details.
    for (const [host, admin] of [
      [A.host, people.adminA],
      [B.host, people.adminB],
      [C.host, people.adminC],
    ] as const) {
      const client = at(host);
      expect((await client.login(admin.email, PASSWORD, "/staff", { completeOrgSetup: false })).status).toBe(302);
      await completeOrgSetup(client);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  describe("linking two councils' accounts", () => {
    let a1: HttpClient;
    let b1: HttpClient;

    beforeAll(async () => {
      a1 = await staffLogin(at(A.host), people.a1.email, PASSWORD);
      b1 = await staffLogin(at(B.host), people.b1.email, PASSWORD);
    });

    it("needs B's password for a code and A's password, council and code to use it; each refusal links nothing", async () => {
      const noCode = await linkCode(b1, "not my password");
      expect(noCode.status).toBe(422);
      expect(noCode.$.testId("link-code")).toBeNull();

      const shown = await linkCode(b1);
      expect(shown.status).toBe(200);
      const code = shown.$.testId("link-code")!;
      expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      // The code is never in an address or a log.
      expect(server.logs()).not.toContain(code);

      expect((await enterCode(a1, { fromOrg: B.code, code, password: "wrong password" })).status).toBe(422);
      expect((await enterCode(a1, { fromOrg: A.code, code })).status).toBe(422); // its own council
      expect((await enterCode(a1, { fromOrg: "khoksung", code })).status).toBe(422); // no such council
      const wrongCode = await enterCode(a1, { fromOrg: B.code, code: "AAAA-BBBB-CCCC" });
      expect(wrongCode.status).toBe(422);
      expect(wrongCode.$.text()).toContain("รหัสไม่ถูกต้องหรือหมดอายุแล้ว");
      expect(await platformRows("select * from staff_link")).toEqual([]);

      // Before anything is linked the page says whose account the code is (a person talked into typing someone else's
      // code sees it); asking does not use the code up.
      const askPage = await a1.get("/staff/account");
      const asked = await a1.postForm("/staff/account", { csrf: csrfOf(askPage), intent: "link-preview", fromOrg: B.code, code });
      expect(asked.status).toBe(200);
      expect(asked.$.testId("link-preview")).toContain(people.b1.email);
      expect(asked.$.testId("link-preview")).toContain("หนองบัว");
      expect(asked.$.inputValue("code")).toBe(code);
      const wrongAsk = await a1.postForm("/staff/account", {
        csrf: csrfOf(askPage),
        intent: "link-preview",
        fromOrg: B.code,
        code: "AAAA-BBBB-CCCC",
      });
      expect(wrongAsk.status).toBe(422);
      expect(wrongAsk.$.testId("link-preview")).toBeNull();
      expect(await platformRows("select * from staff_link")).toEqual([]);

      // Lower case and spaces are fine: people type codes.
      const done = await enterCode(a1, { fromOrg: B.code, code: code.toLowerCase().replaceAll("-", " ") });
      expect(done.status, done.$.text().slice(0, 300)).toBe(302);
      expect(a1.routePath(done.location!)).toBe("/staff/account");
      const links = await platformRows<{ org_code: string; person_id: string }>(
        "select org_code, person_id from staff_link order by org_code",
      );
      expect(links.map((l) => l.org_code)).toEqual([B.code, A.code]);
      expect(links[0]!.person_id).toBe(links[1]!.person_id);
      // Only ids in the platform database.
      expect(JSON.stringify(await platformRows("select * from staff_link"))).not.toContain("somchai");

      // Used once.
      expect((await enterCode(a1, { fromOrg: B.code, code })).status).toBe(422);

      // Both councils' audit logs record the link.
      expect((await auditActions(A.code)).map((r) => r.action)).toContain("staff.link");
      expect((await auditActions(B.code)).map((r) => r.action)).toEqual(expect.arrayContaining(["staff.link_code", "staff.link"]));

      // Each account page names the other council's account.
      const pageA = await a1.get("/staff/account");
      expect(pageA.$.testId("links-list")).toContain(people.b1.email);
      expect(pageA.$.testId("links-list")).toContain("หนองบัว");
      const pageB = await b1.get("/staff/account");
      expect(pageB.$.testId("links-list")).toContain(people.a1.email);
    });

    it("switches A → B with a one-time token posted in a form, asked once more at B, second factor carried over", async () => {
      const { page, token, action } = await startSwitch(a1, B.code);
      expect(page.status, `${page.location} ${page.$.text().slice(0, 300)}`).toBe(200);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(action).toBe(switchUrlOf(B.host));
      // The page may post to B's address and nowhere else; the marker header never leaves the server.
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain(`form-action 'self' ${originOf(B.host)};`);
      expect(page.headers.get("x-form-action-origin")).toBeNull();
      // …and B sees which council the post comes from (the portal's usual same-origin policy would send Origin: null).
      expect(page.headers.get("referrer-policy")).toBe("strict-origin");
      expect(page.headers.get("cache-control")).toContain("no-store");

      // From a site that is not one of the installation's councils, the post is refused before any route sees it.
      const browser = at(B.host);
      const foreign = await browser.postForm(
        "/staff/switch",
        { intent: "arrive", token },
        { Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" },
      );
      expect(foreign.status).toBe(403);

      const asked = await arrive(browser, token, A.host);
      expect(asked.status, asked.$.text().slice(0, 300)).toBe(200);
      expect(asked.$.text()).toContain(people.b1.email);
      expect(asked.$.text()).toContain("วังลึก");
      // Nothing signed in yet.
      expect(browser.cookies.has("sujarit_session")).toBe(false);
      // The same token at the council it was not made for (A itself) grants nothing.
      expect((await arrive(at(A.host), token, B.host)).status).toBe(410);

      const done = await confirm(browser, asked, token);
      expect(done.status, done.$.text().slice(0, 300)).toBe(302);
      expect(browser.cookies.has("sujarit_session")).toBe(true);
      // A's session passed its second factor (a supervisor's passkey), so B's supervisor page opens without another.
      const queue = await browser.get("/staff");
      expect(queue.status, queue.location ?? "").toBe(200);
      expect(queue.$.text()).toContain(people.b1.name);

      // Used once.
      const again = at(B.host);
      expect((await arrive(again, token, A.host)).status).toBe(410);

      const sessions = await orgRows<{ switched_from: string | null }>(
        B.code,
        "select switched_from from staff_sessions where switched_from is not null",
      );
      expect(sessions.map((s) => s.switched_from)).toEqual([A.code]);
      expect((await auditActions(A.code)).map((r) => r.action)).toContain("staff.switch_out");
      expect((await auditActions(B.code)).map((r) => r.action)).toContain("staff.switch_in");
      // No token in a log.
      expect(server.logs()).not.toContain(token);
    });

    it("unlinking at B ends the sessions the switch made, and stops every later switch", async () => {
      const browser = await switchedInto(a1, A.host, B);
      expect((await browser.get("/staff")).status).toBe(200);
      const pending = await startSwitch(a1, B.code);

      const page = await b1.get("/staff/account");
      const cut = await b1.postForm("/staff/account", { csrf: csrfOf(page), intent: "unlink" });
      expect(cut.status).toBe(302);
      expect(await platformRows("select * from staff_link")).toEqual([]);
      // The switched-in session at B is gone; b1's own sign-in is not.
      expect((await browser.get("/staff")).status).toBe(302);
      expect((await b1.get("/staff")).status).toBe(200);
      // A token made before the cut grants nothing.
      expect((await arrive(at(B.host), pending.token, A.host)).status).toBe(410);
      // Nor can A start a new one.
      const refused = await startSwitch(a1, B.code);
      expect(refused.page.status).toBe(302);
      expect(refused.token).toBe("");
      expect((await auditActions(A.code)).map((r) => r.action)).toContain("staff.unlink");
      expect((await auditActions(B.code)).map((r) => r.action)).toContain("staff.unlink");
      expect((await a1.get("/staff/account")).$.testId("links-none")).not.toBeNull();
    });

    it("a cut that stopped before B's sessions (the server failed between) still ends the switched-in session at its next request", async () => {
      const a4 = await staffLogin(at(A.host), people.a4.email, PASSWORD);
      const b4 = await staffLogin(at(B.host), people.b4.email, PASSWORD);
      await link(b4, a4, B.code);
      const browser = await switchedInto(a4, A.host, B);
      expect((await browser.get("/staff")).status).toBe(200);
      // Only the platform's half of a cut: the link rows go, B's database is not touched.
      const [b4row] = await orgRows<{ id: number }>(B.code, `select id from staff where email = '${people.b4.email}'`);
      const switched = `select id from staff_sessions where switched_from is not null and staff_id = ${b4row!.id}`;
      await platformRows(
        `delete from staff_link where person_id in (select person_id from staff_link where org_code = '${B.code}' and staff_id = ${b4row!.id})`,
      );
      expect(await platformRows("select * from staff_link")).toEqual([]);
      expect(await orgRows(B.code, switched)).toHaveLength(1);
      expect((await browser.get("/staff")).status).toBe(302);
      expect(await orgRows(B.code, switched)).toEqual([]);
      // b4's own sign-in is not a switch: it stays.
      expect((await b4.get("/staff")).status).toBe(200);
    });
  });

  describe("what a link cannot do", () => {
    it("carries no second factor the first session did not pass, and an administrator's reset cuts the link", async () => {
      const a2 = await staffLogin(at(A.host), people.a2.email, PASSWORD);
      const b2 = await staffLogin(at(B.host), people.b2.email, PASSWORD);
      await link(b2, a2, B.code);

      // An officer without a second factor switches to a supervisor account: B asks for B's second factor.
      const browser = await switchedInto(a2, A.host, B);
      const queue = await browser.get("/staff");
      expect(queue.status).toBe(302);
      expect(browser.routePath(queue.location!)).toMatch(/^\/staff\/(login\/totp|totp-setup)/);
      // B's own second factor (the passkey b2 set up at its first sign-in) opens B's pages; the session stays one a
      // switch made, so the cut below still ends it.
      const passkey = helperPasskeyOf(originOf(B.host), people.b2.email);
      expect(passkey).toBeTruthy();
      const step = new URL(queue.location!);
      expect((await browser.passkeyCeremony("authenticate", step.pathname + step.search, passkey!)).status).toBe(302);
      expect((await browser.get("/staff")).status).toBe(200);

      // A's administrator makes a password link for a2 and uses it: the link to B is cut before the new password holds.
      const adminA = await staffLogin(at(A.host), people.adminA.email, PASSWORD);
      const [row] = await orgRows<{ id: number }>(A.code, `select id from staff where email = '${people.a2.email}'`);
      const accounts = await adminA.get("/staff/admin/accounts");
      expect(accounts.$.text()).toContain("เชื่อมกับบัญชีที่หน่วยงานอื่น");
      const reset = await adminA.postForm("/staff/admin/accounts", { csrf: csrfOf(accounts), intent: "reset", staffId: String(row!.id) });
      const resetUrl = new URL(reset.$.testId("link")!);
      // The link's token leaves the address at once (a redirect and a cookie); the page is then asked for bare.
      const person = at(A.host);
      expect((await person.get(resetUrl.pathname + resetUrl.search)).status).toBe(302);
      const enrol = await person.get("/staff/enrol");
      const newPassword = "a new password chosen by the administrator 2569";
      const set = await person.postForm("/staff/enrol", { csrf: csrfOf(enrol), password: newPassword, confirm: newPassword });
      expect(set.status, set.$.text().slice(0, 300)).toBeLessThan(400);
      expect(await platformRows("select * from staff_link")).toEqual([]);
      // The session the switch made at B has ended too.
      expect((await browser.get("/staff")).location ?? "").toContain("/staff/login");
      const audit = await auditActions(B.code);
      expect(audit.some((r) => r.action === "staff.unlink" && r.details.includes("password_reset"))).toBe(true);
    });

    it("refuses a person two accounts at one council", async () => {
      const a1 = await staffLogin(at(A.host), people.a1.email, PASSWORD);
      const b1 = await staffLogin(at(B.host), people.b1.email, PASSWORD);
      const b2 = await staffLogin(at(B.host), people.b2.email, PASSWORD);
      await link(b1, a1, B.code);
      const shown = await linkCode(b2);
      const refused = await enterCode(a1, { fromOrg: B.code, code: shown.$.testId("link-code")! });
      expect(refused.status).toBe(422);
      expect(refused.$.text()).toContain("เชื่อมกับบัญชีอื่นของหน่วยงานเดียวกันอยู่แล้ว");
      const links = await platformRows<{ staff_id: number }>(`select staff_id from staff_link where org_code = '${B.code}'`);
      expect(links).toHaveLength(1);
    });

    it("an administrator of either council can cut a link, only of their own council's accounts", async () => {
      const adminB = await staffLogin(at(B.host), people.adminB.email, PASSWORD);
      const [b1] = await orgRows<{ id: number }>(B.code, `select id from staff where email = '${people.b1.email}'`);
      const page = await adminB.get("/staff/admin/accounts");
      expect(page.$.text()).toContain("เชื่อมกับบัญชีที่หน่วยงานอื่น");
      // An administrator names accounts by their id in their own council's database: nothing else is theirs to cut.
      const other = await adminB.postForm("/staff/admin/accounts", { csrf: csrfOf(page), intent: "cutLinks", staffId: "9999" });
      expect(other.status).toBe(404);
      expect(await platformRows("select * from staff_link")).toHaveLength(2);
      const cut = await adminB.postForm("/staff/admin/accounts", { csrf: csrfOf(page), intent: "cutLinks", staffId: String(b1!.id) });
      expect(cut.status).toBe(200);
      expect(await platformRows("select * from staff_link")).toEqual([]);
      const audit = await auditActions(A.code);
      expect(audit.some((r) => r.action === "staff.unlink" && r.details.includes('"admin"'))).toBe(true);
    });

    it("a chain of switches (A → B → C) ends wherever it reached when the first council's account is unlinked", async () => {
      const a3 = await staffLogin(at(A.host), people.a3.email, PASSWORD);
      const b3 = await staffLogin(at(B.host), people.b3.email, PASSWORD);
      const c3 = await staffLogin(at(C.host), people.c3.email, PASSWORD);
      await link(b3, a3, B.code);
      await link(c3, b3, C.code);
      const links = await platformRows<{ org_code: string; person_id: string }>("select org_code, person_id from staff_link");
      expect(links.map((l) => l.org_code).sort()).toEqual([B.code, C.code, A.code].sort());
      expect(new Set(links.map((l) => l.person_id)).size).toBe(1); // one person, three councils

      // A → B, then from the session the switch made at B, B → C.
      const atB = await switchedInto(a3, A.host, B);
      expect((await atB.get("/staff")).status).toBe(200);
      const atC = at(C.host);
      const toC = await startSwitch(atB, C.code);
      expect(toC.action).toBe(switchUrlOf(C.host));
      expect((await confirm(atC, await arrive(atC, toC.token, B.host), toC.token)).status).toBe(302);
      const queueC = await atC.get("/staff");
      expect(queueC.status, queueC.location ?? "").toBe(200);
      expect(await orgRows(C.code, "select switched_from from staff_sessions where switched_from is not null")).toEqual([
        { switched_from: B.code },
      ]);

      // A's account leaves the person (its own page): what the chain reached at B and at C ends; B and C stay linked,
      // and the person's own sign-ins at B and C are untouched.
      const page = await a3.get("/staff/account");
      expect((await a3.postForm("/staff/account", { csrf: csrfOf(page), intent: "unlink" })).status).toBe(302);
      expect((await platformRows<{ org_code: string }>("select org_code from staff_link")).map((l) => l.org_code).sort()).toEqual(
        [B.code, C.code].sort(),
      );
      expect((await atB.get("/staff")).status).toBe(302);
      expect((await atC.get("/staff")).status).toBe(302);
      expect((await b3.get("/staff")).status).toBe(200);
      expect((await c3.get("/staff")).status).toBe(200);
      for (const org of [B.code, C.code]) {
        expect(await orgRows(org, "select id from staff_sessions where switched_from is not null"), org).toEqual([]);
        expect(
          (await auditActions(org)).map((r) => r.action),
          org,
        ).toContain("staff.unlink");
      }
      // A can no longer reach either.
      expect((await startSwitch(a3, B.code)).token).toBe("");
      expect((await startSwitch(a3, C.code)).token).toBe("");
    });
  });
}
