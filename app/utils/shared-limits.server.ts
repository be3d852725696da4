/**
 * Rate-limit counts shared by several app servers on one PostgreSQL database (docs/decisions/0014, 0015).
 *
 * Every limiter keeps counting in memory (rate-limit.server.ts: the answer to a request never waits for the database).
 * Twice a second each server adds what it counted since the last exchange to an UNLOGGED table and reads back the
 * total of all servers; the difference becomes the bucket's "remote" count, so a client who spreads attempts over N
 * servers is refused once all of them together reach the limit (within half a second of the others' attempts). A key
 * used here in the last few seconds is read again at every exchange, so what the others counted meanwhile arrives too.
 *
 * What is stored: a keyed hash of (limiter, key) — HMAC-SHA256 with a secret derived from the installation's master
 * key and the day, so the table alone gives no address back and the keys change every day — with a count and the end of
 * its window. Rows past their window are deleted every minute. The corruption channel's limiters are memory-only and
 * never reach this table.
 */
import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";
import { allLimiters } from "./rate-limit.server";
import { installationMasterKey } from "./keys.server";
import { errorFields, log } from "./logger.server";
import { withStartupLock } from "../../db/dialects/postgres";

const DAY_MS = 86_400_000;
/** Rows per statement. */
const BATCH = 500;
/** A key used this recently is read again at each exchange even when this server counted nothing new for it. */
const RECENT_MS = 5_000;

function daySecret(at: number): Buffer {
  return crypto
    .createHmac("sha256", installationMasterKey())
    .update(`sujarit shared rate limits ${Math.floor(at / DAY_MS)}`)
    .digest();
}

const keyOf = (secret: Buffer, limiter: string, key: string) =>
  crypto.createHmac("sha256", secret).update(`${limiter}\0${key}`).digest("base64url").slice(0, 32);

/** Creates the table (UNLOGGED: counts need no crash safety and cost no WAL); app servers starting together take turns. */
export async function prepareSharedLimits<DB>(db: Kysely<DB>): Promise<void> {
  await withStartupLock(db, "rate limit counts", (trx) =>
    sql`create unlogged table if not exists rate_limit_counts (k text primary key, n integer not null, reset_at bigint not null)`.execute(
      trx,
    ),
  );
}

/** One exchange: this server's new counts in, every server's totals out. */
export async function exchangeSharedCounts<DB>(db: Kysely<DB>, at = Date.now()): Promise<{ sent: number }> {
  const secret = daySecret(at);
  const deletes: string[] = [];
  const items: { k: string; delta: number; resetAt: number; settle(total: number, resetAt: number): void }[] = [];
  for (const l of allLimiters()) {
    if (l.memoryOnly) continue;
    for (const r of l.resets) deletes.push(keyOf(secret, l.name, r));
    l.resets.clear();
    for (const c of l.changedBuckets(at, RECENT_MS))
      items.push({ k: keyOf(secret, l.name, c.key), delta: c.delta, resetAt: c.resetAt, settle: c.settle });
  }
  if (deletes.length) await sql`delete from rate_limit_counts where k = any(${deletes})`.execute(db);
  for (let i = 0; i < items.length; i += BATCH) {
    const part = items.slice(i, i + BATCH);
    const res = await sql<{ k: string; n: number; reset_at: string | number }>`
      insert into rate_limit_counts (k, n, reset_at)
      select * from unnest(${part.map((p) => p.k)}::text[], ${part.map((p) => p.delta)}::integer[], ${part.map((p) => p.resetAt)}::bigint[])
      on conflict (k) do update set
        n = case when rate_limit_counts.reset_at <= ${at} then greatest(excluded.n, 0) else greatest(rate_limit_counts.n + excluded.n, 0) end,
        reset_at = case when rate_limit_counts.reset_at <= ${at} then excluded.reset_at else rate_limit_counts.reset_at end
      returning k, n, reset_at`.execute(db);
    const byKey = new Map(res.rows.map((r) => [r.k, r]));
    for (const p of part) {
      const row = byKey.get(p.k);
      if (row) p.settle(Number(row.n), Number(row.reset_at));
    }
  }
  return { sent: items.length };
}

/** Starts the exchange (every `intervalMs`) and the removal of ended windows (every minute); `stop()` waits for both. */
export function startSharedRateLimits<DB>(db: Kysely<DB>, { intervalMs = 500 }: { intervalMs?: number } = {}) {
  globalThis.__sujaritSharedLimits = true;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = exchangeSharedCounts(db)
      .catch((e) => log.warn("exchanging rate-limit counts failed", errorFields(e)))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const sweep = setInterval(() => {
    void sql`delete from rate_limit_counts where reset_at < ${Date.now()}`
      .execute(db)
      .catch((e) => log.warn("removing ended rate-limit windows failed", errorFields(e)));
  }, 60_000);
  sweep.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(sweep);
      if (running) await running;
    },
  };
}
