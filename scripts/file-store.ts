/**
 * The file store from the command line (app/utils/file-store.server.ts; docs/decisions/0013-file-store.md):
 *   npm run file-store -- check                  every file the database refers to is in the store FILE_STORE names
 *                                                (exit 1 when any is missing)
 *   npm run file-store -- copy --to database     copies every file under DATA_DIR/uploads and DATA_DIR/reports into
 *                                                the database (stored_file), each read back and compared by sha256;
 *                                                run it, then set FILE_STORE=database and restart every app server
 *   npm run file-store -- copy --to disk         the other way (back to FILE_STORE=disk)
 * With several organisations, `--org <code>` names the one whose files (its database, its folder under orgs/<code>/)
 * are checked or copied; it is required then, and refused with one.
 * Copying is idempotent (a file already there with the same bytes is skipped) and never removes anything from the
 * source: remove the old copies once the portal runs on the new store. Output: counts and sizes only (no key, no name).
 */
import crypto from "node:crypto";
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/connection";
import { getDb } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import { activeSite } from "../app/utils/site-context.server";
import { runCommandForOrganisation } from "./organisations";
import {
  DatabaseFileStore,
  FILE_NAMESPACES,
  LocalDiskFileStore,
  fileKeys,
  fileStore,
  type FileStore,
} from "../app/utils/file-store.server";

const USAGE = `Usage:
  npm run file-store -- check [--org CODE]
  npm run file-store -- copy --to database|disk [--org CODE]`;

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

async function copy(from: FileStore, to: FileStore): Promise<{ copied: number; skipped: number; bytes: number }> {
  let copied = 0;
  let skipped = 0;
  let bytes = 0;
  for (const ns of FILE_NAMESPACES) {
    for (const f of await from.list(`${ns}/`)) {
      const source = await from.get(f.key);
      if (!source) continue; // removed meanwhile
      const there = await to.get(f.key);
      if (there && sha(there) === sha(source)) {
        skipped++;
        continue;
      }
      await to.put(f.key, source);
      const back = await to.get(f.key);
      if (!back || sha(back) !== sha(source)) throw new Error("a copied file reads back differently: nothing was removed, run it again");
      copied++;
      bytes += source.length;
    }
  }
  return { copied, skipped, bytes };
}

async function check(store: FileStore): Promise<{ referenced: number; missing: number }> {
  const db = getDb();
  const keys = new Set<string>();
  for (const r of await db.selectFrom("attachments").select("sha256").distinct().execute()) keys.add(fileKeys.complaintUpload(r.sha256));
  for (const r of await db.selectFrom("pending_uploads").select("sha256").distinct().execute())
    keys.add(fileKeys.complaintUpload(r.sha256));
  for (const r of await db.selectFrom("report_attachments").select("storage_id").execute()) keys.add(fileKeys.reportEvidence(r.storage_id));
  for (const r of await db.selectFrom("report_pending_uploads").select("storage_id").execute())
    keys.add(fileKeys.pendingEvidence(r.storage_id));
  let missing = 0;
  for (const k of keys) if (!(await store.exists(k))) missing++;
  return { referenced: keys.size, missing };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({ args: args.slice(1), options: { to: { type: "string" } }, strict: true });
  const env = getEnv();
  // With several organisations, the one --org names (runCommandForOrganisation): its database, already migrated, and
  // its own folder on disk; the installation's directory closes its databases afterwards.
  const site = activeSite();
  const dataDir = site?.dataDir ?? env.DATA_DIR;
  const db = getDb();
  try {
    if (!site) await migrateToLatest(db);
    if (args[0] === "check") {
      const r = await check(fileStore());
      console.log(`file store (FILE_STORE=${env.FILE_STORE}): ${r.referenced} files referenced by the database, ${r.missing} missing`);
      return r.missing === 0 ? 0 : 1;
    }
    if (args[0] === "copy" && (values.to === "database" || values.to === "disk")) {
      const disk = new LocalDiskFileStore(dataDir);
      const database = new DatabaseFileStore(() => db);
      const [from, to] = values.to === "database" ? [disk, database] : [database, disk];
      const r = await copy(from, to);
      const mb = (r.bytes / 1_048_576).toFixed(1);
      console.log(`copied ${r.copied} files (${mb} MB) to the ${values.to} store; ${r.skipped} were there already`);
      const c = await check(to);
      console.log(`the ${values.to} store now holds ${c.referenced - c.missing} of the ${c.referenced} files the database refers to`);
      if (env.FILE_STORE !== values.to) console.log(`next: set FILE_STORE=${values.to} and restart every app server`);
      return c.missing === 0 ? 0 : 1;
    }
    console.error(USAGE);
    return 2;
  } finally {
    if (!site) await db.destroy();
  }
}

runCommandForOrganisation(main);
