/**
 * /report/verify: anyone can check a proof of filing (app/lib/report-proof.ts) against THIS installation's signing
 * key, and optionally whether a submission.json is the submission the proof speaks of.
 *
 * - GET: the form: the proof pasted in a textarea or chosen as a file; optionally submission.json pasted or chosen.
 *   The page shows the fingerprint of the portal's signing key (the one /report publishes) and its public key.
 * - POST (multipart or urlencoded; the server caps the body at 1 MB): CSRF checked, rate-limited per client (a
 *   signature check per request), then the answer in plain words: genuine (organisation, Buddhist date, digest),
 *   signed by another key, edited or damaged, unreadable; and "matches" / "does not match" for the submission.
 *   Nothing given: 422 with the error summary; over-long text: 422. Nothing sent here is stored or logged.
 * Works without JavaScript (the page is sent without the app's scripts).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { isRouteErrorResponse, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { Link } from "~/components/links";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { clientOf, limits } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost, limitPostsUpFront } from "~/utils/public-form.server";
import { passThroughHeaders } from "~/utils/route-headers";
import { installationFingerprint, installationPublicKeyPem } from "~/models/report/proof.server";
import { checkProofPost, type ProofChecked } from "~/models/report/proof-check.server";
import { ProofResult } from "~/components/report-proof-result";
import { groupFingerprint } from "~/lib/report-proof";
import { tFor } from "~/i18n";

export const headers = passThroughHeaders;

/** No JavaScript: plain forms, a server-rendered answer. */
export const handle = { hydrate: false, i18n: ["proof"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: tFor(data?.lang ?? "th", "proof")("verify.metaTitle") },
  { name: "robots", content: "noindex" },
];

/** A proof file is about 3 KB (a legacy one about 2 KB); anything much longer is not a proof. */
const PROOF_MAX_CHARS = 20_000;
/** submission.json of the longest report; the 1 MB body cap is the hard limit anyway. */
const SUBMISSION_MAX_CHARS = 400_000;

/** Signature checks per client: a proof is checked a few times, not hundreds. */

export async function loader({ request }: LoaderFunctionArgs) {
  return json({
    lang: getLang(request),
    fingerprint: groupFingerprint(installationFingerprint()),
    publicKeyPem: installationPublicKeyPem(),
  });
}

type ActionData =
  | {
      kind: "error";
      errors: Record<string, string>;
      formError: string | null;
      minutes?: number;
    }
  | ProofChecked;

/** Text of a file (UTF-8, or UTF-16 with a BOM, as some editors save), or null when none was chosen. */
async function fileText(v: FormDataEntryValue | null): Promise<{ text: string; size: number } | null> {
  if (!v || typeof v === "string" || v.size === 0) return null;
  const bytes = new Uint8Array(await v.arrayBuffer());
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder("utf-16le").decode(bytes.subarray(2));
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder("utf-16be").decode(bytes.subarray(2));
    else text = new TextDecoder("utf-8").decode(bytes);
  } catch {
    text = new TextDecoder("utf-8").decode(bytes);
  }
  return { text, size: bytes.byteLength };
}

function fieldText(v: FormDataEntryValue | null): string {
  return typeof v === "string" ? v : "";
}

/** Every post counts (proof-verify, 30 per 10 minutes), refused ones too; read and CSRF-checked by handlePublicPost. */
export async function action({ request, context }: ActionFunctionArgs) {
  return handlePublicPost(
    request,
    {
      limits: [limitPostsUpFront(limits.proofVerify(), clientOf(context), { countRefused: true })],
      honeypot: false,
      messages: { rateLimited: "proof:errors.rateLimited" },
      emptyReply: ({ retryAfterSec }) => ({ kind: "error", minutes: Math.max(1, Math.ceil((retryAfterSec ?? 60) / 60)) }),
    },
    checkProof,
  );
}

async function checkProof(form: FormData): Promise<Response> {
  // A chosen file wins over pasted text (the hints say so).
  const proofFile = await fileText(form.get("proofFile"));
  const proof = proofFile ? proofFile.text : fieldText(form.get("proofText"));
  const submissionFile = await fileText(form.get("submissionFile"));
  const submission = submissionFile ? submissionFile.text : fieldText(form.get("submissionText"));

  const errors: Record<string, string> = {};
  if (proof.trim() === "") errors[proofFile ? "proofFile" : "proofText"] = "proof:errors.nothingGiven";
  else if (proof.length > PROOF_MAX_CHARS) errors[proofFile ? "proofFile" : "proofText"] = "proof:errors.proofTooLong";
  if (submission.length > SUBMISSION_MAX_CHARS)
    errors[submissionFile ? "submissionFile" : "submissionText"] = "proof:errors.submissionTooLong";
  if (Object.keys(errors).length > 0) {
    return json<ActionData>({ kind: "error", errors, formError: null }, { status: 422 });
  }

  const checked = await checkProofPost(proof, submission);
  return json<ActionData>(checked, { status: checked.verdict === "unreadable" ? 422 : 200 });
}

export default function ReportVerify() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("proof");
  const errors = result?.kind === "error" ? result.errors : {};
  const labels = {
    proofText: t("verify.proofText"),
    proofFile: t("verify.proofFile"),
    submissionText: t("verify.submissionText"),
    submissionFile: t("verify.submissionFile"),
  };
  return (
    <div className="report-page proof-verify-page">
      <h1>{t("verify.title")}</h1>
      <ErrorSummary
        errors={errors}
        labels={labels}
        formError={result?.kind === "error" ? result.formError : null}
        formErrorValues={result?.kind === "error" && result.minutes ? { minutes: String(result.minutes) } : undefined}
        limits={{
          proofText: PROOF_MAX_CHARS,
          proofFile: PROOF_MAX_CHARS,
          submissionText: SUBMISSION_MAX_CHARS,
          submissionFile: SUBMISSION_MAX_CHARS,
        }}
      />
      {result?.kind === "checked" ? <ProofResult result={result} lang={data.lang} /> : null}

      <p className="lead">{t("verify.lead")}</p>
      <form method="post" encType="multipart/form-data" className="proof-verify-form" autoComplete="off">
        <CsrfField />
        <fieldset>
          <legend>{t("verify.proofLegend")}</legend>
          <Field name="proofText" label={labels.proofText} hint={t("verify.proofTextHint")} error={errors.proofText} max={PROOF_MAX_CHARS}>
            {(p) => <textarea {...p} rows={10} spellCheck={false} autoCorrect="off" autoCapitalize="off" lang="en" />}
          </Field>
          <Field name="proofFile" label={labels.proofFile} hint={t("verify.proofFileHint")} error={errors.proofFile} max={PROOF_MAX_CHARS}>
            {(p) => <input {...p} type="file" accept=".txt,text/plain" />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t("verify.submissionLegend")}</legend>
          <p className="hint">{t("verify.submissionIntro")}</p>
          <Field name="submissionText" label={labels.submissionText} error={errors.submissionText} max={SUBMISSION_MAX_CHARS}>
            {(p) => <textarea {...p} rows={4} spellCheck={false} autoCorrect="off" autoCapitalize="off" />}
          </Field>
          <Field
            name="submissionFile"
            label={labels.submissionFile}
            hint={t("verify.submissionFileHint")}
            error={errors.submissionFile}
            max={SUBMISSION_MAX_CHARS}
          >
            {(p) => <input {...p} type="file" accept=".json,application/json,text/plain" />}
          </Field>
        </fieldset>
        <button type="submit" className="button">
          {t("verify.check")}
        </button>
      </form>

      <section aria-labelledby="signing-key" className="card">
        <h2 id="signing-key">{t("verify.keyTitle")}</h2>
        <p>
          {t("fingerprint.label")}:{" "}
          <code className="digest" lang="en" translate="no" data-testid="signing-fingerprint">
            {data.fingerprint}
          </code>
        </p>
        <p className="hint">{t("fingerprint.purpose")}</p>
        <details>
          <summary>{t("verify.publicKeySummary")}</summary>
          <p className="hint">{t("verify.publicKeyHint")}</p>
          <pre className="digest" lang="en" translate="no" data-testid="signing-public-key">
            {data.publicKeyPem.trim()}
          </pre>
        </details>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation("proof");
  const tc = useTranslation().t;
  let title = tc("errors.serverTitle");
  let message = tc("errors.server");
  if (isRouteErrorResponse(error)) {
    const key = typeof error.data?.formError === "string" ? (error.data.formError as string) : null;
    if (error.status === 403) {
      title = tc("errors.forbiddenTitle");
      message = key ? tc(key) : tc("errors.forbidden");
    } else if (error.status === 413) {
      title = tc("errors.badRequest");
      message = tc("errors.payloadTooLarge");
    } else if (error.status >= 400 && error.status < 500) {
      title = tc("errors.badRequest");
      message = key ? tc(key) : tc("errors.badRequest");
    }
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p data-testid="proof-error">{message}</p>
      <p>
        <Link to="/report/verify">{t("verify.back")}</Link>
      </p>
    </section>
  );
}
