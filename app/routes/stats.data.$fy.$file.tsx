/**
 * GET /stats/data/<fy>/<table>.csv and /stats/data/<fy>/<table>.json: one open-data table of one fiscal year
 * (app/models/statistics/open-data.server.ts; described on /stats/data). Public, cacheable for a minute (the figures are
 * current within one minute anyway). Anything unknown — year, table, extension — is a short 404 in the visitor's
 * language, never an error page or a 500.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { tFor } from "~/i18n";
import {
  buildOpenDataTable,
  isPublishedYear,
  openDataCsv,
  openDataFileName,
  openDataJson,
  parseOpenDataFile,
} from "~/models/statistics/open-data.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";

function notFound(request: Request): Response {
  return new Response(`${tFor(getLang(request), "statreport")("data.errors.notFound")}\n`, {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const file = parseOpenDataFile(params.file);
  if (!file || !/^\d{4}$/.test(params.fy ?? "")) return notFound(request);
  const fy = Number(params.fy);
  const db = getDb();
  if (!(await isPublishedYear(db, fy))) return notFound(request);
  const table = await buildOpenDataTable(db, fy, file.table);
  const body = file.format === "csv" ? openDataCsv(table) : openDataJson(table);
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": file.format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${openDataFileName(fy, file.table, file.format)}"`,
      "Cache-Control": "public, max-age=60",
      // Public data without cookies or personal data: other sites and scripts may read it.
      "Access-Control-Allow-Origin": "*",
    },
  });
}
