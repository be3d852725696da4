/**
 * `npm run stats:rebuild`: recomputes every statistics summary from the case rows, in one transaction (the pages keep
 * showing the old figures until it commits). Never needed in normal running — triggers keep the summaries current —
 * but useful after bulk-loading old cases with triggers off, or to prove the summaries match the rows (`--check`
 * compares without changing anything and exits 1 on a difference).
 *
 * `--check` also recomputes every complaint's first-period and acknowledgement outcome from its HISTORY (status
 * events, notices, timestamps: app/models/statistics/outcome-check.server.ts) and lists each case whose stored outcome disagrees
 * (the summaries sum the stored column, so a wrong or missing outcome would otherwise pass unseen); any disagreement
 * exits 1. Outcomes are never rewritten by this script: a disagreement is a bug to investigate.
 */
import { sql } from "kysely";
import { getDb } from "../app/utils/db.server";
import { migrateToLatest } from "../db/connection";
import { rebuildStatistics } from "../db/statistics";
import { findOutcomeDisagreements } from "../app/models/statistics/outcome-check.server";
import { now } from "../app/utils/clock.server";

/** At most this many disagreeing cases are listed (the count is always complete). */
const LIST_MAX = 200;

const TABLES = ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"];

async function snapshot(db: ReturnType<typeof getDb>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of TABLES) {
    const rows = await sql.raw<Record<string, unknown>>(`select * from ${t}`).execute(db);
    // Rows that sum to nothing (a case moved away from a cell) carry no figure.
    const kept = rows.rows.filter((r) =>
      Object.entries(r).some(([k, v]) => typeof v === "number" && !["fiscal_year", "score", "days"].includes(k) && v !== 0),
    );
    out.set(
      t,
      kept
        .map((r) => JSON.stringify(r))
        .sort()
        .join("\n"),
    );
  }
  return out;
}

async function main() {
  const check = process.argv.includes("--check");
  const db = getDb();
  await migrateToLatest(db);
  const started = Date.now();
  const before = await snapshot(db);
  let differs: string[] = [];
  await db
    .transaction()
    .execute(async (trx) => {
      await rebuildStatistics(trx);
      const after = await snapshot(trx as unknown as ReturnType<typeof getDb>);
      differs = TABLES.filter((t) => before.get(t) !== after.get(t));
      if (check) throw new RollbackForCheck();
    })
    .catch((e) => {
      if (!(e instanceof RollbackForCheck)) throw e;
    });
  console.log(
    `${check ? "stats:rebuild --check" : "stats:rebuild"}: ${differs.length ? `differences in ${differs.join(", ")}` : "summaries match the case rows"}` +
      `${check ? " (nothing changed)" : differs.length ? " (rebuilt)" : ""} in ${Date.now() - started} ms`,
  );
  let outcomeProblems = 0;
  if (check) {
    const t0 = Date.now();
    const { checked, disagreements } = await findOutcomeDisagreements(db, now());
    outcomeProblems = disagreements.length;
    for (const d of disagreements.slice(0, LIST_MAX)) {
      console.log(`  ${d.reference}: stored ${d.field} = ${d.stored ?? "(none)"}, its history gives ${d.expected ?? "(none)"}`);
    }
    if (disagreements.length > LIST_MAX) console.log(`  … and ${disagreements.length - LIST_MAX} more`);
    console.log(
      `stats:rebuild --check: ${disagreements.length ? `${disagreements.length} stored outcome(s) disagree with the case history` : "stored outcomes match the case histories"}` +
        ` (${checked} complaints) in ${Date.now() - t0} ms`,
    );
  }
  await db.destroy();
  if (check && (differs.length || outcomeProblems)) process.exit(1);
}

class RollbackForCheck extends Error {}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
