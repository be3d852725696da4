/**
 * Proofs of filing with THIS installation's Ed25519 key (app/utils/keys.server.ts): signing a statement, checking a
 * proof file (and optionally the submission text it speaks of). The format and the rules are in
 * app/lib/report-proof.ts; a proof is only ever verified with our own key, never with one a file brings along.
 */
import { getSigningKeys, signBytes, verifySignature } from "~/utils/keys.server";
import {
  classifyProof,
  normalizeFingerprint,
  parseProofFile,
  submissionMatches,
  type ParsedProof,
  type ProofVerdict,
} from "~/lib/report-proof";

/** sha256 of the installation's DER SPKI public key, 64 lowercase hex (what `signing-key-sha256` holds). */
export function installationFingerprint(): string {
  return normalizeFingerprint(getSigningKeys().fingerprint)!;
}

/** The installation's public key (SPKI PEM), for anyone who wants to check a proof by other means. */
export function installationPublicKeyPem(): string {
  return getSigningKeys().publicKeyPem;
}

/** Signs a statement (UTF-8) with the installation's key; base64. */
export function signProof(statement: string): string {
  return signBytes(Buffer.from(statement, "utf8"));
}

export interface ProofCheck {
  verdict: ProofVerdict;
  parsed: ParsedProof | null;
}

/** Parses and classifies a proof file's text with the installation's key. */
export function checkProofFile(text: string): ProofCheck {
  const parsed = parseProofFile(text);
  const verdict = classifyProof(parsed, {
    verify: (statement, signature) => verifySignature(Buffer.from(statement, "utf8"), signature),
    fingerprint: installationFingerprint(),
  });
  return { verdict, parsed };
}

export interface SubmissionCheck extends ProofCheck {
  /** Whether the submission text hashes to the statement's submission-sha256 (false when the proof is unreadable). */
  submissionMatches: boolean;
}

/** checkProofFile, plus whether `submissionText` is the submission the proof speaks of. */
export async function checkSubmission(proofText: string, submissionText: string): Promise<SubmissionCheck> {
  const check = checkProofFile(proofText);
  const matches = check.parsed ? await submissionMatches(submissionText, check.parsed.fields) : false;
  return { ...check, submissionMatches: matches };
}
