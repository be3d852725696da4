import { openConfiguredDatabase, type DB } from "../../db/connection";
import { getEnv } from "./env.server";
import { loadOrCreateSecrets, type Secrets } from "./secrets.server";

declare global {
  var __sujaritDb: DB | undefined;

  var __sujaritSecrets: Secrets | undefined;
}

/** The process-wide database handle (opened on first use): SQLite, or PostgreSQL for a postgres:// DATABASE_URL. */
export function getDb(): DB {
  if (!globalThis.__sujaritDb) globalThis.__sujaritDb = openConfiguredDatabase(getEnv());
  return globalThis.__sujaritDb;
}

/** The installation's secrets from ./data/keys (created on first start). */
export function getSecrets(): Secrets {
  if (!globalThis.__sujaritSecrets) globalThis.__sujaritSecrets = loadOrCreateSecrets(getEnv().DATA_DIR);
  return globalThis.__sujaritSecrets;
}
