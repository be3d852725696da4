/**
 * staff_sessions.sealed_state: what a sign-in session carries between requests that any app server must be able to
 * open — an integrity officer's unlocked report keys (or, between the password and the second factor, the key their
 * password gave), a report recovery key or second-factor recovery codes still to be shown once — encrypted under a key
 * derived from the session's cookie token, which the database never holds (app/utils/session-seal.server.ts). The
 * database alone opens nothing. Gone with the session row.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").addColumn("sealed_state", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").dropColumn("sealed_state").execute();
}
