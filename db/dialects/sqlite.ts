/**
 * SQLite (better-sqlite3): the embedded default (docs/decisions/0001-sqlite-wal-default.md). Everything SQLite-specific
 * lives here: opening the file, BEGIN IMMEDIATE transactions, PRAGMA optimize, trigger syntax, FTS5, INDEXED BY.
 * The SQL text below is what the migrations wrote before PostgreSQL support, so existing databases migrate identically.
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from "kysely";
import type { SqlDialect, TriggerSpec } from "./types";

/**
 * Opens the SQLite file with WAL, foreign keys, a busy timeout and full fsync on commit. `cacheKiB`: the page cache
 * (SQLite's default is 2 MiB per connection; an installation with a thousand organisations keeps a thousand files open
 * and gives each a smaller one).
 */
export function openSqlite<DB>(file: string, opts: { cacheKiB?: number } = {}): Kysely<DB> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("secure_delete = ON");
  // Keep ANALYZE cheap (sampled) so query-planner statistics can be refreshed on a live database.
  sqlite.pragma("analysis_limit = 1000");
  if (opts.cacheKiB) sqlite.pragma(`cache_size = -${Math.max(64, Math.trunc(opts.cacheKiB))}`);
  return new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Transactions begin with BEGIN IMMEDIATE: they take SQLite's write lock first, waiting on the busy timeout while
 * another connection holds it (the server's deadline worker thread, a CLI, a cron `sla:tick`). A deferred transaction
 * that read first and then wrote would fail at once with SQLITE_BUSY_SNAPSHOT — no waiting — whenever another
 * connection committed between its read and its write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Kysely prepares every query afresh; preparing is a large share of a small query's cost. Queries are compiled to the
 * same SQL text each time, so their prepared statements are kept and reused (bounded; cleared when full).
 * Statements run synchronously to completion, so one statement is never used by two queries at once.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

function eventSql(event: TriggerSpec["event"]): string {
  return typeof event === "string" ? event : `update of ${event.update.join(", ")}`;
}

export const sqliteDialect: SqlDialect = {
  name: "sqlite",

  autoId: (c) => c.primaryKey().autoIncrement(),
  autoIdSql: "integer primary key autoincrement",
  real: "real",
  withoutRowid: " without rowid",
  nowIsoDefault: () => sql<string>`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,

  int: (condition) => `(${condition})`,
  existing: (_table, column) => column,
  differs: (a, b) => `${a} is not ${b}`,
  isValue: (a, literal) => `${a} is ${literal}`,
  bangkokDay: (iso) => `date(${iso}, '+7 hours')`,
  yearOf: (day) => `cast(strftime('%Y', ${day}) as integer)`,
  monthOf: (day) => `cast(strftime('%m', ${day}) as integer)`,
  daysBetween: (from, to) => `cast(julianday(${to}) - julianday(${from}) as integer)`,

  async createTrigger(db, t) {
    const when = t.when ? ` when ${t.when}` : "";
    await sql.raw(`create trigger ${t.name} after ${eventSql(t.event)} on ${t.table}${when} begin\n    ${t.body}\n  end`).execute(db);
  },
  async dropTrigger(db, name) {
    await sql.raw(`drop trigger if exists ${name}`).execute(db);
  },
  async createAppendOnlyTriggers(db, table) {
    for (const ev of ["update", "delete"]) {
      await sql
        .raw(`create trigger ${table}_no_${ev} before ${ev} on ${table} begin\n    select raise(abort, '${table} is append-only');\n  end`)
        .execute(db);
    }
  },
  async dropAppendOnlyTriggers(db, table) {
    for (const ev of ["delete", "update"]) await sql.raw(`drop trigger if exists ${table}_no_${ev}`).execute(db);
  },
  // AUTOINCREMENT already keeps the mark, in sqlite_sequence, in the same transaction as the insert.
  async trackIdMark() {},
  async untrackIdMark() {},
  async idMark(db, table) {
    const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = ${table}`.execute(db);
    return Number(seq.rows[0]?.seq ?? 0);
  },

  async createComplaintSearch(db) {
    await sql`create virtual table complaints_fts using fts5(reference, subject, content='complaints', content_rowid='id', tokenize='trigram')`.execute(
      db,
    );
    await sql`create trigger complaints_fts_ai after insert on complaints begin
    insert into complaints_fts(rowid, reference, subject) values (new.id, new.reference, new.subject);
  end`.execute(db);
    await sql`create trigger complaints_fts_ad after delete on complaints begin
    insert into complaints_fts(complaints_fts, rowid, reference, subject) values ('delete', old.id, old.reference, old.subject);
  end`.execute(db);
    await sql`create trigger complaints_fts_au after update of reference, subject on complaints begin
    insert into complaints_fts(complaints_fts, rowid, reference, subject) values ('delete', old.id, old.reference, old.subject);
    insert into complaints_fts(rowid, reference, subject) values (new.id, new.reference, new.subject);
  end`.execute(db);
  },
  async dropComplaintSearch(db) {
    await sql`drop trigger if exists complaints_fts_au`.execute(db);
    await sql`drop trigger if exists complaints_fts_ad`.execute(db);
    await sql`drop trigger if exists complaints_fts_ai`.execute(db);
    await sql`drop table if exists complaints_fts`.execute(db);
  },
  complaintTextMatch(alias, text) {
    const phrase = `"${text.replace(/"/g, '""')}"`;
    return sql`${sql.raw(alias)}.id in (select rowid from complaints_fts where complaints_fts match ${phrase})`;
  },
  fromIndexed: (table, alias, index) => sql`${sql.raw(table)} as ${sql.raw(alias)} indexed by ${sql.id(index)}`,
  likeInsensitive: (expr, pattern) => sql`${expr} like ${pattern} escape '\\'`,
  integerList: (ids) => sql<number>`(select "held"."value" from json_each(${JSON.stringify(ids)}) as "held")`,
  async compactAfterRemoval(db) {
    await sql`insert into complaints_fts(complaints_fts) values ('optimize')`.execute(db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  },

  rowLocks: false,
  greatest: (a, b) => `max(${a}, ${b})`,
  // The pragma is the connection's, so it is set around the transaction and put back after it.
  async unsyncedTransaction(db, work) {
    return db.connection().execute(async (conn) => {
      const before = (await sql<{ synchronous: number }>`pragma synchronous`.execute(conn)).rows[0]?.synchronous ?? 2;
      await sql`pragma synchronous = NORMAL`.execute(conn);
      try {
        return await conn.transaction().execute(work);
      } finally {
        await sql`pragma synchronous = ${sql.raw(String(Number(before)))}`.execute(conn);
      }
    });
  },

  async setLockWait(db, ms) {
    await sql`pragma busy_timeout = ${sql.raw(String(Math.trunc(ms)))}`.execute(db);
  },

  async optimize(db) {
    await sql`pragma optimize = 0x10002`.execute(db);
  },
};
