/**
 * The LINE webhook: signature check (the SDK's validateSignature over the raw body), then each event once (by its
 * webhookEventId, so a redelivery changes nothing): link a chat to a complaint with a one-time code, file a complaint
 * from the chat (draft → confirm), rate a closed case from the result's quick replies. Replies use the event's reply
 * token. Only general complaints are reachable from here: the corruption channel has no LINE path at all.
 *
 * Never log message text, LINE user ids, link codes, rating tokens or tracking codes.
 */
import { validateSignature, type messagingApi } from "@line/bot-sdk";
import { z } from "zod";
import type { DB } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { log, errorFields } from "~/utils/logger.server";
import { limiter } from "~/utils/rate-limit.server";
import { isDomainError } from "~/lib/domain-error";
import { tFor } from "~/i18n";
import { LIMITS } from "~/lib/validation";
import { getCaseRating, rateCase, redeemRatingToken } from "../complaints/satisfaction.server";
import { getOrgProfile } from "../organisation/profile.server";
import { blobClient, lineConfig, messagingClient, type LineConfig } from "./config.server";
import { isLineUserId, lineUserKey } from "./chat-users.server";
import { linkAttempt, redeemLinkCode } from "./link-codes.server";
import { chatFollows, followCase, forgetChat } from "./follows.server";
import { bothLanguages, inLang, textMessage } from "./messages.server";
import { parsePostback } from "./postbacks.server";
import {
  addPhoto,
  addText,
  clearCategory,
  confirmDraft,
  discardDraft,
  draftSummary,
  getDraft,
  purgeExpiredDrafts,
  readCapped,
  setChoice,
  setLocation,
} from "./drafts.server";

/** Events per chat per 10 minutes (a burst of photos counts one each). */
const EVENTS_PER_CHAT = 60;
/** Wrong link codes per chat per hour. */
const LINK_FAILURES_PER_CHAT = 5;
/** Complaints filed per chat per day. */
export const FILINGS_PER_CHAT = 5;

const chatEvents = () => limiter("line-chat-events", EVENTS_PER_CHAT, 10 * 60_000);
const linkFailures = () => limiter("line-link-failures", LINK_FAILURES_PER_CHAT, 60 * 60_000);
const filings = () => limiter("line-filings", FILINGS_PER_CHAT, 24 * 3600_000);

const eventSchema = z.looseObject({
  type: z.string(),
  webhookEventId: z.string().min(1).max(100),
  timestamp: z.number().optional(),
  replyToken: z.string().max(200).optional(),
  source: z.looseObject({ type: z.string(), userId: z.string().optional() }).optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean().optional() }).optional(),
  message: z
    .looseObject({
      id: z.string().max(40),
      type: z.string(),
      text: z.string().max(10_000).optional(),
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      address: z.string().max(1000).optional(),
      title: z.string().max(1000).optional(),
      contentProvider: z.looseObject({ type: z.string() }).optional(),
    })
    .optional(),
  postback: z.looseObject({ data: z.string().max(300) }).optional(),
});
const bodySchema = z.looseObject({ destination: z.string().optional(), events: z.array(z.unknown()).max(100) });

type LineEvent = z.infer<typeof eventSchema>;

/**
 * Handles one webhook request. 404 when LINE is off; 401 for a missing or wrong signature (logged without content);
 * 400 for a body that is not a webhook; 200 otherwise (also for events it ignores). 500 when an event failed: its
 * mark is removed so LINE's redelivery tries it again.
 */
export async function handleLineWebhook(db: DB, rawBody: Buffer, signature: string | null): Promise<{ status: number }> {
  const config = lineConfig();
  if (!config) return { status: 404 };
  if (!signature || signature.length > 200 || !validateSignature(rawBody, config.channelSecret, signature)) {
    log.warn("line webhook refused: bad signature", { bytes: rawBody.length, signed: !!signature });
    return { status: 401 };
  }
  let body: z.infer<typeof bodySchema>;
  try {
    body = bodySchema.parse(JSON.parse(rawBody.toString("utf8")));
  } catch {
    log.warn("line webhook refused: not a webhook body", { bytes: rawBody.length });
    return { status: 400 };
  }
  let failed = false;
  for (const raw of body.events) {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) continue;
    const event = parsed.data;
    if (!(await markEvent(db, event.webhookEventId))) {
      log.info("line event already handled", { type: event.type });
      continue;
    }
    try {
      await handleEvent(db, config, event);
    } catch (e) {
      failed = true;
      await db.deleteFrom("line_webhook_events").where("event_id", "=", event.webhookEventId).execute();
      log.error("line event failed", { type: event.type, ...errorFields(e) });
    }
  }
  return { status: failed ? 500 : 200 };
}

/** Records the event as handled; false when it already was. Marks older than 30 days are dropped. */
async function markEvent(db: DB, eventId: string): Promise<boolean> {
  const at = now();
  const r = await db
    .insertInto("line_webhook_events")
    .values({ event_id: eventId, received_at: at.toISOString() })
    .onConflict((oc) => oc.column("event_id").doNothing())
    .executeTakeFirst();
  if (Math.random() < 0.01) {
    // Housekeeping now and then: old event marks, drafts past their time, link codes used or expired.
    await db
      .deleteFrom("line_webhook_events")
      .where("received_at", "<", new Date(at.getTime() - 30 * 24 * 3600_000).toISOString())
      .execute();
    await purgeExpiredDrafts(db);
    await db
      .deleteFrom("line_link_codes")
      .where((eb) => eb.or([eb("expires_at", "<=", at.toISOString()), eb("used_at", "is not", null)]))
      .execute();
  }
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

async function reply(config: LineConfig, replyToken: string | undefined, messages: messagingApi.Message[]): Promise<void> {
  if (!replyToken || messages.length === 0) return;
  try {
    await messagingClient(config).replyMessage({ replyToken, messages: messages.slice(0, 5) });
  } catch (e) {
    // A reply token is single-use and short-lived: nothing to retry. The status only (the answer may echo content).
    const status = (e as { status?: number }).status;
    log.warn("line reply failed", status ? { status } : errorFields(e));
  }
}

const both = (key: string, params: Record<string, string | number> = {}) => textMessage(bothLanguages(key, params));

async function handleEvent(db: DB, config: LineConfig, event: LineEvent): Promise<void> {
  const userId = event.source?.type === "user" ? event.source.userId : undefined;
  if (!isLineUserId(userId)) return; // groups and rooms: not a citizen's own chat
  const userKey = lineUserKey(userId);
  const burst = chatEvents().hit(userKey);
  if (!burst.allowed) {
    if (burst.count === EVENTS_PER_CHAT + 1) await reply(config, event.replyToken, [both("chat.busy")]);
    return;
  }
  switch (event.type) {
    case "follow": {
      const org = await getOrgProfile(db);
      const text = `${tFor("th", "line")("chat.welcome", { orgName: org.name_th })}\n\n${tFor("en", "line")("chat.welcome", { orgName: org.name_en })}`;
      return reply(config, event.replyToken, [textMessage(text)]);
    }
    case "unfollow":
      return forgetChat(db, userId);
    case "message":
      return onMessage(db, config, event, userId, userKey);
    case "postback":
      return onPostback(db, config, event, userId, userKey);
    default:
      return;
  }
}

async function onMessage(db: DB, config: LineConfig, event: LineEvent, userId: string, userKey: string): Promise<void> {
  const message = event.message;
  if (!message) return;
  if (message.type === "text" && typeof message.text === "string") {
    const attempt = linkAttempt(message.text);
    if (attempt) return linkChat(db, config, event, attempt.code, userId, userKey);
    const text = message.text.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, " ").trim();
    if (!text) return;
    const draft = await addText(db, userKey, text);
    return reply(config, event.replyToken, [await draftSummary(db, draft)]);
  }
  if (message.type === "location" && typeof message.latitude === "number" && typeof message.longitude === "number") {
    const draft = await setLocation(db, userKey, {
      latitude: message.latitude,
      longitude: message.longitude,
      address: message.address,
      title: message.title,
    });
    return reply(config, event.replyToken, [await draftSummary(db, draft)]);
  }
  if (message.type === "image") {
    // Only photos held by LINE itself are fetched (from the data host); never an outside address.
    if (message.contentProvider?.type !== "line" || !/^\d{1,30}$/.test(message.id)) {
      return reply(config, event.replyToken, [
        both("draft.photoRefused", { reason: tFor("th", "complaint")("complaint:errors.fileType") }),
      ]);
    }
    const current = await getDraft(db, userKey);
    let result: Awaited<ReturnType<typeof addPhoto>>;
    if (current && current.uploadIds.length >= LIMITS.maxFiles) result = { refused: "tooManyPhotos" };
    else {
      const stream = await blobClient(config).getMessageContent(message.id);
      result = await addPhoto(db, userKey, await readCapped(stream, LIMITS.maxFileBytes));
    }
    if ("refused" in result) {
      const th =
        result.refused === "tooManyPhotos"
          ? tFor("th", "line")("draft.tooManyPhotos", { max: LIMITS.maxFiles })
          : tFor("th", "line")("draft.photoRefused", { reason: tFor("th", "complaint")(result.refused) });
      const en =
        result.refused === "tooManyPhotos"
          ? tFor("en", "line")("draft.tooManyPhotos", { max: LIMITS.maxFiles })
          : tFor("en", "line")("draft.photoRefused", { reason: tFor("en", "complaint")(result.refused) });
      return reply(config, event.replyToken, [textMessage(`${th}\n\n${en}`)]);
    }
    return reply(config, event.replyToken, [await draftSummary(db, result.draft)]);
  }
  return reply(config, event.replyToken, [both("chat.unsupported")]);
}

async function linkChat(db: DB, config: LineConfig, event: LineEvent, code: string | null, userId: string, userKey: string): Promise<void> {
  const slot = linkFailures().reserve(userKey);
  if (!slot.allowed) return reply(config, event.replyToken, [both("chat.tooMany")]);
  const complaintId = code ? await redeemLinkCode(db, code) : null;
  if (complaintId === null) {
    log.info("line link code refused");
    return reply(config, event.replyToken, [both("chat.linkFailed")]);
  }
  slot.release();
  const added = await followCase(db, complaintId, userId);
  const c = await db.selectFrom("complaints").select(["reference", "lang"]).where("id", "=", complaintId).executeTakeFirstOrThrow();
  log.info("line chat linked to a complaint", { complaintId });
  const lang = c.lang === "en" ? "en" : "th";
  return reply(config, event.replyToken, [
    textMessage(inLang(lang, added ? "chat.linked" : "chat.alreadyLinked", { reference: c.reference })),
  ]);
}

async function onPostback(db: DB, config: LineConfig, event: LineEvent, userId: string, userKey: string): Promise<void> {
  const postback = parsePostback(event.postback?.data);
  if (!postback) return;
  switch (postback.action) {
    case "rate":
      return rate(db, config, event, postback.token, postback.score, userId);
    case "category":
    case "village": {
      const draft = await setChoice(
        db,
        userKey,
        postback.action === "category" ? { category: postback.code } : { village: postback.number },
      );
      return reply(config, event.replyToken, [draft ? await draftSummary(db, draft) : both("draft.none")]);
    }
    case "categories": {
      const draft = await clearCategory(db, userKey);
      return reply(config, event.replyToken, [draft ? await draftSummary(db, draft) : both("draft.none")]);
    }
    case "cancel":
      return reply(config, event.replyToken, [both((await discardDraft(db, userKey)) ? "draft.cancelled" : "draft.none")]);
    case "confirm":
      return confirm(db, config, event, userId, userKey);
  }
}

async function confirm(db: DB, config: LineConfig, event: LineEvent, userId: string, userKey: string): Promise<void> {
  const slot = filings().reserve(userKey);
  if (!slot.allowed) return reply(config, event.replyToken, [both("draft.rateLimited", { max: FILINGS_PER_CHAT })]);
  let result: Awaited<ReturnType<typeof confirmDraft>>;
  try {
    result = await confirmDraft(db, userKey, userId);
  } catch (e) {
    slot.release();
    if (isDomainError(e)) {
      log.info("line filing refused", { status: e.status, field: e.field ?? null });
      return reply(config, event.replyToken, [both("draft.invalid", { what: e.field ?? "-" })]);
    }
    log.error("line filing failed", errorFields(e));
    return reply(config, event.replyToken, [both("draft.failed")]);
  }
  switch (result.status) {
    case "none":
      slot.release();
      return reply(config, event.replyToken, [both("draft.none")]);
    case "missing": {
      slot.release();
      const what = (lang: "th" | "en") => result.what.map((k) => tFor(lang, "line")(k)).join(", ");
      const text = `${tFor("th", "line")("draft.missing", { what: what("th") })}\n\n${tFor("en", "line")("draft.missing", { what: what("en") })}`;
      return reply(config, event.replyToken, [textMessage(text)]);
    }
    case "invalid":
      slot.release();
      log.info("line filing refused", { fields: result.what });
      return reply(config, event.replyToken, [both("draft.invalid", { what: result.what.join(", ") })]);
    case "filed":
      if (result.complaint.duplicate) slot.release();
      log.info("complaint filed from line", { complaintId: result.complaint.id });
      return reply(config, event.replyToken, [both("draft.filed", { reference: result.complaint.reference })]);
  }
}

/** A score from the result's quick replies: through rateCase with the result's rating link, once per case, only from a chat that follows it. */
async function rate(db: DB, config: LineConfig, event: LineEvent, token: string, score: number, userId: string): Promise<void> {
  const owner = await redeemRatingToken(db, token);
  if (!owner || !(await chatFollows(db, owner.complaintId, userId))) {
    return reply(config, event.replyToken, [both("chat.rateRefused")]);
  }
  const lang = owner.lang === "en" ? "en" : "th";
  if (await getCaseRating(db, owner.complaintId, now())) {
    return reply(config, event.replyToken, [textMessage(inLang(lang, "chat.alreadyRated", { reference: owner.reference }))]);
  }
  try {
    const saved = await rateCase(db, { via: "rating-link", token }, { score });
    if (!saved.created) {
      return reply(config, event.replyToken, [textMessage(inLang(lang, "chat.alreadyRated", { reference: owner.reference }))]);
    }
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return reply(config, event.replyToken, [textMessage(inLang(lang, "chat.rateRefused"))]);
  }
  log.info("case rated from line", { complaintId: owner.complaintId });
  return reply(config, event.replyToken, [textMessage(inLang(lang, "chat.rated", { score, reference: owner.reference }))]);
}
