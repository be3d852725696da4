/**
 * The actions on the officer's case page: one form per action the case's status and the officer's role allow
 * (the list comes from availableActions in app/models/complaints/workspace.server.ts), the usual next step first.
 * Every form posts its `intent` as a hidden field, so each can be found and submitted on its own.
 */
import { Form } from "@remix-run/react";
import { CsrfField } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { PLAN_TOPIC_CODES } from "~/lib/complaint-list-filter";
import type { CaseWorkAction } from "~/models/complaints/workspace.server";

export interface CaseActionPanelProps {
  actions: readonly CaseWorkAction[];
  /** The case's current division (marked in the division list) and whether the citizen gave an e-mail address. */
  divisionId: number | null;
  hasEmail: boolean;
  canChangeDivision: boolean;
  divisions: readonly { id: number; name: string }[];
  people: readonly { id: number; name: string; divisionId: number | null }[];
}

export function CaseActionPanel(props: CaseActionPanelProps) {
  const { t } = useTranslation("staff");
  if (props.actions.length === 0) return <p className="muted">{t("case.readOnly")}</p>;
  return (
    <section aria-labelledby="act-title" className="no-print">
      <h2 id="act-title">{t("case.actionsTitle")}</h2>
      <div className="actions-grid">
        {props.actions.map((action, i) => (
          <ActionCard key={action} action={action} usualNext={i === 0} {...props} />
        ))}
      </div>
    </section>
  );
}

function ActionCard({ action, usualNext, ...props }: CaseActionPanelProps & { action: CaseWorkAction; usualNext: boolean }) {
  const { t } = useTranslation("staff");
  const label = t(`actions.${action}`);
  const submitLabel =
    action === "assign" ? t("case.save") : action === "reply" ? t("case.sendReply") : action === "note" ? t("case.addNote") : label;
  return (
    <Form method="post" className="card" data-testid={`form-${action}`}>
      <CsrfField />
      <input type="hidden" name="intent" value={action} />
      <h3>{label}</h3>
      <ActionFields action={action} {...props} />
      <button type="submit" className={usualNext || action === "resolve" ? "primary" : "button secondary"}>
        {submitLabel}
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

export interface NoticeFormsProps {
  /** Pre-filled texts (null when the officer may not send that notice now). */
  explanation: { body: string; expectedDefault: string; minDate: string } | null;
  progress: { body: string } | null;
  defaultMethod: string;
  hasEmail: boolean;
}

/** The written notices an officer sends while the case is open: an explanation of a delay and a progress report. */
export function NoticeForms({ explanation, progress, defaultMethod, hasEmail }: NoticeFormsProps) {
  const tn = useTranslation("notice").t;
  if (!explanation && !progress) return null;
  return (
    <div className="actions-grid no-print">
      {explanation ? (
        <Form method="post" className="card" data-testid="form-explanation">
          <CsrfField />
          <input type="hidden" name="intent" value="explanation" />
          <h3>{tn("case.explanationTitle")}</h3>
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
              defaultValue={explanation.body}
              aria-describedby="f-expl-text-hint"
            />
          </div>
          <div className="field">
            <label htmlFor="f-expl-date">{tn("case.expectedAt")}</label>
            <input
              id="f-expl-date"
              type="date"
              name="expectedAt"
              required
              min={explanation.minDate}
              defaultValue={explanation.expectedDefault}
            />
          </div>
          <MethodField id="f-expl-method" defaultMethod={defaultMethod} hasEmail={hasEmail} />
          <button type="submit" className="primary">
            {tn("case.sendExplanation")}
          </button>
        </Form>
      ) : null}
      {progress ? (
        <Form method="post" className="card" data-testid="form-progress">
          <CsrfField />
          <input type="hidden" name="intent" value="progress" />
          <h3>{tn("case.progressTitle")}</h3>
          <div className="field">
            <label htmlFor="f-prog-text">{tn("case.text")}</label>
            <textarea id="f-prog-text" name="text" rows={6} maxLength={5000} required defaultValue={progress.body} />
          </div>
          <MethodField id="f-prog-method" defaultMethod={defaultMethod} hasEmail={hasEmail} />
          <button type="submit" className="button secondary">
            {tn("case.sendProgress")}
          </button>
        </Form>
      ) : null}
    </div>
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
