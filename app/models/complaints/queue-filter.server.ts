/** The statistics filter of the staff queue (/staff?…): the criteria as removable chips plus the hidden fields that keep them. */
import { CASE_LIST_PARAMS, caseListHref, describeCriteria, type CaseListCriteria, type CriterionKey } from "~/lib/complaint-list-filter";
import { tFor } from "~/i18n";
import { criteriaNames } from "~/models/complaints/list.server";
import type { parseQueueFilters } from "~/models/complaints/queue.server";
import { getDb } from "~/utils/db.server";

/** The URL parameters each statistics criterion comes from (removing a chip removes them). */
const CRITERION_PARAMS: Record<CriterionKey | "fy", string[]> = {
  fy: ["fy"],
  dates: ["from", "to", "month"],
  categoryId: ["category"],
  channel: ["channel"],
  divisionId: ["division"],
  villageId: ["village"],
  state: ["state"],
  sla: ["sla"],
  ack: ["ack"],
  topic: ["topic"],
  rated: ["rated"],
};

/**
 * The statistics filter in words, so an officer sees why the queue is filtered: one chip per criterion with a link
 * that removes it, plus the hidden fields that keep the criteria when the filter form is submitted.
 */
export async function statisticsFilter(
  params: URLSearchParams,
  filters: ReturnType<typeof parseQueueFilters>,
  lang: "th" | "en",
  restricted: boolean,
) {
  const criteria: CaseListCriteria = { ...filters.list };
  if (filters.categoryId !== undefined) criteria.categoryId = filters.categoryId;
  if (filters.divisionId !== undefined) criteria.divisionId = filters.divisionId;
  const names = await criteriaNames(getDb(), criteria, lang);
  const t = tFor(lang, "caselist") as unknown as (k: string, o?: Record<string, unknown>) => string;
  const without = (names: string[]) => {
    const p = new URLSearchParams(params);
    for (const n of [...names, "page"]) p.delete(n);
    const s = p.toString();
    return s ? `/staff?${s}` : "/staff";
  };
  const chips = describeCriteria(criteria, t, lang, names).map((c) => ({
    key: c.key,
    text: c.text,
    removeHref: without(CRITERION_PARAMS[c.key]),
  }));
  // Criteria the form has no field for travel as hidden fields (category and a division id have their own selects).
  const hidden: { name: string; value: string }[] = [];
  for (const name of CASE_LIST_PARAMS) {
    if (name === "category" || (name === "division" && !restricted)) continue;
    const v = params.get(name);
    if (v !== null && v !== "") hidden.push({ name, value: v });
  }
  return {
    chips,
    hidden,
    clearHref: without([...CASE_LIST_PARAMS]),
    publicHref: criteria.fy !== undefined ? caseListHref({ ...criteria, fy: criteria.fy }, "public") : null,
  };
}
