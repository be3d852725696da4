import { openConfiguredDatabase, type DB } from "../../db/connection";
import { getEnv } from "./env.server";
import { loadOrCreateSecrets, type Secrets } from "./secrets.server";
import { activeSite } from "./site-context.server";

declare global {
  var __sujaritDb: DB | undefined;

  var __sujaritSecrets: Secrets | undefined;
}

/**
 * The database of the organisation the code runs for: the installation's database (opened on first use: SQLite, or
 * PostgreSQL for a postgres:// DATABASE_URL), or, when the installation serves several organisations, the current
 * one's (app/utils/site-context.server.ts).
 */
export function getDb(): DB {
  const site = activeSite();
  if (site) return site.db();
  if (!globalThis.__sujaritDb) globalThis.__sujaritDb = openConfiguredDatabase(getEnv());
  return globalThis.__sujaritDb;
}

/** The organisation's secrets: the installation's from ./data/keys (created on first start), or the current organisation's. */
export function getSecrets(): Secrets {
  const site = activeSite();
  if (site) return site.secrets();
  if (!globalThis.__sujaritSecrets) globalThis.__sujaritSecrets = loadOrCreateSecrets(getEnv().DATA_DIR);
  return globalThis.__sujaritSecrets;
}
