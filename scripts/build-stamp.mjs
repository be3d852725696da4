#!/usr/bin/env node
// `npm start` builds only when the sources changed since the last build. The build (`npm run build`) ends by writing a
// stamp — a SHA-256 of every source file that goes into it — next to its output; `ensure` compares the sources with it.
//   node scripts/build-stamp.mjs ensure   build (npm run build) unless the stamp matches and the output is there
//   node scripts/build-stamp.mjs check    exit 0 when up to date, 1 when a build is needed (prints why)
//   node scripts/build-stamp.mjs write    write the stamp (the last step of npm run build)
// BUILD_DIR (optional) is the build folder, as for remix.config.js and scripts/build-server.mjs.
// Content, not modification times: a fresh clone (no stamp) builds, a `git checkout` that touches files without
// changing them does not.
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** What goes into the build: these folders (all files, dot-files left out) and files, relative to the project root. */
export const SOURCE_DIRS = ["app", "db", "emails", "scripts"];
export const SOURCE_FILES = ["package.json", "package-lock.json", "remix.config.js", "tsconfig.json"];
/** The build's output that must exist, relative to the build folder. */
export const OUTPUTS = ["build/index.js", "build/server.js", "build/deadline-worker.js", "build/enhance-manifest.json", "public/build"];
export const STAMP_FILE = "build/.source-stamp.json";

function listFiles(root, rel, out) {
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const r = path.posix.join(rel, e.name);
    if (e.isDirectory()) listFiles(root, r, out);
    else if (e.isFile()) out.push(r);
  }
}

/** SHA-256 (hex) over the sorted source paths and their contents. */
export function sourceHash(root) {
  const files = [];
  for (const d of SOURCE_DIRS) listFiles(root, d, files);
  for (const f of SOURCE_FILES) if (fs.existsSync(path.join(root, f))) files.push(f);
  files.sort();
  const h = crypto.createHash("sha256");
  for (const f of files) {
    h.update(f).update("\0");
    h.update(fs.readFileSync(path.join(root, f))).update("\0");
  }
  return h.digest("hex");
}

/** Whether a build is needed, and why (pure but for reading files). */
export function buildStatus(root, buildRoot, hash = sourceHash(root)) {
  for (const o of OUTPUTS)
    if (!fs.existsSync(path.join(buildRoot, o))) return { needed: true, reason: `no build yet (${o} is missing)`, hash };
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(buildRoot, STAMP_FILE), "utf8"));
  } catch {
    return { needed: true, reason: "the build has no source stamp", hash };
  }
  if (stamp?.hash !== hash) return { needed: true, reason: "the sources changed since the last build", hash };
  return { needed: false, reason: `sources unchanged since the build of ${stamp.builtAt ?? "?"}`, hash };
}

export function writeStamp(buildRoot, hash) {
  const file = path.join(buildRoot, STAMP_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ hash, builtAt: new Date().toISOString() }) + "\n");
}

function main() {
  const root = process.cwd();
  const buildRoot = process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : root;
  const cmd = process.argv[2];
  if (cmd === "write") {
    writeStamp(buildRoot, process.env.SUJARIT_SOURCE_HASH || sourceHash(root));
    return 0;
  }
  const s = buildStatus(root, buildRoot);
  if (cmd === "check") {
    console.log(s.needed ? `build needed: ${s.reason}` : `build up to date: ${s.reason}`);
    return s.needed ? 1 : 0;
  }
  if (cmd === "ensure") {
    if (!s.needed) {
      console.log(`build up to date (${s.reason}): not rebuilding`);
      return 0;
    }
    console.log(`building: ${s.reason}`);
    // The hash of the sources as they were when the build started goes into the stamp (`write`, the build's last step).
    const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
    const r = spawnSync(npm[0], [...npm[1], "run", "build"], { stdio: "inherit", env: { ...process.env, SUJARIT_SOURCE_HASH: s.hash } });
    return r.status ?? 1;
  }
  console.error("usage: node scripts/build-stamp.mjs ensure|check|write");
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
