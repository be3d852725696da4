/**
 * The statuses of a general complaint, for the database layer and the app alike (app/lib/complaint-status.ts re-exports
 * them with the state machine). Kept here so that db/ code (statistics triggers, indexes) never imports from app/.
 */

/** All case statuses, in workflow order. */
export const CASE_STATUSES = ["received", "accepted", "in_progress", "waiting_info", "resolved", "forwarded"] as const;

/** A case status. */
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The statuses of a case that still needs work (the deadline clock runs or is paused), in workflow order. */
export const OPEN_STATUSES = ["received", "accepted", "in_progress", "waiting_info"] as const satisfies readonly CaseStatus[];

/** The statuses that close a case. */
export const CLOSED_STATUSES = ["resolved", "forwarded"] as const satisfies readonly CaseStatus[];

/**
 * The open-case condition as SQL text, with literal values: `status in ('received','accepted','in_progress',
 * 'waiting_info')`. The partial indexes of open cases (db/migrations/…_open_case_indexes.ts and later) are written with
 * exactly this text, and SQLite only uses a partial index when the query repeats its condition — a bound parameter
 * would not do. `column` may carry a table alias ("c.status").
 */
export function openStatusSqlText(column = "status"): string {
  return `${column} in (${OPEN_STATUSES.map((s) => `'${s}'`).join(",")})`;
}

/** The closed-case condition as SQL text (`status in ('resolved','forwarded')`). */
export function closedStatusSqlText(column = "status"): string {
  return `${column} in (${CLOSED_STATUSES.map((s) => `'${s}'`).join(",")})`;
}
