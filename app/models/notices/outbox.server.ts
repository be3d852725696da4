/**
 * E-mail outbox. A message is a row written in the same transaction as the change it reports, so it is never
 * lost; a worker in the server claims due rows, sends them and records the result. Payloads are encrypted at rest
 * and erased once sent. Delivery is at-least-once towards the SMTP server, with a stable Message-ID per row so a
 * duplicate after a crash in the tiny window between "SMTP accepted" and "row marked sent" can be recognised.
 */
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import nodemailer from "nodemailer";
import type { Transporter } from "nodemailer";
import { getDb, getSecrets } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { encryptText, decryptText } from "~/utils/crypto.server";
import { log, errorFields } from "~/utils/logger.server";
import { now } from "~/utils/clock.server";
import { dialectOf, type Executor } from "../../../db/connection";
import { publicUrl } from "~/utils/public-url.server";
import { activeSite, servesSeveralOrganisations, siteMemo } from "~/utils/site-context.server";

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EnqueueInput {
  kind: string;
  complaintId?: number | null;
  message: EmailMessage;
  /** Same key twice → one message (e.g. "ack:<complaint id>"). */
  dedupeKey?: string;
}

/** Maximum attempts before a message is moved to the dead-letter state. */
export const MAX_ATTEMPTS = 8;
/** Backoff before attempt n+1 (ms): 30 s, 1 min, 2 min, 4 min … capped at 1 h, with jitter (base: OUTBOX_BACKOFF_BASE_MS). */
export function backoffMs(attempts: number, baseMs = 30_000): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.85 + Math.random() * 0.3));
}

/** Queues an e-mail inside the caller's transaction. */
export async function enqueueEmail(db: Executor, input: EnqueueInput): Promise<void> {
  if (servesSeveralOrganisations()) setImmediate(() => outboxWaker().wake?.());
  const at = now().toISOString();
  const payload = encryptText(JSON.stringify(input.message), getSecrets().outboxKey, "outbox");
  await db
    .insertInto("outbox")
    .values({
      kind: input.kind,
      complaint_id: input.complaintId ?? null,
      payload,
      status: "pending",
      attempts: 0,
      next_attempt_at: at,
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      sent_at: null,
      created_at: at,
      dedupe_key: input.dedupeKey ?? null,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .execute();
}

export interface MailSender {
  send(message: EmailMessage & { messageId: string }): Promise<void>;
  describe: string;
}

/** SMTP when SMTP_URL is set, otherwise .eml files under ./data/outbox/. */
export function createMailSender(): MailSender {
  const env = getEnv();
  if (env.SMTP_URL) {
    const transport: Transporter = nodemailer.createTransport(env.SMTP_URL, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as Parameters<typeof nodemailer.createTransport>[1]);
    return {
      describe: "smtp",
      async send(m) {
        await transport.sendMail({ from: env.MAIL_FROM, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId });
      },
    };
  }
  const dir = path.join(activeSite()?.dataDir ?? env.DATA_DIR, "outbox");
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    describe: "files",
    async send(m) {
      const info = await transport.sendMail({
        from: env.MAIL_FROM,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
      });
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const name = m.messageId.replace(/[<>]/g, "").replace(/[^A-Za-z0-9._-]/g, "_") + ".eml";
      fs.writeFileSync(path.join(dir, name), info.message as Buffer, { mode: 0o600 });
    },
  };
}

/**
 * Claims up to `limit` due messages of one channel for this worker (atomic UPDATE … RETURNING, so two workers never
 * share a row). E-mails here; LINE pushes are claimed by app/models/line with channel "line".
 *
 * SQLite runs one write at a time, so the statement alone is exclusive. On PostgreSQL (several app servers, READ
 * COMMITTED) the inner select locks the rows it picks (`for update skip locked`): a second server's claim skips rows
 * being claimed and takes the next due ones instead of waiting, and a row another claim already committed is re-checked
 * against the condition (it is "sending" now, its lease running), so a row is never claimed twice while its lease runs.
 */
export async function claimDueMessages(db: Executor, workerId: string, limit = 10, leaseMs = 120_000, channel: "email" | "line" = "email") {
  const at = now();
  const nowIso = at.toISOString();
  const until = new Date(at.getTime() + leaseMs).toISOString();
  return db
    .updateTable("outbox")
    .set({ status: "sending", claimed_by: workerId, claimed_until: until })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("outbox")
        .select("id")
        .where("channel", "=", channel)
        .where((w) =>
          w.or([
            w.and([w("status", "=", "pending"), w("next_attempt_at", "<=", nowIso)]),
            w.and([w("status", "=", "sending"), w("claimed_until", "<", nowIso)]),
          ]),
        )
        .orderBy("next_attempt_at")
        .limit(limit)
        .$if(dialectOf(db).rowLocks, (q) => q.forUpdate().skipLocked()),
    )
    .returning(["id", "payload", "attempts", "kind"])
    .execute();
}

/** One pass of the worker: send what is due; returns counts. */
export async function processOutboxOnce(
  sender: MailSender,
  opts: { db?: Executor; workerId?: string; limit?: number } = {},
): Promise<{ sent: number; failed: number; dead: number }> {
  const db = opts.db ?? getDb();
  const workerId = opts.workerId ?? `w-${process.pid}`;
  const rows = await claimDueMessages(db, workerId, opts.limit ?? 10);
  let sent = 0;
  let failed = 0;
  let dead = 0;
  const publicHost = new URL(publicUrl()).hostname || "localhost";
  for (const row of rows) {
    try {
      if (!row.payload) throw new Error("empty payload");
      const message = JSON.parse(decryptText(row.payload, getSecrets().outboxKey, "outbox")) as EmailMessage;
      await sender.send({ ...message, messageId: `<outbox-${row.id}.${stableSuffix(row.id)}@${publicHost}>` });
      await markMessageSent(db, row, workerId);
      sent++;
      log.info("email sent", { outboxId: row.id, kind: row.kind });
    } catch (e) {
      const { attempts, isDead } = await markMessageFailed(db, row, workerId, e);
      if (isDead) dead++;
      else failed++;
      log.warn(isDead ? "email moved to dead letter" : "email send failed; will retry", { outboxId: row.id, attempts, ...errorFields(e) });
    }
  }
  return { sent, failed, dead };
}

/** Records a claimed message as sent (its payload erased). */
export async function markMessageSent(db: Executor, row: { id: number; attempts: number }, workerId: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({
      status: "sent",
      sent_at: now().toISOString(),
      payload: null,
      claimed_by: null,
      claimed_until: null,
      last_error: null,
      attempts: row.attempts + 1,
    })
    .where("id", "=", row.id)
    .where("claimed_by", "=", workerId)
    .execute();
}

/** Records a failed attempt: retried after backoffMs, or dead after MAX_ATTEMPTS. `e` gives the error kept (no payload). */
export async function markMessageFailed(
  db: Executor,
  row: { id: number; attempts: number },
  workerId: string,
  e: unknown,
): Promise<{ attempts: number; isDead: boolean }> {
  const attempts = row.attempts + 1;
  const isDead = attempts >= MAX_ATTEMPTS;
  const errText = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : "send failed";
  await db
    .updateTable("outbox")
    .set({
      status: isDead ? "dead" : "pending",
      attempts,
      last_error: errText,
      claimed_by: null,
      claimed_until: null,
      next_attempt_at: new Date(now().getTime() + backoffMs(attempts, getEnv().OUTBOX_BACKOFF_BASE_MS)).toISOString(),
    })
    .where("id", "=", row.id)
    .where("claimed_by", "=", workerId)
    .execute();
  return { attempts, isDead };
}

function stableSuffix(id: number): string {
  return crypto
    .createHash("sha256")
    .update(`outbox:${id}:${getSecrets().outboxKey.slice(0, 8)}`)
    .digest("hex")
    .slice(0, 12);
}

/** Longest wait between two passes of an idle organisation's worker (several organisations: see startOutboxWorker). */
export const IDLE_OUTBOX_MAX_MS = 30_000;

/**
 * Starts the in-server worker; `stop()` waits for the pass in progress.
 *
 * With several organisations (one worker each) a worker whose pass found nothing waits twice as long each time, up to
 * IDLE_OUTBOX_MAX_MS, and is woken at once when its organisation queues an e-mail in this process (enqueueEmail): a
 * thousand idle organisations cost a few dozen queries a second, not five hundred.
 */
export function startOutboxWorker({ intervalMs }: { intervalMs: number }) {
  const sender = createMailSender();
  const workerId = `srv-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
  const adaptive = servesSeveralOrganisations();
  let running: Promise<unknown> | null = null;
  let stopped = false;
  let delay = intervalMs;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    if (stopped) return;
    if (running) return schedule(delay);
    running = processOutboxOnce(sender, { workerId })
      .then((r) => {
        delay = !adaptive || r.sent + r.failed + r.dead > 0 ? intervalMs : Math.min(delay * 2, Math.max(intervalMs, IDLE_OUTBOX_MAX_MS));
      })
      .catch((e) => log.error("outbox pass failed", errorFields(e)))
      .finally(() => {
        running = null;
        schedule(delay);
      });
  };
  if (adaptive) {
    outboxWaker().wake = () => {
      delay = intervalMs;
      if (!running) schedule(Math.min(intervalMs, 200));
    };
  }
  schedule(200);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}

/** The organisation's worker in this process, to wake when an e-mail is queued (several organisations only). */
function outboxWaker(): { wake?: () => void } {
  return siteMemo<{ wake?: () => void }>("outbox:waker", () => ({}));
}
