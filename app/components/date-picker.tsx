/**
 * A date chosen in the Buddhist calendar: day, Thai month name and พ.ศ. year as three labelled selects inside one
 * fieldset. Plain HTML, so it works without JavaScript; the server reads the three fields with readBuddhistDateInput
 * (app/lib/buddhist-date-input.ts), which refuses an impossible date (31 กุมภาพันธ์) with a message.
 */
import { useTranslation } from "~/components/i18n";
import { DATE_PARTS, datePartsOf } from "~/lib/buddhist-date-input";
import { monthName, toBuddhistYear } from "~/lib/thai-date";

export interface BuddhistDatePickerProps {
  /** Base field name: the parts are posted as `<name>Day`, `<name>Month` and `<name>Year`. */
  name: string;
  /** Element id of the day select (where an error summary's link lands); the others get `<id>-month` and `<id>-year`. */
  id: string;
  label: string;
  hint?: string;
  /** An error message already translated. */
  error?: string;
  /** The date shown at first, as "YYYY-MM-DD" (CE); nothing chosen when absent. */
  defaultValue?: string | null;
  /** First and last CE year offered (shown as พ.ศ.), first ≤ last. */
  fromYear: number;
  toYear: number;
  required?: boolean;
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

export function BuddhistDatePicker(props: BuddhistDatePickerProps) {
  const { t, lang } = useTranslation("common");
  const { id, name, required } = props;
  const chosen = datePartsOf(props.defaultValue);
  const describedBy = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  const invalid = props.error ? true : undefined;
  const years = range(props.fromYear, props.toYear).map(toBuddhistYear);
  if (chosen.year && !years.includes(Number(chosen.year))) years.push(Number(chosen.year));
  const idOf = (suffix: string) => (suffix === DATE_PARTS.day ? id : `${id}-${suffix.toLowerCase()}`);
  const part = (suffix: string, label: string, value: string, options: { value: number; text: string }[]) => (
    <div className="date-part">
      <label htmlFor={idOf(suffix)}>{label}</label>
      <select
        id={idOf(suffix)}
        name={name + suffix}
        defaultValue={value}
        required={required}
        aria-describedby={describedBy}
        aria-invalid={invalid}
      >
        <option value="">{t("datePicker.choose")}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <fieldset className={`field date-picker${props.error ? " has-error" : ""}`} data-testid={`date-${name}`}>
      <legend>
        {props.label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </legend>
      {props.hint ? (
        <span className="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span className="field-error" id={`${id}-error`}>
          {props.error}
        </span>
      ) : null}
      <div className="date-parts">
        {part(
          DATE_PARTS.day,
          t("datePicker.day"),
          chosen.day,
          range(1, 31).map((d) => ({ value: d, text: String(d) })),
        )}
        {part(
          DATE_PARTS.month,
          t("datePicker.month"),
          chosen.month,
          range(1, 12).map((m) => ({ value: m, text: monthName(m, lang) })),
        )}
        {part(
          DATE_PARTS.year,
          t("datePicker.year"),
          chosen.year,
          years.map((y) => ({ value: y, text: String(y) })),
        )}
      </div>
    </fieldset>
  );
}
