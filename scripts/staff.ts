/**
 * Staff accounts from the command line (runs migrations first, so it works on a fresh ./data):
 *   npm run staff -- add --email E --name N --role R [--division CODE]   (password from stdin, or generated)
 *   npm run staff -- list
 *   npm run staff -- disable --email E
 *   npm run staff -- reset-totp --email E   (integrity officer lost the phone and the recovery codes)
 */
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/connection";
import { seedOrganisation } from "../db/seed";
import { getDb } from "../app/utils/db.server";
import { STAFF_ROLES, isStaffRole } from "../app/lib/permissions";
import { appendAudit } from "../app/models/audit.server";
import { createStaff, disableStaff, generatePassword, listStaff, StaffInputError, PASSWORD_MIN_LENGTH } from "../app/models/staff.server";

const USAGE = `Usage:
  npm run staff -- add --email E --name N --role ${STAFF_ROLES.join("|")} [--division CODE]
      The password is read from standard input when piped (echo 'pw' | npm run staff -- add …);
      otherwise a random one is generated and printed once. Officers need --division.
      Integrity officers (role integrity) set up two-step verification (TOTP) at their first sign-in.
  npm run staff -- list
  npm run staff -- disable --email E
  npm run staff -- reset-totp --email E
      Removes an integrity officer's TOTP secret and recovery codes and ends their sessions; they set it up
      again at their next sign-in (check who is asking first: this is the recovery path of last resort).`;

function usage(message?: string): never {
  if (message) console.error(`Error: ${message}\n`);
  console.error(USAGE);
  process.exit(2);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help") usage();
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string" }, division: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | undefined>;
  } catch (e) {
    usage((e as Error).message);
  }
  if (!["add", "list", "disable", "reset-totp"].includes(command)) usage(`unknown command "${command}"`);

  const db = getDb();
  await migrateToLatest(db);
  await seedOrganisation(db);

  try {
    if (command === "list") {
      const rows = await listStaff(db);
      if (rows.length === 0) console.log("No staff accounts.");
      for (const r of rows) {
        console.log([r.email, r.name, r.role, r.division_code ?? "-", r.active ? "active" : "disabled"].join("\t"));
      }
      return;
    }
    if (command === "disable") {
      if (!values.email) usage("--email is required");
      const ok = await disableStaff(db, values.email);
      if (!ok) {
        console.error(`Error: no staff account with e-mail ${values.email}`);
        process.exitCode = 2;
        return;
      }
      console.log(`Disabled ${values.email} and ended their sessions.`);
      return;
    }
    if (command === "reset-totp") {
      if (!values.email) usage("--email is required");
      const email = values.email.normalize("NFC").trim().toLowerCase();
      const done = await db.transaction().execute(async (trx) => {
        const s = await trx.selectFrom("staff").select(["id", "role"]).where("email", "=", email).executeTakeFirst();
        if (!s) return false;
        await trx
          .updateTable("staff")
          .set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null, recovery_codes: null })
          .where("id", "=", s.id)
          .execute();
        await trx.deleteFrom("staff_sessions").where("staff_id", "=", s.id).execute();
        await appendAudit(trx, {
          actorId: null,
          actorRole: "cli",
          action: "totp.reset",
          targetType: "staff",
          targetId: String(s.id),
          details: {},
        });
        return true;
      });
      if (!done) {
        console.error(`Error: no staff account with e-mail ${values.email}`);
        process.exitCode = 2;
        return;
      }
      console.log(`Two-step verification of ${values.email} was reset; they set it up again at their next sign-in.`);
      return;
    }
    // add
    const { email, name, role, division } = values;
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
    let password: string;
    let generated = false;
    if (!process.stdin.isTTY) {
      password = await readStdin();
      if (password === "") {
        password = generatePassword(24);
        generated = true;
      }
    } else {
      password = generatePassword(24);
      generated = true;
    }
    if (password.length < PASSWORD_MIN_LENGTH) usage(`the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
    const staff = await createStaff(db, { email, name, role, divisionId, password });
    console.log(`Created ${staff.role} ${staff.email} (id ${staff.id}).`);
    if (staff.role === "integrity") console.log("They will set up two-step verification (an authenticator app) at their first sign-in.");
    if (generated) console.log(`Password (shown once, store it safely): ${password}`);
  } catch (e) {
    if (e instanceof StaffInputError) {
      console.error(`Error: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  } finally {
    await db.destroy();
  }
}

void main().catch((e) => {
  console.error(`Failed: ${(e as Error).message}`);
  process.exit(1);
});
