/**
 * Several organisations on one installation (docs/decisions/0015-one-database-per-organisation.md), black-box against
 * the real server, once per way of naming the organisation (organisations.test.ts: ORG_ROUTING=host, each reached by its
 * host name; organisations-path.test.ts: ORG_ROUTING=path, each under /o/<code>/ of one host): organisations added with
 * `npm run org`, their first staff with `npm run staff -- --org`. Organisation A (วังลึก) gets a complaint with a photo, a
 * corruption report and signed-in staff (admin, officer, integrity officer); then every page of the portal (every
 * route of the build, its parameters filled with A's references and ids) is asked for at organisation B's host
 * (หนองบัว) with all of A's cookies — and /track, the reporter's inbox and the staff sign-in with A's codes, receipt and
 * password. B answers with its own pages, sign-in redirects or 404s, and no answer carries anything of A's. The same
 * walk at A's own host shows A's data (so the walk reaches real pages), and the reverse direction holds too.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, installationRows, orgCommand, scriptCommand, startServer, waitUntil, type TestServer } from "../helpers/server";
import { HttpClient, completeOrgSetup, csrfOf, fileComplaint, makeJpeg, type HttpResult } from "../helpers/http";
import { createAnyStaff, fileReport, integrityLogin, openInbox, staffLogin, totpAccount, type TotpAccount } from "../helpers/report";

const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "organisations password 2569";
const A = { code: "wangluek", host: "wangluek.localhost" };
const B = { code: "nongbua", host: "nongbua.localhost" };
/** ORG_ROUTING=path: an organisation's pages start at /o/<code> (the first label of its host name in these tests). */
const prefixOf = (host: string) => `/o/${host.split(".")[0]}`;
const MARK = {
  subject: `ถนนพังหน้าบ้าน-${tag}-OKAPI`,
  details: `รายละเอียดของวังลึก ${tag} QUOKKA`,
  contact: `ชาวบ้านวังลึก ${tag}`,
  report: `เรียกรับเงินค่าตรวจรับงาน-${tag}-NARWHAL`,
  staffName: `เจ้าหน้าที่วังลึก ${tag}`,
};

/** B's own details for its first administrator's set-up page (the helpers' defaults are วังลึก's). */
const NONGBUA_CONTACT: Record<string, string> = {
  email: "saraban@nongbua.go.th",
  lineId: "@nongbua",
  addressTh: "ที่ทำการองค์การบริหารส่วนตำบลหนองบัว หมู่ที่ 2 ตำบลหนองบัว",
  addressEn: "Nong Bua SAO office, Village 2, Nong Bua",
  village_1_th: "บ้านหนองบัว",
  village_1_en: "Ban Nong Bua",
};

export function organisationsSuite(routing: "host" | "path") {
  let server: TestServer;
  let ipSeq = 0;
  /** A client of the organisation with this host name: by that name, or under its /o/<code> of the server's own address. */
  const clientAt = (host: string, ip: string) =>
    routing === "host" ? new HttpClient(server.url, { host, ip }) : new HttpClient(server.url, { pathPrefix: prefixOf(host), ip });
  const at = (host: string) => clientAt(host, `10.90.${(++ipSeq >> 8) & 255}.${ipSeq & 255}`);
  /** Where an organisation's links in e-mails point. */
  const siteUrlOf = (host: string) => (routing === "host" ? `http://${host}:${server.port}` : `${server.url}${prefixOf(host)}`);

  const orgCli = (args: string[]) => orgCommand(server, args);

  /** Rows of one organisation's database: its SQLite file, or its schema on PostgreSQL (TEST_DATABASE=postgres). */
  const orgRows = <T>(code: string, query: string) => installationRows<T>(server, code, query);

  /** Every page path of the build (Remix route manifest), parameters as ":name". */
  async function routePaths(): Promise<string[]> {
    const buildRoot = process.env.TEST_BUILD_DIR ? path.resolve(process.env.TEST_BUILD_DIR) : ROOT;
    const build = (await import(pathToFileURL(path.join(buildRoot, "build/index.js")).href)) as {
      routes: Record<string, { id: string; parentId?: string; path?: string; index?: boolean }>;
    };
    const full = (id: string): string => {
      const r = build.routes[id];
      if (!r) return "";
      const parent = r.parentId ? full(r.parentId) : "";
      return [parent, r.path ?? ""].filter(Boolean).join("/");
    };
    const paths = new Set<string>();
    for (const r of Object.values(build.routes)) paths.add("/" + full(r.id).replace(/^\/+/, ""));
    return [...paths].sort();
  }

  interface OrgState {
    admin: HttpClient;
    officer: HttpClient;
    integrity: HttpClient;
    integrityAcc: TotpAccount;
    reporter: HttpClient;
    citizen: HttpClient;
    reference: string;
    trackingCode: string;
    receipt: string;
    reportPublicId: string;
    attachmentId: number;
    noticeId: number;
  }

  async function populate(org: { code: string; host: string }, mark: boolean): Promise<OrgState> {
    const people = {
      admin: { email: `admin-${tag}@${org.code}.go.th`, name: mark ? MARK.staffName : "ผู้ดูแล", role: "admin" as const },
      officer: { email: `officer-${tag}@${org.code}.go.th`, name: "เจ้าหน้าที่กองช่าง", role: "officer" as const, division: "works" },
      integrity: { email: `integrity-${tag}@${org.code}.go.th`, name: "ผู้รับเรื่องทุจริต", role: "integrity" as const },
    };
    for (const p of Object.values(people)) await createAnyStaff(server, { ...p, password: PASSWORD, org: org.code });
    const admin = at(org.host);
    expect((await admin.login(people.admin.email, PASSWORD, "/staff", { completeOrgSetup: mark })).status).toBe(302);
    if (!mark) await completeOrgSetup(admin, NONGBUA_CONTACT);
    const officer = await staffLogin(at(org.host), people.officer.email, PASSWORD);
    const integrity = at(org.host);
    const integrityAcc = totpAccount(people.integrity.email, PASSWORD);
    await integrityLogin(integrity, integrityAcc);

    const citizen = at(org.host);
    const filed = await fileComplaint(
      citizen,
      mark ? { subject: MARK.subject, details: MARK.details, contactName: MARK.contact } : { subject: "ไฟดับ", details: "ไฟถนนดับสามคืน" },
      [{ filename: "hole.jpg", type: "image/jpeg", data: await makeJpeg(7) }],
    );
    const reporter = at(org.host);
    const report = await fileReport(reporter, mark ? { whatHappened: MARK.report } : {});
    const [report1] = await orgRows<{ public_id: string }>(org.code, "select public_id from reports order by id desc limit 1");
    const [attachment] = await orgRows<{ id: number }>(org.code, "select id from attachments order by id desc limit 1");
    const [notice] = await orgRows<{ id: number }>(org.code, "select id from notices order by id desc limit 1");
    return {
      admin,
      officer,
      integrity,
      integrityAcc,
      reporter,
      citizen,
      reference: filed.reference,
      trackingCode: filed.trackingCode,
      receipt: report.receipt,
      reportPublicId: String(report1!.public_id),
      attachmentId: Number(attachment!.id),
      noticeId: Number(notice?.id ?? 1),
    };
  }

  /** A client at `host` that carries every cookie of the given clients (a thief with all of A's cookies). */
  function withCookiesOf(host: string, ...from: HttpClient[]): HttpClient {
    const c = at(host);
    for (const f of from) for (const [k, v] of f.cookies) c.cookies.set(k, v);
    return c;
  }

  /** The walk's paths: every route with its parameters filled with `s`'s values. */
  function concretePaths(routes: string[], s: OrgState): string[] {
    const fy = String(new Date().getFullYear() + 543 + (new Date().getMonth() >= 9 ? 1 : 0));
    const values: Record<string, string> = {
      reference: encodeURIComponent(s.reference),
      id: String(s.attachmentId),
      noticeId: String(s.noticeId),
      publicId: s.reportPublicId,
      fy,
      period: "q1",
      "period?": "",
      file: "complaints.csv",
      version: "x",
      lang: "th",
      file_: "common",
    };
    return routes.map(
      (r) =>
        r
          .split("/")
          .map((seg) => (seg.startsWith(":") ? (values[seg.slice(1)] ?? "1") : seg === "*" ? "x" : seg))
          .join("/")
          .replace(/\/+$/, "") || "/",
    );
  }

  /** Anything of A's that must never appear in an answer of B's (`typed`: what the request itself carried, echoed in a form). */
  function leaksOf(text: string, s: OrgState, typed: string[] = [], opts: { nameIsPublic?: boolean } = {}): string[] {
    const found: string[] = [];
    for (const [k, v] of Object.entries(MARK)) if (text.includes(v)) found.push(k);
    if (!opts.nameIsPublic && text.includes("วังลึก")) found.push("A's name");
    if (!typed.includes(s.trackingCode) && text.includes(s.trackingCode)) found.push("tracking code");
    if (text.includes(s.reportPublicId)) found.push("report id");
    return found;
  }

  /** Staff pages anyone may open (sign-in, enrolment and recovery steps, and the switch a linked account arrives by). */
  const PUBLIC_STAFF_PAGES = /^\/staff\/(login|enrol|recover|password|forgot|switch)/;

  /** A's people, one client each (their cookies have the same names: one jar per person). */
  const identities = (host: string, s: OrgState) => [s.admin, s.officer, s.integrity, withCookiesOf(host, s.reporter, s.citizen)];

  let routes: string[] = [];
  let a: OrgState;
  let b: OrgState;
  /** What `npm run org -- add … --admin-email` printed for the third organisation (its first administrator's link). */
  let addCOutput = "";
  const C_ADMIN = `first-admin-${tag}@khoksung.go.th`;

  beforeAll(async () => {
    server = await startServer({ env: { ORG_ROUTING: routing, TRUSTED_PROXIES: "127.0.0.1,::1", REPORT_NOTICE_WINDOW_MINUTES: "0" } });
    const seedB = JSON.parse(fs.readFileSync(path.join(ROOT, "db/seed/wangluek.json"), "utf8"));
    seedB.profile = {
      ...seedB.profile,
      code: "nongbua",
      name_th: "องค์การบริหารส่วนตำบลหนองบัว",
      name_en: "Nong Bua Subdistrict Administrative Organization",
    };
    for (const key of ["address_th", "address_en", "privacy_contact_th", "privacy_contact_en"]) {
      if (typeof seedB.profile[key] === "string")
        seedB.profile[key] = String(seedB.profile[key]).replaceAll("วังลึก", "หนองบัว").replaceAll("Wang Luek", "Nong Bua");
    }
    const seedFile = path.join(server.dataDir, "nongbua.json");
    fs.writeFileSync(
      seedFile,
      JSON.stringify(seedB).replaceAll("วังลึก", "หนองบัว").replaceAll("Wang Luek", "Nong Bua").replaceAll("wangluek", "nongbua"),
    );
    const addA = await orgCli(["add", "db/seed/wangluek.json", "--code", A.code, "--host", A.host, "--province", "40"]);
    expect(addA.code, addA.out).toBe(0);
    const addB = await orgCli(["add", seedFile, "--code", B.code, "--host", B.host, "--province", "40"]);
    expect(addB.code, addB.out).toBe(0);
    // A third organisation, in another province.
    const seedC = JSON.parse(
      fs.readFileSync(seedFile, "utf8").replaceAll("หนองบัว", "โคกสูง").replaceAll("Nong Bua", "Khok Sung").replaceAll("nongbua", "khoksung"),
    );
    fs.writeFileSync(path.join(server.dataDir, "khoksung.json"), JSON.stringify(seedC));
    const addC = await orgCli([
      "add",
      path.join(server.dataDir, "khoksung.json"),
      "--code",
      "khoksung",
      "--host",
      "khoksung.localhost",
      "--province",
      "41",
      "--admin-email",
      C_ADMIN,
      "--admin-name",
      "ปลัดโคกสูง",
    ]);
    expect(addC.code, addC.out).toBe(0);
    addCOutput = addC.out;
    routes = await routePaths();
    a = await populate(A, true);
    b = await populate(B, false);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
  });

  describe(`organisations and their ${routing === "host" ? "host names" : "paths (/o/<code>)"}`, () => {
    it("npm run org refuses a taken code or host name and lists both organisations", async () => {
      const again = await orgCli(["add", "db/seed/wangluek.json", "--code", "other", "--host", A.host]);
      expect(again.code).not.toBe(0);
      expect(again.out).toContain("host name is already taken");
      const sameCode = await orgCli(["add", "db/seed/wangluek.json", "--code", A.code, "--host", "third.localhost"]);
      expect(sameCode.code).not.toBe(0);
      expect(fs.existsSync(path.join(server.dataDir, "orgs", "other"))).toBe(false);
      const list = await orgCli(["list"]);
      expect(list.out).toMatch(/nongbua\t.*หนองบัว\tnongbua\.localhost/);
      expect(list.out).toMatch(/wangluek\t.*วังลึก\twangluek\.localhost\tprovince 40/);
    });

    it("each host shows its own organisation; an unknown host gets a bare 404; the installation answers /healthz by address", async () => {
      const homeA = await at(A.host).get("/");
      const homeB = await at(B.host).get("/");
      expect(homeA.status).toBe(200);
      expect(homeB.status).toBe(200);
      expect(homeA.text).toContain("วังลึก");
      expect(homeB.text).toContain("หนองบัว");
      expect(homeB.text).not.toContain("วังลึก");
      const unknown = await at("stranger.localhost").get("/");
      expect(unknown.status).toBe(404);
      expect(unknown.text).not.toMatch(/วังลึก|หนองบัว|wangluek|nongbua/i);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", organisations: 3 });
    });

    it("e-mails go out per organisation, with links to the organisation's own host", async () => {
      // No SMTP_URL: each organisation's worker writes its e-mails as .eml files in its own folder.
      const emlOf = (code: string) => {
        const dir = path.join(server.dataDir, "orgs", code, "outbox");
        return fs.existsSync(dir)
          ? fs
              .readdirSync(dir)
              .filter((f) => f.endsWith(".eml"))
              .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
          : [];
      };
      await waitUntil(() => (emlOf(A.code).length > 0 && emlOf(B.code).length > 0 ? true : null), "acknowledgements of both", 30_000).catch(
        (e) => {
          throw new Error(
            `${(e as Error).message}\n${server
              .logs()
              .split("\n")
              .filter((l) => /outbox|email|mail|error/i.test(l))
              .slice(-15)
              .join("\n")}`,
          );
        },
      );
      const a = emlOf(A.code).join("\n");
      const b = emlOf(B.code).join("\n");
      expect(a).toContain(`${siteUrlOf(A.host)}/track`);
      expect(a).not.toContain(siteUrlOf(B.host));
      expect(b).toContain(`${siteUrlOf(B.host)}/track`);
      expect(b).not.toContain(siteUrlOf(A.host));
      expect(fs.existsSync(path.join(server.dataDir, "outbox"))).toBe(false);
    });

    it("an organisation added with --admin-email gets its first administrator by a one-time link at its own address", async () => {
      expect(addCOutput).not.toMatch(/password:\s*\S/i);
      const link = /(https?:\/\/\S+\/staff\/enrol\?t=[A-Za-z0-9_-]{43})/.exec(addCOutput)?.[1] ?? "";
      expect(link.startsWith(`${siteUrlOf("khoksung.localhost")}/staff/enrol?t=`), addCOutput).toBe(true);
      const c = at("khoksung.localhost");
      const u = new URL(link);
      const first = await c.get(u.pathname + u.search);
      expect(first.status).toBe(302);
      const page = await c.get("/staff/enrol");
      expect(page.status).toBe(200);
      const chosen = "โคกสูง first admin password 2569";
      const set = await c.postForm("/staff/enrol", { csrf: csrfOf(page), password: chosen, confirm: chosen });
      expect(set.status, set.$.text().slice(0, 300)).toBe(302);
      // The password signs in there (on to the second factor an administrator needs), and nowhere else.
      const there = await at("khoksung.localhost").passwordStep(C_ADMIN, chosen);
      expect(there.status).toBe(302);
      expect(at("khoksung.localhost").routePath(there.location!)).toMatch(/^\/staff\/(totp-setup|login\/totp)/);
      expect((await at(A.host).passwordStep(C_ADMIN, chosen)).status).not.toBe(302);
      // The link was for one use.
      const c2 = at("khoksung.localhost");
      const again = await c2.get(u.pathname + u.search);
      const againPage = again.status === 302 ? await c2.get("/staff/enrol") : again;
      expect(againPage.text).not.toContain('name="confirm"');
    });

    it("the root of the host lists the organisations by province, each linking to its own pages (path routing)", async () => {
      const root = await fetch(`${server.url}/`);
      if (routing === "host") {
        expect(root.status).toBe(404); // by address: no organisation, no list
        return;
      }
      expect(root.status).toBe(200);
      expect(root.headers.get("content-security-policy")).toContain("default-src");
      const th = await root.text();
      expect(th).toContain('<html lang="th">');
      expect(th).toContain('href="/o/wangluek"');
      expect(th).toContain('href="/o/nongbua"');
      expect(th).toContain('href="/o/khoksung"');
      expect(th).toContain("องค์การบริหารส่วนตำบลวังลึก");
      expect(th.indexOf("จังหวัดรหัส 40")).toBeLessThan(th.indexOf("จังหวัดรหัส 41"));
      const en = await (await fetch(`${server.url}/?lang=en`)).text();
      expect(en).toContain('<html lang="en">');
      expect(en).toContain("Wang Luek");
      expect(en).toContain("Organisations served on this site");
      // Nothing but names: no case, no person.
      expect(leaksOf(th, a, [], { nameIsPublic: true })).toEqual([]);
    });

    it("each organisation's metrics are at its own address, for the machine itself only", async () => {
      // No X-Forwarded-For: the request comes from this machine (loopback), as a local Prometheus would.
      const local = (host: string) =>
        routing === "host" ? new HttpClient(server.url, { host }) : new HttpClient(server.url, { pathPrefix: prefixOf(host) });
      const metrics = await local(A.host).get("/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^sujarit_/m);
      // From elsewhere (a client address through the trusted proxy): the ordinary 404.
      expect((await at(A.host).get("/metrics")).status).toBe(404);
    });

    it("the maintenance commands run for the organisation named by --org, and refuse to guess one", async () => {
      const verifyA = await scriptCommand(server, "scripts/audit.ts", ["verify", "--org", A.code]);
      expect(verifyA.code, verifyA.out).toBe(0);
      expect(verifyA.out).toMatch(/audit log intact: [1-9]\d* entries checked/);
      const listB = await scriptCommand(server, "scripts/audit.ts", ["list", "--org=" + B.code, "--limit", "500"]);
      expect(listB.code, listB.out).toBe(0);
      expect(listB.out.trim().split("\n").length).toBeGreaterThan(1);
      // B's log names B's people only.
      expect(listB.out).not.toContain(`@${A.code}.go.th`);
      const none = await scriptCommand(server, "scripts/audit.ts", ["verify"]);
      expect(none.code).toBe(1);
      expect(none.out).toContain("--org");
      const unknown = await scriptCommand(server, "scripts/audit.ts", ["verify", "--org", "nosuch"]);
      expect(unknown.code).toBe(1);
      expect(unknown.out).toContain("no organisation");
    });

    it("each organisation has its own database and keys", async () => {
      if (!server.databaseUrl)
        for (const org of [A, B]) expect(fs.existsSync(path.join(server.dataDir, "orgs", org.code, "sujarit.db"))).toBe(true);
      // No per-organisation key files: every key is derived from the installation's master key.
      expect(fs.existsSync(path.join(server.dataDir, "orgs", A.code, "keys"))).toBe(false);
      const subjectsB = await orgRows<{ subject: string }>(B.code, "select subject from complaints");
      expect(subjectsB.map((r) => r.subject)).not.toContain(MARK.subject);
      expect(await orgRows<{ subject: string }>(A.code, "select subject from complaints")).toEqual([{ subject: MARK.subject }]);
      // Each organisation has its own pepper: the two tracking hashes share nothing, and A's staff are not B's.
      const [hashA] = await orgRows<{ h: string }>(A.code, "select tracking_hash as h from complaints");
      const [hashB] = await orgRows<{ h: string }>(B.code, "select tracking_hash as h from complaints");
      expect(hashA!.h).not.toBe(hashB!.h);
      const staffB = await orgRows<{ email: string }>(B.code, "select email from staff");
      expect(staffB.map((r) => r.email).every((e) => e.endsWith("@nongbua.go.th"))).toBe(true);
    });
  });

  describe("one organisation's session, codes and receipts open nothing at another", () => {
    it("the walk reaches A's data at A's own host (control)", async () => {
      const seen = new Set<string>();
      // ORG_ROUTING=path: every link, form and redirect of A's pages stays under /o/wangluek (the browser's files, the
      // style sheets and the strings are the installation's, at the root).
      const outside = new Set<string>();
      let links = 0;
      const SHARED = /^\/(build|styles|fonts|locales)\/|^\/favicon/;
      for (const who of identities(A.host, a)) {
        for (const p of concretePaths(routes, a)) {
          const res = await who.get(p);
          for (const leak of leaksOf(res.text, a)) seen.add(leak);
          if (routing !== "path") continue;
          const targets = [...res.text.matchAll(/\b(?:href|action|src)="(\/[^"]*)"/g)].map((m) => m[1]!);
          if (res.location) targets.push(new URL(res.location).pathname);
          links += targets.length;
          for (const t of targets)
            if (!t.startsWith(`${prefixOf(A.host)}/`) && t !== prefixOf(A.host) && !SHARED.test(t)) outside.add(`${p} → ${t}`);
        }
      }
      expect([...seen]).toEqual(expect.arrayContaining(["subject", "details", "contact", "staffName", "A's name"]));
      expect([...outside]).toEqual([]);
      if (routing === "path") expect(links).toBeGreaterThan(1000);
    }, 240_000);

    it("every route of B, asked with each of A's sessions and A's references and ids, answers nothing of A's", async () => {
      const problems: string[] = [];
      let asked = 0;
      for (const who of identities(A.host, a)) {
        const thief = withCookiesOf(B.host, who);
        for (const p of concretePaths(routes, a)) {
          const res: HttpResult = await thief.get(p);
          asked++;
          // The province page lists its members by name (and nothing else of theirs): A's name is public there.
          const leaks = leaksOf(res.text, a, [], { nameIsPublic: p.startsWith("/province") });
          if (leaks.length) problems.push(`${p}: ${leaks.join(", ")}`);
          if (res.status >= 500) problems.push(`${p}: ${res.status}`);
          // Staff pages never open with A's session cookie: a sign-in redirect, or a refusal.
          if (p.startsWith("/staff") && !PUBLIC_STAFF_PAGES.test(p) && res.status === 200) problems.push(`${p}: 200 with A's session`);
        }
      }
      expect(problems).toEqual([]);
      expect(asked).toBeGreaterThan(4 * 50);
    }, 240_000);

    it("A's tracking code at B finds nothing; at A it finds the case", async () => {
      const lookup = async (host: string) => {
        const c = at(host);
        const page = await c.get("/track");
        return c.postForm("/track", { csrf: csrfOf(page), reference: a.reference, code: a.trackingCode });
      };
      const atB = await lookup(B.host);
      expect(atB.status).toBeGreaterThanOrEqual(400);
      expect(atB.status).toBeLessThan(500);
      // The form shows back what was typed; nothing else of A's.
      expect(leaksOf(atB.text, a, [a.trackingCode])).toEqual([]);
      const atA = await lookup(A.host);
      expect(atA.status).toBe(200);
      expect(atA.text).toContain(MARK.subject);
    });

    it("A's receipt at B's inbox opens nothing; at A it opens the report", async () => {
      const atB = await openInbox(at(B.host), a.receipt);
      expect(atB.status).not.toBe(302);
      expect(leaksOf(atB.text, a)).toEqual([]);
      expect(atB.text).not.toContain('data-testid="report-stage"');
      const reporterAtA = at(A.host);
      const atA = await openInbox(reporterAtA, a.receipt);
      expect(atA.status).toBe(302);
      const inbox = await reporterAtA.get("/report/inbox");
      expect(inbox.text).toContain('data-testid="report-stage"');
    });

    it("rate limits are each organisation's own: a client refused at A for wrong tracking codes is not refused at B", async () => {
      const ip = "10.99.1.1";
      const lookup = async (host: string) => {
        const c = clientAt(host, ip);
        const page = await c.get("/track");
        return c.postForm("/track", { csrf: csrfOf(page), reference: a.reference, code: "AAAA-BBBB-CCCC" });
      };
      let refused = false;
      for (let i = 0; i < 15 && !refused; i++) refused = (await lookup(A.host)).status === 429;
      expect(refused).toBe(true);
      expect((await lookup(B.host)).status).toBe(404);
    }, 60_000);

    it("A's staff password does not sign in at B", async () => {
      const res = await at(B.host).passwordStep(`admin-${tag}@${A.code}.go.th`, PASSWORD);
      expect(res.status).not.toBe(302);
      expect(leaksOf(res.text, a)).toEqual([]);
    });

    it("B's session at A opens nothing either (the other direction)", async () => {
      const thief = withCookiesOf(A.host, b.admin, b.officer, b.integrity, b.reporter, b.citizen);
      for (const p of ["/staff", "/staff/integrity", `/staff/cases/${encodeURIComponent(a.reference)}`, "/staff/admin"]) {
        const res = await thief.get(p);
        expect(res.status, p).not.toBe(200);
        expect(res.text).not.toContain(MARK.subject);
      }
      // B's reporter's inbox cookie: A shows the receipt form, not an inbox.
      const inbox = await thief.get("/report/inbox");
      expect(inbox.text).not.toContain('data-testid="report-stage"');
    });

    it("a path with dot segments never joins one organisation's name to another's pages (path routing)", async () => {
      if (routing === "host") return; // host names carry no path to play with
      // Sent as written (fetch and browsers normalise "..", a script need not), with A's officer's cookies.
      const raw = (p: string) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const r = http.request(
            { host: "127.0.0.1", port: server.port, path: p, headers: { Cookie: a.officer.cookieHeader() }, agent: false },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
            },
          );
          r.on("error", reject);
          r.end();
        });
      const [pa, pb] = [prefixOf(A.host), prefixOf(B.host)];
      for (const p of [
        `${pb}/../${pa.slice(3)}/staff`,
        `${pa}/../${pb.slice(3)}/staff`,
        `${pa}/%2e%2e/${pb.slice(3)}/staff`,
        `${pb}/%2E%2E/${pa.slice(3)}/staff/cases/${encodeURIComponent(a.reference)}`,
        `${pa}/./staff`,
        `/o/../o/${pa.slice(3)}/staff`,
      ]) {
        const res = await raw(p);
        expect(res.status, p).toBe(400);
        expect(res.text).not.toContain(MARK.subject);
      }
      // The same officer's own pages, asked plainly, still answer (control).
      expect((await a.officer.get("/staff")).status).toBe(200);
    });

    it("a posted form of A's carried to B is refused (its CSRF token is not B's)", async () => {
      const page = await a.officer.get(`/staff/cases/${encodeURIComponent(a.reference)}`);
      expect(page.status).toBe(200);
      const thief = withCookiesOf(B.host, a.officer);
      const res = await thief.postForm(`/staff/cases/${encodeURIComponent(a.reference)}`, { csrf: csrfOf(page), intent: "accept" });
      expect(res.status).toBeGreaterThanOrEqual(300);
      expect(res.status).toBeLessThan(500);
      expect(res.status === 302 ? new URL(res.location!).pathname : "").not.toMatch(/\/staff\/cases\//);
    });
  });

  describe("the province page", () => {
    it("shows every member of the province side by side and summed, and no organisation of another province", async () => {
      const page = await at(B.host).get("/province");
      expect(page.status).toBe(200);
      expect(page.$.testId("province-member-wangluek")).toContain("วังลึก");
      expect(page.$.testId("province-member-nongbua")).toContain("หนองบัว");
      expect(page.text).not.toContain("โคกสูง");
      // One complaint and one corruption report each: the total row counts two of each.
      const total = page.$.testId("province-total") ?? "";
      expect(total.replace(/\s+/g, " ")).toMatch(/รวม 2 หน่วยงาน 2 /);
      // Nothing of a case: no subject, no reference, no tracking code.
      expect(leaksOf(page.text, a, [], { nameIsPublic: true })).toEqual([]);
      expect(page.text).not.toContain(a.reference);
      // The other province sees only its own member.
      const other = await at("khoksung.localhost").get("/province");
      expect(other.text).toContain("โคกสูง");
      expect(other.text).not.toContain("วังลึก");
    });

    it("one open-data download holds every member, with its code", async () => {
      const res = await at(A.host).get("/province/data.csv");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/csv");
      const lines = res.text
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n");
      expect(lines).toHaveLength(3);
      expect(
        lines
          .slice(1)
          .map((l) => l.split(",")[0])
          .sort(),
      ).toEqual(["nongbua", "wangluek"]);
      expect(lines.find((l) => l.startsWith("wangluek,"))!.split(",")[4]).toBe("1");
    });
  });
}
