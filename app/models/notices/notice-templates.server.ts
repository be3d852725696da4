/**
 * Notice templates: the kinds of notice, the fixed set of placeholders (checked before a template is saved), and the
 * editable texts (notice_templates; defaults in app/locales/<lang>/notice.json "templates"). Split out of
 * notices.server.ts, which re-exports these names.
 */
import type { NoticeKind } from "../../../db/schema";
import type { Executor } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import { canAdminister, type Actor } from "~/lib/permissions";
import { resources, type Lang } from "~/i18n";
import { cleanText } from "~/lib/validation";
import { now } from "~/utils/clock.server";

export const NOTICE_KINDS = ["acknowledgement", "progress", "explanation", "result"] as const satisfies readonly NoticeKind[];
export const PLACEHOLDERS = ["reference", "receivedDate", "dueDate", "expectedDate", "orgName", "status", "result", "trackUrl"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export const NOTICE_TEXT_MAX = 5000;
export const NOTICE_SUBJECT_MAX = 200;

export function isNoticeKind(x: unknown): x is NoticeKind {
  return typeof x === "string" && (NOTICE_KINDS as readonly string[]).includes(x);
}

/** Refusals of this module carry i18n keys of the "notice" namespace. */
const NS = "notice";

export interface PlaceholderProblem {
  token: string;
  problem: "unknown" | "malformed";
}

/**
 * Checks every placeholder of a template: `{{name}}` with a known name is fine; an unknown name, an unclosed `{{`, a
 * stray `}}`, a triple brace or a known name in single braces (`{reference}`) is reported.
 */
export function validatePlaceholders(template: string): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  const known = new Set<string>(PLACEHOLDERS);
  let rest = template;
  const re = /\{\{([^{}]*)\}\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template))) {
    const name = m[1]!.trim();
    if (!/^[A-Za-z]+$/.test(name)) problems.push({ token: m[0], problem: "malformed" });
    else if (!known.has(name)) problems.push({ token: m[0], problem: "unknown" });
  }
  rest = template.replace(re, " ");
  const stray = rest.match(/\{\{|\}\}|\{[A-Za-z]+\}/g) ?? [];
  for (const s of stray) {
    if (s.startsWith("{") && !s.startsWith("{{") && !known.has(s.slice(1, -1))) continue; // ordinary braces in text
    problems.push({ token: s, problem: "malformed" });
  }
  return problems;
}

/** Replaces the known placeholders (after validation there are no others). */
export function renderTemplate(template: string, values: Partial<Record<Placeholder, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? (values[name as Placeholder] ?? "") : whole,
  );
}

export interface NoticeTemplate {
  kind: NoticeKind;
  lang: Lang;
  subject: string;
  body: string;
  custom: boolean;
}

function defaultTemplate(kind: NoticeKind, lang: Lang): { subject: string; body: string } {
  // Raw resource strings: i18next would interpolate (and blank) the placeholders.
  const t = (resources[lang].notice as unknown as { templates: Record<NoticeKind, { subject: string; body: string }> }).templates[kind];
  return { subject: t.subject, body: t.body };
}

/** The template for a kind and language (the admin's version, else the default). */
export async function getTemplate(db: Executor, kind: NoticeKind, lang: Lang): Promise<NoticeTemplate> {
  const row = await db
    .selectFrom("notice_templates")
    .select(["subject", "body"])
    .where("kind", "=", kind)
    .where("lang", "=", lang)
    .executeTakeFirst();
  if (row) return { kind, lang, subject: row.subject, body: row.body, custom: true };
  return { kind, lang, ...defaultTemplate(kind, lang), custom: false };
}

export async function listTemplates(db: Executor): Promise<NoticeTemplate[]> {
  const rows = await db.selectFrom("notice_templates").selectAll().execute();
  const out: NoticeTemplate[] = [];
  for (const kind of NOTICE_KINDS) {
    for (const lang of ["th", "en"] as const) {
      const row = rows.find((r) => r.kind === kind && r.lang === lang);
      out.push(
        row
          ? { kind, lang, subject: row.subject, body: row.body, custom: true }
          : { kind, lang, ...defaultTemplate(kind, lang), custom: false },
      );
    }
  }
  return out;
}

/** Field errors of a template (i18n keys of the "notice" namespace with params), or null when it may be saved. */
export function templateErrors(input: {
  subject: string;
  body: string;
}): Record<string, { key: string; params: Record<string, string> }> | null {
  const errors: Record<string, { key: string; params: Record<string, string> }> = {};
  for (const field of ["subject", "body"] as const) {
    const v = input[field];
    const max = field === "subject" ? NOTICE_SUBJECT_MAX : NOTICE_TEXT_MAX;
    if (!v.trim()) errors[field] = { key: field === "subject" ? "errors.subjectRequired" : "errors.textRequired", params: {} };
    else if ([...v].length > max) errors[field] = { key: "errors.textTooLong", params: { max: String(max) } };
    else {
      const p = validatePlaceholders(v)[0];
      if (p) errors[field] = { key: `placeholders.${p.problem}`, params: { token: p.token } };
    }
  }
  return Object.keys(errors).length ? errors : null;
}

/** Only administrators change the notice templates. */
function assertMayEditTemplates(actor: Actor): void {
  if (!canAdminister(actor)) throw DomainError.forbidden("errors.forbidden", { ns: NS });
}

/** Saves an administrator's template after checking its placeholders (403 for other roles, 422 for a bad text). */
export async function saveTemplate(
  db: Executor,
  input: { kind: NoticeKind; lang: Lang; subject: string; body: string; actor: Actor },
): Promise<void> {
  assertMayEditTemplates(input.actor);
  const subject = cleanText(input.subject);
  const body = cleanText(input.body);
  const errs = templateErrors({ subject, body });
  if (errs) {
    const [field, e] = Object.entries(errs)[0]!;
    throw DomainError.invalid(field, e.key, { ns: NS, params: e.params });
  }
  const at = now().toISOString();
  await db
    .insertInto("notice_templates")
    .values({ kind: input.kind, lang: input.lang, subject, body, updated_at: at, updated_by: input.actor.id })
    .onConflict((oc) => oc.columns(["kind", "lang"]).doUpdateSet({ subject, body, updated_at: at, updated_by: input.actor.id }))
    .execute();
}

/** Back to the default text (administrators only). */
export async function resetTemplate(db: Executor, input: { kind: NoticeKind; lang: Lang; actor: Actor }): Promise<void> {
  assertMayEditTemplates(input.actor);
  await db.deleteFrom("notice_templates").where("kind", "=", input.kind).where("lang", "=", input.lang).execute();
}
