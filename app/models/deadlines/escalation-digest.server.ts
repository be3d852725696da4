/**
 * The e-mails of the escalation ladder (escalation.server.ts claims, this file tells): who is behind a notify key, the
 * message about one case, and the owed-e-mail queue — every claim with an id above the mark in
 * escalation_notify_state is owed its e-mails; one transaction queues them (one per case, or ONE digest per recipient
 * and level when more than DIGEST_THRESHOLD cases reached that recipient at once) and moves the mark (compare-and-set)
 * past them. A crash between the claims and that transaction leaves the claims owed, never lost.
 */
import type { Kysely, Transaction } from "kysely";
import type { Complaint, Database, EscalationLevel } from "../../../db/schema";
import { dialectOf, inTransaction } from "../../../db/connection";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { renderBilingualEmail } from "../../../emails/layout";
import { buildEscalationDigest } from "../../../emails/escalation-digest";
import { enqueueEmail } from "../notices/outbox.server";
import { getRules } from "./escalation-rules.server";
import { now as clockNow } from "~/utils/clock.server";
import { log } from "~/utils/logger.server";
import { AdaptiveBatch, throwIfAborted, yieldToEventLoop } from "~/utils/yield.server";
import { publicUrl } from "~/utils/public-url.server";

type Trx = Transaction<Database>;

/** More cases than this for one recipient at one level at once → one digest instead of one e-mail per case. */
export const DIGEST_THRESHOLD = 3;
/** References listed in a digest (the link to the queue shows them all). */
export const DIGEST_LIST = 20;
/** The most escalation rows read per query when the owed e-mails are gathered (pages are sized by time). */
const NOTIFY_PAGE = 2000;

/** Staff behind a notify key (active accounts only). */
async function recipientsOf(trx: Trx, key: string): Promise<{ id: number; email: string }[]> {
  const base = trx.selectFrom("staff").select(["id", "email"]).where("active", "=", 1);
  const [kind, arg] = key.split(":");
  switch (kind) {
    case "assignee":
      return base.where("id", "=", Number(arg)).execute();
    case "division":
      return base.where("is_division_head", "=", 1).where("division_id", "=", Number(arg)).execute();
    case "supervisors":
      return base.where("role", "=", "supervisor").execute();
    case "executives":
      return base.where("role", "=", "executive").execute();
    case "centre_leads":
      return base.where("is_centre_lead", "=", 1).execute();
    default:
      return [];
  }
}

type CaseFacts = Pick<Complaint, "id" | "reference" | "due_at" | "received_at">;

function staffEmail(level: EscalationLevel, c: CaseFacts, days: number) {
  const url = `${publicUrl()}/staff/cases/${c.reference}`;
  const section = (lang: Lang) => {
    const t = tFor(lang, "notice");
    const vars = {
      reference: c.reference,
      dueDate: formatThaiDate(new Date(c.due_at), lang),
      receivedDate: formatThaiDate(new Date(c.received_at), lang),
      days: String(days),
    };
    return {
      heading: t(`escalation.${level}.subject`, vars),
      paragraphs: [t(`escalation.${level}.intro`, vars), t("escalation.open", { url })],
    };
  };
  const th = section("th");
  const en = section("en");
  const { text, html } = renderBilingualEmail(
    [th, en],
    `${tFor("th", "notice")("escalation.footer")} · ${tFor("en", "notice")("escalation.footer")}`,
  );
  return { subject: `${th.heading} / ${en.heading}`, text, html };
}

/**
 * The staff queue filtered to a digest's cases (parameters of parseQueueFilters, app/models/complaints/queue.server.ts; the
 * queue is sorted by deadline, oldest first): due soon (own cases only when every case is the recipient's own),
 * overdue (both overdue levels), or unassigned.
 */
export function digestQueuePath(level: EscalationLevel, ownCasesOnly: boolean): string {
  switch (level) {
    case "due_soon":
      return ownCasesOnly ? "/staff?deadline=due_soon&assignee=me" : "/staff?deadline=due_soon";
    case "overdue":
    case "overdue_executive":
      return "/staff?deadline=overdue";
    case "unassigned":
      return "/staff?assignee=none";
  }
}

/**
 * Claim transactions of one process run one at a time. Across processes SQLite's write lock and busy timeout order
 * them; inside one process a second connection waiting synchronously on the lock would stall the event loop that
 * the first one needs to finish, so they queue here instead.
 */
let claimChain: Promise<unknown> = Promise.resolve();
export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = claimChain.then(fn, fn);
  claimChain = run.catch(() => undefined);
  return run;
}

// ---------------------------------------------------------------------------------------------------------------
// E-mails owed for claims: per case, or one digest per recipient and level.

interface OwedGroup {
  level: EscalationLevel;
  key: string;
  /** Claims in the range with this level and key. */
  count: number;
  /** The first DIGEST_LIST of them (lowest ids first: claim order, oldest deadline first within a level). */
  first: { escalationId: number; complaintId: number }[];
}

export interface NotifyResult {
  /** E-mails about one case each. */
  perCase: number;
  /** Digest e-mails (each about more than DIGEST_THRESHOLD cases). */
  digests: number;
  /** Claims whose e-mails were queued (per level; a claim with several recipients counts once). */
  claims: number;
}

/**
 * Queues the e-mails every claim above the mark is owed, and moves the mark past them, in one transaction.
 *
 * The claims are read first, in pages sized by time with yields between them and without a lock (escalation rows never change once written, and
 * ids grow in commit order, so the rows in (mark, top] are final). The transaction then moves the mark from `mark` to
 * `top` only if it is still at `mark` (compare-and-set, the first statement, so it holds the write lock): whoever wins
 * queues the e-mails of exactly that range; a loser reads again from the new mark. A crash before the commit leaves the
 * mark where it was — the next call queues the same range, once. Per recipient and level: more than DIGEST_THRESHOLD
 * cases → one digest (dedupe key per level, recipient and `top`); otherwise one e-mail per case (dedupe key per claim
 * and recipient, as before digests existed).
 *
 * PostgreSQL: an identity value is taken at insert, not at commit, so a claim with an id below `top` may commit after
 * the pages were read. Every claim transaction holds a share lock on the escalation_notify_state row from its first
 * statement (escalation.server.ts); the compare-and-set needs the row's exclusive lock, so it waits for every claim in
 * flight. Under that lock the ids in (mark, top] are final: if one is there that the pages did not see, the transaction
 * is rolled back and the range read again.
 */
export async function notifyOwed(db: Kysely<Database>, opts: { signal?: AbortSignal } = {}): Promise<NotifyResult> {
  const total: NotifyResult = { perCase: 0, digests: 0, claims: 0 };
  for (let round = 0; round < 5; round++) {
    const mark = Number(
      (await db.selectFrom("escalation_notify_state").select("notified_through").where("id", "=", 1).executeTakeFirst())
        ?.notified_through ?? 0,
    );
    const top = Number(
      (
        await db
          .selectFrom("escalations")
          .select((eb) => eb.fn.max("id").as("m"))
          .executeTakeFirst()
      )?.m ?? 0,
    );
    if (top <= mark) break;
    const groups = new Map<string, OwedGroup>();
    // The ids read (PostgreSQL only: checked under the lock, see above).
    const seen = dialectOf(db).rowLocks ? new Set<number>() : null;
    const pages = new AdaptiveBatch({ min: 100, max: NOTIFY_PAGE, start: 200 });
    for (let after = mark; after < top;) {
      throwIfAborted(opts.signal);
      const started = performance.now();
      const rows = await db
        .selectFrom("escalations")
        .select(["id", "level", "notify_key", "complaint_id"])
        .where("id", ">", after)
        .where("id", "<=", top)
        .orderBy("id")
        .limit(pages.size)
        .execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        seen?.add(r.id);
        if (r.notify_key === null) continue;
        const k = `${r.level}|${r.notify_key}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { level: r.level, key: r.notify_key, count: 0, first: [] }));
        g.count++;
        if (g.first.length < DIGEST_LIST) g.first.push({ escalationId: r.id, complaintId: r.complaint_id });
      }
      after = rows[rows.length - 1]!.id;
      pages.record(rows.length, performance.now() - started);
      await yieldToEventLoop();
    }
    const queued = await serialised(() =>
      inTransaction(db, async (trx) => {
        const moved = await trx
          .updateTable("escalation_notify_state")
          .set({ notified_through: top })
          .where("id", "=", 1)
          .where("notified_through", "=", mark)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows ?? 0) === 0) return null; // another ticker queued this range
        if (seen) {
          const final = await trx.selectFrom("escalations").select("id").where("id", ">", mark).where("id", "<=", top).execute();
          if (final.some((r) => !seen.has(r.id))) throw new LateClaim(); // rolls the mark back: read the range again
        }
        return queueOwed(trx, [...groups.values()], mark, top);
      }),
    ).catch((e: unknown) => {
      if (e instanceof LateClaim) return null;
      throw e;
    });
    if (queued) {
      total.perCase += queued.perCase;
      total.digests += queued.digests;
      total.claims += queued.claims;
    }
  }
  return total;
}

/** A claim below the range's top committed after the range was read (PostgreSQL): the range is read again. */
class LateClaim extends Error {
  constructor() {
    super("a claim committed late; the owed range is read again");
  }
}

async function queueOwed(trx: Trx, groups: OwedGroup[], from: number, through: number): Promise<NotifyResult> {
  const out: NotifyResult = { perCase: 0, digests: 0, claims: 0 };
  if (groups.length === 0) return out;
  const days = new Map((await getRules(trx)).map((r) => [r.level, r.days]));
  const people = new Map<string, { id: number; email: string }[]>();
  // Per level, per recipient: the groups that reach them.
  const plan = new Map<EscalationLevel, Map<number, { email: string; groups: OwedGroup[] }>>();
  for (const g of groups) {
    out.claims += g.count;
    let who = people.get(g.key);
    if (!who) people.set(g.key, (who = await recipientsOf(trx, g.key)));
    let byStaff = plan.get(g.level);
    if (!byStaff) plan.set(g.level, (byStaff = new Map()));
    for (const p of who) {
      const entry = byStaff.get(p.id) ?? { email: p.email, groups: [] };
      entry.groups.push(g);
      byStaff.set(p.id, entry);
    }
  }
  // The cases the e-mails name (at most DIGEST_LIST per digest, at most DIGEST_THRESHOLD per recipient otherwise).
  const needed = new Set<number>();
  for (const byStaff of plan.values())
    for (const { groups: gs } of byStaff.values())
      for (const g of gs) for (const f of g.first.slice(0, DIGEST_LIST)) needed.add(f.complaintId);
  const facts = new Map<number, CaseFacts>();
  const ids = [...needed];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx
      .selectFrom("complaints")
      .select(["id", "reference", "due_at", "received_at"])
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const r of rows) facts.set(r.id, r);
  }
  const base = publicUrl();
  const iso = clockNow().toISOString();
  for (const [level, byStaff] of plan) {
    const levelDays = days.get(level) ?? 0;
    for (const [staffId, { email, groups: gs }] of byStaff) {
      const count = gs.reduce((a, g) => a + g.count, 0);
      const claims = gs.flatMap((g) => g.first).sort((a, b) => a.escalationId - b.escalationId);
      if (count > DIGEST_THRESHOLD) {
        const items = claims
          .slice(0, DIGEST_LIST)
          .map((c) => facts.get(c.complaintId))
          .filter((c): c is CaseFacts => c !== undefined)
          .map((c) => ({ reference: c.reference, dueAt: c.due_at }));
        const own = gs.every((g) => g.key === `assignee:${staffId}`);
        const message = buildEscalationDigest({ level, count, items, queueUrl: `${base}${digestQueuePath(level, own)}`, days: levelDays });
        await enqueueEmail(trx, {
          kind: `escalation.${level}.digest`,
          complaintId: null,
          message: { to: email, ...message },
          dedupeKey: `escdigest:${level}:${staffId}:${through}`,
        });
        await trx
          .insertInto("escalation_digests")
          .values({ level, staff_id: staffId, from_id: from, through_id: through, cases: count, created_at: iso })
          .onConflict((oc) => oc.doNothing())
          .execute();
        out.digests++;
      } else {
        for (const c of claims) {
          const f = facts.get(c.complaintId);
          if (!f) continue; // the case was deleted since
          await enqueueEmail(trx, {
            kind: `escalation.${level}`,
            complaintId: f.id,
            message: { to: email, ...staffEmail(level, f, levelDays) },
            dedupeKey: `esc:${c.escalationId}:${staffId}`,
          });
          out.perCase++;
        }
      }
    }
  }
  if (out.perCase + out.digests > 0)
    log.info("escalation e-mails queued", { claims: out.claims, perCase: out.perCase, digests: out.digests, through });
  return out;
}
