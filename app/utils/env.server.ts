import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies } from "./client-address.server";
import { isTileUrlTemplate } from "../lib/map";
import { isPostgresUrl } from "../../db/dialects/url";

const schema = z.object({
  NODE_ENV: z.enum(["production", "development", "test"]).default("production"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|sqlite:)?[^\s]+$/, "must be a SQLite file path or file: URL, or a postgres:// URL")
    .refine(
      (v) => !/^postgres(ql)?:/i.test(v) || isPostgresUrl(v),
      "a PostgreSQL URL must look like postgres://user:password@host:5432/database (or postgresql://…)",
    )
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Where uploads and evidence are stored (app/utils/file-store.server.ts): "disk" (default) under DATA_DIR
   * (uploads/, reports/), or "database": in the application's database (table stored_file), so several app servers
   * share nothing but the database. Report evidence is encrypted before it reaches either.
   */
  FILE_STORE: z.enum(["disk", "database"], "must be disk or database").default("disk"),
  /**
   * How many organisations the installation serves (docs/decisions/0015-one-database-per-organisation.md): "single"
   * (default) — one, from DATABASE_URL / DATA_DIR as always; "host" — any number, each reached by its own host names
   * (`npm run org -- add`), each with its own database (a SQLite file under DATA_DIR/orgs/, or a PostgreSQL schema);
   * "path" — the same, each reached under /o/<code>/ of PUBLIC_URL's one host name.
   */
  ORG_ROUTING: z.enum(["single", "host", "path"], "must be single, host or path").default("single"),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "must look like smtp://user:pass@host:port or smtps://…")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Sujarit <no-reply@localhost>"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Interval of the in-server outbox worker, in milliseconds. */
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(2000),
  /** First retry delay of a failed e-mail, in milliseconds (doubles per attempt, capped at 1 h). Tests lower it. */
  OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Master key of the report channel (base64 of 32 bytes); when unset, <DATA_DIR>/keys/master.key is used. */
  MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be base64 of exactly 32 bytes")
    .optional(),
  /**
   * When set, the audit log's chain head is e-mailed to this address once a day after 07:00 Bangkok time
   * (app/models/audit/audit-head.server.ts): an outside copy the operator cannot rewrite. Unset: no such e-mail.
   */
  AUDIT_HEAD_EMAIL: z.email("must be an e-mail address").optional(),
  /**
   * Average minutes between the batches that tell report recipients about new reports and messages (each wait is
   * random, half to one and a half of this), so mail logs cannot be timed against a reporter's visit. 0: every few
   * seconds (tests, demonstrations).
   */
  REPORT_NOTICE_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
  /**
   * Reverse proxies in front of the server: comma-separated addresses or CIDRs, IPv4 and IPv6 (e.g.
   * "127.0.0.1, 10.0.0.0/8, 2001:db8::/32"). X-Forwarded-For is read only on connections from these (for rate limits
   * only; app/utils/client-address.server.ts). Unset: none, and forwarded headers are ignored (with a warning).
   */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseTrustedProxies(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
  /**
   * The portal's Tor onion address (e.g. http://<56 letters and digits>.onion), when the operator runs an onion
   * service for the corruption channel (deploy/torrc.example): /report pages then send `Onion-Location` (Tor Browser
   * offers the onion address) and /report says how to reach it. Unset: no header; /report still explains Tor Browser.
   */
  ONION_URL: z
    .string()
    .optional()
    .refine((v) => {
      if (v === undefined) return true;
      try {
        const u = new URL(v);
        return (
          (u.protocol === "http:" || u.protocol === "https:") &&
          /^([a-z0-9-]+\.)*[a-z2-7]{56}\.onion$/.test(u.hostname) &&
          !u.username &&
          !u.password &&
          !u.search &&
          !u.hash
        );
      } catch {
        return false;
      }
    }, "must be an onion service address: http://<56 letters a–z and digits 2–7>.onion (v3), without query or fragment")
    .transform((v) => v?.replace(/\/+$/, "")),
  /**
   * Map tiles of the complaint form, the case page and the queue (Leaflet, served by the portal): a URL template with
   * {z}, {x} and {y} (optionally {s}). The tile host is allowed in the Content Security Policy of pages with a map
   * only (never /report). Default: OpenStreetMap's standard tiles (their usage policy asks for light use and the
   * attribution below); a busy installation points this at its own or a commercial tile server.
   */
  MAP_TILE_URL: z
    .string()
    .default("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    .refine(
      isTileUrlTemplate,
      "must be an http(s) URL template with {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    ),
  /** The map's attribution text (shown on every map, linked to MAP_TILE_ATTRIBUTION_URL). */
  MAP_TILE_ATTRIBUTION: z
    .string()
    .trim()
    .min(1)
    .max(200, "must be at most 200 characters")
    .refine((v) => !/[<>]/.test(v), "must be plain text (no < or >)")
    .default("© OpenStreetMap contributors"),
  MAP_TILE_ATTRIBUTION_URL: z.url({ protocol: /^https?$/ }).default("https://www.openstreetmap.org/copyright"),
  /**
   * For tests and demos only: shifts the portal's clock (now()) by this many milliseconds, e.g. 1296000000 to run the
   * server "15 days later" and see deadlines turn due soon / overdue. Default 0; at most ±10 years.
   */
  CLOCK_OFFSET_MS: z.coerce.number().int().min(-315_360_000_000).max(315_360_000_000).default(0),
  /**
   * "1" lets CLOCK_OFFSET_MS shift the clock although NODE_ENV=production (the test helpers and demonstrations set it).
   * Without it, a production server (and every CLI) refuses to start with a non-zero CLOCK_OFFSET_MS: a forgotten
   * offset would move every deadline, escalation and retention date.
   */
  ALLOW_CLOCK_OFFSET: z.enum(["0", "1"], "must be 0 or 1").default("0"),
  /**
   * Bearer token for GET /metrics from other machines (`Authorization: Bearer <token>`); at least 32 characters, no
   * spaces. Unset: /metrics answers only on the loopback interface (scripts/metrics.ts); anyone else gets 404.
   */
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{32,}$/, "must be at least 32 printable characters without spaces (e.g. openssl rand -hex 32)")
    .optional(),
  /**
   * LINE Official Account (Messaging API; app/models/line). All of LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and
   * LINE_OA_ID set: the receipt page offers "follow on LINE", updates are pushed to linked chats, citizens may file in
   * the chat, and /line/webhook answers. Any of them unset: LINE is off (/line/webhook is 404). An installation with
   * several organisations ignores these three: each organisation has its own account (`npm run org -- line`).
   */
  LINE_CHANNEL_SECRET: z
    .string()
    .regex(/^[\x21-\x7e]{16,}$/, "must be the channel secret from the LINE Developers console")
    .optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,}$/, "must be the long-lived channel access token from the LINE Developers console")
    .optional(),
  /** The account's basic ID with its @ (e.g. @wangluek): the add-friend link and QR code. */
  LINE_OA_ID: z
    .string()
    .regex(/^@[a-z0-9._-]{2,40}$/i, "must be the account's basic ID, e.g. @wangluek")
    .optional(),
  /** Messaging API host (tests point it at a stand-in). */
  LINE_API_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .default("https://api.line.me")
    .transform((v) => v.replace(/\/+$/, "")),
  /** Host that serves message content (photos sent in the chat). */
  LINE_DATA_API_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .default("https://api-data.line.me")
    .transform((v) => v.replace(/\/+$/, "")),
});

/** Every variable the portal reads from the environment (validated here; .env.example lists the same ones). */
export const ENV_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * One organisation's LINE account when the installation serves several (`npm run org -- line`): the same three values
 * as LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and LINE_OA_ID, checked by the same rules.
 */
export const organisationLineSchema = z
  .object({
    channelSecret: schema.shape.LINE_CHANNEL_SECRET.unwrap(),
    accessToken: schema.shape.LINE_CHANNEL_ACCESS_TOKEN.unwrap(),
    oaId: schema.shape.LINE_OA_ID.unwrap(),
  })
  .strict();

/** The refusal of a clock offset in production (see ALLOW_CLOCK_OFFSET). */
const checked = schema.superRefine((env, ctx) => {
  if (env.NODE_ENV === "production" && env.CLOCK_OFFSET_MS !== 0 && env.ALLOW_CLOCK_OFFSET !== "1") {
    ctx.addIssue({
      code: "custom",
      path: ["CLOCK_OFFSET_MS"],
      message:
        "shifts the clock for tests and demonstrations only: refused when NODE_ENV=production (unset it, or set ALLOW_CLOCK_OFFSET=1 for a demonstration)",
    });
  }
});

export type Env = z.infer<typeof schema> & {
  /** The SQLite file (not used when DATABASE_DIALECT is "postgres"). */
  DATABASE_FILE: string;
  /** "postgres" when DATABASE_URL is a postgres:// (or postgresql://) URL, otherwise "sqlite". */
  DATABASE_DIALECT: "sqlite" | "postgres";
  PUBLIC_URL: string;
};

/** Parses process.env; on a bad value the message names the variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = checked.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const env = result.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const postgres = isPostgresUrl(env.DATABASE_URL);
  const databaseFile =
    env.DATABASE_URL && !postgres ? path.resolve(env.DATABASE_URL.replace(/^(file|sqlite):(\/\/)?/, "")) : path.join(dataDir, "sujarit.db");
  return {
    ...env,
    DATA_DIR: dataDir,
    DATABASE_FILE: databaseFile,
    DATABASE_DIALECT: postgres ? "postgres" : "sqlite",
    PUBLIC_URL: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
  };
}

declare global {
  var __sujaritEnv: Env | undefined;
}

/** The validated environment of this process (parsed once). */
export function getEnv(): Env {
  if (!globalThis.__sujaritEnv) globalThis.__sujaritEnv = parseEnv();
  return globalThis.__sujaritEnv;
}
