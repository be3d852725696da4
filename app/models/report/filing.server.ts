/**
 * Filing a corruption or misconduct report (measure 28), in one transaction:
 *
 * - the recipients are decided and fixed (recipients.server.ts): the report key is wrapped for each of them (HPKE to
 *   their public key: nobody needs to be signed in), for the reporter (a key pair derived from the receipt) and decoys
 *   fill the rows up to the size of the list, so the database says neither who can read it nor who cannot;
 * - the submission (mode, recipients and exclusions, every field) and the files are encrypted with the report key;
 *   photos lose their metadata, files their names unless the reporter kept them, sizes are padded;
 * - the date is kept, not the time; the audit entry and the recipients' e-mail wait for the next random batch;
 * - the receipt (16 digits) is returned once and never stored (only the lookup half of its argon2id);
 * - the same submission key twice returns the first report without a receipt.
 */
import type { Kysely, Transaction } from "kysely";
import type { Database, ReportMode } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { isUniqueViolation } from "../../../db/dialects/errors";
import { now } from "~/utils/clock.server";
import { sha256Hex } from "~/utils/crypto.server";
import { DomainError } from "~/lib/domain-error";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { bangkokDateKey } from "~/lib/thai-date";
import { computeDueAt } from "~/models/deadlines";
import { generateReceipt } from "~/lib/report-receipt";
import { canonicalSubmissionText } from "~/lib/report-proof";
import { isSubmissionKey, textProblem } from "~/lib/validation";
import { hashReceipt } from "~/models/report/receipt-hash.server";
import { decoyWrappedKey, newReportKey, personKeysFromSeed, sealJson, wrapReportKeyFor, type WrappedKey } from "./crypto.server";
import { sealHolders } from "./holders.server";
import { decideRecipients, recipientCandidates, sealedRecipients, type RecipientDecision } from "./recipients.server";
import { prepareReportUploads, removeStoredFiles, storeReportFiles, type ReportUpload } from "./files.server";
import { queueReporterActivity } from "./channel-audit.server";
import { queueRecipientNotices } from "./notifications.server";
import {
  channelSettings,
  cleanText,
  FIELD_LIMITS,
  formatReportPublicId,
  ReportInputError,
  reportAad,
  type ReportFields,
  type SealedSubmission,
} from "./shared.server";

export interface CreateReportInput {
  mode: ReportMode;
  /** The integrity officers (default), or only the alternate recipient. */
  recipient: "integrity" | "alternate";
  /** Staff ids on the recipient list that the reporter says the report concerns. */
  excluded?: readonly number[];
  /** The reporter saw the names found in the text (previewRecipients) and confirmed `excluded` knowing them. */
  namesConfirmed?: boolean;
  fields: ReportFields;
  uploads: ReportUpload[];
  /** Keep the evidence files' own names (otherwise "evidence-1.jpg", …). */
  keepFileNames?: boolean;
  submissionKey: string;
}

export interface CreatedReport {
  id: number;
  publicId: string;
  /** The plain receipt (16 digits), returned once and never stored; null for a duplicate post. */
  receipt: string | null;
  /** Bangkok date of receipt ("YYYY-MM-DD"). */
  receivedAt: string;
  /** sha256 hex of the canonical submission (proof of filing). */
  digest: string;
  duplicate: boolean;
  /** Who received it (names as at filing); empty for a duplicate post. */
  recipients: { name: string; alternate: boolean }[];
}

/** Nobody is left to receive the report (everyone was excluded, or nobody can receive reports yet). Nothing was stored. */
export class NoRecipientError extends DomainError {
  constructor() {
    super(422, "report:errors.noRecipient", { field: "recipients" });
    this.name = "NoRecipientError";
  }
}

/** Cleans and checks the fields; identity fields are dropped unless the mode is confidential. */
export function normalizeReportFields(mode: ReportMode, fields: ReportFields): ReportFields {
  const out: Partial<ReportFields> = {};
  for (const key of Object.keys(FIELD_LIMITS) as (keyof ReportFields)[]) {
    if ((key === "reporterName" || key === "reporterContact") && mode !== "confidential") continue;
    const multiline = key === "whatHappened" || key === "howKnown" || key === "reportedElsewhere";
    const v = cleanText(fields[key], multiline);
    const problem = textProblem(v, FIELD_LIMITS[key], false);
    if (problem) throw new ReportInputError(key, problem.key, problem.params ?? {});
    if (v) out[key] = v;
  }
  if (!out.whatHappened) throw new ReportInputError("whatHappened", "errors.required");
  return out as ReportFields;
}

/** sha256 hex of the canonical submission (the text the reporter can download and hash themselves). */
export function computeSubmissionDigest(input: {
  receivedAt: string;
  mode: ReportMode;
  fields: ReportFields;
  fileSha256: readonly string[];
}): string {
  return sha256Hex(
    canonicalSubmissionText({ receivedAt: input.receivedAt, mode: input.mode, fields: input.fields, files: [...input.fileSha256] }),
  );
}

/** Who would receive a report with these choices and fields (for the form, before anything is stored). */
export async function previewRecipients(
  db: Kysely<Database> | Transaction<Database>,
  choice: { recipient: "integrity" | "alternate"; excluded?: readonly number[]; namesConfirmed?: boolean },
  fields: ReportFields,
): Promise<RecipientDecision> {
  return decideRecipients(
    await recipientCandidates(db),
    { requested: choice.recipient, excludedByReporter: choice.excluded ?? [], namesConfirmed: choice.namesConfirmed === true },
    fields,
  );
}

const submissionKeyHash = (key: string) => sha256Hex(`report-submission:${key}`);

async function duplicateOf(db: Kysely<Database> | Transaction<Database>, keyHash: string): Promise<CreatedReport | null> {
  const r = await db
    .selectFrom("reports")
    .select(["id", "public_id", "received_at", "submission_digest"])
    .where("submission_key_hash", "=", keyHash)
    .executeTakeFirst();
  if (!r) return null;
  return {
    id: r.id,
    publicId: r.public_id,
    receipt: null,
    receivedAt: r.received_at,
    digest: r.submission_digest,
    duplicate: true,
    recipients: [],
  };
}

function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Files a report (see the module comment). Throws NoRecipientError, ReportInputError or UploadRejectedError. */
export async function createReport(db: Kysely<Database>, input: CreateReportInput): Promise<CreatedReport> {
  return attempt(db, input, 1);
}

async function attempt(db: Kysely<Database>, input: CreateReportInput, n: number): Promise<CreatedReport> {
  if (!isSubmissionKey(input.submissionKey)) throw new ReportInputError("submissionKey", "errors.expired");
  if (input.mode !== "anonymous" && input.mode !== "confidential") throw new ReportInputError("mode", "errors.invalidChoice");
  if (input.recipient !== "integrity" && input.recipient !== "alternate") throw new ReportInputError("recipient", "errors.invalidChoice");
  const keyHash = submissionKeyHash(input.submissionKey);
  const existing = await duplicateOf(db, keyHash);
  if (existing) return existing;

  const fields = normalizeReportFields(input.mode, input.fields);
  const files = await prepareReportUploads(input.uploads ?? []);
  const decision = await previewRecipients(db, input, fields);
  if (decision.recipients.length === 0) throw new NoRecipientError();

  const receipt = generateReceipt();
  const reporterSecret = await hashReceipt(receipt, { purpose: "filing" });
  const reporter = await personKeysFromSeed(reporterSecret.seed);
  reporterSecret.seed.fill(0);
  const key = newReportKey();
  const written: string[] = [];
  try {
    return await inTransaction(db, async (trx) => {
      const at = now();
      const day = bangkokDateKey(at);
      const settings = await channelSettings(trx);
      // The list may have changed since the decision (an officer added or disabled): decide again on what is current.
      const current = await previewRecipients(trx, input, fields);
      if (current.recipients.length === 0) throw new NoRecipientError();
      const fiscalYear = fiscalYearOf(at);
      const last = await trx
        .selectFrom("reports")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("fiscal_year", "=", fiscalYear)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      const publicId = formatReportPublicId(fiscalYear, seq);
      const digest = computeSubmissionDigest({ receivedAt: day, mode: input.mode, fields, fileSha256: files.map((f) => f.originalSha256) });
      const sealed: SealedSubmission = {
        v: 2,
        mode: input.mode,
        requestedRecipient: input.recipient,
        recipients: sealedRecipients(current),
        excluded: current.excluded,
        fields,
      };
      const wraps: WrappedKey[] = [];
      for (const r of current.recipients) wraps.push(await wrapReportKeyFor(r.publicKey, key, publicId));
      while (wraps.length < current.listSize) wraps.push(decoyWrappedKey());
      const reporterWrap = await wrapReportKeyFor(reporter.publicKey, key, publicId);
      const ackDue = bangkokDateKey(computeDueAt(at, { resolveDays: settings.ack_days, mode: "calendar", dueSoonDays: 0 }));

      const row = await trx
        .insertInto("reports")
        .values({
          public_id: publicId,
          receipt_hash: reporterSecret.lookup,
          receipt_scheme: 2,
          submission_key_hash: keyHash,
          status: "received",
          finding: null,
          referred_to: null,
          wrapped_key: "",
          envelope: sealJson(key, sealed, reportAad.submission(publicId)),
          holders: sealHolders(
            key,
            publicId,
            sealedRecipients(current).map((r) => ({ ...r, via: "filing" as const })),
          ),
          submission_digest: digest,
          received_at: day,
          fiscal_year: fiscalYear,
          seq,
          ack_due_at: ackDue,
          last_feedback_at: null,
          closed_at: null,
          purged_at: null,
          created_at: day,
          updated_at: day,
          reporter_pub: reporter.publicKey.toString("base64url"),
          reporter_enc: reporterWrap.enc,
          reporter_wrapped: reporterWrap.wrapped,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const w of shuffled(wraps)) {
        await trx
          .insertInto("report_keys")
          .values({ report_id: row.id, tag_pub: w.tagPub, view_tag: w.viewTag, enc: w.enc, wrapped: w.wrapped })
          .execute();
      }
      await storeReportFiles(trx, { id: row.id, publicId, key }, files, {
        messageId: null,
        createdAt: day,
        keepNames: input.keepFileNames === true,
        written,
      });
      await trx
        .insertInto("report_events")
        .values({ report_id: row.id, from_status: null, to_status: "received", note_envelope: null, created_at: day })
        .execute();
      const open = { id: row.id, publicId, key };
      await queueReporterActivity(trx, open, "report.create", {
        attachments: files.length,
        recipients: current.recipients.map((r) => r.id),
        excluded: current.excluded,
      });
      await queueRecipientNotices(
        trx,
        current.recipients.map((r) => r.id),
        "new",
      );
      return {
        id: row.id,
        publicId,
        receipt,
        receivedAt: day,
        digest,
        duplicate: false,
        recipients: current.recipients.map((r) => ({ name: r.name, alternate: r.alternate })),
      } satisfies CreatedReport;
    });
    // Deliberately not logged: a log line with a time and a report id would help match a report to a visitor.
  } catch (e) {
    await removeStoredFiles(written, { db });
    if (isUniqueViolation(e, "submission_key_hash")) {
      const again = await duplicateOf(db, keyHash);
      if (again) return again;
    }
    if (n < 3 && (isUniqueViolation(e, "receipt_hash") || isUniqueViolation(e, "reports.fiscal_year"))) return attempt(db, input, n + 1);
    throw e;
  } finally {
    key.fill(0);
  }
}
