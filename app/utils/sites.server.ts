/**
 * The organisations of an installation that serves several (ORG_ROUTING=host): each one's database, folder, keys and
 * file store, and the host names that lead to it (docs/decisions/0015-one-database-per-organisation.md).
 *
 * Keys: every key of an organisation is derived with HKDF-SHA256 from the installation's master key and the
 * organisation's random key id (db/platform.ts), one derivation per purpose. One organisation's key material never
 * opens another's data, a new organisation needs no key files, and several app servers with the same master key
 * derive the same keys.
 */
import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { listOrganisations, type OrganisationRecord, type OrganisationStorage } from "../../db/platform";
import type { ActiveSite, OrganisationLineSettings, SiteReportKeys } from "./site-context.server";
import type { Secrets } from "./secrets.server";
import { decryptText, encryptText } from "./crypto.server";
import { getEnv } from "./env.server";
import { publicUrlForHost } from "./public-url.server";
import { createFileStore, type FileStore, type FileStoreKind } from "./file-store.server";

/** DER prefix of an Ed25519 private key in PKCS#8 (RFC 8410), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The keys of an installation moved in as an organisation (what its keys/ folder held). */
export interface ImportedKeys {
  version: 1;
  master: string;
  trackingPepper: string;
  trackingDerivation: string;
  outboxKey: string;
  receiptPepper: string;
  installationSalt: string;
  signingKeyPem: string;
}

const sealingKey = (installationMaster: Buffer, keyId: string) =>
  deriveOrganisationKey(installationMaster, keyId, "imported keys").toString("base64url");

/** Seals an installation's keys for the platform database (AES-256-GCM, bound to the organisation's key id). */
export function sealImportedKeys(installationMaster: Buffer, keyId: string, keys: ImportedKeys): string {
  return encryptText(JSON.stringify(keys), sealingKey(installationMaster, keyId), `organisation-keys:${keyId}`);
}

export function openImportedKeys(installationMaster: Buffer, keyId: string, sealed: string): ImportedKeys {
  const keys = JSON.parse(decryptText(sealed, sealingKey(installationMaster, keyId), `organisation-keys:${keyId}`)) as ImportedKeys;
  if (keys.version !== 1) throw new Error("unknown imported keys version");
  return keys;
}

const lineSealingKey = (installationMaster: Buffer, keyId: string) =>
  deriveOrganisationKey(installationMaster, keyId, "line settings").toString("base64url");

/** Seals an organisation's LINE settings for the platform database (AES-256-GCM, bound to its key id). */
export function sealLineSettings(installationMaster: Buffer, keyId: string, settings: OrganisationLineSettings): string {
  return encryptText(JSON.stringify(settings), lineSealingKey(installationMaster, keyId), `organisation-line:${keyId}`);
}

export function openLineSettings(installationMaster: Buffer, keyId: string, sealed: string): OrganisationLineSettings {
  const s = JSON.parse(
    decryptText(sealed, lineSealingKey(installationMaster, keyId), `organisation-line:${keyId}`),
  ) as OrganisationLineSettings;
  return { channelSecret: s.channelSecret, accessToken: s.accessToken, oaId: s.oaId };
}

/** `length` bytes for `purpose` of the organisation with key id `keyId`. */
export function deriveOrganisationKey(installationMaster: Buffer, keyId: string, purpose: string, length = 32): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", installationMaster, Buffer.from(keyId, "hex"), `sujarit organisation ${purpose}`, length));
}

export class Site implements ActiveSite {
  readonly memo = new Map<string, unknown>();
  private derivedSecrets?: Secrets;
  private derivedReportKeys?: SiteReportKeys;
  private store?: FileStore;
  private line?: { sealed: string; settings: OrganisationLineSettings };

  constructor(
    /** Replaced when the list is read again (SiteDirectory.refresh): its LINE settings may have changed. */
    public record: OrganisationRecord,
    private readonly storage: OrganisationStorage,
    private readonly installationMaster: () => Buffer,
    private readonly fileStoreKind: FileStoreKind,
    private readonly routing: OrganisationRouting = "host",
  ) {}

  get code(): string {
    return this.record.code;
  }

  get basePath(): string {
    return this.routing === "path" ? organisationPath(this.record.code) : "";
  }

  get publicUrl(): string {
    if (this.routing === "path") return getEnv().PUBLIC_URL.replace(/\/+$/, "") + this.basePath;
    const host = this.record.hosts[0];
    return host ? publicUrlForHost(host) : getEnv().PUBLIC_URL;
  }

  get dataDir(): string {
    return this.storage.organisationDir(this.record.code);
  }

  db(): Kysely<Database> {
    return this.storage.organisationDb<Database>(this.record.code);
  }

  private key(purpose: string, length = 32): Buffer {
    return deriveOrganisationKey(this.installationMaster(), this.record.keyId, purpose, length);
  }

  private imported(): ImportedKeys | null {
    return this.record.importedKeys ? openImportedKeys(this.installationMaster(), this.record.keyId, this.record.importedKeys) : null;
  }

  secrets(): Secrets {
    const imported = this.derivedSecrets ? null : this.imported();
    if (imported) {
      this.derivedSecrets ??= {
        version: 1,
        trackingPepper: imported.trackingPepper,
        trackingDerivation: imported.trackingDerivation,
        outboxKey: imported.outboxKey,
      };
    }
    this.derivedSecrets ??= {
      version: 1,
      trackingPepper: this.key("tracking pepper").toString("base64url"),
      trackingDerivation: this.key("tracking derivation").toString("base64url"),
      outboxKey: this.key("outbox").toString("base64url"),
    };
    return this.derivedSecrets;
  }

  reportKeys(): SiteReportKeys {
    const imported = this.derivedReportKeys ? null : this.imported();
    if (imported) {
      this.derivedReportKeys = {
        master: Buffer.from(imported.master, "base64"),
        receiptPepper: Buffer.from(imported.receiptPepper, "base64"),
        installationSalt: Buffer.from(imported.installationSalt, "base64"),
        signingKeyDer: crypto.createPrivateKey(imported.signingKeyPem).export({ format: "der", type: "pkcs8" }) as Buffer,
      };
    }
    this.derivedReportKeys ??= {
      master: this.key("report master"),
      receiptPepper: this.key("receipt pepper"),
      installationSalt: this.key("receipt salt", 16),
      signingKeyDer: Buffer.concat([ED25519_PKCS8_PREFIX, this.key("signing seed")]),
    };
    return this.derivedReportKeys;
  }

  lineSettings(): OrganisationLineSettings | null {
    const sealed = this.record.lineSettings;
    if (!sealed) return null;
    if (this.line?.sealed !== sealed) {
      this.line = { sealed, settings: openLineSettings(this.installationMaster(), this.record.keyId, sealed) };
    }
    return this.line.settings;
  }

  fileStore(): FileStore {
    this.store ??= createFileStore({ FILE_STORE: this.fileStoreKind, DATA_DIR: this.dataDir }, () => this.db());
    return this.store;
  }
}

/** How a request names its organisation: its host name, or the first segments of its path (/o/<code>/…). */
export type OrganisationRouting = "host" | "path";

/** Where an organisation's pages start with ORG_ROUTING=path. */
export function organisationPath(code: string): string {
  return `/o/${code}`;
}

/** The organisation code at the start of a path (`/o/<code>` or `/o/<code>/…`), or null. */
export function organisationCodeOfPath(pathname: string): string | null {
  const m = /^\/o\/([a-z0-9][a-z0-9_-]{0,39})(?:\/|$)/.exec(pathname);
  return m ? m[1]! : null;
}

/** How long a host name nobody registered is answered from memory before the list is read again. */
const UNKNOWN_HOST_MS = 10_000;

/** The installation's organisations, kept in memory and read again when a host name is not known (new organisations). */
export class SiteDirectory {
  private byCode = new Map<string, Site>();
  private byHost = new Map<string, Site>();
  private unknown = new Map<string, number>();
  private reading: Promise<void> | null = null;
  private readAt = 0;

  constructor(
    readonly storage: OrganisationStorage,
    private readonly installationMaster: () => Buffer,
    private readonly fileStoreKind: FileStoreKind,
    readonly routing: OrganisationRouting = "host",
  ) {}

  /** Reads the list of organisations again; returns the ones that were not known before. */
  async refresh(): Promise<Site[]> {
    const added: Site[] = [];
    const records = await listOrganisations(this.storage.platform);
    for (const r of records) {
      let site = this.byCode.get(r.code);
      if (!site) {
        site = new Site(r, this.storage, this.installationMaster, this.fileStoreKind, this.routing);
        this.byCode.set(r.code, site);
        added.push(site);
      } else {
        site.record = r;
      }
      for (const h of r.hosts) this.byHost.set(h, site);
    }
    this.unknown.clear();
    this.readAt = Date.now();
    return added;
  }

  all(): Site[] {
    return [...this.byCode.values()];
  }

  /** Every organisation, the list read again when it is older than `maxAgeMs` (one read for all who ask meanwhile). */
  async current(maxAgeMs = UNKNOWN_HOST_MS): Promise<Site[]> {
    if (Date.now() - this.readAt >= maxAgeMs) await this.reread();
    return this.all();
  }

  private reread(): Promise<void> {
    this.reading ??= this.refresh()
      .then(() => undefined)
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  /** Whether a host name belongs to one of the organisations this server knows (no read of the list). */
  hasHost(hostname: string): boolean {
    return this.byHost.has(hostname.toLowerCase().replace(/\.$/, ""));
  }

  byOrganisationCode(code: string): Site | null {
    return this.byCode.get(code) ?? null;
  }

  /** The organisation whose host name this is, or null (unknown names are read from the list at most every 10 s). */
  forHost(hostname: string): Promise<Site | null> {
    const host = hostname.toLowerCase().replace(/\.$/, "");
    return this.find(this.byHost, `host ${host}`, host);
  }

  /** The organisation with this code (ORG_ROUTING=path), or null (unknown codes as unknown host names). */
  forCode(code: string): Promise<Site | null> {
    return this.find(this.byCode, `code ${code}`, code);
  }

  private async find(map: Map<string, Site>, unknownKey: string, key: string): Promise<Site | null> {
    const hit = map.get(key);
    if (hit) return hit;
    const seen = this.unknown.get(unknownKey);
    if (seen !== undefined && Date.now() - seen < UNKNOWN_HOST_MS) return null;
    await this.reread();
    const found = map.get(key);
    if (!found) {
      if (this.unknown.size > 10_000) this.unknown.clear();
      this.unknown.set(unknownKey, Date.now());
    }
    return found ?? null;
  }
}

declare global {
  var __sujaritSiteDirectory: SiteDirectory | undefined;
}

/** The server's directory of organisations, for the few pages that read several (the province page). */
export function registerSiteDirectory(directory: SiteDirectory | undefined): void {
  globalThis.__sujaritSiteDirectory = directory;
}

export function siteDirectory(): SiteDirectory | null {
  return globalThis.__sujaritSiteDirectory ?? null;
}
