/**
 * The gate of the integrity officers' pages: a signed-in integrity officer with their report keys unlocked in this
 * session (app/utils/session.server.ts requireReportKeys). Anyone else asking for a report gets the same 404 as for a
 * report that does not exist, and the refusal is logged the same way (app/models/report/channel-audit.server.ts).
 */
import { json } from "@remix-run/node";
import { canAccessReports } from "~/lib/permissions";
import { logDeniedReportAccess } from "~/models/report/channel-audit.server";
import type { OfficerAccess } from "~/models/report/casework.server";
import { getDb } from "./db.server";
import { requireReportKeys, requireStaff } from "./session.server";

const noStore = { "Cache-Control": "no-store" };

/** 404 "report not found" (the only answer about a report anyone but its holders ever gets). */
export function reportNotFound(): never {
  throw json({ messageKey: "integrity:case.notFound" }, { status: 404, headers: noStore });
}

/** An officer with unlocked keys; others: 404 when a report was asked for (`requested`), 403 for the queue pages. */
export async function requireReportAccess(request: Request, requested?: string): Promise<OfficerAccess> {
  const staff = await requireStaff(request);
  if (!canAccessReports(staff)) {
    if (requested === undefined) throw json({ messageKey: "errorPage.forbidden" }, { status: 403, headers: noStore });
    await logDeniedReportAccess(getDb(), staff, requested);
    reportNotFound();
  }
  const { keys } = await requireReportKeys(request);
  return { actor: staff, keys };
}
