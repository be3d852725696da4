/**
 * The map: where the organisation's map opens (org_profile.map_centre_lat / map_centre_lng / map_zoom; set by the
 * administrator, seeded for อบต.วังลึก), the "me too" marks citizens add to an open complaint nearby instead of filing
 * it again (complaint_me_too: one per device per case; the device is kept only as a keyed hash that differs from case
 * to case), and an index of open cases by position for the nearby lookup.
 */
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/** The open-case condition exactly as db/statuses.ts openStatusSqlText() writes it (SQLite matches partial indexes by text). */
const OPEN = `status in ('received','accepted','in_progress','waiting_info')`;

export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql.raw(`alter table org_profile add column map_centre_lat ${d.real} check (map_centre_lat between -90 and 90)`).execute(db);
  await sql.raw(`alter table org_profile add column map_centre_lng ${d.real} check (map_centre_lng between -180 and 180)`).execute(db);
  await sql.raw(`alter table org_profile add column map_zoom integer not null default 13 check (map_zoom between 5 and 18)`).execute(db);
  // The seeded organisation (ตำบลวังลึก, อำเภอสามชุก, สุพรรณบุรี): an installation that already exists gets the same
  // centre a new one is seeded with (db/seed/wangluek.json); the administrator moves it to the office.
  await sql.raw(`update org_profile set map_centre_lat = 14.7636, map_centre_lng = 100.1905 where code = 'wangluek'`).execute(db);

  await db.schema
    .createTable("complaint_me_too")
    .addColumn("id", "integer", d.autoId)
    .addColumn("complaint_id", "integer", (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    // HMAC of (case, device cookie): the same device cannot mark a case twice, and two marks of one device on
    // different cases cannot be linked.
    .addColumn("device_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("complaint_me_too_once", ["complaint_id", "device_hash"])
    .execute();

  await sql
    .raw(`create index complaints_open_position on complaints (latitude, longitude) where ${OPEN} and latitude is not null`)
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`drop index if exists complaints_open_position`).execute(db);
  await db.schema.dropTable("complaint_me_too").execute();
  await sql.raw(`alter table org_profile drop column map_zoom`).execute(db);
  await sql.raw(`alter table org_profile drop column map_centre_lng`).execute(db);
  await sql.raw(`alter table org_profile drop column map_centre_lat`).execute(db);
}
