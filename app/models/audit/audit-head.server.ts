/**
 * The daily e-mail of the audit log's chain head (optional: AUDIT_HEAD_EMAIL). The operator holds the master key and
 * could rewrite or truncate the whole chain with valid hashes (audit.server.ts); a copy of the head in a mailbox
 * outside the server lets `npm run audit-log -- verify --head '…'` catch that later.
 *
 * - One e-mail per Bangkok calendar day: the outbox's dedupe key `audit-head:<YYYY-MM-DD>`, so any number of calls,
 *   server processes or restarts queue it once.
 * - It carries the head line (id, hash, date), the number of entries and instructions — nothing else from the log
 *   (no actors, actions or targets). Thai first, then English.
 * - startAuditHeadMailer checks every hour (and shortly after start) and queues the day's e-mail once Bangkok time is
 *   07:00 or later. The outbox worker sends it like every other e-mail.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import { now } from "~/utils/clock.server";
import { log, errorFields } from "~/utils/logger.server";
import { tFor, type Lang } from "~/i18n";
import { bangkokDateKey, bangkokParts, formatThaiDate } from "~/lib/thai-date";
import { renderBilingualEmail, type EmailSection } from "../../../emails/layout";
import { enqueueEmail } from "../notices/outbox.server";
import { auditEntryCount, auditHead, formatAuditHead, shortAuditHead, type AuditHead } from "./audit.server";

/** Bangkok hour from which the day's e-mail is queued. */
export const AUDIT_HEAD_HOUR = 7;
/** Outbox kind of the e-mail. */
export const AUDIT_HEAD_KIND = "audit-head";

/** The outbox dedupe key of the e-mail of the Bangkok day of `at`. */
export function auditHeadDedupeKey(at: Date): string {
  return `audit-head:${bangkokDateKey(at)}`;
}

export interface AuditHeadEmailInput {
  head: AuditHead;
  count: number;
  /** The day the e-mail is for. */
  day: Date;
  org: { name_th: string; name_en: string };
}

/** Subject, text and HTML of the e-mail (pure). */
export function buildAuditHeadEmail(input: AuditHeadEmailInput): { subject: string; text: string; html: string } {
  const short = shortAuditHead(input.head);
  const section = (lang: Lang): EmailSection => {
    const t = tFor(lang, "audit");
    const vars = { date: formatThaiDate(input.day, lang), org: lang === "en" ? input.org.name_en : input.org.name_th, short };
    return {
      heading: t("headEmail.heading", vars),
      paragraphs: [t("headEmail.intro", vars), t("headEmail.keep", vars), t("headEmail.check", vars)],
      facts: [
        { label: t("headEmail.line"), value: formatAuditHead(input.head, lang) },
        { label: t("headEmail.count"), value: String(input.count) },
      ],
    };
  };
  const th = tFor("th", "audit");
  const en = tFor("en", "audit");
  const { text, html } = renderBilingualEmail(
    [section("th"), section("en")],
    `${th("headEmail.footer", { org: input.org.name_th })} / ${en("headEmail.footer", { org: input.org.name_en })}`,
  );
  const subject = `${th("headEmail.subject", { date: formatThaiDate(input.day, "th") })} / ${en("headEmail.subject", { date: formatThaiDate(input.day, "en") })}`;
  return { subject, text, html };
}

export type AuditHeadEmailResult = "queued" | "already-queued" | "disabled" | "empty-log";

/**
 * Queues the e-mail of the Bangkok day of `at` to AUDIT_HEAD_EMAIL, once per day (whatever the hour: the 07:00 rule
 * is startAuditHeadMailer's). Nothing when the variable is unset or the log is still empty.
 */
export async function queueAuditHeadEmail(db: Kysely<Database>, at: Date): Promise<AuditHeadEmailResult> {
  const to = getEnv().AUDIT_HEAD_EMAIL;
  if (!to) return "disabled";
  const dedupeKey = auditHeadDedupeKey(at);
  const queued = await db.selectFrom("outbox").select("id").where("dedupe_key", "=", dedupeKey).executeTakeFirst();
  if (queued) return "already-queued";
  const head = await auditHead(db);
  if (!head) return "empty-log";
  const count = await auditEntryCount(db);
  const org = (await db.selectFrom("org_profile").select(["name_th", "name_en"]).where("id", "=", 1).executeTakeFirst()) ?? {
    name_th: "สุจริต",
    name_en: "Sujarit",
  };
  const message = buildAuditHeadEmail({ head, count, day: at, org });
  // Two processes at once: the dedupe key's ON CONFLICT DO NOTHING keeps a single row.
  await enqueueEmail(db, { kind: AUDIT_HEAD_KIND, message: { to, ...message }, dedupeKey });
  return "queued";
}

/**
 * Checks every `intervalMs` (default one hour; first check a few seconds after start) and queues the day's e-mail
 * once Bangkok time is past 07:00. Does nothing at all when AUDIT_HEAD_EMAIL is unset. `stop()` waits for a check in
 * progress.
 */
export function startAuditHeadMailer({ intervalMs = 3_600_000, db }: { intervalMs?: number; db?: Kysely<Database> } = {}) {
  if (!getEnv().AUDIT_HEAD_EMAIL) return { async stop() {} };
  const database = db ?? getDb();
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    const at = now();
    if (bangkokParts(at).hour < AUDIT_HEAD_HOUR) return;
    running = queueAuditHeadEmail(database, at)
      .then((r) => {
        if (r === "queued") log.info("audit head e-mail queued", { day: bangkokDateKey(at) });
      })
      .catch((e) => log.warn("audit head e-mail could not be queued", errorFields(e)))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const first = setTimeout(tick, Math.min(intervalMs, 5_000));
  first.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      if (running) await running;
    },
  };
}
