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
import { createQueryId, sql, type Compilable, type CompiledQuery, type Kysely, type RawBuilder } from "kysely";

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

const SLOT = "\u0000compiled-once-slot";

/**
 * A query compiled once per database around one slot, which each call fills with a part of its own (for example the
 * queue's page of ids, whose filters vary): only that part is compiled per call. The rest of the query must have no
 * parameter, so the part's parameters are the statement's (its placeholders, `$1`… on PostgreSQL, are numbered from
 * one). Checked when the query is first compiled: exactly one slot, no parameter outside it.
 */
export function compiledAroundSlot<DB, Row>(
  build: (db: Kysely<DB>, slot: RawBuilder<unknown>) => Compilable<Row>,
): (db: Kysely<DB>, part: RawBuilder<unknown>) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<DB>, { query: CompiledQuery<Row>; before: string; after: string }>();
  return async (db, part) => {
    let around = compiled.get(db);
    if (!around) {
      const query = build(db, sql.raw(SLOT)).compile();
      const pieces = query.sql.split(SLOT);
      if (query.parameters.length !== 0 || pieces.length !== 2)
        throw new Error("compiledAroundSlot: the query must have exactly one slot and no parameter outside it");
      around = { query, before: pieces[0], after: pieces[1] };
      compiled.set(db, around);
    }
    const inner = part.compile(db);
    const statement = {
      ...around.query,
      sql: around.before + inner.sql + around.after,
      parameters: inner.parameters,
      queryId: createQueryId(),
    };
    return (await db.executeQuery<Row>(statement)).rows;
  };
}
