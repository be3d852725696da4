/**
 * Statistics kept up to date by the database itself.
 *
 * Every public figure is a sum over small summary tables, never a scan of the cases, so the statistics pages cost the
 * same at 10,000 or 1,000,000 cases. SQLite triggers keep the summaries in the same transaction as the change that
 * moves them (on PostgreSQL: PL/pgSQL trigger functions running the same statements, see db/dialects), so a figure is
 * current the moment the change commits, whoever wrote it (the app, a script, a direct SQL fix). Each case contributes
 * one row to each dimension of its cohort — the Bangkok day it was received (`day`, YYYY-MM-DD) in its fiscal year —
 * and a change subtracts the old contribution and adds the new one.
 *
 * Summary tables:
 * - complaint_stats: general complaints by (fiscal_year, dim, key, day); dim is all | category | channel | division |
 *   village. Measures: received, closed (resolved or forwarded), resolved, forwarded, the first-period deadline outcome
 *   (sla_resolved / sla_explained / sla_late, see app/lib/sla.ts) and the acknowledgement outcome (ack_on_time /
 *   ack_late).
 * - complaint_resolve_days: histogram of calendar days from receipt to closing, by fiscal year and month of receipt
 *   (medians and percentiles without reading cases).
 * - report_stats: corruption/misconduct reports by (fiscal_year, day): received, completed (concluded, referred or
 *   closed), substantiated, unsubstantiated, referred. Counts only — nothing that identifies a report.
 * - topic_stats: cases classified with a plan topic (complaint_topics) or report tag (report_tags), by source.
 * - stats_version: one counter bumped by every trigger (cache validation for readers).
 * - rating_stats: satisfaction answers by score and by ANSWER date (the Bangkok day the answer was first given, in the
 *   fiscal year of that day): source 'case' (a complainant rating a closed case) and 'counter' (the /feedback form).
 *   Changing an answer (allowed for 30 days) moves its score, not its date. Definitions: app/lib/stat-definitions.ts.
 *
 * Rows are never deleted from the summaries when a case row is deleted: statistics outlive personal data (retention
 * purges blank reports, they do not delete them). A later migration that changes a definition below must drop and
 * re-create the triggers (dropStatisticsTriggers + installStatisticsTriggers) and call rebuildStatistics.
 */
import { sql, type Kysely } from "kysely";
import { closedStatusSqlText } from "./statuses";
import { dialectOf, type SqlDialect, type TriggerSpec } from "./dialects";

/**
 * The statistics definitions in the SQL of dialect `d` (db/dialects): SQLite's is the text these triggers always had;
 * PostgreSQL's differs only in the date functions, `is` and the 0/1 value of a condition.
 */
function definitions(d: SqlDialect) {
  /** Bangkok calendar day (YYYY-MM-DD) of an ISO-8601 UTC timestamp column, in SQL. */
  const bangkokDay = (col: string) => d.bangkokDay(col);

  /** Dimensions of complaint_stats and the key each takes from a complaint row aliased `r`. */
  const COMPLAINT_DIMS: Record<string, (r: string) => string> = {
    all: () => `''`,
    category: (r) => `cast(${r}.category_id as text)`,
    channel: (r) => `${r}.channel`,
    division: (r) => `coalesce(cast(${r}.division_id as text), '')`,
    village: (r) => `coalesce(cast(${r}.village_id as text), '')`,
  };

  /** What one complaint row contributes to each measure of its cells. */
  const COMPLAINT_MEASURES: Record<string, (r: string) => string> = {
    received: () => `1`,
    closed: (r) => d.int(closedStatusSqlText(`${r}.status`)),
    resolved: (r) => d.int(`${r}.status = 'resolved'`),
    forwarded: (r) => d.int(`${r}.status = 'forwarded'`),
    sla_resolved: (r) => d.int(d.isValue(`${r}.sla_outcome`, `'resolved'`)),
    sla_explained: (r) => d.int(d.isValue(`${r}.sla_outcome`, `'explained'`)),
    sla_late: (r) => d.int(d.isValue(`${r}.sla_outcome`, `'late'`)),
    ack_on_time: (r) => d.int(d.isValue(`${r}.ack_outcome`, `'on_time'`)),
    ack_late: (r) => d.int(d.isValue(`${r}.ack_outcome`, `'late'`)),
  };

  const REPORT_MEASURES: Record<string, (r: string) => string> = {
    received: () => `1`,
    completed: (r) => d.int(`${r}.status in ('concluded','referred','closed')`),
    substantiated: (r) => d.int(d.isValue(`${r}.finding`, `'substantiated'`)),
    unsubstantiated: (r) => d.int(d.isValue(`${r}.finding`, `'unsubstantiated'`)),
    referred: (r) => d.int(`${r}.referred_to is not null`),
  };

  /** Fiscal year (BE) of the Bangkok day of an ISO-8601 UTC timestamp column, in SQL (1 October starts the next one). */
  const fiscalYearOfSql = (col: string) => `(${d.yearOf(bangkokDay(col))} + 543 + ${d.int(`${d.monthOf(bangkokDay(col))} >= 10`)})`;

  /** Calendar days from receipt to closing (Bangkok dates) of a closed complaint row. */
  const resolveDays = (r: string) => d.daysBetween(bangkokDay(`${r}.received_at`), bangkokDay(`${r}.closed_at`));
  const isClosed = (r: string) => `${closedStatusSqlText(`${r}.status`)} and ${r}.closed_at is not null`;

  const cm = Object.keys(COMPLAINT_MEASURES);
  const rm = Object.keys(REPORT_MEASURES);
  const addAll = (table: string, cols: string[]) => cols.map((c) => `${c} = ${d.existing(table, c)} + excluded.${c}`).join(", ");

  /** Upsert of one complaint row's contribution (sign +1 or -1) to the cell of one dimension. */
  function complaintUpsert(dim: string, r: string, sign: 1 | -1): string {
    const vals = cm.map((m) => `${sign} * ${COMPLAINT_MEASURES[m]!(r)}`).join(", ");
    return `insert into complaint_stats (fiscal_year, dim, key, day, ${cm.join(", ")})
    values (${r}.fiscal_year, '${dim}', ${COMPLAINT_DIMS[dim]!(r)}, ${bangkokDay(`${r}.received_at`)}, ${vals})
    on conflict (fiscal_year, dim, key, day) do update set ${addAll("complaint_stats", cm)};`;
  }

  function resolveDaysUpsert(r: string, sign: 1 | -1): string {
    return `insert into complaint_resolve_days (fiscal_year, month, days, n)
    select ${r}.fiscal_year, substr(${bangkokDay(`${r}.received_at`)}, 1, 7), ${resolveDays(r)}, ${sign} where ${isClosed(r)}
    on conflict (fiscal_year, month, days) do update set n = ${d.existing("complaint_resolve_days", "n")} + excluded.n;`;
  }

  function reportUpsert(r: string, sign: 1 | -1): string {
    const vals = rm.map((m) => `${sign} * ${REPORT_MEASURES[m]!(r)}`).join(", ");
    return `insert into report_stats (fiscal_year, day, ${rm.join(", ")})
    values (${r}.fiscal_year, ${bangkokDay(`${r}.received_at`)}, ${vals})
    on conflict (fiscal_year, day) do update set ${addAll("report_stats", rm)};`;
  }

  function topicUpsert(source: "complaint" | "report", row: string, sign: 1 | -1): string {
    const [table, fk, col] = source === "complaint" ? ["complaints", "complaint_id", "topic"] : ["reports", "report_id", "tag"];
    return `insert into topic_stats (fiscal_year, source, topic, day, n)
    select c.fiscal_year, '${source}', ${row}.${col}, ${bangkokDay("c.received_at")}, ${sign} from ${table} c where c.id = ${row}.${fk}
    on conflict (fiscal_year, source, topic, day) do update set n = ${d.existing("topic_stats", "n")} + excluded.n;`;
  }

  /** A complainant's answer counts on the day it was first given (by answer date), not in the case's cohort. */
  function caseRatingUpsert(row: string, sign: 1 | -1): string {
    return `insert into rating_stats (fiscal_year, source, day, score, n)
    values (${fiscalYearOfSql(`${row}.created_at`)}, 'case', ${bangkokDay(`${row}.created_at`)}, ${row}.score, ${sign})
    on conflict (fiscal_year, source, day, score) do update set n = ${d.existing("rating_stats", "n")} + excluded.n;`;
  }

  function counterRatingUpsert(row: string, sign: 1 | -1): string {
    return `insert into rating_stats (fiscal_year, source, day, score, n)
    values (${row}.fiscal_year, 'counter', ${bangkokDay(`${row}.created_at`)}, ${row}.score, ${sign})
    on conflict (fiscal_year, source, day, score) do update set n = ${d.existing("rating_stats", "n")} + excluded.n;`;
  }

  const changed = (cols: string[]) => cols.map((c) => d.differs(`old.${c}`, `new.${c}`)).join(" or ");

  /**
   * Every trigger also bumps stats_version (one row): readers may keep computed figures while the version is unchanged,
   * so a cached figure is never older than the last committed change.
   */
  const trigger = (name: string, table: string, event: TriggerSpec["event"], body: string[], when?: string): TriggerSpec => ({
    name,
    table,
    event,
    when,
    body: [...body, BUMP].join("\n    "),
  });
  const dims = Object.keys(COMPLAINT_DIMS);
  const TRIGGERS: TriggerSpec[] = [
    trigger("complaints_stats_ins", "complaints", "insert", [
      ...dims.map((dim) => complaintUpsert(dim, "new", 1)),
      resolveDaysUpsert("new", 1),
    ]),
    trigger(
      "complaints_stats_upd",
      "complaints",
      { update: COMPLAINT_WATCHED },
      [
        ...dims.map((dim) => complaintUpsert(dim, "old", -1) + "\n" + complaintUpsert(dim, "new", 1)),
        resolveDaysUpsert("old", -1),
        resolveDaysUpsert("new", 1),
      ],
      changed(COMPLAINT_WATCHED),
    ),
    trigger("reports_stats_ins", "reports", "insert", [reportUpsert("new", 1)]),
    trigger(
      "reports_stats_upd",
      "reports",
      { update: REPORT_WATCHED },
      [reportUpsert("old", -1), reportUpsert("new", 1)],
      changed(REPORT_WATCHED),
    ),
    trigger("complaint_topics_stats_ins", "complaint_topics", "insert", [topicUpsert("complaint", "new", 1)]),
    trigger("complaint_topics_stats_del", "complaint_topics", "delete", [topicUpsert("complaint", "old", -1)]),
    trigger("report_tags_stats_ins", "report_tags", "insert", [topicUpsert("report", "new", 1)]),
    trigger("report_tags_stats_del", "report_tags", "delete", [topicUpsert("report", "old", -1)]),
    trigger("case_ratings_stats_ins", "case_ratings", "insert", [caseRatingUpsert("new", 1)]),
    trigger(
      "case_ratings_stats_upd",
      "case_ratings",
      { update: ["score", "created_at"] },
      [caseRatingUpsert("old", -1), caseRatingUpsert("new", 1)],
      changed(["score", "created_at"]),
    ),
    trigger("case_ratings_stats_del", "case_ratings", "delete", [caseRatingUpsert("old", -1)]),
    trigger("counter_feedback_stats_ins", "counter_feedback", "insert", [counterRatingUpsert("new", 1)]),
    trigger("counter_feedback_stats_del", "counter_feedback", "delete", [counterRatingUpsert("old", -1)]),
  ];

  return { bangkokDay, COMPLAINT_DIMS, COMPLAINT_MEASURES, REPORT_MEASURES, fiscalYearOfSql, resolveDays, isClosed, cm, rm, TRIGGERS };
}

/** Columns of a complaint whose change moves its contribution. */
const COMPLAINT_WATCHED = [
  "status",
  "category_id",
  "channel",
  "division_id",
  "village_id",
  "sla_outcome",
  "ack_outcome",
  "received_at",
  "fiscal_year",
  "closed_at",
];
const REPORT_WATCHED = ["status", "finding", "referred_to", "received_at", "fiscal_year"];

const BUMP = `update stats_version set v = v + 1 where id = 1;`;

export async function installStatisticsTriggers(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  for (const t of definitions(d).TRIGGERS) await d.createTrigger(db, t);
}

export async function dropStatisticsTriggers(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  for (const t of definitions(d).TRIGGERS) await d.dropTrigger(db, t.name, t.table);
}

const SUMMARY_TABLES = ["complaint_stats", "complaint_resolve_days", "report_stats", "topic_stats", "rating_stats"];

/**
 * Recomputes every summary from the rows (migration backfill, `npm run stats:rebuild`, bulk-loaded benchmark data).
 * Uses the same contribution definitions as the triggers. Run inside a transaction to swap atomically.
 */
export async function rebuildStatistics(db: Kysely<any>): Promise<void> {
  const { bangkokDay, COMPLAINT_DIMS, COMPLAINT_MEASURES, REPORT_MEASURES, fiscalYearOfSql, resolveDays, isClosed, cm, rm } = definitions(
    dialectOf(db),
  );
  await sql.raw(BUMP).execute(db);
  for (const t of SUMMARY_TABLES) await sql.raw(`delete from ${t}`).execute(db);
  const sums = (defs: Record<string, (r: string) => string>) =>
    Object.values(defs)
      .map((f) => `sum(${f("r")})`)
      .join(", ");
  for (const [dim, key] of Object.entries(COMPLAINT_DIMS)) {
    await sql
      .raw(
        `insert into complaint_stats (fiscal_year, dim, key, day, ${cm.join(", ")})
         select r.fiscal_year, '${dim}', ${key("r")} as k, ${bangkokDay("r.received_at")} as d, ${sums(COMPLAINT_MEASURES)}
         from complaints r group by r.fiscal_year, k, d`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `insert into complaint_resolve_days (fiscal_year, month, days, n)
       select r.fiscal_year, substr(${bangkokDay("r.received_at")}, 1, 7) as m, ${resolveDays("r")} as dd, count(*)
       from complaints r where ${isClosed("r")} group by r.fiscal_year, m, dd`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into report_stats (fiscal_year, day, ${rm.join(", ")})
       select r.fiscal_year, ${bangkokDay("r.received_at")} as d, ${sums(REPORT_MEASURES)} from reports r group by r.fiscal_year, d`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into topic_stats (fiscal_year, source, topic, day, n)
       select c.fiscal_year, 'complaint', t.topic, ${bangkokDay("c.received_at")} as d, count(*)
       from complaint_topics t join complaints c on c.id = t.complaint_id group by c.fiscal_year, t.topic, d`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into topic_stats (fiscal_year, source, topic, day, n)
       select c.fiscal_year, 'report', t.tag, ${bangkokDay("c.received_at")} as d, count(*)
       from report_tags t join reports c on c.id = t.report_id group by c.fiscal_year, t.tag, d`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into rating_stats (fiscal_year, source, day, score, n)
       select ${fiscalYearOfSql("r.created_at")} as fy, 'case', ${bangkokDay("r.created_at")} as d, r.score, count(*)
       from case_ratings r group by fy, d, r.score`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into rating_stats (fiscal_year, source, day, score, n)
       select f.fiscal_year, 'counter', ${bangkokDay("f.created_at")} as d, f.score, count(*)
       from counter_feedback f group by f.fiscal_year, d, f.score`,
    )
    .execute(db);
}
