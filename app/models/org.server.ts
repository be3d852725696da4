import type { DB } from "../../db/connection";
import type { OrgProfile } from "../../db/schema";
import { getDb } from "~/utils/db.server";
import type { SlaPolicy } from "~/lib/sla";

/** The organisation profile (name, contacts, SLA settings). Seeded at first start, edited by admins. */
export async function getOrgProfile(db: DB = getDb()): Promise<OrgProfile> {
  return db.selectFrom("org_profile").selectAll().where("id", "=", 1).executeTakeFirstOrThrow();
}

export async function listDivisions(db: DB = getDb(), { activeOnly = true } = {}) {
  let q = db.selectFrom("divisions").selectAll().orderBy("sort_order").orderBy("id");
  if (activeOnly) q = q.where("active", "=", 1);
  return q.execute();
}

export async function listCategories(db: DB = getDb(), { activeOnly = true } = {}) {
  let q = db.selectFrom("categories").selectAll().orderBy("sort_order").orderBy("id");
  if (activeOnly) q = q.where("active", "=", 1);
  return q.execute();
}

export async function listVillages(db: DB = getDb(), { activeOnly = true } = {}) {
  let q = db.selectFrom("villages").selectAll().orderBy("number");
  if (activeOnly) q = q.where("active", "=", 1);
  return q.execute();
}

/** The deadline policy of the organisation (issue: working days and holidays come with the deadline module). */
export function slaPolicyOf(org: OrgProfile): SlaPolicy {
  return { resolveDays: org.sla_days, dueSoonDays: org.due_soon_days, mode: org.counting_mode };
}

/** Picks the Thai or English name of a row that has name_th / name_en. */
export function nameIn(lang: "th" | "en", row: { name_th: string; name_en: string } | undefined | null): string {
  if (!row) return "";
  return lang === "en" ? row.name_en : row.name_th;
}
