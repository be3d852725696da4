/**
 * complainants' satisfaction answers are counted by ANSWER date (the Bangkok day an answer was first given,
 * in that day's fiscal year) instead of in the case's cohort, as the data dictionary, the pages and the plan mean by
 * "answers in the year" (app/lib/stat-definitions.ts). The case-rating triggers change, so every statistics trigger is
 * re-created and the summaries are rebuilt from the rows (db/statistics.ts).
 */
import type { Kysely } from "kysely";
import { dropStatisticsTriggers, installStatisticsTriggers, rebuildStatistics } from "../statistics";

export async function up(db: Kysely<any>): Promise<void> {
  await dropStatisticsTriggers(db);
  await rebuildStatistics(db);
  await installStatisticsTriggers(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The definitions live in code: re-creating the triggers with the code in place is all a rollback can do.
  await dropStatisticsTriggers(db);
  await rebuildStatistics(db);
  await installStatisticsTriggers(db);
}
