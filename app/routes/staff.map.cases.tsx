/**
 * GET /staff/map/cases — the open cases with a position that the signed-in officer may see in the queue, as JSON, for
 * the queue's map (fetched only when the officer opens it).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { openCasesForMap } from "~/models/complaints/nearby.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const result = await openCasesForMap(getDb(), staff, getLang(request));
  return json(result, { headers: { "Cache-Control": "no-store" } });
}
