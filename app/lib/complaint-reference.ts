/** Public case reference numbers, e.g. "2569-000042" (fiscal year BE + sequence). */
import { toArabicDigits } from "./thai-date";

const MAX_REFERENCE_INPUT = 20;

/** Formats a case reference: BE fiscal year, dash, sequence zero-padded to 6 digits. */
export function formatCaseReference(fiscalYearBE: number, seq: number): string {
  if (!Number.isInteger(fiscalYearBE) || fiscalYearBE < 1000 || fiscalYearBE > 9999) {
    throw new RangeError(`Invalid fiscal year: ${fiscalYearBE}`);
  }
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`Invalid sequence: ${seq}`);
  return `${fiscalYearBE}-${String(seq).padStart(6, "0")}`;
}

/**
 * Parses user input into a canonical reference: Thai digits, spaces around the dash, en/em dash, and the reference
 * typed without its dash (2569000042, as a numeric keypad gives it: the first four digits are the year, the rest at
 * least six digits of sequence) are all accepted.
 */
export function parseCaseReference(input: string): { fiscalYear: number; seq: number; reference: string } | null {
  if (typeof input !== "string" || input.length > MAX_REFERENCE_INPUT) return null;
  const normalized = toArabicDigits(input.trim()).replace(/[\u2010-\u2015\u2212]/g, "-");
  // Without the dash the sequence must have its printed six digits at least, or "256942" would be a guess.
  const m = /^(\d{4}) *- *(\d{1,12})$/.exec(normalized) ?? /^(\d{4}) ?(\d{6,12})$/.exec(normalized);
  if (!m) return null;
  const fiscalYear = Number(m[1]);
  const seq = Number(m[2]);
  if (fiscalYear < 1000 || seq < 1 || !Number.isSafeInteger(seq)) return null;
  return { fiscalYear, seq, reference: formatCaseReference(fiscalYear, seq) };
}
