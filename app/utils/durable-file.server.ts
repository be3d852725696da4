import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Writes bytes so they are on disk before anything refers to them: a temporary file in the same folder (mode 0600),
 * fsync, rename into place, fsync of the folder. Readers see the old file or the whole new one, never part of it; on
 * any failure the temporary file is removed. Used by the local-disk file store (app/utils/file-store.server.ts) for
 * every stored upload (complaint attachments, encrypted report evidence) before the database transaction that points
 * at it commits.
 */
export function writeFileDurably(file: string, bytes: Buffer): void {
  const { tmp, fd } = openTemp(file);
  try {
    writeAll(fd, bytes);
    fs.fsyncSync(fd);
  } catch (e) {
    discardTemp(tmp, fd);
    throw e;
  }
  fs.closeSync(fd);
  moveIntoPlace(tmp, file);
}

/** Like writeFileDurably, for bytes that arrive in chunks (a stream): nothing is visible under `file` until all arrived. */
export async function writeChunksDurably(file: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
  const { tmp, fd } = openTemp(file);
  let size = 0;
  try {
    for await (const chunk of chunks) {
      writeAll(fd, chunk);
      size += chunk.byteLength;
    }
    fs.fsyncSync(fd);
  } catch (e) {
    discardTemp(tmp, fd);
    throw e;
  }
  fs.closeSync(fd);
  moveIntoPlace(tmp, file);
  return size;
}

/** Temporary files of the writers above start with this (backups and file listings skip them). */
export const TEMP_PREFIX = ".tmp-";

function openTemp(file: string): { tmp: string; fd: number } {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `${TEMP_PREFIX}${crypto.randomBytes(8).toString("hex")}`);
  return { tmp, fd: fs.openSync(tmp, "wx", 0o600) };
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
}

function discardTemp(tmp: string, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
  fs.rmSync(tmp, { force: true });
}

function moveIntoPlace(tmp: string, file: string): void {
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(path.dirname(file), "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directory fsync is not supported everywhere */
  }
}
