/**
 * What a staff sign-in session carries between requests that every app server must be able to open, and the database
 * alone must not: sealed into the session's own row (`staff_sessions.sealed_state`) with AES-256-GCM under a key
 * derived (HKDF) from the session's cookie token, which the database never holds; the associated data names the row
 * and the person, so a seal moved to another row opens nothing. Everything goes with the session row: sign-out, the
 * idle and absolute limits, a disabled account.
 *
 * Used for an integrity officer's report keys (app/models/report/key-vault.server.ts) and for second-factor recovery
 * codes between the set-up step and the page that shows them once (app/models/staff/mfa.server.ts).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { decryptText, deriveKey, encryptText, sha256Hex } from "./crypto.server";
import { log } from "./logger.server";

export interface SessionSeal {
  v: 1;
  /** An integrity officer's report keys (key-vault.server.ts). */
  reportKeys?: {
    /** The password's key while the second factor is pending (base64url key and salt, the argon2 parameters). */
    pending?: { key: string; salt: string; params: { memoryCost: number; timeCost: number; parallelism: number }; at: number };
    /** The opened private key (base64url) and when it was unlocked. */
    secret?: string;
    unlockedAt?: number;
    /** A recovery key made with the key pair, until the page that shows it once has shown it. */
    recoveryKey?: string;
  };
  /** Second-factor recovery codes just issued, until the page that shows them once (ms deadline). */
  recoveryCodes?: { codes: string[]; until: number };
}

const keyOf = (token: string) => deriveKey(token, "session-seal-v1");
const aadOf = (sessionId: string, staffId: number) => `sujarit:session-seal:${sessionId}:${staffId}`;

/** The seal of the session whose cookie token this is, or null (none, another person's row, a seal that does not open). */
export async function readSessionSeal(db: Kysely<Database>, token: string, staffId: number): Promise<SessionSeal | null> {
  const id = sha256Hex(token);
  const row = await db
    .selectFrom("staff_sessions")
    .select("sealed_state")
    .where("id", "=", id)
    .where("staff_id", "=", staffId)
    .executeTakeFirst();
  if (!row?.sealed_state) return null;
  try {
    const value = JSON.parse(decryptText(row.sealed_state, keyOf(token), aadOf(id, staffId))) as SessionSeal;
    return value?.v === 1 ? value : null;
  } catch {
    // Moved from another row, written by someone without this cookie, or damaged: it opens nothing.
    log.warn("a session's sealed state did not open", { staffId });
    return null;
  }
}

/** Left as it is (a change that finds nothing to change writes nothing). */
export const UNCHANGED = Symbol("unchanged");

/** Changes the seal of a session (read, change, write back); returns the seal as it was read. */
export async function updateSessionSeal(
  db: Kysely<Database>,
  token: string,
  staffId: number,
  change: (current: SessionSeal) => SessionSeal | typeof UNCHANGED,
): Promise<SessionSeal> {
  const current = (await readSessionSeal(db, token, staffId)) ?? { v: 1 };
  const next = change(current);
  if (next === UNCHANGED) return current;
  const id = sha256Hex(token);
  const empty = next.reportKeys === undefined && next.recoveryCodes === undefined;
  await db
    .updateTable("staff_sessions")
    .set({ sealed_state: empty ? null : encryptText(JSON.stringify(next), keyOf(token), aadOf(id, staffId)) })
    .where("id", "=", id)
    .where("staff_id", "=", staffId)
    .execute();
  return current;
}
