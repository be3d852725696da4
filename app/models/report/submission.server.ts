/**
 * One post of the whistleblower form (/report/new), from the checked fields to a filed report or to the form sent
 * back for corrections. The route reads the post (multipart, CSRF, honeypot, submission key) and the text fields
 * with `reportFormSchema`; `fileReportPost` does the rest:
 *
 * - evidence: files kept (encrypted) from an earlier rejected post, minus those the reporter removed, then the new
 *   ones, each checked and cleaned once (photos re-encoded without metadata unless the reporter kept the originals
 *   after the warning); limits on count and total size;
 * - names of people on the recipient list found in the text are shown to the reporter, ticked, before anything is
 *   stored;
 * - a rejected form keeps every new file that passed its checks, encrypted with a fresh key that only the page
 *   holds (pending-evidence.server.ts), so nothing typed or chosen is lost;
 * - nobody left to receive it: nothing is stored, not even the evidence.
 *
 * Nothing about the reporter (address, browser) reaches this module.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../../db/schema";
import type { Lang } from "~/i18n";
import { safeText } from "~/lib/validation.server";
import { UploadRejectedError } from "~/models/complaints/attachments.server";
import { ReceiptHashBusyError } from "~/models/report/receipt-hash.server";
import type { ReportReceiptCookie } from "~/models/report/cookies.server";
import { createReport, NoRecipientError, previewRecipients } from "~/models/report/filing.server";
import { prepareReportUpload, type ReportUpload } from "~/models/report/files.server";
import {
  discardKeptEvidence,
  isPendingEvidenceId,
  keepEvidence,
  maybeCleanupReportPending,
  pendingIdOf,
  restoreKeptEvidence,
  uploadedSha256,
  type KeptEvidence,
} from "~/models/report/pending-evidence.server";
import { recipientList } from "~/models/report/recipients.server";
import { FIELD_LIMITS, REPORT_LIMITS, ReportInputError, reportErrorKey, type ReportFields } from "~/models/report/shared.server";
import {
  REPORT_IDENTITY_FIELDS,
  REPORT_TEXT_FIELDS,
  type ReportFieldMax,
  type ReportFormReply,
  type ReportFormValues,
} from "~/models/report/form-fields";
import { errorFields, log } from "~/utils/logger.server";

/** The field lengths the page shows and enforces (a copy: FIELD_LIMITS is not available in the browser). */
export function reportFieldMax(): ReportFieldMax {
  return { ...FIELD_LIMITS };
}

/** The form's text fields. Identity fields are checked only when the route kept them (confidential mode). */
export const reportFormSchema = z
  .object({
    mode: z.enum(["anonymous", "confidential"], { error: "report:errors.invalidMode" }),
    recipient: z.enum(["integrity", "alternate"], { error: "report:errors.invalidRecipient" }),
    involvedName: safeText(FIELD_LIMITS.involvedName, false),
    involvedPosition: safeText(FIELD_LIMITS.involvedPosition, false),
    involvedDivision: safeText(FIELD_LIMITS.involvedDivision, false),
    whatHappened: safeText(FIELD_LIMITS.whatHappened, true),
    when: safeText(FIELD_LIMITS.when, false),
    where: safeText(FIELD_LIMITS.where, false),
    howKnown: safeText(FIELD_LIMITS.howKnown, false),
    reportedElsewhere: safeText(FIELD_LIMITS.reportedElsewhere, false),
    reporterName: safeText(FIELD_LIMITS.reporterName, false),
    reporterContact: safeText(FIELD_LIMITS.reporterContact, false),
  })
  .superRefine(
    (v, ctx) => {
      // Runs even when other fields are wrong, so that one post reports every error at once.
      const failed = new Set(ctx.issues.map((i) => String(i.path?.[0])));
      if (failed.has("mode") || failed.has("reporterName") || failed.has("reporterContact")) return;
      if (v.mode === "confidential" && !v.reporterName && !v.reporterContact) {
        ctx.addIssue({ code: "custom", path: ["reporterName"], message: "report:errors.contactNeeded" });
      }
    },
    { when: () => true },
  );
export type ReportFormInput = z.output<typeof reportFormSchema>;

/** The posted text fields for the schema. Anonymous: the identity fields are never read, whatever was posted. */
export function reportFormInput(form: FormData): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const k of REPORT_TEXT_FIELDS) {
    const v = form.get(k);
    raw[k] = typeof v === "string" ? v : undefined;
  }
  if (raw.mode !== "confidential") for (const k of REPORT_IDENTITY_FIELDS) raw[k] = undefined;
  return raw;
}

/** The posted text fields to show again; identity fields only in confidential mode (anonymous means none kept). */
export function reportFormValues(form: FormData | Record<string, string>): ReportFormValues {
  const get = (k: string) => {
    const v = form instanceof FormData ? form.get(k) : form[k];
    return typeof v === "string" ? v.slice(0, 12_000) : undefined;
  };
  const out: ReportFormValues = {};
  for (const k of [...REPORT_TEXT_FIELDS, "submissionKey", "keepOriginal", "keepNames", "namesChecked"] as const) {
    const v = get(k);
    if (v !== undefined) out[k] = v;
  }
  if (form instanceof FormData) out.exclude = excludedIds(form);
  if (out.mode !== "confidential") for (const k of REPORT_IDENTITY_FIELDS) delete out[k];
  return out;
}

/** Staff ids the reporter ticked as "this report concerns them" (at most 50, whole numbers only). */
function excludedIds(form: FormData): number[] {
  return [
    ...new Set(
      form
        .getAll("exclude")
        .filter((v): v is string => typeof v === "string" && /^\d{1,9}$/.test(v))
        .map(Number),
    ),
  ].slice(0, 50);
}

/** Field order on the page (the error summary lists errors in this order). */
const FIELD_ORDER = [
  "mode",
  "reporterName",
  "reporterContact",
  "recipient",
  "recipients",
  "involvedName",
  "involvedPosition",
  "involvedDivision",
  "whatHappened",
  "when",
  "where",
  "howKnown",
  "reportedElsewhere",
  "evidence",
];

function inFormOrder(errors: Record<string, string>): Record<string, string> {
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

export interface ReportPost {
  lang: Lang;
  /** The post's text fields (files are not in here). */
  form: FormData;
  /** The evidence files chosen in this post. */
  files: readonly { name: string; data: Uint8Array }[];
  /** Files of this post the parser left out for their size or number, with the reason (i18n key). */
  refused?: readonly { name: string; key: string }[];
  /** Already checked against SUBMISSION_KEY_PATTERN. */
  submissionKey: string;
  /** The text fields as `reportFormSchema` read them, or null when they failed it. */
  input: ReportFormInput | null;
  /** The schema's errors by field (empty when `input` is set). */
  fieldErrors: Record<string, string>;
}

export type ReportPostOutcome =
  | { filed: true; receipt: ReportReceiptCookie }
  | { filed: false; status: number; headers?: Record<string, string>; reply: ReportFormReply };

const optional = (s: string) => (s === "" ? undefined : s);

function reportFieldsOf(input: ReportFormInput): ReportFields {
  return {
    involvedName: optional(input.involvedName),
    involvedPosition: optional(input.involvedPosition),
    involvedDivision: optional(input.involvedDivision),
    whatHappened: input.whatHappened,
    when: optional(input.when),
    where: optional(input.where),
    howKnown: optional(input.howKnown),
    reportedElsewhere: optional(input.reportedElsewhere),
    ...(input.mode === "confidential"
      ? { reporterName: optional(input.reporterName), reporterContact: optional(input.reporterContact) }
      : {}),
  };
}

/** Files the reporter chose: kept ones restored (minus removed ones), new ones checked and cleaned. */
async function gatherEvidence(db: Kysely<Database>, form: FormData, files: ReportPost["files"], refused: ReportPost["refused"] = []) {
  maybeCleanupReportPending(db);
  const removed = new Set(form.getAll("removeEvidence").filter(isPendingEvidenceId));
  if (removed.size > 0) await discardKeptEvidence(db, [...removed]);
  const keptTokens = form.getAll("keptEvidence").filter((x) => {
    const id = pendingIdOf(x);
    return !(id && removed.has(id));
  });
  const restored = await restoreKeptEvidence(db, keptTokens);
  const keepOriginal = form.get("keepOriginal") === "yes";
  const fresh: { upload: ReportUpload; originalSha256: string }[] = [];
  const rejectedFiles: { name: string; key: string }[] = [...refused];
  for (const f of files) {
    const name = (f.name || "").slice(0, 120);
    try {
      fresh.push({
        upload: await prepareReportUpload(f.data, f.name, { keepOriginal }),
        originalSha256: uploadedSha256(f.data),
      });
    } catch (e) {
      if (e instanceof UploadRejectedError) {
        rejectedFiles.push({ name, key: reportErrorKey(e.messageKey) });
      } else {
        log.error("report evidence could not be checked", errorFields(e));
        rejectedFiles.push({ name, key: "complaint:errors.fileNotSaved" });
      }
    }
  }
  const uploads = [...restored.found.map((k) => k.upload), ...fresh.map((f) => f.upload)];
  let error: string | undefined;
  if (restored.missing > 0) error = "report:errors.evidenceExpired";
  if (rejectedFiles.length > 0) error = rejectedFiles.length === 1 ? rejectedFiles[0].key : "complaint:errors.filesRejected";
  if (uploads.length > REPORT_LIMITS.maxFiles) error = "complaint:errors.tooManyFiles";
  else if (uploads.reduce((n, u) => n + u.bytes.length, 0) > REPORT_LIMITS.maxTotalBytes) error = "complaint:errors.filesTooLarge";
  return { restored, fresh, rejectedFiles, uploads, error };
}

/** Files a checked post, or answers with the form to send back (see the module comment). */
export async function fileReportPost(db: Kysely<Database>, post: ReportPost): Promise<ReportPostOutcome> {
  const { lang, form, submissionKey, input } = post;
  const values = reportFormValues(form);
  const errors: Record<string, string> = { ...post.fieldErrors };
  if (input?.recipient === "alternate" && !(await recipientList(db, lang)).alternate) {
    errors.recipient = "report:errors.invalidRecipient";
  }
  const evidence = await gatherEvidence(db, form, post.files, post.refused);
  const { restored, fresh, rejectedFiles, uploads } = evidence;
  if (evidence.error) errors.evidence = evidence.error;

  /** The form comes back: every new file that passed its checks is kept encrypted with its own fresh key. */
  const rejected = async (
    errs: Record<string, string>,
    formError: string | null = null,
    extra: { values?: ReportFormValues; named?: string[]; status?: number; headers?: Record<string, string> } = {},
  ): Promise<ReportPostOutcome> => {
    const kept: KeptEvidence[] = restored.found.map(({ id, token, name, size }) => ({ id, token, name, size }));
    let notKept = false;
    for (const f of fresh) {
      try {
        kept.push(await keepEvidence(db, f.upload, f.originalSha256));
      } catch (e) {
        log.error("report evidence could not be kept", errorFields(e));
        notKept = true;
      }
    }
    return {
      filed: false,
      status: extra.status ?? 422,
      headers: extra.headers,
      reply: {
        formError,
        errors: inFormOrder(errs),
        values: { ...values, ...extra.values, submissionKey },
        rejectedFiles,
        kept,
        hadFiles: notKept,
        named: extra.named,
      },
    };
  };

  if (!input || Object.keys(errors).length > 0) return rejected(errors);

  const fields = reportFieldsOf(input);
  const excluded = excludedIds(form);
  const namesConfirmed = form.get("namesChecked") === "yes";
  if (!namesConfirmed) {
    const preview = await previewRecipients(db, { recipient: input.recipient, excluded }, fields);
    const found = preview.named.filter((id) => !excluded.includes(id));
    if (found.length > 0) {
      const list = await recipientList(db, lang);
      const people = [...list.officers, ...(list.alternate ? [list.alternate] : [])];
      return rejected({ recipients: "report:errors.namesFound" }, null, {
        values: { exclude: [...excluded, ...found], namesChecked: "yes" },
        named: people.filter((p) => found.includes(p.id)).map((p) => p.name),
      });
    }
  }
  let created;
  try {
    created = await createReport(db, {
      mode: input.mode,
      recipient: input.recipient,
      excluded,
      namesConfirmed,
      keepFileNames: form.get("keepNames") === "yes",
      fields,
      uploads,
      submissionKey,
    });
  } catch (e) {
    if (e instanceof NoRecipientError) {
      // Nobody is left to read it: nothing is stored (not even the evidence); the page says where else to go.
      await discardKeptEvidence(
        db,
        restored.found.map((k) => k.id),
      ).catch(() => undefined);
      return {
        filed: false,
        status: 422,
        reply: {
          formError: "report:errors.noRecipient",
          errors: { recipients: "report:errors.noRecipient" },
          values: { ...values, submissionKey },
          rejectedFiles: [],
          kept: [],
          hadFiles: uploads.length > 0,
        },
      };
    }
    if (e instanceof UploadRejectedError) {
      const name = (e.fileName || "").slice(0, 120);
      const key = reportErrorKey(e.messageKey);
      if (name) rejectedFiles.push({ name, key });
      return rejected({ evidence: key });
    }
    if (e instanceof ReceiptHashBusyError) {
      // Too many reports being filed at this moment: nothing was stored; the form comes back filled in, its files
      // kept, with a 503 and when to try again.
      return rejected({}, "report:errors.busy", { status: 503, headers: { "Retry-After": String(e.retryAfterSec) } });
    }
    if (e instanceof ReportInputError) {
      const field = e.field === "submissionKey" ? null : e.field;
      return rejected(field ? { [field]: reportErrorKey(e.messageKey) } : {}, field ? null : "report:errors.malformedForm");
    }
    throw e;
  }
  // The kept files are now part of the report (stored under its key): their pending copies go.
  await discardKeptEvidence(
    db,
    restored.found.map((k) => k.id),
  ).catch((e) => log.warn("kept report evidence not removed", errorFields(e)));
  return {
    filed: true,
    receipt: {
      receipt: created.receipt ?? "",
      receivedAt: created.receivedAt,
      digest: created.digest,
      duplicate: created.duplicate,
      recipients: created.recipients,
    },
  };
}
