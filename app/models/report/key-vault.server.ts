/**
 * Unlocked report keys for the life of one staff sign-in session.
 *
 * - At sign-in the password is turned into the key that opens the person's private key (one argon2id), held against
 *   the session while the second factor is pending, then used once: the private key is opened (or, on a first
 *   sign-in, created together with a recovery key to show once) and the derived key is dropped.
 * - The opened key pair is kept in memory, keyed by the session (the sha256 of its cookie token), and sealed into the
 *   session's own row (app/utils/session-seal.server.ts: AES-256-GCM under a key derived from the cookie token, which
 *   the database never holds; the associated data names the session and the person). So any app server that receives the
 *   cookie opens the keys at the officer's first request there (several servers, a restart), while the database, a
 *   backup or the operator without the officer's cookie holds nothing that opens. The pending password key and a
 *   recovery key still to be shown travel the same way. Everything goes with the session row: sign-out, the idle and
 *   absolute limits, a disabled account or replaced keys.
 * - Which reports the person holds is found by scanning the wrapped keys' view tags (one X25519 per row; only new rows
 *   after the first scan) and kept with the unlocked keys in memory.
 *
 * A session is named either by its cookie token (`{ token }`: sealed to its row, found again by any server) or, for
 * in-process callers without a cookie (tests, scripts), by an id alone (memory only).
 *
 * The memory map is on globalThis so the server bundle and the Remix build share it.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { log, errorFields } from "~/utils/logger.server";
import { personKeysFromSecret, personSecret, viewTagMatches, type PersonKeys, type WrappedKey } from "./crypto.server";
import { migrateLegacyReportsFor } from "./key-migration.server";
import { createStaffKeys, keyEncryptionKeyFor, StaffKeyMismatchError, openStaffKeys, type KeyEncryptionKey } from "./staff-keys.server";
import { siteMemo } from "~/utils/site-context.server";
import { sha256Hex } from "~/utils/crypto.server";
import { readSessionSeal, UNCHANGED, updateSessionSeal, type SessionSeal } from "~/utils/session-seal.server";

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

/** A session: by its cookie token (sealed to its row) or, without a cookie (tests, scripts), by an id (memory only). */
export type VaultSession = string | { token: string };

const sessionIdOf = (s: VaultSession) => (typeof s === "string" ? s : sha256Hex(s.token));

type Sealed = NonNullable<SessionSeal["reportKeys"]>;

/** Writes the report keys in a cookie session's seal. A memory-only session has no row. */
async function writeSealed(db: Kysely<Database>, session: VaultSession, staffId: number, value: Sealed): Promise<void> {
  if (typeof session === "string") return;
  await updateSessionSeal(db, session.token, staffId, (s) => ({ ...s, reportKeys: value }));
}

/** The report keys in a cookie session's seal, or null. */
async function readSealed(db: Kysely<Database>, session: VaultSession, staffId: number): Promise<Sealed | null> {
  if (typeof session === "string") return null;
  return (await readSessionSeal(db, session.token, staffId))?.reportKeys ?? null;
}

/** At sign-in (password accepted, second factor pending): derives and holds the key-encryption key for this session. */
export async function prepareUnlock(db: Kysely<Database>, session: VaultSession, staffId: number, password: string): Promise<void> {
  sweep();
  const kek = await keyEncryptionKeyFor(db, staffId, password);
  const at = Date.now();
  vault().pending.set(sessionIdOf(session), { staffId, kek, at });
  await writeSealed(db, session, staffId, {
    pending: { key: kek.key.toString("base64url"), salt: kek.salt.toString("base64url"), params: kek.params, at },
  });
}

async function open(db: Kysely<Database>, session: VaultSession, staffId: number, kek: KeyEncryptionKey): Promise<UnlockedKeys> {
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
  vault().unlocked.set(sessionIdOf(session), u);
  // A recovery key waiting to be shown (made just now, or by an enrolment or reset at this server) travels in the seal.
  await sealKeys(db, session, u, vault().recovery.get(staffId)?.key);
  return u;
}

async function sealKeys(db: Kysely<Database>, session: VaultSession, u: UnlockedKeys, recoveryKey?: string): Promise<void> {
  const secret = personSecret(u.keys);
  try {
    await writeSealed(db, session, u.staffId, { secret: secret.toString("base64url"), unlockedAt: u.unlockedAt, recoveryKey });
  } finally {
    secret.fill(0);
  }
}

/**
 * The second-factor step's first half, before its session is replaced: the password's key held for this session (in
 * this server's memory, or sealed in the session's row by the server that took the password). Null when there is
 * none (older than the pending limit, or never made).
 */
export async function takePendingUnlock(db: Kysely<Database>, session: VaultSession, staffId: number): Promise<KeyEncryptionKey | null> {
  sweep();
  const id = sessionIdOf(session);
  const held = vault().pending.get(id);
  vault().pending.delete(id);
  if (held) return held.staffId === staffId ? held.kek : null;
  const sealed = await readSealed(db, session, staffId);
  const p = sealed?.pending;
  if (!p || Date.now() - p.at > PENDING_MS) return null;
  return { key: Buffer.from(p.key, "base64url"), salt: Buffer.from(p.salt, "base64url"), params: p.params };
}

/**
 * After the second factor: the pending session was replaced by `session`; the password's key (takePendingUnlock) opens
 * (or creates) the key pair for it. Returns null when nothing was pending or the keys did not open.
 */
export async function completeUnlock(
  db: Kysely<Database>,
  kek: KeyEncryptionKey | null,
  session: VaultSession,
  staffId: number,
): Promise<UnlockedKeys | null> {
  if (!kek) return null;
  try {
    return await open(db, session, staffId, kek);
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
  session: VaultSession,
  staffId: number,
  password: string,
): Promise<UnlockedKeys> {
  sweep();
  const kek = await keyEncryptionKeyFor(db, staffId, password);
  return open(db, session, staffId, kek);
}

/** Puts already-open keys in the vault for a memory-only session (tests, scripts). */
export function holdKeys(sessionId: string, staffId: number, keys: PersonKeys): UnlockedKeys {
  const at = Date.now();
  const u: UnlockedKeys = { staffId, keys, held: new Map(), scannedTo: 0, unlockedAt: at, lastUsedAt: at };
  vault().unlocked.set(sessionId, u);
  return u;
}

/**
 * The unlocked keys of a session, or null. A cookie session whose keys this server does not hold (they were unlocked
 * at another server, or before a restart) gets them from its row's seal, within the absolute limit of their unlocking.
 */
export async function keysOfSession(db: Kysely<Database>, session: VaultSession, staffId: number): Promise<UnlockedKeys | null> {
  sweep();
  const id = sessionIdOf(session);
  const held = vault().unlocked.get(id);
  if (held) {
    if (held.staffId !== staffId) return null;
    held.lastUsedAt = Date.now();
    return held;
  }
  const sealed = await readSealed(db, session, staffId);
  if (!sealed?.secret || !sealed.unlockedAt || Date.now() - sealed.unlockedAt > ABSOLUTE_MS) return null;
  const secret = Buffer.from(sealed.secret, "base64url");
  try {
    const keys = await personKeysFromSecret(secret);
    const u: UnlockedKeys = { staffId, keys, held: new Map(), scannedTo: 0, unlockedAt: sealed.unlockedAt, lastUsedAt: Date.now() };
    vault().unlocked.set(id, u);
    if (sealed.recoveryKey) stashRecoveryKey(staffId, sealed.recoveryKey);
    return u;
  } catch (e) {
    log.warn("sealed session keys did not open", errorFields(e));
    return null;
  } finally {
    secret.fill(0);
  }
}

/** Keeps a new recovery key (made by a key pair's creation or a recovery) for the page that shows it once. */
export function stashRecoveryKey(staffId: number, key: string): void {
  vault().recovery.set(staffId, { key, at: Date.now() });
}

/** A recovery key created at this person's first sign-in, to be shown once (taken: a second call returns null). */
export async function takeNewRecoveryKey(db: Kysely<Database>, session: VaultSession, staffId: number): Promise<string | null> {
  sweep();
  const r = vault().recovery.get(staffId);
  vault().recovery.delete(staffId);
  if (typeof session === "string") return r?.key ?? null;
  // A cookie session's seal is what counts (any server may have shown it already): taken from there, so shown once.
  const before = await updateSessionSeal(db, session.token, staffId, (s) =>
    s.reportKeys?.recoveryKey ? { ...s, reportKeys: { ...s.reportKeys, recoveryKey: undefined } } : UNCHANGED,
  );
  return before.reportKeys?.recoveryKey ?? null;
}

/** Whether a recovery key waits to be shown to this person (this server's hint; takeNewRecoveryKey decides). */
export function hasNewRecoveryKey(staffId: number): boolean {
  sweep();
  return vault().recovery.has(staffId);
}

/** Sign-out or end of session: the keys are forgotten (the sealed copy goes with the session's row). */
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
