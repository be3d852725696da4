/**
 * The keys that seal reporters' inbox cookies, one per day, shared by every app server through the database
 * (app/models/report/cookies.server.ts), and the inbox sessions signed out before their end. A day's key is random,
 * stored sealed under a key of the organisation's secrets, made ahead by housekeeping (so its existence says nothing
 * about anyone's visit) and deleted two days later with the sign-outs of its day: a cookie copied today opens nothing
 * once its day's key is gone. No row names a report, a time of day or a client.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("inbox_cookie_keys")
    .addColumn("day", "integer", (c) => c.primaryKey())
    .addColumn("sealed", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("inbox_signed_out")
    .addColumn("sid_hash", "text", (c) => c.primaryKey())
    .addColumn("day", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("inbox_signed_out").execute();
  await db.schema.dropTable("inbox_cookie_keys").execute();
}
