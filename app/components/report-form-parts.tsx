/**
 * Parts of the whistleblower form (/report/new): who will read the report (with "this concerns them" exclusions and
 * the alternate recipient), and the evidence files (kept from a rejected post, refused ones, new ones).
 */
import { useTranslation } from "~/components/i18n";
import { EvidenceFields } from "~/components/evidence-fields";
import type { ReportFormErrorData } from "~/models/report/form-fields";

export interface ReportRecipient {
  id: number;
  name: string;
  position: string;
  fingerprint: string;
}
export interface AlternateRecipient extends ReportRecipient {
  label: string;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Where else to go (ป.ป.ช. 1205, ศูนย์ดำรงธรรม 1567). */
export function ElsewhereList() {
  const { t } = useTranslation("report");
  return (
    <ul>
      <li>{t("index.nacc")}</li>
      <li>{t("index.damrongdham")}</li>
    </ul>
  );
}

export function ReportRecipientsFieldset({
  officers,
  alternate,
  result,
}: {
  officers: ReportRecipient[];
  alternate: AlternateRecipient | null;
  result: ReportFormErrorData | undefined;
}) {
  const { t } = useTranslation("report");
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const excluded = new Set(values.exclude ?? []);
  const recipient = values.recipient === "alternate" && alternate ? "alternate" : "integrity";
  return (
    <fieldset
      className={errors.recipient || errors.recipients ? "has-error" : undefined}
      id="f-recipients"
      aria-describedby="recipients-intro"
    >
      <legend>{t("form.recipientsLegend")}</legend>
      <p className="hint" id="recipients-intro">
        {t("form.recipientsIntro")}
      </p>
      {errors.recipients ? (
        <span className="field-error" data-testid="recipients-error">
          {t(errors.recipients)}
          {result?.named?.length ? ` ${t("form.namesFoundList", { names: result.named.join(", ") })}` : ""}
        </span>
      ) : null}
      {values.namesChecked === "yes" ? <input type="hidden" name="namesChecked" value="yes" /> : null}
      <ul className="recipient-list" data-testid="recipient-list">
        {[...officers, ...(alternate ? [alternate] : [])].map((p) => (
          <li key={p.id}>
            <label className="choice">
              <input type="checkbox" name="exclude" value={p.id} defaultChecked={excluded.has(p.id)} data-testid={`exclude-${p.id}`} />{" "}
              <span>
                {t("form.excludeLabel", { name: p.name })}
                <span className="hint">
                  {p.position}
                  {alternate && p.id === alternate.id ? ` · ${t("form.alternateTag", { label: alternate.label || p.position })}` : ""}
                  {" · "}
                  {t("form.keyFingerprint")}{" "}
                  <code lang="en" translate="no">
                    {p.fingerprint}
                  </code>
                </span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <p className="hint">{t("form.recipientsNamedNote")}</p>
      {alternate ? (
        <div className={errors.recipient ? "has-error" : undefined} id="f-recipient">
          {errors.recipient ? <span className="field-error">{t(errors.recipient)}</span> : null}
          <label className="choice">
            <input type="radio" name="recipient" value="integrity" defaultChecked={recipient === "integrity"} />
            <span>{t("form.recipientIntegrity")}</span>
          </label>
          <label className="choice">
            <input type="radio" name="recipient" value="alternate" defaultChecked={recipient === "alternate"} />
            <span>
              {t("form.recipientAlternate", { label: alternate.label || alternate.name })}
              <span className="hint">{t("form.recipientAlternateDesc")}</span>
            </span>
          </label>
        </div>
      ) : (
        <input type="hidden" name="recipient" value="integrity" />
      )}
    </fieldset>
  );
}

export function ReportEvidenceFieldset({ result, label }: { result: ReportFormErrorData | undefined; label: string }) {
  const { t } = useTranslation("report");
  const values = result?.values ?? {};
  const officeTypes = t("form.officeTypes");
  return (
    <fieldset>
      <legend>{t("form.filesLegend")}</legend>
      {result?.hadFiles ? <p className="warning">{t("form.kept.failed")}</p> : null}
      {result?.kept?.length ? (
        <div className="kept-files" data-testid="kept-evidence">
          <p>{t("form.kept.intro")}</p>
          <ul>
            {result.kept.map((f) => (
              <li key={f.id}>
                <input type="hidden" name="keptEvidence" value={f.token} />
                <span className="kept-name">
                  {f.name} <span className="muted">({formatSize(f.size)})</span>
                </span>{" "}
                <label className="choice inline">
                  <input type="checkbox" name="removeEvidence" value={f.id} /> {t("form.kept.remove")}
                </label>
              </li>
            ))}
          </ul>
          <p className="hint">{t("form.kept.note")}</p>
        </div>
      ) : null}
      {result?.rejectedFiles?.length ? (
        <ul className="rejected-files">
          {result.rejectedFiles.map((f, i) => (
            <li key={i}>
              {f.name}: {t(f.key, { office: officeTypes })}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="notice">{t("form.photoWarning")}</p>
      <p className="warning">{t("form.documentWarning")}</p>
      <EvidenceFields
        label={label}
        error={result?.errors?.evidence}
        warningId="keep-original-warning"
        keepOriginalChecked={values.keepOriginal === "yes"}
        keepNamesChecked={values.keepNames === "yes"}
        kept={{ count: result?.kept?.length ?? 0, bytes: (result?.kept ?? []).reduce((n, f) => n + f.size, 0) }}
      />
    </fieldset>
  );
}
