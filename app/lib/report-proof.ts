/**
 * Proof of filing of a corruption or misconduct report (pure module: no Node-only imports, usable by pages, the CLI and
 * tests).
 *
 * - The SUBMISSION TEXT is the canonical JSON of what was filed (canonicalSubmissionText); its SHA-256 is the report's
 *   `submission_digest`. The reporter can download exactly this text (`submission.json`) from their inbox.
 * - The STATEMENT (v2) is what the portal signs with its Ed25519 key: one field per line, LF, UTF-8, no final newline:
 *
 *     sujarit-report-proof-v2
 *     organisation: <organisation's Thai name>
 *     received-on: <YYYY-MM-DD, Bangkok date>
 *     submission-sha256: <64 hex>
 *     canonical-form: submission.json from the reporter's inbox (UTF-8 JSON, keys sorted, no spaces)
 *     signing-key-sha256: <64 hex: sha256 of the DER SPKI public key>
 *
 * - The proof FILE is a short human-readable header, the statement between the BEGIN/END markers, and
 *   `signature: <base64>`. It holds no receipt and no public key: a proof is only ever checked with THIS
 *   installation's key (whose fingerprint is published on /report), never with a key the file brings along.
 * - classifyProof says whether a parsed file is genuine, signed by another key, edited, or unreadable. Legacy v1
 *   files (which embedded a public key and the receipt) are read too; their embedded key is ignored.
 */
import { canonicalJson } from "./canonical-json";
import { bangkokDateKey } from "./thai-date";

export const PROOF_BEGIN = "-----BEGIN SUJARIT PROOF OF FILING-----";
export const PROOF_END = "-----END SUJARIT PROOF OF FILING-----";
export const STATEMENT_V2 = "sujarit-report-proof-v2";
export const STATEMENT_V1 = "sujarit-report-proof-v1";
/** The `canonical-form` line's value: where the reporter finds the text whose SHA-256 is signed. */
export const CANONICAL_FORM = "submission.json from the reporter's inbox (UTF-8 JSON, keys sorted, no spaces)";

// ---- the submission text ------------------------------------------------------------------------------------------

export interface SubmissionForProof {
  /** The report's `received_at`, exactly as stored. */
  receivedAt: string;
  mode: string;
  /** The normalised report fields (app/models/report.server.ts ReportFields). */
  fields: object;
  /** sha256 hex of each original evidence file, in the order filed. */
  files: readonly string[];
}

/**
 * The canonical text of a submission: canonicalJson({ v: 1, receivedAt, mode, fields, files }). Byte for byte the
 * text whose SHA-256 was always the report's `submission_digest`, so digests of existing reports keep verifying.
 */
export function canonicalSubmissionText(s: SubmissionForProof): string {
  return canonicalJson({ v: 1, receivedAt: s.receivedAt, mode: s.mode, fields: s.fields, files: [...s.files] });
}

/** sha256 hex of the UTF-8 bytes of a text (WebCrypto: runs in Node and in browsers). */
export async function sha256HexOfText(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Whether a submission text is the one a proof speaks of: its SHA-256 equals the statement's submission-sha256.
 * Only a leading BOM and trailing line breaks (what an editor may add) are forgiven; anything else, pretty-printing
 * included, is another text.
 */
export async function submissionMatches(
  submissionText: string,
  statementFields: Pick<ProofFields, "submissionSha256"> | null | undefined,
): Promise<boolean> {
  const expected = statementFields?.submissionSha256?.toLowerCase();
  if (!expected || !HEX64.test(expected)) return false;
  const text = submissionText.replace(/^\uFEFF/, "").replace(/[\r\n]+$/, "");
  return (await sha256HexOfText(text)) === expected;
}

// ---- dates and fingerprints ---------------------------------------------------------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDateKey(key: string): boolean {
  const m = DATE_ONLY.exec(key);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * The Bangkok date ("YYYY-MM-DD") of a report's `received_at`: a day-precision value is that date already; a full
 * ISO time (older rows) is read as an instant and shifted to UTC+7. Throws RangeError on anything else.
 */
export function bangkokReceivedOn(receivedAt: string): string {
  const v = receivedAt.trim();
  if (DATE_ONLY.test(v)) {
    if (!validDateKey(v)) throw new RangeError(`Invalid date: ${receivedAt}`);
    return v;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v)) throw new RangeError(`Invalid received_at: ${receivedAt}`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new RangeError(`Invalid received_at: ${receivedAt}`);
  return bangkokDateKey(d);
}

/** A key fingerprint as 64 lowercase hex (spaces and colons of a grouped form removed), or null if it is not one. */
export function normalizeFingerprint(fp: string | null | undefined): string | null {
  if (typeof fp !== "string") return null;
  const hex = fp.replace(/[\s:]/g, "").toLowerCase();
  return HEX64.test(hex) ? hex : null;
}

/** "abcd ef01 …": a fingerprint in groups of four, for people to compare. */
export function groupFingerprint(fp: string): string {
  const hex = normalizeFingerprint(fp) ?? fp.replace(/\s+/g, "").toLowerCase();
  return (hex.match(/.{1,4}/g) ?? []).join(" ");
}

// ---- the statement ------------------------------------------------------------------------------------------------

export interface ProofStatementInput {
  /** The organisation's Thai (legal) name. */
  organisation: string;
  /** The report's `received_at` (day precision, or a full ISO time for older rows). */
  receivedAt: string;
  /** The report's `submission_digest`. */
  submissionSha256: string;
  /** sha256 hex of the signing key's DER SPKI (grouped or not). */
  signingKeySha256: string;
}

/** The v2 statement (the exact text that is signed). Throws on a malformed digest, fingerprint or date. */
export function buildProofStatement(p: ProofStatementInput): string {
  const organisation = p.organisation.replace(/\s+/g, " ").trim();
  if (!organisation) throw new RangeError("The organisation's name is empty");
  const digest = p.submissionSha256.trim().toLowerCase();
  if (!HEX64.test(digest)) throw new RangeError("submission-sha256 must be 64 hex digits");
  const key = normalizeFingerprint(p.signingKeySha256);
  if (!key) throw new RangeError("signing-key-sha256 must be 64 hex digits");
  return [
    STATEMENT_V2,
    `organisation: ${organisation}`,
    `received-on: ${bangkokReceivedOn(p.receivedAt)}`,
    `submission-sha256: ${digest}`,
    `canonical-form: ${CANONICAL_FORM}`,
    `signing-key-sha256: ${key}`,
  ].join("\n");
}

/** What a statement says (as written: trust it only once the signature verified). */
export interface ProofFields {
  /** 2, 1 (legacy file) or null (an unknown first line). */
  version: 1 | 2 | null;
  organisation: string | null;
  /** Bangkok date "YYYY-MM-DD": `received-on` (v2), or derived from `received-at` (v1). */
  receivedOn: string | null;
  /** v1 only: the full time as written. */
  receivedAt: string | null;
  /** Lowercase 64 hex, or null when absent or malformed. */
  submissionSha256: string | null;
  canonicalForm: string | null;
  /** Lowercase 64 hex, or null when absent or malformed (v1 statements never name a key). */
  signingKeySha256: string | null;
}

export interface ParsedProof {
  /** The signed text, byte for byte as it must be verified (LF line ends). */
  statement: string;
  fields: ProofFields;
  /** The signature as written (base64). */
  signature: string;
  /** "v2": BEGIN/END markers; "v1": a legacy receipt file. */
  format: "v1" | "v2";
}

function readFields(statement: string): ProofFields {
  const lines = statement.split("\n");
  const version = lines[0] === STATEMENT_V2 ? 2 : lines[0] === STATEMENT_V1 ? 1 : null;
  const values = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(": ");
    if (i <= 0) continue;
    const key = line.slice(0, i);
    if (!values.has(key)) values.set(key, line.slice(i + 2));
  }
  const hex = (k: string) => {
    const v = values.get(k)?.trim().toLowerCase();
    return v && HEX64.test(v) ? v : null;
  };
  const receivedAt = values.get("received-at") ?? null;
  let receivedOn: string | null = null;
  const on = values.get("received-on");
  if (on !== undefined && validDateKey(on)) receivedOn = on;
  else if (on === undefined && receivedAt) {
    try {
      receivedOn = bangkokReceivedOn(receivedAt);
    } catch {
      receivedOn = null;
    }
  }
  return {
    version,
    organisation: values.get("organisation") ?? null,
    receivedOn,
    receivedAt: version === 1 ? receivedAt : null,
    submissionSha256: hex("submission-sha256"),
    canonicalForm: values.get("canonical-form") ?? null,
    signingKeySha256: hex("signing-key-sha256"),
  };
}

/** The signature value of a `signature: …` line (v2) or of the legacy "… (Ed25519, base64): …" line (v1). */
const SIGNATURE_V2 = /^\s*signature\s*:\s*(\S+)\s*$/i;
const SIGNATURE_V1 = /Ed25519[^:]*:\s*([A-Za-z0-9+/=_-]+)\s*$/;

/**
 * Reads a proof file (or a pasted copy of it). Tolerant of a BOM, CRLF line ends and whitespace around the file and
 * around the marker lines; strict about the statement's bytes (they are returned as written, only CRLF → LF).
 * Returns null when no statement and signature can be found.
 */
export function parseProofFile(text: string): ParsedProof | null {
  if (typeof text !== "string" || text.length === 0) return null;
  const lines = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");

  const begin = lines.findIndex((l) => l.trim() === PROOF_BEGIN);
  if (begin >= 0) {
    const end = lines.findIndex((l, i) => i > begin && l.trim() === PROOF_END);
    if (end < 0) return null;
    const statement = lines.slice(begin + 1, end).join("\n");
    if (!statement) return null;
    const sigLine = lines.slice(end + 1).find((l) => l.trim() !== "");
    const sig = sigLine ? SIGNATURE_V2.exec(sigLine) : null;
    if (!sig) return null;
    return { statement, fields: readFields(statement), signature: sig[1], format: "v2" };
  }

  // Legacy v1 receipt file: the statement runs from its first line to a line "-----"; the signature line follows.
  const start = lines.findIndex((l) => l === STATEMENT_V1);
  if (start < 0) return null;
  const stop = lines.findIndex((l, i) => i > start && l.trim() === "-----");
  if (stop < 0) return null;
  const statement = lines.slice(start, stop).join("\n");
  let signature: string | null = null;
  for (const l of lines.slice(stop + 1)) {
    const m = SIGNATURE_V1.exec(l);
    if (m) {
      signature = m[1];
      break;
    }
  }
  if (!signature) return null;
  return { statement, fields: readFields(statement), signature, format: "v1" };
}

// ---- the file -----------------------------------------------------------------------------------------------------

export interface ProofFileLabels {
  /** Lines of the human-readable header, in order (the route passes the Thai block, then the English one). */
  header: readonly string[];
}

/** The proof file: header, a blank line, the statement between the markers, the signature line; LF, final newline. */
export function renderProofFile(statement: string, signature: string, labels: ProofFileLabels): string {
  // A header line must never look like a marker (it would change what parseProofFile reads).
  const header = labels.header.map((l) => l.replace(/\r?\n/g, " ")).filter((l) => l.trim() !== PROOF_BEGIN && l.trim() !== PROOF_END);
  return [...header, "", PROOF_BEGIN, statement, PROOF_END, `signature: ${signature}`, ""].join("\n");
}

// ---- classification -----------------------------------------------------------------------------------------------

export type ProofVerdict = "genuine" | "other-key" | "edited" | "unreadable";

/**
 * - genuine: the signature verifies with THIS installation's key (`verify`);
 * - other-key: it does not, and the statement names a signing-key fingerprint that is not ours;
 * - edited: it does not, and the statement names our fingerprint, or none (legacy v1), or a malformed one;
 * - unreadable: the file could not be parsed (or what it holds is not a proof statement).
 * A key embedded in a legacy file is never used: only `verify` (our key) can make a proof genuine.
 */
export function classifyProof(
  parsed: ParsedProof | null,
  opts: { verify: (statement: string, signature: string) => boolean; fingerprint: string },
): ProofVerdict {
  if (!parsed) return "unreadable";
  let ok = false;
  try {
    ok = opts.verify(parsed.statement, parsed.signature) === true;
  } catch {
    ok = false;
  }
  // Our key signs nothing but proof statements; a verified text that is not one is no proof either.
  if (ok) return parsed.fields.version === null ? "unreadable" : "genuine";
  const named = parsed.fields.signingKeySha256;
  const ours = normalizeFingerprint(opts.fingerprint);
  if (named && named !== ours) return "other-key";
  return "edited";
}
