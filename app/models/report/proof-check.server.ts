/**
 * A proof of filing checked against this installation's signing key (/report/verify), with the submission the
 * reporter gave, if any. Only what a genuine statement says is shown back; for a statement signed by another key,
 * the key it names. Nothing given here is stored or logged.
 */
import { checkProofFile } from "~/models/report/proof.server";
import { submissionMatches } from "~/lib/report-proof";
import type { ProofVerdict } from "~/lib/report-proof";

/** What a checked proof says: only what a genuine statement says (and, for another key, the key it names). */
export interface ProofFacts {
  organisation: string | null;
  receivedOn: string | null;
  digest: string | null;
  namedKey: string | null;
}

export interface ProofChecked {
  kind: "checked";
  verdict: ProofVerdict;
  legacy: boolean;
  facts: ProofFacts | null;
  submission: "match" | "mismatch" | null;
}

export async function checkProofPost(proof: string, submission: string): Promise<ProofChecked> {
  const { verdict, parsed } = checkProofFile(proof);
  const given = submission.trim() !== "";
  const matches = given && parsed ? await submissionMatches(submission, parsed.fields) : false;
  let facts: ProofFacts | null = null;
  if (parsed && verdict === "genuine") {
    facts = {
      organisation: parsed.fields.organisation,
      receivedOn: parsed.fields.receivedOn,
      digest: parsed.fields.submissionSha256,
      namedKey: null,
    };
  } else if (parsed && verdict === "other-key") {
    facts = { organisation: null, receivedOn: null, digest: null, namedKey: parsed.fields.signingKeySha256 };
  }
  return {
    kind: "checked",
    verdict,
    legacy: parsed?.format === "v1",
    facts,
    submission: given && parsed ? (matches ? "match" : "mismatch") : null,
  };
}
