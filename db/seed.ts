import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { DB } from "./connection";
import { holidaySeedRows } from "./holidays-th";

const seedSchema = z.object({
  profile: z.object({
    code: z.string().min(1),
    name_th: z.string().min(1),
    name_en: z.string().min(1),
    address_th: z.string(),
    address_en: z.string(),
    phone: z.string(),
    email: z.string(),
    website: z.string(),
    privacy_contact_th: z.string(),
    privacy_contact_en: z.string(),
    sla_days: z.number().int().min(1).max(90),
    due_soon_days: z.number().int().min(0).max(30),
    counting_mode: z.enum(["calendar", "working"]),
    retention_years: z.number().int().min(1).max(50),
    /** Where the maps open (the administrator can move it). */
    map_centre_lat: z.number().min(-90).max(90).optional(),
    map_centre_lng: z.number().min(-180).max(180).optional(),
    map_zoom: z.number().int().min(5).max(18).optional(),
  }),
  divisions: z.array(z.object({ code: z.string(), name_th: z.string(), name_en: z.string() })).min(1),
  villages: z.array(z.object({ number: z.number().int().min(1), name_th: z.string(), name_en: z.string() })).min(1),
  categories: z.array(z.object({ code: z.string(), name_th: z.string(), name_en: z.string(), division: z.string() })).min(1),
});

export type OrgSeed = z.infer<typeof seedSchema>;

/** db/seed/wangluek.json, found next to this module or (from a bundled server) under the working directory. */
export function defaultSeedFile(): string {
  const candidates = [
    path.join(path.dirname(fileURLToPath(import.meta.url)), "seed", "wangluek.json"),
    path.resolve("db", "seed", "wangluek.json"),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[candidates.length - 1];
}

export function readSeedFile(file: string = defaultSeedFile()): OrgSeed {
  return seedSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** Seeds the organisation profile, divisions, villages and categories once; an existing profile is left alone. */
export async function seedOrganisation(db: DB, seed: OrgSeed = readSeedFile()): Promise<boolean> {
  const existing = await db.selectFrom("org_profile").select("id").executeTakeFirst();
  if (existing) return false;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("org_profile")
      .values({ id: 1, ...seed.profile, updated_at: new Date().toISOString() })
      .execute();
    const divisionIds = new Map<string, number>();
    for (const [i, d] of seed.divisions.entries()) {
      const row = await trx
        .insertInto("divisions")
        .values({ ...d, sort_order: i, active: 1 })
        .returning("id")
        .executeTakeFirstOrThrow();
      divisionIds.set(d.code, row.id);
    }
    for (const v of seed.villages) {
      await trx
        .insertInto("villages")
        .values({ ...v, active: 1 })
        .execute();
    }
    for (const [i, c] of seed.categories.entries()) {
      const divisionId = divisionIds.get(c.division);
      if (divisionId === undefined) throw new Error(`Seed category ${c.code} names unknown division ${c.division}`);
      await trx
        .insertInto("categories")
        .values({ code: c.code, name_th: c.name_th, name_en: c.name_en, division_id: divisionId, sort_order: i, active: 1 })
        .execute();
    }
  });
  return true;
}

/**
 * Seeds the Thai government holidays and substitution days 2023–2027 (db/holidays-th.ts), year by year: a year
 * that already has any holiday in the table is left alone, so admin corrections (edits, deletions, additions) survive
 * restarts, and a later seed file can still add new years. Idempotent; returns how many rows were inserted.
 */
export async function seedHolidays(db: DB): Promise<number> {
  const at = new Date().toISOString();
  const byYear = new Map<string, ReturnType<typeof holidaySeedRows>>();
  for (const h of holidaySeedRows()) {
    const y = h.date.slice(0, 4);
    byYear.set(y, [...(byYear.get(y) ?? []), h]);
  }
  let inserted = 0;
  await db.transaction().execute(async (trx) => {
    for (const [year, list] of byYear) {
      const any = await trx
        .selectFrom("holidays")
        .select("date")
        .where("date", ">=", `${year}-01-01`)
        .where("date", "<=", `${year}-12-31`)
        .limit(1)
        .executeTakeFirst();
      if (any) continue;
      for (const h of list) {
        await trx
          .insertInto("holidays")
          .values({ date: h.date, name_th: h.nameTh, name_en: h.nameEn, kind: h.kind, updated_at: at, updated_by: null })
          .onConflict((oc) => oc.column("date").doNothing())
          .execute();
        inserted++;
      }
    }
  });
  return inserted;
}
