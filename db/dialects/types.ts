import type { ColumnDefinitionBuilder, Kysely, RawBuilder, Transaction } from "kysely";

/** The databases the portal runs on. */
export type DialectName = "sqlite" | "postgres";

/** A row trigger that runs after the change: what fires it, an optional condition on old/new, the statements it runs. */
export interface TriggerSpec {
  name: string;
  table: string;
  /** The event: insert, delete, or update (of some columns, when given). */
  event: "insert" | "delete" | "update" | { update: readonly string[] };
  /** A condition on old.* / new.* (write it with `differs`/`isValue` so it reads the same on both databases). */
  when?: string;
  /** One or more SQL statements, each ending with `;`, that may use old.* and new.*. */
  body: string;
}

/**
 * Everything that differs between the portal's two databases. Migrations, db/statistics.ts and the few models that need
 * dialect-specific SQL ask `dialectOf(db)` (db/dialects/index.ts) for one of these instead of writing SQLite or
 * PostgreSQL text themselves, so each reads the same for both.
 */
export interface SqlDialect {
  readonly name: DialectName;

  // ---- column types and defaults ----
  /** Column modifier of an integer primary key that numbers itself: `.addColumn("id", "integer", d.autoId)`. */
  autoId(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** The same as column SQL for raw CREATE TABLE text: `id ${d.autoIdSql}`. */
  readonly autoIdSql: string;
  /** The floating-point type of coordinates ("real" on SQLite, a double on PostgreSQL: real is only 4 bytes there). */
  readonly real: "real" | "double precision";
  /** What follows the closing parenthesis of a table that only has a (composite) primary key: " without rowid" or "". */
  readonly withoutRowid: string;
  /** A column default: the current UTC time as ISO-8601 text with milliseconds (what `new Date().toISOString()` gives). */
  nowIsoDefault(): RawBuilder<string>;

  // ---- SQL expressions (text, for trigger bodies and raw SQL) ----
  /** A condition as an integer 0/1 (SQLite's comparisons already are; PostgreSQL's are booleans). */
  int(condition: string): string;
  /** The existing row's `column` in an ON CONFLICT … DO UPDATE SET of `table` (PostgreSQL needs it qualified). */
  existing(table: string, column: string): string;
  /** `a` and `b` differ, nulls included (`is not` / `is distinct from`). */
  differs(a: string, b: string): string;
  /** `a` equals the SQL literal `literal`, false for null (`is` / `is not distinct from`). */
  isValue(a: string, literal: string): string;
  /** Bangkok calendar day (YYYY-MM-DD text) of an ISO-8601 UTC timestamp (or YYYY-MM-DD) text expression. */
  bangkokDay(isoText: string): string;
  /** The year of a YYYY-MM-DD text expression, as an integer. */
  yearOf(day: string): string;
  /** The month (1–12) of a YYYY-MM-DD text expression, as an integer. */
  monthOf(day: string): string;
  /** Whole days from day `from` to day `to` (both YYYY-MM-DD text expressions), as an integer. */
  daysBetween(from: string, to: string): string;

  // ---- schema objects ----
  createTrigger(db: Kysely<any>, spec: TriggerSpec): Promise<void>;
  dropTrigger(db: Kysely<any>, name: string, table: string): Promise<void>;
  /** Makes `table` refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE): `<table>_no_update` / `<table>_no_delete`. */
  createAppendOnlyTriggers(db: Kysely<any>, table: string): Promise<void>;
  dropAppendOnlyTriggers(db: Kysely<any>, table: string): Promise<void>;
  /**
   * Keeps a transactional high-water mark of `table`'s ids (read with `idMark`), so removing the newest rows shows.
   * SQLite keeps one by itself for AUTOINCREMENT tables (sqlite_sequence); PostgreSQL gets a row in `id_marks`.
   */
  trackIdMark(db: Kysely<any>, table: string): Promise<void>;
  untrackIdMark(db: Kysely<any>, table: string): Promise<void>;
  /**
   * The highest id `table` ever had (0 if none). With `lock`, also makes other writers of `table` that ask with `lock`
   * wait until this transaction ends (SQLite: every write transaction already holds the database's write lock).
   */
  idMark(db: Kysely<any>, table: string, opts?: { lock?: boolean }): Promise<number>;
  /** Search over complaints' reference and subject (Thai has no spaces: trigrams). */
  createComplaintSearch(db: Kysely<any>): Promise<void>;
  dropComplaintSearch(db: Kysely<any>): Promise<void>;
  /** Condition: complaint `alias` contains `text` (3 characters or more) in its reference or subject. */
  complaintTextMatch(alias: string, text: string): RawBuilder<unknown>;
  /** `table as alias`, told to use index `index` where the database takes such a hint (SQLite's INDEXED BY). */
  fromIndexed(table: string, alias: string, index: string): RawBuilder<unknown>;
  /**
   * Condition: text expression `expr` matches LIKE pattern `pattern` (a backslash escapes `%`, `_` and itself), ignoring the
   * case of ASCII letters as SQLite's LIKE does (PostgreSQL: ILIKE).
   */
  likeInsensitive(expr: RawBuilder<unknown>, pattern: string): RawBuilder<unknown>;
  /**
   * A parenthesised subquery of the integers `ids`, one bound value whatever their number (for `x in …`, also when
   * `ids` is empty): SQLite's json_each, PostgreSQL's unnest of an integer array.
   */
  integerList(ids: readonly number[]): RawBuilder<number>;
  /**
   * After personal data was removed: drop what the database still keeps of it where it can do so cheaply (SQLite: the
   * search index merged and the WAL checkpointed and truncated; PostgreSQL: nothing, autovacuum reclaims dead rows).
   */
  compactAfterRemoval(db: Kysely<any>): Promise<void>;

  // ---- concurrency (several app servers on one database: docs/decisions/0012-postgresql.md) ----
  /**
   * Whether single rows can be locked (`select … for update` / `for share`, `skip locked`): PostgreSQL. SQLite has no
   * row locks and needs none: every write transaction holds the whole database's write lock from its start (BEGIN
   * IMMEDIATE), so a claim made in one is already exclusive there.
   */
  readonly rowLocks: boolean;
  /** The larger of two SQL values of one type (text expressions): `max(a, b)` / `greatest(a, b)`. */
  greatest(a: string, b: string): string;
  /**
   * Runs `work` in a new transaction whose commit does not wait for the disk (the deadline tick's claim and "late"
   * batches, docs/decisions/0003): SQLite `synchronous = NORMAL` for that commit only, PostgreSQL
   * `synchronous_commit = off` for that transaction only. A crash can lose the last such commits, never tear one; a
   * later synced commit makes every earlier one durable with it.
   */
  unsyncedTransaction<DB, T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;

  // ---- connection ----
  /** How long this connection waits for another writer's lock before failing (SQLite's busy timeout; PostgreSQL waits). */
  setLockWait(db: Kysely<any>, ms: number): Promise<void>;

  // ---- maintenance ----
  /** Refreshes query-planner statistics where they are missing or stale (cheap; run at start and hourly). */
  optimize(db: Kysely<any>): Promise<void>;
}
