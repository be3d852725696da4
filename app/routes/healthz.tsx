import { getHealth } from "~/models/operations/health.server";

/**
 * Liveness and readiness for monitors (app/models/operations/health.server.ts): 200 when nothing needs a person, 503 when
 * something does, with the problems named in `problems` and the figures in `checks` (no personal data). The answer
 * also carries `proxyWarning` (seen: forwarded headers arrived while TRUSTED_PROXIES is not set, in this run or an
 * earlier one; since: the day, Bangkok) — that alone stays 200. Figures are reused for a few seconds: cheap to poll.
 */
export async function loader() {
  const headers = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };
  try {
    const report = await getHealth();
    return new Response(JSON.stringify(report), { status: report.problems.length === 0 ? 200 : 503, headers });
  } catch {
    return new Response(JSON.stringify({ status: "needs attention", problems: ["database"] }), { status: 503, headers });
  }
}
