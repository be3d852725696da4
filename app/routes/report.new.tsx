/**
 * /report/new: the whistleblower's form (measure 28). Works without JavaScript and on a 360 px phone.
 *
 * - Two modes: anonymous (no identity fields are accepted: whatever is posted in them is dropped before anything
 *   else happens) and confidential (name and contact, encrypted with the report and shown only to integrity
 *   officers). Without JavaScript the identity fields are shown by CSS when "confidential" is checked.
 * - "Nothing typed is lost": a rejected form (422) comes back with every text field filled in, and every evidence
 *   file that passed its checks is kept so it need not be chosen again — encrypted with a fresh key that only the
 *   re-rendered form holds (hidden `keptEvidence` = "<id>.<key>", a "remove" checkbox `removeEvidence` = id); the
 *   server never keeps the key nor the file in the clear (app/models/report/pending-evidence.server.ts). A kept file
 *   that expired or whose key was altered is reported: the reporter chooses it again.
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
 *
 * What happens to a checked post is in app/models/report/submission.server.ts (fileReportPost).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { NoReportRecipients, ReportForm } from "~/components/report-form";
import { getDb } from "~/utils/db.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limits } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { countJunk, handlePublicPost, reservePosts, type PostOutcome, type PostState } from "~/utils/public-form.server";
import { fieldErrors } from "~/lib/validation";
import { MultipartError, parseMultipartUpload, type ParsedMultipart } from "~/models/complaints/attachments.server";
import { reportReceiptCookie } from "~/models/report/cookies.server";
import { recipientList } from "~/models/report/recipients.server";
import { fileReportPost, reportFieldMax, reportFormInput, reportFormSchema, reportFormValues } from "~/models/report/submission.server";
import { EMPTY_REPORT_REPLY, SUBMISSION_KEY_PATTERN, type ReportFormErrorData, type ReportFormReply } from "~/models/report/form-fields";
import { passThroughHeaders } from "~/utils/route-headers";
import type { PageHandle } from "~/components/root-data";

export const handle: PageHandle = { i18n: ["report"], hydrate: false, enhance: { script: "report-form", strings: ["common"] } };

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "แจ้งเบาะแส · Sujarit" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const recipients = await recipientList(getDb(), getLang(request));
  return json({
    officers: recipients.officers,
    alternate: recipients.alternate,
    submissionKey: randomToken(32),
    limits: reportFieldMax(),
  });
}

function errorResponse(status: number, data: Partial<ReportFormReply>, headers?: HeadersInit) {
  return json<ReportFormErrorData>({ status: "error", formKey: randomToken(6), ...EMPTY_REPORT_REPLY, ...data }, { status, headers });
}

/**
 * Limits per client (in memory only; clientKey() in client-address.server.ts, so behind a configured proxy each visitor
 * is their own client), through handlePublicPost (app/utils/public-form.server.ts):
 * - filings (limits.reportForm, 10 per 10 minutes) are reserved before the post is read, so parallel posts cannot slip
 *   past the limit, and given back when the post turns out not to be a filing: a broken post (bad CSRF token,
 *   honeypot, unreadable form), a form sent back for corrections (422) without files, a body refused by the parser, or
 *   a 503. Past the limit only this client gets 429 (with Retry-After and the form's own page), held back a moment.
 * - broken posts are counted on their own (limits.reportJunk): past a few, their answers are held back a moment
 *   (slowRefusal), so a flood of junk cannot cost the server much — and they never use up anyone's filings.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const client = clientOf(context);
  // A filing: a report stored (302), a form sent back with files kept for it (422 with files), or an error of ours.
  const isFiling = (o: PostOutcome) => o.status === 302 || (o.status === 422 && o.newFiles > 0) || (o.status >= 500 && o.status !== 503);
  return handlePublicPost<ParsedMultipart & { newFiles: number }>(
    request,
    {
      limits: [reservePosts(limits.reportForm(), client, isFiling), countJunk(limits.reportJunk(), client)],
      messages: { rateLimited: "report:errors.rateLimited", rejected: "report:errors.rejected" },
      emptyReply: () => ({ status: "error", formKey: randomToken(6), ...EMPTY_REPORT_REPLY }),
      slowRefusals: true,
      read: async (req) => {
        try {
          // Files over the limits are reported with the other errors of the same post, not instead of them.
          const parsed = await parseMultipartUpload(req, { fileField: "evidence", refuseFilesOneByOne: true });
          return { ...parsed, newFiles: parsed.files.length + parsed.refused.length };
        } catch (e) {
          if (!(e instanceof MultipartError)) throw e;
          return errorResponse(e.status, { hadFiles: true, values: reportFormValues(e.partial), formError: e.messageKey });
        }
      },
    },
    (form, post, parsed) => fileReport(form, parsed, post),
  );
}

async function fileReport(form: FormData, { files, refused }: ParsedMultipart, post: PostState): Promise<Response> {
  const submissionKey = form.get("submissionKey");
  if (typeof submissionKey !== "string" || !SUBMISSION_KEY_PATTERN.test(submissionKey)) {
    post.markJunk();
    return errorResponse(400, { values: reportFormValues(form), formError: "report:errors.malformedForm" });
  }

  const result = reportFormSchema.safeParse(reportFormInput(form));
  const outcome = await fileReportPost(getDb(), {
    lang: post.lang,
    form,
    files,
    refused,
    submissionKey,
    input: result.success ? result.data : null,
    fieldErrors: result.success ? {} : fieldErrors(result.error),
  });
  if (!outcome.filed) return errorResponse(outcome.status, outcome.reply, outcome.headers);
  return redirect("/report/receipt", { headers: { "Set-Cookie": reportReceiptCookie(outcome.receipt) } });
}

export default function NewReportRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ReportFormErrorData | undefined;
  const navigation = useNavigation();
  if (data.officers.length === 0 && !data.alternate) return <NoReportRecipients />;
  return (
    <ReportForm
      officers={data.officers}
      alternate={data.alternate}
      submissionKey={data.submissionKey}
      limits={data.limits}
      result={result}
      submitting={navigation.state === "submitting"}
    />
  );
}
