/**
 * Complaints put together in a LINE chat: text, photos and a location collect in a draft (one per chat, encrypted at
 * rest, gone after DRAFT_HOURS), the citizen picks the category and village with quick replies and confirms; the
 * complaint is then created by the web form's own schema and createComplaint, and the chat follows it.
 */
import type { Readable } from "node:stream";
import { inTransaction, type DB } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { decryptText, encryptText, randomToken } from "~/utils/crypto.server";
import { LIMITS } from "~/lib/validation";
import { complaintSchemaFor, createComplaint, type CreatedComplaint } from "../complaints/filing.server";
import { storeUploadInfo, UploadRejectedError } from "../complaints/attachments.server";
import { listCategories, listVillages } from "../organisation/profile.server";
import { lineKeys } from "./chat-users.server";
import { followCase } from "./follows.server";
import { bothLanguages, clip, inLang, textMessage, type QuickReply } from "./messages.server";
import { CANCEL_POSTBACK, CATEGORIES_POSTBACK, categoryPostback, CONFIRM_POSTBACK, villagePostback } from "./postbacks.server";
import type { messagingApi } from "@line/bot-sdk";

export const DRAFT_HOURS = 6;

export interface Draft {
  submissionKey: string;
  details: string;
  latitude: number | null;
  longitude: number | null;
  landmark: string;
  category: string | null;
  village: number | null;
  uploadIds: string[];
}

const aad = (userKey: string) => `line-draft:${userKey}`;

function emptyDraft(): Draft {
  return {
    submissionKey: randomToken(24),
    details: "",
    latitude: null,
    longitude: null,
    landmark: "",
    category: null,
    village: null,
    uploadIds: [],
  };
}

/** The chat's draft, or null (none, or expired: then removed). */
export async function getDraft(db: DB, userKey: string): Promise<Draft | null> {
  const row = await db.selectFrom("line_drafts").selectAll().where("user_key", "=", userKey).executeTakeFirst();
  if (!row) return null;
  if (new Date(row.expires_at).getTime() <= now().getTime()) {
    await db.deleteFrom("line_drafts").where("user_key", "=", userKey).execute();
    return null;
  }
  return JSON.parse(decryptText(row.payload, lineKeys().userEnc, aad(userKey))) as Draft;
}

async function saveDraft(db: DB, userKey: string, draft: Draft): Promise<void> {
  const at = now();
  const iso = at.toISOString();
  const payload = encryptText(JSON.stringify(draft), lineKeys().userEnc, aad(userKey));
  const expires = new Date(at.getTime() + DRAFT_HOURS * 3600_000).toISOString();
  await db
    .insertInto("line_drafts")
    .values({ user_key: userKey, payload, created_at: iso, updated_at: iso, expires_at: expires })
    .onConflict((oc) => oc.column("user_key").doUpdateSet({ payload, updated_at: iso, expires_at: expires }))
    .execute();
}

export async function discardDraft(db: DB, userKey: string): Promise<boolean> {
  const r = await db.deleteFrom("line_drafts").where("user_key", "=", userKey).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Drafts past their time (housekeeping). */
export async function purgeExpiredDrafts(db: DB): Promise<number> {
  const r = await db.deleteFrom("line_drafts").where("expires_at", "<=", now().toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function addText(db: DB, userKey: string, text: string): Promise<Draft> {
  const draft = (await getDraft(db, userKey)) ?? emptyDraft();
  const joined = draft.details ? `${draft.details}\n${text}` : text;
  draft.details = [...joined].slice(0, LIMITS.details).join("");
  await saveDraft(db, userKey, draft);
  return draft;
}

export async function setLocation(
  db: DB,
  userKey: string,
  loc: { latitude: number; longitude: number; address?: string; title?: string },
): Promise<Draft> {
  const draft = (await getDraft(db, userKey)) ?? emptyDraft();
  draft.latitude = loc.latitude;
  draft.longitude = loc.longitude;
  const place = [loc.title, loc.address].filter((s) => typeof s === "string" && s.trim()).join(" ");
  if (place) draft.landmark = [...place.replace(/[\u0000-\u001f\u007f]/g, " ").trim()].slice(0, LIMITS.landmark).join("");
  await saveDraft(db, userKey, draft);
  return draft;
}

export async function setChoice(db: DB, userKey: string, choice: { category?: string; village?: number }): Promise<Draft | null> {
  const draft = await getDraft(db, userKey);
  if (!draft) return null;
  if (choice.category !== undefined) {
    const known = (await listCategories(db)).some((c) => c.code === choice.category);
    if (known) draft.category = choice.category;
  }
  if (choice.village !== undefined) {
    const known = (await listVillages(db)).some((v) => v.number === choice.village);
    if (known) draft.village = choice.village;
  }
  await saveDraft(db, userKey, draft);
  return draft;
}

/** Reads a content stream with a cap: the bytes, or "too-large" (the stream is then destroyed). */
export async function readCapped(stream: Readable, max: number): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > max) {
      stream.destroy();
      return "too-large";
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Adds a photo (bytes downloaded from LINE) through the web form's upload checks (type by content, size, re-encoding
 * that drops EXIF/GPS). Returns the refusal's i18n key instead when it is refused.
 */
export async function addPhoto(db: DB, userKey: string, bytes: Buffer | "too-large"): Promise<{ draft: Draft } | { refused: string }> {
  const draft = (await getDraft(db, userKey)) ?? emptyDraft();
  if (draft.uploadIds.length >= LIMITS.maxFiles) return { refused: "tooManyPhotos" };
  if (bytes === "too-large") return { refused: "complaint:errors.fileTooLarge" };
  try {
    const stored = await storeUploadInfo({ name: `line-photo-${draft.uploadIds.length + 1}`, data: bytes }, db);
    draft.uploadIds.push(stored.id);
  } catch (e) {
    if (e instanceof UploadRejectedError) return { refused: e.messageKey };
    throw e;
  }
  await saveDraft(db, userKey, draft);
  return { draft };
}

/** The draft as a chat message, with the quick replies of the next step. */
export async function draftSummary(db: DB, draft: Draft): Promise<messagingApi.TextMessage> {
  const [categories, villages] = await Promise.all([listCategories(db), listVillages(db)]);
  const category = categories.find((c) => c.code === draft.category);
  const lines = [bothLine("draft.title")];
  // Labels in Thai and English; the citizen's own words once.
  const row = (label: string, value: string) => `${bothLine(label)}: ${value}`;
  const en = (key: string, params: Record<string, string | number> = {}) => inLang("en", key, params);
  const pair = (key: string, params: Record<string, string | number> = {}) => {
    const a = th(key, params);
    const b = en(key, params);
    return a === b ? a : `${a} / ${b}`;
  };
  lines.push(row("draft.details", draft.details ? clip(draft.details, 300) : pair("draft.noDetails")));
  lines.push(row("draft.photos", pair("draft.photoCount", { count: draft.uploadIds.length })));
  lines.push(
    row(
      "draft.location",
      draft.latitude !== null ? draft.landmark || `${draft.latitude.toFixed(5)}, ${draft.longitude?.toFixed(5)}` : pair("draft.noLocation"),
    ),
  );
  lines.push(row("draft.category", category ? category.name_th : pair("draft.pickCategory")));
  lines.push(
    row("draft.village", draft.village !== null ? pair("draft.villageValue", { value: draft.village }) : pair("draft.pickVillage")),
  );
  const quick: QuickReply[] = [];
  if (!category) {
    for (const c of categories.slice(0, 11)) quick.push({ kind: "postback", label: c.name_th, data: categoryPostback(c.code) });
  } else if (draft.village === null) {
    for (const v of villages.slice(0, 11))
      quick.push({ kind: "postback", label: th("draft.villageButton", { number: v.number }), data: villagePostback(v.number) });
  } else {
    if (draft.details) {
      lines.push(bothLanguages("draft.ready"));
      quick.push({ kind: "postback", label: th("draft.confirm"), data: CONFIRM_POSTBACK });
    }
    quick.push({ kind: "postback", label: th("draft.changeCategory"), data: CATEGORIES_POSTBACK });
  }
  if (draft.latitude === null) quick.push({ kind: "location", label: th("draft.sendLocation") });
  quick.push({ kind: "postback", label: th("draft.cancel"), data: CANCEL_POSTBACK });
  return textMessage(lines.join("\n"), quick);
}

/** Quick-reply labels (20 characters at most) in the chat's language, Thai. */
const th = (key: string, params: Record<string, string | number> = {}) => inLang("th", key, params);

/** One line in Thai, then English after a slash when it differs. */
function bothLine(key: string, params: Record<string, string | number> = {}): string {
  return bothLanguages(key, params).replace("\n\n", " / ");
}

/** Clears the chosen category (the "change category" button). */
export async function clearCategory(db: DB, userKey: string): Promise<Draft | null> {
  const draft = await getDraft(db, userKey);
  if (!draft) return null;
  draft.category = null;
  await saveDraft(db, userKey, draft);
  return draft;
}

export type ConfirmResult =
  | { status: "filed"; complaint: CreatedComplaint }
  | { status: "missing"; what: string[] }
  | { status: "invalid"; what: string[] }
  | { status: "none" };

/**
 * Files the draft: the web form's schema (complaintSchemaFor) and createComplaint, channel "line", in one transaction
 * with the chat following the new case and the draft removed. The draft's submission key makes a repeated confirm
 * return the same case.
 */
export async function confirmDraft(db: DB, userKey: string, userId: string): Promise<ConfirmResult> {
  const draft = await getDraft(db, userKey);
  if (!draft) return { status: "none" };
  const missing: string[] = [];
  if (!draft.details.trim()) missing.push("draft.missingDetails");
  if (!draft.category) missing.push("draft.missingCategory");
  if (draft.village === null) missing.push("draft.missingVillage");
  if (missing.length > 0) return { status: "missing", what: missing };
  const firstLine = draft.details.trim().split("\n")[0]!.trim();
  const schema = await complaintSchemaFor(db);
  const parsed = schema.safeParse({
    category: draft.category ?? "",
    subject: [...firstLine].slice(0, 80).join(""),
    details: draft.details,
    village: String(draft.village),
    landmark: draft.landmark,
    latitude: draft.latitude === null ? "" : String(draft.latitude),
    longitude: draft.longitude === null ? "" : String(draft.longitude),
    contactName: "",
    contactPhone: "",
    contactEmail: "",
    contactAddress: "",
    preferredContact: "none",
  });
  if (!parsed.success) {
    return { status: "invalid", what: [...new Set(parsed.error.issues.map((i) => i.path.map(String).join(".")))] };
  }
  const complaint = await inTransaction(db, async (trx) => {
    const created = await createComplaint(trx, {
      ...parsed.data,
      channel: "line",
      lang: "th",
      submissionKey: draft.submissionKey,
      recordedBy: null,
      uploadIds: draft.uploadIds,
    });
    await followCase(trx, created.id, userId);
    await trx.deleteFrom("line_drafts").where("user_key", "=", userKey).execute();
    return created;
  });
  return { status: "filed", complaint };
}
