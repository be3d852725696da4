/**
 * Measure-23 outcomes recomputed from a complaint's HISTORY (pure): the first-period outcome (resolved / explained /
 * late) and the acknowledgement outcome (on time / late), replaying the same rules the portal applies as things
 * happen (app/models/deadlines/outcomes.ts outcomeOnClose, outcomeOnExplanation, outcomeOnPause, ackOutcome,
 * isLateByClock — the minute ticker's "late"; pause.ts for the clock while waiting for the complainant).
 * `npm run stats:rebuild -- --check` compares these with the stored columns, so a stored outcome that contradicts
 * the case's history (or is missing) is found. No rule is restated here: only the order of events.
 */
import type { Counting, CountingMode } from "../deadlines/due-dates";
import { ackOutcome, isLateByClock, outcomeOnClose, outcomeOnExplanation, outcomeOnPause, type SlaOutcome } from "../deadlines/outcomes";
import { daysAtPause, dueAtOnResume } from "../deadlines/pause";

export type AckOutcome = "on_time" | "late";

/** What happened to a case, as far as the outcomes are concerned, from its status events and notices. */
export type HistoryEventKind = "pause" | "resume" | "close" | "reopen" | "explain";

export interface HistoryEvent {
  at: string;
  kind: HistoryEventKind;
}

const CLOSED = new Set(["resolved", "forwarded"]);

/** The outcome-relevant event of one status change (null: none), e.g. in_progress → waiting_info is a pause. */
export function statusEventKind(from: string | null, to: string | null): HistoryEventKind | null {
  if (from !== null && CLOSED.has(from) && to !== null && !CLOSED.has(to)) return "reopen";
  if (to !== null && CLOSED.has(to)) return "close";
  if (to === "waiting_info") return "pause";
  if (from === "waiting_info") return "resume";
  return null;
}

export interface OutcomeHistory {
  receivedAt: string;
  /** Deadline of the first period as set at receipt (before any pause). */
  firstDueAt: string;
  /** The counting mode the case's deadline was set under (null: the policy's). */
  deadlineMode?: CountingMode | null;
  events: readonly HistoryEvent[];
  ackDueAt: string | null;
  /** First time the written acknowledgement reached the complainant (null: never). */
  acknowledgedAt: string | null;
}

const ORDER: Record<HistoryEventKind, number> = { pause: 0, resume: 1, explain: 2, close: 3, reopen: 4 };

/** The first-period outcome a case's history implies at `now` (null: still undecided). */
export function replaySlaOutcome(h: OutcomeHistory, counting: Counting, now: Date): SlaOutcome | null {
  const events = [...h.events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : ORDER[a.kind] - ORDER[b.kind]));
  let due = h.firstDueAt;
  let pausedAt: string | null = null;
  let remaining: number | null = null;
  let outcome: SlaOutcome | null = null;
  let closed = false;
  const mode = h.deadlineMode ?? null;
  const clock = () => ({ sla_outcome: outcome, period_no: 1, due_at: due, paused_at: pausedAt, remaining_days: remaining });
  // The ticker's "late": an undecided, running, open first period whose deadline passed before `at`.
  const tick = (at: Date) => {
    if (isLateByClock({ ...clock(), status: closed ? "resolved" : "in_progress" }, at)) outcome = "late";
  };
  for (const e of events) {
    const at = new Date(e.at);
    tick(at);
    if (e.kind === "reopen") return outcome; // the first period is over; later periods never change it
    if (closed) continue;
    if (e.kind === "pause" && !pausedAt) {
      outcome = outcomeOnPause(clock(), at) ?? outcome;
      remaining = daysAtPause(
        { due_at: due, received_at: h.receivedAt, period_started_at: h.receivedAt, deadline_mode: mode },
        at,
        counting,
      );
      pausedAt = e.at;
    } else if (e.kind === "resume" && pausedAt) {
      due = dueAtOnResume({ paused_at: pausedAt, remaining_days: remaining, deadline_mode: mode }, at, counting)?.toISOString() ?? due;
      pausedAt = null;
      remaining = null;
    } else if (e.kind === "explain") {
      outcome = outcomeOnExplanation(clock(), at) ?? outcome;
    } else if (e.kind === "close") {
      outcome = outcomeOnClose(clock(), at) ?? outcome;
      closed = true;
    }
  }
  tick(now);
  return outcome;
}

/** The acknowledgement outcome a case's history implies at `now` (null: not acknowledged and not yet due). */
export function replayAckOutcome(h: Pick<OutcomeHistory, "ackDueAt" | "acknowledgedAt">, now: Date): AckOutcome | null {
  if (h.acknowledgedAt) return ackOutcome(h.ackDueAt, new Date(h.acknowledgedAt));
  if (h.ackDueAt && now.getTime() > new Date(h.ackDueAt).getTime()) return "late";
  return null;
}

/**
 * Whether a stored outcome agrees with the history. The clock-driven "late" is written by a ticker that runs every
 * minute, so within `graceMs` after a deadline both "undecided" and "late" are accepted.
 */
export function outcomeAgrees<T extends string>(stored: T | null, replay: (at: Date) => T | null, now: Date, graceMs: number): boolean {
  const a = replay(now);
  if (stored === a) return true;
  return stored === replay(new Date(now.getTime() - graceMs));
}
