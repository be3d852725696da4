/**
 * staff_sessions.sealed_keys: an integrity officer's unlocked report keys (or, between the password and the second
 * factor, the key their password gave), encrypted under a key derived from the session's cookie token, which the
 * database never holds (app/models/report/key-vault.server.ts). Any app server that receives the cookie can open it;
 * the database alone cannot. Gone with the session row.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").addColumn("sealed_keys", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").dropColumn("sealed_keys").execute();
}
