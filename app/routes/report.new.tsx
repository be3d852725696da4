/**
 * /report/new: the whistleblower's form (measure 28). Works without JavaScript and on a 360 px phone.
 *
 * - Two modes: anonymous (no identity fields are accepted: whatever is posted in them is dropped before anything
 *   else happens) and confidential (name and contact, encrypted with the report and shown only to integrity
 *   officers). Without JavaScript the identity fields are shown by CSS when "confidential" is checked.
 * - "Nothing typed is lost": a rejected form (422) comes back with every text field filled in, and every evidence
 *   file that passed its checks is kept so it need not be chosen again — encrypted with a fresh key that only the
 *   re-rendered form holds (hidden `keptEvidence` = "<id>.<key>", a "remove" checkbox `removeEvidence` = id); the
 *   server never keeps the key nor the file in the clear (app/models/report-pending.server.ts). A kept file that
 *   expired or whose key was altered is reported: the reporter chooses it again.
 * - Photos are re-encoded (EXIF/GPS/device data dropped) unless "keep the original" is ticked after a warning;
 *   PDFs are stored as they are (the form warns that author metadata may remain).
 * - Who will read it: the page lists the people a report filed now would go to (name and position) and asks whether
 *   it concerns any of them; the reporter can exclude anyone (`exclude` = staff id). Names found in the text exclude
 *   too (app/models/report/recipients.server.ts). When nobody is left, nothing is stored and the page points to
 *   ป.ป.ช. 1205 and ศูนย์ดำรงธรรม 1567. File names are replaced by neutral ones unless "keep names" is ticked.
 * - A double submit or a re-post never creates two reports (submissionKey, idempotent in createReport).
 * - The accepted post redirects to /report/receipt; the receipt travels in an encrypted one-time cookie
 *   (Path=/report), never in the URL.
 * - Nothing about the reporter is logged or stored: the client address is only an in-memory rate-limit key.
 */
import type {
  ActionFunctionArgs,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
} from "@remix-run/react";
import { z } from "zod";
import { useTranslation } from "~/components/i18n";
import {
  CsrfField,
  ErrorSummary,
  Field,
  HoneypotField,
} from "~/components/form";
import { EvidenceFields } from "~/components/evidence-fields";
import { getDb } from "~/utils/db.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limits, slowRefusal } from "~/utils/rate-limit.server";
import { assertCsrf, getLang } from "~/utils/request.server";
import {
  MultipartError,
  UploadRejectedError,
  parseMultipartUpload,
} from "~/models/attachment.server";
import { createReport, NoRecipientError, previewRecipients } from "~/models/report/filing.server";
import { ReceiptHashBusyError } from "~/models/receipt-hash.server";
import { prepareReportUpload, type ReportUpload } from "~/models/report/files.server";
import { recipientList } from "~/models/report/recipients.server";
import { FIELD_LIMITS, ReportInputError, REPORT_LIMITS } from "~/models/report/shared.server";
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
import { log, errorFields } from "~/utils/logger.server";
import { reportReceiptCookie } from "~/models/report/cookies.server";
import { LIMITS, safeText } from "~/lib/validation";
import { i18nFor } from "~/i18n";
import { passThroughHeaders } from "~/utils/route-headers";

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [
  { title: "แจ้งเบาะแส · Sujarit" },
  { name: "robots", content: "noindex" },
];

/**
 * Lengths of the report's fields (characters), as the data layer enforces them. A function: FIELD_LIMITS lives in a
 * .server module (undefined in the browser), so the page gets the numbers from the loader.
 */
const fieldMax = () => ({ ...FIELD_LIMITS });
type FieldMax = ReturnType<typeof fieldMax>;

const TEXT_FIELDS = [
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
type TextField = (typeof TEXT_FIELDS)[number];
type Values = Partial<
  Record<TextField | "submissionKey" | "keepOriginal" | "keepNames" | "namesChecked", string>
> & { exclude?: number[] };
const IDENTITY_FIELDS = ["reporterName", "reporterContact"] as const;


interface ErrorData {
  status: "error";
  formError: string | null;
  errors: Record<string, string>;
  values: Values;
  rejectedFiles: { name: string; key: string }[];
  /** Evidence kept (encrypted) from this and earlier posts: name, size, id and the token carrying its key. */
  kept: { id: string; token: string; name: string; size: number }[];
  /** Files were chosen in the rejected post but could not be kept (they must be chosen again). */
  hadFiles: boolean;
  /** Changes with every answer so the uncontrolled form is re-created with the returned values. */
  formKey: string;
  /** People on the recipient list whose names were found in the text (now ticked, for the reporter to confirm). */
  named?: string[];
}

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const recipients = await recipientList(db, lang);
  return json({
    officers: recipients.officers,
    alternate: recipients.alternate,
    submissionKey: randomToken(32),
    limits: fieldMax(),
  });
}

const modeSchema = z.enum(["anonymous", "confidential"], {
  error: "report:errors.invalidMode",
});
const recipientSchema = z.enum(["integrity", "alternate"], {
  error: "report:errors.invalidRecipient",
});

const reportSchema = (FIELD_MAX: FieldMax) =>
  z
    .object({
      mode: modeSchema,
      recipient: recipientSchema,
      involvedName: safeText(FIELD_MAX.involvedName, false),
      involvedPosition: safeText(FIELD_MAX.involvedPosition, false),
      involvedDivision: safeText(FIELD_MAX.involvedDivision, false),
      whatHappened: safeText(FIELD_MAX.whatHappened, true),
      when: safeText(FIELD_MAX.when, false),
      where: safeText(FIELD_MAX.where, false),
      howKnown: safeText(FIELD_MAX.howKnown, false),
      reportedElsewhere: safeText(FIELD_MAX.reportedElsewhere, false),
      reporterName: safeText(FIELD_MAX.reporterName, false),
      reporterContact: safeText(FIELD_MAX.reporterContact, false),
    })
    .superRefine((v, ctx) => {
      if (v.mode === "confidential" && !v.reporterName && !v.reporterContact) {
        ctx.addIssue({
          code: "custom",
          path: ["reporterName"],
          message: "report:errors.contactNeeded",
        });
      }
    });

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
  const rank = (k: string) =>
    FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length;
  return Object.fromEntries(
    Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b))
  );
}

function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const k = String(issue.path[0] ?? "");
    if (k && !(k in out)) out[k] = issue.message;
  }
  return out;
}

/** The posted text fields to show again; identity fields only in confidential mode (anonymous means none kept). */
function textValues(form: FormData | Record<string, string>): Values {
  const get = (k: string) => {
    const v = form instanceof FormData ? form.get(k) : form[k];
    return typeof v === "string" ? v.slice(0, 12_000) : undefined;
  };
  const out: Values = {};
  for (const k of [...TEXT_FIELDS, "submissionKey", "keepOriginal", "keepNames", "namesChecked"] as const) {
    const v = get(k);
    if (v !== undefined) out[k] = v;
  }
  if (form instanceof FormData) out.exclude = excludedIds(form);
  if (out.mode !== "confidential")
    for (const k of IDENTITY_FIELDS) delete out[k];
  return out;
}

/** An error key from the data layer: the report namespace when it has the key, otherwise the common one. */
function reportErrorKey(key: string): string {
  if (key === "complaint:errors.fileType") return "report:errors.fileType";
  if (key === "errors.tooManyFiles") return "complaint:errors.tooManyFiles";
  if (key.includes(":")) return key;
  return i18nFor("th").exists(`report:${key}`) ? `report:${key}` : key;
}

function errorResponse(
  status: number,
  data: Omit<ErrorData, "status" | "formKey">,
  headers?: HeadersInit
) {
  return json<ErrorData>(
    { status: "error", formKey: randomToken(6), ...data },
    { status, headers }
  );
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

/** What one post turned out to be, for the limits (see the action). */
interface SubmissionState {
  files: number;
  /** A broken post: bad CSRF token, honeypot filled, unreadable form or submission key. */
  junk: boolean;
}

/**
 * Limits per client (in memory only; clientKey() in client-address.server.ts, so behind a configured proxy each visitor
 * is their own client):
 * - filings (limits.reportForm, 10 per 10 minutes) are reserved before the post is read, so parallel posts cannot slip
 *   past the limit, and given back when the post turns out not to be a filing: a broken post (bad CSRF token,
 *   honeypot, unreadable form), a form sent back for corrections (422) without files, a body refused by the parser, or
 *   a 503. Past the limit only this client gets 429 (with Retry-After and the form's own page), held back a moment.
 * - broken posts are counted on their own (limits.reportJunk): past a few, their answers are held back a moment
 *   (slowRefusal), so a flood of junk cannot cost the server much — and they never use up anyone's filings.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const client = clientOf(context);
  const slot = limits.reportForm().reserve(client);
  if (!slot.allowed) {
    // The rest of the body is read and dropped by the server (remix-handler.ts): a complete answer, never a reset.
    request.body?.cancel().catch(() => {});
    await slowRefusal();
    return errorResponse(
      429,
      {
        errors: {},
        values: {},
        rejectedFiles: [],
        kept: [],
        hadFiles: false,
        formError: "report:errors.rateLimited",
      },
      { "Retry-After": String(slot.retryAfterSec) }
    );
  }
  const state: SubmissionState = { files: 0, junk: false };
  let response: Response | undefined;
  try {
    response = await handleSubmission(request, state);
  } catch (e) {
    // assertCsrf / readFormData answer with a thrown response (403, 400): a broken post, not a filing.
    if (e instanceof Response) {
      slot.release();
      await slowJunk(client);
    }
    throw e;
  }
  // A filing: a report stored (302), a form sent back with files kept for it (422 with files), or an error of ours.
  const status = response.status;
  const filing = status === 302 || (status === 422 && state.files > 0) || (status >= 500 && status !== 503);
  if (!filing) slot.release();
  if (state.junk) await slowJunk(client);
  return response;
}

async function slowJunk(client: string): Promise<void> {
  if (!limits.reportJunk().hit(client).allowed) await slowRefusal();
}

async function handleSubmission(
  request: Request,
  state: SubmissionState
): Promise<Response> {
  const lang = getLang(request);
  const empty = {
    errors: {},
    values: {},
    rejectedFiles: [],
    kept: [],
    hadFiles: false,
  };
  let parsed;
  try {
    parsed = await parseMultipartUpload(request, { fileField: "evidence" });
  } catch (e) {
    if (e instanceof MultipartError) {
      return errorResponse(e.status, {
        ...empty,
        hadFiles: true,
        values: textValues(e.partial),
        formError: e.messageKey,
      });
    }
    throw e;
  }
  const form = parsed.form;
  state.files = parsed.files.length;
  assertCsrf(request, form, lang);

  const website = form.get("website");
  if (typeof website === "string" && website.trim() !== "") {
    state.junk = true;
    return errorResponse(400, {
      ...empty,
      formError: "report:errors.rejected",
    });
  }
  const values = textValues(form);
  const submissionKey = form.get("submissionKey");
  if (
    typeof submissionKey !== "string" ||
    !/^[A-Za-z0-9_-]{20,64}$/.test(submissionKey)
  ) {
    state.junk = true;
    return errorResponse(400, {
      ...empty,
      values,
      formError: "report:errors.malformedForm",
    });
  }

  const raw: Record<string, string | undefined> = {};
  for (const k of TEXT_FIELDS) {
    const v = form.get(k);
    raw[k] = typeof v === "string" ? v : undefined;
  }
  // Anonymous: identity fields are never read, whatever was posted in them.
  if (raw.mode !== "confidential")
    for (const k of IDENTITY_FIELDS) raw[k] = undefined;
  const errors: Record<string, string> = {};
  const result = reportSchema(fieldMax()).safeParse(raw);
  if (!result.success) Object.assign(errors, fieldErrorsOf(result.error));

  const db = getDb();
  if (
    result.success &&
    result.data.recipient === "alternate" &&
    !(await recipientList(db, lang)).alternate
  ) {
    errors.recipient = "report:errors.invalidRecipient";
  }

  // Evidence: files kept (encrypted) from an earlier rejected post, minus those the reporter removed, then the new
  // ones. Each new file is checked and cleaned once here (photos re-encoded without metadata unless the reporter
  // kept the originals after the warning); createReport then does not check it again.
  maybeCleanupReportPending(db);
  const removed = new Set(
    form.getAll("removeEvidence").filter(isPendingEvidenceId)
  );
  if (removed.size > 0) await discardKeptEvidence(db, [...removed]);
  const keptTokens = form
    .getAll("keptEvidence")
    .filter((x) => {
      const id = pendingIdOf(x);
      return !(id && removed.has(id));
    });
  const restored = await restoreKeptEvidence(db, keptTokens);
  if (restored.missing > 0) errors.evidence = "report:errors.evidenceExpired";
  const keepOriginal = form.get("keepOriginal") === "yes";
  const fresh: { upload: ReportUpload; originalSha256: string }[] = [];
  const rejectedFiles: { name: string; key: string }[] = [];
  for (const f of parsed.files) {
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
  if (rejectedFiles.length > 0)
    errors.evidence =
      rejectedFiles.length === 1
        ? rejectedFiles[0].key
        : "complaint:errors.filesRejected";
  const uploads = [
    ...restored.found.map((k) => k.upload),
    ...fresh.map((f) => f.upload),
  ];
  if (uploads.length > REPORT_LIMITS.maxFiles)
    errors.evidence = "complaint:errors.tooManyFiles";
  else if (
    uploads.reduce((n, u) => n + u.bytes.length, 0) >
    REPORT_LIMITS.maxTotalBytes
  )
    errors.evidence = "complaint:errors.filesTooLarge";

  /**
   * The form comes back (422): every new file that passed its checks is kept encrypted with its own fresh key, which
   * goes back in the page only; files kept from before keep their token.
   */
  const rejected = async (
    errs: Record<string, string>,
    formError: string | null = null,
    extra: { values?: Values; named?: string[]; status?: number; headers?: HeadersInit } = {}
  ) => {
    const kept: KeptEvidence[] = restored.found.map(
      ({ id, token, name, size }) => ({ id, token, name, size })
    );
    let notKept = false;
    for (const f of fresh) {
      try {
        kept.push(await keepEvidence(db, f.upload, f.originalSha256));
      } catch (e) {
        log.error("report evidence could not be kept", errorFields(e));
        notKept = true;
      }
    }
    return errorResponse(
      extra.status ?? 422,
      {
        formError,
        errors: inFormOrder(errs),
        values: { ...values, ...extra.values, submissionKey },
        rejectedFiles,
        kept,
        hadFiles: notKept,
        named: extra.named,
      },
      extra.headers
    );
  };

  if (!result.success || Object.keys(errors).length > 0) {
    return rejected(errors);
  }

  const input = result.data;
  const opt = (s: string) => (s === "" ? undefined : s);
  const reportFields = {
    involvedName: opt(input.involvedName),
    involvedPosition: opt(input.involvedPosition),
    involvedDivision: opt(input.involvedDivision),
    whatHappened: input.whatHappened,
    when: opt(input.when),
    where: opt(input.where),
    howKnown: opt(input.howKnown),
    reportedElsewhere: opt(input.reportedElsewhere),
    ...(input.mode === "confidential"
      ? {
          reporterName: opt(input.reporterName),
          reporterContact: opt(input.reporterContact),
        }
      : {}),
  };
  const excluded = excludedIds(form);
  const namesConfirmed = form.get("namesChecked") === "yes";
  if (!namesConfirmed) {
    // Names of people on the list found in the text: shown to the reporter, ticked, before anything is stored.
    const preview = await previewRecipients(db, { recipient: input.recipient, excluded }, reportFields);
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
      fields: reportFields,
      uploads,
      submissionKey,
    });
  } catch (e) {
    if (e instanceof NoRecipientError) {
      // Nobody is left to read it: nothing is stored (not even the evidence); the page says where else to go.
      await discardKeptEvidence(db, restored.found.map((k) => k.id)).catch(() => undefined);
      return errorResponse(422, {
        formError: "report:errors.noRecipient",
        errors: { recipients: "report:errors.noRecipient" },
        values: { ...values, submissionKey },
        rejectedFiles: [],
        kept: [],
        hadFiles: uploads.length > 0,
      });
    }
    if (e instanceof UploadRejectedError) {
      const name = (e.fileName || "").slice(0, 120);
      const key = reportErrorKey(e.messageKey);
      if (name) rejectedFiles.push({ name, key });
      return rejected({ evidence: key });
    }
    if (e instanceof ReceiptHashBusyError) {
      // Too many reports being filed at this moment (filing has its own capacity, untouched by receipt guessing):
      // nothing was stored; the form comes back filled in, its files kept, with a 503 and when to try again.
      return rejected({}, "report:errors.busy", { status: 503, headers: { "Retry-After": String(e.retryAfterSec) } });
    }
    if (e instanceof ReportInputError) {
      const field = e.field === "submissionKey" ? null : e.field;
      return rejected(
        field ? { [field]: reportErrorKey(e.messageKey) } : {},
        field ? null : "report:errors.malformedForm"
      );
    }
    throw e;
  }
  // The kept files are now part of the report (stored under its key): their pending copies go.
  await discardKeptEvidence(
    db,
    restored.found.map((k) => k.id)
  ).catch((e) => log.warn("kept report evidence not removed", errorFields(e)));

  return redirect("/report/receipt", {
    headers: {
      "Set-Cookie": reportReceiptCookie({
        receipt: created.receipt ?? "",
        receivedAt: created.receivedAt,
        digest: created.digest,
        duplicate: created.duplicate,
        recipients: created.recipients,
      }),
    },
  });
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export default function NewReportRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ErrorData | undefined;
  const { t } = useTranslation("report");
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const submissionKey =
    values.submissionKey && /^[A-Za-z0-9_-]{20,64}$/.test(values.submissionKey)
      ? values.submissionKey
      : data.submissionKey;
  const mode = values.mode === "confidential" ? "confidential" : "anonymous";
  const recipient =
    values.recipient === "alternate" && data.alternate
      ? "alternate"
      : "integrity";
  const excluded = new Set(values.exclude ?? []);
  if (data.officers.length === 0 && !data.alternate) {
    // Nobody can receive a report yet: no form (nothing would be stored), only where else to go.
    return (
      <div className="report-page">
        <h1>{t("form.title")}</h1>
        <p className="warning" data-testid="no-recipients">
          {t("form.noRecipients")}
        </p>
        <ul>
          <li>{t("index.nacc")}</li>
          <li>{t("index.damrongdham")}</li>
        </ul>
      </div>
    );
  }
  const labels: Record<string, string> = {};
  for (const k of [...TEXT_FIELDS, "evidence"])
    labels[k] = t(`form.fields.${k}`);
  labels.recipients = t("form.recipientsLegend");
  const officeTypes = t("form.officeTypes");
  const FIELD_MAX = data.limits;
  const text = (
    name: TextField,
    opts: {
      rows?: number;
      required?: boolean;
      hint?: boolean;
      autoComplete?: string;
    } = {}
  ) => (
    <Field
      name={name}
      label={labels[name]}
      hint={opts.hint ? t(`form.hints.${name}`) : undefined}
      error={errors[name]}
      max={FIELD_MAX[name as keyof typeof FIELD_MAX]}
      required={opts.required}
    >
      {(p) =>
        opts.rows ? (
          <textarea
            {...p}
            rows={opts.rows}
            maxLength={FIELD_MAX[name as keyof typeof FIELD_MAX]}
            defaultValue={values[name] ?? ""}
          />
        ) : (
          <input
            {...p}
            type="text"
            autoComplete={opts.autoComplete ?? "off"}
            maxLength={FIELD_MAX[name as keyof typeof FIELD_MAX]}
            defaultValue={values[name] ?? ""}
          />
        )
      }
    </Field>
  );

  return (
    <div className="report-page">
      <h1>{t("form.title")}</h1>
      <p className="lead">{t("form.intro")}</p>
      <p className="notice">{t("form.privacy")}</p>
      <ErrorSummary
        errors={errors}
        labels={labels}
        formError={result?.formError ?? null}
        limits={FIELD_MAX}
      />
      <Form
        method="post"
        encType="multipart/form-data"
        key={result?.formKey ?? "initial"}
        className="report-form"
        autoComplete="off"
      >
        <CsrfField />
        <HoneypotField />
        <input type="hidden" name="submissionKey" value={submissionKey} />

        <fieldset
          className={`report-mode${errors.mode ? " has-error" : ""}`}
          id="f-mode"
        >
          <legend>{t("form.modeLegend")}</legend>
          {errors.mode ? (
            <span className="field-error">{t(errors.mode)}</span>
          ) : null}
          <input
            type="radio"
            name="mode"
            value="anonymous"
            id="mode-anonymous"
            className="mode-radio"
            defaultChecked={mode === "anonymous"}
          />
          <label htmlFor="mode-anonymous" className="mode-label">
            <strong>{t("form.modeAnonymousTitle")}</strong>
            <span className="hint">{t("form.modeAnonymousDesc")}</span>
          </label>
          <input
            type="radio"
            name="mode"
            value="confidential"
            id="mode-confidential"
            className="mode-radio"
            defaultChecked={mode === "confidential"}
          />
          <label htmlFor="mode-confidential" className="mode-label">
            <strong>{t("form.modeConfidentialTitle")}</strong>
            <span className="hint">{t("form.modeConfidentialDesc")}</span>
          </label>
          <div className="identity-fields">
            <p className="hint">{t("form.identityNote")}</p>
            {text("reporterName", { autoComplete: "name" })}
            {text("reporterContact", { hint: true })}
          </div>
        </fieldset>

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
            {[...data.officers, ...(data.alternate ? [data.alternate] : [])].map((p) => (
              <li key={p.id}>
                <label className="choice">
                  <input
                    type="checkbox"
                    name="exclude"
                    value={p.id}
                    defaultChecked={excluded.has(p.id)}
                    data-testid={`exclude-${p.id}`}
                  />{" "}
                  <span>
                    {t("form.excludeLabel", { name: p.name })}
                    <span className="hint">
                      {p.position}
                      {data.alternate && p.id === data.alternate.id ? ` · ${t("form.alternateTag", { label: data.alternate.label || p.position })}` : ""}
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
          {data.alternate ? (
            <div className={errors.recipient ? "has-error" : undefined} id="f-recipient">
              {errors.recipient ? <span className="field-error">{t(errors.recipient)}</span> : null}
              <label className="choice">
                <input type="radio" name="recipient" value="integrity" defaultChecked={recipient === "integrity"} />
                <span>{t("form.recipientIntegrity")}</span>
              </label>
              <label className="choice">
                <input type="radio" name="recipient" value="alternate" defaultChecked={recipient === "alternate"} />
                <span>
                  {t("form.recipientAlternate", { label: data.alternate.label || data.alternate.name })}
                  <span className="hint">{t("form.recipientAlternateDesc")}</span>
                </span>
              </label>
            </div>
          ) : (
            <input type="hidden" name="recipient" value="integrity" />
          )}
        </fieldset>

        <fieldset>
          <legend>{t("form.involvedLegend")}</legend>
          {text("involvedName", { hint: true })}
          {text("involvedPosition")}
          {text("involvedDivision")}
        </fieldset>

        <fieldset>
          <legend>{t("form.whatLegend")}</legend>
          {text("whatHappened", { rows: 8, required: true, hint: true })}
          {text("when", { hint: true })}
          {text("where", { hint: true })}
          {text("howKnown", { rows: 3, hint: true })}
          {text("reportedElsewhere", { hint: true })}
        </fieldset>

        <fieldset>
          <legend>{t("form.filesLegend")}</legend>
          {result?.hadFiles ? (
            <p className="warning">{t("form.kept.failed")}</p>
          ) : null}
          {result?.kept?.length ? (
            <div className="kept-files" data-testid="kept-evidence">
              <p>{t("form.kept.intro")}</p>
              <ul>
                {result.kept.map((f) => (
                  <li key={f.id}>
                    <input type="hidden" name="keptEvidence" value={f.token} />
                    <span className="kept-name">
                      {f.name}{" "}
                      <span className="muted">({formatSize(f.size)})</span>
                    </span>{" "}
                    <label className="choice inline">
                      <input
                        type="checkbox"
                        name="removeEvidence"
                        value={f.id}
                      />{" "}
                      {t("form.kept.remove")}
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
            label={labels.evidence}
            error={errors.evidence}
            warningId="keep-original-warning"
            keepOriginalChecked={values.keepOriginal === "yes"}
            keepNamesChecked={values.keepNames === "yes"}
          />
        </fieldset>

        <p>
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? t("form.sending") : t("form.submit")}
          </button>
        </p>
      </Form>
      <section aria-labelledby="elsewhere">
        <h2 id="elsewhere">{t("index.elsewhereTitle")}</h2>
        <ul>
          <li>{t("index.nacc")}</li>
          <li>{t("index.damrongdham")}</li>
        </ul>
      </section>
    </div>
  );
}
