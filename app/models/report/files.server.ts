/**
 * Evidence files of the report channel: checked and cleaned on upload (photos re-encoded without EXIF/GPS/device
 * data unless the reporter kept the original after a warning; PDFs must be well-formed; office documents recognised by
 * their container), stored encrypted with the report key and padded to a size class under a random name, with a
 * neutral display name ("evidence-1.jpg") unless the reporter chose to keep the original names.
 */
import crypto from "node:crypto";
import type { Transaction } from "kysely";
import type { Database } from "../../../db/schema";
import { fileKeys, fileRemoval, fileStore } from "~/utils/file-store.server";
import type { Executor } from "../../../db/connection";
import { sha256Hex } from "~/utils/crypto.server";
import { detectUploadType, sanitizeUpload, UploadRejectedError } from "~/models/complaints/attachments.server";
import { decryptFile, encryptFile, openJson, paddedSize, sealJson } from "./crypto.server";
import { REPORT_LIMITS, ReportInputError, reportAad, type FileMeta } from "./shared.server";

export { UploadRejectedError };

export interface ReportUpload {
  bytes: Buffer;
  name: string;
  mime: string;
  /** The reporter chose to keep the original photo (with its metadata) after the warning. */
  keptOriginal: boolean;
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

const EXT_BY_MIME: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "application/pdf": "pdf",
  ...Object.fromEntries(Object.entries(OFFICE_BY_EXT).map(([ext, mime]) => [mime, ext])),
};

/** Every type accepted as evidence (decided by content; office documents also by their extension). */
export const REPORT_UPLOAD_TYPES: readonly ReportFileMime[] = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "application/pdf",
  ...Object.values(OFFICE_BY_EXT),
];

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

/** The name a stored file is shown with: the reporter's own only when they chose to keep names. */
export function storedFileName(file: Pick<PreparedFile, "name" | "mime">, index: number, keepNames: boolean): string {
  return keepNames ? file.name : `evidence-${index + 1}.${EXT_BY_MIME[file.mime] ?? "bin"}`;
}

export interface PreparedFile {
  bytes: Buffer;
  name: string;
  mime: ReportFileMime;
  keptOriginal: boolean;
  /** sha256 of the bytes the reporter uploaded (part of the proof of filing). */
  originalSha256: string;
}

/** Uploads already checked by prepareReportUpload (so filing does not re-encode them a second time). */
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
  const keep = cleaned.mime.startsWith("image/") && u.keptOriginal === true;
  return {
    bytes: keep ? original : cleaned.bytes,
    name: safeFileName(u.name, EXT_BY_MIME[cleaned.mime] ?? "bin"),
    mime: cleaned.mime as ReportFileMime,
    keptOriginal: keep,
    originalSha256,
  };
}

/**
 * Checks and cleans ONE file (for routes that report each refused file). Returns an upload for filing or a reporter
 * message (which then do not check it again). Throws UploadRejectedError (messageKey in the complaint namespace).
 */
export async function prepareReportUpload(data: Uint8Array, name: string, opts: { keepOriginal?: boolean } = {}): Promise<ReportUpload> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const p = await prepareOne({ bytes, name, mime: "", keptOriginal: opts.keepOriginal === true });
  const upload: ReportUpload = { bytes: p.bytes, name: p.name, mime: p.mime, keptOriginal: p.keptOriginal };
  prepared.set(upload, p);
  return upload;
}

/** An upload from a file this server already prepared (evidence kept across a rejected form): not checked again. */
export function preparedReportUpload(file: PreparedFile): ReportUpload {
  if (!(REPORT_UPLOAD_TYPES as readonly string[]).includes(file.mime))
    throw new UploadRejectedError("complaint:errors.fileType", file.name);
  const upload: ReportUpload = { bytes: file.bytes, name: file.name, mime: file.mime, keptOriginal: file.keptOriginal };
  prepared.set(upload, file);
  return upload;
}

/** Checks and cleans a set of uploads (count and total size limits, then each file). */
export async function prepareReportUploads(uploads: readonly ReportUpload[]): Promise<PreparedFile[]> {
  if (uploads.length > REPORT_LIMITS.maxFiles)
    throw new ReportInputError("evidence", "errors.tooManyFiles", { max: REPORT_LIMITS.maxFiles });
  const total = uploads.reduce((n, u) => n + u.bytes.length, 0);
  if (total > REPORT_LIMITS.maxTotalBytes) throw new UploadRejectedError("complaint:errors.filesTooLarge", "");
  const out: PreparedFile[] = [];
  for (const u of uploads) out.push(await prepareOne(u));
  return out;
}

/**
 * Removes evidence files whose rows are gone or never committed (a failed filing, a purge). With `trx` (the transaction
 * that deletes the rows) a store inside the database removes them in it; call it again after the commit without.
 */
export async function removeStoredFiles(storageIds: readonly string[], opts: { trx?: Executor; db?: Executor } = {}): Promise<void> {
  const keys = storageIds.map((id) => fileKeys.reportEvidence(id));
  if (opts.trx) await fileRemoval.inTransaction(opts.trx, keys);
  else await fileRemoval.afterCommit(keys, opts.db);
}

/**
 * Stores files of a report (encrypted and padded, BEFORE they reach the file store; complete before the transaction
 * commits — in that transaction when the store is the database) and their rows. `written` collects the storage ids so
 * the caller can remove them if the transaction fails.
 */
export async function storeReportFiles(
  trx: Transaction<Database>,
  report: { id: number; publicId: string; key: Buffer },
  files: readonly PreparedFile[],
  opts: { messageId: number | null; createdAt: string; keepNames: boolean; written: string[] },
): Promise<void> {
  for (const [i, f] of files.entries()) {
    const storageId = crypto.randomBytes(16).toString("hex");
    const sealed = encryptFile(report.key, f.bytes, reportAad.file(report.publicId, storageId));
    await fileStore().put(fileKeys.reportEvidence(storageId), sealed, { db: trx });
    opts.written.push(storageId);
    const meta: FileMeta = {
      name: storedFileName(f, i, opts.keepNames),
      mime: f.mime,
      size: f.bytes.length,
      keptOriginal: f.keptOriginal,
      originalSha256: f.originalSha256,
    };
    await trx
      .insertInto("report_attachments")
      .values({
        report_id: report.id,
        message_id: opts.messageId,
        storage_id: storageId,
        size: paddedSize(f.bytes.length),
        meta_envelope: sealJson(report.key, meta, reportAad.fileMeta(report.publicId, storageId)),
        created_at: opts.createdAt,
      })
      .execute();
  }
}

/** A stored file's metadata (decrypted). */
export function fileMetaOf(
  key: Buffer,
  publicId: string,
  row: { storage_id: string; meta_envelope: string; size: number },
): FileMeta & { size: number } {
  const meta = openJson<FileMeta>(key, row.meta_envelope, reportAad.fileMeta(publicId, row.storage_id));
  return { ...meta, size: meta.size ?? row.size };
}

/** A stored file's bytes (decrypted). Throws when the file is missing or does not decrypt. */
export async function readStoredFile(key: Buffer, publicId: string, storageId: string, db?: Executor): Promise<Buffer> {
  const sealed = await fileStore().get(fileKeys.reportEvidence(storageId), db ? { db } : undefined);
  if (!sealed) throw new Error("report file missing");
  return decryptFile(key, sealed, reportAad.file(publicId, storageId));
}
