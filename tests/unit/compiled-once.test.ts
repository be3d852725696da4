/** db/compiled-once.ts: compiled once per database, run with each call's parameters, refused when unsafe. */
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { compiledOnce } from "../../db/compiled-once";

interface T {
  people: { id: number; name: string; team: string };
}

const opened: Kysely<T>[] = [];
async function database(): Promise<Kysely<T>> {
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new Database(":memory:") }) });
  opened.push(db);
  await sql`create table people (id integer primary key, name text not null, team text not null)`.execute(db);
  await db
    .insertInto("people")
    .values([
      { id: 1, name: "Somchai", team: "works" },
      { id: 2, name: "Malee", team: "health" },
      { id: 3, name: "Anong", team: "works" },
    ])
    .execute();
  return db;
}
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

describe("compiledOnce", () => {
  it("builds the query once per database and answers each call with its own parameters", async () => {
    let builds = 0;
    const byTeam = compiledOnce((db: Kysely<T>, team: string, minId: number) => {
      builds++;
      return db.selectFrom("people").select(["id", "name"]).where("team", "=", team).where("id", ">=", minId).orderBy("id");
    });
    const a = await database();
    expect(await byTeam(a, "works", 1)).toEqual([
      { id: 1, name: "Somchai" },
      { id: 3, name: "Anong" },
    ]);
    expect(await byTeam(a, "works", 2)).toEqual([{ id: 3, name: "Anong" }]);
    expect(await byTeam(a, "health", 0)).toEqual([{ id: 2, name: "Malee" }]);
    expect(await byTeam(a, "nobody", 0)).toEqual([]);
    expect(builds).toBe(1);
    // Another database (another organisation, another dialect) gets its own compilation.
    const b = await database();
    await b.deleteFrom("people").where("id", "=", 3).execute();
    expect(await byTeam(b, "works", 1)).toEqual([{ id: 1, name: "Somchai" }]);
    expect(builds).toBe(2);
    // Concurrent calls do not share their parameters.
    const answers = await Promise.all([byTeam(a, "works", 3), byTeam(a, "health", 0), byTeam(a, "works", 1)]);
    expect(answers.map((rows) => rows.map((r) => r.id))).toEqual([[3], [2], [1, 3]]);
  });

  it("refuses a query whose parameters are not exactly its arguments in order", async () => {
    const db = await database();
    const extra = compiledOnce((d: Kysely<T>, team: string) =>
      d.selectFrom("people").selectAll().where("team", "=", team).where("id", ">", 0),
    );
    await expect(extra(db, "works")).rejects.toThrow(/compiledOnce/);
    const twice = compiledOnce((d: Kysely<T>, name: string) =>
      d
        .selectFrom("people")
        .selectAll()
        .where((eb) => eb.or([eb("name", "=", name), eb("team", "=", name)])),
    );
    await expect(twice(db, "works")).rejects.toThrow(/compiledOnce/);
    const swapped = compiledOnce((d: Kysely<T>, team: string, minId: number) =>
      d.selectFrom("people").selectAll().where("id", ">=", minId).where("team", "=", team),
    );
    await expect(swapped(db, "works", 1)).rejects.toThrow(/compiledOnce/);
    // Values written into the text (literals) are not parameters and are fine.
    const literal = compiledOnce((d: Kysely<T>, team: string) =>
      d
        .selectFrom("people")
        .select(sql<number>`count(*) + 0`.as("n"))
        .where("team", "=", team),
    );
    expect(await literal(db, "works")).toEqual([{ n: 2 }]);
  });
});
