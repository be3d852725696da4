/**
 * `npm run stats:rebuild`: recomputes every statistics summary from the case rows, in one transaction (the pages keep
 * showing the old figures until it commits). Never needed in normal running — triggers keep the summaries current —
 * but useful after bulk-loading old cases with triggers off, or to prove the summaries match the rows (`--check`
 * compares without changing anything and exits 1 on a difference).
 */
import { sql } from "kysely";
import { getDb } from "../app/utils/db.server";
import { migrateToLatest } from "../db/connection";
import { rebuildStatistics } from "../db/statistics";

const TABLES = ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"];

async function snapshot(db: ReturnType<typeof getDb>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of TABLES) {
    const rows = await sql.raw<Record<string, unknown>>(`select * from ${t}`).execute(db);
    // Rows that sum to nothing (a case moved away from a cell) carry no figure.
    const kept = rows.rows.filter((r) => Object.entries(r).some(([k, v]) => typeof v === "number" && !["fiscal_year", "score", "days"].includes(k) && v !== 0));
    out.set(t, kept.map((r) => JSON.stringify(r)).sort().join("\n"));
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
  await db.destroy();
  if (check && differs.length) process.exit(1);
}

class RollbackForCheck extends Error {}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
