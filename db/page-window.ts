/** The window of one page of a list: `limit … offset …`. */
import { sql, type RawBuilder } from "kysely";

/**
 * `limit … offset …` written into the text as integers, not parameters. PostgreSQL cannot estimate a LIMIT it is
 * given as a parameter (it assumes a tenth of the rows), so the reusable plan of a prepared statement looked dearer
 * than planning each call afresh, and the staff queue's statement was planned on every page (about 0.5 ms of the
 * database's CPU, twice its execution). With the numbers in the text it is planned once per connection. Each page
 * number is then a statement of its own; the first pages are the ones asked for.
 */
export function pageWindowSql(limit: number, offset: number): RawBuilder<unknown> {
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset) || limit < 0 || offset < 0)
    throw new Error("pageWindowSql: limit and offset must be whole numbers");
  return sql`limit ${sql.lit(limit)} offset ${sql.lit(offset)}`;
}
