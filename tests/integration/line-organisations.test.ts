/**
 * LINE on an installation with several organisations (ORG_ROUTING=path, so that every council is an address of one
 * host): each has its own official account, set by the platform operator with `npm run org -- line` and sealed in the
 * platform database; the real @line/bot-sdk clients talk to a stand-in of LINE's API (tests/helpers/line-stand-in.ts)
 * that accepts both councils' tokens and records which one each call used.
 *
 * - A council's receipt page offers its own account; a council without one offers nothing and its webhook is 404.
 * - A webhook post is checked with its own council's channel secret: one signed with another council's is refused.
 * - A link code works only in its own council's chat; replies and pushes go out with that council's token.
 * - The settings are refused with a message that names the field, never the value; secrets are never in the
 *   platform database in the clear, nor in a log; the council's audit log records the change (its basic ID only).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCouncil, installationRows, orgCommand, startServer, type TestServer } from "../helpers/server";
import { HttpClient, csrfOf, fileComplaint } from "../helpers/http";
import { createAnyStaff, staffLogin } from "../helpers/report";
import { lineUserId, startLineStandIn, type LineStandIn } from "../helpers/line-stand-in";

const tag = crypto.randomBytes(4).toString("hex");
const PASSWORD = "line for every council 2569";
const secretOf = () => crypto.randomBytes(16).toString("hex");
const A = { code: "wangluek", oaId: "@wangluek", channelSecret: secretOf(), accessToken: `token-a-${secretOf()}` };
const B = { code: "nongbua", oaId: "@nongbua", channelSecret: secretOf(), accessToken: `token-b-${secretOf()}` };
const C = { code: "phonsawan" };
const officerA = { email: `works-${tag}@wangluek.go.th`, name: "ช่างโยธาวังลึก", role: "officer" as const, division: "works" };

let server: TestServer;
let line: LineStandIn;
let ipSeq = 0;
const at = (code: string) => new HttpClient(server.url, { pathPrefix: `/o/${code}`, ip: `10.93.${(++ipSeq >> 8) & 255}.${ipSeq & 255}` });
const webhookOf = (code: string) => `${server.url}/o/${code}`;

function settingsFile(name: string, settings: Record<string, unknown>): string {
  const file = path.join(server.dataDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(settings), { mode: 0o600 });
  return file;
}

/** A text from a chat to a council's account, signed with `secret`; the reply the portal gave through LINE. */
async function say(code: string, secret: string, userId: string, text: string) {
  const event = line.textEvent(userId, text);
  const res = await line.sendEvents(webhookOf(code), [event], { secret });
  expect(res.status).toBe(200);
  return line.waitForReply((c) => c.to === event.replyToken, `the reply to "${text}" at ${code}`);
}

beforeAll(async () => {
  line = await startLineStandIn({ tokens: [A.accessToken, B.accessToken] });
  server = await startServer({
    env: {
      ORG_ROUTING: "path",
      LINE_API_BASE_URL: line.url,
      LINE_DATA_API_BASE_URL: line.url,
      TRUSTED_PROXIES: "127.0.0.1,::1",
      OUTBOX_BACKOFF_BASE_MS: "200",
    },
  });
  for (const council of [
    { code: A.code, th: "วังลึก", en: "Wang Luek" },
    { code: B.code, th: "หนองบัว", en: "Nong Bua" },
    { code: C.code, th: "โพนสวรรค์", en: "Phon Sawan" },
  ])
    await addCouncil(server, council);
  for (const org of [A, B]) {
    const { code, ...settings } = org;
    const set = await orgCommand(server, ["line", code, "--settings", settingsFile(`line-${code}`, settings)]);
    expect(set.code, set.out).toBe(0);
    expect(set.out).toContain(`LINE for ${code}: ${org.oaId}`);
    expect(set.out).toContain(`/o/${code}/line/webhook`);
  }
  await createAnyStaff(server, { ...officerA, password: PASSWORD, org: A.code });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await line?.close();
});

describe("each council its own LINE account", () => {
  it("are set from a file, checked field by field, sealed, listed and audited without a secret", async () => {
    const bad = await orgCommand(server, [
      "line",
      C.code,
      "--settings",
      settingsFile("line-bad", { channelSecret: "short", accessToken: A.accessToken, oaId: "no-at-sign" }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("channelSecret");
    expect(bad.out).toContain("oaId");
    expect(bad.out).not.toContain(A.accessToken);
    expect((await orgCommand(server, ["line", "khoksung", "--off"])).code).toBe(2); // no such council
    expect((await orgCommand(server, ["line", C.code])).code).toBe(2); // neither --settings nor --off

    const rows = await installationRows<{ code: string; sealed: string }>(
      server,
      null,
      "select code, sealed from organisation_line order by code",
    );
    expect(rows.map((r) => r.code)).toEqual([B.code, A.code]);
    for (const secret of [A.channelSecret, A.accessToken, B.channelSecret, B.accessToken]) {
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(server.logs()).not.toContain(secret);
    }
    const list = await orgCommand(server, ["list"]);
    expect(list.out).toMatch(/wangluek.*LINE @wangluek/);
    expect(list.out).not.toMatch(/phonsawan.*LINE/);

    const audit = await installationRows<{ action: string; details: string }>(
      server,
      A.code,
      "select action, details from audit_log where action = 'line.settings'",
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toContain(A.oaId);
    expect(audit[0]!.details).not.toContain(A.accessToken);
  });

  it("a receipt offers the council's own account; a council without one offers none and has no webhook", async () => {
    const filedA = await fileComplaint(at(A.code), { subject: `ไฟถนนดับ ${tag}`, category: "streetlight" });
    expect(filedA.res.$.testId("line-link-code")).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(filedA.res.$.testIdAttr("line-chat-link", "href")).toContain(encodeURIComponent(A.oaId));
    const filedC = await fileComplaint(at(C.code), { subject: `ไฟถนนดับ ${tag}`, category: "streetlight" });
    expect(filedC.res.$.testId("line-follow")).toBeNull();
    expect(filedC.res.$.testId("line-link-code")).toBeNull();
    const event = line.textEvent(lineUserId(), "สวัสดี");
    expect((await line.sendEvents(webhookOf(C.code), [event], { secret: A.channelSecret })).status).toBe(404);
  });

  it("checks each webhook with its own council's secret, and a code works only in its council's chat", async () => {
    const filed = await fileComplaint(at(A.code), { subject: `ท่อแตก ${tag}`, category: "streetlight" });
    const code = filed.res.$.testId("line-link-code")!;
    const user = lineUserId();

    // Signed with A's secret, posted to B: refused, nothing sent.
    const before = line.calls.length;
    const forged = await line.sendEvents(webhookOf(B.code), [line.textEvent(user, `เชื่อมต่อ ${code}`)], { secret: A.channelSecret });
    expect(forged.status).toBe(401);
    expect(line.calls.length).toBe(before);

    // A's code in B's chat is no code of B's; B answers with B's token.
    const atB = await say(B.code, B.channelSecret, user, `เชื่อมต่อ ${code}`);
    expect(atB.texts.join("\n")).toContain("รหัสเชื่อมต่อนี้ใช้ไม่ได้");
    expect(atB.token).toBe(B.accessToken);

    // In A's chat it links, and A answers with A's token.
    const atA = await say(A.code, A.channelSecret, user, `เชื่อมต่อ ${code}`);
    expect(atA.texts.join("\n")).toContain(`เชื่อมต่อแล้ว แชทนี้จะได้รับความคืบหน้าของเรื่องเลขที่ ${filed.reference}`);
    expect(atA.token).toBe(A.accessToken);
    expect(await installationRows(server, B.code, "select id from line_follows")).toEqual([]);
    expect(await installationRows(server, A.code, "select id from line_follows")).toHaveLength(1);

    // An officer of A accepts the case: the status reaches the chat through A's outbox, with A's token.
    const works = await staffLogin(at(A.code), officerA.email, PASSWORD);
    const page = await works.get(`/staff/cases/${filed.reference}`);
    expect(page.status).toBe(200);
    expect((await works.postForm(`/staff/cases/${filed.reference}`, { csrf: csrfOf(page), intent: "accept", note: "" })).status).toBe(302);
    const push = await line.waitForPush((c) => c.to === user && c.texts.some((t) => t.includes(filed.reference)), "status push");
    expect(push.token).toBe(A.accessToken);
    for (const secret of [code, user, A.channelSecret, A.accessToken]) expect(server.logs()).not.toContain(secret);
  });

  it("--off removes a council's account", async () => {
    const off = await orgCommand(server, ["line", B.code, "--off"]);
    expect(off.code, off.out).toBe(0);
    expect(await installationRows(server, null, `select code from organisation_line where code = '${B.code}'`)).toEqual([]);
    const audit = await installationRows<{ details: string }>(
      server,
      B.code,
      "select details from audit_log where action = 'line.settings' order by id",
    );
    expect(audit.map((r) => JSON.parse(r.details).off === true)).toEqual([false, true]);
  });
});
