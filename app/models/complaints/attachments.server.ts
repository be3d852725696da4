/**
 * Citizen uploads: photos (JPEG, PNG, WebP) and PDF documents.
 *
 * - The type is decided by the file's content (magic bytes), never by its name or the browser's claim.
 * - Images are decoded and re-encoded with sharp, which throws away EXIF/GPS/device metadata (and anything hidden
 *   after the image data); a file that claims to be an image but does not decode is refused.
 * - Files are content-addressed (key uploads/<sha256[0..2]>/<sha256>) in the file store (app/utils/file-store.server.ts:
 *   under DATA_DIR, or in the database), written completely before the database row that refers to them is committed.
 * - A stored file first becomes a pending upload (random 128-bit id). createComplaint turns pending uploads into
 *   attachments; the ids of files that passed their checks are sent back with a rejected form so the citizen need
 *   not choose them again. Pending uploads older than 24 h are cleaned up.
 */
import type SharpType from "sharp";

/** sharp (libvips) is loaded on the first upload only, so a server that gets no photos does not carry it in memory. */
let sharpModule: Promise<typeof SharpType> | null = null;
function loadSharp(): Promise<typeof SharpType> {
  sharpModule ??= import("sharp").then((m) => {
    const sharp = (m.default ?? m) as typeof SharpType;
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return sharpModule;
}
import { fileKeys, fileStore, fileRemoval } from "~/utils/file-store.server";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";
import { inTransaction, type Executor } from "../../../db/connection";
import { randomToken, sha256Hex } from "~/utils/crypto.server";
import { now } from "~/utils/clock.server";
import { log, errorFields } from "~/utils/logger.server";
import { LIMITS } from "~/lib/validation";
import { siteMemo } from "~/utils/site-context.server";

/** Types accepted, detected by content. */
export type UploadMime = "image/jpeg" | "image/png" | "image/webp" | "application/pdf";

const EXTENSION: Record<UploadMime, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "application/pdf": ".pdf",
};

/** Largest image side kept after re-encoding (bigger photos are scaled down). */
const MAX_IMAGE_SIDE = 4096;
/** Refuse images that would decode to more pixels than this (decompression bombs). */
const MAX_INPUT_PIXELS = 60_000_000;
/** Pending uploads older than this are removed. */
export const PENDING_MAX_AGE_MS = 24 * 3600 * 1000;

/** Thrown when a file is refused; `messageKey` is an i18n key (complaint namespace, usable from any namespace). */
export class UploadRejectedError extends Error {
  constructor(
    readonly messageKey: string,
    readonly fileName: string,
  ) {
    super(messageKey);
    this.name = "UploadRejectedError";
  }
}

/** Detects the type from the first bytes; null when it is not one of the accepted types. */
export function detectUploadType(buf: Uint8Array): UploadMime | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  if (b.length >= 5 && b.toString("latin1", 0, 5) === "%PDF-") return "application/pdf";
  return null;
}

/** The file store's key of the file with this sha256. */
export function attachmentKey(sha256: string): string {
  return fileKeys.complaintUpload(sha256);
}

/** A file name safe to show and to offer as a download name (no paths, no control characters, sane length). */
export function cleanFileName(name: string, mime: UploadMime): string {
  let base = String(name ?? "")
    .split(/[/\\]/)
    .pop()!
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, "")
    .trim();
  base = base.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  if (!base) base = "file";
  if ([...base].length > 100) base = [...base].slice(0, 100).join("");
  return base + EXTENSION[mime];
}

/** Validates and cleans one file's content; returns the bytes to store. Throws UploadRejectedError. */
export async function sanitizeUpload(data: Uint8Array, name: string): Promise<{ bytes: Buffer; mime: UploadMime }> {
  if (data.byteLength === 0) throw new UploadRejectedError("complaint:errors.fileEmpty", name);
  if (data.byteLength > LIMITS.maxFileBytes) throw new UploadRejectedError("complaint:errors.fileTooLarge", name);
  const mime = detectUploadType(data);
  if (!mime) throw new UploadRejectedError("complaint:errors.fileType", name);
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (mime === "application/pdf") {
    // A real PDF ends with %%EOF (allowing trailing whitespace / a few bytes of junk from some scanners).
    const tail = input.subarray(Math.max(0, input.length - 2048)).toString("latin1");
    if (!tail.includes("%%EOF")) throw new UploadRejectedError("complaint:errors.fileBroken", name);
    return { bytes: input, mime };
  }
  const sharp = await loadSharp();
  let out: Buffer;
  try {
    const meta = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" }).metadata();
    const expected = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" }[mime];
    if (meta.format !== expected) throw new Error("format mismatch");
    // .rotate() applies the EXIF orientation; sharp writes no metadata unless asked (withMetadata), so EXIF,
    // GPS, XMP, IPTC and device data are dropped.
    let img = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" })
      .rotate()
      .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: "inside", withoutEnlargement: true });
    if (mime === "image/jpeg") img = img.jpeg({ quality: 85 });
    else if (mime === "image/png") img = img.png({ compressionLevel: 9 });
    else img = img.webp({ quality: 85 });
    out = await img.toBuffer();
  } catch {
    throw new UploadRejectedError("complaint:errors.fileBroken", name);
  }
  const check = await sharp(out).metadata();
  if (check.exif || check.xmp || check.iptc) {
    // Should never happen; refuse rather than publish a location by accident.
    throw new UploadRejectedError("complaint:errors.fileBroken", name);
  }
  return { bytes: out, mime };
}

/** Stores bytes under their content address (complete before it returns; an identical file already there is kept). */
export async function writeContentAddressed(bytes: Buffer, db?: Executor): Promise<string> {
  const sha = sha256Hex(bytes);
  const key = attachmentKey(sha);
  const store = fileStore();
  const opts = db ? { db } : undefined;
  if ((await store.stat(key, opts))?.size === bytes.length) return sha;
  await store.put(key, bytes, opts);
  return sha;
}

/** A file as received: a web File/Blob or raw bytes with a name. */
export type IncomingFile = File | { name: string; data: Uint8Array };

export interface PendingUploadInfo {
  id: string;
  name: string;
  mime: string;
  size: number;
}

/**
 * Validates a file by its content, stores it and records a pending upload. Returns the pending upload id.
 * Throws UploadRejectedError (with an i18n key) for files that are refused.
 */
export async function storeUpload(file: IncomingFile, db: Executor): Promise<string> {
  return (await storeUploadInfo(file, db)).id;
}

/** Like storeUpload, but returns the stored file's id, clean name, type and size. */
export async function storeUploadInfo(file: IncomingFile, db: Executor): Promise<PendingUploadInfo> {
  const rawName = file.name ?? "";
  const data = "data" in file ? file.data : new Uint8Array(await file.arrayBuffer());
  const { bytes, mime } = await sanitizeUpload(data, rawName);
  const id = randomToken(16);
  const name = cleanFileName(rawName, mime);
  // With the store in the database the file and its pending row commit together; on disk the file is complete first.
  await inTransaction(db, async (trx) => {
    const sha = await writeContentAddressed(bytes, trx);
    await trx
      .insertInto("pending_uploads")
      .values({ id, sha256: sha, mime, size: bytes.length, original_name: name, created_at: now().toISOString() })
      .execute();
  });
  return { id, name, mime, size: bytes.length };
}

const PENDING_ID = /^[A-Za-z0-9_-]{22}$/;

/** True for a well-formed pending upload id (128 bits, base64url). */
export function isPendingUploadId(x: unknown): x is string {
  return typeof x === "string" && PENDING_ID.test(x);
}

/**
 * Resolves ids of files kept from an earlier (rejected) post. Malformed, unknown and expired ids are reported
 * in `missing`; duplicates are dropped.
 */
export async function resolveKeptUploads(db: Executor, ids: readonly unknown[]): Promise<{ found: PendingUploadInfo[]; missing: number }> {
  const unique = [...new Set(ids.filter((x) => typeof x === "string" && x !== ""))] as string[];
  const valid = unique.filter(isPendingUploadId).slice(0, LIMITS.maxFiles * 2);
  let missing = unique.length - valid.length;
  if (valid.length === 0) return { found: [], missing };
  const cutoff = new Date(now().getTime() - PENDING_MAX_AGE_MS).toISOString();
  const rows = await db
    .selectFrom("pending_uploads")
    .select(["id", "original_name", "mime", "size"])
    .where("id", "in", valid)
    .where("created_at", ">", cutoff)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const found: PendingUploadInfo[] = [];
  for (const id of valid) {
    const r = byId.get(id);
    if (r) found.push({ id, name: r.original_name, mime: r.mime, size: r.size });
    else missing++;
  }
  return { found, missing };
}

/** Removes pending uploads older than `maxAgeMs` and files no longer referenced by anything. */
export async function cleanupPendingUploads(db: Executor, maxAgeMs = PENDING_MAX_AGE_MS): Promise<number> {
  const cutoff = new Date(now().getTime() - maxAgeMs).toISOString();
  const old = await db.selectFrom("pending_uploads").select(["id", "sha256"]).where("created_at", "<=", cutoff).execute();
  if (old.length === 0) return 0;
  await db
    .deleteFrom("pending_uploads")
    .where(
      "id",
      "in",
      old.map((r) => r.id),
    )
    .execute();
  const orphans: string[] = [];
  for (const sha of new Set(old.map((r) => r.sha256))) {
    const stillPending = await db.selectFrom("pending_uploads").select("id").where("sha256", "=", sha).executeTakeFirst();
    const attached = await db.selectFrom("attachments").select("id").where("sha256", "=", sha).executeTakeFirst();
    if (!stillPending && !attached) orphans.push(attachmentKey(sha));
  }
  await fileRemoval.afterCommit(orphans, db);
  return old.length;
}

/** Runs cleanupPendingUploads at most once an hour, in the background (called from the public form). */
export function maybeCleanupPendingUploads(db: Executor): void {
  const t = Date.now();
  const last = siteMemo("attachments:cleanup", () => ({ at: 0 }));
  if (t - last.at < 3600_000) return;
  last.at = t;
  void cleanupPendingUploads(db)
    .then((n) => {
      if (n > 0) log.info("pending uploads cleaned", { count: n });
    })
    .catch((e) => log.warn("pending upload cleanup failed", errorFields(e)));
}

/** Multipart problems that end the request: status 400 or 413 and an i18n key (complaint namespace). */
export class MultipartError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly messageKey: string,
    /** Text fields read before the problem (to show the form again filled in). */
    public partial: Record<string, string> = {},
  ) {
    super(messageKey);
    this.name = "MultipartError";
  }
}

/** Largest text field accepted in a multipart form (bytes). */
const MAX_TEXT_PART = 64 * 1024;
/** Most parts accepted in one form. */
const MAX_PARTS = 200;

export interface ParsedMultipart {
  /** Text fields (files are not in here). */
  form: FormData;
  /** Files chosen in the `fileField` input (empty file inputs are skipped). */
  files: { name: string; data: Uint8Array }[];
  /**
   * With `refuseFilesOneByOne`: the files left out for their size or number (their bytes were read and dropped), with
   * the i18n key of the reason, so the form can report them with every other error of the same post.
   */
  refused: { name: string; key: string }[];
}

/**
 * Parses a multipart/form-data request with hard limits: at most LIMITS.maxFiles files of at most
 * LIMITS.maxFileBytes each and LIMITS.maxTotalBytes together, small text fields, a bounded number of parts.
 * Throws MultipartError(400) for anything malformed and MultipartError(413) for anything too big. On error,
 * `partial` holds the text fields read so far (so a form can be shown again filled in). With `refuseFilesOneByOne`
 * a file over the size limits or past the number of files is left out and listed in `refused` instead, and the rest
 * of the form is still read: the page then reports that file together with every other error of the post.
 */
export async function parseMultipartUpload(
  request: Request,
  { fileField = "attachments", refuseFilesOneByOne = false }: { fileField?: string; refuseFilesOneByOne?: boolean } = {},
): Promise<ParsedMultipart> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(contentType)) {
    throw new MultipartError(400, "complaint:errors.malformedForm");
  }
  const files: { name: string; data: Uint8Array }[] = [];
  const refused: { name: string; key: string }[] = [];
  let parts = 0;
  let total = 0;
  const seen: Record<string, string> = {};
  const decoder = () => new TextDecoder("utf-8", { fatal: false });
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (++parts > MAX_PARTS) throw new MultipartError(413, "complaint:errors.tooManyParts");
    if (filename === undefined) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of data) {
        size += chunk.byteLength;
        if (size > MAX_TEXT_PART) throw new MultipartError(413, "complaint:errors.fieldTooLarge");
        chunks.push(chunk);
      }
      const text = decoder().decode(Buffer.concat(chunks));
      if (!(name in seen)) seen[name] = text;
      return text;
    }
    // A file part. Parts for other names, and the empty part browsers send for an unused file input, are drained.
    const chunks: Uint8Array[] = [];
    let size = 0;
    const wanted = name === fileField;
    let problem: string | null = null;
    for await (const chunk of data) {
      if (!wanted) continue;
      size += chunk.byteLength;
      if (problem) continue; // refused one by one: the rest of this file is read and dropped
      if (size > LIMITS.maxFileBytes) problem = "complaint:errors.fileTooLarge";
      else if (total + size > LIMITS.maxTotalBytes) problem = "complaint:errors.filesTooLarge";
      if (problem && !refuseFilesOneByOne) throw new MultipartError(413, problem);
      if (problem) chunks.length = 0;
      else chunks.push(chunk);
    }
    if (!wanted || (size === 0 && filename === "")) return undefined;
    if (!problem && files.length >= LIMITS.maxFiles) {
      problem = "complaint:errors.tooManyFiles";
      if (!refuseFilesOneByOne) throw new MultipartError(413, problem);
    }
    if (problem) {
      refused.push({ name: filename.slice(0, 120), key: problem });
      return undefined;
    }
    total += size;
    files.push({ name: filename, data: Buffer.concat(chunks) });
    return undefined;
  };
  try {
    const form = await unstable_parseMultipartFormData(request, handler);
    return { form, files, refused };
  } catch (e) {
    const err = e instanceof MultipartError ? e : new MultipartError(400, "complaint:errors.malformedForm");
    err.partial = seen;
    throw err;
  }
}
