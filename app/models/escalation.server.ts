/**
 * The escalation ladder (issue 4): due soon → the assignee (or the division's heads when nobody is assigned);
 * deadline passed → supervisors, and the case owes the complainant an explanation; overdue by N more days →
 * executives; unassigned N working days after receipt → the complaint centre's leads.
 *
 * Exactly once per level per period: the claim is a row in `escalations` (UNIQUE complaint_id, level, period_no)
 * inserted with ON CONFLICT DO NOTHING as the FIRST statement of a transaction. Only the transaction that inserted the
 * row writes the history row and queues the e-mails (outbox, same transaction), so two tickers — two processes, or two
 * connections, or a cron job next to the server — never send twice, and a crash rolls the claim back with the rest.
 * The tick looks at the current state, not at what happened since the last run, so after downtime (or a clock
 * change) the next tick catches up: a case whose deadline passed while nothing was running escalates once.
 */
import crypto from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import type { Complaint, Database, EscalationLevel } from "../../db/schema";
import { addDays, deadlineStatus, deadlineView, dueSoonCutoff, type DeadlineView, type DeadlineViewState, type SlaPolicy } from "~/lib/sla";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { renderBilingualEmail } from "../../emails/layout";
import { enqueueEmail } from "./outbox.server";
import { listCategories } from "./org.server";
import { policyResolver } from "./sla-policy.server";
import { now as clockNow } from "~/utils/clock.server";
import { getEnv } from "~/utils/env.server";
import { getDb } from "~/utils/db.server";
import { log, errorFields } from "~/utils/logger.server";

type Trx = Transaction<Database>;

export const ESCALATION_LEVELS = ["due_soon", "overdue", "overdue_executive", "unassigned"] as const satisfies readonly EscalationLevel[];
/** Must match OPEN_CASE_SQL / the partial indexes of migration 0200 so SQLite walks those indexes. */
const OPEN = sql.raw<boolean>(`status in ('received','accepted','in_progress','waiting_info')`);
const OPEN_STATUSES = ["received", "accepted", "in_progress", "waiting_info"];
const DAY_MS = 24 * 3600 * 1000;
/** Upper bound of candidates per level and tick; the rest are handled by the next tick. */
const BATCH = 2000;

// ---------------------------------------------------------------------------------------------------------------
// Deadline of one case: the policy that applies to it and its state. One place, used by the tick, the case page,
// /track and the board.

export type CaseDeadlineState = DeadlineViewState;

type PolicyKey = { channel: string; categoryId: number };
type CaseClock = Pick<Complaint, "due_at" | "closed_at" | "paused_at" | "remaining_days">;

/** The deadline policy of a case (organisation, overridden per channel and category; with the holidays). */
export async function policyForCase(db: Kysely<Database> | Trx, c: { channel: string; category_id: number }): Promise<SlaPolicy> {
  return (await policyLoader(db))({ channel: c.channel, categoryId: c.category_id });
}

async function policyLoader(db: Kysely<Database> | Trx): Promise<(k: PolicyKey) => SlaPolicy> {
  const [resolvePolicy, categories] = await Promise.all([policyResolver(db), listCategories(db as Kysely<Database>, { activeOnly: false })]);
  const codes = new Map(categories.map((c) => [c.id, c.code]));
  return (k) => resolvePolicy({ channel: k.channel, categoryCode: codes.get(k.categoryId) ?? null });
}

/** The deadline state of a case at `at` ("paused" while it waits for the complainant) — deadlineView of lib/sla. */
export function caseDeadlineView(c: CaseClock, policy: SlaPolicy, at: Date): DeadlineView {
  return deadlineView({ dueAt: c.due_at, now: at, closedAt: c.closed_at, pausedAt: c.paused_at, remainingDays: c.remaining_days, policy });
}

// ---------------------------------------------------------------------------------------------------------------

export interface EscalationRule {
  level: EscalationLevel;
  enabled: boolean;
  days: number;
}

export async function listEscalationRules(db: Kysely<Database>): Promise<EscalationRule[]> {
  const rows = await db.selectFrom("escalation_rules").selectAll().execute();
  return ESCALATION_LEVELS.map((level) => {
    const r = rows.find((x) => x.level === level);
    return { level, enabled: r ? r.enabled === 1 : false, days: r?.days ?? 0 };
  });
}

type Candidate = Pick<
  Complaint,
  | "id"
  | "reference"
  | "status"
  | "period_no"
  | "due_at"
  | "received_at"
  | "period_started_at"
  | "paused_at"
  | "remaining_days"
  | "closed_at"
  | "division_id"
  | "assignee_id"
  | "channel"
  | "category_id"
>;

const CANDIDATE_COLUMNS = [
  "id",
  "reference",
  "status",
  "period_no",
  "due_at",
  "received_at",
  "period_started_at",
  "paused_at",
  "remaining_days",
  "closed_at",
  "division_id",
  "assignee_id",
  "channel",
  "category_id",
] as const;

/** Whether the level's condition holds for the case now (the SQL only pre-selects). */
function isDue(level: EscalationLevel, days: number, c: Candidate, policy: SlaPolicy, at: Date): boolean {
  if (c.closed_at || !OPEN_STATUSES.includes(c.status) || c.paused_at || c.status === "waiting_info") return false;
  const view = caseDeadlineView(c, policy, at);
  switch (level) {
    case "due_soon": {
      const p = days > 0 ? { ...policy, dueSoonDays: days } : policy;
      const v = deadlineStatus({ dueAt: new Date(c.due_at), now: at, policy: p });
      return v.state === "due_soon" || v.state === "due_today";
    }
    case "overdue":
      return view.state === "overdue" && (days <= 0 || at.getTime() > addDays(new Date(c.due_at), days, policy).getTime());
    case "overdue_executive":
      return view.state === "overdue" && at.getTime() > addDays(new Date(c.due_at), Math.max(days, 0), policy).getTime();
    case "unassigned":
      return c.assignee_id === null && at.getTime() > addDays(new Date(c.period_started_at ?? c.received_at), Math.max(days, 0), policy).getTime();
  }
}

/** Indexed pre-selection of cases that may have reached a level and have not been escalated at it in this period. */
async function candidates(db: Kysely<Database>, level: EscalationLevel, days: number, at: Date, maxDueSoonDays: number): Promise<Candidate[]> {
  const nowIso = at.toISOString();
  let q = db
    .selectFrom("complaints as c")
    .select(CANDIDATE_COLUMNS.map((k) => `c.${k}` as const))
    .where(OPEN)
    .where("c.status", "!=", "waiting_info")
    .where("c.paused_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("escalations as e")
            .select(sql.lit(1).as("one"))
            .whereRef("e.complaint_id", "=", "c.id")
            .where("e.level", "=", level)
            .whereRef("e.period_no", "=", "c.period_no"),
        ),
      ),
    );
  if (level === "due_soon") {
    const cutoff = dueSoonCutoff(at, { dueSoonDays: Math.max(maxDueSoonDays, days) }).toISOString();
    q = q.where("c.due_at", ">=", nowIso).where("c.due_at", "<=", cutoff);
  } else if (level === "overdue") {
    q = q.where("c.due_at", "<", nowIso);
  } else if (level === "overdue_executive") {
    // Working days are never fewer than calendar days, so this calendar bound selects a superset.
    q = q.where("c.due_at", "<", new Date(at.getTime() - Math.max(days, 0) * DAY_MS).toISOString());
  } else {
    q = q.where("c.assignee_id", "is", null).where("c.received_at", "<", new Date(at.getTime() - Math.max(days, 0) * DAY_MS).toISOString());
  }
  return (await q.orderBy("c.due_at").limit(BATCH).execute()) as Candidate[];
}

/** Staff to tell at a level (active accounts only). */
async function recipients(trx: Trx, level: EscalationLevel, c: Candidate): Promise<{ id: number; email: string }[]> {
  const base = trx.selectFrom("staff").select(["id", "email"]).where("active", "=", 1);
  switch (level) {
    case "due_soon":
      if (c.assignee_id !== null) return base.where("id", "=", c.assignee_id).execute();
      if (c.division_id === null) return [];
      return base.where("is_division_head", "=", 1).where("division_id", "=", c.division_id).execute();
    case "overdue":
      return base.where("role", "=", "supervisor").execute();
    case "overdue_executive":
      return base.where("role", "=", "executive").execute();
    case "unassigned":
      return base.where("is_centre_lead", "=", 1).execute();
  }
}

function staffEmail(level: EscalationLevel, c: Candidate, days: number) {
  const url = `${getEnv().PUBLIC_URL}/staff/cases/${c.reference}`;
  const section = (lang: Lang) => {
    const t = tFor(lang, "notice");
    const vars = {
      reference: c.reference,
      dueDate: formatThaiDate(new Date(c.due_at), lang),
      receivedDate: formatThaiDate(new Date(c.received_at), lang),
      days: String(days),
    };
    return { heading: t(`escalation.${level}.subject`, vars), paragraphs: [t(`escalation.${level}.intro`, vars), t("escalation.open", { url })] };
  };
  const th = section("th");
  const en = section("en");
  const { text, html } = renderBilingualEmail([th, en], `${tFor("th", "notice")("escalation.footer")} · ${tFor("en", "notice")("escalation.footer")}`);
  return { subject: `${th.heading} / ${en.heading}`, text, html };
}

class NotEligible extends Error {}

/**
 * Claims one level for one case and, only if this call inserted the claim, writes the history row, sets
 * "explanation owed" (overdue) and queues the e-mails — all in one transaction.
 */
async function claim(db: Kysely<Database>, level: EscalationLevel, days: number, c: Candidate, at: Date): Promise<boolean> {
  const iso = at.toISOString();
  try {
    return await db.transaction().execute(async (trx) => {
      // Write first: the transaction takes the write lock at once (no read-then-upgrade conflicts between processes).
      const inserted = await trx
        .insertInto("escalations")
        .values({ complaint_id: c.id, level, period_no: c.period_no, created_at: iso })
        .onConflict((oc) => oc.columns(["complaint_id", "level", "period_no"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) return false;
      // The case may have changed since it was pre-selected (resolved, reassigned, paused, reopened).
      const fresh = (await trx.selectFrom("complaints").select(CANDIDATE_COLUMNS).where("id", "=", c.id).executeTakeFirst()) as Candidate | undefined;
      if (!fresh || fresh.period_no !== c.period_no) throw new NotEligible();
      const policy = await policyForCase(trx, fresh);
      if (!isDue(level, days, fresh, policy, at)) throw new NotEligible();
      await trx
        .insertInto("case_events")
        .values({
          complaint_id: fresh.id,
          kind: "note",
          from_status: fresh.status,
          to_status: fresh.status,
          actor_id: null,
          note: `escalation: ${level}`,
          is_public: 0,
          division_id: fresh.division_id,
          assignee_id: fresh.assignee_id,
          created_at: iso,
        })
        .execute();
      if (level === "overdue") {
        await trx.updateTable("complaints").set({ explanation_owed: 1 }).where("id", "=", fresh.id).execute();
      }
      const people = await recipients(trx, level, fresh);
      if (people.length > 0) {
        const message = staffEmail(level, fresh, days);
        for (const p of people) {
          await enqueueEmail(trx, {
            kind: `escalation.${level}`,
            complaintId: fresh.id,
            message: { to: p.email, ...message },
            dedupeKey: `esc:${inserted.id}:${p.id}`,
          });
        }
      }
      log.info("case escalated", { complaintId: fresh.id, rung: level, period: fresh.period_no, recipients: people.length });
      return true;
    });
  } catch (e) {
    if (e instanceof NotEligible) return false;
    throw e;
  }
}

/**
 * Claim transactions of one process run one at a time. Across processes SQLite's write lock and busy timeout order
 * them; inside one process a second connection waiting synchronously on the lock would stall the event loop that
 * the first one needs to finish, so they queue here instead.
 */
let claimChain: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = claimChain.then(fn, fn);
  claimChain = run.catch(() => undefined);
  return run;
}

export interface TickResult {
  examined: number;
  escalated: Record<EscalationLevel, number>;
}

/** One pass of the ladder over every enabled level. Safe to run at any time, from any number of processes. */
export async function runDeadlineTick(db: Kysely<Database>, opts: { now?: Date } = {}): Promise<TickResult> {
  const at = opts.now ?? clockNow();
  const rules = (await listEscalationRules(db)).filter((r) => r.enabled);
  const policyOf = await policyLoader(db);
  const maxSoon = await db
    .selectFrom("sla_policies")
    .select((eb) => eb.fn.max("due_soon_days").as("m"))
    .executeTakeFirst();
  const maxDueSoonDays = Math.max(Number(maxSoon?.m ?? 0), (await policyForCase(db, { channel: "web", category_id: 0 })).dueSoonDays);
  const result: TickResult = { examined: 0, escalated: { due_soon: 0, overdue: 0, overdue_executive: 0, unassigned: 0 } };
  for (const rule of rules) {
    const list = await candidates(db, rule.level, rule.days, at, maxDueSoonDays);
    result.examined += list.length;
    for (const c of list) {
      const policy = policyOf({ channel: c.channel, categoryId: c.category_id });
      if (!isDue(rule.level, rule.days, c, policy, at)) continue;
      if (await serialised(() => claim(db, rule.level, rule.days, c, at))) result.escalated[rule.level]++;
    }
  }
  return result;
}

/** The in-server scheduler: a tick shortly after start (catch-up after downtime), then every `intervalMs`. */
export function startDeadlineTicker({ intervalMs = 60_000, db = getDb() }: { intervalMs?: number; db?: Kysely<Database> } = {}) {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    const id = crypto.randomBytes(3).toString("hex");
    running = runDeadlineTick(db)
      .then((r) => {
        const total = Object.values(r.escalated).reduce((a, b) => a + b, 0);
        if (total > 0) log.info("deadline tick", { tick: id, examined: r.examined, ...r.escalated });
      })
      .catch((e) => log.error("deadline tick failed", errorFields(e)))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  setTimeout(tick, 1_000).unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
