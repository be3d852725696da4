/**
 * Evidence kept across a rejected report form ("nothing typed is lost") WITHOUT ever resting in the clear
 * and without the server being able to read it on its own.
 *
 * - On a rejected post, every evidence file that passed prepareReportUpload is encrypted (AES-256-GCM, encryptFile,
 *   padded to a size class) with a FRESH random 32-byte key and stored (ciphertext only) in the file store under
 *   reports/pending/<random> (app/utils/file-store.server.ts: under DATA_DIR, or in the database); a row in
 *   report_pending_uploads (random 128-bit id, storage id, size class, hour) holds the name/type/choice encrypted with the
 *   same key. The key is not stored: it is returned to the reporter's browser inside the re-rendered form as a hidden
 *   field `keptEvidence` = "<id>.<base64url key>". Associated data binds the ciphertexts to their id.
 * - On the next post, each token is looked up and decrypted with the key from the form. An unknown, expired or
 *   tampered token (wrong key, altered ciphertext) is reported as "missing": the reporter is asked to choose the file
 *   again, never a 500.
 * - Used and removed files are deleted at once; anything older than 24 h is deleted by cleanupReportPending (run at
 *   most once an hour from the form's action).
 *
 * Nothing here logs names, sizes or ids of files.
 */
import crypto from "node:crypto";
import { inTransaction, type Executor } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { sha256Hex } from "~/utils/crypto.server";
import { log, errorFields } from "~/utils/logger.server";
import { fileKeys, fileRemoval, fileStore, PENDING_EVIDENCE_PREFIX } from "~/utils/file-store.server";
import { decryptFile, encryptFile, openJson, paddedSize, sealJson } from "./crypto.server";
import { preparedReportUpload, type PreparedFile, type ReportUpload } from "./files.server";
import { REPORT_LIMITS } from "./shared.server";
import { siteMemo } from "~/utils/site-context.server";

/** Kept evidence older than this is deleted. */
export const REPORT_PENDING_MAX_AGE_MS = 24 * 3600 * 1000;

/** What is sealed with the file's key next to it. */
interface PendingMeta {
  name: string;
  mime: string;
  keptOriginal: boolean;
  /** sha256 of the bytes the reporter uploaded (for the proof of filing). */
  originalSha256: string;
}

/** A kept file as the form shows it (token goes into the hidden field; id into the "remove" checkbox). */
export interface KeptEvidence {
  id: string;
  token: string;
  name: string;
  size: number;
}

/** A kept file restored for createReport. */
export interface RestoredEvidence extends KeptEvidence {
  upload: ReportUpload;
}

const ID = /^[A-Za-z0-9_-]{22}$/;
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const STORAGE = /^[0-9a-f]{32}$/;

const aad = {
  file: (id: string) => `report-pending:${id}:file`,
  meta: (id: string) => `report-pending:${id}:meta`,
};

/** The id part of a keptEvidence token, or null when the token is malformed. */
export function pendingIdOf(token: unknown): string | null {
  if (typeof token !== "string") return null;
  return TOKEN.exec(token)?.[1] ?? null;
}

/** True for a well-formed pending id (for `removeEvidence`). */
export function isPendingEvidenceId(x: unknown): x is string {
  return typeof x === "string" && ID.test(x);
}

/**
 * Encrypts one prepared upload with a fresh key and stores it. Returns the token for the form (the only copy of the
 * key). `originalSha256` is the sha256 of the bytes as uploaded (before cleaning).
 */
export async function keepEvidence(db: Executor, upload: ReportUpload, originalSha256: string): Promise<KeptEvidence> {
  const id = crypto.randomBytes(16).toString("base64url");
  const key = crypto.randomBytes(32);
  const storageId = crypto.randomBytes(16).toString("hex");
  const meta: PendingMeta = { name: upload.name, mime: upload.mime, keptOriginal: upload.keptOriginal, originalSha256 };
  const fileKey = fileKeys.pendingEvidence(storageId);
  const sealed = encryptFile(key, upload.bytes, aad.file(id));
  try {
    // With the store in the database the file and its row commit together; on disk the file is complete first.
    await inTransaction(db, async (trx) => {
      await fileStore().put(fileKey, sealed, { db: trx });
      await trx
        .insertInto("report_pending_uploads")
        .values({
          id,
          storage_id: storageId,
          size: paddedSize(upload.bytes.length),
          meta_envelope: sealJson(key, meta, aad.meta(id)),
          // To the hour: enough for the 24-hour clean-up, too coarse to time the reporter by.
          created_at: `${now().toISOString().slice(0, 13)}:00:00.000Z`,
        })
        .execute();
    });
  } catch (e) {
    await fileRemoval.afterCommit([fileKey], db);
    throw e;
  }
  const token = `${id}.${key.toString("base64url")}`;
  key.fill(0);
  return { id, token, name: upload.name, size: upload.bytes.length };
}

/**
 * Restores kept files from their tokens (duplicates dropped, at most maxFiles × 2 looked at). Each one is decrypted
 * with the key from its token and handed back as an upload for createReport. Malformed, unknown, expired and
 * tampered tokens are counted in `missing` (their rows are left alone: a wrong key proves nothing about the owner).
 */
export async function restoreKeptEvidence(
  db: Executor,
  tokens: readonly unknown[],
): Promise<{ found: RestoredEvidence[]; missing: number }> {
  const unique = [...new Set(tokens.filter((x): x is string => typeof x === "string" && x !== ""))];
  const parsed = unique
    .map((t) => ({ t, m: TOKEN.exec(t) }))
    .filter((x) => x.m !== null)
    .slice(0, REPORT_LIMITS.maxFiles * 2);
  let missing = unique.length - parsed.length;
  if (parsed.length === 0) return { found: [], missing };
  const cutoff = new Date(now().getTime() - REPORT_PENDING_MAX_AGE_MS).toISOString();
  const rows = await db
    .selectFrom("report_pending_uploads")
    .selectAll()
    .where(
      "id",
      "in",
      parsed.map((x) => x.m![1]),
    )
    .where("created_at", ">", cutoff)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const found: RestoredEvidence[] = [];
  const seen = new Set<string>();
  for (const { t, m } of parsed) {
    const id = m![1];
    const row = byId.get(id);
    if (!row || seen.has(id)) {
      missing++;
      continue;
    }
    try {
      const key = Buffer.from(m![2], "base64url");
      if (key.length !== 32) throw new Error("bad key length");
      const meta = openJson<PendingMeta>(key, row.meta_envelope, aad.meta(id));
      const sealed = await fileStore().get(fileKeys.pendingEvidence(row.storage_id), { db });
      if (!sealed) throw new Error("kept file missing");
      const bytes = decryptFile(key, sealed, aad.file(id));
      key.fill(0);
      found.push({ id, token: t, name: meta.name, size: bytes.length, upload: await restoreUpload(bytes, meta) });
      seen.add(id);
    } catch {
      // Wrong key, altered row or file, file gone: the reporter chooses the file again.
      missing++;
    }
  }
  return { found, missing };
}

/**
 * A restored file as an upload createReport accepts. Its bytes were checked and cleaned by prepareReportUpload on the
 * first post and have been encrypted since, so they are used as they are (not re-encoded), and the proof of filing
 * covers the digest of what the reporter first uploaded.
 */
async function restoreUpload(bytes: Buffer, meta: PendingMeta): Promise<ReportUpload> {
  return preparedReportUpload({
    bytes,
    name: meta.name,
    mime: meta.mime as PreparedFile["mime"],
    keptOriginal: meta.keptOriginal,
    originalSha256: meta.originalSha256,
  });
}

/** Deletes pending rows and their files by id (used or removed files). */
export async function discardKeptEvidence(db: Executor, ids: readonly unknown[]): Promise<number> {
  const valid = [...new Set(ids.filter(isPendingEvidenceId))].slice(0, 100);
  if (valid.length === 0) return 0;
  const rows = await db.selectFrom("report_pending_uploads").select(["id", "storage_id"]).where("id", "in", valid).execute();
  if (rows.length === 0) return 0;
  await deleteRowsAndFiles(db, rows);
  return rows.length;
}

/** Deletes pending rows and their files (in the rows' transaction when the store is the database, else after it). */
async function deleteRowsAndFiles(db: Executor, rows: readonly { id: string; storage_id: string }[]): Promise<void> {
  const keys = rows.filter((r) => STORAGE.test(r.storage_id)).map((r) => fileKeys.pendingEvidence(r.storage_id));
  await inTransaction(db, async (trx) => {
    await trx
      .deleteFrom("report_pending_uploads")
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    await fileRemoval.inTransaction(trx, keys);
  });
  await fileRemoval.afterCommit(keys, db);
}

/** Deletes kept evidence older than `maxAgeMs`, and stray files in the pending folder just as old. */
export async function cleanupReportPending(db: Executor, maxAgeMs = REPORT_PENDING_MAX_AGE_MS): Promise<number> {
  const cutoffMs = now().getTime() - maxAgeMs;
  const cutoff = new Date(cutoffMs).toISOString();
  const old = await db.selectFrom("report_pending_uploads").select(["id", "storage_id"]).where("created_at", "<=", cutoff).execute();
  if (old.length > 0) await deleteRowsAndFiles(db, old);
  // Files without a row (a crash between writing the file and inserting the row; only possible with the disk store).
  const stored = await fileStore().list(PENDING_EVIDENCE_PREFIX, { db, createdAtOrBefore: new Date(cutoffMs) });
  const candidates = stored.map((f) => f.key.slice(PENDING_EVIDENCE_PREFIX.length)).filter((n) => STORAGE.test(n));
  if (candidates.length > 0) {
    const known = new Set(
      (await db.selectFrom("report_pending_uploads").select("storage_id").where("storage_id", "in", candidates).execute()).map(
        (r) => r.storage_id,
      ),
    );
    await fileRemoval.afterCommit(
      candidates.filter((n) => !known.has(n)).map((n) => fileKeys.pendingEvidence(n)),
      db,
    );
  }
  return old.length;
}

/** Runs cleanupReportPending at most once an hour, in the background (called from the report form's action). */
export function maybeCleanupReportPending(db: Executor): void {
  const t = now().getTime();
  const last = siteMemo("report-pending:cleanup", () => ({ at: 0 }));
  if (last.at !== 0 && Math.abs(t - last.at) < 3600_000) return;
  last.at = t;
  void cleanupReportPending(db)
    .then((n) => {
      if (n > 0) log.info("kept report evidence cleaned", { count: n });
    })
    .catch((e) => log.warn("kept report evidence cleanup failed", errorFields(e)));
}

/** sha256 of the uploaded bytes (kept with the file for the proof of filing). */
export function uploadedSha256(data: Uint8Array): string {
  return sha256Hex(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
