/**
 * The frame of a statistics section: heading and what it counts, a chart in a figure captioned by its one-line
 * summary beside its data table, and the page's definitions. Split out of stats-sections.tsx, which re-exports these
 * names.
 */
import { useTranslation } from "~/components/i18n";
import { DownloadLinks, type DataTable } from "~/components/stats-ui";

/** A section heading, the sentence saying what it counts, then the chart and the table side by side. */
export function StatSection({
  id,
  title,
  how,
  children,
  download,
}: {
  id: string;
  title: string;
  how: string;
  children: React.ReactNode;
  download?: { fy: number; table: DataTable };
}) {
  const { t } = useTranslation("stats");
  return (
    <section className="stats-section" aria-labelledby={`${id}-title`} data-testid={`section-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="stats-how">{how}</p>
      {children}
      {download ? <DownloadLinks fy={download.fy} table={download.table} label={t(`download.tables.${download.table}`)} /> : null}
    </section>
  );
}

/**
 * The chart (with its one-line summary as caption) and, next to it, the table of the same figures. On a phone the
 * chart keeps a readable size and scrolls sideways inside a focusable region, like the tables.
 */
export function ChartAndTable({
  chart,
  summary,
  table,
  id,
}: {
  chart: React.ReactNode;
  summary: string;
  table: React.ReactNode;
  id: string;
}) {
  return (
    <div className="stats-figure">
      <ChartFigure id={id} summary={summary}>
        {chart}
      </ChartFigure>
      {table ? <div className="stats-data">{table}</div> : null}
    </div>
  );
}

/** A chart in a <figure> whose caption is the one-line summary. `id` is the section id (the chart's id is `${id}-chart`). */
export function ChartFigure({ id, summary, children, wide }: { id: string; summary: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <figure className={wide ? "stats-chart stats-chart-wide" : "stats-chart"}>
      <div className="chart-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-chart-title`}>
        {children}
      </div>
      <figcaption id={`${id}-summary`} data-testid={`${id}-summary`}>
        {summary}
      </figcaption>
    </figure>
  );
}

/** The definitions a page shows (app/lib/stat-definitions.ts through the generated statreport locale texts). */
export function DefinitionList({ keys }: { keys: readonly string[] }) {
  const { t } = useTranslation("statreport");
  return (
    <section className="card stats-columns" aria-labelledby="definitions-title" data-testid="definitions">
      <h2 id="definitions-title">{t("data.definitionsTitle")}</h2>
      <dl className="stat-definitions">
        {keys.map((k) => (
          <div key={k} data-definition={k}>
            <dt>{t(`data.definitionNames.${k}`)}</dt>
            <dd>{t(`definitions.${k}`)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
