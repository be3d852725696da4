/**
 * The answer of /report/verify for a proof of filing that was read: genuine (organisation, Buddhist date, digest),
 * signed by another key, edited or damaged, unreadable; and whether the submission given matches the proof.
 */
import { useTranslation } from "~/components/i18n";
import { groupFingerprint } from "~/lib/report-proof";
import type { ProofChecked } from "~/models/report/proof-check.server";
import { formatThaiDateKey } from "~/lib/thai-date";
import { useAppPath } from "~/components/app-path";

export function ProofResult({ result, lang }: { result: ProofChecked; lang: "th" | "en" }) {
  const appHref = useAppPath();
  const { t } = useTranslation("proof");
  const { verdict, facts } = result;
  const tone = verdict === "genuine" ? "success" : verdict === "unreadable" ? "notice" : "warning";
  const date = facts?.receivedOn ? formatThaiDateKey(facts.receivedOn, lang) : "—";
  return (
    <section aria-labelledby="proof-result-title" className={`${tone} proof-result`} data-testid="proof-verdict" data-verdict={verdict}>
      <h2 id="proof-result-title">{t("verify.resultTitle")}</h2>
      {verdict === "genuine" ? (
        <>
          <p>
            <strong>{t("verify.genuineTitle")}</strong>
          </p>
          <p data-testid="proof-verdict-text">{t("verify.genuine", { org: facts?.organisation ?? "—", date })}</p>
          <dl className="facts">
            <dt>{t("verify.facts.organisation")}</dt>
            <dd>{facts?.organisation ?? "—"}</dd>
            <dt>{t("verify.facts.receivedOn")}</dt>
            <dd data-testid="proof-received-on">{date}</dd>
            <dt>{t("verify.facts.digest")}</dt>
            <dd>
              <code className="digest" data-testid="proof-digest">
                {facts?.digest ?? "—"}
              </code>
            </dd>
          </dl>
          <p className="hint">{t("verify.genuineNote")}</p>
        </>
      ) : verdict === "other-key" ? (
        <>
          <p>
            <strong>{t("verify.otherKeyTitle")}</strong>
          </p>
          <p data-testid="proof-verdict-text">{t("verify.otherKey")}</p>
          {facts?.namedKey ? (
            <dl className="facts">
              <dt>{t("verify.facts.namedKey")}</dt>
              <dd>
                <code className="digest">{groupFingerprint(facts.namedKey)}</code>
              </dd>
            </dl>
          ) : null}
        </>
      ) : verdict === "edited" ? (
        <>
          <p>
            <strong>{t("verify.editedTitle")}</strong>
          </p>
          <p data-testid="proof-verdict-text">{t("verify.edited")}</p>
        </>
      ) : (
        <>
          <p>
            <strong>{t("verify.unreadableTitle")}</strong>
          </p>
          <p data-testid="proof-verdict-text">{t("verify.unreadable")}</p>
        </>
      )}
      {result.legacy ? <p className="warning">{t("verify.legacy")}</p> : null}
      {result.submission ? (
        <p data-testid="proof-submission" data-submission={result.submission}>
          <strong>{result.submission === "match" ? t("verify.submissionMatch") : t("verify.submissionMismatch")}</strong>
          {verdict !== "genuine" ? <> {t("verify.submissionProofNotGenuine")}</> : null}
        </p>
      ) : null}
      <p className="no-print">
        <a href={appHref("/report/verify")}>{t("verify.back")}</a>
      </p>
    </section>
  );
}
