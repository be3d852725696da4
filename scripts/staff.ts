/**
 * Staff accounts from the command line (runs migrations first, so it works on a fresh ./data). Every command that
 * changes an account is written to the audit log with the operating-system user who ran it. No password is ever
 * printed: a new account, and a reset, get a one-time link by which the person sets their own password.
 *   npm run staff -- add --email E --name N --role R [--division CODE] [--position P] [--nicknames "a, b"]
 *   npm run staff -- add … --password-stdin     (automation: the password is read from standard input, never shown)
 *   npm run staff -- list
 *   npm run staff -- reset --email E           (a new one-time link to set a new password)
 *   npm run staff -- unlock --email E          (end the wait after failed sign-ins)
 *   npm run staff -- disable --email E | enable --email E
 *   npm run staff -- reset-totp --email E      (lost phone and recovery codes: second factor set up again)
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/connection";
import { seedOrganisation } from "../db/seed";
import { getDb } from "../app/utils/db.server";
import { forOrganisationOption, severalOrganisations } from "./organisations";
import { STAFF_ROLES, isStaffRole } from "../app/lib/permissions";
import { appendAudit } from "../app/models/audit/audit.server";
import { createStaff, listStaff, normalizeEmail, PASSWORD_MIN_LENGTH } from "../app/models/staff/staff.server";
import { isDomainError } from "../app/lib/domain-error";
import {
  createAccount,
  ENROLMENT_HOURS,
  listAccounts,
  resetPassword,
  setAccountActive,
  unlockAccount,
} from "../app/models/staff/accounts.server";
import { resetSecondFactor } from "../app/models/staff/second-factor.server";

const USAGE = `Usage:
  npm run staff -- add --email E --name N --role ${STAFF_ROLES.join("|")} [--division CODE] [--position P] [--nicknames "a, b"]
      Prints a one-time link (valid ${ENROLMENT_HOURS} hours) by which the person sets their own password — give it to
      them in person or by phone. Officers need --division.
      With --password-stdin the password is read from standard input instead (for automation); it is never shown.
  npm run staff -- list
  npm run staff -- reset --email E        a new link to set a new password (the old one works until it is used)
  npm run staff -- unlock --email E       end the wait unknown devices have after failed sign-ins
  npm run staff -- disable --email E
  npm run staff -- enable --email E
  npm run staff -- reset-totp --email E
      Removes a person's TOTP secret and recovery codes and ends their sessions; they set up a second factor again at
      their next sign-in (check who is asking first: this is the recovery path of last resort).
  An installation with several organisations (ORG_ROUTING=host) needs --org CODE on every command.`;

const COMMANDS = ["add", "list", "reset", "unlock", "disable", "enable", "reset-totp"];

function usage(message?: string): never {
  if (message) console.error(`Error: ${message}\n`);
  console.error(USAGE);
  process.exit(2);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/**
 * The server writes to the same database: a transaction of this process that read before the server's write cannot
 * then write (SQLite answers "database is locked" at once, without waiting). Such a command is simply run again.
 */
async function withBusyRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (!code.startsWith("SQLITE_BUSY") || attempt >= 30) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help") usage();
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        email: { type: "string" },
        name: { type: "string" },
        role: { type: "string" },
        division: { type: "string" },
        position: { type: "string" },
        nicknames: { type: "string" },
        "password-stdin": { type: "boolean" },
        org: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  if (!COMMANDS.includes(command)) usage(`unknown command "${command}"`);

  const org = typeof values.org === "string" ? values.org : undefined;
  await forOrganisationOption(org, () => runCommand(command, values));
}

async function runCommand(command: string, values: Record<string, string | boolean | undefined>) {
  const db = getDb();
  await migrateToLatest(db);
  // One of several organisations was seeded when it was added (npm run org -- add): never with another's profile.
  if (!severalOrganisations()) await seedOrganisation(db);
  const by = { staffId: null, role: "cli", osUser: os.userInfo().username };
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);

  try {
    // Read once, before any attempt (a retried command must not read standard input again).
    const stdinPassword = values["password-stdin"] ? await readStdin() : undefined;
    await withBusyRetry(() => run(command, values, db, by, str, stdinPassword));
  } catch (e) {
    if (isDomainError(e)) {
      console.error(`Error: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  } finally {
    if (!severalOrganisations()) await db.destroy(); // one of several: closed with the others by forOrganisationOption
  }
}

async function run(
  command: string,
  values: Record<string, string | boolean | undefined>,
  db: ReturnType<typeof getDb>,
  by: { staffId: null; role: string; osUser: string },
  str: (k: string) => string | undefined,
  stdinPassword: string | undefined,
): Promise<void> {
  {
    if (command === "list") {
      const rows = await listAccounts(db);
      const divisions = new Map((await listStaff(db)).map((s) => [s.id, s.division_code ?? "-"]));
      if (rows.length === 0) console.log("No staff accounts.");
      for (const r of rows) {
        const state = !r.active ? "disabled" : r.pending ? "password not set" : r.waitUntil ? `waiting until ${r.waitUntil}` : "active";
        console.log(
          [r.email, r.name, r.role, divisions.get(r.id) ?? "-", state, r.linkExpiresAt ? `link until ${r.linkExpiresAt}` : ""].join("\t"),
        );
      }
      return;
    }
    if (command !== "add") {
      const email = str("email");
      if (!email) usage("--email is required");
      const s = await db.selectFrom("staff").select(["id", "role"]).where("email", "=", normalizeEmail(email)).executeTakeFirst();
      if (!s) {
        console.error(`Error: no staff account with e-mail ${email}`);
        process.exitCode = 2;
        return;
      }
      if (command === "reset") {
        const r = await resetPassword(db, s.id, by);
        console.log(`A link for ${email} to set a new password (valid until ${r.expiresAt}; the old password works until it is used):`);
        console.log(r.url);
        if (r.holdsReportKeys)
          console.log(
            "They receive corruption reports: without their recovery key, a colleague who holds their reports gives access again.",
          );
        return;
      }
      if (command === "unlock") {
        await unlockAccount(db, s.id, by);
        console.log(`The wait after failed sign-ins of ${email} has ended.`);
        return;
      }
      if (command === "disable" || command === "enable") {
        await setAccountActive(db, s.id, command === "enable", by);
        console.log(command === "disable" ? `Disabled ${email} and ended their sessions.` : `Enabled ${email}.`);
        return;
      }
      // reset-totp: every second factor (authenticator app, recovery codes, passkeys) goes, and every session ends.
      const removed = await resetSecondFactor(db, s.id, { id: null, role: "cli", details: { osUser: by.osUser } });
      await db.deleteFrom("staff_sessions").where("staff_id", "=", s.id).execute();
      console.log(
        `The second factors of ${email} were removed (${removed.passkeysRemoved} passkey(s)); they set one up again at their next sign-in.`,
      );
      return;
    }
    // add
    const email = str("email");
    const name = str("name");
    const role = str("role");
    const division = str("division");
    if (!email) usage("--email is required");
    if (!name) usage("--name is required");
    if (!role || !isStaffRole(role)) usage(`--role must be one of ${STAFF_ROLES.join(", ")}`);
    if (role === "officer" && !division) usage("officers need --division CODE");
    let divisionId: number | null = null;
    if (division) {
      const d = await db.selectFrom("divisions").select(["id"]).where("code", "=", division).executeTakeFirst();
      if (!d) {
        const codes = (await db.selectFrom("divisions").select("code").execute()).map((x) => x.code);
        usage(`unknown division "${division}" (known: ${codes.join(", ")})`);
      }
      divisionId = d.id;
    }
    const input = { email, name, role, divisionId, position: str("position"), nicknames: str("nicknames") };
    if (stdinPassword !== undefined) {
      const password = stdinPassword;
      if ([...password].length < PASSWORD_MIN_LENGTH) usage(`the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
      const staff = await db.transaction().execute(async (trx) => {
        const created = await createStaff(trx, { ...input, password });
        await appendAudit(trx, {
          actorId: null,
          actorRole: "cli",
          action: "staff.create",
          targetType: "staff",
          targetId: created.id,
          details: { role: created.role, osUser: by.osUser, passwordFrom: "stdin" },
        });
        return created;
      });
      console.log(`Created ${staff.role} ${staff.email} (id ${staff.id}) with the password given on standard input.`);
      return;
    }
    const created = await createAccount(db, input, by);
    console.log(`Created ${created.staff.role} ${created.staff.email} (id ${created.staff.id}).`);
    console.log(`Give them this link (in person or by phone, not by e-mail) to set their own password; valid until ${created.expiresAt}:`);
    console.log(created.url);
  }
}

void main().catch((e) => {
  console.error(`Failed: ${(e as Error).message}`);
  process.exit(1);
});
