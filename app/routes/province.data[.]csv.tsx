/**
 * GET /province/data.csv?fy=2569: the province page's figures as open data, one row per member organisation with its
 * code and names (app/lib/province.ts provinceCsv; RFC 4180, UTF-8 with BOM).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { selectedFiscalYear } from "~/components/stats-route.server";
import { provinceCsv } from "~/lib/province";
import { currentProvince, provinceFigures } from "~/models/platform/province.server";
import { getDb } from "~/utils/db.server";

export const handle = {};

export async function loader({ request }: LoaderFunctionArgs) {
  const province = currentProvince();
  if (!province) throw json({ messageKey: "province.none" }, { status: 404 });
  const { fy } = await selectedFiscalYear(request, getDb());
  const body = provinceCsv(await provinceFigures(province, fy), fy);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="sujarit-province-${province.code}-${fy}.csv"`,
      "Cache-Control": "public, max-age=300",
    },
  });
}
