/**
 * Sends the LINE pushes waiting in the outbox (channel "line") with the SDK's pushMessage, each with its row's
 * X-Line-Retry-Key: a retry after a lost answer is recognised by LINE (409: already accepted) and counted as sent, so
 * a chat never gets an update twice. Failures go through the outbox's backoff and dead-letter states (admin page
 * /staff/admin/outbox). Logs carry the row id and kind only, never the chat id or the text. Rows are claimed by
 * claimDueMessages (notices/outbox.server.ts: `for update skip locked` on PostgreSQL), so with several app servers
 * each push is taken by one of them.
 */
import crypto from "node:crypto";
import { HTTPFetchError } from "@line/bot-sdk";
import type { Executor } from "../../../db/connection";
import { decryptText } from "~/utils/crypto.server";
import { getDb, getSecrets } from "~/utils/db.server";
import { log, errorFields } from "~/utils/logger.server";
import { claimDueMessages, markMessageFailed, markMessageSent } from "../notices/outbox.server";
import { lineConfig, messagingClient, type LineConfig } from "./config.server";
import { LINE_PAYLOAD_AAD, type LinePushPayload } from "./updates.server";

/** One pass: pushes what is due; returns counts. */
export async function processLineOutboxOnce(
  db: Executor,
  config: LineConfig,
  workerId: string,
  limit = 10,
): Promise<{ sent: number; failed: number; dead: number }> {
  const rows = await claimDueMessages(db, workerId, limit, 120_000, "line");
  let sent = 0;
  let failed = 0;
  let dead = 0;
  const client = messagingClient(config);
  for (const row of rows) {
    try {
      if (!row.payload) throw new Error("empty payload");
      const push = JSON.parse(decryptText(row.payload, getSecrets().outboxKey, LINE_PAYLOAD_AAD)) as LinePushPayload;
      try {
        await client.pushMessage({ to: push.to, messages: push.messages }, push.retryKey);
      } catch (e) {
        // 409 with a retry key: LINE already accepted this very push (an earlier attempt whose answer was lost).
        if (!(e instanceof HTTPFetchError && e.status === 409)) throw e;
      }
      await markMessageSent(db, row, workerId);
      sent++;
      log.info("line push sent", { outboxId: row.id, kind: row.kind });
    } catch (e) {
      const { attempts, isDead } = await markMessageFailed(db, row, workerId, e);
      if (isDead) dead++;
      else failed++;
      const status = e instanceof HTTPFetchError ? { status: e.status } : errorFields(e);
      log.warn(isDead ? "line push moved to dead letter" : "line push failed; will retry", { outboxId: row.id, attempts, ...status });
    }
  }
  return { sent, failed, dead };
}

/** Starts the in-server LINE push worker when LINE is configured (null otherwise); `stop()` waits for the pass in progress. */
export function startLinePushWorker({ intervalMs }: { intervalMs: number }) {
  const config = lineConfig();
  if (!config) return null;
  const db = getDb();
  const workerId = `line-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = processLineOutboxOnce(db, config, workerId)
      .catch((e) => log.error("line push pass failed", errorFields(e)))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  setTimeout(tick, 300).unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
