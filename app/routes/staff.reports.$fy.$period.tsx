/**
 * /staff/reports/<fy>/<h1|year> — write the report's narrative (four sections, Thai required before sending, English
 * optional), save it as a draft, send it for approval; supervisors and admins approve and publish it (freezing the
 * figures) once its period has ended (before that the page says from which day) or withdraw it back to draft. Every loader and action checks the role; every form carries the CSRF token
 * and the version it was built from.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { NARRATIVE_FIELDS, SECTIONS, SECTION_MAX } from "~/lib/fiscal-report-text";
import { CsrfField, ErrorSummary, Field } from "~/components/form";
import { formatThaiDate, formatThaiDateKey, type Lang } from "~/lib/thai-date";
import {
  StatReportError,
  approvableFrom,
  approveReport,
  canApproveStatReports,
  canEditStatReports,
  canViewStatReports,
  getStatReport,
  isPeriodOver,
  isStatReportPeriod,
  narrativeOf,
  reportPeriodEnd,
  saveDraft,
  submitReport,
  validateNarrative,
  withdrawReport,
  type Narrative,
  type NarrativeField,
  type StatReportPeriod,
} from "~/models/statistics/fiscal-reports.server";
import { currentFiscalYear, isReasonableFiscalYear } from "~/models/statistics/figures.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = tFor(data?.lang ?? "th", "statreport");
  return [
    { title: data ? t("staff.editorMetaTitle", { period: t(`periods.${data.period}`), fy: data.fy }) : t("staff.metaTitle") },
    { name: "robots", content: "noindex, nofollow" },
  ];
};

function parseParams(params: { fy?: string; period?: string }): { fy: number; period: StatReportPeriod } {
  const fy = /^\d{4}$/.test(params.fy ?? "") ? Number(params.fy) : NaN;
  // No reports for a fiscal year that has not started.
  if (!isReasonableFiscalYear(fy) || fy > currentFiscalYear() || !isStatReportPeriod(params.period)) {
    throw json({ messageKey: "statreport:errors.notFound" }, { status: 404 });
  }
  return { fy, period: params.period };
}

async function requireViewer(request: Request) {
  const staff = await requireStaff(request);
  if (!canViewStatReports(staff)) throw json({ messageKey: "statreport:errors.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireViewer(request);
  const { fy, period } = parseParams(params);
  const lang = getLang(request);
  const r = await getStatReport(getDb(), fy, period);
  const date = (iso: string | null | undefined) => (iso ? formatThaiDate(new Date(iso), lang, { withTime: true }) : null);
  return json({
    lang,
    fy,
    period,
    status: r?.status ?? ("none" as const),
    version: r?.updated_at ?? "",
    narrative: narrativeOf(r),
    canEdit: canEditStatReports(staff),
    canApprove: canApproveStatReports(staff),
    updatedAt: date(r?.updated_at),
    submittedAt: date(r?.submitted_at),
    approvedAt: date(r?.approved_at),
    // Before the period has ended the report cannot be approved: when it can (null once it can).
    approvable: isPeriodOver(fy, period)
      ? null
      : { end: formatThaiDateKey(reportPeriodEnd(fy, period), lang), from: formatThaiDateKey(approvableFrom(fy, period), lang) },
  });
}

type ActionData = {
  errors: Partial<Record<NarrativeField, string>>;
  formError?: string;
  formErrorValues?: Record<string, string>;
  values?: Narrative;
};

/** The dates of an error message, formatted in the page's language. */
function formatDates(dates: Record<string, string>, lang: Lang): Record<string, string> | undefined {
  const entries = Object.entries(dates);
  return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, formatThaiDateKey(v, lang)])) : undefined;
}

const INTENTS = ["save", "submit", "approve", "withdraw"] as const;
type Intent = (typeof INTENTS)[number];

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireViewer(request);
  const { fy, period } = parseParams(params);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const intentRaw = form.get("intent");
  const intent = (INTENTS as readonly unknown[]).includes(intentRaw) ? (intentRaw as Intent) : null;
  if (!intent) return json<ActionData>({ errors: {}, formError: "statreport:errors.unknownIntent" }, { status: 400 });
  const allowed = intent === "save" || intent === "submit" ? canEditStatReports(staff) : canApproveStatReports(staff);
  if (!allowed) throw json({ messageKey: "statreport:errors.forbidden" }, { status: 403 });
  const versionRaw = form.get("version");
  const version = typeof versionRaw === "string" ? versionRaw : null;
  const values = Object.fromEntries(
    NARRATIVE_FIELDS.map((f) => [f, typeof form.get(f) === "string" ? String(form.get(f)) : ""]),
  ) as Narrative;
  const db = getDb();
  const actor = { id: staff.id, role: staff.role };
  try {
    if (intent === "save" || intent === "submit") {
      const v = validateNarrative(values, { complete: intent === "submit" });
      if (!v.ok) return json<ActionData>({ errors: v.errors, values }, { status: 422 });
      if (intent === "save") await saveDraft(db, actor, fy, period, v.data, version);
      else await submitReport(db, actor, fy, period, v.data, version);
    } else if (intent === "approve") {
      await approveReport(db, actor, fy, period, version);
    } else {
      await withdrawReport(db, actor, fy, period, version);
    }
  } catch (e) {
    if (e instanceof StatReportError) {
      if (e.status === 403) throw json({ messageKey: e.messageKey }, { status: 403 });
      const keep = intent === "save" || intent === "submit" ? values : undefined;
      const formErrorValues = formatDates(e.dates, getLang(request));
      return json<ActionData>(
        { errors: e.fieldErrors, formError: e.messageKey, ...(formErrorValues ? { formErrorValues } : {}), values: keep },
        { status: e.status },
      );
    }
    throw e;
  }
  log.info("stat report changed", { staffId: staff.id, fy, period, intent });
  const done = { save: "saved", submit: "submitted", approve: "approved", withdraw: "withdrawn" }[intent];
  return redirect(`/staff/reports/${fy}/${period}?done=${done}`);
}

export default function StatReportEditor() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("statreport");
  const values: Narrative = result?.values ?? d.narrative;
  const errors = result?.errors ?? {};
  const editable = d.canEdit && d.status !== "published";
  const labels = Object.fromEntries(
    SECTIONS.flatMap((s) => [
      [`${s}_th`, `${t(`sections.${s}`)} (${t("staff.thai")})`],
      [`${s}_en`, `${t(`sections.${s}`)} (${t("staff.english")})`],
    ]),
  );
  const limits = Object.fromEntries(NARRATIVE_FIELDS.map((f) => [f, SECTION_MAX]));
  const publicPath = d.period === "h1" ? `/stats/report/${d.fy}/h1` : `/stats/report/${d.fy}`;
  const done = search.get("done");
  return (
    <>
      <p className="no-print">
        <Link to="/staff/reports">← {t("staff.back")}</Link>
      </p>
      <h1>{t("staff.editorTitle", { period: t(`periods.${d.period}`), fy: d.fy })}</h1>
      <p>
        {t("staff.status")}:{" "}
        <span className="badge" data-testid="report-status">
          {t(`status.${d.status}`)}
        </span>
      </p>
      <ul className="hint">
        {d.updatedAt ? <li>{t("staff.updatedBy", { date: d.updatedAt })}</li> : null}
        {d.submittedAt ? <li>{t("staff.submittedAt", { date: d.submittedAt })}</li> : null}
        {d.approvedAt ? <li>{t("staff.approvedAt", { date: d.approvedAt })}</li> : null}
      </ul>
      {!result && done && ["saved", "submitted", "approved", "withdrawn"].includes(done) ? (
        <p className="success" role="status" data-testid="done">
          {t(`staff.done.${done}`)}
        </p>
      ) : null}
      {result ? (
        <ErrorSummary
          errors={errors}
          labels={labels}
          formError={result.formError ?? null}
          formErrorValues={result.formErrorValues}
          limits={limits}
        />
      ) : null}
      {d.status !== "none" ? (
        <p>
          <Link to={publicPath}>{d.status === "published" ? t("staff.publicLink") : t("staff.preview")}</Link>
        </p>
      ) : null}
      {!d.canEdit ? <p className="notice">{t("staff.readOnly")}</p> : null}
      {d.canEdit && d.status === "published" ? <p className="notice">{t("staff.publishedLocked")}</p> : null}
      {editable && d.status === "submitted" ? <p className="notice">{t("staff.submittedNote")}</p> : null}
      {d.approvable && d.status !== "published" ? (
        <p className="notice" data-testid="approvable-from">
          {t("staff.approvableFrom", d.approvable)}
        </p>
      ) : null}

      {editable ? (
        <Form method="post" className="card" data-testid="report-form" noValidate>
          <CsrfField />
          <input type="hidden" name="version" value={d.version} />
          <p className="hint">{t("staff.thaiRequiredHint")}</p>
          {SECTIONS.map((s) => (
            <fieldset key={s}>
              <legend>{t(`sections.${s}`)}</legend>
              <p className="hint">{t(`sectionHints.${s}`)}</p>
              {(["th", "en"] as const).map((l) => {
                const name = `${s}_${l}` as NarrativeField;
                return (
                  <Field
                    key={name}
                    name={name}
                    label={l === "th" ? t("staff.thai") : t("staff.english")}
                    hint={t("staff.maxHint", { max: SECTION_MAX.toLocaleString("en-US") })}
                    error={errors[name]}
                    max={SECTION_MAX}
                    required={l === "th"}
                  >
                    {(p) => <textarea {...p} required={undefined} rows={6} lang={l} maxLength={SECTION_MAX} defaultValue={values[name]} />}
                  </Field>
                );
              })}
            </fieldset>
          ))}
          <p className="actions-row">
            <button type="submit" name="intent" value="save" className="button secondary">
              {t("staff.save")}
            </button>
            <button type="submit" name="intent" value="submit" className="primary">
              {t("staff.submit")}
            </button>
          </p>
        </Form>
      ) : (
        <section className="card" data-testid="report-readonly">
          {SECTIONS.map((s) => (
            <div key={s}>
              <h2>{t(`sections.${s}`)}</h2>
              <p className="pre-line" lang="th">
                {values[`${s}_th`] || "–"}
              </p>
              {values[`${s}_en`] ? (
                <p className="pre-line" lang="en">
                  {values[`${s}_en`]}
                </p>
              ) : null}
            </div>
          ))}
        </section>
      )}

      {d.canApprove && d.status !== "none" ? (
        <section className="card" aria-labelledby="approval-title" data-testid="approval">
          <h2 id="approval-title">{d.status === "published" ? t("staff.withdraw") : t("staff.approve")}</h2>
          <Form method="post">
            <CsrfField />
            <input type="hidden" name="version" value={d.version} />
            {d.status === "published" ? (
              <>
                <p className="hint">{t("staff.withdrawHint")}</p>
                <button type="submit" name="intent" value="withdraw" className="button secondary">
                  {t("staff.withdraw")}
                </button>
              </>
            ) : (
              <>
                {/* Before the period has ended: no approve button, but the day from which it can be approved. */}
                {d.approvable ? (
                  <p className="hint" data-testid="approve-from">
                    {t("staff.listApprovableFrom", { from: d.approvable.from })}
                  </p>
                ) : (
                  <p className="hint">{t("staff.approveHint")}</p>
                )}
                {!d.approvable || d.status === "submitted" ? (
                  <p className="actions-row">
                    {d.approvable ? null : (
                      <button type="submit" name="intent" value="approve" className="primary">
                        {t("staff.approve")}
                      </button>
                    )}
                    {d.status === "submitted" ? (
                      <button type="submit" name="intent" value="withdraw" className="button secondary">
                        {t("staff.returnToDraft")}
                      </button>
                    ) : null}
                  </p>
                ) : null}
              </>
            )}
          </Form>
        </section>
      ) : null}
    </>
  );
}
