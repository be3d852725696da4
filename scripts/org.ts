/**
 * Organisations of an installation that serves several (ORG_ROUTING=host):
 *
 *   npm run org -- add db/seed/<code>.json --code <code> --host <host name> [--host …] [--province <code>]
 *       (ORG_ROUTING=path: --host is optional; the organisation is at PUBLIC_URL/o/<code>/)
 *       Records the organisation, creates its database (a SQLite file under DATA_DIR/orgs/<code>/, or the PostgreSQL
 *       schema org_<code>), migrates and seeds it from the file (the format of db/seed/wangluek.json). With
 *       --admin-email E --admin-name N, its first administrator too: a one-time enrolment link is printed (as
 *       `npm run staff -- add --org <code> --role admin …` would).
 *   npm run org -- list
 *   npm run org -- line <code> --settings <file.json>   |   npm run org -- line <code> --off
 *       The organisation's own LINE Official Account: a JSON file {"channelSecret", "accessToken", "oaId"} (a file, so
 *       that the secrets are in no command line or shell history; delete it afterwards), sealed in the platform
 *       database with a key of the organisation's own. --off removes it. Recorded in the organisation's audit log
 *       (its basic ID only). Running servers use the change within a minute.
 *
 * A running server finds a new organisation at its first request (or within a minute for its background work).
 */
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { isOrgCode, HOST_NAME, OrganisationExists, recordOrganisation, recordOrganisationLine } from "../db/platform";
import { readSeedFile, seedOrganisation } from "../db/seed";
import { getEnv, organisationLineSchema } from "../app/utils/env.server";
import { runForSite, type OrganisationLineSettings } from "../app/utils/site-context.server";
import { sealLineSettings, type SiteDirectory } from "../app/utils/sites.server";
import { installationMasterKey } from "../app/utils/keys.server";
import { appendAudit } from "../app/models/audit/audit.server";
import { createAccount } from "../app/models/staff/accounts.server";
import { openSiteDirectory, prepareSite, severalOrganisations } from "./organisations";

const USAGE = `Usage:
  npm run org -- add <seed file.json> --code CODE --host HOST [--host HOST …] [--province CODE]
                     [--admin-email E --admin-name "N"]   (its first administrator, by a one-time link)
  npm run org -- list
  npm run org -- line <code> --settings <file.json> | --off   (its LINE account: {"channelSecret","accessToken","oaId"})
(for an installation with several organisations: ORG_ROUTING=host, or ORG_ROUTING=path where --host is optional)`;

function usage(message?: string): never {
  if (message) console.error(`Error: ${message}\n`);
  console.error(USAGE);
  process.exit(2);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "add" && command !== "list" && command !== "line") usage(command ? `unknown command "${command}"` : undefined);
  const env = getEnv();
  if (!severalOrganisations(env)) usage("ORG_ROUTING is single: this installation serves one organisation");
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        code: { type: "string" },
        host: { type: "string", multiple: true },
        province: { type: "string" },
        "admin-email": { type: "string" },
        "admin-name": { type: "string" },
        settings: { type: "string" },
        off: { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const directory = await openSiteDirectory(env, { max: 2 });
  try {
    if (command === "list") {
      for (const s of directory.all()) {
        console.log(
          `${s.code}\t${s.record.nameTh}\t${s.record.hosts.join(", ")}${s.record.province ? `\tprovince ${s.record.province}` : ""}${s.record.lineSettings ? `\tLINE ${s.lineSettings()!.oaId}` : ""}`,
        );
      }
      return;
    }
    if (command === "line") {
      await setLine(directory, parsed.positionals[0] ?? "", parsed.values.settings, parsed.values.off === true);
      return;
    }
    const [file] = parsed.positionals;
    const code = parsed.values.code ?? "";
    const hosts = (parsed.values.host ?? []).map((h) => h.toLowerCase());
    if (!file || !fs.existsSync(file)) usage("give the organisation's seed file (the format of db/seed/wangluek.json)");
    if (!isOrgCode(code)) usage("--code: 2–30 lower-case letters and digits, a letter first (it names the database)");
    if (hosts.length === 0 && env.ORG_ROUTING === "host") usage("give at least one --host");
    for (const h of hosts) if (!HOST_NAME.test(h)) usage(`--host ${h}: not a host name`);
    const province = parsed.values.province ?? null;
    const admin = { email: parsed.values["admin-email"]?.trim() ?? "", name: parsed.values["admin-name"]?.trim() ?? "" };
    if (Boolean(admin.email) !== Boolean(admin.name)) usage("--admin-email and --admin-name go together");
    if (admin.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(admin.email)) usage(`--admin-email ${admin.email}: not an e-mail address`);
    if (province !== null && !/^[0-9a-z-]{1,30}$/.test(province)) usage("--province: a short code (digits, letters, -)");
    let seed;
    try {
      seed = readSeedFile(file);
    } catch (e) {
      usage(`the seed file is not valid: ${(e as Error).message.slice(0, 500)}`);
    }
    try {
      await recordOrganisation(directory.storage.platform, {
        code,
        nameTh: seed.profile.name_th,
        nameEn: seed.profile.name_en,
        province,
        hosts,
      });
    } catch (e) {
      if (e instanceof OrganisationExists) usage(e.message);
      throw e;
    }
    await directory.storage.createOrganisationStorage(code);
    await directory.refresh();
    const site = directory.byOrganisationCode(code)!;
    await prepareSite(directory, site);
    await runForSite(site, () => seedOrganisation(site.db(), seed));
    console.log(
      `Added ${code} (${seed.profile.name_th}) at ${site.publicUrl}${hosts.length > 1 ? ` (also ${hosts.slice(1).join(", ")})` : ""}.`,
    );
    if (!admin.email) {
      console.log(`Its first administrator: npm run staff -- add --org ${code} --email … --name "…" --role admin`);
      return;
    }
    // Its first administrator, by a one-time enrolment link (they choose their own password; nobody else knows it).
    const created = await runForSite(site, () =>
      createAccount(
        site.db(),
        { email: admin.email, name: admin.name, role: "admin", divisionId: null },
        { staffId: null, role: "cli", osUser: os.userInfo().username },
      ),
    );
    console.log(
      `Its first administrator ${created.staff.email}: give them this link (in person or by phone, not by e-mail) to set their own password; valid until ${created.expiresAt}:`,
    );
    console.log(created.url);
  } finally {
    await directory.storage.destroy();
  }
}

/** `npm run org -- line`: sets or removes an organisation's LINE account (sealed), and says so in its audit log. */
async function setLine(directory: SiteDirectory, code: string, settingsFile: string | undefined, off: boolean): Promise<void> {
  const site = directory.byOrganisationCode(code);
  if (!site) usage(code ? `no organisation ${code} (npm run org -- list)` : "give the organisation's code");
  if (off === Boolean(settingsFile)) usage("give either --settings <file.json> or --off");
  let settings: OrganisationLineSettings | null = null;
  if (settingsFile) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(settingsFile, "utf8"));
    } catch (e) {
      usage(`--settings ${settingsFile}: ${(e as Error).message}`);
    }
    const parsed = organisationLineSchema.safeParse(raw);
    // The messages name the field and the rule, never the value (it is a secret).
    if (!parsed.success) usage(`--settings: ${parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ")}`);
    settings = parsed.data;
  }
  await recordOrganisationLine(
    directory.storage.platform,
    code,
    settings ? sealLineSettings(installationMasterKey(), site.record.keyId, settings) : null,
  );
  await runForSite(site, () =>
    appendAudit(site.db(), {
      actorId: null,
      actorRole: "cli",
      action: "line.settings",
      targetType: "organisation",
      targetId: null,
      details: settings ? { oaId: settings.oaId, osUser: os.userInfo().username } : { off: true, osUser: os.userInfo().username },
    }),
  );
  console.log(
    settings
      ? `LINE for ${code}: ${settings.oaId}. Its webhook: ${site.publicUrl}/line/webhook (running servers use it within a minute).`
      : `LINE for ${code}: off (running servers stop using it within a minute).`,
  );
}

void main().catch((e) => {
  console.error(`Failed: ${(e as Error).message}`);
  process.exit(1);
});
