#!/usr/bin/env node
// Finds PostgreSQL's server programs for the tests that start a private server (tests/helpers/postgres.ts), before
// `npm test` spends minutes on the rest, as scripts/ensure-chromium.mjs does for Chromium:
//   1. initdb and postgres in the newest /usr/lib/postgresql/<version>/bin (Debian's `postgresql` package), or on PATH;
//   2. none: as root on a machine with apt-get, `apt-get update` then `apt-get install -y postgresql` (non-interactive),
//      and on; otherwise stop at once with one line saying what to run.
// Usage: node scripts/ensure-postgres.mjs   (prints the folder it found; exit 1 with the one line when there is none)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isExecutable } from "./ensure-chromium.mjs";

const APT_GET_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
const PROGRAMS = ["initdb", "postgres"];

/** The folder holding initdb and postgres: the newest /usr/lib/postgresql/<n>/bin, else a PATH entry; or null. */
export function findPostgresBin({ root = "/usr/lib/postgresql", searchPath = process.env.PATH ?? "", exists = isExecutable } = {}) {
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [...versions.map((v) => path.join(root, v, "bin")), ...searchPath.split(path.delimiter).filter(Boolean)];
  return candidates.find((dir) => PROGRAMS.every((p) => exists(path.join(dir, p)))) ?? null;
}

/**
 * What to do (pure): { action: "use", bin } | { action: "install" } | { action: "fail", message }.
 * @param {{ bin: string | null, isRoot: boolean, hasAptGet: boolean }} s
 */
export function decidePostgres(s) {
  if (s.bin) return { action: "use", bin: s.bin };
  if (s.hasAptGet && s.isRoot) return { action: "install" };
  if (s.hasAptGet)
    return {
      action: "fail",
      message:
        "PostgreSQL (initdb, postgres) not found: run `sudo apt-get update && sudo apt-get install -y postgresql`, then npm test again",
    };
  return {
    action: "fail",
    message: "PostgreSQL (initdb, postgres) not found: install PostgreSQL's server programs and put them on PATH, then npm test again",
  };
}

/** Finds PostgreSQL's programs, installing Debian's package when possible. Returns the folder or throws the one line. */
export function ensurePostgres({
  find = () => findPostgresBin(),
  run = runInherit,
  log = (m) => console.error(m),
  env = process.env,
} = {}) {
  const state = {
    bin: find(),
    isRoot: typeof process.getuid === "function" && process.getuid() === 0,
    hasAptGet: APT_GET_DIRS.some((d) => isExecutable(`${d}/apt-get`)),
  };
  const d = decidePostgres(state);
  if (d.action === "use") return d.bin;
  if (d.action === "fail") throw new Error(d.message);
  log("PostgreSQL not found: installing Debian's postgresql package (apt-get update; apt-get install -y postgresql)");
  const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", "postgresql"],
  ]) {
    const status = run("apt-get", args, aptEnv);
    if (status !== 0)
      throw new Error(
        `apt-get ${args[0]} failed (exit ${status}): run \`apt-get update && apt-get install -y postgresql\` yourself, then npm test again`,
      );
  }
  const bin = find();
  if (!bin) throw new Error("apt-get installed postgresql but initdb/postgres are still missing: put them on PATH, then npm test again");
  return bin;
}

function runInherit(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env });
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(`PostgreSQL for the database tests: ${ensurePostgres()}`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
