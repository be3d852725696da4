/**
 * Personal data of general complaints from the command line (app/models/complaints/privacy.server.ts). Every command is written
 * to the audit log with the operating-system user, never with the phone number or e-mail searched for.
 *   npm run retention [-- --dry-run]                 remove personal data of cases past their retention period
 *   npm run privacy -- find --phone P | --email E     a person's cases (data-subject request)
 *   npm run privacy -- export --reference R [--out F] everything held about a case, as JSON (stdout or a file, mode 0600)
 *   npm run privacy -- erase --reference R [--open-case]  erase a case's personal data (an open case needs --open-case)
 */
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/connection";
import { getDb } from "../app/utils/db.server";
import {
  eraseCase,
  exportCase,
  findCasesByContact,
  PrivacyRequestError,
  runComplaintRetention,
} from "../app/models/complaints/privacy.server";
import { runCommandForOrganisation } from "./organisations";

const USAGE = `Usage:
  npm run retention [-- --dry-run]
  npm run privacy -- find --phone P | --email E
  npm run privacy -- export --reference R [--out FILE]
  npm run privacy -- erase --reference R [--open-case]`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const command = args[0] === "retention" ? "retention" : args[0];
  const { values } = parseArgs({
    args: args.slice(1),
    options: {
      phone: { type: "string" },
      email: { type: "string" },
      reference: { type: "string" },
      out: { type: "string" },
      "open-case": { type: "boolean" },
      "dry-run": { type: "boolean" },
    },
    strict: true,
  });
  const db = getDb();
  const actor = { staffId: null, role: "cli", osUser: os.userInfo().username };
  try {
    await migrateToLatest(db);
    if (command === "retention") {
      const r = await runComplaintRetention(db, { dryRun: values["dry-run"] === true });
      console.log(
        values["dry-run"] ? `cases past their retention period: ${r.due} (nothing changed)` : `cases anonymised: ${r.anonymised}`,
      );
      return 0;
    }
    if (command === "find") {
      if (!values.phone && !values.email) {
        console.error(USAGE);
        return 2;
      }
      const found = await findCasesByContact(db, { phone: values.phone, email: values.email }, actor);
      if (found.length === 0) console.log("no cases");
      for (const c of found)
        console.log([c.reference, c.receivedAt, c.status, c.open ? "open" : "closed", c.anonymised ? "anonymised" : ""].join("\t"));
      return 0;
    }
    if ((command === "export" || command === "erase") && values.reference) {
      if (command === "export") {
        const json = JSON.stringify(await exportCase(db, values.reference, actor), null, 2);
        if (values.out) {
          fs.writeFileSync(values.out, json + "\n", { mode: 0o600 });
          console.log(`written to ${values.out}`);
        } else console.log(json);
        return 0;
      }
      await eraseCase(db, values.reference, actor, { openCaseAcknowledged: values["open-case"] === true });
      console.log(`the personal data of ${values.reference} was erased (its statistics stay)`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } catch (e) {
    if (e instanceof PrivacyRequestError) {
      console.error(
        e.code === "not_found"
          ? "no such case"
          : e.code === "open_case"
            ? "the case is still open: add --open-case if the person accepts that they get no more notices"
            : "bad input",
      );
      return 1;
    }
    throw e;
  } finally {
    await db.destroy();
  }
}

// --org <code>: with several organisations, the one it runs for (scripts/organisations.ts).
runCommandForOrganisation(main);
