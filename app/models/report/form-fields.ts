/**
 * The whistleblower form's field names and the shape of its "send it back" answer, shared by the page (browser) and
 * the server. No server imports here: the page renders from these names.
 */

/** The report's text fields, in the order the form posts them. */
export const REPORT_TEXT_FIELDS = [
  "mode",
  "recipient",
  "involvedName",
  "involvedPosition",
  "involvedDivision",
  "whatHappened",
  "when",
  "where",
  "howKnown",
  "reportedElsewhere",
  "reporterName",
  "reporterContact",
] as const;
export type ReportTextField = (typeof REPORT_TEXT_FIELDS)[number];

/** Accepted only in confidential mode; in anonymous mode whatever is posted in them is dropped unread. */
export const REPORT_IDENTITY_FIELDS = ["reporterName", "reporterContact"] as const;

/** A submission key as the page issues it (idempotency of a re-post). */
export const SUBMISSION_KEY_PATTERN = /^[A-Za-z0-9_-]{20,64}$/;

/** The posted values shown again on a rejected form (identity fields only in confidential mode). */
export type ReportFormValues = Partial<
  Record<ReportTextField | "submissionKey" | "keepOriginal" | "keepNames" | "namesChecked", string>
> & { exclude?: number[] };

/** Lengths of the report's fields (characters), as the data layer enforces them; sent to the page by the loader. */
export type ReportFieldMax = Record<Exclude<ReportTextField, "mode" | "recipient">, number>;

/** A file the reporter need not choose again: kept encrypted, its key only in the page (`token`). */
export interface KeptEvidenceItem {
  id: string;
  token: string;
  name: string;
  size: number;
}

/** The form sent back for corrections (or refused): what the page needs to show it again, filled in. */
export interface ReportFormReply {
  formError: string | null;
  errors: Record<string, string>;
  values: ReportFormValues;
  rejectedFiles: { name: string; key: string }[];
  /** Evidence kept (encrypted) from this and earlier posts. */
  kept: KeptEvidenceItem[];
  /** Files were chosen in the rejected post but could not be kept (they must be chosen again). */
  hadFiles: boolean;
  /** People on the recipient list whose names were found in the text (now ticked, for the reporter to confirm). */
  named?: string[];
}

export interface ReportFormErrorData extends ReportFormReply {
  status: "error";
  /** Changes with every answer so the uncontrolled form is re-created with the returned values. */
  formKey: string;
}

/** An answer with nothing to show again (refused before the form was read). */
export const EMPTY_REPORT_REPLY: ReportFormReply = {
  formError: null,
  errors: {},
  values: {},
  rejectedFiles: [],
  kept: [],
  hadFiles: false,
};
