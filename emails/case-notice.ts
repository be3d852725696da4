/**
 * E-mails telling a citizen that something happened on their case: a public reply, the result, a forward to
 * another agency, or a request for more information. Thai and English, the citizen's language first.
 * Officer-written text is included as given; renderBilingualEmail escapes it in the HTML part.
 */
import { renderBilingualEmail, type EmailSection } from "./layout";
import { tFor, type Lang } from "~/i18n";
import { formatThaiDate } from "~/lib/thai-date";
import { RATING_TOKEN_DAYS } from "~/lib/satisfaction";

export type CaseNoticeKind = "reply" | "resolved" | "forwarded" | "info_requested";

export interface CaseNoticeInput {
  kind: CaseNoticeKind;
  reference: string;
  /** The reply text, result summary, receiving agency, or what information is needed. */
  text: string;
  /** Extra words from the officer (e.g. a note with a forward). */
  extra?: string;
  lang: Lang;
  at: Date;
  trackUrl: string;
  /** Link to rate the handling (result e-mails only): /track/rate#t=<token>. */
  rateUrl?: string;
  org: { name_th: string; name_en: string; phone: string; email: string };
}

function section(lang: Lang, input: CaseNoticeInput): EmailSection {
  const t = tFor(lang, "notice");
  const org = lang === "en" ? input.org.name_en : input.org.name_th;
  const paragraphs = [t(`${input.kind}.intro`, { reference: input.reference, org }), input.text];
  if (input.extra) paragraphs.push(input.extra);
  paragraphs.push(t("followUp", { url: input.trackUrl }));
  if (input.rateUrl) paragraphs.push(tFor(lang, "satisfaction")("email.rate", { url: input.rateUrl, days: RATING_TOKEN_DAYS }));
  paragraphs.push(t("keepCode"));
  if (input.org.phone || input.org.email) {
    paragraphs.push(t("contact", { phone: input.org.phone || "-", email: input.org.email || "-" }));
  }
  return {
    heading: t(`${input.kind}.heading`),
    paragraphs,
    facts: [
      { label: t("reference"), value: input.reference },
      { label: t("date"), value: formatThaiDate(input.at, lang, { withTime: true }) },
    ],
  };
}

/** Subject, plain text and HTML of a case notice. */
export function buildCaseNotice(input: CaseNoticeInput): { subject: string; text: string; html: string } {
  const other: Lang = input.lang === "en" ? "th" : "en";
  const primary = tFor(input.lang, "notice");
  const secondary = tFor(other, "notice");
  const subject = `${primary(`${input.kind}.subject`, { reference: input.reference })} / ${secondary(`${input.kind}.subject`, {
    reference: input.reference,
  })}`;
  const footer = `${input.org.name_th} · ${input.org.name_en} — ${primary("footer")}`;
  const { text, html } = renderBilingualEmail([section(input.lang, input), section(other, input)], footer);
  return { subject, text, html };
}
