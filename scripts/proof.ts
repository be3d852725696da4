/**
 * Proofs of filing from the command line (the same check as /report/verify, with this installation's key):
 *   npm run proof -- verify FILE [--submission submission.json] [--lang en]
 *       exit 0: genuine (and, with --submission, the submission matches); 1: anything else; 2: usage
 *   npm run proof -- fingerprint
 *       prints the fingerprint of the signing key (the one /report shows)
 * Needs the same DATA_DIR as the server (keys/signing.key). It never creates a signing key: a new key would make every
 * genuine proof look forged.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "../app/utils/env.server";
import { checkProofFile, installationFingerprint } from "../app/models/report/proof.server";
import { groupFingerprint, submissionMatches } from "../app/lib/report-proof";
import { formatThaiDateKey } from "../app/lib/thai-date";
import { DEFAULT_LANG, isLang, tFor, type Lang } from "../app/i18n";
import { runCommandForOrganisation, severalOrganisations } from "./organisations";

/** Larger than any proof or submission.json (the portal's own form bodies are capped at 1 MB). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function readText(file: string, t: ReturnType<typeof tFor>): string {
  const stat = fs.statSync(file);
  if (stat.size > MAX_FILE_BYTES) throw new Error(t("cli.tooLarge", { file }));
  const bytes = fs.readFileSync(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes);
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { submission: { type: "string" }, lang: { type: "string" } },
    });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    console.error(tFor(DEFAULT_LANG, "proof")("cli.usage"));
    return 2;
  }
  const { values, positionals } = parsed;
  const lang: Lang = isLang(values.lang) ? values.lang : DEFAULT_LANG;
  const t = tFor(lang, "proof");
  const usage = () => {
    console.error(t("cli.usage"));
    return 2;
  };
  if (values.lang !== undefined && !isLang(values.lang)) return usage();
  if (command === "fingerprint") {
    if (positionals.length > 0 || values.submission !== undefined) return usage();
  } else if (command === "verify") {
    if (positionals.length !== 1) return usage();
  } else {
    return usage();
  }

  const keyFile = path.join(getEnv().DATA_DIR, "keys", "signing.key");
  // Several organisations: each one's signing key is derived from the installation's master key (no file).
  if (!severalOrganisations() && !fs.existsSync(keyFile)) {
    // Never create a key here (getSigningKeys would): every genuine proof would then look forged.
    console.error(t("cli.noKey", { path: keyFile }));
    return 1;
  }

  if (command === "fingerprint") {
    console.log(groupFingerprint(installationFingerprint()));
    return 0;
  }

  const file = positionals[0];
  let proofText: string;
  let submissionText: string | null = null;
  try {
    proofText = readText(file, t);
  } catch (e) {
    console.error(t("cli.cannotRead", { file, error: e instanceof Error ? e.message : String(e) }));
    return 1;
  }
  if (values.submission !== undefined) {
    try {
      submissionText = readText(values.submission, t);
    } catch (e) {
      console.error(t("cli.cannotRead", { file: values.submission, error: e instanceof Error ? e.message : String(e) }));
      return 1;
    }
  }

  const { verdict, parsed: proof } = checkProofFile(proofText);
  const say = verdict === "genuine" ? console.log : console.error;
  switch (verdict) {
    case "genuine": {
      const f = proof!.fields;
      const date = f.receivedOn ? formatThaiDateKey(f.receivedOn, lang) : "—";
      say(t("verify.genuineTitle"));
      say(`  ${t("verify.facts.organisation")}: ${f.organisation ?? "—"}`);
      say(`  ${t("verify.facts.receivedOn")}: ${date}${f.receivedOn ? ` (${f.receivedOn})` : ""}`);
      say(`  ${t("verify.facts.digest")}: ${f.submissionSha256 ?? "—"}`);
      break;
    }
    case "other-key":
      say(t("verify.otherKeyTitle"));
      say(`  ${t("verify.facts.namedKey")}: ${groupFingerprint(proof!.fields.signingKeySha256 ?? "")}`);
      say(`  ${t("verify.facts.ourKey")}: ${groupFingerprint(installationFingerprint())}`);
      break;
    case "edited":
      say(t("verify.editedTitle"));
      break;
    default:
      say(t("verify.unreadableTitle"));
  }
  if (proof?.format === "v1") say(t("cli.legacyNote"));

  let ok = verdict === "genuine";
  if (submissionText !== null) {
    const matches = proof ? await submissionMatches(submissionText, proof.fields) : false;
    (matches && ok ? console.log : console.error)(matches ? t("verify.submissionMatch") : t("verify.submissionMismatch"));
    if (!matches) ok = false;
  }
  return ok ? 0 : 1;
}

// --org <code>: with several organisations, the one it runs for (scripts/organisations.ts).
runCommandForOrganisation(main);
