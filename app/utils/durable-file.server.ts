import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Writes bytes so they are on disk before anything refers to them: a temporary file in the same folder (mode 0600),
 * fsync, rename into place, fsync of the folder. Used for every stored upload (complaint attachments, encrypted
 * report evidence) before the database transaction that points at it commits.
 */
export function writeFileDurably(file: string, bytes: Buffer): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.tmp-${crypto.randomBytes(8).toString("hex")}`);
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directory fsync is not supported everywhere */
  }
}
