import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";
import { dropStatisticsTriggers, installStatisticsTriggers, rebuildStatistics } from "../statistics";

/**
 * Public statistics, plan targets, satisfaction and published reports.
 *
 * - complaints.sla_outcome: what happened within the FIRST 15-day period (plan measure 23): 'resolved' (resolved or
 *   forwarded by the deadline), 'explained' (explanation sent to the complainant by the deadline), 'late'; null while
 *   undecided. Set once, never changed by reopening. complaints.ack_outcome: written acknowledgement 'on_time' / 'late'.
 *   Rules in app/lib/sla.ts; the time-based 'late' is set by the minute ticker through two partial indexes that hold
 *   only undecided cases.
 * - complaint_topics: the plan topics an officer gives a complaint at triage (bribery, procurement, personnel,
 *   unfair_service, officer_conduct); report_tags gains unfair_service and officer_conduct so both channels share them.
 * - case_ratings (one per case, changeable for 30 days) and counter_feedback (the /feedback form).
 * - stat_reports: the narrative of the half-year (h1) and annual (year) reports, published on supervisor approval
 *   with a frozen snapshot of the figures.
 * - summary tables and triggers: db/statistics.ts.
 */
const OPEN = `status in ('received','accepted','in_progress','waiting_info')`;
const TOPICS_V1 = `'bribery','procurement','personnel','unfair_service','officer_conduct'`;
const REPORT_TAGS_V2 = `'bribery','procurement','personnel','abuse_of_position','conflict_of_interest','unfair_service','officer_conduct','other'`;
const REPORT_TAGS_V1 = `'bribery','procurement','personnel','abuse_of_position','conflict_of_interest','other'`;

/** report_tags with a new list of allowed tags (tags no longer allowed are dropped). */
async function recreateReportTags(db: Kysely<any>, allowed: string): Promise<void> {
  if (dialectOf(db).name === "postgres") {
    // PostgreSQL alters the CHECK in place (SQLite cannot: the table is rebuilt below).
    await sql.raw(`delete from report_tags where tag not in (${allowed})`).execute(db);
    await sql.raw(`alter table report_tags drop constraint report_tags_tag_check`).execute(db);
    await sql.raw(`alter table report_tags add constraint report_tags_tag_check check (tag in (${allowed}))`).execute(db);
    return;
  }
  await sql
    .raw(
      `create table report_tags_new (
    report_id integer not null references reports(id) on delete cascade,
    tag text not null check (tag in (${allowed})),
    constraint report_tags_pk primary key (report_id, tag)
  ) without rowid`,
    )
    .execute(db);
  await sql
    .raw(`insert into report_tags_new (report_id, tag) select report_id, tag from report_tags where tag in (${allowed})`)
    .execute(db);
  await sql.raw(`drop table report_tags`).execute(db);
  await sql.raw(`alter table report_tags_new rename to report_tags`).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql.raw(`alter table complaints add column sla_outcome text check (sla_outcome in ('resolved','explained','late'))`).execute(db);
  await sql.raw(`alter table complaints add column ack_outcome text check (ack_outcome in ('on_time','late'))`).execute(db);

  // Outcomes of existing cases, from what is already recorded (the ticker settles the rest on its next run).
  await sql
    .raw(
      `update complaints set sla_outcome = case
      when status in ('resolved','forwarded') and closed_at is not null and closed_at <= due_at then 'resolved'
      when explained_at is not null and explained_at <= due_at then 'explained'
      when status in ('resolved','forwarded') and closed_at is not null then 'late'
      else null end
    where period_no = 1`,
    )
    .execute(db);
  await sql
    .raw(
      `update complaints set ack_outcome = case
      when acknowledged_at is not null and (ack_due_at is null or acknowledged_at <= ack_due_at) then 'on_time'
      when acknowledged_at is not null then 'late'
      else null end`,
    )
    .execute(db);
  await sql
    .raw(
      `create index complaints_sla_undecided on complaints (due_at, id)
    where sla_outcome is null and period_no = 1 and paused_at is null and ${OPEN}`,
    )
    .execute(db);
  await sql
    .raw(
      `create index complaints_ack_undecided on complaints (ack_due_at, id)
    where ack_outcome is null and acknowledged_at is null`,
    )
    .execute(db);
  await sql.raw(`create index complaints_fy_received on complaints (fiscal_year, received_at, id)`).execute(db);
  // "Overdue now" per fiscal year reads only the open, running cases of that year past their deadline.
  await sql
    .raw(`create index complaints_open_running_fy_due on complaints (fiscal_year, due_at) where ${OPEN} and paused_at is null`)
    .execute(db);

  await sql
    .raw(
      `create table complaint_topics (
    complaint_id integer not null references complaints(id) on delete cascade,
    topic text not null check (topic in (${TOPICS_V1})),
    primary key (complaint_id, topic)
  )${d.withoutRowid}`,
    )
    .execute(db);
  await recreateReportTags(db, REPORT_TAGS_V2);

  await sql
    .raw(
      `create table case_ratings (
    complaint_id integer primary key references complaints(id) on delete cascade,
    score integer not null check (score between 1 and 5),
    comment text not null default '',
    created_at text not null,
    updated_at text not null
  )`,
    )
    .execute(db);
  // One-purpose link in the result e-mail: the token only lets its holder rate that case (sha256 stored, token kept in
  // the URL fragment so it never reaches a server log).
  await sql
    .raw(
      `create table rating_tokens (
    token_hash text primary key,
    complaint_id integer not null references complaints(id) on delete cascade,
    created_at text not null,
    expires_at text not null
  )`,
    )
    .execute(db);
  await sql.raw(`create index rating_tokens_complaint on rating_tokens (complaint_id)`).execute(db);
  await sql
    .raw(
      `create table counter_feedback (
    id ${d.autoIdSql},
    service text not null,
    score integer not null check (score between 1 and 5),
    comment text not null default '',
    fiscal_year integer not null,
    created_at text not null
  )`,
    )
    .execute(db);
  await sql.raw(`create index counter_feedback_created on counter_feedback (fiscal_year, created_at)`).execute(db);

  await sql
    .raw(
      `create table stat_reports (
    fiscal_year integer not null,
    period text not null check (period in ('h1','year')),
    problems_th text not null default '',
    obstacles_th text not null default '',
    solutions_th text not null default '',
    prevention_th text not null default '',
    problems_en text not null default '',
    obstacles_en text not null default '',
    solutions_en text not null default '',
    prevention_en text not null default '',
    status text not null default 'draft' check (status in ('draft','submitted','published')),
    snapshot text,
    updated_by integer references staff(id),
    updated_at text not null,
    submitted_by integer references staff(id),
    submitted_at text,
    approved_by integer references staff(id),
    approved_at text,
    primary key (fiscal_year, period)
  )`,
    )
    .execute(db);

  const COMPLAINT_MEASURES = "received, closed, resolved, forwarded, sla_resolved, sla_explained, sla_late, ack_on_time, ack_late";
  await sql
    .raw(
      `create table complaint_stats (
    fiscal_year integer not null, dim text not null, key text not null, day text not null,
    ${COMPLAINT_MEASURES.split(", ")
      .map((c) => `${c} integer not null default 0`)
      .join(", ")},
    primary key (fiscal_year, dim, key, day)
  )${d.withoutRowid}`,
    )
    .execute(db);
  await sql
    .raw(
      `create table complaint_resolve_days (
    fiscal_year integer not null, month text not null, days integer not null, n integer not null default 0,
    primary key (fiscal_year, month, days)
  )${d.withoutRowid}`,
    )
    .execute(db);
  await sql
    .raw(
      `create table report_stats (
    fiscal_year integer not null, day text not null,
    received integer not null default 0, completed integer not null default 0, substantiated integer not null default 0,
    unsubstantiated integer not null default 0, referred integer not null default 0,
    primary key (fiscal_year, day)
  )${d.withoutRowid}`,
    )
    .execute(db);
  await sql
    .raw(
      `create table topic_stats (
    fiscal_year integer not null, source text not null check (source in ('complaint','report')), topic text not null,
    day text not null, n integer not null default 0,
    primary key (fiscal_year, source, topic, day)
  )${d.withoutRowid}`,
    )
    .execute(db);
  await sql
    .raw(
      `create table rating_stats (
    fiscal_year integer not null, source text not null check (source in ('case','counter')), day text not null,
    score integer not null, n integer not null default 0,
    primary key (fiscal_year, source, day, score)
  )${d.withoutRowid}`,
    )
    .execute(db);

  await sql.raw(`create table stats_version (id integer primary key check (id = 1), v integer not null)`).execute(db);
  await sql.raw(`insert into stats_version (id, v) values (1, 0)`).execute(db);

  await rebuildStatistics(db);
  await installStatisticsTriggers(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStatisticsTriggers(db);
  for (const t of [
    "stats_version",
    "complaint_stats",
    "complaint_resolve_days",
    "report_stats",
    "topic_stats",
    "rating_stats",
    "stat_reports",
    "counter_feedback",
    "rating_tokens",
    "case_ratings",
    "complaint_topics",
  ]) {
    await sql.raw(`drop table if exists ${t}`).execute(db);
  }
  await recreateReportTags(db, REPORT_TAGS_V1);
  for (const i of ["complaints_sla_undecided", "complaints_ack_undecided", "complaints_fy_received", "complaints_open_running_fy_due"])
    await sql.raw(`drop index if exists ${i}`).execute(db);
  await sql.raw(`alter table complaints drop column sla_outcome`).execute(db);
  await sql.raw(`alter table complaints drop column ack_outcome`).execute(db);
}
