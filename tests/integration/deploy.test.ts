/**
 * The service files in deploy/ kept honest. Nothing here trusts a copy of a command: each is read from its
 * file and run as written.
 * - deploy/sujarit.service: its key directives (non-root user, ProtectSystem=strict, ReadWritePaths for the data folder,
 *   NoNewPrivileges, PrivateTmp, restart on failure, the environment file); `systemd-analyze verify` on the units where
 *   the binary exists; then its ExecStart with its WorkingDirectory, Environment= lines and EnvironmentFile (the example
 *   in deploy/) is run as an unprivileged user (nobody, through runuser, when the test runs as root) and /healthz must
 *   answer 200 from a server whose files belong to that user.
 * - deploy/sujarit-backup.service: its ExecStart, run the same way against that server, makes a backup.
 * - deploy/Dockerfile: two stages on node:20-bookworm-slim, `npm ci` (with dev dependencies) only in the build stage, a
 *   non-root USER; its final stage's CMD with its WORKDIR and ENV is run the same way (no docker daemon is used).
 * - deploy/Caddyfile (`caddy validate` where caddy exists), deploy/torrc.example (`tor --verify-config` where tor
 *   exists) and deploy/compose.yaml agree with the unit: upstream, body size, forwarded address, trusted proxies.
 * The only substitutions, all of paths and the port: /opt/sujarit and /app (the release) → a folder laid out like a
 * release (links to this checkout and its build), /var/lib/sujarit and /data → a new data folder, the backup folders →
 * new folders, /etc/sujarit/sujarit.env → deploy/sujarit.env.example, PORT → a free port.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, freePort } from "../helpers/server";

const DEPLOY = path.join(ROOT, "deploy");
const read = (f: string) => fs.readFileSync(path.join(DEPLOY, f), "utf8");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasBinary = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const runuser = isRoot && hasBinary("runuser");
const UNPRIVILEGED = "nobody";
const nobodyUid = runuser ? Number(spawnSync("id", ["-u", UNPRIVILEGED], { encoding: "utf8" }).stdout.trim()) : -1;
if (!runuser) {
  // Visible in the test output: the commands still run, as the current (unprivileged) user.
  console.warn(
    `deploy.test: not running as root (or no runuser): the service commands run as uid ${process.getuid?.()} instead of "${UNPRIVILEGED}"`,
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Parsing the files

/** A systemd unit: section → key → every value (in order). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = new Map();
      sections.set(sec[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq < 0) throw new Error(`unit line outside a section or without "=": ${line}`);
    const key = line.slice(0, eq).trim();
    const list = current.get(key) ?? [];
    list.push(line.slice(eq + 1).trim());
    current.set(key, list);
  }
  return sections;
}

/** Splits a command line the way systemd (and a Dockerfile's shell-less forms) do: whitespace, with quotes. */
function splitWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Environment= values (each may hold several assignments) into a record. */
function unitEnvironment(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values) {
    for (const word of splitWords(v)) {
      const i = word.indexOf("=");
      if (i > 0) env[word.slice(0, i)] = word.slice(i + 1);
    }
  }
  return env;
}

/** An environment file (KEY=value lines; # comments; optional quotes), as systemd reads it. */
function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const i = line.indexOf("=");
    if (i <= 0) continue;
    let v = line.slice(i + 1).trim();
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1);
    env[line.slice(0, i).trim()] = v;
  }
  return env;
}

interface DockerStage {
  from: string;
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  cmd: string[] | null;
  runs: string[];
}

/** A Dockerfile's stages (continuation lines joined). */
function parseDockerfile(text: string): DockerStage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [instr, ...restWords] = line.split(/\s+/);
    const rest = line.slice(instr.length).trim();
    const op = instr.toUpperCase();
    if (op === "FROM") {
      stages.push({ from: restWords[0], workdir: "/", env: {}, user: null, cmd: null, runs: [] });
      continue;
    }
    const st = stages[stages.length - 1];
    if (!st) continue;
    if (op === "WORKDIR") st.workdir = path.posix.resolve(st.workdir, rest);
    else if (op === "USER") st.user = rest;
    else if (op === "RUN") st.runs.push(rest);
    else if (op === "CMD") st.cmd = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : ["/bin/sh", "-c", rest];
    else if (op === "ENV") {
      if (/^\S+=/.test(rest)) Object.assign(st.env, unitEnvironment([rest]));
      else st.env[restWords[0]] = restWords.slice(1).join(" ");
    }
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------------------------------
// A release folder, data folders, running a command as the service would

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-deploy-"));
fs.chmodSync(scratch, 0o755);
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const p of running) await stopGroup(p);
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(scratch, { recursive: true, force: true });
});

/** A folder laid out like an installed release (/opt/sujarit, or /app in the image): links to this checkout and build. */
function makeRelease(): string {
  const release = path.join(scratch, "release");
  if (fs.existsSync(release)) return release;
  const buildRoot = process.env.TEST_BUILD_DIR ? path.resolve(process.env.TEST_BUILD_DIR) : ROOT;
  if (!fs.existsSync(path.join(buildRoot, "build", "server.js")))
    throw new Error(`no build at ${buildRoot}/build: run npm run build first`);
  fs.mkdirSync(path.join(release, "public"), { recursive: true, mode: 0o755 });
  fs.chmodSync(release, 0o755);
  fs.symlinkSync(path.join(buildRoot, "build"), path.join(release, "build"));
  fs.symlinkSync(path.join(buildRoot, "public", "build"), path.join(release, "public", "build"));
  for (const e of fs.readdirSync(path.join(ROOT, "public"))) {
    if (e !== "build") fs.symlinkSync(path.join(ROOT, "public", e), path.join(release, "public", e));
  }
  for (const e of ["node_modules", "package.json", "tsconfig.json", "app", "db", "emails", "scripts"])
    fs.symlinkSync(path.join(ROOT, e), path.join(release, e));
  return release;
}

/** A new folder the unprivileged user owns (mode 0700), as systemd's StateDirectory= or the image's /data would be. */
function ownedDir(name: string): string {
  const d = path.join(scratch, name);
  fs.mkdirSync(d, { mode: 0o700 });
  if (runuser) fs.chownSync(d, nobodyUid, nobodyUid);
  return d;
}

/** The command as the unprivileged user: runuser keeps the environment given (systemd gives a clean one, so do we). */
function asService(argv: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const [cmd, ...args] = runuser ? ["runuser", "-u", UNPRIVILEGED, "--", ...argv] : argv;
  const child = spawn(cmd, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.push(child);
  return child;
}

function collect(child: ChildProcess): () => string {
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  return () => out;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 45_000;
  let last = { status: 0, body: "" };
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      last = { status: res.status, body: await res.text() };
      if (res.status === 200) return last;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/healthz did not answer 200 within 45 s (last ${last.status} ${last.body.slice(0, 300)}):\n${output()}`);
}

/**
 * Waits until /healthz shows a finished deadline tick: the ticker's worker thread (build/deadline-worker.js, found next to
 * build/server.js) started in this layout and reported back (the first tick runs 1 s after the start).
 */
async function waitForTick(url: string, output: () => string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { checks: { deadlineTick: { secondsSinceLastTick: number | null } } };
    if (body.checks.deadlineTick.secondsSinceLastTick !== null) return body.checks.deadlineTick.secondsSinceLastTick;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no deadline tick reported on /healthz within 30 s:\n${output()}`);
}

/** PATH as systemd gives it to a service (and as the node image sets it). */
const SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** An executable as named in a unit or CMD: absolute paths as they are (this machine's node when absent), names on PATH. */
function executable(word: string): string {
  if (path.isAbsolute(word)) return fs.existsSync(word) ? word : process.execPath;
  const found = spawnSync("sh", ["-c", `PATH=${SERVICE_PATH} command -v ${word}`], { encoding: "utf8" }).stdout.trim();
  return found || process.execPath;
}

// ---------------------------------------------------------------------------------------------------------------------

const unit = parseUnit(read("sujarit.service"));
const service = unit.get("Service")!;
const one = (key: string) => service.get(key)?.[service.get(key)!.length - 1];
const unitEnv = unitEnvironment(service.get("Environment") ?? []);
const dataDirOfUnit = unitEnv.DATA_DIR;
const releaseOfUnit = one("WorkingDirectory")!;

describe("deploy/sujarit.service", () => {
  it("has the directives the portal needs", () => {
    expect(one("User"), "a user of its own").toMatch(/^[a-z_][a-z0-9_-]*$/);
    expect(["root", "0"]).not.toContain(one("User"));
    expect(one("ProtectSystem")).toBe("strict");
    expect(dataDirOfUnit).toBe("/var/lib/sujarit");
    expect((service.get("ReadWritePaths") ?? []).flatMap((v) => v.split(/\s+/))).toContain(dataDirOfUnit);
    expect(one("NoNewPrivileges")).toBe("true");
    expect(one("PrivateTmp")).toBe("true");
    expect(one("Restart")).toBe("on-failure");
    expect(one("EnvironmentFile")).toBe("/etc/sujarit/sujarit.env");
    expect(unitEnv.NODE_ENV).toBe("production");
    expect(unitEnv.HOST, "only the reverse proxy on this machine talks to the portal").toBe("127.0.0.1");
    // The production start itself: no npm (npm start would rebuild, and could not write the release folder anyway).
    const exec = splitWords(one("ExecStart")!);
    expect(exec[0]).toBe("/usr/bin/node");
    expect(exec).not.toContain("npm");
    expect(exec[exec.length - 1]).toBe(`${releaseOfUnit}/build/server.js`);
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
    // The nightly backup.
    const timer = parseUnit(read("sujarit-backup.timer"));
    expect(timer.get("Timer")?.get("OnCalendar")?.[0]).toMatch(/^\*-\*-\* \d\d:\d\d(:\d\d)?$/);
    expect(timer.get("Timer")?.get("Persistent")).toEqual(["true"]);
    expect(timer.get("Timer")?.get("Unit")).toEqual(["sujarit-backup.service"]);
  });

  it.runIf(hasBinary("systemd-analyze"))("passes systemd-analyze verify (with the backup service and timer)", () => {
    const r = spawnSync("systemd-analyze", ["verify", "sujarit.service", "sujarit-backup.service", "sujarit-backup.timer"], {
      cwd: DEPLOY,
      encoding: "utf8",
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    // Warnings about these files (unknown keys, bad values) would be printed even with status 0.
    expect((r.stderr + r.stdout).split("\n").filter((l) => /sujarit/.test(l))).toEqual([]);
  });

  let url = "";
  let dataDir = "";
  let release = "";
  let fileEnv: Record<string, string> = {};

  it(`starts with its ExecStart, environment and working directory, as ${runuser ? `"${UNPRIVILEGED}"` : "this user"}, and /healthz answers 200`, async () => {
    release = makeRelease();
    dataDir = ownedDir("var-lib-sujarit");
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const mapPath = (s: string) => s.split(releaseOfUnit).join(release).split(dataDirOfUnit).join(dataDir);
    fileEnv = envFile(read("sujarit.env.example"));
    const env: Record<string, string> = { PATH: SERVICE_PATH, ...unitEnv, ...fileEnv };
    for (const k of Object.keys(env)) env[k] = mapPath(env[k]);
    env.PORT = String(port);
    const [exe, ...args] = splitWords(one("ExecStart")!);
    const child = asService([executable(exe), ...args.map(mapPath)], mapPath(releaseOfUnit), env);
    const output = collect(child);
    const health = await waitHealthy(url, child, output);
    expect(health.status).toBe(200);
    // The server is the unprivileged user's: everything it made in the data folder belongs to it.
    const db = fs.statSync(path.join(dataDir, "sujarit.db"));
    const keys = fs.statSync(path.join(dataDir, "keys"));
    if (runuser) {
      expect(db.uid).toBe(nobodyUid);
      expect(keys.uid).toBe(nobodyUid);
    }
    expect(keys.mode & 0o077, "keys are private to the service").toBe(0);
    expect(await waitForTick(url, output)).toBeLessThan(60);
    expect(output()).not.toMatch(/"level":"error"/);
  }, 90_000);

  it("its backup service's ExecStart makes a backup of that running server", async () => {
    expect(url, "the service runs").toBeTruthy();
    const backupUnit = parseUnit(read("sujarit-backup.service")).get("Service")!;
    const get = (k: string) => backupUnit.get(k)?.[0] ?? "";
    expect(get("User")).toBe(one("User"));
    expect(get("Type")).toBe("oneshot");
    expect(get("EnvironmentFile")).toBe(one("EnvironmentFile"));
    const credential = /^backup-passphrase:(.+)$/.exec(get("LoadCredential"));
    expect(credential, "the passphrase comes as a systemd credential").toBeTruthy();
    const backupsTo = ownedDir("var-backups-sujarit");
    const keysTo = ownedDir("var-backups-sujarit-keys");
    const credentials = ownedDir("credentials");
    fs.writeFileSync(path.join(credentials, "backup-passphrase"), "a passphrase of the nightly backup 2569\n", { mode: 0o600 });
    if (runuser) fs.chownSync(path.join(credentials, "backup-passphrase"), nobodyUid, nobodyUid);
    const mapPath = (s: string) =>
      s
        .replace("${CREDENTIALS_DIRECTORY}", credentials)
        .split("/var/backups/sujarit-keys")
        .join(keysTo)
        .split("/var/backups/sujarit")
        .join(backupsTo)
        .split(releaseOfUnit)
        .join(release)
        .split(dataDirOfUnit)
        .join(dataDir);
    expect((backupUnit.get("ReadWritePaths") ?? []).join(" ").split(/\s+/)).toEqual(
      expect.arrayContaining([dataDirOfUnit, "/var/backups/sujarit", "/var/backups/sujarit-keys"]),
    );
    const env: Record<string, string> = { PATH: SERVICE_PATH, ...unitEnvironment(backupUnit.get("Environment") ?? []), ...fileEnv };
    for (const k of Object.keys(env)) env[k] = mapPath(env[k]);
    const [exe, ...args] = splitWords(get("ExecStart"));
    expect(args).toEqual(expect.arrayContaining(["--to", "--keys-to", "--passphrase-file", "--keep-daily", "--keep-monthly"]));
    const child = asService([executable(exe), ...args.map(mapPath)], mapPath(get("WorkingDirectory")), env);
    const output = collect(child);
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code, output()).toBe(0);
    expect(output()).toMatch(/SEPARATE archive/);
    const made = fs.readdirSync(backupsTo).filter((f) => f.startsWith("sujarit-"));
    expect(made).toHaveLength(1);
    expect(fs.readdirSync(path.join(backupsTo, made[0])).sort()).toEqual(["backup.json", "data.tar.gz.enc"]);
    expect(fs.readdirSync(keysTo)).toEqual([expect.stringMatching(/^sujarit-keys-\d{8}T\d{6}Z\.tar\.gz\.enc$/)]);
  }, 90_000);
});

describe("deploy/Dockerfile", () => {
  const stages = parseDockerfile(read("Dockerfile"));
  const final = stages[stages.length - 1];

  it("builds in one stage (dev dependencies) and runs from another, on node:20-bookworm-slim, as a non-root user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toBe("node:20-bookworm-slim");
    expect(
      stages[0].runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r)),
      "npm ci with dev dependencies in the build stage",
    ).toBe(true);
    expect(stages[0].runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(
      final.runs.some((r) => /\bnpm (ci|install)\b/.test(r)),
      "nothing installed in the final stage",
    ).toBe(false);
    expect(final.user).toBeTruthy();
    expect(["root", "0"]).not.toContain(final.user);
    expect(final.env.NODE_ENV).toBe("production");
    expect(final.env.DATA_DIR).toBe("/data");
    expect(final.cmd).toEqual(["node", "--max-old-space-size=192", "build/server.js"]);
  });

  it(`starts with its CMD, ENV and WORKDIR, as ${runuser ? `"${UNPRIVILEGED}"` : "this user"}, and /healthz answers 200`, async () => {
    const release = makeRelease();
    const data = ownedDir("image-data");
    const port = await freePort();
    const mapPath = (s: string) => (s === final.env.DATA_DIR ? data : s.split(final.workdir).join(release));
    const env: Record<string, string> = { PATH: SERVICE_PATH, ...final.env };
    for (const k of Object.keys(env)) env[k] = mapPath(env[k]);
    env.PORT = String(port);
    const [exe, ...args] = final.cmd!;
    const child = asService([executable(exe), ...args], mapPath(final.workdir), env);
    const output = collect(child);
    const health = await waitHealthy(`http://127.0.0.1:${port}`, child, output);
    expect(health.status).toBe(200);
    if (runuser) expect(fs.statSync(path.join(data, "sujarit.db")).uid).toBe(nobodyUid);
    expect(await waitForTick(`http://127.0.0.1:${port}`, output)).toBeLessThan(60);
    expect(output()).not.toMatch(/"level":"error"/);
    await stopGroup(child);
    expect(child.exitCode ?? child.signalCode).not.toBeNull();
  }, 90_000);

  it("compose.yaml builds it and trusts exactly the network Caddy comes from", () => {
    const compose = read("compose.yaml");
    expect(compose).toMatch(/dockerfile: deploy\/Dockerfile/);
    const subnet = /subnet: (\S+)/.exec(compose)?.[1];
    expect(subnet).toBeTruthy();
    expect(compose).toContain(`TRUSTED_PROXIES: ${subnet}`);
    expect(compose).toMatch(/SUJARIT_UPSTREAM: sujarit:3000/);
    expect(compose).toMatch(/read_only: true/);
    expect(compose).toMatch(/- sujarit-data:\/data/);
    expect(fs.readFileSync(path.join(DEPLOY, "Dockerfile.dockerignore"), "utf8")).toMatch(/^node_modules$/m);
  });
});

describe("deploy/Caddyfile and deploy/torrc.example", () => {
  const caddy = read("Caddyfile");

  it("forwards to the unit's address with the visitor's address and room for 27 MB uploads; the env file trusts it", () => {
    const upstreams = [...caddy.matchAll(/reverse_proxy \{\$SUJARIT_UPSTREAM:([^}]+)\}/g)].map((m) => m[1]);
    expect(upstreams.length).toBeGreaterThanOrEqual(1);
    for (const u of upstreams) expect(u).toBe(`${unitEnv.HOST}:${unitEnv.PORT}`);
    const sizes = [...caddy.matchAll(/max_size (\d+)MB/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThanOrEqual(1);
    for (const s of sizes) expect(s).toBeGreaterThanOrEqual(28);
    expect(caddy).toMatch(/header_up X-Forwarded-For \{remote_host\}/);
    expect(caddy, "no access log (it would time /report visits)").not.toMatch(/^\s*log\b/m);
    const trusted = envFile(read("sujarit.env.example"))
      .TRUSTED_PROXIES.split(",")
      .map((s) => s.trim());
    expect(trusted).toContain("127.0.0.1");
  });

  it.runIf(hasBinary("caddy"))("passes caddy validate", () => {
    const r = spawnSync("caddy", ["validate", "--config", path.join(DEPLOY, "Caddyfile"), "--adapter", "caddyfile"], {
      encoding: "utf8",
      env: { ...process.env, HOME: scratch, XDG_DATA_HOME: scratch, XDG_CONFIG_HOME: scratch },
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Valid configuration/);
  });

  it("sends the onion service to Caddy's onion site, which lets the report channel through", () => {
    const torrc = read("torrc.example");
    const port = /^HiddenServicePort 80 127\.0\.0\.1:(\d+)$/m.exec(torrc)?.[1];
    expect(port).toBeTruthy();
    expect(caddy).toContain(`http://:${port} {`);
    expect(caddy).toMatch(/bind 127\.0\.0\.1/);
    expect(caddy).toMatch(/@channel path \/report \/report\/\*/);
  });

  it.runIf(hasBinary("tor"))("passes tor --verify-config", () => {
    const dir = path.join(scratch, "tor");
    fs.mkdirSync(path.join(dir, "data"), { recursive: true, mode: 0o700 });
    const conf = path.join(dir, "torrc");
    fs.writeFileSync(
      conf,
      `DataDirectory ${path.join(dir, "data")}\n` +
        read("torrc.example").replace(/\/var\/lib\/tor\/sujarit\//g, `${path.join(dir, "hs")}/`),
    );
    const r = spawnSync("tor", ["--verify-config", "-f", conf], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Configuration was valid/);
  });
});
