/**
 * /stats/cases?fy=2569&…: the general complaints behind a public statistics figure. Anonymised rows only —
 * reference, dates, category, channel, village number (หมู่ที่) and state; never what the complaint says, names,
 * contacts or a location finer than the village number. Corruption reports have no list (counts only).
 * Parameters: app/lib/complaint-list-filter.ts. A missing or invalid fiscal year answers 400 with an explanation.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { caseListSearch, describeCriteria, parseCaseListFilter, publicCriteria, type CaseListFilter } from "~/lib/complaint-list-filter";
import { fiscalYearOf } from "~/lib/fiscal-year";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { criteriaNames, listPublicCases, type PublicRowState } from "~/models/complaints/list.server";
import { now } from "~/utils/clock.server";
import { getDb } from "~/utils/db.server";
import { clientOf, limiter } from "~/utils/rate-limit.server";
import { getLang } from "~/utils/request.server";
import { passThroughHeaders } from "~/utils/route-headers";

export const headers = passThroughHeaders;

/** No JavaScript on this page (app/root.tsx): plain links and forms. */
export const handle = { hydrate: false, i18n: ["caselist"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: tFor((data as LoaderData | undefined)?.lang ?? "th", "caselist")("metaTitle") },
  { name: "robots", content: "noindex" },
];

/*
 * Not "public": every page carries the visitor's CSRF token (language switch) and is rendered in the language of their
 * cookie, so a shared cache must not keep it, and the browser must not show a stale language after a switch.
 */
const CACHE = { "Cache-Control": "private, no-cache" };

/** Page views per client and minute (each page counts a fiscal year's cases). */
const listLimiter = () => limiter("stats-case-list", 120, 60_000);

type Row = {
  reference: string;
  received: string;
  closed: string | null;
  category: string;
  channel: string;
  village: number | null;
  state: PublicRowState;
};

type LoaderData = { lang: Lang } & (
  | { ok: false; error: "fy" | "page" | "rateLimited"; example: number; fy: number | null }
  | {
      ok: true;
      fy: number;
      phrases: string[];
      rows: Row[];
      total: number;
      page: number;
      pageCount: number;
      first: number;
      last: number;
      prevHref: string | null;
      nextHref: string | null;
      statsHref: string;
      yearHref: string | null;
    }
);

function pageHref(f: CaseListFilter, page: number): string {
  const search = caseListSearch(f);
  return `/stats/cases${search}${page > 1 ? `&page=${page}` : ""}`;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const at = now();
  const example = fiscalYearOf(at);
  const limit = listLimiter().hit(clientOf(context));
  if (!limit.allowed) {
    return json<LoaderData>(
      { lang, ok: false, error: "rateLimited", example, fy: null },
      { status: 429, headers: { ...CACHE, "Retry-After": String(Math.max(1, limit.retryAfterSec)) } },
    );
  }
  const url = new URL(request.url);
  const parsed = parseCaseListFilter(url.searchParams);
  // Topics and ratings are never a public lookup (app/lib/complaint-list-filter.ts): those parameters are ignored here.
  const filter = parsed ? publicCriteria(parsed) : null;
  if (!filter) return json<LoaderData>({ lang, ok: false, error: "fy", example, fy: null }, { status: 400, headers: CACHE });
  const pageParam = url.searchParams.get("page");
  const page = pageParam !== null && /^[1-9]\d{0,4}$/.test(pageParam) ? Number(pageParam) : 1;
  const db = getDb();
  const [list, names] = await Promise.all([listPublicCases(db, filter, { page, now: at }), criteriaNames(db, filter, lang)]);
  if (page > list.pageCount) {
    return json<LoaderData>({ lang, ok: false, error: "page", example, fy: filter.fy }, { status: 404, headers: CACHE });
  }
  const t = tFor(lang, "caselist") as unknown as (k: string, o?: Record<string, unknown>) => string;
  const phrases = describeCriteria(filter, t, lang, names).map((p) => p.text);
  const date = (iso: string) => formatThaiDate(new Date(iso), lang, { short: true });
  const first = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const onlyFy = caseListSearch({ fy: filter.fy }) === caseListSearch(filter);
  return json<LoaderData>(
    {
      lang,
      ok: true,
      fy: filter.fy,
      phrases,
      rows: list.rows.map((r) => ({
        reference: r.reference,
        received: date(r.receivedAt),
        closed: r.closedAt ? date(r.closedAt) : null,
        category: lang === "en" ? r.categoryEn : r.categoryTh,
        channel: r.channel,
        village: r.villageNumber,
        state: r.state,
      })),
      total: list.total,
      page: list.page,
      pageCount: list.pageCount,
      first,
      last: first === 0 ? 0 : first + list.rows.length - 1,
      prevHref: list.page > 1 ? pageHref(filter, list.page - 1) : null,
      nextHref: list.page < list.pageCount ? pageHref(filter, list.page + 1) : null,
      statsHref: `/stats?fy=${filter.fy}`,
      yearHref: onlyFy ? null : `/stats/cases?fy=${filter.fy}`,
    },
    { headers: CACHE },
  );
}

export default function StatsCases() {
  const data = useLoaderData<typeof loader>() as LoaderData;
  const { t } = useTranslation("caselist");
  if (!data.ok) {
    return (
      <section className="error-page" aria-labelledby="list-error-title" data-testid="caselist-error" data-error={data.error}>
        <h1 id="list-error-title">{t("errors.title")}</h1>
        <p>{data.error === "fy" ? t("errors.fy", { example: data.example }) : t(`errors.${data.error}`)}</p>
        <p>
          {data.fy !== null ? (
            <Link to={`/stats/cases?fy=${data.fy}`}>{t("allOfYear", { fy: data.fy })}</Link>
          ) : (
            <Link to="/stats">{t("errors.goStats")}</Link>
          )}
        </p>
      </section>
    );
  }
  const sentence = data.phrases.join(" · ");
  return (
    <>
      <p className="no-print">
        <Link to={data.statsHref}>{t("backToStats", { fy: data.fy })}</Link>
      </p>
      <h1>{t("title")}</h1>
      <p className="lead" data-testid="caselist-filter">
        {sentence}
      </p>
      <p data-testid="caselist-total" data-total={data.total}>
        <strong>{t("total", { count: data.total })}</strong>
        {data.total > 0 && data.pageCount > 1 ? <> · {t("showing", { first: data.first, last: data.last, total: data.total })}</> : null}
      </p>
      <p className="hint">{t("intro")}</p>
      {data.rows.length === 0 ? (
        <p className="notice" data-testid="caselist-empty">
          {t("empty")}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="cards-on-phone" data-testid="caselist-table">
            <caption>{t("caption", { filter: sentence })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("col.reference")}</th>
                <th scope="col">{t("col.received")}</th>
                <th scope="col">{t("col.closed")}</th>
                <th scope="col">{t("col.category")}</th>
                <th scope="col">{t("col.channel")}</th>
                <th scope="col">{t("col.village")}</th>
                <th scope="col">{t("col.state")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.reference} data-testid="caselist-row" data-reference={r.reference} data-state={r.state}>
                  <th scope="row">{r.reference}</th>
                  <td data-label={t("col.received")}>{r.received}</td>
                  <td data-label={t("col.closed")}>{r.closed ?? <span className="muted">{t("notClosed")}</span>}</td>
                  <td data-label={t("col.category")}>{r.category}</td>
                  <td data-label={t("col.channel")}>{t(`channelNames.${r.channel}`)}</td>
                  <td data-label={t("col.village")}>{r.village === null ? <span className="muted">{t("noVillage")}</span> : r.village}</td>
                  <td data-label={t("col.state")}>{t(`row.${r.state}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.pageCount > 1 ? (
        <nav className="pager no-print" aria-label={t("pager")}>
          {data.prevHref ? (
            <Link to={data.prevHref} rel="prev">
              {t("prev")}
            </Link>
          ) : null}
          <span>{t("page", { page: data.page, pages: data.pageCount })}</span>
          {data.nextHref ? (
            <Link to={data.nextHref} rel="next">
              {t("next")}
            </Link>
          ) : null}
        </nav>
      ) : null}
      {data.yearHref ? (
        <p className="no-print">
          <Link to={data.yearHref}>{t("allOfYear", { fy: data.fy })}</Link>
        </p>
      ) : null}
      <p className="hint">{t("corruptionNote")}</p>
    </>
  );
}
