/**
 * The corruption & misconduct report channel (measure 28): reports, the reporter's inbox, the integrity officers'
 * case work, retention. Kept apart from general complaints in every table, route and e-mail.
 *
 * Protection:
 * - Everything the reporter submits (form fields, identity in confidential mode, messages, attachments and their
 *   names) and the officers' notes and messages are encrypted with the report's own key
 *   (app/models/report-crypto.server.ts); the key is stored only wrapped by the master key (outside the database).
 *   Photos are re-encoded without metadata (EXIF/GPS/device) unless the reporter kept the original after a warning.
 * - The receipt is never stored: only its argon2id hash (app/models/receipt-hash.server.ts), looked up by one hash
 *   and one indexed query.
 * - Only integrity officers can see reports; 'alternate' reports only the alternate recipient
 *   (integrity_settings.alternate_staff_id); staff named in a report (report_exclusions) never. Anything else gets
 *   the same "not found" as a report that does not exist.
 * - Every officer read and write, and every reporter submission, writes an audit entry (no content, no identity).
 * - Notification e-mails say only that something new arrived, with a link.
 * - Nothing here logs content, names, receipts or client addresses.
 */
import { cachedWhileStatsUnchanged } from "./stats.server";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { writeFileDurably } from "~/utils/durable-file.server";
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, Report, ReportMode, ReportRecipient, ReportStatus, ReportTag, Staff } from "../../db/schema";
import { getEnv } from "~/utils/env.server";
import { now } from "~/utils/clock.server";
import { randomToken, sha256Hex } from "~/utils/crypto.server";
import { log, errorFields } from "~/utils/logger.server";
import { tFor, type Lang } from "~/i18n";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { computeDueAt } from "~/lib/sla";
import { LIMITS } from "~/lib/validation";
import { generateReceipt, normalizeReceipt } from "~/lib/receipt";
import {
  applyReportTransition,
  InvalidReportTransitionError,
  isReportTag,
  publicReportStage,
  type PublicReportStage,
  type ReportAction,
  type ReportFinding,
  type ReportReferral,
} from "~/lib/report-status";
import { sanitizeUpload, UploadRejectedError, detectUploadType } from "~/models/attachment.server";
import { isSubmissionKey } from "~/models/complaint.server";
import { enqueueEmail } from "~/models/outbox.server";
import { appendAudit } from "~/models/audit.server";
import { canonicalJson } from "~/lib/canonical-json";
import { hashReceipt } from "~/models/receipt-hash.server";
import { decryptFile, encryptFile, newReportKey, openJson, sealJson, unwrapReportKey, wrapReportKey } from "~/models/report-crypto.server";
import { renderBilingualEmail } from "../../emails/layout";

type Executor = Kysely<Database> | Transaction<Database>;

/** Who is acting, as far as these rules need to know (a Staff row fits). */
export type ReportActor = Pick<Staff, "id" | "role">;

// ---- errors -------------------------------------------------------------------------------------------------------

/** The report does not exist or this person may not see it (routes answer 404; never say which). */
export class ReportNotFoundError extends Error {
  readonly status = 404;
  constructor() {
    super("Report not found");
    this.name = "ReportNotFoundError";
  }
}

/** The person may not use the report channel at all (routes answer 403 or 404). */
export class ReportForbiddenError extends Error {
  readonly status = 403;
  constructor() {
    super("Not allowed");
    this.name = "ReportForbiddenError";
  }
}

/** Bad input (routes answer 422). `messageKey` is an i18n key in the report namespace. */
export class ReportInputError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(`${field}: ${messageKey}`);
    this.name = "ReportInputError";
  }
}

export { UploadRejectedError, InvalidReportTransitionError };

// ---- input --------------------------------------------------------------------------------------------------------

export const REPORT_LIMITS = {
  short: 300,
  whatHappened: 10_000,
  howKnown: 3000,
  reportedElsewhere: 1000,
  reporterName: 200,
  reporterContact: 300,
  message: 5000,
  maxFiles: LIMITS.maxFiles,
  maxFileBytes: LIMITS.maxFileBytes,
  maxTotalBytes: LIMITS.maxTotalBytes,
} as const;

export interface ReportFields {
  involvedName?: string;
  involvedPosition?: string;
  involvedDivision?: string;
  whatHappened: string;
  when?: string;
  where?: string;
  howKnown?: string;
  reportedElsewhere?: string;
  /** Only kept in confidential mode. */
  reporterName?: string;
  /** Only kept in confidential mode. */
  reporterContact?: string;
}

export interface ReportUpload {
  bytes: Buffer;
  name: string;
  mime: string;
  /** The reporter chose to keep the original photo (with its metadata) after the warning. */
  keptOriginal: boolean;
}

export interface CreateReportInput {
  mode: ReportMode;
  recipient: ReportRecipient;
  fields: ReportFields;
  uploads: ReportUpload[];
  submissionKey: string;
}

export interface CreatedReport {
  id: number;
  publicId: string;
  /** The plain receipt (16 digits), returned once and never stored; null for a duplicate post. */
  receipt: string | null;
  receivedAt: string;
  /** sha256 hex of the canonical submission (proof of filing). */
  digest: string;
  duplicate: boolean;
  /** Where the report went (a conflict of interest can route it to the alternate). */
  recipient: ReportRecipient;
}

const FIELD_LIMITS: Record<keyof ReportFields, number> = {
  involvedName: REPORT_LIMITS.short,
  involvedPosition: REPORT_LIMITS.short,
  involvedDivision: REPORT_LIMITS.short,
  whatHappened: REPORT_LIMITS.whatHappened,
  when: REPORT_LIMITS.short,
  where: REPORT_LIMITS.short,
  howKnown: REPORT_LIMITS.howKnown,
  reportedElsewhere: REPORT_LIMITS.reportedElsewhere,
  reporterName: REPORT_LIMITS.reporterName,
  reporterContact: REPORT_LIMITS.reporterContact,
};

function cleanText(v: unknown, multiline: boolean): string {
  if (typeof v !== "string") return "";
  let s = v.normalize("NFC").replace(/\r\n?/g, "\n");
  // Control characters other than newline and tab are dropped.
  s = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  if (!multiline) s = s.replace(/\s+/g, " ");
  return s.trim();
}

/** Cleans and checks the fields; identity fields are dropped unless the mode is confidential. */
export function normalizeReportFields(mode: ReportMode, fields: ReportFields): ReportFields {
  const out: Partial<ReportFields> = {};
  for (const key of Object.keys(FIELD_LIMITS) as (keyof ReportFields)[]) {
    if ((key === "reporterName" || key === "reporterContact") && mode !== "confidential") continue;
    const multiline = key === "whatHappened" || key === "howKnown" || key === "reportedElsewhere";
    const v = cleanText(fields[key], multiline);
    if ([...v].length > FIELD_LIMITS[key]) throw new ReportInputError(key, "errors.tooLong", { max: FIELD_LIMITS[key] });
    if (v) out[key] = v;
  }
  if (!out.whatHappened) throw new ReportInputError("whatHappened", "errors.required");
  return out as ReportFields;
}

// ---- files ----------------------------------------------------------------------------------------------------------

/** <DATA_DIR>/reports: encrypted report files with random names. */
export function reportsDir(): string {
  return path.join(getEnv().DATA_DIR, "reports");
}

function storagePath(storageId: string): string {
  if (!/^[0-9a-f]{32}$/.test(storageId)) throw new Error("Invalid storage id");
  return path.join(reportsDir(), storageId);
}

export type ReportFileMime =
  | "image/jpeg"
  | "image/png"
  | "image/webp"
  | "application/pdf"
  | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
  | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
  | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
  | "application/vnd.oasis.opendocument.text"
  | "application/vnd.oasis.opendocument.spreadsheet"
  | "application/msword"
  | "application/vnd.ms-excel";

const OFFICE_BY_EXT: Record<string, ReportFileMime> = {
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  doc: "application/msword",
  xls: "application/vnd.ms-excel",
};

/** Office documents, recognised by content (ZIP/OLE container) and the extension of the name. */
function detectOfficeType(b: Buffer, name: string): ReportFileMime | null {
  const ext = (/\.([A-Za-z]{3,4})$/.exec(name)?.[1] ?? "").toLowerCase();
  const mime = OFFICE_BY_EXT[ext];
  if (!mime) return null;
  const isZip = b.length > 30 && b.readUInt32LE(0) === 0x04034b50;
  const isOle = b.length > 512 && b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
  if (ext === "doc" || ext === "xls") return isOle ? mime : null;
  if (!isZip) return null;
  const head = b.subarray(0, Math.min(b.length, 64 * 1024)).toString("latin1");
  if (ext.startsWith("od")) return head.includes("mimetypeapplication/vnd.oasis.opendocument") ? mime : null;
  return head.includes("[Content_Types].xml") ? mime : null;
}

function safeFileName(name: string, fallbackExt: string): string {
  let base = String(name ?? "")
    .split(/[/\\]/)
    .pop()!
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, "")
    .trim();
  if (!base) base = `file.${fallbackExt}`;
  if ([...base].length > 120) base = [...base].slice(-120).join("");
  return base;
}

const EXT_BY_MIME: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf" };

export interface PreparedFile {
  bytes: Buffer;
  name: string;
  mime: ReportFileMime;
  keptOriginal: boolean;
  /** sha256 of the bytes the reporter uploaded (part of the proof of filing). */
  originalSha256: string;
}

/** Every type accepted as evidence (decided by content; office documents also by their extension). */
export const REPORT_UPLOAD_TYPES: readonly ReportFileMime[] = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "application/pdf",
  ...Object.values(OFFICE_BY_EXT),
];

/** Uploads already checked by prepareReportUpload (so createReport does not re-encode them a second time). */
const prepared = new WeakMap<ReportUpload, PreparedFile>();

async function prepareOne(u: ReportUpload): Promise<PreparedFile> {
  const done = prepared.get(u);
  if (done) return done;
  const original = Buffer.isBuffer(u.bytes) ? u.bytes : Buffer.from(u.bytes);
  if (original.length === 0) throw new UploadRejectedError("complaint:errors.fileEmpty", u.name);
  if (original.length > REPORT_LIMITS.maxFileBytes) throw new UploadRejectedError("complaint:errors.fileTooLarge", u.name);
  const originalSha256 = sha256Hex(original);
  const office = detectUploadType(original) ? null : detectOfficeType(original, u.name);
  if (office) return { bytes: original, name: safeFileName(u.name, "bin"), mime: office, keptOriginal: true, originalSha256 };
  const cleaned = await sanitizeUpload(original, u.name);
  const isImage = cleaned.mime.startsWith("image/");
  const keep = isImage && u.keptOriginal === true;
  const name = safeFileName(u.name, EXT_BY_MIME[cleaned.mime] ?? "bin");
  return { bytes: keep ? original : cleaned.bytes, name, mime: cleaned.mime, keptOriginal: keep, originalSha256 };
}

/**
 * Checks and cleans ONE file (for routes that report each refused file): photos are decoded and re-encoded without
 * metadata unless `keepOriginal` (the original must still decode); PDFs must be well-formed; office documents are
 * recognised by their container. Returns an upload for createReport / addReporterMessage (which then do not check
 * it again). Throws UploadRejectedError (messageKey in the complaint namespace).
 */
export async function prepareReportUpload(data: Uint8Array, name: string, opts: { keepOriginal?: boolean } = {}): Promise<ReportUpload> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const p = await prepareOne({ bytes, name, mime: "", keptOriginal: opts.keepOriginal === true });
  const upload: ReportUpload = { bytes: p.bytes, name: p.name, mime: p.mime, keptOriginal: p.keptOriginal };
  prepared.set(upload, p);
  return upload;
}

/**
 * An upload from a file this server already prepared (e.g. evidence kept, encrypted, across a rejected form): it is
 * not checked or re-encoded again, so the proof of filing keeps the digest of what the reporter first uploaded.
 */
export function preparedReportUpload(file: PreparedFile): ReportUpload {
  if (!(REPORT_UPLOAD_TYPES as readonly string[]).includes(file.mime)) throw new UploadRejectedError("complaint:errors.fileType", file.name);
  const upload: ReportUpload = { bytes: file.bytes, name: file.name, mime: file.mime, keptOriginal: file.keptOriginal };
  prepared.set(upload, file);
  return upload;
}

/** Checks and cleans a set of uploads (count and total size limits, then each file as prepareReportUpload does). */
export async function prepareReportUploads(uploads: readonly ReportUpload[]): Promise<PreparedFile[]> {
  if (uploads.length > REPORT_LIMITS.maxFiles) throw new ReportInputError("evidence", "errors.tooManyFiles", { max: REPORT_LIMITS.maxFiles });
  const total = uploads.reduce((n, u) => n + u.bytes.length, 0);
  if (total > REPORT_LIMITS.maxTotalBytes) throw new UploadRejectedError("complaint:errors.filesTooLarge", "");
  const out: PreparedFile[] = [];
  for (const u of uploads) out.push(await prepareOne(u));
  return out;
}


function removeFiles(storageIds: readonly string[]): void {
  for (const id of storageIds) {
    try {
      fs.rmSync(storagePath(id), { force: true });
    } catch (e) {
      log.warn("could not remove report file", errorFields(e));
    }
  }
}

// ---- associated data: binds each ciphertext to its report and record kind ----------------------------------------

const aad = {
  report: (publicId: string) => `report:${publicId}:submission`,
  message: (publicId: string) => `report:${publicId}:message`,
  event: (publicId: string) => `report:${publicId}:event`,
  file: (publicId: string, storageId: string) => `report:${publicId}:file:${storageId}`,
  fileMeta: (publicId: string, storageId: string) => `report:${publicId}:file-meta:${storageId}`,
};

interface SealedSubmission {
  v: 1;
  mode: ReportMode;
  requestedRecipient: ReportRecipient;
  fields: ReportFields;
}

interface FileMeta {
  name: string;
  mime: string;
  keptOriginal: boolean;
  originalSha256?: string;
}

interface MessageBody {
  text: string;
}

interface EventNote {
  note: string;
  finding?: ReportFinding | null;
  referredTo?: ReportReferral | null;
}

async function attachFiles(
  trx: Transaction<Database>,
  report: { id: number; publicId: string; key: Buffer },
  files: readonly PreparedFile[],
  messageId: number | null,
  createdAt: string,
  written: string[],
): Promise<void> {
  for (const f of files) {
    const storageId = crypto.randomBytes(16).toString("hex");
    const encrypted = encryptFile(report.key, f.bytes, aad.file(report.publicId, storageId));
    writeFileDurably(storagePath(storageId), encrypted);
    written.push(storageId);
    const meta: FileMeta = { name: f.name, mime: f.mime, keptOriginal: f.keptOriginal, originalSha256: f.originalSha256 };
    await trx
      .insertInto("report_attachments")
      .values({
        report_id: report.id,
        message_id: messageId,
        storage_id: storageId,
        size: f.bytes.length,
        meta_envelope: sealJson(report.key, meta, aad.fileMeta(report.publicId, storageId)),
        created_at: createdAt,
      })
      .execute();
  }
}

// ---- proof of filing ------------------------------------------------------------------------------------------------

/**
 * sha256 hex of the canonical submission: time received, mode, the cleaned fields and the sha256 of every file as
 * uploaded. Integrity officers can recompute it from the decrypted report (recomputeSubmissionDigest).
 */
export function computeSubmissionDigest(input: { receivedAt: string; mode: ReportMode; fields: ReportFields; fileSha256: readonly string[] }): string {
  return sha256Hex(
    canonicalJson({ v: 1, receivedAt: input.receivedAt, mode: input.mode, fields: input.fields, files: [...input.fileSha256] }),
  );
}

// ---- settings, recipients, conflict of interest ------------------------------------------------------------------

async function settingsOf(db: Executor) {
  const row = await db.selectFrom("integrity_settings").selectAll().where("id", "=", 1).executeTakeFirst();
  return (
    row ?? {
      id: 1,
      alternate_staff_id: null,
      alternate_label_th: "",
      alternate_label_en: "",
      retention_years: 5,
      ack_days: 7,
      feedback_days: 30,
      updated_at: "",
    }
  );
}

/** Names compared case-, space- and title-insensitively (นาย/นาง/นางสาว/Mr/Mrs/Ms/Dr … dropped). */
export function normalizePersonName(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\b(mr|mrs|ms|miss|dr)\.?\s+/g, "")
    .replace(/^(นางสาว|นาย|นาง|น\.ส\.|ดร\.)\s*/u, "")
    .replace(/[\s.\-_,]+/g, "");
}

/** Whether what the reporter typed names this staff member (full name contained, at least 4 characters). */
function namesStaff(involved: string, staffName: string): boolean {
  const a = normalizePersonName(involved);
  const b = normalizePersonName(staffName);
  if (!a || b.length < 4) return false;
  return a === b || a.includes(b);
}

interface Routing {
  recipient: ReportRecipient;
  excluded: number[];
  conflict: boolean;
}

/**
 * Conflict of interest: when the report names an active integrity officer or executive, it goes to the alternate
 * recipient and the named people are excluded. When it names the alternate, it goes to the integrity officers and
 * the alternate is excluded. Without a usable alternate, it stays with the integrity officers who are not named.
 */
async function routeReport(db: Executor, requested: ReportRecipient, involvedName: string | undefined): Promise<Routing> {
  const settings = await settingsOf(db);
  const alternate = settings.alternate_staff_id
    ? await db
        .selectFrom("staff")
        .select(["id", "name"])
        .where("id", "=", settings.alternate_staff_id)
        .where("role", "=", "integrity")
        .where("active", "=", 1)
        .executeTakeFirst()
    : undefined;
  if (!involvedName) return { recipient: requested === "alternate" && alternate ? "alternate" : "integrity", excluded: [], conflict: false };
  const people = await db
    .selectFrom("staff")
    .select(["id", "name", "role"])
    .where("active", "=", 1)
    .where("role", "in", ["integrity", "executive"])
    .execute();
  const named = people.filter((p) => namesStaff(involvedName, p.name));
  const alternateNamed = !!alternate && named.some((p) => p.id === alternate.id);
  const conflict = named.some((p) => !alternate || p.id !== alternate.id);
  let recipient: ReportRecipient = requested;
  if (conflict && alternate && !alternateNamed) recipient = "alternate";
  if (recipient === "alternate" && (!alternate || alternateNamed)) recipient = "integrity";
  return { recipient, excluded: named.map((p) => p.id), conflict: named.length > 0 };
}

/** Staff who receive (and may see) a report: e-mail notifications go to them. */
async function recipientsOf(db: Executor, report: { id: number; recipient: ReportRecipient }) {
  const excluded = db.selectFrom("report_exclusions").select("staff_id").where("report_id", "=", report.id);
  let q = db
    .selectFrom("staff")
    .select(["id", "email", "name"])
    .where("role", "=", "integrity")
    .where("active", "=", 1)
    .where("id", "not in", excluded);
  const settings = await settingsOf(db);
  if (report.recipient === "alternate") {
    if (!settings.alternate_staff_id) return [];
    q = q.where("id", "=", settings.alternate_staff_id);
  } else if (settings.alternate_staff_id) {
    q = q.where("id", "!=", settings.alternate_staff_id);
  }
  return q.orderBy("id").execute();
}

/** Who receives reports, for the public /report page: integrity officers (not the alternate) and the alternate's label. */
export async function reportRecipients(db: Executor, lang: Lang): Promise<{ officers: { name: string; role: string }[]; alternateLabel: string }> {
  const settings = await settingsOf(db);
  let q = db.selectFrom("staff").select(["id", "name"]).where("role", "=", "integrity").where("active", "=", 1);
  if (settings.alternate_staff_id) q = q.where("id", "!=", settings.alternate_staff_id);
  const rows = await q.orderBy("name").execute();
  const role = tFor(lang, "staff")("roles.integrity", {
    defaultValue: lang === "en" ? "Integrity officer (corruption complaints)" : "ผู้รับผิดชอบเรื่องร้องเรียนการทุจริต",
  });
  const alternateLabel = (lang === "en" ? settings.alternate_label_en || settings.alternate_label_th : settings.alternate_label_th || settings.alternate_label_en) ?? "";
  const alternateUsable =
    settings.alternate_staff_id !== null &&
    !!(await db.selectFrom("staff").select("id").where("id", "=", settings.alternate_staff_id).where("role", "=", "integrity").where("active", "=", 1).executeTakeFirst());
  return { officers: rows.map((r) => ({ name: r.name, role })), alternateLabel: alternateUsable ? alternateLabel : "" };
}

// ---- notifications (no content, ever) -----------------------------------------------------------------------------

function buildNotice(kind: "new" | "update"): { subject: string; text: string; html: string } {
  const url = `${getEnv().PUBLIC_URL}/staff/integrity`;
  const section = (lang: Lang) => {
    const t = tFor(lang, "integrity");
    const en = lang === "en";
    return {
      heading:
        kind === "new"
          ? t("notify.newHeading", { defaultValue: en ? "A new report has arrived" : "มีเรื่องร้องเรียนการทุจริตเข้ามาใหม่" })
          : t("notify.updateHeading", { defaultValue: en ? "New information on a report" : "มีข้อมูลใหม่ในเรื่องร้องเรียนการทุจริต" }),
      paragraphs: [
        t("notify.body", {
          defaultValue: en
            ? "Please sign in to the integrity officers' queue to read it. For the reporter's protection this e-mail contains nothing about the report."
            : "กรุณาเข้าสู่ระบบเพื่ออ่านในรายการเรื่องของผู้รับผิดชอบ เพื่อคุ้มครองผู้แจ้ง อีเมลนี้ไม่มีรายละเอียดใด ๆ ของเรื่อง",
        }),
        url,
      ],
    };
  };
  const subject =
    kind === "new"
      ? tFor("th", "integrity")("notify.newSubject", { defaultValue: "มีเรื่องใหม่ในช่องทางร้องเรียนการทุจริต / New report" })
      : tFor("th", "integrity")("notify.updateSubject", { defaultValue: "มีข้อมูลใหม่ในช่องทางร้องเรียนการทุจริต / Report updated" });
  const footer = tFor("th", "integrity")("notify.footer", { defaultValue: "Sujarit — ส่งอัตโนมัติ / sent automatically" });
  return { subject, ...renderBilingualEmail([section("th"), section("en")], footer) };
}

async function notifyRecipients(trx: Transaction<Database>, report: { id: number; recipient: ReportRecipient }, kind: "new" | "update", eventKey: string) {
  const people = await recipientsOf(trx, report);
  if (people.length === 0) {
    log.warn("a report has no recipient to notify: set integrity officers or the alternate recipient");
    return 0;
  }
  const message = buildNotice(kind);
  for (const p of people) {
    await enqueueEmail(trx, {
      kind: kind === "new" ? "report.new" : "report.update",
      complaintId: null,
      message: { to: p.email, ...message },
      dedupeKey: `report-${kind}:${eventKey}:${p.id}`,
    });
  }
  return people.length;
}

// ---- creating a report ----------------------------------------------------------------------------------------------

function isUniqueViolation(e: unknown, column: string): boolean {
  const err = e as { code?: string; message?: string };
  return typeof err?.message === "string" && err.message.includes("UNIQUE constraint failed") && err.message.includes(column);
}

const submissionKeyHash = (key: string) => sha256Hex(`report-submission:${key}`);

async function duplicateOf(db: Executor, keyHash: string): Promise<CreatedReport | null> {
  const r = await db
    .selectFrom("reports")
    .select(["id", "public_id", "received_at", "submission_digest", "recipient"])
    .where("submission_key_hash", "=", keyHash)
    .executeTakeFirst();
  if (!r) return null;
  return { id: r.id, publicId: r.public_id, receipt: null, receivedAt: r.received_at, digest: r.submission_digest, duplicate: true, recipient: r.recipient };
}

export function formatReportPublicId(fiscalYear: number, seq: number): string {
  return `R${fiscalYear}-${String(seq).padStart(4, "0")}`;
}

/**
 * Files a report in one transaction: public id, encrypted submission and files (written and fsynced before the
 * commit), tags none yet, exclusions from the conflict-of-interest check, a 'received' event, an audit entry and
 * content-free e-mails to the recipients. The same submissionKey twice returns the first report with
 * duplicate=true and receipt=null (the receipt exists only in the first answer).
 */
export async function createReport(db: Kysely<Database>, input: CreateReportInput): Promise<CreatedReport> {
  return createReportAttempt(db, input, 1);
}

async function createReportAttempt(db: Kysely<Database>, input: CreateReportInput, attempt: number): Promise<CreatedReport> {
  if (!isSubmissionKey(input.submissionKey)) throw new ReportInputError("submissionKey", "errors.expired");
  if (input.mode !== "anonymous" && input.mode !== "confidential") throw new ReportInputError("mode", "errors.invalidChoice");
  if (input.recipient !== "integrity" && input.recipient !== "alternate") throw new ReportInputError("recipient", "errors.invalidChoice");
  const keyHash = submissionKeyHash(input.submissionKey);
  const existing = await duplicateOf(db, keyHash);
  if (existing) return existing;

  const fields = normalizeReportFields(input.mode, input.fields);
  const files = await prepareReportUploads(input.uploads ?? []);
  const receipt = generateReceipt();
  const receiptHash = await hashReceipt(receipt);
  const written: string[] = [];

  try {
    const result = await db.transaction().execute(async (trx) => {
      const receivedAt = now();
      const receivedIso = receivedAt.toISOString();
      const settings = await settingsOf(trx);
      const routing = await routeReport(trx, input.recipient, fields.involvedName);
      const fiscalYear = fiscalYearOf(receivedAt);
      const last = await trx
        .selectFrom("reports")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("fiscal_year", "=", fiscalYear)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      const publicId = formatReportPublicId(fiscalYear, seq);
      const key = newReportKey();
      const sealed: SealedSubmission = { v: 1, mode: input.mode, requestedRecipient: input.recipient, fields };
      const digest = computeSubmissionDigest({ receivedAt: receivedIso, mode: input.mode, fields, fileSha256: files.map((f) => f.originalSha256) });
      const ackDue = computeDueAt(receivedAt, { resolveDays: settings.ack_days, mode: "calendar", dueSoonDays: 0 }).toISOString();

      const row = await trx
        .insertInto("reports")
        .values({
          public_id: publicId,
          receipt_hash: receiptHash,
          submission_key_hash: keyHash,
          mode: input.mode,
          recipient: routing.recipient,
          status: "received",
          finding: null,
          referred_to: null,
          wrapped_key: wrapReportKey(key, publicId),
          envelope: sealJson(key, sealed, aad.report(publicId)),
          submission_digest: digest,
          received_at: receivedIso,
          fiscal_year: fiscalYear,
          seq,
          ack_due_at: ackDue,
          last_feedback_at: null,
          closed_at: null,
          purged_at: null,
          created_at: receivedIso,
          updated_at: receivedIso,
        })
        .returning("id")
        .executeTakeFirstOrThrow();

      for (const staffId of routing.excluded) {
        await trx.insertInto("report_exclusions").values({ report_id: row.id, staff_id: staffId }).execute();
      }
      await attachFiles(trx, { id: row.id, publicId, key }, files, null, receivedIso, written);
      await trx
        .insertInto("report_events")
        .values({ report_id: row.id, from_status: null, to_status: "received", staff_id: null, note_envelope: null, created_at: receivedIso })
        .execute();
      await appendAudit(trx, {
        actorId: null,
        actorRole: "reporter",
        action: "report.create",
        targetType: "report",
        targetId: row.id,
        details: { publicId, recipient: routing.recipient, attachments: files.length, conflictOfInterest: routing.conflict },
      });
      await notifyRecipients(trx, { id: row.id, recipient: routing.recipient }, "new", String(row.id));
      return { id: row.id, publicId, receipt, receivedAt: receivedIso, digest, duplicate: false, recipient: routing.recipient } satisfies CreatedReport;
    });
    // Deliberately not logged: a log line with a time and a report id would help match a report to a visitor.
    return result;
  } catch (e) {
    removeFiles(written);
    if (isUniqueViolation(e, "submission_key_hash")) {
      const again = await duplicateOf(db, keyHash);
      if (again) return again;
    }
    if (attempt < 3 && (isUniqueViolation(e, "receipt_hash") || isUniqueViolation(e, "reports.fiscal_year"))) {
      // A receipt collision (about 1 in 10^16 per pair) or another process took the number: try again.
      return createReportAttempt(db, input, attempt + 1);
    }
    throw e;
  }
}

// ---- the reporter's side ----------------------------------------------------------------------------------------------

const PLACEHOLDER_RECEIPT = "0000000000000000";

/**
 * The report for a receipt, or null. Always runs exactly one argon2id hash (also for malformed input, so every
 * answer costs the same) and one indexed lookup. Purged reports are not found.
 */
export async function findReportByReceipt(db: Executor, receipt: unknown): Promise<Report | null> {
  const normalized = normalizeReceipt(receipt);
  const hash = await hashReceipt(normalized ?? PLACEHOLDER_RECEIPT);
  if (!normalized) return null;
  const row = await db.selectFrom("reports").selectAll().where("receipt_hash", "=", hash).executeTakeFirst();
  if (!row || row.purged_at) return null;
  return row;
}

async function loadReport(db: Executor, reportId: number): Promise<Report> {
  const r = await db.selectFrom("reports").selectAll().where("id", "=", reportId).executeTakeFirst();
  if (!r || r.purged_at) throw new ReportNotFoundError();
  return r;
}

function keyOf(r: Pick<Report, "wrapped_key" | "public_id">): Buffer {
  return unwrapReportKey(r.wrapped_key, r.public_id);
}

export interface ReporterView {
  publicStage: PublicReportStage;
  status: ReportStatus;
  receivedAt: string;
  closedAt: string | null;
  messages: { author: "reporter" | "officer"; text: string; at: string; attachments: number }[];
  attachmentsCount: number;
}

/**
 * What the reporter sees in the inbox: the stage in plain words, the conversation (officers are never named) and how
 * many files they have sent. Officers' messages are marked as read by the reporter.
 */
export async function reporterView(db: Executor, reportId: number): Promise<ReporterView> {
  const r = await loadReport(db, reportId);
  const key = keyOf(r);
  const messages = await db.selectFrom("report_messages").selectAll().where("report_id", "=", r.id).orderBy("id").execute();
  const files = await db.selectFrom("report_attachments").select(["id", "message_id"]).where("report_id", "=", r.id).execute();
  const perMessage = new Map<number, number>();
  for (const f of files) if (f.message_id !== null) perMessage.set(f.message_id, (perMessage.get(f.message_id) ?? 0) + 1);
  const unread = messages.filter((m) => m.author === "officer" && !m.read_at).map((m) => m.id);
  if (unread.length > 0) await db.updateTable("report_messages").set({ read_at: now().toISOString() }).where("id", "in", unread).execute();
  return {
    publicStage: publicReportStage(r.status),
    status: r.status,
    receivedAt: r.received_at,
    closedAt: r.closed_at,
    messages: messages.map((m) => ({
      author: m.author,
      text: openJson<MessageBody>(key, m.envelope, aad.message(r.public_id)).text,
      at: m.created_at,
      attachments: perMessage.get(m.id) ?? 0,
    })),
    attachmentsCount: files.length,
  };
}

/** The reporter adds information and/or evidence (one transaction; audited; recipients notified without content). */
export async function addReporterMessage(
  db: Kysely<Database>,
  reportId: number,
  text: string,
  uploads: readonly ReportUpload[] = [],
): Promise<{ messageId: number }> {
  const clean = cleanText(text, true);
  if ([...clean].length > REPORT_LIMITS.message) throw new ReportInputError("message", "errors.tooLong", { max: REPORT_LIMITS.message });
  if (!clean && uploads.length === 0) throw new ReportInputError("message", "errors.required");
  const files = await prepareReportUploads(uploads);
  const written: string[] = [];
  try {
    return await db.transaction().execute(async (trx) => {
      const r = await loadReport(trx, reportId);
      if (r.status === "closed") throw new ReportInputError("message", "errors.closed");
      const key = keyOf(r);
      const at = now().toISOString();
      const m = await trx
        .insertInto("report_messages")
        .values({ report_id: r.id, author: "reporter", staff_id: null, envelope: sealJson(key, { text: clean } satisfies MessageBody, aad.message(r.public_id)), created_at: at, read_at: null })
        .returning("id")
        .executeTakeFirstOrThrow();
      await attachFiles(trx, { id: r.id, publicId: r.public_id, key }, files, m.id, at, written);
      await trx.updateTable("reports").set({ updated_at: at }).where("id", "=", r.id).execute();
      await appendAudit(trx, {
        actorId: null,
        actorRole: "reporter",
        action: "reporter.message",
        targetType: "report",
        targetId: r.id,
        details: { messageId: m.id, attachments: files.length },
      });
      await notifyRecipients(trx, r, "update", `m${m.id}`);
      return { messageId: m.id };
    });
  } catch (e) {
    removeFiles(written);
    throw e;
  }
}

// ---- the integrity officers' side ----------------------------------------------------------------------------------

/** Whether this person may use the report channel at all (role integrity). */
export function canUseReportChannel(actor: ReportActor | null | undefined): boolean {
  return !!actor && actor.role === "integrity";
}

async function assertActiveIntegrity(db: Executor, actor: ReportActor): Promise<void> {
  if (!canUseReportChannel(actor)) throw new ReportForbiddenError();
  const row = await db.selectFrom("staff").select(["role", "active"]).where("id", "=", actor.id).executeTakeFirst();
  if (!row || row.role !== "integrity" || row.active !== 1) throw new ReportForbiddenError();
}

/** Reports visible to an (active) integrity officer: not excluded, and 'alternate' ones only for the alternate. */
function visibleTo(db: Executor, staffId: number, alternateId: number | null) {
  return db
    .selectFrom("reports")
    .where("reports.purged_at", "is", null)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom("report_exclusions").select("staff_id").whereRef("report_exclusions.report_id", "=", "reports.id").where("report_exclusions.staff_id", "=", staffId))),
    )
    // The alternate (e.g. the chair of the council's audit committee) sees only the reports routed to them; the
    // integrity officers see the rest. Nobody sees a report that names them (report_exclusions).
    .where("reports.recipient", "=", alternateId === staffId ? "alternate" : "integrity");
}

/** Whether this staff member may see this report (the visibility rule, in one place). */
export async function canStaffSeeReport(db: Executor, actor: ReportActor, reportId: number): Promise<boolean> {
  if (!canUseReportChannel(actor)) return false;
  const staff = await db.selectFrom("staff").select(["role", "active"]).where("id", "=", actor.id).executeTakeFirst();
  if (!staff || staff.role !== "integrity" || staff.active !== 1) return false;
  const settings = await settingsOf(db);
  const r = await visibleTo(db, actor.id, settings.alternate_staff_id).select("reports.id").where("reports.id", "=", reportId).executeTakeFirst();
  return !!r;
}

/**
 * The report (row only, nothing decrypted) by id or public id, if this staff member may see it; otherwise
 * ReportNotFoundError (the same for "does not exist", "excluded", "wrong recipient" and "not an integrity officer").
 * A refusal is audited (report.denied).
 */
export async function getReportForStaff(db: Executor, actor: ReportActor, ref: number | string): Promise<Report> {
  const row =
    typeof ref === "number"
      ? await db.selectFrom("reports").selectAll().where("id", "=", ref).executeTakeFirst()
      : /^R\d{4}-\d{4,}$/.test(ref)
        ? await db.selectFrom("reports").selectAll().where("public_id", "=", ref).executeTakeFirst()
        : undefined;
  if (row && (await canStaffSeeReport(db, actor, row.id))) return row;
  await appendAudit(db, {
    actorId: actor?.id ?? null,
    actorRole: actor?.role ?? null,
    action: "report.denied",
    targetType: "report",
    targetId: row ? row.id : null,
    details: { found: !!row },
  });
  throw new ReportNotFoundError();
}

export interface ReportListFilters {
  status?: ReportStatus | "open" | "all";
  tag?: ReportTag;
  page?: number;
  pageSize?: number;
}

export interface ReportListItem {
  id: number;
  publicId: string;
  status: ReportStatus;
  mode: ReportMode;
  recipient: ReportRecipient;
  finding: ReportFinding | null;
  referredTo: ReportReferral | null;
  receivedAt: string;
  ackDueAt: string;
  lastFeedbackAt: string | null;
  closedAt: string | null;
  tags: ReportTag[];
  /** Reporter messages not yet opened by an officer. */
  unread: number;
}

/** The queue of an integrity officer (no content). Throws ReportForbiddenError for anyone else. Audited (report.list). */
export async function listReportsFor(
  db: Executor,
  actor: ReportActor,
  filters: ReportListFilters = {},
): Promise<{ items: ReportListItem[]; total: number; page: number; pageSize: number }> {
  await assertActiveIntegrity(db, actor);
  const settings = await settingsOf(db);
  const pageSize = Math.min(Math.max(filters.pageSize ?? 50, 1), 200);
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  let q = visibleTo(db, actor.id, settings.alternate_staff_id);
  const status = filters.status ?? "open";
  if (status === "open") q = q.where("reports.status", "!=", "closed");
  else if (status !== "all") q = q.where("reports.status", "=", status);
  if (filters.tag && isReportTag(filters.tag)) {
    const tag = filters.tag;
    q = q.where((eb) => eb.exists(eb.selectFrom("report_tags").select("tag").whereRef("report_tags.report_id", "=", "reports.id").where("report_tags.tag", "=", tag)));
  }
  const total = Number((await q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst())?.n ?? 0);
  const rows = await q
    .select([
      "reports.id",
      "reports.public_id",
      "reports.status",
      "reports.mode",
      "reports.recipient",
      "reports.finding",
      "reports.referred_to",
      "reports.received_at",
      "reports.ack_due_at",
      "reports.last_feedback_at",
      "reports.closed_at",
    ])
    .select((eb) =>
      eb
        .selectFrom("report_messages")
        .select((e2) => e2.fn.countAll().as("n"))
        .whereRef("report_messages.report_id", "=", "reports.id")
        .where("report_messages.author", "=", "reporter")
        .where("report_messages.read_at", "is", null)
        .as("unread"),
    )
    .orderBy("reports.received_at", "desc")
    .orderBy("reports.id", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const ids = rows.map((r) => r.id);
  const tags = ids.length ? await db.selectFrom("report_tags").select(["report_id", "tag"]).where("report_id", "in", ids).execute() : [];
  await appendAudit(db, {
    actorId: actor.id,
    actorRole: actor.role,
    action: "report.list",
    targetType: "report",
    targetId: null,
    details: { status, tag: filters.tag ?? null, page, shown: rows.length },
  });
  return {
    total,
    page,
    pageSize,
    items: rows.map((r) => ({
      id: r.id,
      publicId: r.public_id,
      status: r.status,
      mode: r.mode,
      recipient: r.recipient,
      finding: r.finding,
      referredTo: r.referred_to,
      receivedAt: r.received_at,
      ackDueAt: r.ack_due_at,
      lastFeedbackAt: r.last_feedback_at,
      closedAt: r.closed_at,
      tags: tags.filter((t) => t.report_id === r.id).map((t) => t.tag),
      unread: Number(r.unread ?? 0),
    })),
  };
}

export interface DecryptedReport {
  id: number;
  publicId: string;
  status: ReportStatus;
  mode: ReportMode;
  recipient: ReportRecipient;
  requestedRecipient: ReportRecipient;
  finding: ReportFinding | null;
  referredTo: ReportReferral | null;
  receivedAt: string;
  ackDueAt: string;
  lastFeedbackAt: string | null;
  closedAt: string | null;
  digest: string;
  /** Whether the digest recomputed from the decrypted content matches the stored one. */
  digestVerified: boolean;
  fields: ReportFields;
  tags: ReportTag[];
  messages: { id: number; author: "reporter" | "officer"; staffName: string | null; text: string; at: string; readAt: string | null }[];
  attachments: { id: number; messageId: number | null; name: string; mime: string; size: number; keptOriginal: boolean; at: string }[];
  events: { id: number; from: string | null; to: string; staffName: string | null; note: string; finding: ReportFinding | null; referredTo: ReportReferral | null; at: string }[];
}

/**
 * Opens a report for an integrity officer who may see it (checked again here): content, conversation, files,
 * history. Audited (report.view); the reporter's messages are marked as read.
 */
export async function decryptReport(db: Kysely<Database>, actor: ReportActor, ref: Report | number | string): Promise<DecryptedReport> {
  const r = await getReportForStaff(db, actor, typeof ref === "object" ? ref.id : ref);
  const key = keyOf(r);
  const sealed = openJson<SealedSubmission>(key, r.envelope, aad.report(r.public_id));
  const [messages, files, events, tags] = await Promise.all([
    db
      .selectFrom("report_messages")
      .leftJoin("staff", "staff.id", "report_messages.staff_id")
      .select(["report_messages.id", "report_messages.author", "report_messages.envelope", "report_messages.created_at", "report_messages.read_at", "staff.name as staff_name"])
      .where("report_messages.report_id", "=", r.id)
      .orderBy("report_messages.id")
      .execute(),
    db.selectFrom("report_attachments").selectAll().where("report_id", "=", r.id).orderBy("id").execute(),
    db
      .selectFrom("report_events")
      .leftJoin("staff", "staff.id", "report_events.staff_id")
      .select(["report_events.id", "report_events.from_status", "report_events.to_status", "report_events.note_envelope", "report_events.created_at", "staff.name as staff_name"])
      .where("report_events.report_id", "=", r.id)
      .orderBy("report_events.id")
      .execute(),
    db.selectFrom("report_tags").select("tag").where("report_id", "=", r.id).execute(),
  ]);
  const attachments = files.map((f) => {
    const meta = openJson<FileMeta>(key, f.meta_envelope, aad.fileMeta(r.public_id, f.storage_id));
    return { id: f.id, messageId: f.message_id, name: meta.name, mime: meta.mime, size: f.size, keptOriginal: meta.keptOriginal, at: f.created_at, originalSha256: meta.originalSha256 };
  });
  const firstFiles = attachments.filter((a) => a.messageId === null).map((a) => a.originalSha256 ?? "");
  const digestVerified =
    computeSubmissionDigest({ receivedAt: r.received_at, mode: sealed.mode, fields: sealed.fields, fileSha256: firstFiles }) === r.submission_digest;

  await db.transaction().execute(async (trx) => {
    const at = now().toISOString();
    await trx
      .updateTable("report_messages")
      .set({ read_at: at })
      .where("report_id", "=", r.id)
      .where("author", "=", "reporter")
      .where("read_at", "is", null)
      .execute();
    await appendAudit(trx, { actorId: actor.id, actorRole: actor.role, action: "report.view", targetType: "report", targetId: r.id, details: { publicId: r.public_id } });
  });

  return {
    id: r.id,
    publicId: r.public_id,
    status: r.status,
    mode: r.mode,
    recipient: r.recipient,
    requestedRecipient: sealed.requestedRecipient,
    finding: r.finding,
    referredTo: r.referred_to,
    receivedAt: r.received_at,
    ackDueAt: r.ack_due_at,
    lastFeedbackAt: r.last_feedback_at,
    closedAt: r.closed_at,
    digest: r.submission_digest,
    digestVerified,
    fields: sealed.fields,
    tags: tags.map((t) => t.tag),
    messages: messages.map((m) => ({
      id: m.id,
      author: m.author,
      staffName: m.staff_name ?? null,
      text: openJson<MessageBody>(key, m.envelope, aad.message(r.public_id)).text,
      at: m.created_at,
      readAt: m.read_at,
    })),
    attachments: attachments.map(({ originalSha256: _omit, ...a }) => a),
    events: events.map((e) => {
      const note = e.note_envelope ? openJson<EventNote>(key, e.note_envelope, aad.event(r.public_id)) : null;
      return {
        id: e.id,
        from: e.from_status,
        to: e.to_status,
        staffName: e.staff_name ?? null,
        note: note?.note ?? "",
        finding: note?.finding ?? null,
        referredTo: note?.referredTo ?? null,
        at: e.created_at,
      };
    }),
  };
}

/**
 * A status change (received -> preliminary_review -> investigation -> concluded (finding) | referred (where) ->
 * closed), with an optional note (encrypted). Throws InvalidReportTransitionError for a change that is not allowed
 * (also when someone else changed the status meanwhile). Audited (report.status).
 */
export async function transitionReport(
  db: Kysely<Database>,
  actor: ReportActor,
  ref: number | string,
  action: ReportAction | string,
  opts: { note?: string; finding?: string | null; referredTo?: string | null } = {},
): Promise<{ status: ReportStatus }> {
  const r = await getReportForStaff(db, actor, ref);
  const to = applyReportTransition(r.status, action, { finding: opts.finding ?? null, referredTo: opts.referredTo ?? null });
  const note = cleanText(opts.note ?? "", true);
  if ([...note].length > REPORT_LIMITS.message) throw new ReportInputError("note", "errors.tooLong", { max: REPORT_LIMITS.message });
  const finding = action === "conclude" ? (opts.finding as ReportFinding) : null;
  const referredTo = action === "refer" ? (opts.referredTo as ReportReferral) : null;
  const key = keyOf(r);
  return db.transaction().execute(async (trx) => {
    const at = now().toISOString();
    const updated = await trx
      .updateTable("reports")
      .set({
        status: to,
        ...(finding ? { finding } : {}),
        ...(referredTo ? { referred_to: referredTo } : {}),
        ...(to === "closed" ? { closed_at: at } : {}),
        last_feedback_at: at,
        updated_at: at,
      })
      .where("id", "=", r.id)
      .where("status", "=", r.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new InvalidReportTransitionError(r.status, String(action));
    await trx
      .insertInto("report_events")
      .values({
        report_id: r.id,
        from_status: r.status,
        to_status: to,
        staff_id: actor.id,
        note_envelope: note || finding || referredTo ? sealJson(key, { note, finding, referredTo } satisfies EventNote, aad.event(r.public_id)) : null,
        created_at: at,
      })
      .execute();
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "report.status",
      targetType: "report",
      targetId: r.id,
      details: { action, from: r.status, to, finding, referredTo, withNote: note.length > 0 },
    });
    return { status: to };
  });
}

/** An officer's message to the reporter (encrypted; shown in the reporter's inbox without the officer's name). Audited. */
export async function addOfficerMessage(db: Kysely<Database>, actor: ReportActor, ref: number | string, text: string): Promise<{ messageId: number }> {
  const r = await getReportForStaff(db, actor, ref);
  const clean = cleanText(text, true);
  if (!clean) throw new ReportInputError("message", "errors.required");
  if ([...clean].length > REPORT_LIMITS.message) throw new ReportInputError("message", "errors.tooLong", { max: REPORT_LIMITS.message });
  const key = keyOf(r);
  return db.transaction().execute(async (trx) => {
    const at = now().toISOString();
    const m = await trx
      .insertInto("report_messages")
      .values({ report_id: r.id, author: "officer", staff_id: actor.id, envelope: sealJson(key, { text: clean } satisfies MessageBody, aad.message(r.public_id)), created_at: at, read_at: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.updateTable("reports").set({ last_feedback_at: at, updated_at: at }).where("id", "=", r.id).execute();
    await appendAudit(trx, { actorId: actor.id, actorRole: actor.role, action: "report.message", targetType: "report", targetId: r.id, details: { messageId: m.id } });
    return { messageId: m.id };
  });
}

/** Replaces the report's tags (unknown tags are refused). Audited (report.tag). */
export async function setReportTags(db: Kysely<Database>, actor: ReportActor, ref: number | string, tags: readonly string[]): Promise<ReportTag[]> {
  const r = await getReportForStaff(db, actor, ref);
  const bad = tags.find((t) => !isReportTag(t));
  if (bad !== undefined) throw new ReportInputError("tags", "errors.invalidChoice");
  const unique = [...new Set(tags)] as ReportTag[];
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("report_tags").where("report_id", "=", r.id).execute();
    for (const tag of unique) await trx.insertInto("report_tags").values({ report_id: r.id, tag }).execute();
    await trx.updateTable("reports").set({ updated_at: now().toISOString() }).where("id", "=", r.id).execute();
    await appendAudit(trx, { actorId: actor.id, actorRole: actor.role, action: "report.tag", targetType: "report", targetId: r.id, details: { tags: unique } });
  });
  return unique;
}

/** A decrypted attachment for download by an officer who may see the report. Audited (report.download). */
export async function readReportAttachment(
  db: Kysely<Database>,
  actor: ReportActor,
  ref: number | string,
  attachmentId: number,
): Promise<{ bytes: Buffer; name: string; mime: string; keptOriginal: boolean }> {
  const r = await getReportForStaff(db, actor, ref);
  const a = await db.selectFrom("report_attachments").selectAll().where("id", "=", attachmentId).where("report_id", "=", r.id).executeTakeFirst();
  if (!a) throw new ReportNotFoundError();
  const key = keyOf(r);
  const meta = openJson<FileMeta>(key, a.meta_envelope, aad.fileMeta(r.public_id, a.storage_id));
  const bytes = decryptFile(key, fs.readFileSync(storagePath(a.storage_id)), aad.file(r.public_id, a.storage_id));
  await appendAudit(db, { actorId: actor.id, actorRole: actor.role, action: "report.download", targetType: "report", targetId: r.id, details: { attachmentId: a.id } });
  return { bytes, name: meta.name, mime: meta.mime, keptOriginal: meta.keptOriginal };
}

/** The whole report as JSON (content, conversation, history, file list; no file bytes) for an officer. Audited (report.export). */
export async function exportReport(db: Kysely<Database>, actor: ReportActor, ref: number | string): Promise<{ fileName: string; json: string }> {
  const d = await decryptReport(db, actor, ref);
  await appendAudit(db, { actorId: actor.id, actorRole: actor.role, action: "report.export", targetType: "report", targetId: d.id, details: { format: "json" } });
  return { fileName: `${d.publicId}.json`, json: JSON.stringify(d, null, 2) };
}

// ---- statistics and retention -------------------------------------------------------------------------------------------

export interface ReportCounts {
  total: number;
  open: number;
  byStatus: Record<ReportStatus, number>;
  byFinding: { substantiated: number; unsubstantiated: number };
  byTag: Record<ReportTag, number>;
  /** Per fiscal year (BE): received, and closed so far. */
  byFiscalYear: { fiscalYear: number; received: number; closed: number }[];
}

/**
 * Totals only (no ids, no dates finer than the fiscal year): for every staff role and for public statistics. Shown on
 * every queue page, so the result is kept while the statistics version is unchanged (every report insert, status,
 * finding, referral or tag change bumps it: db/statistics.ts).
 */
export async function reportCounts(db: Executor): Promise<ReportCounts> {
  return cachedWhileStatsUnchanged(db, "report-counts", () => countReports(db));
}

async function countReports(db: Executor): Promise<ReportCounts> {
  const byStatusRows = await db.selectFrom("reports").select(["status", (eb) => eb.fn.countAll().as("n")]).groupBy("status").execute();
  const byStatus: Record<ReportStatus, number> = { received: 0, preliminary_review: 0, investigation: 0, concluded: 0, referred: 0, closed: 0 };
  for (const r of byStatusRows) byStatus[r.status] = Number(r.n);
  const findingRows = await db.selectFrom("reports").select(["finding", (eb) => eb.fn.countAll().as("n")]).where("finding", "is not", null).groupBy("finding").execute();
  const byFinding = { substantiated: 0, unsubstantiated: 0 };
  for (const r of findingRows) if (r.finding) byFinding[r.finding] = Number(r.n);
  const tagRows = await db.selectFrom("report_tags").select(["tag", (eb) => eb.fn.countAll().as("n")]).groupBy("tag").execute();
  const byTag: Record<ReportTag, number> = { bribery: 0, procurement: 0, personnel: 0, abuse_of_position: 0, conflict_of_interest: 0, unfair_service: 0, officer_conduct: 0, other: 0 };
  for (const r of tagRows) byTag[r.tag] = Number(r.n);
  const fyRows = await db
    .selectFrom("reports")
    .select(["fiscal_year", (eb) => eb.fn.countAll().as("received"), sql<number>`sum(case when status = 'closed' then 1 else 0 end)`.as("closed")])
    .groupBy("fiscal_year")
    .orderBy("fiscal_year")
    .execute();
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    total,
    open: total - byStatus.closed,
    byStatus,
    byFinding,
    byTag,
    byFiscalYear: fyRows.map((r) => ({ fiscalYear: r.fiscal_year, received: Number(r.received), closed: Number(r.closed ?? 0) })),
  };
}

/**
 * Purges reports closed more than retention_years ago: the wrapped key (crypto-shredding), the submission, messages,
 * files, notes, exclusions and sessions are removed and the receipt no longer finds the report. What stays is the
 * anonymous statistics: public id, dates, status, finding, referral, tags and the status history without notes.
 * SQLite secure_delete is on (db/connection.ts), so removed content is overwritten in the database file.
 */
export async function purgeClosedReports(db: Kysely<Database>, at: Date = now()): Promise<{ purged: number }> {
  const settings = await settingsOf(db);
  const cutoff = new Date(at.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - settings.retention_years);
  const due = await db
    .selectFrom("reports")
    .select(["id", "public_id"])
    .where("status", "=", "closed")
    .where("purged_at", "is", null)
    .where("closed_at", "<=", cutoff.toISOString())
    .execute();
  let purged = 0;
  for (const r of due) {
    const files = await db.transaction().execute(async (trx) => {
      const stored = await trx.selectFrom("report_attachments").select("storage_id").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_attachments").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_messages").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_exclusions").where("report_id", "=", r.id).execute();
      await trx.deleteFrom("report_sessions").where("report_id", "=", r.id).execute();
      await trx.updateTable("report_events").set({ note_envelope: null }).where("report_id", "=", r.id).execute();
      const iso = at.toISOString();
      await trx
        .updateTable("reports")
        .set({
          wrapped_key: "",
          envelope: "",
          receipt_hash: `purged:${randomToken(16)}`,
          submission_key_hash: null,
          purged_at: iso,
          updated_at: iso,
        })
        .where("id", "=", r.id)
        .execute();
      await appendAudit(trx, { actorId: null, actorRole: "system", action: "report.purge", targetType: "report", targetId: r.id, details: { publicId: r.public_id, files: stored.length } });
      return stored.map((s) => s.storage_id);
    });
    removeFiles(files);
    purged++;
  }
  if (purged > 0) log.info("closed reports purged", { count: purged });
  return { purged };
}

/** Removes expired reporter inbox sessions (housekeeping). */
export async function cleanupReportSessions(db: Executor, at: Date = now()): Promise<number> {
  const r = await db.deleteFrom("report_sessions").where("expires_at", "<=", at.toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}
