#!/usr/bin/env node
// Finds the Chromium the browser tests use, before `npm test` spends minutes on the rest (and tests/e2e/playwright.config.ts
// asks the same function for the path). Never downloads a browser of Playwright's own:
//   1. CHROMIUM_PATH, when set (a wrong path stops here: an explicit choice is never silently replaced);
//   2. /usr/bin/chromium (Debian's `chromium` package);
//   3. none: as root on a machine with apt-get, `apt-get update` then `apt-get install -y chromium` (non-interactive),
//      and on; otherwise stop at once with one line saying what to run.
// Usage: node scripts/ensure-chromium.mjs   (prints the path it found; exit 1 with the one line when there is none)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { pathToFileURL } from "node:url";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
const APT_GET_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

/** Whether `file` is an executable regular file. */
export function isExecutable(file) {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What to do (pure): { action: "use", path } | { action: "install", path } (then use `path`) | { action: "fail", message }.
 * @param {{ chromiumPath?: string, exists: (p: string) => boolean, isRoot: boolean, hasAptGet: boolean }} s
 */
export function decideChromium(s) {
  const explicit = s.chromiumPath?.trim();
  if (explicit) {
    if (s.exists(explicit)) return { action: "use", path: explicit };
    return {
      action: "fail",
      message: `CHROMIUM_PATH=${explicit} is not an executable file: point it at a Chromium binary, or unset it to use ${DEFAULT_CHROMIUM}`,
    };
  }
  if (s.exists(DEFAULT_CHROMIUM)) return { action: "use", path: DEFAULT_CHROMIUM };
  if (s.hasAptGet && s.isRoot) return { action: "install", path: DEFAULT_CHROMIUM };
  if (s.hasAptGet) {
    return {
      action: "fail",
      message: `Chromium not found at ${DEFAULT_CHROMIUM}: run \`sudo apt-get update && sudo apt-get install -y chromium\` (or set CHROMIUM_PATH), then npm test again`,
    };
  }
  return {
    action: "fail",
    message: `Chromium not found at ${DEFAULT_CHROMIUM}: install Chromium and set CHROMIUM_PATH=/path/to/chromium, then npm test again`,
  };
}

function machine(env = process.env) {
  return {
    chromiumPath: env.CHROMIUM_PATH,
    exists: isExecutable,
    isRoot: typeof process.getuid === "function" && process.getuid() === 0,
    hasAptGet: APT_GET_DIRS.some((d) => isExecutable(`${d}/apt-get`)),
  };
}

/** The Chromium to use (no side effects: for the Playwright config); throws the one line to show when there is none. */
export function findChromium(env = process.env) {
  const d = decideChromium(machine(env));
  if (d.action === "use") return d.path;
  if (d.action === "fail") throw new Error(d.message);
  throw new Error(
    `Chromium not found at ${d.path}: run \`node scripts/ensure-chromium.mjs\` (npm test does) to install Debian's chromium package`,
  );
}

/**
 * Finds Chromium, installing Debian's package when that is possible (see the top). Returns the path, or throws an
 * Error whose message is the one line to show. `run(cmd, args)` returns an exit status (tests replace it).
 */
export function ensureChromium({ env = process.env, state = machine(env), run = runInherit, log = (m) => console.error(m) } = {}) {
  const d = decideChromium(state);
  if (d.action === "use") return d.path;
  if (d.action === "fail") throw new Error(d.message);
  log(`Chromium not found at ${d.path}: installing Debian's chromium package (apt-get update; apt-get install -y chromium)`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", "chromium"],
  ]) {
    const status = run("apt-get", args, aptEnv);
    if (status !== 0)
      throw new Error(
        `apt-get ${args[0]} failed (exit ${status}): run \`apt-get update && apt-get install -y chromium\` yourself, then npm test again`,
      );
  }
  if (!state.exists(d.path))
    throw new Error(
      `apt-get installed chromium but ${d.path} is still missing: set CHROMIUM_PATH to the Chromium binary, then npm test again`,
    );
  return d.path;
}

function runInherit(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env });
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(`Chromium for the browser tests: ${ensureChromium()}`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
