/**
 * A test server's stored files, wherever its FILE_STORE keeps them (app/utils/file-store.server.ts): files under
 * DATA_DIR (disk, the default) or rows of stored_file (database). Keys are the store's: "uploads/ab/<sha256>",
 * "reports/<storage id>", "reports/pending/<storage id>". Lets the tests that look at stored bytes run with either.
 */
import fs from "node:fs";
import path from "node:path";
import { dbAll, dbGet, type TestServer } from "./server";

type Server = Pick<TestServer, "env" | "dataDir" | "dbFile">;

/** The server's own FILE_STORE, else the one it inherits from the test run's environment (FILE_STORE=database npx vitest …). */
export const usesDatabaseStore = (server: Pick<TestServer, "env">) => (server.env.FILE_STORE ?? process.env.FILE_STORE) === "database";

/** The bytes stored under `key`, or null. */
export async function storedFile(server: Server, key: string): Promise<Buffer | null> {
  if (usesDatabaseStore(server)) {
    const row = await dbGet<{ bytes: Buffer }>(server, "select bytes from stored_file where key = ?", key);
    return row ? Buffer.from(row.bytes) : null;
  }
  const file = path.join(server.dataDir, ...key.split("/"));
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

/** Keys of the stored files that start with `prefix` (e.g. "reports/pending/"), sorted; temporary files left out. */
export async function storedKeys(server: Server, prefix: string): Promise<string[]> {
  if (usesDatabaseStore(server)) {
    const rows = await dbAll<{ key: string }>(
      server,
      "select key from stored_file where substr(key, 1, ?) = ? order by key",
      prefix.length,
      prefix,
    );
    return rows.map((r) => r.key);
  }
  const dir = path.join(server.dataDir, ...prefix.split("/").filter(Boolean));
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith("."))
    .map((e) => path.relative(server.dataDir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}
