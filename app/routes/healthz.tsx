import { sql } from "kysely";
import { getDb } from "~/utils/db.server";
import { proxyWarning } from "~/utils/client-address.server";

/**
 * Liveness and readiness: 200 when the database answers. The JSON answer also carries `proxyWarning` (seen: forwarded
 * headers arrived while TRUSTED_PROXIES is not set, in this run or an earlier one; since: the day, Bangkok) — still 200.
 */
export async function loader() {
  const headers = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };
  try {
    await sql`select 1`.execute(getDb());
    return new Response(JSON.stringify({ status: "ok", proxyWarning: proxyWarning() }), { status: 200, headers });
  } catch {
    return new Response(JSON.stringify({ status: "database unavailable", proxyWarning: proxyWarning() }), { status: 503, headers });
  }
}
