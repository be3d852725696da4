/**
 * Written notice of receipt sent to a citizen who gave an e-mail address: reference, tracking code, due date and
 * how to follow the case. Thai first, English second (whatever language the citizen used); the subject is in the
 * citizen's language and carries the reference.
 */
import { tFor, type Lang } from "../app/i18n";
import { formatThaiDate } from "../app/lib/thai-date";
import { formatTrackingCode } from "../app/lib/tracking-code";
import { renderBilingualEmail, type EmailSection } from "./layout";

export interface AcknowledgementInput {
  lang: Lang;
  org: { name_th: string; name_en: string; phone?: string; email?: string };
  reference: string;
  trackingCode: string;
  receivedAt: Date | string;
  dueAt: Date | string;
  publicUrl: string;
}

export function buildAcknowledgementEmail(input: AcknowledgementInput): { subject: string; text: string; html: string } {
  const receivedAt = new Date(input.receivedAt);
  const dueAt = new Date(input.dueAt);
  const code = formatTrackingCode(input.trackingCode);
  const trackUrl = `${input.publicUrl.replace(/\/+$/, "")}/track`;
  const section = (lang: Lang): EmailSection => {
    const t = tFor(lang, "email");
    const org = lang === "en" ? input.org.name_en : input.org.name_th;
    const vars = {
      org,
      reference: input.reference,
      code,
      due: formatThaiDate(dueAt, lang),
      received: formatThaiDate(receivedAt, lang, { withTime: true }),
      trackUrl,
    };
    return {
      heading: t("ack.heading", vars),
      paragraphs: [t("ack.intro", vars), t("ack.timeframe", vars), t("ack.follow", vars), t("ack.keepCode", vars), t("ack.replies", vars)],
      facts: [
        { label: t("ack.reference"), value: input.reference },
        { label: t("ack.trackingCode"), value: code },
        { label: t("ack.received"), value: vars.received },
        { label: t("ack.due"), value: vars.due },
        { label: t("ack.trackPage"), value: trackUrl },
      ],
    };
  };
  const footerT = tFor(input.lang, "email");
  const orgName = input.lang === "en" ? input.org.name_en : input.org.name_th;
  const { text, html } = renderBilingualEmail([section("th"), section("en")], footerT("ack.footer", { org: orgName }));
  return { subject: footerT("ack.subject", { reference: input.reference }), text, html };
}
