/**
 * Which organisation the running code works for (docs/decisions/0015-one-database-per-organisation.md).
 *
 * With one organisation (ORG_ROUTING=single, the default) there is no context: the database, keys and files are the
 * installation's, as they always were. With several (ORG_ROUTING=host), the server decides the organisation once per
 * request from the host name and runs everything after that inside `runForSite(site, …)`; getDb(), getSecrets(), the
 * report keys, the file store and every per-organisation cache read it from here. Code that runs for no organisation
 * in that mode gets an error, never a default organisation's data.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { FileStore } from "./file-store.server";
import type { Secrets } from "./secrets.server";

/** The report channel's keys of one organisation (app/utils/keys.server.ts reads them). */
export interface SiteReportKeys {
  master: Buffer;
  receiptPepper: Buffer;
  installationSalt: Buffer;
  /** Ed25519 private key, PKCS#8 DER. */
  signingKeyDer: Buffer;
}

/** An organisation's LINE Official Account: what LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and LINE_OA_ID hold for one. */
export interface OrganisationLineSettings {
  channelSecret: string;
  accessToken: string;
  /** Basic ID with its @, e.g. "@wangluek". */
  oaId: string;
}

export interface ActiveSite {
  readonly code: string;
  /** Its address for links (PUBLIC_URL with its first host name, or PUBLIC_URL/o/<code> with ORG_ROUTING=path). */
  readonly publicUrl: string;
  /** Where its pages start on the server: "" (by host name), or /o/<code> (ORG_ROUTING=path). */
  readonly basePath: string;
  /** Its folder for files on the local disk (uploads, reports, outbox files). */
  readonly dataDir: string;
  db(): Kysely<Database>;
  secrets(): Secrets;
  reportKeys(): SiteReportKeys;
  fileStore(): FileStore;
  /** Its own LINE Official Account (app/models/line/config.server.ts), or null: none. */
  lineSettings(): OrganisationLineSettings | null;
  /** Per-organisation values of the modules that cache something (siteMemo). */
  readonly memo: Map<string, unknown>;
}

declare global {
  var __sujaritSeveralOrganisations: boolean | undefined;
  var __sujaritSiteStorage: AsyncLocalStorage<ActiveSite> | undefined;
  var __sujaritSingleSiteMemo: Map<string, unknown> | undefined;
}

// On globalThis: the server (build/server.js) and the Remix build (build/index.js) each bundle a copy of this module,
// and both must see the same context and the same per-organisation values.
const storage = (globalThis.__sujaritSiteStorage ??= new AsyncLocalStorage<ActiveSite>());

export class NoOrganisationError extends Error {
  constructor() {
    super("This installation serves several organisations and this code ran for none of them.");
  }
}

/** Called by the server (and scripts) of an installation with several organisations, before anything else runs. */
export function serveSeveralOrganisations(): void {
  globalThis.__sujaritSeveralOrganisations = true;
}

export function servesSeveralOrganisations(): boolean {
  return globalThis.__sujaritSeveralOrganisations === true;
}

/**
 * The organisation of the running code: null in an installation with one organisation (use the installation's
 * database and keys); throws NoOrganisationError when several are served and the code runs outside runForSite.
 */
export function activeSite(): ActiveSite | null {
  const site = storage.getStore();
  if (site) return site;
  if (globalThis.__sujaritSeveralOrganisations) throw new NoOrganisationError();
  return null;
}

/** Where the running organisation's pages start ("" with one organisation, by host name, or outside any). */
export function activeBasePath(): string {
  return storage.getStore()?.basePath ?? "";
}

/** Runs `work` (and everything it starts: promises, timers) for `site`. */
export function runForSite<T>(site: ActiveSite, work: () => T): T {
  return storage.run(site, work);
}

const single = (globalThis.__sujaritSingleSiteMemo ??= new Map<string, unknown>());

/**
 * A value made once per organisation (once per process with one organisation): keys derived from the organisation's
 * secrets, its memory-only session stores, its caches. `name` must be unique to the calling module.
 */
export function siteMemo<T>(name: string, make: () => T): T {
  const memo = activeSite()?.memo ?? single;
  if (memo.has(name)) return memo.get(name) as T;
  const value = make();
  memo.set(name, value);
  return value;
}

/** Tests: forgets the values memoised for the installation's single organisation. */
export function clearSingleSiteMemo(): void {
  single.clear();
}
