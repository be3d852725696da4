/**
 * Satisfaction answers (plan measures 17 and 23): a complainant's rating of a closed case (one per case, changeable
 * for 30 days after the first answer), the one-purpose rating link sent with the result e-mail, and the counter-service
 * form at /feedback. Statistics (rating_stats) follow from triggers on these tables: this module only writes rows.
 *
 * Never log comments or tokens.
 */
import { inTransaction, type Executor } from "../../../db/connection";
import { DomainError } from "~/lib/domain-error";
import {
  canChangeRating,
  COMMENT_MAX,
  isCounterService,
  isRatableStatus,
  isRatingTokenShape,
  isScore,
  ratingChangeableUntil,
  ratingTokenExpiry,
  type CounterService,
  type Score,
} from "~/lib/satisfaction";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { cleanText } from "~/lib/validation";
import { now } from "~/utils/clock.server";
import { randomToken, sha256Hex } from "~/utils/crypto.server";

export interface CaseRatingView {
  score: Score;
  comment: string;
  createdAt: string;
  updatedAt: string;
  /** ISO time until which the answer may still be changed. */
  changeableUntil: string;
  changeable: boolean;
}

function view(row: { score: number; comment: string; created_at: string; updated_at: string }, at: Date): CaseRatingView {
  const created = new Date(row.created_at);
  return {
    score: row.score as Score,
    comment: row.comment,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    changeableUntil: ratingChangeableUntil(created).toISOString(),
    changeable: canChangeRating(created, at),
  };
}

/** Whether a case in this status may be rated (resolved or forwarded). */
export function ratingOpen(c: { status: string }): boolean {
  return isRatableStatus(c.status);
}

/** The case's rating, or null when not rated yet. */
export async function getCaseRating(db: Executor, complaintId: number, at: Date): Promise<CaseRatingView | null> {
  const row = await db
    .selectFrom("case_ratings")
    .select(["score", "comment", "created_at", "updated_at"])
    .where("complaint_id", "=", complaintId)
    .executeTakeFirst();
  return row ? view(row, at) : null;
}

/** What the rating section of /track needs: may the case be rated, and the answer given so far. */
export async function caseRatingState(
  db: Executor,
  c: { id: number; status: string },
): Promise<{ open: boolean; rating: CaseRatingView | null }> {
  return { open: ratingOpen(c), rating: await getCaseRating(db, c.id, now()) };
}

function cleanComment(comment: string | undefined): string {
  const s = cleanText(comment ?? "");
  if ([...s].length > COMMENT_MAX) throw DomainError.invalid("comment", "errors.tooLong");
  if (/[\u0000-\u0008\u000B-\u001F\u007F\uFFFD]/.test(s)) throw DomainError.invalid("comment", "errors.invalidText");
  return s;
}

/**
 * Who rates a case: its complainant, known either by the case's reference and tracking code (checked by /track, with
 * its attempt limits, before it names the case here) or by the one-purpose rating link of the result e-mail (checked
 * here: a malformed, unknown or expired link is refused with 404).
 */
export type Rater = { via: "tracking-code"; complaintId: number } | { via: "rating-link"; token: unknown };

/**
 * Saves the complainant's answer for a closed case: the first answer, or a change within 30 days of it.
 * Refusals: 404 (bad link, or no such case), 409 (case not closed; or the 30 days have passed), 422 (bad score or comment).
 */
export async function rateCase(
  db: Executor,
  rater: Rater,
  input: { score: number; comment?: string },
): Promise<{ rating: CaseRatingView; created: boolean; reference: string }> {
  let complaintId: number;
  if (rater.via === "rating-link") {
    const t = await redeemRatingToken(db, rater.token);
    if (!t) throw DomainError.notFound("satisfaction:errors.badLink");
    complaintId = t.complaintId;
  } else {
    complaintId = rater.complaintId;
  }
  if (!isScore(input.score)) throw DomainError.invalid("score", "satisfaction:errors.score");
  const score = input.score;
  const comment = cleanComment(input.comment);
  return inTransaction(db, async (trx) => {
    const c = await trx.selectFrom("complaints").select(["id", "status", "reference"]).where("id", "=", complaintId).executeTakeFirst();
    if (!c) throw DomainError.notFound("satisfaction:errors.notFound");
    if (!ratingOpen(c)) throw DomainError.conflict("satisfaction:errors.notClosed");
    const at = now();
    const iso = at.toISOString();
    const existing = await trx
      .selectFrom("case_ratings")
      .select(["score", "comment", "created_at", "updated_at"])
      .where("complaint_id", "=", c.id)
      .executeTakeFirst();
    if (existing) {
      if (!canChangeRating(new Date(existing.created_at), at)) throw DomainError.conflict("satisfaction:errors.windowClosed");
      await trx.updateTable("case_ratings").set({ score, comment, updated_at: iso }).where("complaint_id", "=", c.id).execute();
      return {
        rating: view({ score, comment, created_at: existing.created_at, updated_at: iso }, at),
        created: false,
        reference: c.reference,
      };
    }
    await trx.insertInto("case_ratings").values({ complaint_id: c.id, score, comment, created_at: iso, updated_at: iso }).execute();
    return { rating: view({ score, comment, created_at: iso, updated_at: iso }, at), created: true, reference: c.reference };
  });
}

/**
 * A new rating link token for a case (sent in the result e-mail as /track/rate#t=<token>). Only its sha256 is stored;
 * it lets its holder rate that one case until it expires (60 days). Call inside the transaction that closes the case.
 */
export async function createRatingToken(db: Executor, complaintId: number): Promise<string> {
  const token = randomToken(32);
  const at = now();
  await db
    .insertInto("rating_tokens")
    .values({
      token_hash: sha256Hex(token),
      complaint_id: complaintId,
      created_at: at.toISOString(),
      expires_at: ratingTokenExpiry(at).toISOString(),
    })
    .execute();
  return token;
}

export interface RedeemedToken {
  complaintId: number;
  reference: string;
  status: string;
  lang: string;
}

/** The case a rating token belongs to, or null for a malformed, unknown or expired token. */
export async function redeemRatingToken(db: Executor, token: unknown): Promise<RedeemedToken | null> {
  if (!isRatingTokenShape(token)) return null;
  const row = await db
    .selectFrom("rating_tokens as t")
    .innerJoin("complaints as c", "c.id", "t.complaint_id")
    .select(["c.id", "c.reference", "c.status", "c.lang", "t.expires_at"])
    .where("t.token_hash", "=", sha256Hex(token))
    .executeTakeFirst();
  if (!row || new Date(row.expires_at).getTime() <= now().getTime()) return null;
  return { complaintId: row.id, reference: row.reference, status: row.status, lang: row.lang };
}

/** Saves one answer of the counter-service form (fiscal year of today). Anyone may answer: the form is anonymous. */
export async function submitCounterFeedback(
  db: Executor,
  input: { service: CounterService; score: number; comment?: string },
): Promise<{ id: number }> {
  if (!isCounterService(input.service)) throw DomainError.invalid("service", "satisfaction:errors.service");
  if (!isScore(input.score)) throw DomainError.invalid("score", "satisfaction:errors.score");
  const comment = cleanComment(input.comment);
  const at = now();
  const row = await db
    .insertInto("counter_feedback")
    .values({ service: input.service, score: input.score, comment, fiscal_year: fiscalYearOf(at), created_at: at.toISOString() })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id };
}

// ---------------------------------------------------------------------------------------------------------------
// Back office: reading the counter-service answers (/staff/feedback).

/** Answers shown per page on /staff/feedback. */
export const COUNTER_FEEDBACK_PAGE_SIZE = 50;

export interface CounterFeedbackRow {
  id: number;
  service: string;
  score: number;
  comment: string;
  createdAt: string;
}

export interface CounterFeedbackPage {
  fiscalYear: number;
  /** Answers of the year per score 1..5 (zeros included). */
  byScore: { score: Score; n: number }[];
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
  rows: CounterFeedbackRow[];
}

/** Fiscal years (BE) that have counter answers, newest first, plus `always` (the current year) even when empty. */
export async function counterFeedbackYears(db: Executor, always: number): Promise<number[]> {
  const rows = await db.selectFrom("counter_feedback").select("fiscal_year").distinct().execute();
  const years = new Set(rows.map((r) => Number(r.fiscal_year)));
  years.add(always);
  return [...years].sort((a, b) => b - a);
}

/**
 * One page of a fiscal year's counter answers, newest first, and the year's totals per score. A page after the
 * last one gives the last page (page 1 when there are no answers).
 */
export async function listCounterFeedback(
  db: Executor,
  input: { fiscalYear: number; page: number; pageSize?: number },
): Promise<CounterFeedbackPage> {
  const pageSize = input.pageSize ?? COUNTER_FEEDBACK_PAGE_SIZE;
  const counts = await db
    .selectFrom("counter_feedback")
    .select(["score", (eb) => eb.fn.countAll<number>().as("n")])
    .where("fiscal_year", "=", input.fiscalYear)
    .groupBy("score")
    .execute();
  const byScore = ([1, 2, 3, 4, 5] as const).map((score) => ({ score, n: Number(counts.find((c) => Number(c.score) === score)?.n ?? 0) }));
  const total = byScore.reduce((sum, s) => sum + s.n, 0);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(input.page)), pageCount);
  const rows = await db
    .selectFrom("counter_feedback")
    .select(["id", "service", "score", "comment", "created_at"])
    .where("fiscal_year", "=", input.fiscalYear)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    fiscalYear: input.fiscalYear,
    byScore,
    total,
    page,
    pageCount,
    pageSize,
    rows: rows.map((r) => ({ id: r.id, service: r.service, score: r.score, comment: r.comment, createdAt: r.created_at })),
  };
}
