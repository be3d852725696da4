/**
 * The officer's case page. The loader reads the whole page from caseWorkspace; the action parses one intent (one
 * schema each) and calls the one domain function that carries it out. Permissions, state rules and refusals live in
 * the domain functions; a refusal comes back as a DomainError and is shown in the error summary.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CaseActionPanel, TopicsSection } from "~/components/case-actions";
import { CaseAttachments, CaseContact, CaseFacts, CaseHistory, CaseRatingSection, NoticeList } from "~/components/case-page";
import { parseCaseReference } from "~/lib/complaint-reference";
import { DomainError } from "~/lib/domain-error";
import { isCaseIntent, runCaseIntent } from "~/models/complaints/case-intents.server";
import { caseWorkspace, findCaseFor } from "~/models/complaints/workspace.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { domainErrorReply, type DomainErrorBody } from "~/utils/domain-reply.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";
import { requireStaff, requireStaffState } from "~/utils/session.server";
import { isFollowedOnLine } from "~/models/line/follows.server";
import { LineFollowedNote } from "~/components/line-follow";

export const handle = { i18n: ["staff", "notice", "caselist", "deadline", "satisfaction", "track", "line", "map"] };

function referenceOf(param: string | undefined): string {
  const ref = parseCaseReference(param ?? "");
  if (!ref) throw DomainError.notFound("caseErrors.notFound");
  return ref.reference;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { staff, directoryVersion } = await requireStaffState(request);
  try {
    const view = await caseWorkspace(getDb(), staff, referenceOf(params.reference), getLang(request), now(), { directoryVersion });
    return json({ ...view, followedOnLine: await isFollowedOnLine(getDb(), view.c.id) });
  } catch (e) {
    throw domainErrorReply(e);
  }
}

function fieldsOf(form: FormData): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of form) if (typeof v === "string" && k !== "topics") fields[k] = v;
  fields.topics = form.getAll("topics").map((v) => (typeof v === "string" ? v : ""));
  return fields;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requireStaff(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const fields = fieldsOf(form);
  const intent = typeof fields.intent === "string" ? fields.intent : undefined;
  try {
    const c = await findCaseFor(db, actor, referenceOf(params.reference)); // 404 for cases the actor may not see
    const done = await runCaseIntent({ db, actor, complaintId: c.id }, fields);
    log.info("case updated", { complaintId: c.id, intent: done, staffId: actor.id });
    return redirect(`/staff/cases/${c.reference}?done=${done}`);
  } catch (e) {
    return domainErrorReply(e, intent && isCaseIntent(intent) ? { intent } : {});
  }
}

// ---- Page -----------------------------------------------------------------------------------------------------------

type ActionData = { intent?: string; error?: DomainErrorBody };

function ActionResult({ result, done }: { result: ActionData | undefined; done: string | null }) {
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  const tl = useTranslation("caselist").t;
  if (result?.error) {
    const { key, params, ns } = result.error;
    const from = typeof params.from === "string" ? t(`status.${params.from}`) : "";
    return (
      <div className="error-summary" role="alert" tabIndex={-1} data-testid="action-error">
        <p>{t(ns ? `${ns}:${key}` : key, { ...params, from })}</p>
      </div>
    );
  }
  if (!done || result) return null;
  return (
    <p className="success" role="status" data-testid="action-done">
      {done === "explanation" || done === "progress"
        ? tn(`kinds.${done}`)
        : done === "topics"
          ? tl("topicsForm.saved")
          : t("case.done", { action: t(`actions.${done}`) })}
    </p>
  );
}

export default function StaffCase() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  const { c } = data;
  return (
    <>
      <p className="no-print">
        <Link to="/staff">← {t("case.backToQueue")}</Link>
      </p>
      <h1>
        <span data-testid="case-reference">{c.reference}</span> · {c.subject}
      </h1>
      <ActionResult result={result} done={search.get("done")} />
      {c.explanationOwed ? (
        <p className="warning" role="alert" data-testid="explanation-owed">
          {tn("case.explanationOwed")}
        </p>
      ) : c.explainedAt ? (
        <p className="notice" data-testid="explained">
          {tn("case.explainedAt", { date: c.explainedAt, expected: c.expectedAt })}
        </p>
      ) : null}
      <div className="case-lead">
        <CaseFacts c={c} />
        <CaseActionPanel
          panel={data.panel}
          failedIntent={result?.error ? result.intent : undefined}
          divisionId={c.divisionId}
          hasEmail={Boolean(c.contactEmail)}
          canChangeDivision={data.canChangeDivision}
          divisions={data.divisions}
          people={data.people}
          explanation={data.explanation}
          progress={data.progress}
          defaultMethod={data.defaultMethod}
        />
      </div>
      <CaseContact c={c} />
      {data.followedOnLine ? <LineFollowedNote /> : null}
      <CaseAttachments reference={c.reference} attachments={data.attachments} />
      {data.rating ? <CaseRatingSection rating={data.rating} /> : null}
      <TopicsSection topics={data.topics} canEdit={data.canSetTopics} />
      <section aria-labelledby="notices-title">
        <h2 id="notices-title">{tn("case.noticesTitle")}</h2>
        <NoticeList reference={c.reference} notices={data.notices} />
      </section>
      <CaseHistory events={data.events} />
    </>
  );
}
