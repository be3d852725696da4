/**
 * PostgreSQL (node-postgres `pg`, Kysely's PostgresDialect): for hosted installations and several app servers
 * (docs/decisions/0012-postgresql.md). Everything PostgreSQL-specific lives here: the pool and its type parsers,
 * identity columns, PL/pgSQL trigger functions, pg_trgm search, the id marks of append-only tables, ANALYZE.
 */
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type DatabaseConnection,
  type DatabaseMetadataOptions,
  type Driver,
  type TableMetadata,
  type TransactionSettings,
  type Transaction,
} from "kysely";
import crypto from "node:crypto";
import pg from "pg";
import type { SqlDialect, TriggerSpec } from "./types";
import { errorFields, log } from "../../app/utils/logger.server";

export { isPostgresUrl } from "./url";

/** OIDs of the types read differently from node-postgres's defaults. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * count(*) and sum() are bigint (int8) and avg() is numeric on PostgreSQL; node-postgres returns both as strings.
 * The portal's numbers are far below 2^53, so they come back as JS numbers, as on SQLite. Per pool, not global.
 */
const portalTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8) return (v: string) => Number(v);
    if (oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Statements prepared on one connection at most (each keeps its parsed form and plans in that server process's memory). */
export const PREPARED_PER_CONNECTION = 400;

/** The server's refusal to run a prepared statement after its table changed shape (a migration by another server). */
const isStalePlan = (e: unknown) =>
  (e as { code?: string } | null)?.code === "0A000" && /cached plan must not change result type/.test(String((e as Error).message));

/**
 * The pool of the portal's connections: its numbers come back as numbers, an idle connection the server closes (a
 * restart, a failover, an administrator) is replaced on next use instead of ending the process, and the queries a
 * page runs are prepared once per connection.
 *
 * Prepared statements: node-postgres sends every parameterised query as parse + bind + execute, so the server parses
 * and plans the same few dozen statements again for every page. Named, a statement is parsed once per connection and
 * its plan reused (PostgreSQL re-plans by itself when statistics, the tables or search_path change). At most
 * PREPARED_PER_CONNECTION names per connection; statements beyond that run unnamed. A table whose columns changed under
 * a prepared `select *` answers "cached plan must not change result type": that statement then runs unnamed on that
 * connection (inside a transaction that error still ends the transaction; the caller sees it once).
 */
function portalPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types: portalTypes, application_name: "sujarit" });
  pool.on("error", (e) => log.warn("an idle database connection was closed by the server", errorFields(e)));
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `s${crypto.createHash("sha256").update(text).digest("base64url").slice(0, 22)}`;
      if (names.size < 10_000) names.set(text, name);
    }
    return name;
  };
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const prepared = new Set<string>();
    const unnamed = new Set<string>();
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
      if (
        typeof config !== "string" ||
        !Array.isArray(values) ||
        callback !== undefined ||
        !PREPARABLE.test(config) ||
        config.includes(";")
      )
        return query(config, values, callback);
      const name = nameOf(config);
      if (unnamed.has(name) || (!prepared.has(name) && prepared.size >= PREPARED_PER_CONNECTION)) return query(config, values);
      prepared.add(name);
      return (query({ name, text: config, values }) as Promise<pg.QueryResult>).catch((e: unknown) => {
        if (!isStalePlan(e)) throw e;
        unnamed.add(name);
        return query(config, values);
      });
    };
  });
  return pool;
}

/** Statements that can be prepared (not SET, BEGIN, DDL…). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/** Opens a pool on `url` (postgres://user:pass@host:port/db?…). Transactions are ordinary (READ COMMITTED) ones. */
export function openPostgres<DB>(url: string, opts: { max?: number } = {}): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: portalPool(url, opts.max ?? 10) }) });
}

/** A schema name the portal made (platform, org_<code>): letters, digits and underscores only, so it can be quoted safely. */
export function isSchemaName(name: string): boolean {
  return /^[a-z][a-z0-9_]{0,62}$/.test(name);
}

/**
 * One connection pool shared by many schemas (docs/decisions/0015-one-database-per-organisation.md): `forSchema(s)` is a
 * Kysely instance whose every query runs with `search_path` set to `s, public` (public holds only the pg_trgm
 * extension). The path is set when a connection is taken from the pool for a different schema than it last served, so
 * a page of one organisation costs no extra round trip while its connections stay warm. Unqualified table names, raw
 * SQL and trigger functions all resolve in the organisation's schema: there is no query that could name another's
 * table by forgetting a condition.
 */
export interface SchemaPool {
  forSchema<DB>(schema: string): Kysely<DB>;
  /** Closes the pool (every instance from forSchema stops working). */
  destroy(): Promise<void>;
}

/**
 * Kysely's PostgreSQL introspector, for the instance of one schema: that schema's tables only. Kysely's own lists every
 * column of every schema in the database (its Migrator asks it, twice a run, whether its own tables exist): with one
 * schema per organisation that cost ~12 ms per organisation for each organisation migrated, so preparing 1,000
 * organisations at a server's start took hours.
 */
class SchemaIntrospector extends PostgresIntrospector {
  constructor(
    private readonly db: Kysely<any>,
    private readonly schema: string,
  ) {
    super(db);
  }

  override async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{
      table: string;
      kind: string;
      column: string;
      not_null: boolean;
      has_default: boolean;
      type: string;
      type_schema: string;
      comment: string | null;
      serial: string | null;
    }>`select c.relname as table, c.relkind as kind, a.attname as column, a.attnotnull as not_null, a.atthasdef as has_default,
        typ.typname as type, dtns.nspname as type_schema, col_description(a.attrelid, a.attnum) as comment,
        case when a.attidentity <> '' or a.atthasdef
          then pg_get_serial_sequence(quote_ident(ns.nspname) || '.' || quote_ident(c.relname), a.attname) end as serial
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_class c on a.attrelid = c.oid
      join pg_catalog.pg_namespace ns on c.relnamespace = ns.oid
      join pg_catalog.pg_type typ on a.atttypid = typ.oid
      join pg_catalog.pg_namespace dtns on typ.typnamespace = dtns.oid
      where ns.nspname = ${this.schema} and c.relkind in ('r', 'v', 'p') and a.attnum >= 0 and not a.attisdropped
      order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata & { columns: TableMetadata["columns"][number][] }>();
    for (const r of rows) {
      if (!options.withInternalKyselyTables && (r.table === "kysely_migration" || r.table === "kysely_migration_lock")) continue;
      let t = tables.get(r.table);
      if (!t) tables.set(r.table, (t = { name: r.table, schema: this.schema, isView: r.kind === "v", columns: [] }));
      t.columns.push({
        name: r.column,
        dataType: r.type,
        dataTypeSchema: r.type_schema,
        isNullable: !r.not_null,
        isAutoIncrementing: r.serial !== null,
        hasDefaultValue: r.has_default,
        comment: r.comment ?? undefined,
      });
    }
    return [...tables.values()];
  }
}

/**
 * Runs `work` in a transaction that holds the advisory lock named `name` (a transaction-level lock: released at commit
 * or rollback). For the statements every app server runs at start (`create … if not exists`): two servers creating the
 * same table at the same moment make one of them fail ("duplicate key value violates unique constraint
 * pg_type_typname_nsp_index"), so they take turns; the second finds everything there.
 */
export async function withStartupLock<DB, T>(db: Kysely<DB>, name: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const key = crypto.createHash("sha256").update(`sujarit ${name}`).digest().readBigInt64BE(0).toString();
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${key}::bigint)`.execute(trx);
    return work(trx);
  });
}

/** Each schema's first lane (see openPostgresSchemas): a hash of its name, so every app server picks the same one. */
export function homeLaneOf(schema: string, lanes: number): number {
  return crypto.createHash("sha256").update(schema).digest().readUInt32BE(0) % lanes;
}

/** Queries a schema lets queue on each of its lanes (one running, the others waiting) before it takes another lane. */
export const LANE_QUEUE_BEFORE_SPILL = 4;

/** How long a schema keeps the lanes it took beyond its home one after its last query there ended. */
export const SPILLED_LANE_KEEP_MS = 60_000;

/**
 * One lane per connection (`opts.max`, 10 by default). Each schema has its own lanes: at first only its home lane (a
 * hash of its name, the same in every app server). A query goes to the first free lane of its schema's, else waits on
 * the least busy of them; only when every one of them already has LANE_QUEUE_BEFORE_SPILL queries does the schema take
 * a free lane of another (the next after its home) and keep it as one of its own — until none of its queries has run
 * for `keepSpilledMs` (SPILLED_LANE_KEEP_MS): then it is back to its home lane alone, so a burst an hour ago does not
 * leave an organisation spread over connections it no longer needs (over a day every organisation would be, and every
 * connection would serve every organisation again). With a schema per organisation, each
 * server process on the database side then serves a small share of the organisations and keeps their catalogue
 * entries (~300 relations each) warm instead of reading the catalogue again for most statements (1,000 organisations
 * are ~300,000 relations; measured, most of a page's database time went to that), while one busy organisation still
 * spreads over as many lanes as it keeps busy. (Before, a query took any free lane when its home lane was busy: under
 * load every connection served every organisation, and a page on PostgreSQL cost about a third more; see
 * docs/page-cost.md, ninth round.)
 */
export function openPostgresSchemas(url: string, opts: { max?: number; keepSpilledMs?: number } = {}): SchemaPool {
  type Lane = { driver: PostgresDriver; busy: number };
  const keepSpilledMs = opts.keepSpilledMs ?? SPILLED_LANE_KEEP_MS;
  const lanes: Lane[] = Array.from({ length: Math.max(1, opts.max ?? 10) }, () => ({
    driver: new PostgresDriver({ pool: portalPool(url, 1) }),
    busy: 0,
  }));
  const laneOf = new WeakMap<DatabaseConnection, Lane>();
  /**
   * One schema's lanes (indexes into `lanes`, its home one first), its queries holding or waiting for a connection, and
   * when the last one gave its connection back.
   */
  type SchemaLanes = { mine: number[]; running: number; lastEnded: number };
  /** The lane for a query of the schema whose lanes `s` are. */
  const pick = (s: SchemaLanes): Lane => {
    if (s.mine.length > 1 && s.running === 0 && Date.now() - s.lastEnded >= keepSpilledMs) s.mine = s.mine.slice(0, 1);
    const { mine } = s;
    const home = mine[0]!;
    let best = lanes[home]!;
    for (const i of mine) {
      const lane = lanes[i]!;
      if (lane.busy === 0) return lane;
      if (lane.busy < best.busy) best = lane;
    }
    if (best.busy >= LANE_QUEUE_BEFORE_SPILL)
      for (let k = 1; k < lanes.length; k++) {
        const i = (home + k) % lanes.length;
        if (lanes[i]!.busy === 0 && !mine.includes(i)) {
          s.mine = [...mine, i];
          return lanes[i]!;
        }
      }
    return best;
  };
  const shared = lanes[0]!.driver; // transactions and savepoints: the same statements on any lane's connection
  // The drivers hand out their own connection objects: the ones given back are those.
  type Conn = Parameters<PostgresDriver["releaseConnection"]>[0];
  const own = (c: DatabaseConnection) => c as Conn;
  let ready: Promise<void> | null = null;
  const release = async (c: DatabaseConnection) => {
    const lane = laneOf.get(c)!;
    lane.busy--;
    await lane.driver.releaseConnection(own(c));
  };
  const pathOf = new WeakMap<DatabaseConnection, string>();
  const instances = new Map<string, Kysely<any>>();
  const driverFor = (schema: string): Driver => {
    const schemaLanes: SchemaLanes = { mine: [homeLaneOf(schema, lanes.length)], running: 0, lastEnded: 0 };
    const ended = () => {
      schemaLanes.running--;
      schemaLanes.lastEnded = Date.now();
    };
    const releaseOwn = async (c: DatabaseConnection) => {
      ended();
      await release(c);
    };
    return {
      init: () => (ready ??= Promise.all(lanes.map((l) => l.driver.init())).then(() => undefined)),
      async acquireConnection() {
        const lane = pick(schemaLanes);
        lane.busy++;
        schemaLanes.running++;
        let conn: DatabaseConnection;
        try {
          conn = await lane.driver.acquireConnection();
        } catch (e) {
          lane.busy--;
          ended();
          throw e;
        }
        laneOf.set(conn, lane);
        if (pathOf.get(conn) !== schema) {
          try {
            await conn.executeQuery(CompiledQuery.raw(`set search_path to "${schema}", public`));
          } catch (e) {
            await releaseOwn(conn);
            throw e;
          }
          pathOf.set(conn, schema);
        }
        return conn;
      },
      beginTransaction: (c: DatabaseConnection, s: TransactionSettings) => shared.beginTransaction(c, s),
      commitTransaction: (c: DatabaseConnection) => shared.commitTransaction(c),
      rollbackTransaction: (c: DatabaseConnection) => shared.rollbackTransaction(own(c)),
      savepoint: (c, name, compile) => shared.savepoint(c, name, compile),
      rollbackToSavepoint: (c, name, compile) => shared.rollbackToSavepoint(c, name, compile),
      releaseSavepoint: (c, name, compile) => shared.releaseSavepoint(c, name, compile),
      releaseConnection: releaseOwn,
      // The lanes outlive each instance: SchemaPool.destroy() ends them.
      destroy: async () => {},
    };
  };
  return {
    forSchema<DB>(schema: string): Kysely<DB> {
      if (!isSchemaName(schema)) throw new Error(`not a schema name: ${schema}`);
      let db = instances.get(schema);
      if (!db) {
        db = new Kysely<any>({
          dialect: {
            createAdapter: () => new PostgresAdapter(),
            createDriver: () => driverFor(schema),
            createQueryCompiler: () => new PostgresQueryCompiler(),
            createIntrospector: (k) => new SchemaIntrospector(k, schema),
          },
        });
        instances.set(schema, db);
      }
      return db as Kysely<DB>;
    },
    async destroy() {
      instances.clear();
      if (ready) await ready;
      await Promise.all(lanes.map((l) => l.driver.destroy()));
    },
  };
}

function eventSql(event: TriggerSpec["event"]): string {
  return typeof event === "string" ? event : `update of ${event.update.join(", ")}`;
}

/** The trigger function of trigger `name` (one function per trigger, dropped with it). */
const fnName = (trigger: string) => `${trigger}_fn`;

export const postgresDialect: SqlDialect = {
  name: "postgres",

  // "by default": the portal writes explicit ids in a few places (the audit log numbers its entries before hashing).
  autoId: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
  autoIdSql: "integer generated by default as identity primary key",
  real: "double precision",
  withoutRowid: "",
  nowIsoDefault: () => sql<string>`(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,

  int: (condition) => `(${condition})::integer`,
  existing: (table, column) => `${table}.${column}`,
  differs: (a, b) => `${a} is distinct from ${b}`,
  isValue: (a, literal) => `${a} is not distinct from ${literal}`,
  // A "Z" in the text is ignored by ::timestamp; the columns hold UTC. Bangkok has no daylight saving time.
  bangkokDay: (iso) => `to_char((${iso})::timestamp + interval '7 hours', 'YYYY-MM-DD')`,
  yearOf: (day) => `cast(substr(${day}, 1, 4) as integer)`,
  monthOf: (day) => `cast(substr(${day}, 6, 2) as integer)`,
  daysBetween: (from, to) => `((${to})::date - (${from})::date)`,

  async createTrigger(db, t) {
    await sql
      .raw(
        `create or replace function ${fnName(t.name)}() returns trigger language plpgsql as $fn$ begin\n    ${t.body}\n    return null;\n  end $fn$`,
      )
      .execute(db);
    const when = t.when ? ` when (${t.when})` : "";
    await sql
      .raw(`create trigger ${t.name} after ${eventSql(t.event)} on ${t.table} for each row${when} execute function ${fnName(t.name)}()`)
      .execute(db);
  },
  async dropTrigger(db, name, table) {
    await sql.raw(`drop trigger if exists ${name} on ${table}`).execute(db);
    await sql.raw(`drop function if exists ${fnName(name)}()`).execute(db);
  },
  async createAppendOnlyTriggers(db, table) {
    await sql
      .raw(
        `create or replace function ${table}_append_only_fn() returns trigger language plpgsql as $fn$ begin
    raise exception '${table} is append-only';
  end $fn$`,
      )
      .execute(db);
    for (const ev of ["update", "delete"]) {
      await sql
        .raw(`create trigger ${table}_no_${ev} before ${ev} on ${table} for each row execute function ${table}_append_only_fn()`)
        .execute(db);
    }
    // TRUNCATE skips row triggers.
    await sql
      .raw(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function ${table}_append_only_fn()`)
      .execute(db);
  },
  async dropAppendOnlyTriggers(db, table) {
    for (const ev of ["truncate", "delete", "update"]) await sql.raw(`drop trigger if exists ${table}_no_${ev} on ${table}`).execute(db);
    await sql.raw(`drop function if exists ${table}_append_only_fn()`).execute(db);
  },
  // Identity sequences are not transactional (a rolled-back insert still uses up its number) and do not move when an id
  // is given explicitly, so the mark is a row of id_marks kept by a trigger, in the inserting transaction.
  async trackIdMark(db, table) {
    await sql`create table if not exists id_marks (name text primary key, seq integer not null)`.execute(db);
    await sql`insert into id_marks (name, seq) values (${table}, coalesce((select max(id) from ${sql.table(table)}), 0))
      on conflict (name) do nothing`.execute(db);
    await postgresDialect.createTrigger(db, {
      name: `${table}_id_mark`,
      table,
      event: "insert",
      body: `update id_marks set seq = greatest(seq, new.id) where name = '${table}';`,
    });
  },
  async untrackIdMark(db, table) {
    await postgresDialect.dropTrigger(db, `${table}_id_mark`, table);
    await sql`delete from id_marks where name = ${table}`.execute(db);
    const left = await sql<{ n: number }>`select count(*) as n from id_marks`.execute(db);
    if (Number(left.rows[0]?.n ?? 0) === 0) await sql`drop table id_marks`.execute(db);
  },
  async idMark(db, table, opts) {
    const lock = opts?.lock ? sql` for update` : sql``;
    const r = await sql<{ seq: number }>`select seq from id_marks where name = ${table}${lock}`.execute(db);
    return Number(r.rows[0]?.seq ?? 0);
  },

  // pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
  async createComplaintSearch(db) {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index complaints_search on complaints using gin (reference gin_trgm_ops, subject gin_trgm_ops)`.execute(db);
  },
  async dropComplaintSearch(db) {
    await sql`drop index if exists complaints_search`.execute(db);
  },
  complaintTextMatch(alias, text) {
    const pattern = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const a = sql.raw(alias);
    return sql`(${a}.subject ilike ${pattern} or ${a}.reference ilike ${pattern})`;
  },
  // The planner chooses; PostgreSQL has statistics from autovacuum's ANALYZE.
  fromIndexed: (table, alias) => sql`${sql.raw(table)} as ${sql.raw(alias)}`,
  // standard_conforming_strings (the default): '\\' is one backslash.
  likeInsensitive: (expr, pattern) => sql`${expr} ilike ${pattern} escape '\\'`,
  integerList: (ids) => sql<number>`(select unnest(cast(${[...ids]} as integer[])))`,
  // Removed rows are dead tuples until (auto)vacuum reclaims them; VACUUM cannot run in a transaction and is not cheap.
  async compactAfterRemoval() {},

  rowLocks: true,
  greatest: (a, b) => `greatest(${a}, ${b})`,
  // `set local` lasts until the transaction ends; the pooled connection keeps its own setting.
  async unsyncedTransaction(db, work) {
    return db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      return work(trx);
    });
  },

  // A pool of connections: a setting on one would not reach the others. Row locks are waited for (no lock_timeout).
  async setLockWait() {},

  async optimize(db) {
    await sql`analyze`.execute(db);
  },
};
