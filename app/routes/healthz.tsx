import { sql } from "kysely";
import { getDb } from "~/utils/db.server";

/** Liveness and readiness: 200 when the database answers. */
export async function loader() {
  try {
    await sql`select 1`.execute(getDb());
    return new Response("ok", { status: 200, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  } catch {
    return new Response("database unavailable", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}
