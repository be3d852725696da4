/**
 * The audit log of the report channel and of integrity-officer security events: append-only and hash-chained.
 *
 * - Each entry's hash is HMAC-SHA256(audit key, prev_hash | canonical JSON of the entry), where the audit key is
 *   derived from the master key (outside the database). Editing, inserting or removing an entry breaks the chain,
 *   and someone who holds only the database cannot recompute a valid chain after tampering.
 * - The table has triggers that refuse UPDATE and DELETE, and prev_hash is UNIQUE (the chain cannot fork).
 * - Removing the newest entries is caught by comparing the highest id with the table's id mark (SQLite's AUTOINCREMENT
 *   sequence; on PostgreSQL a row of id_marks kept by a trigger, db/dialects/postgres.ts).
 * - details is JSON with operational facts only (ids, statuses, counts) — never report content or identities.
 *
 * - The operator holds the master key and could rewrite or truncate the whole chain with valid hashes; so the chain's
 *   head (newest id and hash, formatAuditHead) is taken off the server — a paper log book, a daily e-mail
 *   (audit-head.server.ts) — and verifyAuditChain(db, { head }) checks the log against such a saved head.
 *
 * `npm run audit-log -- verify` runs verifyAuditChain (scripts/audit.ts); `npm run audit-log -- head` prints the head line and
 * `npm run audit-log -- verify --head '<line or id:hash>'` checks against one.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { AuditEntry, Database } from "../../../db/schema";
import { nowIso } from "~/utils/clock.server";
import { deriveKey } from "~/utils/crypto.server";
import { canonicalJson } from "~/lib/canonical-json";
import { getMasterKey } from "~/utils/keys.server";
import { bangkokDateKey, formatThaiDate, toArabicDigits, toBuddhistYear, type Lang } from "~/lib/thai-date";
import type { Executor } from "../../../db/connection";
import { dialectOf } from "../../../db/dialects";

export type AuditAction =
  | "report.create"
  | "report.view"
  | "report.download"
  | "report.export"
  | "report.status"
  | "report.message"
  | "report.tag"
  | "report.purge"
  | "reporter.message"
  | "settings.update"
  | "login.totp"
  | "totp.setup"
  | (string & {});

export interface AuditInput {
  actorId: number | null;
  actorRole: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string | number | null;
  details?: Record<string, unknown>;
  /** When it happened, if not now: a Bangkok date alone for what a reporter did (their times are kept by day only). */
  at?: string;
}

export const GENESIS_HASH = "0".repeat(64);

let cachedKey: { master: Buffer; key: Buffer } | null = null;
function auditKey(): Buffer {
  const master = getMasterKey();
  if (!cachedKey || cachedKey.master !== master) {
    cachedKey = { master, key: Buffer.from(deriveKey(master.toString("base64url"), "audit-chain"), "base64url") };
  }
  return cachedKey.key;
}

type Hashed = Pick<AuditEntry, "id" | "at" | "actor_id" | "actor_role" | "action" | "target_type" | "target_id" | "details" | "prev_hash">;

/** The hash an entry must carry. */
export function computeAuditHash(e: Hashed): string {
  const body = canonicalJson({
    id: e.id,
    at: e.at,
    actor_id: e.actor_id,
    actor_role: e.actor_role,
    action: e.action,
    target_type: e.target_type,
    target_id: e.target_id,
    details: e.details,
  });
  return crypto.createHmac("sha256", auditKey()).update(`${e.prev_hash}\n${body}`).digest("hex");
}

async function appendIn(trx: Executor, input: AuditInput): Promise<AuditEntry> {
  // The mark first: on PostgreSQL it also makes concurrent appends wait their turn (SQLite has one writer anyway).
  const mark = await dialectOf(trx).idMark(trx, "audit_log", { lock: true });
  const last = await trx.selectFrom("audit_log").select(["id", "hash"]).orderBy("id", "desc").limit(1).executeTakeFirst();
  const id = Math.max(last?.id ?? 0, mark) + 1;
  const entry: Hashed = {
    id,
    at: input.at ?? nowIso(),
    actor_id: input.actorId,
    actor_role: input.actorRole,
    action: input.action,
    target_type: input.targetType,
    target_id: input.targetId === null || input.targetId === undefined ? null : String(input.targetId),
    details: canonicalJson(input.details ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = computeAuditHash(entry);
  await trx
    .insertInto("audit_log")
    .values({ ...entry, hash })
    .execute();
  return { ...entry, hash };
}

/**
 * Appends an entry. Inside the caller's transaction when given one (so the entry commits or rolls back with the
 * change it records); otherwise in its own transaction. SQLite runs one write transaction at a time, and prev_hash
 * is UNIQUE, so entries always form a single chain.
 */
export async function appendAudit(db: Executor, input: AuditInput): Promise<AuditEntry> {
  if (db.isTransaction) return appendIn(db, input);
  return (db as Kysely<Database>).transaction().execute((trx) => appendIn(trx, input));
}

export interface AuditVerification {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  /** The first entry whose hash or link is wrong (or, when the newest entries were removed, the first missing id). */
  firstBadId?: number;
  /**
   * hash / link / truncated: what the chain itself shows. Against a saved head (verifyAuditChain's `head`): entry
   * head.id is missing and the log ends before it → "truncated" (firstBadId = the first missing id); entry head.id is
   * present with another hash, or missing although later entries exist → "rewritten" (firstBadId = head.id: that
   * entry and every entry before it can no longer be trusted).
   */
  reason?: "hash" | "link" | "truncated" | "rewritten";
}

/** A chain head kept off the server (log book, e-mail): the id of an entry and the hash it had. */
export interface SavedAuditHead {
  id: number;
  hash: string;
}

/**
 * Walks the whole chain in id order (in batches) and checks every hash and link. With `head` (a head saved earlier,
 * see parseAuditHead), also checks that entry head.id still exists with exactly head.hash — which catches an operator
 * who holds the master key and rewrote or truncated the chain with valid hashes.
 */
export async function verifyAuditChain(
  db: Executor,
  { batch = 1000, head }: { batch?: number; head?: SavedAuditHead | null } = {},
): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  let hashAtHead: string | null = null;
  for (;;) {
    const rows = await db.selectFrom("audit_log").selectAll().where("id", ">", lastId).orderBy("id").limit(batch).execute();
    for (const r of rows) {
      if (r.prev_hash !== prev) return { ok: false, checked, firstBadId: r.id, reason: "link" };
      if (computeAuditHash(r) !== r.hash) return { ok: false, checked, firstBadId: r.id, reason: "hash" };
      if (head && r.id === head.id) hashAtHead = r.hash;
      prev = r.hash;
      lastId = r.id;
      checked++;
    }
    if (rows.length < batch) break;
  }
  const mark = await dialectOf(db).idMark(db, "audit_log");
  if (mark > lastId) return { ok: false, checked, firstBadId: lastId + 1, reason: "truncated" };
  if (head) {
    if (hashAtHead === null) {
      // Gone: cut off at the end (sqlite_sequence can be reset by whoever holds the file), or removed and re-chained.
      if (lastId < head.id) return { ok: false, checked, firstBadId: lastId + 1, reason: "truncated" };
      return { ok: false, checked, firstBadId: head.id, reason: "rewritten" };
    }
    if (!timingSafeEqualHex(hashAtHead, head.hash)) return { ok: false, checked, firstBadId: head.id, reason: "rewritten" };
  }
  return { ok: true, checked };
}

function timingSafeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The newest entry of the log. */
export interface AuditHead {
  id: number;
  hash: string;
  /** ISO time of the entry. */
  at: string;
}

/** The chain head (newest entry), or null when the log is empty. */
export async function auditHead(db: Executor): Promise<AuditHead | null> {
  const row = await db.selectFrom("audit_log").select(["id", "hash", "at"]).orderBy("id", "desc").limit(1).executeTakeFirst();
  return row ?? null;
}

/** Number of entries in the log. */
export async function auditEntryCount(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export const AUDIT_HEAD_PREFIX = "sujarit-audit-head";

/** Bangkok date of an instant on the Buddhist calendar, "2569-12-03". */
function buddhistDateKey(d: Date): string {
  const key = bangkokDateKey(d);
  return `${toBuddhistYear(Number(key.slice(0, 4)))}${key.slice(4)}`;
}

/**
 * One line to copy into the supervisor's log book (or an e-mail), e.g.
 * `sujarit-audit-head 1234 9f3a…(64 hex) 2569-12-03 (3 ธันวาคม 2569 เวลา 14:05 น.)`: the newest entry's id and hash,
 * its Bangkok date on the Buddhist calendar, and that date and time written out in `lang`. parseAuditHead reads it.
 */
export function formatAuditHead(head: { id: number; hash: string; at: string | Date }, lang: Lang = "th"): string {
  const at = new Date(head.at);
  return `${AUDIT_HEAD_PREFIX} ${head.id} ${head.hash.toLowerCase()} ${buddhistDateKey(at)} (${formatThaiDate(at, lang, { withTime: true })})`;
}

/** The short form for a command line: `1234:9f3a…`. */
export function shortAuditHead(head: SavedAuditHead): string {
  return `${head.id}:${head.hash.toLowerCase()}`;
}

const HEAD_ID_HASH = String.raw`(\d{1,15})\s*[:\s]\s*((?:[0-9a-f]\s*){63}[0-9a-f])`;
const FULL_HEAD = new RegExp(
  String.raw`^${AUDIT_HEAD_PREFIX}\s+${HEAD_ID_HASH}(?:\s+(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*\([^()]*\))?)?$`,
  "i",
);
const SHORT_HEAD = new RegExp(String.raw`^${HEAD_ID_HASH}$`, "i");

/**
 * Reads a saved head: the line formatAuditHead prints (the date part optional), `1234:9f3a…` or `1234 9f3a…`.
 * Tolerant of extra spaces (also inside the hash, as someone may copy it by hand in groups), upper case and Thai
 * digits; null for anything else (a hash that is not exactly 64 hex digits, a zero id, other text).
 */
export function parseAuditHead(text: string): (SavedAuditHead & { date?: string }) | null {
  if (typeof text !== "string" || text.length > 500) return null;
  const s = toArabicDigits(text.normalize("NFKC")).trim().replace(/\s+/g, " ");
  const m = FULL_HEAD.exec(s) ?? SHORT_HEAD.exec(s);
  if (!m) return null;
  const id = Number(m[1]);
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const hash = m[2].replace(/\s+/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) return null;
  if (m[3] === undefined) return { id, hash };
  const month = Number(m[4]);
  const day = Number(m[5]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return { id, hash, date: `${m[3]}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}` };
}

export interface AuditListFilter {
  limit?: number;
  /** Entries older than this id (paging backwards). */
  beforeId?: number;
  targetType?: string;
  targetId?: string;
  action?: string;
  /** Leave out entries about individual reports (only their recipients may read those: app/models/report/channel-audit.server.ts). */
  withoutReportEntries?: boolean;
}

/** Newest first. For the audit page, with `withoutReportEntries` (entries about a report are its recipients' alone). */
export async function listAudit(db: Executor, f: AuditListFilter = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit_log").selectAll();
  if (f.withoutReportEntries) q = q.where("target_type", "!=", "report");
  if (f.beforeId) q = q.where("id", "<", f.beforeId);
  if (f.targetType) q = q.where("target_type", "=", f.targetType);
  if (f.targetId) q = q.where("target_id", "=", f.targetId);
  if (f.action) q = q.where("action", "=", f.action);
  return q
    .orderBy("id", "desc")
    .limit(Math.min(Math.max(f.limit ?? 50, 1), 1000))
    .execute();
}
