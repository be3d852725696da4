/**
 * One e-mail to one member of staff about many cases that reached the same escalation level at once: how
 * many, which (the first DIGEST_LIST references with their deadlines, oldest claim first), and a link to the staff
 * queue filtered to them. Thai first, English second, like the per-case reminders (app/models/deadlines/escalation.server.ts).
 */
import { renderBilingualEmail, type EmailSection } from "./layout";
import { tFor, type Lang } from "~/i18n";
import { formatThaiDate } from "~/lib/thai-date";
import type { EscalationLevel } from "../db/schema";

export interface DigestItem {
  reference: string;
  dueAt: string;
}

export interface DigestInput {
  level: EscalationLevel;
  /** How many cases the digest is about (may exceed items.length). */
  count: number;
  items: DigestItem[];
  /** Absolute URL of the filtered staff queue. */
  queueUrl: string;
  /** The rule's days (the executive level says "more than N days overdue"). */
  days: number;
}

const number = (n: number) => n.toLocaleString("en-US");

function section(lang: Lang, input: DigestInput): EmailSection {
  const t = tFor(lang, "notice");
  const vars = { n: number(input.count), days: String(input.days) };
  const paragraphs = [
    t(`escalation.digest.${input.level}.intro`, vars),
    input.items.length < input.count
      ? t("escalation.digest.listed", { shown: number(input.items.length) })
      : t("escalation.digest.listedAll"),
  ];
  const more = input.count - input.items.length;
  const after = [
    more > 0 ? t("escalation.digest.more", { more: number(more) }) : null,
    t("escalation.digest.queue", { url: input.queueUrl }),
    t("escalation.digest.why"),
  ];
  return {
    heading: t(`escalation.digest.${input.level}.subject`, vars),
    paragraphs,
    facts: input.items.map((i) => ({ label: i.reference, value: formatThaiDate(new Date(i.dueAt), lang) })),
    after: after.filter((p): p is string => p !== null),
  };
}

export function buildEscalationDigest(input: DigestInput): { subject: string; text: string; html: string } {
  const th = section("th", input);
  const en = section("en", input);
  const { text, html } = renderBilingualEmail(
    [th, en],
    `${tFor("th", "notice")("escalation.footer")} · ${tFor("en", "notice")("escalation.footer")}`,
  );
  return { subject: `${th.heading} / ${en.heading}`, text, html };
}
