/**
 * The "new password" pair of fields (with the rule above them), shared by the enrolment page and the account page, so
 * the rule and the autocomplete hints are the same wherever a password is set.
 */
import { Field } from "~/components/form";
import { useTranslation } from "~/components/i18n";

export function NewPasswordFields({ minLength, errors }: { minLength: number; errors?: Record<string, string> }) {
  const { t } = useTranslation("staff");
  return (
    <>
      <p className="hint" id="pw-rule">
        {t("enrol.rule", { min: minLength })}
      </p>
      <Field name="password" label={t("enrol.password")} error={errors?.password} required>
        {(p) => <input {...p} type="password" autoComplete="new-password" aria-describedby="pw-rule" maxLength={1024} />}
      </Field>
      <Field name="confirm" label={t("enrol.confirm")} error={errors?.confirm} required>
        {(p) => <input {...p} type="password" autoComplete="new-password" maxLength={1024} />}
      </Field>
    </>
  );
}
