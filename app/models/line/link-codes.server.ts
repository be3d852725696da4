/**
 * One-time link codes: the receipt page shows one (8 characters, e.g. "K7QF-2M9X"), the citizen sends it in the LINE
 * chat, and that chat then follows the case. A code is random (never derived from the tracking code), valid for
 * LINK_CODE_MINUTES, used once, and stored only as a keyed hash. Never log a code.
 */
import crypto from "node:crypto";
import type { Executor } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { lineKeys } from "./chat-users.server";

export const LINK_CODE_MINUTES = 30;
/** Codes a case may have waiting at once (a reloaded receipt page makes a new one). */
const MAX_WAITING = 5;
/** No 0/O, 1/I/L, U: nothing to misread. */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

function randomCode(): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** The code as typed (any case, with or without the dash or spaces) → "XXXX-XXXX", or null. */
export function normalizeLinkCode(input: string): string | null {
  const s = input.normalize("NFKC").toUpperCase().replace(/[\s-]/g, "");
  if (s.length !== 8 || [...s].some((ch) => !ALPHABET.includes(ch))) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * A message meant to link the chat: "เชื่อมต่อ K7QF-2M9X", "link K7QF2M9X" or "K7QF-2M9X" alone. `code` is the
 * normalised code, or null when the message looks like an attempt but the code is malformed.
 */
export function linkAttempt(text: string): { code: string | null } | null {
  const s = text.normalize("NFKC").trim();
  const prefixed = /^(?:เชื่อมต่อ|เชื่อม|link|connect)\s*(\S.*)?$/iu.exec(s);
  if (prefixed) return { code: normalizeLinkCode(prefixed[1] ?? "") };
  if (/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/.test(s)) return { code: normalizeLinkCode(s) };
  return null;
}

function hashCode(code: string): string {
  return crypto.createHmac("sha256", Buffer.from(lineKeys().linkCode, "base64url")).update(code).digest("hex");
}

/** A new code for the case (older waiting codes beyond the last few are dropped). */
export async function issueLinkCode(db: Executor, complaintId: number): Promise<{ code: string; expiresAt: string }> {
  const at = now();
  const code = randomCode();
  const expiresAt = new Date(at.getTime() + LINK_CODE_MINUTES * 60_000).toISOString();
  await db
    .deleteFrom("line_link_codes")
    .where((eb) => eb.or([eb("expires_at", "<=", at.toISOString()), eb("used_at", "is not", null)]))
    .execute();
  await db
    .insertInto("line_link_codes")
    .values({ code_hash: hashCode(code), complaint_id: complaintId, created_at: at.toISOString(), expires_at: expiresAt, used_at: null })
    .execute();
  const waiting = await db
    .selectFrom("line_link_codes")
    .select("code_hash")
    .where("complaint_id", "=", complaintId)
    .orderBy("created_at", "desc")
    .offset(MAX_WAITING)
    .limit(1000)
    .execute();
  if (waiting.length > 0)
    await db
      .deleteFrom("line_link_codes")
      .where(
        "code_hash",
        "in",
        waiting.map((w) => w.code_hash),
      )
      .execute();
  return { code, expiresAt };
}

/**
 * Uses a code: the case it belongs to, or null when unknown, expired or already used. Marks it used in the same
 * statement, so two chats can never both use one code.
 */
export async function redeemLinkCode(db: Executor, code: string): Promise<number | null> {
  const row = await db
    .updateTable("line_link_codes")
    .set({ used_at: now().toISOString() })
    .where("code_hash", "=", hashCode(code))
    .where("used_at", "is", null)
    .where("expires_at", ">", now().toISOString())
    .returning("complaint_id")
    .executeTakeFirst();
  return row?.complaint_id ?? null;
}
