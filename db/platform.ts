/**
 * The installation's list of organisations (docs/decisions/0015-one-database-per-organisation.md), used when
 * ORG_ROUTING=host: which organisations exist, their host names, and where each keeps its data. Nothing an
 * organisation owns is here: its complaints, reports, staff, keys and statistics live in its own database (a SQLite
 * file under <DATA_DIR>/orgs/<code>/, or a schema org_<code> of the PostgreSQL database).
 *
 * Storage: <DATA_DIR>/platform.db on SQLite; schema "platform" on PostgreSQL.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import { isPostgresUrl } from "./dialects/url";
import { openSqlite } from "./dialects/sqlite";
import { openPostgresSchemas, withStartupLock, type SchemaPool } from "./dialects/postgres";

export interface OrganisationTable {
  code: string;
  name_th: string;
  name_en: string;
  /** Province (จังหวัด) code the organisation belongs to, for the province page; null when not given. */
  province: string | null;
  /** Random id (hex) that, with the installation's master key, derives every key of the organisation. */
  key_id: string;
  /**
   * The keys of an installation moved in as this organisation (npm run migrate-to-postgres -- --org): its own keys, kept
   * so its reports, receipts and tracking codes still open, sealed (AES-256-GCM) with a key derived from the
   * installation's master key — the database alone opens nothing. Null: the organisation's keys are derived.
   */
  imported_keys: string | null;
  created_at: string;
}

export interface OrganisationHostTable {
  host: string;
  code: string;
}

/**
 * One sign-in across organisations (docs/decisions/0016-one-sign-in-across-organisations.md): staff accounts of several
 * organisations joined as one person. Only ids: no names, e-mail addresses or roles (those stay in each organisation's
 * database). An account belongs to at most one person, and a person has at most one account per organisation.
 */
export interface StaffLinkTable {
  org_code: string;
  staff_id: number;
  /** Random id (hex) shared by the accounts of one person. */
  person_id: string;
  linked_at: string;
}

/** A one-time link code shown to a signed-in account (its sha256 only), redeemed at another organisation. */
export interface StaffLinkCodeTable {
  id: string;
  org_code: string;
  staff_id: number;
  expires_at: string;
}

/** A one-time switch from one linked account to another (its token's sha256 only), posted to the target organisation. */
export interface StaffSwitchTable {
  id: string;
  person_id: string;
  from_org: string;
  from_staff_id: number;
  to_org: string;
  to_staff_id: number;
  /** 1 when the session it was made from had passed its own second factor. */
  second_factor: number;
  expires_at: string;
}

/**
 * An organisation's LINE Official Account (its channel secret, access token and basic ID), sealed (AES-256-GCM) with a
 * key derived from the installation's master key and the organisation's key id (app/utils/sites.server.ts): the
 * database alone opens nothing. No row: the organisation has no LINE.
 */
export interface OrganisationLineTable {
  code: string;
  sealed: string;
  updated_at: string;
}

export interface PlatformDatabase {
  organisation: OrganisationTable;
  organisation_line: OrganisationLineTable;
  organisation_host: OrganisationHostTable;
  staff_link: StaffLinkTable;
  staff_link_code: StaffLinkCodeTable;
  staff_switch: StaffSwitchTable;
}

export interface OrganisationRecord {
  code: string;
  nameTh: string;
  nameEn: string;
  province: string | null;
  keyId: string;
  hosts: string[];
  /** Sealed imported keys (see OrganisationTable.imported_keys), or null. */
  importedKeys: string | null;
  /** Its sealed LINE settings (OrganisationLineTable), or null: no LINE. */
  lineSettings: string | null;
}

/** An organisation's code: its schema name and data folder (lower-case letters and digits, 2–30, a letter first). */
export const ORG_CODE = /^[a-z][a-z0-9]{1,29}$/;

/** A host name as a browser sends it (lower-case, no port); "localhost" and dotted names. */
export const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isOrgCode(code: string): boolean {
  return ORG_CODE.test(code);
}

/** Where one installation's organisations live. */
export interface OrganisationStorage {
  readonly kind: "sqlite" | "postgres";
  readonly platform: Kysely<PlatformDatabase>;
  /** The organisation's database (opened on first use; the same instance afterwards). */
  organisationDb<DB>(code: string): Kysely<DB>;
  /** Its folder for files on the local disk (uploads, reports, outbox files): <DATA_DIR>/orgs/<code>. */
  organisationDir(code: string): string;
  /** Creates the organisation's (empty) database: its SQLite file, or its schema. */
  createOrganisationStorage(code: string): Promise<void>;
  destroy(): Promise<void>;
}

export const schemaOf = (code: string) => `org_${code}`;

/** Page cache of each organisation's SQLite file (KiB). */
const ORGANISATION_CACHE_KIB = 512;

export function openOrganisationStorage(
  env: { DATABASE_URL?: string; DATA_DIR: string },
  opts: { max?: number } = {},
): OrganisationStorage {
  const orgsDir = path.resolve(env.DATA_DIR, "orgs");
  const organisationDir = (code: string) => {
    if (!isOrgCode(code)) throw new Error(`not an organisation code: ${code}`);
    return path.join(orgsDir, code);
  };
  if (isPostgresUrl(env.DATABASE_URL)) {
    const pool: SchemaPool = openPostgresSchemas(env.DATABASE_URL, opts);
    return {
      kind: "postgres",
      platform: pool.forSchema<PlatformDatabase>("platform"),
      organisationDb: <DB>(code: string) => {
        if (!isOrgCode(code)) throw new Error(`not an organisation code: ${code}`);
        return pool.forSchema<DB>(schemaOf(code));
      },
      organisationDir,
      async createOrganisationStorage(code) {
        if (!isOrgCode(code)) throw new Error(`not an organisation code: ${code}`);
        await sql.raw(`create schema if not exists "${schemaOf(code)}"`).execute(pool.forSchema("platform"));
      },
      destroy: () => pool.destroy(),
    };
  }
  fs.mkdirSync(orgsDir, { recursive: true, mode: 0o700 });
  const open = new Map<string, Kysely<any>>();
  const platform = openSqlite<PlatformDatabase>(path.resolve(env.DATA_DIR, "platform.db"));
  return {
    kind: "sqlite",
    platform,
    organisationDb<DB>(code: string): Kysely<DB> {
      let db = open.get(code);
      if (!db) {
        const dir = organisationDir(code);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        // A smaller page cache than SQLite's 2 MiB: many organisations' files are open at once.
        db = openSqlite<DB>(path.join(dir, "sujarit.db"), { cacheKiB: ORGANISATION_CACHE_KIB });
        open.set(code, db);
      }
      return db as Kysely<DB>;
    },
    organisationDir,
    async createOrganisationStorage(code) {
      fs.mkdirSync(organisationDir(code), { recursive: true, mode: 0o700 });
    },
    async destroy() {
      for (const db of open.values()) await db.destroy();
      open.clear();
      await platform.destroy();
    },
  };
}

/**
 * Creates the platform tables when missing (idempotent; run at every start). On PostgreSQL several app servers may start
 * at once: they take turns (withStartupLock).
 */
export async function preparePlatform(storage: OrganisationStorage): Promise<void> {
  if (storage.kind === "postgres")
    return withStartupLock(storage.platform as Kysely<any>, "platform tables", async (trx) => {
      await sql`create schema if not exists platform`.execute(trx);
      // Trigram search (each organisation's complaints) needs pg_trgm; it lives in public, which every organisation's
      // search_path ends with, and holds nothing else of the portal's.
      await sql`create extension if not exists pg_trgm with schema public`.execute(trx);
      await createPlatformTables(trx);
    });
  await createPlatformTables(storage.platform as Kysely<any>);
}

async function createPlatformTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("organisation")
    .ifNotExists()
    .addColumn("code", "text", (c) => c.primaryKey())
    .addColumn("name_th", "text", (c) => c.notNull())
    .addColumn("name_en", "text", (c) => c.notNull())
    .addColumn("province", "text")
    .addColumn("key_id", "text", (c) => c.notNull().unique())
    .addColumn("imported_keys", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("organisation_host")
    .ifNotExists()
    .addColumn("host", "text", (c) => c.primaryKey())
    .addColumn("code", "text", (c) => c.notNull().references("organisation.code"))
    .execute();
  await db.schema
    .createTable("organisation_line")
    .ifNotExists()
    .addColumn("code", "text", (c) => c.primaryKey().references("organisation.code"))
    .addColumn("sealed", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("staff_link")
    .ifNotExists()
    .addColumn("org_code", "text", (c) => c.notNull().references("organisation.code"))
    .addColumn("staff_id", "integer", (c) => c.notNull())
    .addColumn("person_id", "text", (c) => c.notNull())
    .addColumn("linked_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("staff_link_pk", ["org_code", "staff_id"])
    .addUniqueConstraint("staff_link_one_per_org", ["person_id", "org_code"])
    .execute();
  await db.schema
    .createTable("staff_link_code")
    .ifNotExists()
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_code", "text", (c) => c.notNull())
    .addColumn("staff_id", "integer", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("staff_switch")
    .ifNotExists()
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("person_id", "text", (c) => c.notNull())
    .addColumn("from_org", "text", (c) => c.notNull())
    .addColumn("from_staff_id", "integer", (c) => c.notNull())
    .addColumn("to_org", "text", (c) => c.notNull())
    .addColumn("to_staff_id", "integer", (c) => c.notNull())
    .addColumn("second_factor", "integer", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
}

/** Every organisation, by code. */
export async function listOrganisations(platform: Kysely<PlatformDatabase>): Promise<OrganisationRecord[]> {
  const [orgs, hosts, lines] = await Promise.all([
    platform.selectFrom("organisation").selectAll().orderBy("code").execute(),
    platform.selectFrom("organisation_host").selectAll().orderBy("host").execute(),
    platform.selectFrom("organisation_line").select(["code", "sealed"]).execute(),
  ]);
  const lineOf = new Map(lines.map((l) => [l.code, l.sealed]));
  return orgs.map((o) => ({
    code: o.code,
    nameTh: o.name_th,
    nameEn: o.name_en,
    province: o.province,
    keyId: o.key_id,
    importedKeys: o.imported_keys,
    lineSettings: lineOf.get(o.code) ?? null,
    hosts: hosts.filter((h) => h.code === o.code).map((h) => h.host),
  }));
}

/** Sets (sealed, see OrganisationLineTable) or, with null, removes an organisation's LINE settings. */
export async function recordOrganisationLine(platform: Kysely<PlatformDatabase>, code: string, sealed: string | null): Promise<void> {
  if (sealed === null) {
    await platform.deleteFrom("organisation_line").where("code", "=", code).execute();
    return;
  }
  const updatedAt = new Date().toISOString();
  await platform
    .insertInto("organisation_line")
    .values({ code, sealed, updated_at: updatedAt })
    .onConflict((oc) => oc.column("code").doUpdateSet({ sealed, updated_at: updatedAt }))
    .execute();
}

export class OrganisationExists extends Error {
  constructor(readonly what: "code" | "host") {
    super(what === "code" ? "an organisation with this code exists" : "a host name is already taken");
  }
}

/** Records a new organisation and its host names (one transaction); its key id is random unless given. */
export async function recordOrganisation(
  platform: Kysely<PlatformDatabase>,
  org: { code: string; nameTh: string; nameEn: string; province?: string | null; hosts: string[] },
  opts: { keyId?: string; importedKeys?: string | null } = {},
): Promise<OrganisationRecord> {
  if (!isOrgCode(org.code)) throw new Error(`not an organisation code: ${org.code}`);
  const hosts = [...new Set(org.hosts.map((h) => h.toLowerCase()))];
  for (const h of hosts) if (!HOST_NAME.test(h)) throw new Error(`not a host name: ${h}`);
  const keyId = opts.keyId ?? crypto.randomBytes(16).toString("hex");
  const importedKeys = opts.importedKeys ?? null;
  return platform.transaction().execute(async (trx) => {
    if (await trx.selectFrom("organisation").select("code").where("code", "=", org.code).executeTakeFirst())
      throw new OrganisationExists("code");
    if (hosts.length > 0 && (await trx.selectFrom("organisation_host").select("host").where("host", "in", hosts).executeTakeFirst())) {
      throw new OrganisationExists("host");
    }
    await trx
      .insertInto("organisation")
      .values({
        code: org.code,
        name_th: org.nameTh,
        name_en: org.nameEn,
        province: org.province ?? null,
        key_id: keyId,
        imported_keys: importedKeys,
        created_at: new Date().toISOString(),
      })
      .execute();
    for (const host of hosts) await trx.insertInto("organisation_host").values({ host, code: org.code }).execute();
    return {
      code: org.code,
      nameTh: org.nameTh,
      nameEn: org.nameEn,
      province: org.province ?? null,
      keyId,
      hosts,
      importedKeys,
      lineSettings: null,
    };
  });
}
