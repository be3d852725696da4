/**
 * Personal data of general complaints, as the privacy notice on /complaints/new promises (PDPA):
 *
 * - Retention: retention_years (org_profile) after a case was closed, its contact details, free text (subject,
 *   details, landmark, result, notes, notice letters, rating comment), precise location and attachments are removed;
 *   what the statistics need stays (category, channel, division, หมู่ที่, dates, states, outcomes, the rating's score).
 *   Runs with the server's housekeeping in bounded batches, and as `npm run retention [-- --dry-run]`.
 * - A person's request: find their cases by phone or e-mail, export them (JSON, and a page ready to print as PDF),
 *   correct the contact details, or erase their personal data (an open case then gets no more notices: the caller
 *   must say so). Each action is audited with the case ids only — never the phone number or e-mail searched for.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../../../db/schema";
import { now } from "~/utils/clock.server";
import { log, errorFields } from "~/utils/logger.server";
import { AdaptiveBatch, yieldToEventLoop } from "~/utils/yield.server";
import { inTransaction } from "../../../db/connection";
import { dialectOf } from "../../../db/dialects";
import { isOpenStatus, type CaseStatus } from "~/lib/complaint-status";
import { appendAudit } from "../audit/audit.server";
import { attachmentKey } from "./attachments.server";
import { fileRemoval } from "~/utils/file-store.server";
import { eraseLineData } from "../line/follows.server";
import type { Executor } from "../../../db/connection";

/** Who acts: an administrator, the staff CLI (operating-system user), or the retention job. */
export interface PrivacyActor {
  staffId: number | null;
  role: string;
  osUser?: string;
}

/** Phone numbers compared by their digits (Thai digits too), +66 written as 0. */
export function normalizePhone(input: string): string {
  const thai = "๐๑๒๓๔๕๖๗๘๙";
  let digits = "";
  for (const ch of input.normalize("NFKC")) {
    const i = thai.indexOf(ch);
    if (i >= 0) digits += String(i);
    else if (ch >= "0" && ch <= "9") digits += ch;
  }
  return digits.startsWith("66") && digits.length >= 10 ? `0${digits.slice(2)}` : digits;
}

const normalizeEmail = (input: string) => input.normalize("NFKC").trim().toLowerCase();

/** Removes a case's personal data and free text (one transaction; files in it or after). Returns the file keys removed. */
async function anonymise(trx: Transaction<Database>, complaintId: number, at: string): Promise<string[]> {
  await trx
    .updateTable("complaints")
    .set({
      subject: "",
      details: "",
      landmark: "",
      latitude: null,
      longitude: null,
      contact_name: "",
      contact_phone: "",
      contact_email: "",
      contact_address: "",
      preferred_contact: "none",
      result_summary: "",
      anonymised_at: at,
    })
    .where("id", "=", complaintId)
    .execute();
  await trx.updateTable("case_events").set({ note: "" }).where("complaint_id", "=", complaintId).execute();
  await trx.updateTable("notices").set({ body: "" }).where("complaint_id", "=", complaintId).execute();
  await trx.updateTable("case_ratings").set({ comment: "" }).where("complaint_id", "=", complaintId).execute();
  await trx.deleteFrom("rating_tokens").where("complaint_id", "=", complaintId).execute();
  // The LINE chats that followed the case (their user ids) and its link codes; waiting pushes go with the outbox below.
  await eraseLineData(trx, complaintId);
  // E-mails still waiting (their payload holds the address and text): gone; sent ones were erased when sent.
  await trx.deleteFrom("outbox").where("complaint_id", "=", complaintId).where("status", "in", ["pending", "dead"]).execute();
  const files = await trx.selectFrom("attachments").select("sha256").where("complaint_id", "=", complaintId).execute();
  await trx.deleteFrom("attachments").where("complaint_id", "=", complaintId).execute();
  // A file is content-addressed: remove it only when nothing else still refers to it.
  const removable: string[] = [];
  for (const f of files) {
    const other = await trx.selectFrom("attachments").select("id").where("sha256", "=", f.sha256).executeTakeFirst();
    // The same bytes may also wait as someone's pending upload (a form sent back): those keep the file until they expire.
    const waiting = await trx.selectFrom("pending_uploads").select("id").where("sha256", "=", f.sha256).executeTakeFirst();
    if (!other && !waiting) removable.push(attachmentKey(f.sha256));
  }
  // A store inside the database removes the bytes in this transaction; another one after the commit.
  await fileRemoval.inTransaction(trx, removable);
  return removable;
}

/** Cases whose retention has run out at `at`: closed more than retention_years ago and not yet anonymised. */
async function dueForRetention(db: Executor, at: Date, limit: number): Promise<{ id: number }[]> {
  const profile = await db.selectFrom("org_profile").select("retention_years").where("id", "=", 1).executeTakeFirst();
  const years = profile?.retention_years ?? 5;
  const cutoff = new Date(at.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return db
    .selectFrom("complaints")
    .select("id")
    .where("anonymised_at", "is", null)
    .where("closed_at", "is not", null)
    .where("closed_at", "<=", cutoff.toISOString())
    .where("status", "in", ["resolved", "forwarded"])
    .orderBy("closed_at")
    .limit(limit)
    .execute();
}

/**
 * The retention job: anonymises every case whose time is up, in batches (one transaction each, sized by time to take
 * about SLICE_TARGET_MS, with a yield to the event loop between them, so a large first run never holds up requests).
 * `batchSize` is the largest batch. `dryRun`: only counts.
 */
export async function runComplaintRetention(
  db: Kysely<Database>,
  opts: { at?: Date; dryRun?: boolean; batchSize?: number } = {},
): Promise<{ due: number; anonymised: number }> {
  const at = opts.at ?? now();
  // At least 10 a batch: each batch is one synced commit and one audit entry.
  const batches = new AdaptiveBatch({ min: Math.min(10, opts.batchSize ?? 200), max: opts.batchSize ?? 200, start: 10 });
  if (opts.dryRun) return { due: (await dueForRetention(db, at, 10_000_000)).length, anonymised: 0 };
  let anonymised = 0;
  for (;;) {
    const size = batches.size;
    const started = performance.now();
    const batch = await dueForRetention(db, at, size);
    if (batch.length === 0) break;
    const iso = now().toISOString();
    const files = await inTransaction(db, async (trx) => {
      const all: string[] = [];
      for (const c of batch) all.push(...(await anonymise(trx, c.id, iso)));
      await appendAudit(trx, {
        actorId: null,
        actorRole: "system",
        action: "privacy.retention",
        targetType: "complaint",
        targetId: null,
        details: { cases: batch.length },
      });
      return all;
    });
    await fileRemoval.afterCommit(files, db);
    batches.record(batch.length, performance.now() - started);
    anonymised += batch.length;
    if (batch.length < size) break;
    await yieldToEventLoop();
  }
  if (anonymised > 0) {
    await scrubLeftovers(db);
    log.info("complaints anonymised after their retention period", { count: anonymised });
  }
  return { due: anonymised, anonymised };
}

/**
 * After removals: the search index merged (its deleted entries dropped) and the WAL checkpointed and truncated, so the
 * old pages that held the text are gone from disk too (secure_delete overwrites freed pages in the database file).
 */
async function scrubLeftovers(db: Kysely<Database>): Promise<void> {
  try {
    await dialectOf(db).compactAfterRemoval(db);
  } catch (e) {
    log.warn("could not compact after removing personal data", errorFields(e));
  }
}

export interface FoundCase {
  id: number;
  reference: string;
  receivedAt: string;
  closedAt: string | null;
  status: string;
  open: boolean;
  anonymised: boolean;
}

/** A person's cases by phone number or e-mail (exact, after normalising). Audited without the term searched for. */
export async function findCasesByContact(
  db: Kysely<Database>,
  query: { phone?: string; email?: string },
  actor: PrivacyActor,
): Promise<FoundCase[]> {
  const phone = query.phone ? normalizePhone(query.phone) : "";
  const email = query.email ? normalizeEmail(query.email) : "";
  if (phone.length < 6 && !/^[^\s@]+@[^\s@]+$/.test(email)) return [];
  const rows = await db
    .selectFrom("complaints")
    .select(["id", "reference", "received_at", "closed_at", "status", "anonymised_at", "contact_phone", "contact_email"])
    .where((eb) => {
      const ors = [];
      if (email) ors.push(eb(eb.fn("lower", ["contact_email"]), "=", email));
      // Stored as typed ("081-234-5678", "+66 81 234 5678"): separators dropped, compared by the last 8 digits.
      if (phone.length >= 6)
        ors.push(
          eb(
            sql`replace(replace(replace(replace(replace(replace(contact_phone, '-', ''), ' ', ''), '+', ''), '.', ''), '(', ''), ')', '')`,
            "like",
            `%${phone.slice(-8)}`,
          ),
        );
      return eb.or(ors);
    })
    .orderBy("received_at", "desc")
    .limit(500)
    .execute();
  // Phone numbers are stored as typed: compare their digits exactly.
  const found = rows.filter(
    (r) => (email && r.contact_email.toLowerCase() === email) || (phone.length >= 6 && normalizePhone(r.contact_phone) === phone),
  );
  await appendAudit(db, {
    actorId: actor.staffId,
    actorRole: actor.role,
    action: "privacy.search",
    targetType: "complaint",
    targetId: null,
    details: {
      by: email ? (phone ? "phone+email" : "email") : "phone",
      found: found.length,
      ...(actor.osUser ? { osUser: actor.osUser } : {}),
    },
  });
  return found.map((r) => ({
    id: r.id,
    reference: r.reference,
    receivedAt: r.received_at,
    closedAt: r.closed_at,
    status: r.status,
    open: isOpenStatus(r.status as CaseStatus),
    anonymised: r.anonymised_at !== null,
  }));
}

export class PrivacyRequestError extends Error {
  constructor(readonly code: "not_found" | "open_case" | "bad_input") {
    super(`Privacy request refused: ${code}`);
    this.name = "PrivacyRequestError";
  }
}

async function caseByReference(db: Executor, reference: string) {
  const row = await db.selectFrom("complaints").selectAll().where("reference", "=", reference).executeTakeFirst();
  if (!row) throw new PrivacyRequestError("not_found");
  return row;
}

export interface CaseExport {
  reference: string;
  receivedAt: string;
  closedAt: string | null;
  status: string;
  channel: string;
  category: string;
  subject: string;
  details: string;
  landmark: string;
  location: { latitude: number; longitude: number } | null;
  contact: { name: string; phone: string; email: string; address: string; preferred: string };
  result: string;
  publicReplies: { at: string; text: string }[];
  notices: { at: string; kind: string; method: string; text: string }[];
  attachments: { name: string; type: string; size: number }[];
  rating: { score: number; comment: string } | null;
  anonymisedAt: string | null;
}

/** Everything the portal holds about one case that the person may have (internal notes excluded). Audited. */
export async function exportCase(db: Kysely<Database>, reference: string, actor: PrivacyActor): Promise<CaseExport> {
  const c = await caseByReference(db, reference);
  const [category, events, notices, files, rating] = await Promise.all([
    db.selectFrom("categories").select(["name_th"]).where("id", "=", c.category_id).executeTakeFirst(),
    db
      .selectFrom("case_events")
      .select(["created_at", "note"])
      .where("complaint_id", "=", c.id)
      .where("is_public", "=", 1)
      .where("kind", "=", "reply")
      .orderBy("id")
      .execute(),
    db.selectFrom("notices").select(["created_at", "kind", "method", "body"]).where("complaint_id", "=", c.id).orderBy("id").execute(),
    db.selectFrom("attachments").select(["original_name", "mime", "size"]).where("complaint_id", "=", c.id).orderBy("id").execute(),
    db.selectFrom("case_ratings").select(["score", "comment"]).where("complaint_id", "=", c.id).executeTakeFirst(),
  ]);
  await appendAudit(db, {
    actorId: actor.staffId,
    actorRole: actor.role,
    action: "privacy.export",
    targetType: "complaint",
    targetId: c.id,
    details: actor.osUser ? { osUser: actor.osUser } : {},
  });
  return {
    reference: c.reference,
    receivedAt: c.received_at,
    closedAt: c.closed_at,
    status: c.status,
    channel: c.channel,
    category: category?.name_th ?? "",
    subject: c.subject,
    details: c.details,
    landmark: c.landmark,
    location: c.latitude !== null && c.longitude !== null ? { latitude: c.latitude, longitude: c.longitude } : null,
    contact: {
      name: c.contact_name,
      phone: c.contact_phone,
      email: c.contact_email,
      address: c.contact_address,
      preferred: c.preferred_contact,
    },
    result: c.result_summary,
    publicReplies: events.map((e) => ({ at: e.created_at, text: e.note })),
    notices: notices.map((n) => ({ at: n.created_at, kind: n.kind, method: n.method, text: n.body })),
    attachments: files.map((f) => ({ name: f.original_name, type: f.mime, size: f.size })),
    rating: rating ? { score: rating.score, comment: rating.comment } : null,
    anonymisedAt: c.anonymised_at,
  };
}

/** Corrects the contact details of a case at the person's request (fields left empty stay). Audited with the names of the fields changed. */
export async function correctContact(
  db: Kysely<Database>,
  reference: string,
  input: { name: string; phone: string; email: string; address: string },
  actor: PrivacyActor,
): Promise<void> {
  const clean = (s: string, max: number) =>
    s
      .normalize("NFC")
      .replace(/[\u0000-\u001f\u007f]/g, " ")
      .trim()
      .slice(0, max);
  // Only the fields given are changed (erasure removes them all).
  const given = {
    contact_name: clean(input.name, 200),
    contact_phone: clean(input.phone, 40),
    contact_email: clean(input.email, 254),
    contact_address: clean(input.address, 500),
  };
  const next = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== "")) as Partial<typeof given>;
  if (Object.keys(next).length === 0) throw new PrivacyRequestError("bad_input");
  if (next.contact_email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(next.contact_email)) throw new PrivacyRequestError("bad_input");
  await db.transaction().execute(async (trx) => {
    const c = await caseByReference(trx, reference);
    if (c.anonymised_at) throw new PrivacyRequestError("not_found");
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => c[k] !== next[k]);
    await trx.updateTable("complaints").set(next).where("id", "=", c.id).execute();
    await appendAudit(trx, {
      actorId: actor.staffId,
      actorRole: actor.role,
      action: "privacy.correct",
      targetType: "complaint",
      targetId: c.id,
      details: { fields: changed, ...(actor.osUser ? { osUser: actor.osUser } : {}) },
    });
  });
}

/**
 * Erases a case's personal data and free text at the person's request (the statistics stay). An open case is
 * refused unless `openCaseAcknowledged` (the person then gets no more notices and cannot be contacted about it).
 */
export async function eraseCase(
  db: Kysely<Database>,
  reference: string,
  actor: PrivacyActor,
  opts: { openCaseAcknowledged?: boolean } = {},
): Promise<void> {
  const files = await db.transaction().execute(async (trx) => {
    const c = await caseByReference(trx, reference);
    if (c.anonymised_at) return [];
    if (isOpenStatus(c.status as CaseStatus) && !opts.openCaseAcknowledged) throw new PrivacyRequestError("open_case");
    const removed = await anonymise(trx, c.id, now().toISOString());
    await appendAudit(trx, {
      actorId: actor.staffId,
      actorRole: actor.role,
      action: "privacy.erase",
      targetType: "complaint",
      targetId: c.id,
      details: { open: isOpenStatus(c.status as CaseStatus), ...(actor.osUser ? { osUser: actor.osUser } : {}) },
    });
    return removed;
  });
  await fileRemoval.afterCommit(files, db);
  await scrubLeftovers(db);
}
