/**
 * The public complaint form. A rejected post comes back (422) with everything typed; an accepted one redirects to
 * /complaints/done, which shows the receipt (so a reload never re-posts the form). Works without JavaScript.
 * The form itself is app/components/complaint-form.tsx (shared with the staff intake); the post is handled by
 * handlePublicPost (limits, CSRF, honeypot) and checked with the complaint schema of app/lib/validation.ts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { ComplaintForm, ComplaintPrivacyNotice } from "~/components/complaint-form";
import { getDb } from "~/utils/db.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limits } from "~/utils/rate-limit.server";
import { log, errorFields } from "~/utils/logger.server";
import { getLang } from "~/utils/request.server";
import { handlePublicPost, limitPosts, publicFormError } from "~/utils/public-form.server";
import { isDomainError } from "~/lib/domain-error";
import { getOrgProfile, listCategories, listVillages, nameIn } from "~/models/organisation/profile.server";
import {
  MultipartError,
  UploadRejectedError,
  maybeCleanupPendingUploads,
  parseMultipartUpload,
  resolveKeptUploads,
  storeUploadInfo,
  type ParsedMultipart,
  type PendingUploadInfo,
} from "~/models/complaints/attachments.server";
import { complaintSchemaFor, createComplaint } from "~/models/complaints/filing.server";
import { receiptCookie } from "~/models/complaints/receipt-cookie.server";
import { COMPLAINT_TEXT_FIELDS, complaintFormInput, fieldErrors, isSubmissionKey, LIMITS } from "~/lib/validation";
import { passThroughHeaders } from "~/utils/route-headers";
import type { PageHandle } from "~/components/root-data";

export const handle: PageHandle = {
  i18n: ["complaint", "map"],
  hydrate: false,
  enhance: { script: "complaint-form", strings: ["common", "complaint", "map"] },
};

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "ยื่นเรื่องร้องทุกข์ · Sujarit" }];

type Values = Partial<Record<(typeof COMPLAINT_TEXT_FIELDS)[number] | "submissionKey", string>>;

interface ErrorData {
  status: "error";
  formError: string | null;
  errors: Record<string, string>;
  values: Values;
  kept: PendingUploadInfo[];
  rejectedFiles: { name: string; key: string }[];
  /** Changes with every answer so the uncontrolled form is re-created with the returned values. */
  formKey: string;
}
type ActionData = ErrorData;

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const [org, categories, villages] = await Promise.all([getOrgProfile(db), listCategories(db), listVillages(db)]);
  return json(
    {
      lang,
      orgName: nameIn(lang, org),
      slaDays: org.sla_days,
      countingMode: org.counting_mode,
      retentionYears: org.retention_years,
      privacyContact: lang === "en" ? org.privacy_contact_en : org.privacy_contact_th,
      orgPhone: org.phone,
      orgEmail: org.email,
      categories: categories.map((c) => ({ code: c.code, name: nameIn(lang, c) })),
      villages: villages.map((v) => ({ number: v.number, name: nameIn(lang, v) })),
      submissionKey: randomToken(32),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

function textValues(form: FormData | Record<string, string>): Values {
  const out: Values = {};
  for (const k of [...COMPLAINT_TEXT_FIELDS, "submissionKey"] as const) {
    const v = form instanceof FormData ? form.get(k) : form[k];
    if (typeof v === "string") out[k] = v.slice(0, 6000);
  }
  return out;
}

const FIELD_ORDER: string[] = [...COMPLAINT_TEXT_FIELDS.slice(0, 7), "attachments", ...COMPLAINT_TEXT_FIELDS.slice(7)];

/** Errors ordered as the fields appear on the page (the error summary lists them in this order). */
function inFormOrder(errors: Record<string, string>): Record<string, string> {
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

const EMPTY = { errors: {}, values: {}, kept: [], rejectedFiles: [] };

function errorResponse(status: number, data: Omit<ErrorData, "status" | "formKey">, headers?: HeadersInit) {
  return json<ActionData>({ status: "error", formKey: randomToken(6), ...data }, { status, headers });
}

/**
 * Rate limit per client (limits.publicForm): every post counts, except a rejected form (422) that brought no new
 * files, so that someone correcting typos is never locked out while bulk posting and upload floods are.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  return handlePublicPost<ParsedMultipart & { newFiles: number }>(
    request,
    {
      limits: [limitPosts(limits.publicForm(), clientOf(context))],
      messages: { rateLimited: "complaint:errors.rateLimited", rejected: "complaint:errors.rejected" },
      emptyReply: () => ({ status: "error", formKey: randomToken(6), ...EMPTY }),
      read: async (req) => {
        try {
          // Files over the limits are reported with the other errors of the same post, not instead of them.
          const parsed = await parseMultipartUpload(req, { refuseFilesOneByOne: true });
          return { ...parsed, newFiles: parsed.files.length + parsed.refused.length };
        } catch (e) {
          if (!(e instanceof MultipartError)) throw e;
          return errorResponse(e.status, { ...EMPTY, values: textValues(e.partial), formError: e.messageKey });
        }
      },
    },
    (form, post, parsed) => fileComplaint(form, parsed.files, parsed.refused, post.lang),
  );
}

/**
 * Checks the whole post in one pass (every text field, the kept files and each new file) so that one answer lists
 * every error; nothing is written unless all of it is right.
 */
async function fileComplaint(
  form: FormData,
  newFiles: { name: string; data: Uint8Array }[],
  refusedFiles: { name: string; key: string }[],
  lang: "th" | "en",
): Promise<Response> {
  const db = getDb();
  const submissionKey = form.get("submissionKey");
  if (!isSubmissionKey(submissionKey)) {
    return errorResponse(400, { ...EMPTY, values: textValues(form), formError: "complaint:errors.malformedForm" });
  }
  maybeCleanupPendingUploads(db);

  // Files: those kept from an earlier post (minus the ones the citizen removed), then the new ones.
  const errors: Record<string, string> = {};
  const removed = new Set(form.getAll("removeUpload").filter((x): x is string => typeof x === "string"));
  const keptIds = form.getAll("keptUploads").filter((x) => typeof x === "string" && !removed.has(x));
  const kept = await resolveKeptUploads(db, keptIds);
  if (kept.missing > 0) errors.attachments = "complaint:errors.uploadExpired";
  const files: PendingUploadInfo[] = [...kept.found];
  const rejectedFiles: { name: string; key: string }[] = [...refusedFiles];
  for (const f of newFiles) {
    try {
      files.push(await storeUploadInfo(f, db));
    } catch (e) {
      if (!(e instanceof UploadRejectedError)) {
        log.error("upload could not be stored", errorFields(e));
        rejectedFiles.push({ name: f.name.slice(0, 120), key: "complaint:errors.fileNotSaved" });
      } else rejectedFiles.push({ name: f.name.slice(0, 120), key: e.messageKey });
    }
  }
  if (rejectedFiles.length > 0) errors.attachments = rejectedFiles.length === 1 ? rejectedFiles[0].key : "complaint:errors.filesRejected";
  if (files.length > LIMITS.maxFiles) errors.attachments = "complaint:errors.tooManyFiles";
  else if (files.reduce((n, f) => n + f.size, 0) > LIMITS.maxTotalBytes) errors.attachments = "complaint:errors.filesTooLarge";

  const result = (await complaintSchemaFor(db)).safeParse(complaintFormInput(form));
  if (!result.success) Object.assign(errors, { ...fieldErrors(result.error), ...errors });

  const values = { ...textValues(form), submissionKey };
  if (!result.success || Object.keys(errors).length > 0) {
    return errorResponse(422, { formError: null, errors: inFormOrder(errors), values, kept: files, rejectedFiles });
  }

  const input = result.data;
  let created;
  try {
    created = await createComplaint(db, {
      ...input,
      channel: "web",
      lang,
      submissionKey,
      recordedBy: null,
      uploadIds: files.map((f) => f.id),
    });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return publicFormError(e, { status: "error", formKey: randomToken(6), values, kept: [], rejectedFiles });
  }

  return redirect("/complaints/done", {
    headers: {
      "Set-Cookie": receiptCookie({
        reference: created.reference,
        trackingCode: created.trackingCode,
        receivedAt: created.receivedAt,
        dueAt: created.dueAt,
        hasContact: Boolean(input.contactEmail || input.contactPhone || input.contactAddress),
        hasEmail: Boolean(input.contactEmail),
      }),
    },
  });
}

export default function NewComplaintRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ErrorData | undefined;
  const { t } = useTranslation("complaint");
  const navigation = useNavigation();
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro", { days: data.slaDays })}</p>
      <ComplaintForm
        variant="public"
        categories={data.categories}
        villages={data.villages}
        submissionKey={data.submissionKey}
        values={result?.values ?? {}}
        errors={result?.errors ?? {}}
        formError={result?.formError ?? null}
        formKey={result?.formKey}
        kept={result?.kept}
        rejectedFiles={result?.rejectedFiles}
        submitting={navigation.state === "submitting"}
        submitLabel={t("submit")}
        submittingLabel={t("sending")}
        after={<ComplaintPrivacyNotice data={data} />}
      />
    </>
  );
}
