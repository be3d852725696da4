/**
 * A query whose text never changes, compiled once per database and run with each call's parameters.
 *
 * Kysely builds and compiles a query on every call (an operation tree, frozen, then visited): 20–25 µs for the
 * back-office session lookup, which runs on every staff page. The compiled text depends only on the database it is
 * compiled for (its dialect, its organisation's schema), so it is kept per Kysely instance.
 *
 * The rule that makes this safe: `build(db, ...params)` must place each of its arguments in the query as one
 * parameter, in order, and nothing else as a parameter, whatever the values. This is checked when the query is first
 * compiled (with placeholder values); a builder that breaks it throws there, in every test that reaches it.
 */
import { createQueryId, type Compilable, type CompiledQuery, type Kysely } from "kysely";

export function compiledOnce<DB, P extends unknown[], Row>(
  build: (db: Kysely<DB>, ...params: P) => Compilable<Row>,
): (db: Kysely<DB>, ...params: P) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<DB>, CompiledQuery<Row>>();
  return async (db, ...params) => {
    let query = compiled.get(db);
    if (!query) {
      const placeholders = params.map((_, i) => `\u0000compiled-once-${i}`) as P;
      query = build(db, ...placeholders).compile();
      const same = query.parameters.length === placeholders.length && query.parameters.every((p, i) => p === placeholders[i]);
      if (!same) throw new Error("compiledOnce: the query must use each argument once as a parameter, in order, and no other parameter");
      compiled.set(db, query);
    }
    // A query id of its own per run (plugins may match a result to its query by it).
    const result = await db.executeQuery<Row>({ ...query, parameters: params, queryId: createQueryId() });
    return result.rows;
  };
}
