/**
 * The corruption-report channel from the command line:
 *   npm run reports -- key-migration-status
 *       How many reports filed before per-recipient keys (migration 0800) still have their master-key wrap.
 *   npm run reports -- migrate-keys --email <integrity officer's e-mail>   (their password from standard input)
 *       Finishes the move to per-recipient keys: every report from before the upgrade is wrapped for every officer
 *       entitled to it who has a key pair, then every remaining master-key wrap is destroyed. Lists the officers left
 *       without a copy (a colleague who holds the report can give them access from its page). Needs the password of
 *       an integrity officer who has signed in since the upgrade (their key pair exists): the operator alone cannot
 *       run it. Written to the audit log with the operating-system user.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/connection";
import { getDb } from "../app/utils/db.server";
import { appendAudit } from "../app/models/audit/audit.server";
import { verifyLogin } from "../app/models/staff/staff.server";
import { keyEncryptionKeyFor, openStaffKeys } from "../app/models/report/staff-keys.server";
import { finishKeyMigration, legacyWrapsRemaining } from "../app/models/report/key-migration.server";
import { runCommandForOrganisation } from "./organisations";

const USAGE = `Usage:
  npm run reports -- key-migration-status
  npm run reports -- migrate-keys --email E      (the integrity officer's password on standard input)`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "key-migration-status" && command !== "migrate-keys") {
    console.error(USAGE);
    return 2;
  }
  const db = getDb();
  try {
    await migrateToLatest(db);
    if (command === "key-migration-status") {
      console.log(`reports still wrapped by the master key: ${await legacyWrapsRemaining(db)}`);
      return 0;
    }
    const { values } = parseArgs({ args: rest, options: { email: { type: "string" } }, strict: true });
    if (!values.email) {
      console.error(USAGE);
      return 2;
    }
    const password = await readStdin();
    if (!password) {
      console.error("The integrity officer's password is read from standard input (echo '…' | npm run reports -- migrate-keys --email …).");
      return 2;
    }
    const login = await verifyLogin(db, values.email, password);
    if (!login.ok || login.staff.role !== "integrity") {
      console.error("Refused: not an active integrity officer with this password.");
      return 1;
    }
    const keys = await openStaffKeys(db, login.staff.id, await keyEncryptionKeyFor(db, login.staff.id, password));
    if (!keys) {
      console.error("This officer has no report keys yet: they sign in once on the portal first (that makes their key pair).");
      return 1;
    }
    const r = await finishKeyMigration(db);
    await appendAudit(db, {
      actorId: login.staff.id,
      actorRole: "cli",
      action: "report.key-migration.finish",
      targetType: "report_channel",
      targetId: null,
      details: { osUser: os.userInfo().username, reports: r.destroyed, copies: r.wrapped, officersWithoutCopy: r.withoutCopy.length },
    });
    console.log(`master-key wraps destroyed: ${r.destroyed}; copies made for officers: ${r.wrapped}`);
    if (r.withoutCopy.length > 0) {
      console.log(
        `left without a copy (they have no key pair yet; a colleague who holds the reports can give them access): ${r.withoutCopy.join(", ")}`,
      );
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

// --org <code>: with several organisations, the one it runs for (scripts/organisations.ts).
runCommandForOrganisation(main);
