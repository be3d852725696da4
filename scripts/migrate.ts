/** `npm run db:migrate` migrates to the latest schema; `npm run db:migrate -- down` undoes the newest migration. */
import { getDb } from "../app/utils/db.server";
import { migrateDown, migrateToLatest } from "../db/connection";
import { seedHolidays, seedOrganisation } from "../db/seed";

async function main() {
  const db = getDb();
  const down = process.argv.includes("down");
  const result = down ? await migrateDown(db) : await migrateToLatest(db);
  if (result.error) throw result.error;
  for (const r of result.results ?? []) console.log(`${r.direction === "Down" ? "reverted" : "applied"} ${r.migrationName}: ${r.status}`);
  if (!result.results?.length) console.log("database is up to date");
  if (!down && (await seedOrganisation(db))) console.log("organisation profile seeded");
  if (!down) {
    const n = await seedHolidays(db);
    if (n > 0) console.log(`${n} holidays seeded`);
  }
  await db.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
