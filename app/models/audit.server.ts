/**
 * The audit log of the report channel and of integrity-officer security events: append-only and hash-chained.
 *
 * - Each entry's hash is HMAC-SHA256(audit key, prev_hash | canonical JSON of the entry), where the audit key is
 *   derived from the master key (outside the database). Editing, inserting or removing an entry breaks the chain,
 *   and someone who holds only the database cannot recompute a valid chain after tampering.
 * - The table has triggers that refuse UPDATE and DELETE, and prev_hash is UNIQUE (the chain cannot fork).
 * - Removing the newest entries is caught by comparing the highest id with SQLite's AUTOINCREMENT mark.
 * - details is JSON with operational facts only (ids, statuses, counts) — never report content or identities.
 *
 * `npm run audit -- verify` runs verifyAuditChain (scripts/audit.ts).
 */
import crypto from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import type { AuditEntry, Database } from "../../db/schema";
import { nowIso } from "~/utils/clock.server";
import { deriveKey } from "~/utils/crypto.server";
import { canonicalJson } from "~/lib/canonical-json";
import { getMasterKey } from "~/utils/keys.server";

type Executor = Kysely<Database> | Transaction<Database>;

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
  const last = await trx.selectFrom("audit_log").select(["id", "hash"]).orderBy("id", "desc").limit(1).executeTakeFirst();
  const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'audit_log'`.execute(trx);
  const id = Math.max(last?.id ?? 0, Number(seq.rows[0]?.seq ?? 0)) + 1;
  const entry: Hashed = {
    id,
    at: nowIso(),
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
  reason?: "hash" | "link" | "truncated";
}

/** Walks the whole chain in id order (in batches) and checks every hash and link. */
export async function verifyAuditChain(db: Executor, { batch = 1000 }: { batch?: number } = {}): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom("audit_log").selectAll().where("id", ">", lastId).orderBy("id").limit(batch).execute();
    for (const r of rows) {
      if (r.prev_hash !== prev) return { ok: false, checked, firstBadId: r.id, reason: "link" };
      if (computeAuditHash(r) !== r.hash) return { ok: false, checked, firstBadId: r.id, reason: "hash" };
      prev = r.hash;
      lastId = r.id;
      checked++;
    }
    if (rows.length < batch) break;
  }
  const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'audit_log'`.execute(db);
  const mark = Number(seq.rows[0]?.seq ?? 0);
  if (mark > lastId) return { ok: false, checked, firstBadId: lastId + 1, reason: "truncated" };
  return { ok: true, checked };
}

export interface AuditListFilter {
  limit?: number;
  /** Entries older than this id (paging backwards). */
  beforeId?: number;
  targetType?: string;
  targetId?: string;
  action?: string;
}

/** Newest first. Entries hold no report content, so admins may read them. */
export async function listAudit(db: Executor, f: AuditListFilter = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit_log").selectAll();
  if (f.beforeId) q = q.where("id", "<", f.beforeId);
  if (f.targetType) q = q.where("target_type", "=", f.targetType);
  if (f.targetId) q = q.where("target_id", "=", f.targetId);
  if (f.action) q = q.where("action", "=", f.action);
  return q
    .orderBy("id", "desc")
    .limit(Math.min(Math.max(f.limit ?? 50, 1), 1000))
    .execute();
}
