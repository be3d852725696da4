/**
 * Unlocked report keys, in memory only, for the life of one staff sign-in session.
 *
 * - At sign-in the password is turned into the key that opens the person's private key (one argon2id), held here
 *   against the session while the second factor is pending, then used once: the private key is opened (or, on a
 *   first sign-in, created together with a recovery key to show once) and the derived key is dropped.
 * - The opened key pair stays here, keyed by the session (the sha256 of its cookie token), until sign-out, the end of
 *   the session, or a restart of the server: nothing of it is ever written anywhere.
 * - Which reports the person holds is found by scanning the wrapped keys' view tags (one X25519 per row; only new rows
 *   after the first scan) and kept with the unlocked keys.
 *
 * One process: the map is on globalThis so the server bundle and the Remix build share it.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { log, errorFields } from "~/utils/logger.server";
import { viewTagMatches, type PersonKeys, type WrappedKey } from "./crypto.server";
import { migrateLegacyReportsFor } from "./key-migration.server";
import { createStaffKeys, keyEncryptionKeyFor, StaffKeyMismatchError, openStaffKeys, type KeyEncryptionKey } from "./staff-keys.server";
import { siteMemo } from "~/utils/site-context.server";

/** How long a password-derived key may wait for the second factor. */
const PENDING_MS = 10 * 60_000;
/** Unlocked keys are dropped after this long without use (the session's own idle limit). */
const IDLE_MS = 30 * 60_000;
/** …and after this long in all (the session's absolute limit). */
const ABSOLUTE_MS = 12 * 3600_000;

/** A wrapped copy of a report key that this person can open. */
export interface HeldWrap extends WrappedKey {
  rowId: number;
  reportId: number;
}

export interface UnlockedKeys {
  staffId: number;
  keys: PersonKeys;
  /** Reports this person holds a wrapped key for (report id → the rows whose view tag is theirs). */
  held: Map<number, HeldWrap[]>;
  /** Highest report_keys.id already scanned. */
  scannedTo: number;
  unlockedAt: number;
  lastUsedAt: number;
}

interface Pending {
  staffId: number;
  kek: KeyEncryptionKey;
  at: number;
}

declare global {
  var __sujaritKeyVault:
    { pending: Map<string, Pending>; unlocked: Map<string, UnlockedKeys>; recovery: Map<number, { key: string; at: number }> } | undefined;
}

function vault() {
  // Per organisation (site-context.server.ts): keys unlocked at one organisation are never found by another's sessions.
  return siteMemo<NonNullable<typeof globalThis.__sujaritKeyVault>>("key-vault", () => ({
    pending: new Map(),
    unlocked: new Map(),
    recovery: new Map(),
  }));
}

function sweep(at = Date.now()) {
  const v = vault();
  for (const [id, p] of v.pending) if (at - p.at > PENDING_MS) v.pending.delete(id);
  for (const [id, u] of v.unlocked) if (at - u.lastUsedAt > IDLE_MS || at - u.unlockedAt > ABSOLUTE_MS) v.unlocked.delete(id);
  for (const [id, r] of v.recovery) if (at - r.at > PENDING_MS) v.recovery.delete(id);
}

/** At sign-in (password accepted, second factor pending): derives and holds the key-encryption key for this session. */
export async function prepareUnlock(db: Kysely<Database>, sessionId: string, staffId: number, password: string): Promise<void> {
  sweep();
  const kek = await keyEncryptionKeyFor(db, staffId, password);
  vault().pending.set(sessionId, { staffId, kek, at: Date.now() });
}

async function open(db: Kysely<Database>, sessionId: string, staffId: number, kek: KeyEncryptionKey): Promise<UnlockedKeys> {
  let keys = await openStaffKeys(db, staffId, kek);
  if (!keys) {
    const created = await createStaffKeys(db, staffId, kek);
    keys = created.keys;
    stashRecoveryKey(staffId, created.recoveryKey);
  }
  kek.key.fill(0);
  // Reports from before per-recipient keys that this person may read get their copy now (key-migration.server.ts).
  await migrateLegacyReportsFor(db, staffId).catch((e) => log.warn("report key migration failed", errorFields(e)));
  const at = Date.now();
  const u: UnlockedKeys = { staffId, keys, held: new Map(), scannedTo: 0, unlockedAt: at, lastUsedAt: at };
  vault().unlocked.set(sessionId, u);
  return u;
}

/**
 * After the second factor: the session `fromSessionId` was replaced by `toSessionId`; the held key-encryption key
 * opens (or creates) the key pair for the new session. Returns null when nothing was pending (e.g. after a restart).
 */
export async function completeUnlock(
  db: Kysely<Database>,
  fromSessionId: string,
  toSessionId: string,
  staffId: number,
): Promise<UnlockedKeys | null> {
  sweep();
  const p = vault().pending.get(fromSessionId);
  vault().pending.delete(fromSessionId);
  if (!p || p.staffId !== staffId) return null;
  try {
    return await open(db, toSessionId, staffId, p.kek);
  } catch (e) {
    // The sign-in goes on; the keys stay locked and the unlock page says why (a replaced public key, for instance).
    if (e instanceof StaffKeyMismatchError)
      log.error("a report recipient's stored public key does not match their private key", { staffId });
    else log.warn("report keys not unlocked at sign-in", errorFields(e));
    return null;
  }
}

/** Unlocks for a session that is already fully signed in (the unlock page, after a restart). Throws StaffKeyLockedError. */
export async function unlockWithPassword(
  db: Kysely<Database>,
  sessionId: string,
  staffId: number,
  password: string,
): Promise<UnlockedKeys> {
  sweep();
  const kek = await keyEncryptionKeyFor(db, staffId, password);
  return open(db, sessionId, staffId, kek);
}

/** Puts already-open keys in the vault for a session (password change, recovery). */
export function holdKeys(sessionId: string, staffId: number, keys: PersonKeys): UnlockedKeys {
  const at = Date.now();
  const u: UnlockedKeys = { staffId, keys, held: new Map(), scannedTo: 0, unlockedAt: at, lastUsedAt: at };
  vault().unlocked.set(sessionId, u);
  return u;
}

/** The unlocked keys of a session, or null. */
export function keysOfSession(sessionId: string, staffId: number): UnlockedKeys | null {
  sweep();
  const u = vault().unlocked.get(sessionId);
  if (!u || u.staffId !== staffId) return null;
  u.lastUsedAt = Date.now();
  return u;
}

/** Keeps a new recovery key (made by a key pair's creation or a recovery) for the page that shows it once. */
export function stashRecoveryKey(staffId: number, key: string): void {
  vault().recovery.set(staffId, { key, at: Date.now() });
}

/** A recovery key created at this person's first sign-in, to be shown once (taken: a second call returns null). */
export function takeNewRecoveryKey(staffId: number): string | null {
  sweep();
  const r = vault().recovery.get(staffId);
  vault().recovery.delete(staffId);
  return r?.key ?? null;
}

/** Whether a recovery key waits to be shown to this person. */
export function hasNewRecoveryKey(staffId: number): boolean {
  sweep();
  return vault().recovery.has(staffId);
}

/** Sign-out or end of session: the keys are forgotten. */
export function forgetSession(sessionId: string): void {
  vault().pending.delete(sessionId);
  vault().unlocked.delete(sessionId);
}

/** An account was disabled or its keys replaced: every session's keys of that person are forgotten. */
export function forgetStaff(staffId: number): void {
  const v = vault();
  for (const [id, p] of v.pending) if (p.staffId === staffId) v.pending.delete(id);
  for (const [id, u] of v.unlocked) if (u.staffId === staffId) v.unlocked.delete(id);
  v.recovery.delete(staffId);
}

/**
 * Brings `u.held` up to date: every wrapped-key row added since the last scan is checked against this person's view
 * tag (one X25519 each). Rows of purged reports are gone with their report.
 */
export async function refreshHeld(db: Kysely<Database>, u: UnlockedKeys): Promise<Map<number, HeldWrap[]>> {
  const BATCH = 5000;
  for (;;) {
    const rows = await db
      .selectFrom("report_keys")
      .select(["id", "report_id", "tag_pub", "view_tag", "enc", "wrapped"])
      .where("id", ">", u.scannedTo)
      .orderBy("id")
      .limit(BATCH)
      .execute();
    for (const r of rows) {
      const row = { tagPub: r.tag_pub, viewTag: r.view_tag, enc: r.enc, wrapped: r.wrapped };
      if (viewTagMatches(u.keys, row))
        u.held.set(r.report_id, [...(u.held.get(r.report_id) ?? []), { ...row, rowId: r.id, reportId: r.report_id }]);
      u.scannedTo = r.id;
    }
    if (rows.length < BATCH) break;
  }
  return u.held;
}

/** Drops a report from every session's held set (its keys were destroyed by retention). */
export function dropHeldReport(reportId: number): void {
  for (const u of vault().unlocked.values()) u.held.delete(reportId);
}
