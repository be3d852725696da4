/**
 * The audit log from the command line:
 *   npm run audit -- verify            checks the hash chain (exit 0: intact, 1: broken)
 *   npm run audit -- list [--limit N]  newest entries first (no report content is ever in the log)
 * Needs the same DATA_DIR (keys/master.key or MASTER_KEY) as the server: the chain is keyed with the master key.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getDb } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import { listAudit, verifyAuditChain } from "../app/models/audit.server";

const USAGE = `Usage:
  npm run audit -- verify
  npm run audit -- list [--limit N]`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "verify" && command !== "list") {
    console.error(USAGE);
    return 2;
  }
  const env = getEnv();
  if (!env.MASTER_KEY && !fs.existsSync(path.join(env.DATA_DIR, "keys", "master.key"))) {
    // Never create a new master key here: that would only make a correct chain look broken.
    console.error(`No master key (MASTER_KEY or ${path.join(env.DATA_DIR, "keys", "master.key")}): is DATA_DIR right?`);
    return 1;
  }
  if (!fs.existsSync(env.DATABASE_FILE)) {
    console.error(`No database at ${env.DATABASE_FILE}: is DATA_DIR right?`);
    return 1;
  }
  const db = getDb();
  try {
    if (command === "verify") {
      const r = await verifyAuditChain(db);
      if (r.ok) {
        console.log(`audit log intact: ${r.checked} entries checked`);
        return 0;
      }
      console.error(`AUDIT LOG BROKEN at entry ${r.firstBadId} (${r.reason}); ${r.checked} entries before it are intact`);
      return 1;
    }
    if (command === "list") {
      const { values } = parseArgs({ args: rest, options: { limit: { type: "string" } } });
      const limit = values.limit ? Number(values.limit) : 50;
      if (!Number.isInteger(limit) || limit < 1) {
        console.error("--limit must be a positive whole number");
        return 2;
      }
      for (const e of await listAudit(db, { limit })) {
        console.log(
          [e.id, e.at, e.actor_id ?? "-", e.actor_role ?? "-", e.action, `${e.target_type}:${e.target_id ?? "-"}`, e.details].join("\t"),
        );
      }
      return 0;
    }
    return 2;
  } finally {
    await db.destroy();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
