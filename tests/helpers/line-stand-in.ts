/**
 * A stand-in for the LINE Messaging API on loopback, for the portal's real @line/bot-sdk clients (LINE_API_BASE_URL
 * and LINE_DATA_API_BASE_URL point here): records push and reply calls, serves message content for
 * GET /v2/bot/message/{id}/content, checks the Authorization bearer token (401 otherwise) and answers a repeated
 * X-Line-Retry-Key with 409 as LINE does. Plus signed webhook events (X-Line-Signature, HMAC-SHA256 of the raw body
 * with the channel secret) to POST to the portal as LINE would.
 *
 *   const line = await startLineStandIn();
 *   const server = await startServer({ env: line.portalEnv() });
 *   await line.sendEvents(server.url, [line.textEvent(USER, "เชื่อมต่อ K7QF-2M9X")]);
 *   await line.waitForReply((r) => r.texts.some((t) => t.includes("เชื่อมต่อแล้ว")));
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const LINE_TEST_SECRET = "0123456789abcdef0123456789abcdef";
export const LINE_TEST_TOKEN = "stand-in-channel-access-token-0123456789";
export const LINE_TEST_OA = "@wangluek";

export interface RecordedCall {
  kind: "push" | "reply";
  /** The channel access token it came with (each organisation's own, on an installation with several). */
  token: string;
  /** push: the chat's user id; reply: the reply token. */
  to: string;
  retryKey: string | null;
  messages: { type: string; text?: string; quickReply?: { items: { action: { type: string; label?: string; data?: string } }[] } }[];
  /** Every text of the call's messages. */
  texts: string[];
  /** Every postback data of the call's quick replies. */
  postbacks: string[];
  at: number;
}

export interface LineStandIn {
  url: string;
  calls: RecordedCall[];
  /** Requests refused for a wrong or missing bearer token. */
  unauthorized: number;
  /** Requests for message content (ids). */
  contentRequests: string[];
  /** Serves this content for GET /v2/bot/message/{id}/content. */
  setContent(messageId: string, data: Buffer, type: string): void;
  /** The next `n` pushes fail with 500 (after being refused, nothing is recorded). */
  failNextPushes(n: number): void;
  /** The env the portal needs to use this stand-in. */
  portalEnv(): Record<string, string>;
  waitForPush(match: (c: RecordedCall) => boolean, what?: string, timeoutMs?: number): Promise<RecordedCall>;
  waitForReply(match: (c: RecordedCall) => boolean, what?: string, timeoutMs?: number): Promise<RecordedCall>;
  textEvent(userId: string, text: string): LineEvent;
  imageEvent(userId: string, messageId: string): LineEvent;
  locationEvent(userId: string, loc: { latitude: number; longitude: number; address?: string; title?: string }): LineEvent;
  postbackEvent(userId: string, data: string): LineEvent;
  followEvent(userId: string): LineEvent;
  /** POSTs the events, signed with the channel secret (or `signature` as given), to <portal>/line/webhook. */
  sendEvents(portalUrl: string, events: LineEvent[], opts?: { signature?: string | null; secret?: string }): Promise<Response>;
  close(): Promise<void>;
}

export type LineEvent = Record<string, unknown> & { webhookEventId: string; replyToken?: string };

/** A LINE-shaped user id: "U" + 32 hex digits. */
export function lineUserId(): string {
  return `U${crypto.randomBytes(16).toString("hex")}`;
}

export function signBody(body: string, secret = LINE_TEST_SECRET): string {
  return crypto.createHmac("sha256", secret).update(body).digest("base64");
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `tokens`: the channel access tokens it accepts (several official accounts, one per organisation). */
export async function startLineStandIn(opts: { token?: string; tokens?: string[] } = {}): Promise<LineStandIn> {
  const token = opts.token ?? LINE_TEST_TOKEN;
  const accepted = new Set(opts.tokens ?? [token]);
  const calls: RecordedCall[] = [];
  const contents = new Map<string, { data: Buffer; type: string }>();
  const retryKeys = new Map<string, string>();
  const contentRequests: string[] = [];
  let failPushes = 0;
  const state = { unauthorized: 0 };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      if (!accepted.has(bearer)) {
        state.unauthorized++;
        res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "Authentication failed" }));
        return;
      }
      const url = new URL(req.url ?? "/", "http://stand-in");
      const content = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(url.pathname);
      if (req.method === "GET" && content) {
        contentRequests.push(content[1]!);
        const c = contents.get(content[1]!);
        if (!c) {
          res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "Not found" }));
          return;
        }
        res.writeHead(200, { "Content-Type": c.type, "Content-Length": String(c.data.length) }).end(c.data);
        return;
      }
      if (req.method === "POST" && (url.pathname === "/v2/bot/message/push" || url.pathname === "/v2/bot/message/reply")) {
        const kind = url.pathname.endsWith("push") ? "push" : "reply";
        const json = JSON.parse(body.toString("utf8")) as { to?: string; replyToken?: string; messages: RecordedCall["messages"] };
        const retryKey = (req.headers["x-line-retry-key"] as string | undefined) ?? null;
        if (kind === "push") {
          if (failPushes > 0) {
            failPushes--;
            res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "stand-in failure" }));
            return;
          }
          if (retryKey && retryKeys.has(retryKey)) {
            res
              .writeHead(409, { "Content-Type": "application/json", "x-line-accepted-request-id": retryKeys.get(retryKey)! })
              .end(JSON.stringify({ message: "The retry key is already accepted" }));
            return;
          }
        }
        const requestId = crypto.randomUUID();
        if (retryKey) retryKeys.set(retryKey, requestId);
        calls.push({
          kind,
          token: bearer,
          to: (kind === "push" ? json.to : json.replyToken) ?? "",
          retryKey,
          messages: json.messages,
          texts: json.messages.map((m) => m.text ?? ""),
          postbacks: json.messages.flatMap((m) => (m.quickReply?.items ?? []).map((i) => i.action.data ?? "").filter(Boolean)),
          at: Date.now(),
        });
        res
          .writeHead(200, { "Content-Type": "application/json", "x-line-request-id": requestId })
          .end(JSON.stringify(kind === "push" ? { sentMessages: [] } : { sentMessages: [] }));
        return;
      }
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "Not found" }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const base = (userId: string, type: string, extra: Record<string, unknown>): LineEvent => ({
    type,
    mode: "active",
    timestamp: Date.now(),
    webhookEventId: `01${crypto.randomBytes(12).toString("hex").toUpperCase()}`,
    deliveryContext: { isRedelivery: false },
    source: { type: "user", userId },
    replyToken: crypto.randomBytes(16).toString("hex"),
    ...extra,
  });
  let messageSeq = 1000;
  const messageId = () => String(Date.now()) + String(++messageSeq);

  async function waitFor(kind: "push" | "reply", match: (c: RecordedCall) => boolean, what: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = calls.find((c) => c.kind === kind && match(c));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `stand-in: no ${kind} matching ${what} within ${timeoutMs} ms; got:\n${calls.map((c) => `${c.kind}: ${c.texts.join(" | ")}`).join("\n")}`,
    );
  }

  return {
    url,
    calls,
    get unauthorized() {
      return state.unauthorized;
    },
    contentRequests,
    setContent(id, data, type) {
      contents.set(id, { data, type });
    },
    failNextPushes(n) {
      failPushes = n;
    },
    portalEnv() {
      return {
        LINE_CHANNEL_SECRET: LINE_TEST_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: LINE_TEST_TOKEN,
        LINE_OA_ID: LINE_TEST_OA,
        LINE_API_BASE_URL: url,
        LINE_DATA_API_BASE_URL: url,
      };
    },
    waitForPush: (match, what = "the condition", timeoutMs = 15_000) => waitFor("push", match, what, timeoutMs),
    waitForReply: (match, what = "the condition", timeoutMs = 15_000) => waitFor("reply", match, what, timeoutMs),
    textEvent: (userId, text) => base(userId, "message", { message: { id: messageId(), type: "text", text, quoteToken: "q" } }),
    imageEvent: (userId, id) =>
      base(userId, "message", { message: { id, type: "image", contentProvider: { type: "line" }, quoteToken: "q" } }),
    locationEvent: (userId, loc) => base(userId, "message", { message: { id: messageId(), type: "location", ...loc } }),
    postbackEvent: (userId, data) => base(userId, "postback", { postback: { data } }),
    followEvent: (userId) => base(userId, "follow", { follow: { isUnblocked: false } }),
    async sendEvents(portalUrl, events, o = {}) {
      const body = JSON.stringify({ destination: "Ustandin", events });
      const signature = o.signature === undefined ? signBody(body, o.secret ?? LINE_TEST_SECRET) : o.signature;
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (signature !== null) headers["X-Line-Signature"] = signature;
      return fetch(`${portalUrl}/line/webhook`, { method: "POST", headers, body });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
