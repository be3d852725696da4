import fs from "node:fs";
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";
import { bangkokDateKey } from "../../app/lib/thai-date";
import { getMasterKey } from "../../app/utils/keys.server";
import { writeFileDurably } from "../../app/utils/durable-file.server";
import { decryptFile, encryptFile, openJson, paddedSize, sealJson, unwrapLegacyReportKey } from "../../app/models/report/crypto.server";
import {
  reportAad,
  storagePath,
  type EventNote,
  type FileMeta,
  type MessageBody,
  type SealedSubmission,
} from "../../app/models/report/shared.server";

/**
 * Corruption reports only their recipients can read.
 *
 * - staff_keys: recipients' X25519 key pairs (private keys sealed under their password); staff.position and
 *   staff.nicknames (shown to and matched for the whistleblower).
 * - report_keys: each report's key wrapped for each recipient (and decoys), with nothing naming the holder.
 * - reports: the reporter's public key and wrap; the receipt hash scheme; mode and recipient kind leave the clear
 *   text for the encrypted envelope, with the exclusions (report_exclusions is dropped: it named people); times
 *   reporters cause (received, their messages) keep only the Bangkok date; read times become read / not read.
 * - report_messages / report_events: the officer's staff id moves inside the encrypted record.
 * - evidence files are re-encrypted padded to a size class; the size column holds the class.
 * - report_sessions is dropped (the inbox session is a sealed cookie).
 * - report_activity_pending / report_notices_pending: the reporter's actions wait there (no times) for the batch that
 *   writes them to the audit log and tells the recipients, at random times.
 *
 * Reports filed before this migration keep their master-key wrap (reports.wrapped_key) until their recipients have
 * key pairs of their own (app/models/report/key-migration.server.ts), then it is destroyed. Re-sealing their records
 * here needs the master key (keys/master.key or MASTER_KEY), as before. Not reversible (`down` refuses): the old
 * format cannot be rebuilt without keeping the very links this removes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One transaction: SQLite runs DDL inside it, so a failure (e.g. no master key) leaves the database as it was.
  // (Re-encrypted evidence files are written in place by rename and stay readable in either format.) PostgreSQL's
  // migrator already runs the migrations in one transaction (its DDL is transactional too).
  if (db.isTransaction) await upInTransaction(db);
  else await db.transaction().execute((trx) => upInTransaction(trx));
}

async function upInTransaction(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql`alter table staff add column position text not null default ''`.execute(db);
  await sql`alter table staff add column nicknames text not null default ''`.execute(db);
  await sql`create table staff_keys (
    staff_id integer primary key references staff(id) on delete cascade,
    public_key text not null,
    sealed_seed text not null,
    kdf_salt text not null,
    kdf text not null,
    recovery_sealed_seed text,
    created_on text not null
  )`.execute(db);
  await sql`create table report_keys (
    id ${sql.raw(d.autoIdSql)},
    report_id integer not null references reports(id) on delete cascade,
    tag_pub text not null,
    view_tag text not null,
    enc text not null,
    wrapped text not null
  )`.execute(db);
  await sql`create index report_keys_report on report_keys (report_id)`.execute(db);
  // What the reporter does reaches the audit log and the officers' mailboxes later, at random times, in batches
  // (app/models/report/notifications.server.ts): no time is stored here.
  await sql`create table report_activity_pending (
    id ${sql.raw(d.autoIdSql)},
    target text not null,
    sealed text not null,
    day text not null
  )`.execute(db);
  await sql`create table report_notices_pending (
    staff_id integer primary key references staff(id) on delete cascade,
    kind text not null check (kind in ('new','update'))
  )`.execute(db);

  await sql`alter table reports add column receipt_scheme integer not null default 1`.execute(db);
  await sql`alter table reports add column holders text not null default ''`.execute(db);
  await sql`alter table reports add column reporter_pub text`.execute(db);
  await sql`alter table reports add column reporter_enc text`.execute(db);
  await sql`alter table reports add column reporter_wrapped text`.execute(db);
  await sql`alter table report_messages add column seen integer not null default 0`.execute(db);
  await sql`update report_messages set seen = case when read_at is null then 0 else 1 end`.execute(db);

  await resealExistingReports(db);

  await sql`alter table reports drop column mode`.execute(db);
  await sql`alter table reports drop column recipient`.execute(db);
  await sql`alter table report_messages drop column read_at`.execute(db);
  await sql`alter table report_messages drop column staff_id`.execute(db);
  await sql`alter table report_events drop column staff_id`.execute(db);
  await sql`drop table report_exclusions`.execute(db);
  await sql`drop table report_sessions`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error("2026-12-03T0800_recipient_keys cannot be reverted: restore the backup taken before the upgrade.");
}

const dayOf = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : bangkokDateKey(new Date(iso)));

interface OldReport {
  id: number;
  public_id: string;
  mode: "anonymous" | "confidential";
  recipient: "integrity" | "alternate";
  wrapped_key: string;
  envelope: string;
  received_at: string;
  ack_due_at: string;
  created_at: string;
  purged_at: string | null;
}

/** Moves what named people or timed reporters into the encrypted records (needs the master key when reports exist). */
async function resealExistingReports(db: Kysely<any>): Promise<void> {
  const reports = (await db.selectFrom("reports").selectAll().orderBy("id").execute()) as OldReport[];
  const live = reports.filter((r) => !r.purged_at && r.wrapped_key && r.envelope);
  const master = live.length > 0 ? getMasterKey() : null;
  for (const r of reports) {
    const day = dayOf(r.received_at);
    await db
      .updateTable("reports")
      .set({ received_at: day, created_at: dayOf(r.created_at), ack_due_at: dayOf(r.ack_due_at) })
      .where("id", "=", r.id)
      .execute();
    if (!master || r.purged_at || !r.wrapped_key || !r.envelope) {
      await db
        .updateTable("report_messages")
        .set({ created_at: sql`substr(created_at, 1, 10)` })
        .where("report_id", "=", r.id)
        .where("author", "=", "reporter")
        .execute();
      continue;
    }
    const key = unwrapLegacyReportKey(r.wrapped_key, r.public_id, master);
    const old = openJson<{ mode?: string; requestedRecipient?: "integrity" | "alternate"; fields: SealedSubmission["fields"] }>(
      key,
      r.envelope,
      reportAad.submission(r.public_id),
    );
    const excluded = (await db.selectFrom("report_exclusions").select("staff_id").where("report_id", "=", r.id).execute()) as {
      staff_id: number;
    }[];
    const sealed: SealedSubmission = {
      v: 2,
      mode: r.mode,
      requestedRecipient: old.requestedRecipient ?? r.recipient,
      routedTo: r.recipient,
      recipients: null,
      excluded: excluded.map((e) => ({ id: e.staff_id, reason: "named" as const })),
      fields: old.fields,
      digestReceivedAt: r.received_at,
    };
    await db
      .updateTable("reports")
      .set({ envelope: sealJson(key, sealed, reportAad.submission(r.public_id)) })
      .where("id", "=", r.id)
      .execute();

    const messages = (await db.selectFrom("report_messages").selectAll().where("report_id", "=", r.id).execute()) as {
      id: number;
      author: string;
      staff_id: number | null;
      envelope: string;
      created_at: string;
    }[];
    for (const m of messages) {
      const body = openJson<MessageBody>(key, m.envelope, reportAad.message(r.public_id));
      const next: MessageBody = m.staff_id ? { text: body.text, staffId: m.staff_id } : { text: body.text };
      await db
        .updateTable("report_messages")
        .set({
          envelope: sealJson(key, next, reportAad.message(r.public_id)),
          created_at: m.author === "reporter" ? dayOf(m.created_at) : m.created_at,
        })
        .where("id", "=", m.id)
        .execute();
    }
    const events = (await db.selectFrom("report_events").selectAll().where("report_id", "=", r.id).execute()) as {
      id: number;
      staff_id: number | null;
      note_envelope: string | null;
    }[];
    for (const e of events) {
      if (e.staff_id === null) continue;
      const note = e.note_envelope ? openJson<EventNote>(key, e.note_envelope, reportAad.event(r.public_id)) : { note: "" };
      await db
        .updateTable("report_events")
        .set({ note_envelope: sealJson(key, { ...note, staffId: e.staff_id } satisfies EventNote, reportAad.event(r.public_id)) })
        .where("id", "=", e.id)
        .execute();
    }
    const files = (await db.selectFrom("report_attachments").selectAll().where("report_id", "=", r.id).execute()) as {
      id: number;
      storage_id: string;
      meta_envelope: string;
    }[];
    for (const f of files) {
      const file = storagePath(f.storage_id);
      if (!fs.existsSync(file)) continue;
      const bytes = decryptFile(key, fs.readFileSync(file), reportAad.file(r.public_id, f.storage_id));
      writeFileDurably(file, encryptFile(key, bytes, reportAad.file(r.public_id, f.storage_id)));
      const meta = openJson<FileMeta>(key, f.meta_envelope, reportAad.fileMeta(r.public_id, f.storage_id));
      await db
        .updateTable("report_attachments")
        .set({
          size: paddedSize(bytes.length),
          meta_envelope: sealJson(key, { ...meta, size: bytes.length } satisfies FileMeta, reportAad.fileMeta(r.public_id, f.storage_id)),
        })
        .where("id", "=", f.id)
        .execute();
    }
  }
}
