/**
 * Updates pushed to the LINE chats that follow a general complaint: status changes, public replies, explanations and
 * progress notices, and the result (with the rating asked as quick replies). Each push is an outbox row (channel
 * "line") written in the transaction of the change it reports, so it is never lost and is retried like an e-mail
 * (app/models/line/push-worker.server.ts). The payload (chat id and text) is encrypted at rest and erased once sent.
 */
import crypto from "node:crypto";
import type { messagingApi } from "@line/bot-sdk";
import type { Executor } from "../../../db/connection";
import { tFor, type Lang } from "~/i18n";
import { now } from "~/utils/clock.server";
import { encryptText } from "~/utils/crypto.server";
import { getSecrets } from "~/utils/db.server";
import { createRatingToken } from "../complaints/satisfaction.server";
import { chatsFollowing } from "./follows.server";
import { lineConfig } from "./config.server";
import { inLang, textMessage, type QuickReply } from "./messages.server";
import { ratingPostback } from "./postbacks.server";

/** Additional data bound to a LINE outbox payload (not the e-mail one). */
export const LINE_PAYLOAD_AAD = "outbox-line";

export interface LinePushPayload {
  to: string;
  messages: messagingApi.Message[];
  /** X-Line-Retry-Key: the same for every attempt of this row, so LINE accepts it once. */
  retryKey: string;
}

export type LineUpdate =
  | { kind: "status"; status: string; note: string }
  | { kind: "reply"; text: string }
  | { kind: "explanation" | "progress"; text: string }
  | { kind: "result"; outcome: "resolved" | "forwarded"; text: string };

interface CaseRef {
  id: number;
  reference: string;
  lang: string;
}

function messagesFor(c: CaseRef, lang: Lang, update: LineUpdate, ratingToken: string | null): messagingApi.Message[] {
  const reference = c.reference;
  switch (update.kind) {
    case "status": {
      const status = tFor(lang, "track")(`status.${update.status}`);
      const lines = [inLang(lang, "chat.status", { reference, status })];
      if (update.note) lines.push(inLang(lang, "chat.note", { note: update.note }));
      return [textMessage(lines.join("\n"))];
    }
    case "reply":
      return [textMessage(inLang(lang, "chat.reply", { reference, text: update.text }))];
    case "explanation":
    case "progress":
      return [textMessage(inLang(lang, `chat.${update.kind}`, { reference, text: update.text }))];
    case "result": {
      const out: messagingApi.Message[] = [textMessage(inLang(lang, `chat.${update.outcome}`, { reference, text: update.text }))];
      if (ratingToken) {
        const quick: QuickReply[] = [1, 2, 3, 4, 5].map((score) => ({
          kind: "postback",
          label: inLang(lang, `chat.rateLabel.${score}`),
          data: ratingPostback(ratingToken, score),
        }));
        out.push(textMessage(inLang(lang, "chat.ratePrompt", { reference }), quick));
      }
      return out;
    }
  }
}

/**
 * Queues the update for every chat following the case, inside the caller's transaction. `dedupe` names the change
 * (e.g. "event:42"): the same change is never pushed twice to a chat. Nothing when LINE is off or no chat follows.
 */
export async function queueLineUpdate(trx: Executor, c: CaseRef, update: LineUpdate, dedupe: string): Promise<number> {
  if (!lineConfig()) return 0;
  const chats = await chatsFollowing(trx, c.id);
  if (chats.length === 0) return 0;
  const lang: Lang = c.lang === "en" ? "en" : "th";
  // One rating link for the chats of this result (only its hash is stored; the token travels in the postback data).
  const ratingToken = update.kind === "result" ? await createRatingToken(trx, c.id) : null;
  const at = now().toISOString();
  for (const chat of chats) {
    const payload: LinePushPayload = {
      to: chat.userId,
      messages: messagesFor(c, lang, update, ratingToken),
      retryKey: crypto.randomUUID(),
    };
    await trx
      .insertInto("outbox")
      .values({
        kind: `line.${update.kind}`,
        channel: "line",
        complaint_id: c.id,
        payload: encryptText(JSON.stringify(payload), getSecrets().outboxKey, LINE_PAYLOAD_AAD),
        status: "pending",
        attempts: 0,
        next_attempt_at: at,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        sent_at: null,
        created_at: at,
        dedupe_key: `line:${dedupe}:${chat.followId}`,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .execute();
  }
  return chats.length;
}
