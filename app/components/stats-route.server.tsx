/**
 * Server helpers shared by the statistics pages' loaders: the selected fiscal year (strictly validated: a bad value
 * is a 400 with a message in the reader's language, never a 500), the audience of count links and cache headers.
 */
import type { HeadersFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import type { DB } from "../../db/connection";
import { parseFiscalYearParam } from "~/lib/complaint-list-filter";
import { canViewCase } from "~/lib/permissions";
import { availableFiscalYears, currentFiscalYear } from "~/models/statistics/figures.server";
import { getStaff } from "~/utils/session.server";
import type { Audience } from "./stats-ui";

/**
 * The fiscal year asked for with ?fy= (default: the current one) and the years that have statistics. Throws a 400
 * response (messageKey in the stats namespace + the available years) when the value is malformed or the year has no
 * statistics.
 */
export async function selectedFiscalYear(request: Request, db: DB): Promise<{ fy: number; years: number[]; isDefault: boolean }> {
  const years = await availableFiscalYears(db);
  const params = new URL(request.url).searchParams;
  const raw = params.get("fy");
  if (raw === null || raw.trim() === "") return { fy: currentFiscalYear(), years, isDefault: true };
  const value = raw.trim();
  const fy = parseFiscalYearParam(value);
  if (fy === undefined) {
    throw json(
      { messageKey: "errors.fiscalYearFormat", fy: value.slice(0, 12), years },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
  if (!years.includes(fy)) {
    throw json(
      { messageKey: "errors.fiscalYearUnavailable", fy: String(fy), years },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
  return { fy, years, isDefault: fy === currentFiscalYear() };
}

/**
 * "staff" when a fully signed-in staff member who handles general complaints is looking (count links then open the
 * filtered staff queue), else "public". A failed lookup just means public.
 */
export async function statsAudience(request: Request, db: DB): Promise<Audience> {
  try {
    const staff = await getStaff(request, db);
    if (!staff) return "public";
    // Integrity officers never see general complaints; an officer sees the cases of their own division.
    return canViewCase({ id: staff.id, role: staff.role, division_id: staff.division_id }, { division_id: staff.division_id })
      ? "staff"
      : "public";
  } catch {
    return "public";
  }
}

/**
 * Figures are current within a minute: browsers may keep a public page for 30 s. The page carries the visitor's own
 * CSRF token (language switch), so it is never stored by shared caches ("private"), and it varies with the cookies
 * (language, staff session). Staff pages are not stored at all.
 */
export function statsCacheHeaders(audience: Audience): Record<string, string> {
  return audience === "staff"
    ? { "Cache-Control": "private, no-store", Vary: "Cookie" }
    : { "Cache-Control": "private, max-age=30", Vary: "Cookie" };
}

/** The loader's (or the error's) Cache-Control and Vary on the document response. */
export const statsHeaders: HeadersFunction = ({ loaderHeaders, errorHeaders }) => {
  const src = errorHeaders ?? loaderHeaders;
  const out = new Headers();
  out.set("Cache-Control", src.get("Cache-Control") ?? "no-store");
  out.set("Vary", src.get("Vary") ?? "Cookie");
  return out;
};
