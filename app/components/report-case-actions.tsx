/**
 * The integrity officers' case page of one report, the parts that change it or say who did what: status changes
 * (only those the report's status allows), tags, history, who can read it (and giving a colleague access), the
 * report's own audit trail and the export.
 */
import { Form } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import { CaseActionError, type CaseActionReply, type CaseReport } from "~/components/report-case";
import { REPORT_FINDINGS, REPORT_REFERRALS, REPORT_TAGS, type ReportAction } from "~/lib/report-status";
import type { ReportCaseView } from "~/models/report/case-view.server";

interface Props {
  r: CaseReport;
  reply: CaseActionReply | undefined;
  messageMax: number;
}

export function CaseStatusActions({ actions, reply, messageMax }: Omit<Props, "r"> & { actions: readonly ReportAction[] }) {
  const { t } = useTranslation("integrity");
  const data = reply;
  if (actions.length === 0) return null;
  return (
    <section className="card no-print" aria-labelledby="status-title">
      <h2 id="status-title">{t("case.statusTitle")}</h2>
      <p className="hint">{t("case.statusHint")}</p>
      <div className="report-actions">
        {actions.map((a) => (
          <Form key={a} method="post" className="report-action" aria-labelledby={`act-${a}`}>
            <CsrfField />
            <input type="hidden" name="intent" value="status" />
            <input type="hidden" name="action" value={a} />
            <h3 id={`act-${a}`}>{t(`actions.${a}`)}</h3>
            <p className="hint">{t(`actionHints.${a}`)}</p>
            <CaseActionError reply={reply} intent={a} messageMax={messageMax} />
            {a === "conclude" ? (
              <fieldset>
                <legend>{t("case.finding")}</legend>
                {REPORT_FINDINGS.map((x) => (
                  <label key={x} className="choice">
                    <input type="radio" name="finding" value={x} required /> {t(`finding.${x}`)}
                  </label>
                ))}
              </fieldset>
            ) : null}
            {a === "refer" ? (
              <div className="field">
                <label htmlFor="f-referredTo">{t("case.referredTo")}</label>
                <select id="f-referredTo" name="referredTo" required defaultValue="">
                  <option value="" disabled>
                    {t("case.choose")}
                  </option>
                  {REPORT_REFERRALS.map((x) => (
                    <option key={x} value={x}>
                      {t(`referral.${x}`)}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            <div className="field">
              <label htmlFor={`f-note-${a}`}>{t("case.note")}</label>
              <span className="hint" id={`f-note-${a}-hint`}>
                {t("case.noteHint")}
              </span>
              <textarea
                id={`f-note-${a}`}
                name="note"
                rows={3}
                maxLength={messageMax}
                aria-describedby={`f-note-${a}-hint`}
                defaultValue={data?.intent === a ? (data.values?.note ?? "") : ""}
              />
            </div>
            <button type="submit" className="primary" data-testid={`action-${a}`}>
              {t(`actions.${a}`)}
            </button>
          </Form>
        ))}
      </div>
    </section>
  );
}

export function CaseTags({ r, reply, messageMax }: Props) {
  const { t } = useTranslation("integrity");
  return (
    <section className="card no-print" aria-labelledby="tags-title">
      <h2 id="tags-title">{t("case.tagsTitle")}</h2>
      <Form method="post">
        <CsrfField />
        <input type="hidden" name="intent" value="tags" />
        <CaseActionError reply={reply} intent="tags" messageMax={messageMax} />
        <fieldset>
          <legend className="visually-hidden">{t("case.tagsTitle")}</legend>
          {REPORT_TAGS.map((g) => (
            <label key={g} className="choice">
              <input type="checkbox" name="tags" value={g} defaultChecked={r.tags.includes(g)} /> {t(`tags.${g}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="secondary">
          {t("case.saveTags")}
        </button>
      </Form>
    </section>
  );
}

export function CaseHistory({ r }: { r: CaseReport }) {
  const { t } = useTranslation("integrity");
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("case.history")}</h2>
      <ol className="timeline" data-testid="history">
        <li>
          <strong>{t("case.historyReceived")}</strong>
          <time>{r.received}</time>
        </li>
        {r.events.map((e) => (
          <li key={e.id}>
            <strong>
              {t("case.historyStatus", {
                from: e.from ? t(`status.${e.from}`, { defaultValue: e.from }) : "–",
                to: t(`status.${e.to}`, { defaultValue: e.to }),
              })}
            </strong>
            {e.finding ? ` · ${t(`finding.${e.finding}`)}` : ""}
            {e.referredTo ? ` · ${t(`referral.${e.referredTo}`)}` : ""}
            <time>
              {e.at}
              {e.staffName ? ` · ${e.staffName}` : ""}
            </time>
            {e.note ? <p className="pre-wrap">{e.note}</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function CaseAccess({ r, reply, messageMax, colleagues }: Props & { colleagues: ReportCaseView["colleagues"] }) {
  const { t } = useTranslation("integrity");
  return (
    <section className="card" aria-labelledby="access-title" id="access">
      <h2 id="access-title">{t("case.accessTitle")}</h2>
      <p className="hint">{t("case.accessHint")}</p>
      <ul data-testid="holders">
        {r.holders.map((h) => (
          <li key={h.id}>
            {h.name}
            {h.alternate ? ` (${t("recipient.alternate")})` : ""} <span className="muted">— {t(`case.via.${h.via}`)}</span>
          </li>
        ))}
      </ul>
      {r.excluded.length > 0 ? (
        <>
          <h3>{t("case.excludedTitle")}</h3>
          <ul data-testid="excluded">
            {r.excluded.map((x) => (
              <li key={x.id}>
                {x.name} <span className="muted">— {t(`case.excludedWhy.${x.reason}`)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {colleagues.length > 0 ? (
        <Form method="post" className="no-print">
          <CsrfField />
          <input type="hidden" name="intent" value="grant" />
          <CaseActionError reply={reply} intent="grant" messageMax={messageMax} />
          <div className="field">
            <label htmlFor="f-grant">{t("case.grantLabel")}</label>
            <span className="hint" id="f-grant-hint">
              {t("case.grantHint")}
            </span>
            <select id="f-grant" name="staffId" required defaultValue="" aria-describedby="f-grant-hint">
              <option value="" disabled>
                {t("case.choose")}
              </option>
              {colleagues.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.position ? ` — ${c.position}` : ""}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="secondary" data-testid="grant">
            {t("case.grantSubmit")}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export function CaseTrailAndExport({ r }: { r: CaseReport }) {
  const { t } = useTranslation("integrity");
  return (
    <>
      <section className="card" aria-labelledby="trail-title">
        <h2 id="trail-title">{t("case.trailTitle")}</h2>
        <p className="hint">{t("case.trailHint")}</p>
        <ol className="timeline" data-testid="report-audit">
          {r.audit.map((a, i) => (
            <li key={`${a.id}-${i}`}>
              <strong>{t(`case.trail.${a.action.replace(/[.-]/g, "_")}`, { defaultValue: a.action })}</strong>
              <time>
                {a.at}
                {a.who ? ` · ${a.who}` : a.role === "reporter" ? ` · ${t("case.fromReporter")}` : ""}
              </time>
            </li>
          ))}
        </ol>
      </section>

      <section className="no-print">
        <Form method="post" action={`/staff/integrity/reports/${r.publicId}/export`} reloadDocument>
          <CsrfField />
          <button type="submit" className="secondary" data-testid="export">
            {t("case.export")}
          </button>{" "}
          <span className="hint">{t("case.exportHint")}</span>
        </Form>
      </section>
    </>
  );
}
