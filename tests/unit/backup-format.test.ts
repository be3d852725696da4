/**
 * The pure parts of `npm run backup` / `npm run restore` (scripts/backup-lib.ts): which backups rotation keeps, the
 * passphrase encryption (round trip, wrong passphrase, a changed byte, a cut-short or extended file), safe entry paths.
 */
import crypto from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BackupError, backupStamp, backupsToKeep, decryptStream, encryptStream, safeEntryPath } from "../../scripts/backup-lib";

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

const encrypt = (plain: Buffer, pass: string) => collect(Readable.from([plain]).pipe(encryptStream(pass)));
const decrypt = (sealed: Buffer, pass: string) => {
  // Fed in odd-sized pieces, as a file stream would.
  const pieces: Buffer[] = [];
  for (let i = 0; i < sealed.length; i += 77_777) pieces.push(sealed.subarray(i, i + 77_777));
  const d = decryptStream(pass, "test.tar.gz.enc");
  return collect(Readable.from(pieces).pipe(d));
};

describe("rotation (keep N daily, M monthly)", () => {
  // One backup a day at 02:30 Bangkok (19:30 UTC the day before) for 100 days, plus a second one on the last day.
  const start = Date.UTC(2026, 5, 1, 19, 30);
  const stamps = Array.from({ length: 100 }, (_, i) => backupStamp(new Date(start + i * 86_400_000)));
  stamps.push(backupStamp(new Date(start + 99 * 86_400_000 + 3_600_000)));

  it("keeps the newest of each of the last N days and of each of the last M months", () => {
    const keep = backupsToKeep(stamps, 7, 3);
    const newest = [...stamps].sort().reverse();
    // The last day has two backups: only its newest is kept.
    expect(keep.has(newest[0])).toBe(true);
    expect(keep.has(newest[1])).toBe(false);
    // Seven days: the newest and the six days before it.
    for (const s of newest.slice(2, 8)) expect(keep.has(s)).toBe(true);
    // Months (Bangkok): the newest backup of each of the three most recent months is kept, older months are gone.
    const bangkokMonth = (s: string) =>
      new Date(Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13)) + 7 * 3_600_000)
        .toISOString()
        .slice(0, 7);
    const months = [...new Set(newest.map(bangkokMonth))];
    const lastOfMonth = months.slice(0, 3).map((m) => newest.find((s) => bangkokMonth(s) === m)!);
    for (const s of lastOfMonth) expect(keep.has(s)).toBe(true);
    expect(keep.size).toBe(7 + 3 - 1); // the newest counts as a day and as a month
    expect([...keep].every((s) => months.slice(0, 3).includes(bangkokMonth(s)))).toBe(true);
  });

  it("buckets by the Bangkok date: 23:30 UTC is already the next day", () => {
    const a = backupStamp(new Date(Date.UTC(2026, 0, 31, 16, 0))); // 23:00 Bangkok, 31 January
    const b = backupStamp(new Date(Date.UTC(2026, 0, 31, 17, 30))); // 00:30 Bangkok, 1 February
    expect(backupsToKeep([a, b], 2, 0)).toEqual(new Set([a, b]));
    expect(backupsToKeep([a, b], 0, 2)).toEqual(new Set([a, b]));
    expect(backupsToKeep([a, b], 1, 0)).toEqual(new Set([b]));
  });

  it("never removes the only or newest backup, even with zero kept", () => {
    expect(backupsToKeep(stamps, 0, 0)).toEqual(new Set([[...stamps].sort().pop()]));
    expect(backupsToKeep([], 3, 3).size).toBe(0);
  });
});

describe("passphrase encryption (AES-256-GCM, scrypt, 1 MiB chunks)", () => {
  const plain = crypto.randomBytes(2.5 * 1024 * 1024 + 123);
  const pass = "ภูเขาทอง ลำน้ำโขง 2569";
  let sealed: Buffer;

  it("round-trips, and the output reveals nothing of the input", async () => {
    sealed = await encrypt(plain, pass);
    expect(sealed.subarray(0, 8).toString("latin1")).toBe("SJBKENC1");
    expect(sealed.includes(plain.subarray(1000, 1032))).toBe(false);
    expect((await decrypt(sealed, pass)).equals(plain)).toBe(true);
    // An empty input is one (final) empty chunk.
    expect((await decrypt(await encrypt(Buffer.alloc(0), pass), pass)).length).toBe(0);
  }, 30_000);

  it("tells a wrong passphrase", async () => {
    await expect(decrypt(sealed, pass + "x")).rejects.toThrow(/test\.tar\.gz\.enc: wrong passphrase/);
  }, 30_000);

  it("refuses a changed byte, a file cut short, a chunk dropped and anything appended", async () => {
    const changed = Buffer.from(sealed);
    changed[changed.length - 100] ^= 1;
    await expect(decrypt(changed, pass)).rejects.toThrow(/damaged or altered \(chunk 3 fails authentication\)/);
    await expect(decrypt(sealed.subarray(0, sealed.length - 5), pass)).rejects.toThrow(/cut short/);
    // Cutting exactly after a whole chunk: the final-chunk flag is missing.
    const headerLen = 8 + 4 + sealed.readUInt32BE(8);
    const firstChunkEnd = headerLen + 4 + sealed.readUInt32BE(headerLen) + 16;
    await expect(decrypt(sealed.subarray(0, firstChunkEnd), pass)).rejects.toThrow(/final chunk is missing/);
    await expect(decrypt(Buffer.concat([sealed, sealed.subarray(headerLen, firstChunkEnd)]), pass)).rejects.toThrow(
      /after the final chunk/,
    );
    await expect(decrypt(Buffer.from("not an archive at all"), pass)).rejects.toBeInstanceOf(BackupError);
  }, 60_000);
});

describe("entry paths an archive may hold", () => {
  it("only plain relative names", () => {
    for (const ok of ["sujarit.db", "uploads/ab/ab12", "reports/pending/0f", "keys/master.key"]) expect(safeEntryPath(ok), ok).toBe(true);
    for (const bad of ["/etc/passwd", "../x", "uploads/../../x", "uploads//x", "./x", "a\\b", "uploads/ผล.jpg", "", "x/."])
      expect(safeEntryPath(bad), bad).toBe(false);
  });
});
