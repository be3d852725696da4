/**
 * LINE Official Account: the outbox gets a channel ('email' or 'line') so LINE pushes are durable and retried like
 * e-mails; one-time link codes (hashed) from the receipt page; the chats that follow a case (LINE user id encrypted,
 * looked up by a keyed hash); processed webhook events (redelivery is ignored); drafts of complaints filed in LINE.
 */
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql.raw(`alter table outbox add column channel text not null default 'email' check (channel in ('email','line'))`).execute(db);
  await sql.raw(`create index outbox_channel_due on outbox (channel, status, next_attempt_at)`).execute(db);
  await sql
    .raw(
      `create table line_link_codes (
    code_hash text primary key,
    complaint_id integer not null references complaints(id) on delete cascade,
    created_at text not null,
    expires_at text not null,
    used_at text
  )`,
    )
    .execute(db);
  await sql.raw(`create index line_link_codes_complaint on line_link_codes (complaint_id)`).execute(db);
  await sql
    .raw(
      `create table line_follows (
    id ${d.autoIdSql},
    complaint_id integer not null references complaints(id) on delete cascade,
    user_key text not null,
    user_enc text not null,
    created_at text not null,
    unique (complaint_id, user_key)
  )`,
    )
    .execute(db);
  await sql.raw(`create index line_follows_user on line_follows (user_key)`).execute(db);
  await sql
    .raw(
      `create table line_webhook_events (
    event_id text primary key,
    received_at text not null
  )`,
    )
    .execute(db);
  await sql
    .raw(
      `create table line_drafts (
    user_key text primary key,
    payload text not null,
    created_at text not null,
    updated_at text not null,
    expires_at text not null
  )`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["line_drafts", "line_webhook_events", "line_follows", "line_link_codes"]) {
    await sql.raw(`drop table if exists ${t}`).execute(db);
  }
  await sql.raw(`drop index if exists outbox_channel_due`).execute(db);
  await sql.raw(`alter table outbox drop column channel`).execute(db);
}
