/**
 * The reporter's side: signing in with the receipt, reading the conversation, adding information and evidence,
 * downloading the submission in its canonical form (to recompute the proof-of-filing digest).
 *
 * The receipt's argon2id gives the lookup hash and the seed of the reporter's key pair, which opens the reporter's
 * wrapped copy of the report key (filing.server.ts). The opened key travels only in the sealed inbox cookie.
 * Reports filed before per-recipient keys (migration 0800): the first sign-in moves the receipt to the new scheme and
 * records the reporter's public key; the conversation opens again once a recipient has opened the report (which
 * wraps the key for the reporter, casework.server.ts).
 */
import type { Kysely } from "kysely";
import type { Database, Report, ReportStatus } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { bangkokDateKey } from "~/lib/thai-date";
import { normalizeReceipt } from "~/lib/report-receipt";
import { canonicalSubmissionText } from "~/lib/report-proof";
import { publicReportStage, type PublicReportStage } from "~/lib/report-status";
import { hashReceipt, hashReceiptLegacy, type HashPriority } from "~/models/report/receipt-hash.server";
import { openJson, personKeysFromSeed, sealJson, unwrapReportKey } from "./crypto.server";
import { openHolders } from "./holders.server";
import { fileMetaOf, prepareReportUploads, removeStoredFiles, storeReportFiles, type ReportUpload } from "./files.server";
import { queueReporterActivity } from "./channel-audit.server";
import { queueRecipientNotices } from "./notifications.server";
import {
  cleanMessage,
  ReportInputError,
  ReportNotFoundError,
  reportAad,
  type Executor,
  type MessageBody,
  type SealedSubmission,
} from "./shared.server";

const PLACEHOLDER_RECEIPT = "0000000000000000";

export interface ReporterAccess {
  report: Report;
  /** The report key, or null while a report from before migration 0800 waits for a recipient to re-wrap it. */
  key: Buffer | null;
}

async function hasLegacyReceipts(db: Executor): Promise<boolean> {
  const row = await db
    .selectFrom("reports")
    .select("id")
    .where("receipt_scheme", "=", 1)
    .where("purged_at", "is", null)
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/**
 * The report for a receipt, with its key, or null. Always one argon2id (also for malformed input, so every answer
 * costs the same) and one indexed lookup; a second argon2id only while reports from before migration 0800 remain
 * whose reporter has not signed in since. Purged reports are not found. Throws ReceiptHashBusyError (before any
 * hashing, whatever the receipt) when the lookup queue is full; `priority` "first" for a client without recent
 * failures of its own (receipt-hash.server.ts).
 */
export async function findReportByReceipt(
  db: Kysely<Database>,
  receipt: unknown,
  opts: { priority?: HashPriority } = {},
): Promise<ReporterAccess | null> {
  const normalized = normalizeReceipt(receipt);
  const secret = await hashReceipt(normalized ?? PLACEHOLDER_RECEIPT, { purpose: "lookup", priority: opts.priority });
  try {
    if (!normalized) return null;
    const row = await db.selectFrom("reports").selectAll().where("receipt_hash", "=", secret.lookup).executeTakeFirst();
    if (row) {
      if (row.purged_at) return null;
      return { report: row, key: await reporterKey(row, secret.seed) };
    }
    if (!(await hasLegacyReceipts(db))) return null;
    const legacy = await db
      .selectFrom("reports")
      .selectAll()
      .where("receipt_hash", "=", await hashReceiptLegacy(normalized))
      .where("receipt_scheme", "=", 1)
      .executeTakeFirst();
    if (!legacy || legacy.purged_at) return null;
    const keys = await personKeysFromSeed(secret.seed);
    await db
      .updateTable("reports")
      .set({ receipt_hash: secret.lookup, receipt_scheme: 2, reporter_pub: keys.publicKey.toString("base64url") })
      .where("id", "=", legacy.id)
      .execute();
    return { report: { ...legacy, receipt_hash: secret.lookup, receipt_scheme: 2 }, key: null };
  } finally {
    secret.seed.fill(0);
  }
}

async function reporterKey(row: Report, seed: Buffer): Promise<Buffer | null> {
  if (!row.reporter_enc || !row.reporter_wrapped) return null;
  const keys = await personKeysFromSeed(seed);
  return unwrapReportKey(keys, { enc: row.reporter_enc, wrapped: row.reporter_wrapped }, row.public_id);
}

async function loadReport(db: Executor, reportId: number): Promise<Report> {
  const r = await db.selectFrom("reports").selectAll().where("id", "=", reportId).executeTakeFirst();
  if (!r || r.purged_at) throw new ReportNotFoundError();
  return r;
}

export interface ReporterView {
  publicStage: PublicReportStage;
  status: ReportStatus;
  /** Bangkok date. */
  receivedAt: string;
  closedAt: string | null;
  /** False while the conversation waits for a recipient to re-wrap the key (reports from before migration 0800). */
  readable: boolean;
  messages: { author: "reporter" | "officer"; text: string; at: string; attachments: number }[];
  attachmentsCount: number;
}

/**
 * What the reporter sees in the inbox: the stage in plain words, the conversation (officers are never named) and how
 * many files they have sent. Officers' messages are marked as seen.
 */
export async function reporterView(db: Kysely<Database>, reportId: number, key: Buffer | null): Promise<ReporterView> {
  const r = await loadReport(db, reportId);
  const [messages, files] = await Promise.all([
    db.selectFrom("report_messages").selectAll().where("report_id", "=", r.id).orderBy("id").execute(),
    db.selectFrom("report_attachments").select(["id", "message_id"]).where("report_id", "=", r.id).execute(),
  ]);
  const perMessage = new Map<number, number>();
  for (const f of files) if (f.message_id !== null) perMessage.set(f.message_id, (perMessage.get(f.message_id) ?? 0) + 1);
  const base = {
    publicStage: publicReportStage(r.status),
    status: r.status,
    receivedAt: r.received_at,
    closedAt: r.closed_at,
    attachmentsCount: files.length,
  };
  if (!key) return { ...base, readable: false, messages: [] };
  const unseen = messages.filter((m) => m.author === "officer" && m.seen === 0).map((m) => m.id);
  if (unseen.length > 0) await db.updateTable("report_messages").set({ seen: 1 }).where("id", "in", unseen).execute();
  return {
    ...base,
    readable: true,
    messages: messages.map((m) => ({
      author: m.author,
      text: openJson<MessageBody>(key, m.envelope, reportAad.message(r.public_id)).text,
      at: m.created_at,
      attachments: perMessage.get(m.id) ?? 0,
    })),
  };
}

/** The reporter adds information and/or evidence (one transaction; queued for the audit log; holders told in the next batch). */
export async function addReporterMessage(
  db: Kysely<Database>,
  access: { reportId: number; key: Buffer | null },
  text: string,
  uploads: readonly ReportUpload[] = [],
  opts: { keepFileNames?: boolean } = {},
): Promise<{ messageId: number }> {
  const clean = cleanMessage(text, "message", { required: uploads.length === 0 });
  if (!access.key) throw new ReportInputError("message", "errors.inboxLocked");
  const key = access.key;
  const files = await prepareReportUploads(uploads);
  const written: string[] = [];
  try {
    return await inTransaction(db, async (trx) => {
      const r = await loadReport(trx, access.reportId);
      if (r.status === "closed") throw new ReportInputError("message", "errors.closed");
      const day = bangkokDateKey(now());
      const m = await trx
        .insertInto("report_messages")
        .values({
          report_id: r.id,
          author: "reporter",
          envelope: sealJson(key, { text: clean } satisfies MessageBody, reportAad.message(r.public_id)),
          created_at: day,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await storeReportFiles(trx, { id: r.id, publicId: r.public_id, key }, files, {
        messageId: m.id,
        createdAt: day,
        keepNames: opts.keepFileNames === true,
        written,
      });
      const open = { id: r.id, publicId: r.public_id, key };
      await queueReporterActivity(trx, open, "reporter.message", { messageId: m.id, attachments: files.length });
      await queueRecipientNotices(
        trx,
        openHolders(key, r.public_id, r.holders).map((h) => h.id),
        "update",
      );
      return { messageId: m.id };
    });
  } catch (e) {
    await removeStoredFiles(written, { db });
    throw e;
  }
}

/**
 * The submission exactly as digested for the proof of filing (canonical JSON text, see app/lib/report-proof.ts):
 * sha256 of this text is the digest on the proof.
 */
export async function reporterSubmissionText(db: Kysely<Database>, reportId: number, key: Buffer): Promise<string> {
  const r = await loadReport(db, reportId);
  const sealed = openJson<SealedSubmission>(key, r.envelope, reportAad.submission(r.public_id));
  const first = await db
    .selectFrom("report_attachments")
    .selectAll()
    .where("report_id", "=", r.id)
    .where("message_id", "is", null)
    .orderBy("id")
    .execute();
  return canonicalSubmissionText({
    receivedAt: sealed.digestReceivedAt ?? r.received_at,
    mode: sealed.mode,
    fields: sealed.fields,
    files: first.map((f) => fileMetaOf(key, r.public_id, f).originalSha256 ?? ""),
  });
}
