/**
 * The audit log from the command line:
 *   npm run audit-log -- verify            checks the hash chain (exit 0: intact, 1: broken)
 *   npm run audit-log -- head              prints the chain head line for the supervisor's log book (exit 1 if the chain
 *                                      is already broken: the line is still printed, with a warning)
 *   npm run audit-log -- verify --head "<head line, id:hash or id hash>"
 *                                      also checks the log against a head saved earlier (exit 1: truncated or
 *                                      rewritten since; exit 2: the head text cannot be read)
 *   npm run audit-log -- list [--limit N]  newest entries first (no report content is ever in the log)
 * With several organisations (ORG_ROUTING=host or path) every command takes --org <code>.
 * Needs the same DATA_DIR (keys/master.key or MASTER_KEY) as the server: the chain is keyed with the master key.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getDb } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import {
  auditEntryCount,
  auditHead,
  formatAuditHead,
  listAudit,
  parseAuditHead,
  shortAuditHead,
  verifyAuditChain,
  type AuditVerification,
  type SavedAuditHead,
} from "../app/models/audit/audit.server";
import { formatThaiDate } from "../app/lib/thai-date";
import { runCommandForOrganisation, severalOrganisations } from "./organisations";

const USAGE = `Usage:
  npm run audit-log -- verify [--head "<saved head>"]
  npm run audit-log -- head
  npm run audit-log -- list [--limit N]
A saved head is the line printed by \`head\` (sujarit-audit-head <id> <64 hex> …), or <id>:<64 hex>, or <id> <64 hex>.`;

/** What went wrong, in one sentence naming the entry and the reason. */
function brokenMessage(r: AuditVerification, head: SavedAuditHead | null): string {
  if (head && r.reason === "truncated" && r.firstBadId !== undefined && r.firstBadId <= head.id) {
    return `AUDIT LOG TRUNCATED: entry ${head.id} of the saved head is missing and the log now ends at entry ${r.firstBadId - 1}; entries from ${r.firstBadId} were removed`;
  }
  if (head && r.reason === "rewritten") {
    return `AUDIT LOG REWRITTEN: entry ${head.id} no longer has the hash of the saved head (or is gone while later entries exist); the log up to entry ${head.id} was rewritten after the head was saved`;
  }
  return `AUDIT LOG BROKEN at entry ${r.firstBadId} (${r.reason}); ${r.checked} entries before it are intact`;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "verify" && command !== "list" && command !== "head") {
    console.error(USAGE);
    return 2;
  }
  let savedHead: SavedAuditHead | null = null;
  if (command === "verify" || command === "head") {
    let values: { head?: string };
    try {
      values = parseArgs({ args: rest, options: command === "verify" ? { head: { type: "string" } } : {} }).values as { head?: string };
    } catch (e) {
      console.error(`${e instanceof Error ? e.message : e}\n${USAGE}`);
      return 2;
    }
    if (values.head !== undefined) {
      savedHead = parseAuditHead(values.head);
      if (!savedHead) {
        console.error(`--head is not a saved audit head: ${JSON.stringify(values.head.slice(0, 200))}\n${USAGE}`);
        return 2;
      }
    }
  }
  const env = getEnv();
  if (!env.MASTER_KEY && !fs.existsSync(path.join(env.DATA_DIR, "keys", "master.key"))) {
    // Never create a new master key here: that would only make a correct chain look broken.
    console.error(`No master key (MASTER_KEY or ${path.join(env.DATA_DIR, "keys", "master.key")}): is DATA_DIR right?`);
    return 1;
  }
  // On PostgreSQL the database is a server's (DATABASE_URL); on SQLite a missing file means the wrong DATA_DIR.
  if (!severalOrganisations() && env.DATABASE_DIALECT === "sqlite" && !fs.existsSync(env.DATABASE_FILE)) {
    console.error(`No database at ${env.DATABASE_FILE}: is DATA_DIR right?`);
    return 1;
  }
  const db = getDb();
  try {
    if (command === "verify") {
      const r = await verifyAuditChain(db, { head: savedHead });
      if (r.ok) {
        console.log(
          savedHead
            ? `audit log intact and consistent with the saved head (entry ${savedHead.id}): ${r.checked} entries checked`
            : `audit log intact: ${r.checked} entries checked`,
        );
        return 0;
      }
      console.error(brokenMessage(r, savedHead));
      return 1;
    }
    if (command === "head") {
      const head = await auditHead(db);
      if (!head) {
        console.error("The audit log is empty: there is no head to record yet.");
        return 1;
      }
      const count = await auditEntryCount(db);
      console.log(formatAuditHead(head, "th"));
      console.log(`วันที่ ${formatThaiDate(new Date(head.at), "th", { withTime: true })} · รายการที่ ${head.id} · ทั้งหมด ${count} รายการ`);
      console.log(`entry ${head.id} of ${count}; hash in groups of four for the log book: ${head.hash.match(/.{4}/g)!.join(" ")}`);
      console.log(`check later with: npm run audit-log -- verify --head '${shortAuditHead(head)}'`);
      const r = await verifyAuditChain(db);
      if (!r.ok) {
        console.error(`WARNING: ${brokenMessage(r, null)}`);
        return 1;
      }
      return 0;
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

// --org <code>: with several organisations, the one it runs for (scripts/organisations.ts).
runCommandForOrganisation(main);
