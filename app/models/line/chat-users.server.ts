/**
 * LINE user ids are personal data: stored encrypted at rest (app/utils/crypto.server.ts) and found by a keyed hash,
 * never logged. The hash is also the key of the per-user rate limits.
 */
import crypto from "node:crypto";
import { decryptText, deriveKey, encryptText } from "~/utils/crypto.server";
import { getSecrets } from "~/utils/db.server";
import { siteMemo } from "~/utils/site-context.server";

/** Keys of this organisation for LINE data (derived from the outbox key; never stored). */
export function lineKeys() {
  return siteMemo("line:keys", () => ({
    userKey: deriveKey(getSecrets().outboxKey, "line-user-lookup"),
    userEnc: deriveKey(getSecrets().outboxKey, "line-user-at-rest"),
    linkCode: deriveKey(getSecrets().outboxKey, "line-link-code"),
  }));
}

/** A LINE user id as LINE sends it: "U" and 32 hex digits. */
export function isLineUserId(x: unknown): x is string {
  return typeof x === "string" && /^U[0-9a-f]{32}$/.test(x);
}

/** The keyed hash a LINE user is found by (rows, drafts, rate limits). */
export function lineUserKey(userId: string): string {
  return crypto.createHmac("sha256", Buffer.from(lineKeys().userKey, "base64url")).update(userId).digest("base64url");
}

/** The user id encrypted for the row that names `userKey`. */
export function sealUserId(userId: string, userKey: string): string {
  return encryptText(userId, lineKeys().userEnc, `line-user:${userKey}`);
}

export function openUserId(sealed: string, userKey: string): string {
  return decryptText(sealed, lineKeys().userEnc, `line-user:${userKey}`);
}
