/**
 * /staff/integrity/reports/<publicId> — the case page of one corruption/misconduct report, for the officers who hold
 * its key (everyone else gets 404). Decrypted content, the reporter's identity only in confidential mode, files, the
 * conversation with the reporter, status changes with notes (finding / referral), tags, history, who can read it and
 * giving a colleague access, the report's own audit trail, and a JSON export. Every view, download, change, message,
 * grant and export is audited in the report's sealed trail (app/models/report/casework.server.ts). Nothing about a
 * report is written to the server log. Works without JavaScript (one form per action, POST → redirect → GET).
 * The export is a separate resource route (…/export, POST only) so that its file response is sent as is.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CaseConversation, CaseFacts, CaseFiles, type CaseActionReply } from "~/components/report-case";
import { CaseAccess, CaseHistory, CaseStatusActions, CaseTags, CaseTrailAndExport } from "~/components/report-case-actions";
import { addOfficerMessage, openHeldReport, setReportTags, transitionReport } from "~/models/report/casework.server";
import { grantReportAccess } from "~/models/report/access-grants.server";
import { reportCaseView } from "~/models/report/case-view.server";
import { REPORT_POSTED_TEXT_MAX, reportCaseActionSchema } from "~/models/report/case-intents.server";
import { isReportHidden, REPORT_LIMITS } from "~/models/report/shared.server";
import { getDb } from "~/utils/db.server";
import { domainErrorBody } from "~/utils/domain-reply.server";
import { isDomainError } from "~/lib/domain-error";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { reportNotFound, requireReportAccess } from "~/utils/report-access.server";

export const handle = { i18n: ["integrity"] };

export const meta: MetaFunction = () => [
  { title: "สุจริต · เรื่องร้องเรียนการทุจริต / Corruption report" },
  { name: "robots", content: "noindex, nofollow" },
];

const noStore = { "Cache-Control": "no-store" };

function checkRef(publicId: string | undefined): string {
  return publicId && /^R\d{4}-\d{4,8}$/.test(publicId) ? publicId : "(invalid)";
}

/** Whoever does not hold the report gets the same 404 as for a report that does not exist. */
function hiddenAsNotFound(e: unknown): never {
  if (isReportHidden(e)) reportNotFound();
  throw e;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const publicId = checkRef(params.publicId);
  const access = await requireReportAccess(request, publicId);
  const view = await reportCaseView(getDb(), access, publicId, getLang(request)).catch(hiddenAsNotFound);
  return json(view, { headers: noStore });
}

function reply(status: number, body: CaseActionReply) {
  return json<CaseActionReply>(body, { status, headers: noStore });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const publicId = checkRef(params.publicId);
  const access = await requireReportAccess(request, publicId);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const posted: Record<string, unknown> = {
    ...Object.fromEntries([...form.entries()].filter(([k, v]) => k !== "tags" && typeof v === "string")),
    tags: form.getAll("tags").filter((v): v is string => typeof v === "string"),
  };
  const intent = typeof posted.intent === "string" ? posted.intent : "";
  // Holding the report first: whoever does not hold it gets 404 whatever they send.
  await openHeldReport(db, access, publicId).catch(hiddenAsNotFound);
  const parsed = reportCaseActionSchema.safeParse(posted);
  if (!parsed.success) return reply(400, { intent, error: { key: "case.errors.badInput" } });
  const input = parsed.data;
  const tooLong = (values?: Record<string, string>) =>
    reply(422, { intent, error: { key: "case.errors.tooLong", params: { max: REPORT_LIMITS.message } }, values });
  // The form (and the typed text) a refusal is shown with.
  let shownWith: Omit<CaseActionReply, "error"> = { intent };
  try {
    switch (input.intent) {
      case "status":
        if (input.note.length > REPORT_POSTED_TEXT_MAX) return tooLong();
        shownWith = { intent: input.action, values: { note: input.note } };
        await transitionReport(db, access, publicId, input.action, {
          note: input.note,
          finding: input.finding || null,
          referredTo: input.referredTo || null,
        });
        return redirect(`/staff/integrity/reports/${publicId}?done=${input.action}`);
      case "message":
        if (input.message.length > REPORT_POSTED_TEXT_MAX) return tooLong();
        shownWith = { intent, values: { message: input.message } };
        await addOfficerMessage(db, access, publicId, input.message);
        return redirect(`/staff/integrity/reports/${publicId}?done=message#conversation`);
      case "grant":
        await grantReportAccess(db, access, publicId, input.staffId);
        return redirect(`/staff/integrity/reports/${publicId}?done=grant#access`);
      case "tags":
        await setReportTags(db, access, publicId, input.tags);
        return redirect(`/staff/integrity/reports/${publicId}?done=tags`);
    }
  } catch (e) {
    if (isReportHidden(e) || !isDomainError(e)) hiddenAsNotFound(e);
    return reply(e.status, { ...shownWith, error: domainErrorBody(e) });
  }
}

export default function ReportCase() {
  const { r, actions, colleagues, messageMax } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as CaseActionReply | undefined;
  const [params] = useSearchParams();
  const { t } = useTranslation("integrity");
  const done = params.get("done");
  const shared = { r, reply: data, messageMax };
  return (
    <article className="report-case" aria-labelledby="report-title">
      <p className="no-print">
        <Link to="/staff/integrity">← {t("queue.title")}</Link>
      </p>
      <h1 id="report-title">
        {t("case.title", { id: r.publicId })}{" "}
        <span className="badge" data-testid="report-status" data-status={r.status}>
          {t(`status.${r.status}`)}
        </span>
      </h1>
      {done ? (
        <p className="notice success" role="status" data-testid="done">
          {t("case.done", { what: t(`case.doneWhat.${done}`, { defaultValue: "" }) })}
        </p>
      ) : null}
      <CaseFacts r={r} />
      <CaseFiles r={r} />
      <CaseConversation {...shared} />
      <CaseStatusActions actions={actions} reply={data} messageMax={messageMax} />
      <CaseTags {...shared} />
      <CaseHistory r={r} />
      <CaseAccess {...shared} colleagues={colleagues} />
      <CaseTrailAndExport r={r} />
    </article>
  );
}
