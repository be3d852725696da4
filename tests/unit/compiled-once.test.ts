/** db/compiled-once.ts: compiled once per database, run with each call's parameters, refused when unsafe. */
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { compiledAroundSlot, compiledOnce } from "../../db/compiled-once";
import { pageWindowSql } from "../../db/page-window";

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

describe("compiledAroundSlot", () => {
  it("builds the query once per database and fills its slot with each call's own part and parameters", async () => {
    let builds = 0;
    const namesOf = compiledAroundSlot((db: Kysely<T>, slot) => {
      builds++;
      return db
        .with("chosen(id)", () => sql<{ id: number }>`(${slot})`)
        .selectFrom("chosen")
        .innerJoin("people", "people.id", "chosen.id")
        .select(["people.id", "people.name"])
        .orderBy("people.id");
    });
    const a = await database();
    const ofTeam = (team: string, window = pageWindowSql(10, 0)) => sql`select id from people where team = ${team} order by id ${window}`;
    expect(await namesOf(a, ofTeam("works"))).toEqual([
      { id: 1, name: "Somchai" },
      { id: 3, name: "Anong" },
    ]);
    expect(await namesOf(a, ofTeam("works", pageWindowSql(1, 1)))).toEqual([{ id: 3, name: "Anong" }]);
    // A part with other conditions and parameters of its own.
    expect(await namesOf(a, sql`select id from people where id > ${1} and name <> ${"Anong"}`)).toEqual([{ id: 2, name: "Malee" }]);
    expect(await namesOf(a, sql`select id from people where 0 = 1`)).toEqual([]);
    expect(builds).toBe(1);
    const b = await database();
    await b.deleteFrom("people").where("id", "=", 1).execute();
    expect(await namesOf(b, ofTeam("works"))).toEqual([{ id: 3, name: "Anong" }]);
    expect(builds).toBe(2);
    const answers = await Promise.all([namesOf(a, ofTeam("health")), namesOf(a, ofTeam("works")), namesOf(a, ofTeam("nobody"))]);
    expect(answers.map((rows) => rows.map((r) => r.id))).toEqual([[2], [1, 3], []]);
  });

  it("refuses a query with a parameter outside its slot, or without exactly one slot", async () => {
    const db = await database();
    const part = sql`select id from people`;
    const parameterOutside = compiledAroundSlot((d: Kysely<T>, slot) =>
      d
        .selectFrom("people")
        .selectAll()
        .where("team", "=", "works")
        .where(sql<boolean>`id in (${slot})`),
    );
    await expect(parameterOutside(db, part)).rejects.toThrow(/compiledAroundSlot/);
    const noSlot = compiledAroundSlot((d: Kysely<T>) => d.selectFrom("people").selectAll());
    await expect(noSlot(db, part)).rejects.toThrow(/compiledAroundSlot/);
    const twoSlots = compiledAroundSlot((d: Kysely<T>, slot) =>
      d
        .selectFrom("people")
        .selectAll()
        .where(sql<boolean>`id in (${slot}) or id in (${slot})`),
    );
    await expect(twoSlots(db, part)).rejects.toThrow(/compiledAroundSlot/);
  });
});

describe("pageWindowSql", () => {
  it("writes the window into the statement as whole numbers, never as parameters, and refuses anything else", async () => {
    const db = await database();
    const compiled = sql`select id from people order by id ${pageWindowSql(26, 50)}`.compile(db);
    expect(compiled.sql).toBe("select id from people order by id limit 26 offset 50");
    expect(compiled.parameters).toEqual([]);
    for (const [limit, offset] of [
      [1.5, 0],
      [10, -1],
      [-1, 0],
      [Number.NaN, 0],
      [10, Number.POSITIVE_INFINITY],
      [2 ** 60, 0],
    ])
      expect(() => pageWindowSql(limit!, offset!)).toThrow(/whole numbers/);
    expect(() => pageWindowSql("1; drop table people" as unknown as number, 0)).toThrow(/whole numbers/);
  });
});
