/**
 * Production server: migrates and seeds the database, creates missing secrets, starts the outbox worker,
 * and serves the Remix build behind security headers. Run with `npm start` (builds first) or `npm run serve`.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express from "express";
import { sql, type Kysely } from "kysely";
import compression from "compression";
import type { ServerBuild } from "@remix-run/node";
import { getEnv } from "../app/utils/env.server";
import { getDb, getSecrets } from "../app/utils/db.server";
import { log, errorFields } from "../app/utils/logger.server";
import { migrateToLatest, optimizeDatabase } from "../db/connection";
import { seedHolidays, seedOrganisation } from "../db/seed";
import {
  applySecurityHeaders,
  clientAddress,
  closeAfterResponse,
  refuseCrossSiteWrites,
  rejectCrossSiteWrites,
  requestLogger,
  requestMetrics,
} from "./http";
import { SWITCH_PATH } from "../app/models/staff/links.server";
import { metricsEndpoint } from "./metrics";
import { createRouteLabeler } from "../app/lib/route-pattern";
import { initProxyWarning, isTrusted, parseTrustedProxies } from "../app/utils/client-address.server";
import { createCappedRequestHandler } from "./remix-handler";
import { BROTLI_PARAMS } from "./whole-body-compression";
import { precompressedAssets } from "./precompressed";
import { startOutboxWorker } from "../app/models/notices/outbox.server";
import { startLinePushWorker } from "../app/models/line/push-worker.server";
import { startDeadlineTickerThread } from "../app/models/deadlines/ticker-thread.server";
import { requestBegan } from "../app/utils/yield.server";
import { purgeClosedReports } from "../app/models/report/retention.server";
import { ensureInboxKeys } from "../app/models/report/cookies.server";
import { runComplaintRetention } from "../app/models/complaints/privacy.server";
import { startReportChannelBatches } from "../app/models/report/notifications.server";
import { startAuditHeadMailer } from "../app/models/audit/audit-head.server";
import { runForSite } from "../app/utils/site-context.server";
import { prepareSharedLimits, startSharedRateLimits } from "../app/utils/shared-limits.server";
import { dialectOf } from "../db/dialects";
import { organisationCodeOfPath, registerSiteDirectory, type Site, type SiteDirectory } from "../app/utils/sites.server";
import { openSiteDirectory, optimizeSites, prepareSite, severalOrganisations } from "./organisations";
import { organisationDirectoryPage } from "./organisation-directory";

/** A "." or ".." path segment, plain or percent-encoded. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

async function main() {
  let env;
  try {
    env = getEnv();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  // React and Remix choose their production code from NODE_ENV when first imported (below, with the build).
  process.env.NODE_ENV = env.NODE_ENV;
  fs.mkdirSync(env.DATA_DIR, { recursive: true });
  // One organisation (ORG_ROUTING=single): the installation's database. Several (host): each organisation's, found by
  // the request's host name (docs/decisions/0015-one-database-per-organisation.md).
  const directory: SiteDirectory | null = severalOrganisations(env) ? await openSiteDirectory(env) : null;
  const byPath = directory?.routing === "path";
  if (directory) registerSiteDirectory(directory);
  const db = directory ? null : getDb();
  if (directory) {
    for (const site of directory.all()) await prepareSite(directory, site);
    await optimizeSites(directory);
    log.info("organisations ready", { count: directory.all().length });
  } else if (db) {
    await migrateToLatest(db);
    if (await seedOrganisation(db)) log.info("organisation profile seeded");
    const holidaysSeeded = await seedHolidays(db);
    if (holidaysSeeded > 0) log.info("holidays seeded", { count: holidaysSeeded });
    await optimizeDatabase(db);
  }
  /** Starts an organisation's background work once (set below, with the workers). */
  let ensureBackground: (site: Site) => void = () => {};
  /** Runs `work` for every organisation (once, for the installation's, when it serves one). */
  let stopping = false;
  const forEachSite = async (work: () => Promise<void>) => {
    if (!directory) return work();
    for (const site of directory.all()) {
      if (stopping) return; // shutting down: the organisations not reached yet wait for the next start
      await runForSite(site, work);
    }
  };
  // Retention: closed corruption reports past their retention period lose their content, and general complaints past
  // theirs lose their personal data (the privacy notice's promise); statistics stay. Soon after start (in batches that
  // yield to requests, not before the server listens), then every 6 hours. It stays in this thread (unlike the deadline
  // ticker): a purge must also drop the report from the sessions holding its keys in this thread's memory.
  const housekeeping = async () => {
    await forEachSite(async () => {
      try {
        // Reporters' inbox-cookie keys for today and tomorrow, made ahead; old ones deleted.
        await ensureInboxKeys(getDb());
        const { purged } = await purgeClosedReports(getDb());
        if (purged > 0) log.info("closed reports purged", { purged });
        await runComplaintRetention(getDb());
      } catch (e) {
        log.warn("housekeeping failed", errorFields(e));
      }
    });
  };
  setTimeout(() => void housekeeping(), 5_000).unref();
  setInterval(() => void housekeeping(), 6 * 3_600_000).unref();
  const optimize = () => (directory ? optimizeSites(directory) : optimizeDatabase(getDb()));
  const optimizeTimer = setInterval(() => void optimize().catch((e) => log.warn("optimize failed", errorFields(e))), 3_600_000);
  optimizeTimer.unref();

  if (db) {
    getSecrets();
    const staffCount = await db
      .selectFrom("staff")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst();
    if (!staffCount || Number(staffCount.n) === 0) {
      console.log(
        "\nNo staff accounts yet. Create the first administrator with:\n" +
          '  npm run staff -- add --email you@example.org --name "Your Name" --role admin\n' +
          "(it prints a one-time link where they set their own password)\n",
      );
    }
  }

  const buildRoot = path.resolve(process.env.BUILD_DIR ?? ".");
  const buildPath = path.join(buildRoot, "build/index.js");
  if (!fs.existsSync(buildPath)) {
    console.error("No build found: run `npm run build` first (npm start does this for you).");
    process.exit(1);
  }
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;

  // Client addresses (rate limits only): X-Forwarded-For is read only from TRUSTED_PROXIES; forwarded headers arriving
  // while none is configured are reported (log, /healthz, admin page, next start-up): app/utils/client-address.server.ts.
  const trustedProxies = parseTrustedProxies(env.TRUSTED_PROXIES);
  if (process.env.TRUST_PROXY_HOPS && process.env.TRUST_PROXY_HOPS.trim() !== "0" && trustedProxies.length === 0) {
    log.warn("TRUST_PROXY_HOPS is no longer used: list your reverse proxies in TRUSTED_PROXIES (addresses or CIDRs)");
  }
  initProxyWarning({ dataDir: env.DATA_DIR, trustedConfigured: trustedProxies.length > 0 });

  const app = express();
  app.disable("x-powered-by");
  // req.query is read only for ?lang on the organisations' list; Remix reads the URL itself. Express's default (qs,
  // nested objects) parsed every request's query string, about 2% of a page's CPU.
  app.set("query parser", "simple");
  // Requests being answered: long housekeeping (deadline catch-up, purges) lets them finish between its batches.
  app.use((_req, res, next) => {
    const done = requestBegan();
    res.once("finish", done);
    res.once("close", done);
    next();
  });
  // req.ip / req.protocol follow the same rule (only trusted proxies' forwarded headers count).
  app.set("trust proxy", (addr: string) => isTrusted(addr, trustedProxies));
  app.use(clientAddress(trustedProxies));
  // Requests and latency by route pattern for /metrics (the /report channel: one aggregated count, see route-pattern.ts).
  const routeLabel = createRouteLabeler(build.routes, ["/metrics"]);
  // ORG_ROUTING=path: /o/<code>/track counts as /track (metrics never name an organisation's pages one by one).
  app.use(requestMetrics(byPath ? (p) => routeLabel(p.replace(/^\/o\/[^/]+(?=\/|$)/, "") || "/") : routeLabel));
  app.use(requestLogger);
  app.use(applySecurityHeaders);
  // Brotli for browsers that accept it (compression ≥ 1.8), with the same settings as pages and JSON, which the Remix
  // handler compresses whole itself (scripts/whole-body-compression.ts): style sheets and anything streamed. The
  // browser build's scripts have best-quality copies (precompressed.ts).
  app.use(compression({ brotli: { params: BROTLI_PARAMS } }));
  // The one post another site may make: the switch to a linked account, from another organisation of this installation
  // (its host name; with path routing every organisation shares the origin anyway). app/routes/staff_.switch.tsx.
  app.use(
    directory
      ? refuseCrossSiteWrites((req, originHostname) => req.path === SWITCH_PATH && directory.hasHost(originHostname))
      : rejectCrossSiteWrites,
  );
  app.use("/build", precompressedAssets(path.join(buildRoot, "public/build")));
  app.use("/build", express.static(path.join(buildRoot, "public/build"), { immutable: true, maxAge: "1y", index: false }));
  // Other files of public/ (favicon, styles): only paths under its own entries reach the file system, so a page request
  // does not wait for a stat() of a file that is not there.
  const publicStatic = express.static("public", { maxAge: "1h", index: false });
  const publicEntries = new Set(fs.readdirSync("public"));
  app.use((req, res, next) => (publicEntries.has(req.path.split("/")[1] ?? "") ? publicStatic(req, res, next) : next()));
  // Several organisations: the host name (ORG_ROUTING=host) or the path's /o/<code> (ORG_ROUTING=path) decides which one
  // a request is for, once, here; everything after runs for it (app/utils/site-context.server.ts), and with path routing
  // under its base path (Remix's basename: its links, forms and redirects keep the prefix). A host name or code no
  // organisation has gets a plain 404 that names none.
  if (directory) {
    app.use((req, res, next) => {
      // A path with dot segments ("/o/a/../b/…", also percent-encoded) would name one organisation here and, once the
      // URL is normalised further on, another one's page: refused before either is chosen.
      if (byPath && DOT_SEGMENT.test(req.path)) {
        closeAfterResponse(req, res);
        res.status(400).type("text").send("Bad request");
        return;
      }
      const code = byPath ? organisationCodeOfPath(req.path) : null;
      (byPath ? (code ? directory.forCode(code) : Promise.resolve(null)) : directory.forHost(req.hostname)).then(
        (site) => {
          if (!site && byPath && !code && req.path === "/" && (req.method === "GET" || req.method === "HEAD")) {
            // The host's root: which organisations are here, each linking to its /o/<code>/ (the list read again when over a second old).
            const lang = req.query.lang === "en" ? "en" : "th";
            void directory.current(1_000).then(
              (sites) => {
                const entries = sites.map((s) => ({
                  code: s.code,
                  nameTh: s.record.nameTh,
                  nameEn: s.record.nameEn,
                  province: s.record.province,
                  path: s.basePath,
                }));
                res.set("Cache-Control", "no-cache").type("html").send(organisationDirectoryPage(entries, lang));
              },
              (e) => next(e),
            );
            return;
          }
          if (!site && byPath && !code && req.path.startsWith("/locales/")) {
            // The strings the browser fetches are every organisation's (app/routes/locales.$version.$lang.$file.tsx).
            next();
            return;
          }
          if (!site && req.path === "/healthz") {
            // The installation's own liveness (a load balancer asks by address, not by an organisation's name).
            void sql`select 1 as ok`.execute(directory.storage.platform).then(
              () => res.status(200).json({ status: "ok", organisations: directory.all().length }),
              () => res.status(503).json({ status: "unavailable", checks: { database: { ok: false } } }),
            );
            return;
          }
          if (!site) {
            closeAfterResponse(req, res);
            res.status(404).type("text").send("Not found");
            return;
          }
          ensureBackground(site);
          res.locals.basePath = site.basePath;
          runForSite(site, next);
        },
        (e) => next(e),
      );
    });
  }
  // Prometheus metrics: loopback, or Authorization: Bearer $METRICS_TOKEN; anyone else gets the ordinary 404 (metrics.ts).
  // With ORG_ROUTING=path an organisation's are at /o/<code>/metrics (with host routing, /metrics at its host name).
  app.get(byPath ? ["/metrics", "/o/:code/metrics"] : "/metrics", metricsEndpoint({ trusted: trustedProxies, token: env.METRICS_TOKEN }));
  app.all(
    "*",
    createCappedRequestHandler({
      build,
      mode: "production",
      basePath: (res) => (typeof res.locals.basePath === "string" ? res.locals.basePath : ""),
      getLoadContext: (req, res) => ({
        nonce: String(res.locals.nonce),
        clientAddress: String(res.locals.clientAddress ?? "unknown"),
      }),
    }),
  );
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    log.error("unhandled request error", errorFields(err));
    if (!res.headersSent) res.status(500).type("text").send("Internal error");
  });

  // Background work runs per organisation (each started inside runForSite: its timers keep the organisation).
  type Stoppable = { stop(): Promise<unknown> } | null;
  const background: Stoppable[] = [];
  // Several app servers on one PostgreSQL database share their rate-limit counts through it (shared-limits.server.ts).
  const installationDb: Kysely<unknown> = directory ? (directory.storage.platform as Kysely<unknown>) : (getDb() as Kysely<unknown>);
  if (dialectOf(installationDb).name === "postgres") {
    await prepareSharedLimits(installationDb);
    background.push(startSharedRateLimits(installationDb));
  }
  const startBackground = () => {
    background.push(startOutboxWorker({ intervalMs: env.OUTBOX_INTERVAL_MS }));
    // LINE pushes (only when LINE is configured): same outbox, same retries (app/models/line/push-worker.server.ts).
    background.push(startLinePushWorker({ intervalMs: env.OUTBOX_INTERVAL_MS }));
    // Corruption channel: reporters' actions reach the audit log and the recipients' mailboxes in random-time batches.
    background.push(startReportChannelBatches({ windowMs: env.REPORT_NOTICE_WINDOW_MINUTES * 60_000 }));
    background.push(startAuditHeadMailer({ intervalMs: 3_600_000 })); // AUDIT_HEAD_EMAIL: the day's audit head after 07:00
  };
  const startFor = (site: Site) => runForSite(site, startBackground);
  // Organisations whose background work runs in this process. One added while the server runs (npm run org -- add)
  // starts at its first request, or within a minute.
  const started = new Set<string>();
  ensureBackground = (site: Site) => {
    if (!directory || started.has(site.code)) return;
    started.add(site.code);
    void prepareSite(directory, site)
      .then(() => startFor(site))
      .catch((e) => {
        started.delete(site.code);
        log.warn("starting an organisation's background work failed", { organisation: site.code, ...errorFields(e) });
      });
  };
  if (directory) {
    for (const site of directory.all()) {
      started.add(site.code);
      startFor(site);
    }
    const watch = setInterval(() => {
      void directory
        .refresh()
        .then(() => directory.all().forEach(ensureBackground))
        .catch((e) => log.warn("reading the organisations failed", errorFields(e)));
    }, 60_000);
    watch.unref();
  } else {
    startBackground();
  }
  // Deadline escalations: shortly after start (catch-up after downtime), then every minute (see README), in a worker
  // thread with its own database connection (app/models/deadlines/ticker-thread.server.ts): a catch-up never runs on
  // the thread that answers requests. The worker's file sits next to this one: build/deadline-worker.js beside
  // build/server.js, or scripts/deadline-worker.ts when the server runs from source (with the same TypeScript loader).
  // With several organisations the thread ticks each of them.
  const fromSource = fileURLToPath(import.meta.url).endsWith(".ts");
  const ticker = startDeadlineTickerThread({
    workerFile: new URL(fromSource ? "./deadline-worker.ts" : "./deadline-worker.js", import.meta.url),
    execArgv: fromSource ? process.execArgv.filter((a) => !a.startsWith("--max-old-space-size")) : [],
    intervalMs: 60_000,
  });
  const server = app.listen(env.PORT, env.HOST, () => {
    log.info("server listening", { url: env.PUBLIC_URL, port: env.PORT, mail: env.SMTP_URL ? "smtp" : "files" });
    if (!env.SMTP_URL) log.info("SMTP_URL is not set: e-mails are written as .eml files", { dir: path.join(env.DATA_DIR, "outbox") });
  });
  // Slow clients cannot hold sockets: headers within 15 s, the whole request within 10 minutes (a 27 MB upload at
  // 0.5 Mbit/s), idle keep-alive connections closed after 5 s; bodies that stall are answered 408 (remix-handler.ts).
  server.headersTimeout = 15_000;
  server.requestTimeout = 600_000;
  server.keepAliveTimeout = 5_000;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await ticker.stop();
    for (const b of background) await b?.stop();
    server.close(() => {
      void (directory ? directory.storage.destroy() : getDb().destroy()).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

void main().catch((e) => {
  log.error("server failed to start", errorFields(e));
  process.exit(1);
});
