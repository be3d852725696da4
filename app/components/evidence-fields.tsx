/**
 * The evidence picker of the corruption channel (new report and later additions from the inbox): the file input with
 * its limits, and the "keep the original photo" choice under its warning. Photo and document warnings are placed by
 * each page, since they differ in emphasis.
 */
import { CheckedFileInput } from "~/components/checked-file-input";
import { Field } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { LIMITS } from "~/lib/validation";

/** What the file picker offers (the server decides by content): photos, PDF and office documents. */
export const EVIDENCE_ACCEPT =
  "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx,.pptx,.odt,.ods,.doc,.xls";

export function EvidenceFields({
  label,
  error,
  warningId,
  keepOriginalChecked,
  keepNamesChecked,
  kept,
}: {
  label: string;
  error?: string;
  /** id of the keep-original warning (unique on the page). */
  warningId: string;
  keepOriginalChecked?: boolean;
  keepNamesChecked?: boolean;
  /** Files kept from an earlier post (they count towards the limits checked in the browser). */
  kept?: { count: number; bytes: number };
}) {
  const { t } = useTranslation("report");
  return (
    <>
      <Field
        name="evidence"
        label={label}
        hint={t("form.hints.evidence", {
          office: t("form.officeTypes"),
          files: LIMITS.maxFiles,
          mb: LIMITS.maxFileBytes / (1024 * 1024),
          totalMb: LIMITS.maxTotalBytes / (1024 * 1024),
        })}
        error={error}
      >
        {(p) => <CheckedFileInput {...p} accept={EVIDENCE_ACCEPT} limits={LIMITS} kept={kept} />}
      </Field>
      <div className="keep-original">
        <p className="hint" id={warningId}>
          {t("form.keepOriginalWarning")}
        </p>
        <label className="choice">
          <input type="checkbox" name="keepOriginal" value="yes" aria-describedby={warningId} defaultChecked={keepOriginalChecked} />{" "}
          {t("form.fields.keepOriginal")}
        </label>
        <p className="hint" id={`${warningId}-names`}>
          {t("form.keepNamesWarning")}
        </p>
        <label className="choice">
          <input type="checkbox" name="keepNames" value="yes" aria-describedby={`${warningId}-names`} defaultChecked={keepNamesChecked} />{" "}
          {t("form.fields.keepNames")}
        </label>
      </div>
    </>
  );
}
