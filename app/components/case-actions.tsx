/**
 * The action panel of the officer's case page: one panel with only what the case's status and the officer's role
 * allow (planActionPanel in app/lib/case-action-panel.ts decides), the usual next steps open — the first one drawn as
 * the prominent button — and everything else behind an "other actions" disclosure. Each action is its own form that
 * posts its `intent` as a hidden field, with a submit button that says what it does.
 */
import { Form } from "@remix-run/react";
import { BuddhistDatePicker } from "~/components/date-picker";
import { CsrfField } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { PLAN_TOPIC_CODES } from "~/lib/complaint-list-filter";
import type { PanelAction } from "~/lib/case-action-panel";
import type { CaseWorkAction, CaseWorkspace } from "~/models/complaints/workspace.server";

export interface CaseActionPanelProps {
  panel: CaseWorkspace["panel"];
  /** The action whose form came back with an error: its disclosure stays open. */
  failedIntent?: string;
  /** The case's current division (marked in the division list) and whether the citizen gave an e-mail address. */
  divisionId: number | null;
  hasEmail: boolean;
  canChangeDivision: boolean;
  divisions: readonly { id: number; name: string }[];
  people: readonly { id: number; name: string; divisionId: number | null }[];
  /** Pre-filled letters (null when that letter is not offered now). */
  explanation: { body: string; expectedDefault: string; minDate: string } | null;
  progress: { body: string } | null;
  defaultMethod: string;
}

export function CaseActionPanel(props: CaseActionPanelProps) {
  const { t } = useTranslation("staff");
  const { main, other } = props.panel;
  if (main.length === 0 && other.length === 0) return <p className="muted">{t("case.readOnly")}</p>;
  return (
    <section aria-labelledby="act-title" className="action-panel no-print" data-testid="action-panel">
      <h2 id="act-title">{t("panel.title")}</h2>
      {main.length > 0 ? (
        <div className="panel-main" data-testid="panel-main">
          {main.map((action, i) => (
            <ActionForm key={action} action={action} lead={i === 0} {...props} />
          ))}
        </div>
      ) : (
        <p className="muted">{t("panel.noNextStep")}</p>
      )}
      {other.length > 0 ? (
        <details
          className="other-actions"
          data-testid="other-actions"
          open={other.some((a) => a === props.failedIntent) || main.length === 0}
        >
          <summary>{t("panel.otherActions", { count: other.length })}</summary>
          <div className="actions-grid">
            {other.map((action) => (
              <ActionForm key={action} action={action} lead={false} {...props} />
            ))}
          </div>
        </details>
      ) : null}
    </section>
  );
}

/** One action's form: its title, what it changes for the citizen, its fields and a button that says what it does. */
function ActionForm({ action, lead, ...props }: CaseActionPanelProps & { action: PanelAction; lead: boolean }) {
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  const tt = useTranslation("track").t;
  const title =
    action === "explanation" ? tn("case.explanationTitle") : action === "progress" ? tn("case.progressTitle") : t(`actions.${action}`);
  const becomes = action === "explanation" || action === "progress" ? null : props.panel.becomes[action];
  const titleId = `act-${action}-title`;
  return (
    <Form method="post" className={lead ? "card action lead" : "card action"} data-testid={`form-${action}`} aria-labelledby={titleId}>
      <CsrfField />
      <input type="hidden" name="intent" value={action} />
      {lead ? <p className="next-step">{t("panel.nextStep")}</p> : null}
      <h3 id={titleId}>{title}</h3>
      {becomes ? <p className="hint">{t("panel.becomes", { status: tt(`status.${becomes}`) })}</p> : null}
      {action === "explanation" || action === "progress" ? (
        <NoticeFields kind={action} {...props} />
      ) : (
        <ActionFields action={action} {...props} />
      )}
      <button type="submit" className={lead ? "primary" : "button secondary"}>
        {t(`panel.submit.${action}`)}
      </button>
    </Form>
  );
}

/** The fields each action asks for. */
function ActionFields({ action, ...props }: CaseActionPanelProps & { action: CaseWorkAction }) {
  const { t } = useTranslation("staff");
  switch (action) {
    case "accept":
      return <p className="hint">{t("case.acceptHint")}</p>;
    case "assign":
      return <AssignFields {...props} />;
    case "resolve":
      return <NoteField id="f-result" name="resultSummary" label={t("case.resultSummary")} hint={t("case.resultHint")} required />;
    case "forward":
      return (
        <>
          <div className="field">
            <label htmlFor="f-forwarded">
              {t("case.forwardedTo")}
              <span aria-hidden="true"> *</span>
            </label>
            <input id="f-forwarded" type="text" name="forwardedTo" maxLength={300} required />
          </div>
          <NoteField id="f-forward-note" label={t("case.forwardNote")} hint={t("case.publicHint")} />
        </>
      );
    case "reply":
      return (
        <NoteField
          id="f-reply"
          label={t("case.replyText")}
          hint={props.hasEmail ? t("case.replyHintEmail") : t("case.replyHint")}
          required
        />
      );
    case "note":
      return <NoteField id="f-note" label={t("case.noteText")} hint={t("case.noteHint")} required />;
    default:
      // start, request_info, info_received, reopen: a note the citizen sees on /track (required when asking for information).
      return (
        <NoteField
          id={`f-${action}-note`}
          label={t("case.statusNote")}
          hint={t("case.statusNoteHint")}
          required={action === "request_info"}
        />
      );
  }
}

function AssignFields({ divisionId, canChangeDivision, divisions, people }: CaseActionPanelProps) {
  const { t } = useTranslation("staff");
  const person = (p: { id: number; name: string }) => (
    <option key={p.id} value={p.id}>
      {p.name}
    </option>
  );
  return (
    <>
      {canChangeDivision ? (
        <div className="field">
          <label htmlFor="f-division">{t("queue.division")}</label>
          <select id="f-division" name="divisionId" defaultValue="">
            <option value="">{t("case.keepDivision")}</option>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.id === divisionId ? ` (${t("case.current")})` : ""}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="f-assignee">{t("queue.assignee")}</label>
        <select id="f-assignee" name="assigneeId" defaultValue="">
          <option value="">{t("case.keepAssignee")}</option>
          <option value="none">{t("case.unassign")}</option>
          {divisions.length > 0
            ? divisions.map((d) => {
                const members = people.filter((p) => p.divisionId === d.id);
                return members.length ? (
                  <optgroup key={d.id} label={d.name}>
                    {members.map(person)}
                  </optgroup>
                ) : null;
              })
            : people.map(person)}
        </select>
      </div>
      <NoteField id="f-assign-note" label={t("case.internalNoteOptional")} />
    </>
  );
}

function NoteField({
  id,
  label,
  required,
  hint,
  name = "note",
}: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  name?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <textarea id={id} name={name} maxLength={5000} required={required} aria-describedby={hint ? `${id}-hint` : undefined} />
    </div>
  );
}

/** The fields of a written notice: the pre-filled text, the expected date (explanations) and how it is sent. */
function NoticeFields({
  kind,
  explanation,
  progress,
  defaultMethod,
  hasEmail,
  panel,
}: CaseActionPanelProps & { kind: "explanation" | "progress" }) {
  const { t } = useTranslation("staff");
  const tn = useTranslation("notice").t;
  if (kind === "progress") {
    return (
      <>
        <div className="field">
          <label htmlFor="f-prog-text">{tn("case.text")}</label>
          <textarea id="f-prog-text" name="text" rows={6} maxLength={5000} required defaultValue={progress?.body ?? ""} />
        </div>
        <MethodField id="f-prog-method" defaultMethod={defaultMethod} hasEmail={hasEmail} />
      </>
    );
  }
  const firstYear = Number((explanation?.minDate ?? "").slice(0, 4)) || new Date().getUTCFullYear();
  return (
    <>
      {panel.explanation === "due" ? <p className="hint">{t("panel.explanationDue")}</p> : null}
      <div className="field">
        <label htmlFor="f-expl-text">{tn("case.text")}</label>
        <span className="hint" id="f-expl-text-hint">
          {tn("case.explanationHint", { expectedDate: "{{expectedDate}}" })}
        </span>
        <textarea
          id="f-expl-text"
          name="text"
          rows={8}
          maxLength={5000}
          required
          defaultValue={explanation?.body ?? ""}
          aria-describedby="f-expl-text-hint"
        />
      </div>
      <BuddhistDatePicker
        id="f-expl-date"
        name="expectedAt"
        label={tn("case.expectedAt")}
        required
        defaultValue={explanation?.expectedDefault}
        fromYear={firstYear}
        toYear={firstYear + 2}
      />
      <MethodField id="f-expl-method" defaultMethod={defaultMethod} hasEmail={hasEmail} />
    </>
  );
}

function MethodField({ id, defaultMethod, hasEmail }: { id: string; defaultMethod: string; hasEmail: boolean }) {
  const tn = useTranslation("notice").t;
  return (
    <div className="field">
      <label htmlFor={id}>{tn("case.method")}</label>
      <select id={id} name="method" defaultValue={defaultMethod}>
        {hasEmail ? <option value="email">{tn("methods.email")}</option> : null}
        <option value="letter">{tn("methods.letter")}</option>
        {hasEmail ? null : <option value="track">{tn("methods.track")}</option>}
      </select>
    </div>
  );
}

/** Plan topics at triage: checkboxes for those who handle the case, a read-only list for everyone else. */
export function TopicsSection({ topics, canEdit }: { topics: string[]; canEdit: boolean }) {
  const { t } = useTranslation("caselist");
  if (!canEdit) {
    return (
      <section className="card" aria-labelledby="topics-title" data-testid="topics-readonly">
        <h2 id="topics-title">{t("topicsForm.title")}</h2>
        {topics.length ? (
          <ul>
            {topics.map((x) => (
              <li key={x}>{t(`topics.${x}.name`)}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("topicsForm.none")}</p>
        )}
      </section>
    );
  }
  return (
    <Form method="post" className="card no-print" data-testid="form-topics" aria-labelledby="topics-title">
      <CsrfField />
      <input type="hidden" name="intent" value="topics" />
      <h2 id="topics-title">{t("topicsForm.title")}</h2>
      <p className="hint" id="topics-intro">
        {t("topicsForm.intro")}
      </p>
      <fieldset aria-describedby="topics-intro">
        <legend>{t("topicsForm.legend")}</legend>
        {PLAN_TOPIC_CODES.map((x) => (
          <div className="choice" key={x}>
            <input
              type="checkbox"
              id={`f-topic-${x}`}
              name="topics"
              value={x}
              defaultChecked={topics.includes(x)}
              aria-describedby={`f-topic-${x}-hint`}
            />
            <label htmlFor={`f-topic-${x}`}>
              {t(`topics.${x}.name`)}
              <span className="hint" id={`f-topic-${x}-hint`}>
                {" "}
                — {t(`topics.${x}.hint`)}
              </span>
            </label>
          </div>
        ))}
      </fieldset>
      <button type="submit" className="button secondary">
        {t("topicsForm.save")}
      </button>
    </Form>
  );
}
