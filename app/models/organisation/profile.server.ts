import type { DB } from "../../../db/connection";
import type { Category, Division, OrgProfile, Village } from "../../../db/schema";

/**
 * Organisation reference data (profile, divisions, villages, categories) is read on nearly every page and changes
 * rarely, so each process keeps it for a few seconds. Admin changes in this process clear it at once; another
 * process sees them within CACHE_MS.
 */
const CACHE_MS = 5_000;

interface Snapshot {
  at: number;
  profile: OrgProfile;
  divisions: Division[];
  villages: Village[];
  categories: Category[];
  active: { divisions: Division[]; villages: Village[]; categories: Category[] };
  byId: ReferenceById;
}

/** Every division, village and category (active or not) by id. */
export interface ReferenceById {
  divisions: ReadonlyMap<number, Division>;
  villages: ReadonlyMap<number, Village>;
  categories: ReadonlyMap<number, Category>;
}

const snapshots = new WeakMap<DB, Promise<Snapshot>>();

async function load(db: DB): Promise<Snapshot> {
  const [profile, divisions, villages, categories] = await Promise.all([
    db.selectFrom("org_profile").selectAll().where("id", "=", 1).executeTakeFirstOrThrow(),
    db.selectFrom("divisions").selectAll().orderBy("sort_order").orderBy("id").execute(),
    db.selectFrom("villages").selectAll().orderBy("number").execute(),
    db.selectFrom("categories").selectAll().orderBy("sort_order").orderBy("id").execute(),
  ]);
  const on = <T extends { active: number }>(rows: T[]) => rows.filter((r) => r.active === 1);
  return {
    at: Date.now(),
    profile,
    divisions,
    villages,
    categories,
    active: { divisions: on(divisions), villages: on(villages), categories: on(categories) },
    byId: {
      divisions: new Map(divisions.map((d) => [d.id, d])),
      villages: new Map(villages.map((v) => [v.id, v])),
      categories: new Map(categories.map((c) => [c.id, c])),
    },
  };
}

async function snapshot(db: DB): Promise<Snapshot> {
  const cached = snapshots.get(db);
  if (cached) {
    const snap = await cached;
    if (Date.now() - snap.at < CACHE_MS) return snap;
  }
  const fresh = load(db);
  snapshots.set(db, fresh);
  fresh.catch(() => snapshots.delete(db));
  return fresh;
}

/** Forget the cached reference data (after an admin change). */
export function invalidateOrgCache(db: DB): void {
  snapshots.delete(db);
}

/** The organisation profile (name, contacts, SLA settings). Seeded at first start, edited by admins. */
export async function getOrgProfile(db: DB): Promise<OrgProfile> {
  return (await snapshot(db)).profile;
}

export async function listDivisions(db: DB, { activeOnly = true } = {}): Promise<Division[]> {
  const snap = await snapshot(db);
  return activeOnly ? snap.active.divisions : snap.divisions;
}

export async function listCategories(db: DB, { activeOnly = true } = {}): Promise<Category[]> {
  const snap = await snapshot(db);
  return activeOnly ? snap.active.categories : snap.categories;
}

export async function listVillages(db: DB, { activeOnly = true } = {}): Promise<Village[]> {
  const snap = await snapshot(db);
  return activeOnly ? snap.active.villages : snap.villages;
}

/** The ids a page is about to name (null: none, e.g. a case not yet given to a division). */
export interface NamedIds {
  divisions?: readonly (number | null)[];
  villages?: readonly (number | null)[];
  categories?: readonly (number | null)[];
}

/**
 * The divisions, villages and categories by id, for pages that show their names: a page of cases reads the ids from
 * its rows and the names from here rather than joining three tables per row (same freshness as the lists above).
 * `naming`: the ids the caller is about to name. One that the kept copy does not have (added by another app server
 * in the last few seconds) makes it read again, once.
 */
export async function referenceById(db: DB, naming: NamedIds = {}): Promise<ReferenceById> {
  const kept = (await snapshot(db)).byId;
  if (knowsAll(kept, naming)) return kept;
  invalidateOrgCache(db);
  return (await snapshot(db)).byId;
}

function knowsAll(names: ReferenceById, naming: NamedIds): boolean {
  const known = (map: ReadonlyMap<number, unknown>, ids: readonly (number | null)[] | undefined) =>
    !ids || ids.every((id) => id === null || map.has(id));
  return known(names.divisions, naming.divisions) && known(names.villages, naming.villages) && known(names.categories, naming.categories);
}

/** Picks the Thai or English name of a row that has name_th / name_en. */
export function nameIn(lang: "th" | "en", row: { name_th: string; name_en: string } | undefined | null): string {
  if (!row) return "";
  return lang === "en" ? row.name_en : row.name_th;
}
