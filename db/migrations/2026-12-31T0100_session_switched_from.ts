/**
 * staff_sessions.switched_from: the organisation a session was switched in from (a linked account's one-time switch,
 * docs/decisions/0016-one-sign-in-across-organisations.md), null for a session begun by signing in here. Cutting a link
 * ends exactly the sessions its switches made.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").addColumn("switched_from", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("staff_sessions").dropColumn("switched_from").execute();
}
