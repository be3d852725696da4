/**
 * From the first format (every report key wrapped by the master key beside the database) to per-recipient keys.
 *
 * Reports filed before migration 0800 keep their master-key wrap only until the people who could read them under the
 * old rules hold their own wrapped copy:
 * - each time an integrity officer unlocks their keys (signing in), every old report they were entitled to is wrapped
 *   for them (entitled: an active integrity officer the report did not name; reports the old routing sent to the
 *   alternate only for the current alternate, the others only for the other officers);
 * - as soon as every entitled officer holds a copy, the report's master-key wrap is destroyed;
 * - `npm run reports -- migrate-keys --email <integrity officer>` (asks their password) wraps for everyone who has a key
 *   pair and destroys every remaining master-key wrap at once; it lists who was left without a copy (a holder can give
 *   them access later from the report page).
 * Every step is in the report's sealed audit trail ("report.key-migration").
 */
import type { Kysely } from "kysely";
import type { Database } from "../../../db/schema";
import { inTransaction } from "../../../db/connection";
import { getMasterKey } from "~/utils/keys.server";
import { openJson, unwrapLegacyReportKey, wrapReportKeyFor, type WrappedKey } from "./crypto.server";
import { openHolders, sealHolders, type ReportHolder } from "./holders.server";
import { auditReportAction } from "./channel-audit.server";
import { channelSettings, reportAad, type SealedSubmission } from "./shared.server";

interface Officer {
  id: number;
  name: string;
  publicKey: Buffer | null;
}

async function activeOfficers(db: Kysely<Database>): Promise<Officer[]> {
  const rows = await db
    .selectFrom("staff")
    .leftJoin("staff_keys", "staff_keys.staff_id", "staff.id")
    .select(["staff.id", "staff.name", "staff_keys.public_key"])
    .where("staff.role", "=", "integrity")
    .where("staff.active", "=", 1)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, publicKey: r.public_key ? Buffer.from(r.public_key, "base64url") : null }));
}

/** How many reports still have a master-key wrap. */
export async function legacyWrapsRemaining(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom("reports")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("wrapped_key", "!=", "")
    .where("purged_at", "is", null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Wraps old reports for the officers entitled to them who have key pairs (only `onlyFor` when given), and destroys
 * master-key wraps that are no longer needed (all of them when `finish`). Returns counts and who is left without a copy.
 */
async function migrate(
  db: Kysely<Database>,
  opts: { onlyFor?: number; finish?: boolean },
): Promise<{ wrapped: number; destroyed: number; withoutCopy: string[] }> {
  if ((await legacyWrapsRemaining(db)) === 0) return { wrapped: 0, destroyed: 0, withoutCopy: [] };
  const master = getMasterKey();
  const settings = await channelSettings(db);
  const officers = await activeOfficers(db);
  const rows = await db
    .selectFrom("reports")
    .select(["id", "public_id", "wrapped_key", "envelope", "holders"])
    .where("wrapped_key", "!=", "")
    .where("purged_at", "is", null)
    .execute();
  let wrapped = 0;
  let destroyed = 0;
  const left = new Set<string>();
  for (const r of rows) {
    const key = unwrapLegacyReportKey(r.wrapped_key, r.public_id, master);
    const sealed = openJson<SealedSubmission>(key, r.envelope, reportAad.submission(r.public_id));
    const excluded = new Set(sealed.excluded.map((x) => x.id));
    const toAlternate = (sealed.routedTo ?? sealed.requestedRecipient) === "alternate" && settings.alternate_staff_id !== null;
    const entitled = officers.filter(
      (o) => !excluded.has(o.id) && (toAlternate ? o.id === settings.alternate_staff_id : o.id !== settings.alternate_staff_id),
    );
    const holders = openHolders(key, r.public_id, r.holders);
    const held = new Set(holders.map((h) => h.id));
    const add: ReportHolder[] = [];
    const wraps: WrappedKey[] = [];
    for (const o of entitled) {
      if (held.has(o.id) || !o.publicKey || (opts.onlyFor !== undefined && o.id !== opts.onlyFor)) continue;
      wraps.push(await wrapReportKeyFor(o.publicKey, key, r.public_id));
      add.push({ id: o.id, name: o.name, alternate: o.id === settings.alternate_staff_id, via: "migration" });
    }
    const nowHeld = new Set([...held, ...add.map((a) => a.id)]);
    const missing = entitled.filter((o) => !nowHeld.has(o.id));
    const done = missing.length === 0 || opts.finish === true;
    if (add.length === 0 && !done) continue;
    await inTransaction(db, async (trx) => {
      for (const w of wraps) {
        await trx
          .insertInto("report_keys")
          .values({ report_id: r.id, tag_pub: w.tagPub, view_tag: w.viewTag, enc: w.enc, wrapped: w.wrapped })
          .execute();
      }
      await trx
        .updateTable("reports")
        .set({ holders: sealHolders(key, r.public_id, [...holders, ...add]), ...(done ? { wrapped_key: "" } : {}) })
        .where("id", "=", r.id)
        .execute();
      await auditReportAction(trx, { id: r.id, publicId: r.public_id, key }, null, "report.key-migration", {
        wrappedFor: add.map((a) => a.id),
        masterWrapDestroyed: done,
        withoutCopy: done ? missing.map((m) => m.id) : [],
      });
    });
    wrapped += add.length;
    if (done) {
      destroyed++;
      for (const m of missing) left.add(m.name);
    }
    key.fill(0);
  }
  return { wrapped, destroyed, withoutCopy: [...left] };
}

/** At an integrity officer's unlock: their copies of the old reports they are entitled to. */
export async function migrateLegacyReportsFor(db: Kysely<Database>, staffId: number): Promise<{ wrapped: number; destroyed: number }> {
  const r = await migrate(db, { onlyFor: staffId });
  return { wrapped: r.wrapped, destroyed: r.destroyed };
}

/** The CLI: copies for everyone with a key pair, then every remaining master-key wrap destroyed. */
export async function finishKeyMigration(db: Kysely<Database>): Promise<{ wrapped: number; destroyed: number; withoutCopy: string[] }> {
  return migrate(db, { finish: true });
}
