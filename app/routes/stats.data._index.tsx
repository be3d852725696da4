/**
 * /stats/data — open data: the download links of every statistics table for a fiscal year (CSV and JSON at stable
 * URLs) and the data dictionary (every table, every column: key, Thai and English heading, type, meaning), with the
 * file conventions and the licence. The year is chosen with ?fy= (a plain GET form: no JavaScript needed).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { COLUMN_TYPES, OPEN_DATA_TABLES, columnInfo, openDataFileName, openDataPath } from "~/models/statistics/open-data.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { availableFiscalYears, currentFiscalYear } from "~/models/statistics/figures.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { tFor } from "~/i18n";
import { useAppPath } from "~/components/app-path";

/** No JavaScript on this page (app/root.tsx): plain links and forms. */
export const handle = { hydrate: false, i18n: ["statreport"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.metaTitle ?? "Open data · Sujarit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const [years, org] = await Promise.all([availableFiscalYears(db), getOrgProfile(db)]);
  const current = currentFiscalYear();
  const asked = Number(new URL(request.url).searchParams.get("fy"));
  const fy = years.includes(asked) ? asked : years.includes(current) ? current : years[0]!;
  const tables = OPEN_DATA_TABLES.map((name) => ({
    name,
    columns: columnInfo(name),
    csv: openDataPath(fy, name, "csv"),
    json: openDataPath(fy, name, "json"),
    csvName: openDataFileName(fy, name, "csv"),
    jsonName: openDataFileName(fy, name, "json"),
  }));
  return json({
    fy,
    years,
    current,
    tables,
    types: COLUMN_TYPES,
    orgName: lang === "en" ? org.name_en : org.name_th,
    metaTitle: tFor(lang, "statreport")("data.metaTitle"),
  });
}

export default function OpenData() {
  const appHref = useAppPath();
  const d = useLoaderData<typeof loader>();
  const { t, lang } = useTranslation("statreport");
  const example = `/stats/data/${d.fy}/complaints-by-month.csv`;
  return (
    <article className="open-data" data-testid="open-data">
      <p className="no-print">
        <Link to="/stats">{t("public.statsLink")}</Link>
      </p>
      <h1>{t("data.title")}</h1>
      <p className="lead">{t("data.intro")}</p>

      <section aria-labelledby="od-years" className="card">
        <h2 id="od-years">{t("data.yearsTitle")}</h2>
        <Form method="get" className="filters no-print">
          <div className="field">
            <label htmlFor="od-fy">{t("staff.year")}</label>
            <select id="od-fy" name="fy" defaultValue={String(d.fy)}>
              {d.years.map((y) => (
                <option key={y} value={y}>
                  {y === d.current ? `${y} ${t("data.current")}` : y}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <button type="submit" className="button secondary">
              {t("data.show")}
            </button>
          </div>
        </Form>
        <h3 data-testid="od-fy">{t("data.fiscalYear", { fy: d.fy })}</h3>
        <div className="table-wrap">
          <table data-testid="od-downloads">
            <thead>
              <tr>
                <th scope="col">{t("data.tableHeading")}</th>
                <th scope="col">CSV</th>
                <th scope="col">JSON</th>
              </tr>
            </thead>
            <tbody>
              {d.tables.map((tb) => (
                <tr key={tb.name}>
                  <th scope="row">
                    <a href={`#table-${tb.name}`}>{t(`data.tables.${tb.name}.title`)}</a>
                  </th>
                  <td>
                    <a href={appHref(tb.csv)} download={tb.csvName} data-testid={`download-${tb.name}-csv`}>
                      {tb.name}.csv
                    </a>
                  </td>
                  <td>
                    <a href={appHref(tb.json)} download={tb.jsonName} data-testid={`download-${tb.name}-json`}>
                      {tb.name}.json
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {d.years.length > 1 ? (
          <p className="no-print">
            {d.years
              .filter((y) => y !== d.fy)
              .map((y, i) => (
                <span key={y}>
                  {i > 0 ? " · " : null}
                  <Link to={`?fy=${y}`}>{t("data.fiscalYear", { fy: y })}</Link>
                </span>
              ))}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="od-url">
        <h2 id="od-url">{t("data.urlTitle")}</h2>
        <p>{t("data.urlPattern", { pattern: t("data.urlPatternText"), example })}</p>
        <h2>{t("data.formatTitle")}</h2>
        <ul>
          <li>{t("data.csvFormat")}</li>
          <li>{t("data.jsonFormat")}</li>
          <li>{t("data.valuesNote")}</li>
          <li>{t("definitions.status")}</li>
          <li>{t("definitions.small_cells")}</li>
        </ul>
        <h3>{t("data.colType")}</h3>
        <dl className="od-types">
          {d.types.map((ty) => (
            <div key={ty}>
              <dt>
                <code>{ty}</code>
              </dt>
              <dd>{t(`data.types.${ty}`)}</dd>
            </div>
          ))}
        </dl>
        <h2>{t("data.licenceTitle")}</h2>
        <p data-testid="od-licence">{t("data.licence", { org: d.orgName })}</p>
      </section>

      <section aria-labelledby="od-dict">
        <h2 id="od-dict">{t("data.dictionaryTitle")}</h2>
        {d.tables.map((tb) => (
          <section key={tb.name} id={`table-${tb.name}`} aria-labelledby={`h-${tb.name}`} className="card" data-testid={`dict-${tb.name}`}>
            <h3 id={`h-${tb.name}`}>
              {t(`data.tables.${tb.name}.title`)} <code>{tb.name}</code>
            </h3>
            <p>{t(`data.tables.${tb.name}.description`)}</p>
            <p className="no-print">
              <a href={appHref(tb.csv)} download={tb.csvName}>
                {t("data.download")} CSV
              </a>{" "}
              ·{" "}
              <a href={appHref(tb.json)} download={tb.jsonName}>
                {t("data.download")} JSON
              </a>
            </p>
            <div className="table-wrap">
              <table className="cards-on-phone">
                <thead>
                  <tr>
                    <th scope="col">{t("data.colKey")}</th>
                    <th scope="col">{t("data.colHeading")}</th>
                    <th scope="col">{t("data.colType")}</th>
                    <th scope="col">{t("data.colMeaning")}</th>
                  </tr>
                </thead>
                <tbody>
                  {tb.columns.map((c) => (
                    <tr key={c.key} data-testid={`col-${tb.name}-${c.key}`}>
                      <th scope="row">
                        <code>{c.key}</code>
                      </th>
                      <td data-label={t("data.colHeading")}>
                        <span lang="th">{c.th}</span>
                        <br />
                        <span lang="en">{c.en}</span>
                      </td>
                      <td data-label={t("data.colType")}>{t(`data.types.${c.type}`)}</td>
                      <td data-label={t("data.colMeaning")}>{lang === "en" ? c.descriptionEn : c.descriptionTh}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      </section>
    </article>
  );
}
