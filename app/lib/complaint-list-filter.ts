/**
 * "Every number links to the list it counts": the filter behind a statistics figure, as URL parameters.
 * Pure (no database, no server-only imports) so pages, the statistics module and the browser share it.
 *
 *   /stats/cases?fy=2569&month=2026-01&category=3&state=closed     public, anonymised rows
 *   /staff?status=all&fy=2569&from=2026-01-01&to=2026-01-31&…       the staff queue understands the same parameters
 *
 * Parameters (every one validated strictly; an unknown or malformed value is ignored, never an error):
 *   fy        fiscal year, 4-digit Buddhist Era year 2500–2700 (required for a CaseListFilter)
 *   from, to  Bangkok days YYYY-MM-DD (CE), inclusive, real dates inside the fiscal year (1 Oct – 30 Sep)
 *   month     YYYY-MM shorthand for from/to = first/last day of that month (used when from/to are absent)
 *   category  category id · channel: web|walk_in|phone|letter|line|facebook
 *   division  division id or "none" (not yet assigned) · village: village id or "none" (no village given)
 *   state     open | closed (resolved or forwarded) | resolved | forwarded | overdue (open, clock running, past due)
 *   sla       resolved | explained | late | undecided (first-period deadline outcome)
 *   ack       on_time | late (written acknowledgement)
 *   topic     plan topic (bribery | procurement | personnel | unfair_service | officer_conduct)
 *   rated     any (the complainant rated the case) | satisfied (rated 4 or 5)
 */
import type { ComplaintChannel, PlanTopic } from "../../db/schema";
import { PLAN_TOPICS } from "./plan-targets";
import { dateFromBangkokKey, formatThaiDateKey, fromBuddhistYear, type Lang } from "./thai-date";

export type { ComplaintChannel, PlanTopic };

import { COMPLAINT_CHANNELS } from "./complaint-status";
export { COMPLAINT_CHANNELS };
/** The plan topics (one list, app/lib/plan-targets.ts). */
export const PLAN_TOPIC_CODES = PLAN_TOPICS;
export const CASE_LIST_STATES = ["open", "closed", "resolved", "forwarded", "overdue"] as const;
export const CASE_LIST_SLA = ["resolved", "explained", "late", "undecided"] as const;
export const CASE_LIST_ACK = ["on_time", "late"] as const;
export const CASE_LIST_RATED = ["any", "satisfied"] as const;

export type CaseListState = (typeof CASE_LIST_STATES)[number];
export type CaseListSla = (typeof CASE_LIST_SLA)[number];
export type CaseListAck = (typeof CASE_LIST_ACK)[number];
export type CaseListRated = (typeof CASE_LIST_RATED)[number];

export interface CaseListFilter {
  fy: number;
  /** Bangkok days (inclusive) within fy; a month is from/to of that month. */
  from?: string;
  to?: string;
  categoryId?: number;
  channel?: ComplaintChannel;
  divisionId?: number | "none";
  villageId?: number | "none";
  state?: CaseListState;
  sla?: CaseListSla;
  ack?: CaseListAck;
  topic?: PlanTopic;
  rated?: CaseListRated;
}

/** The same criteria with the fiscal year optional (the staff queue accepts them without one). */
export type CaseListCriteria = Omit<CaseListFilter, "fy"> & { fy?: number };

/** Criteria keys other than fy, in URL order. */
export const CRITERIA_KEYS = [
  "dates",
  "categoryId",
  "channel",
  "divisionId",
  "villageId",
  "state",
  "sla",
  "ack",
  "topic",
  "rated",
] as const;
export type CriterionKey = (typeof CRITERIA_KEYS)[number];

/** URL parameter names the filter uses (the staff queue keeps them when its own form is submitted). */
export const CASE_LIST_PARAMS = [
  "fy",
  "from",
  "to",
  "month",
  "category",
  "channel",
  "division",
  "village",
  "state",
  "sla",
  "ack",
  "topic",
  "rated",
] as const;

export const FY_MIN = 2500;
export const FY_MAX = 2700;

function oneOf<T extends string>(list: readonly T[], v: string | null): T | undefined {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : undefined;
}

function positiveId(v: string | null): number | undefined {
  if (v === null || !/^[1-9]\d{0,8}$/.test(v)) return undefined;
  return Number(v);
}

function idOrNone(v: string | null): number | "none" | undefined {
  return v === "none" ? "none" : positiveId(v);
}

/** A strict 4-digit BE fiscal year within FY_MIN..FY_MAX, or undefined. */
export function parseFiscalYearParam(v: string | null): number | undefined {
  if (v === null || !/^\d{4}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= FY_MIN && n <= FY_MAX ? n : undefined;
}

/** A real "YYYY-MM-DD" date (CE), or undefined. */
export function parseDayKey(v: string | null): string | undefined {
  if (v === null || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  try {
    dateFromBangkokKey(v); // throws on impossible dates (2026-02-30)
    return v;
  } catch {
    return undefined;
  }
}

/** First and last day of a "YYYY-MM" month (CE), or undefined. */
export function monthRange(v: string | null): { from: string; to: string } | undefined {
  const m = v === null ? null : /^(\d{4})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || year < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${m[1]}-${m[2]}-01`, to: `${m[1]}-${m[2]}-${String(last).padStart(2, "0")}` };
}

/** First and last Bangkok day (YYYY-MM-DD, CE) of a fiscal year. */
export function fiscalYearDays(fy: number): { from: string; to: string } {
  const ce = fromBuddhistYear(fy);
  return { from: `${String(ce - 1).padStart(4, "0")}-10-01`, to: `${String(ce).padStart(4, "0")}-09-30` };
}

/** Whether a day key lies inside the fiscal year. */
function inFiscalYear(day: string, fy: number): boolean {
  const { from, to } = fiscalYearDays(fy);
  return day >= from && day <= to;
}

/**
 * Reads the criteria from URL parameters. Every parameter is checked on its own and ignored when malformed or out of
 * range. from/to must lie within the fiscal year when one is given; `month` is used only when neither from nor to is
 * valid; a range whose start is after its end is dropped entirely.
 */
export function parseCaseListCriteria(params: URLSearchParams): CaseListCriteria {
  const fy = parseFiscalYearParam(params.get("fy"));
  const c: CaseListCriteria = {};
  if (fy !== undefined) c.fy = fy;
  const okDay = (d: string | undefined) => (d !== undefined && (fy === undefined || inFiscalYear(d, fy)) ? d : undefined);
  let from = okDay(parseDayKey(params.get("from")));
  let to = okDay(parseDayKey(params.get("to")));
  if (from === undefined && to === undefined) {
    const m = monthRange(params.get("month"));
    if (m && okDay(m.from) && okDay(m.to)) ({ from, to } = m);
  }
  if (from !== undefined && to !== undefined && from > to) from = to = undefined;
  if (from !== undefined) c.from = from;
  if (to !== undefined) c.to = to;
  const categoryId = positiveId(params.get("category"));
  if (categoryId !== undefined) c.categoryId = categoryId;
  const channel = oneOf(COMPLAINT_CHANNELS, params.get("channel"));
  if (channel) c.channel = channel;
  const divisionId = idOrNone(params.get("division"));
  if (divisionId !== undefined) c.divisionId = divisionId;
  const villageId = idOrNone(params.get("village"));
  if (villageId !== undefined) c.villageId = villageId;
  const state = oneOf(CASE_LIST_STATES, params.get("state"));
  if (state) c.state = state;
  const sla = oneOf(CASE_LIST_SLA, params.get("sla"));
  if (sla) c.sla = sla;
  const ack = oneOf(CASE_LIST_ACK, params.get("ack"));
  if (ack) c.ack = ack;
  const topic = oneOf(PLAN_TOPIC_CODES, params.get("topic"));
  if (topic) c.topic = topic;
  const rated = oneOf(CASE_LIST_RATED, params.get("rated"));
  if (rated) c.rated = rated;
  return c;
}

/** The filter of a statistics list; null when the fiscal year is missing or invalid. */
export function parseCaseListFilter(params: URLSearchParams): CaseListFilter | null {
  const c = parseCaseListCriteria(params);
  return c.fy === undefined ? null : (c as CaseListFilter);
}

/**
 * Criteria only staff may filter by. A case's plan topics are an officer's internal classification (often an
 * allegation against a named officer's work) and a rating is one complainant's survey answer: filtering the public
 * list by them would publish, case by case, what the rows themselves never show.
 */
export const STAFF_ONLY_CRITERIA = ["topic", "rated"] as const;

export function hasStaffOnlyCriteria(f: CaseListCriteria): boolean {
  return STAFF_ONLY_CRITERIA.some((k) => f[k] !== undefined);
}

/** The criteria the public list honours (staff-only ones dropped). */
export function publicCriteria<T extends CaseListCriteria>(f: T): T {
  const out = { ...f };
  for (const k of STAFF_ONLY_CRITERIA) delete out[k];
  return out;
}

/** The URL parameters of criteria, in a stable order (fy, from, to, category, channel, division, village, state, sla, ack, topic, rated). */
export function caseListParams(f: CaseListCriteria): URLSearchParams {
  const p = new URLSearchParams();
  if (f.fy !== undefined) p.set("fy", String(f.fy));
  if (f.from) p.set("from", f.from);
  if (f.to) p.set("to", f.to);
  if (f.categoryId !== undefined) p.set("category", String(f.categoryId));
  if (f.channel) p.set("channel", f.channel);
  if (f.divisionId !== undefined) p.set("division", String(f.divisionId));
  if (f.villageId !== undefined) p.set("village", String(f.villageId));
  if (f.state) p.set("state", f.state);
  if (f.sla) p.set("sla", f.sla);
  if (f.ack) p.set("ack", f.ack);
  if (f.topic) p.set("topic", f.topic);
  if (f.rated) p.set("rated", f.rated);
  return p;
}

/** "?fy=2569&from=…": the query string of a filter, parameters in a stable order. */
export function caseListSearch(f: CaseListCriteria): string {
  const s = caseListParams(f).toString();
  return s ? `?${s}` : "";
}

/** Where a figure links: the public anonymised list, or the staff queue (which includes closed cases: status=all). */
export function caseListHref(f: CaseListFilter, audience: "public" | "staff"): string {
  if (audience === "public") return `/stats/cases${caseListSearch(publicCriteria(f))}`;
  const s = caseListParams(f).toString();
  return `/staff?status=all${s ? `&${s}` : ""}`;
}

/** Whether any criterion besides the fiscal year is set. */
export function hasCriteria(f: CaseListCriteria): boolean {
  return CRITERIA_KEYS.some((k) => (k === "dates" ? f.from !== undefined || f.to !== undefined : f[k] !== undefined));
}

/** The criteria without one of them (for "remove this filter" links). */
export function withoutCriterion<T extends CaseListCriteria>(f: T, key: CriterionKey | "fy"): T {
  const out = { ...f };
  if (key === "dates") {
    delete out.from;
    delete out.to;
  } else delete out[key];
  return out;
}

/** The UTC instants bounding the Bangkok days from..to: [start, endExclusive). */
export function dayRangeInstants(from: string | undefined, to: string | undefined): { start?: Date; endExclusive?: Date } {
  return {
    start: from ? dateFromBangkokKey(from) : undefined,
    endExclusive: to ? new Date(dateFromBangkokKey(to).getTime() + 24 * 3600 * 1000) : undefined,
  };
}

/** Names of the things the criteria refer to by id, in the reader's language (looked up by the caller). */
export interface CriteriaNames {
  category?: string;
  division?: string;
  /** Village number (หมู่ที่). */
  village?: number;
}

/** Minimal translation function (i18next's `t` fits). */
type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * The filter in words, one phrase per criterion (join with " · "), e.g.
 * ["เรื่องที่รับในเดือนมกราคม 2569", "หมวดถนน/ทางเท้า", "ดำเนินการแล้วเสร็จ"]. `t` must be bound to the caselist
 * namespace. Each phrase comes with the criterion it describes, for removable chips.
 */
export function describeCriteria(
  f: CaseListCriteria,
  t: T,
  lang: Lang,
  names: CriteriaNames = {},
): { key: CriterionKey | "fy"; text: string }[] {
  const out: { key: CriterionKey | "fy"; text: string }[] = [];
  const fyDays = f.fy !== undefined ? fiscalYearDays(f.fy) : undefined;
  const day = (k: string) => formatThaiDateKey(k, lang);
  if (f.from !== undefined || f.to !== undefined) {
    const whole = f.from && f.to ? monthRange(f.from.slice(0, 7)) : undefined;
    if (fyDays && f.from === fyDays.from && f.to === fyDays.to) {
      out.push({ key: "fy", text: t("describe.fiscalYear", { fy: f.fy }) });
    } else if (whole && whole.from === f.from && whole.to === f.to) {
      const monthName = formatThaiDateKey(f.from!, lang).replace(/^\d+ /, "");
      out.push({ key: "dates", text: t("describe.month", { month: monthName }) });
    } else if (f.from && f.to) {
      out.push({ key: "dates", text: t("describe.between", { from: day(f.from), to: day(f.to) }) });
    } else if (f.from) {
      out.push({ key: "dates", text: t("describe.since", { from: day(f.from) }) });
    } else {
      out.push({ key: "dates", text: t("describe.until", { to: day(f.to!) }) });
    }
  } else if (f.fy !== undefined) {
    out.push({ key: "fy", text: t("describe.fiscalYear", { fy: f.fy }) });
  }
  if (f.categoryId !== undefined)
    out.push({ key: "categoryId", text: t("describe.category", { name: names.category ?? `#${f.categoryId}` }) });
  if (f.channel) out.push({ key: "channel", text: t("describe.channel", { name: t(`channels.${f.channel}`) }) });
  if (f.divisionId !== undefined) {
    out.push({
      key: "divisionId",
      text: f.divisionId === "none" ? t("describe.noDivision") : t("describe.division", { name: names.division ?? `#${f.divisionId}` }),
    });
  }
  if (f.villageId !== undefined) {
    out.push({
      key: "villageId",
      text: f.villageId === "none" ? t("describe.noVillage") : t("describe.village", { number: names.village ?? "?" }),
    });
  }
  if (f.state) out.push({ key: "state", text: t(`describe.state.${f.state}`) });
  if (f.sla) out.push({ key: "sla", text: t(`describe.sla.${f.sla}`) });
  if (f.ack) out.push({ key: "ack", text: t(`describe.ack.${f.ack}`) });
  if (f.topic) out.push({ key: "topic", text: t("describe.topic", { name: t(`topics.${f.topic}.name`) }) });
  if (f.rated) out.push({ key: "rated", text: t(`describe.rated.${f.rated}`) });
  return out;
}
