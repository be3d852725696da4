/**
 * A real SMTP server for tests (smtp-server, no TLS, any or no authentication) that keeps every message it
 * receives, decoded (subject, text and html parts), and can be stopped and started again on the same port.
 */
import { SMTPServer } from "smtp-server";
import { freePort } from "./server";

export interface ReceivedMail {
  /** Envelope sender and recipients. */
  mailFrom: string;
  rcptTo: string[];
  headers: Record<string, string>;
  from: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

export interface TestSmtp {
  port: number;
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: ReceivedMail[];
  running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves with the first message matching `predicate` (already received or arriving later). */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
}

/** Starts an SMTP server (on `port`, or a free one). Pass `listen: false` to only reserve the port number. */
export async function startSmtp(opts: { port?: number; listen?: boolean } = {}): Promise<TestSmtp> {
  const port = opts.port ?? (await freePort());
  const messages: ReceivedMail[] = [];
  let server: SMTPServer | null = null;
  const waiters = new Set<() => void>();

  const create = () =>
    new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      closeTimeout: 200,
      size: 50 * 1024 * 1024,
      onAuth(_auth, _session, cb) {
        cb(null, { user: "test" });
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          try {
            const raw = Buffer.concat(chunks).toString("latin1");
            const mail = parseMessage(raw);
            messages.push({
              ...mail,
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
            });
            for (const w of waiters) w();
            cb();
          } catch (e) {
            cb(e as Error);
          }
        });
      },
    });

  const smtp: TestSmtp = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get running() {
      return server !== null;
    },
    async start() {
      if (server) return;
      const s = create();
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, "127.0.0.1", () => {
          s.off("error", reject);
          resolve();
        });
      });
      s.on("error", () => {
        /* connection errors are the client's business */
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching e-mail within ${timeoutMs} ms (received ${messages.length}: ${messages.map((m) => JSON.stringify(m.subject)).join(", ")})`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  if (opts.listen !== false) await smtp.start();
  return smtp;
}

// ---------------------------------------------------------------------------------------------------------------
// Minimal MIME decoding (mailparser is not installed): headers with RFC 2047 words, multipart bodies,
// quoted-printable and base64 transfer encodings, UTF-8 text.

function splitHeadBody(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: "" };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

function parseHeaders(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    if (!(k in out)) out[k] = line.slice(i + 1).trim();
  }
  return out;
}

/** Decodes RFC 2047 encoded words (adjacent words are joined before decoding, as bytes). */
export function decodeHeader(value: string): string {
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let result = "";
  let last = 0;
  let pending: Buffer[] = [];
  let m: RegExpExecArray | null;
  const flush = () => {
    if (pending.length) result += Buffer.concat(pending).toString("utf8");
    pending = [];
  };
  while ((m = re.exec(value))) {
    const between = value.slice(last, m.index);
    if (!(pending.length && /^\s*$/.test(between))) {
      flush();
      result += Buffer.from(between, "latin1").toString("utf8");
    }
    const enc = m[2].toUpperCase();
    pending.push(enc === "B" ? Buffer.from(m[3], "base64") : qpBytes(m[3].replace(/_/g, " ")));
    last = m.index + m[0].length;
  }
  flush();
  result += Buffer.from(value.slice(last), "latin1").toString("utf8");
  return result;
}

function qpBytes(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, "i").exec(header);
  return m ? (m[2] ?? m[1]) : undefined;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? "7bit").toLowerCase();
  if (enc === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (enc === "quoted-printable") return qpBytes(body).toString("utf8");
  return Buffer.from(body, "latin1").toString("utf8");
}

function collectParts(head: Record<string, string>, body: string, acc: { text: string; html: string }) {
  const type = (head["content-type"] ?? "text/plain").toLowerCase();
  if (type.startsWith("multipart/")) {
    const boundary = param(head["content-type"], "boundary");
    if (!boundary) return;
    const pieces = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?[ \\t]*\\r?\\n?`));
    for (const piece of pieces.slice(1)) {
      if (!piece.trim()) continue;
      const { head: h, body: b } = splitHeadBody(piece);
      collectParts(parseHeaders(h), b, acc);
    }
    return;
  }
  const decoded = decodeBody(body, head["content-transfer-encoding"]);
  if (type.startsWith("text/html")) acc.html += decoded;
  else if (type.startsWith("text/plain")) acc.text += decoded;
}

/** Parses a raw RFC 5322 message (as latin1 string) into decoded headers and text/html bodies. */
export function parseMessage(raw: string): Omit<ReceivedMail, "mailFrom" | "rcptTo"> {
  const { head, body } = splitHeadBody(raw);
  const headers = parseHeaders(head);
  const acc = { text: "", html: "" };
  collectParts(headers, body, acc);
  const decodedHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, decodeHeader(v)]));
  return {
    headers: decodedHeaders,
    from: decodedHeaders.from ?? "",
    to: decodedHeaders.to ?? "",
    subject: decodedHeaders.subject ?? "",
    messageId: decodedHeaders["message-id"] ?? "",
    text: acc.text,
    html: acc.html,
    raw,
  };
}
