/**
 * `npm start` does not rebuild when nothing changed: scripts/build-stamp.mjs decides from a hash of the
 * sources against the stamp the last build wrote; a fresh clone (no stamp, no output) builds.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildStatus, sourceHash, writeStamp, OUTPUTS, STAMP_FILE } from "../../scripts/build-stamp.mjs";

const SCRIPT = path.resolve(__dirname, "../../scripts/build-stamp.mjs");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-stamp-"));
  dirs.push(root);
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  put("package.json", '{"name":"x"}');
  put("package-lock.json", "{}");
  put("app/root.tsx", "export default 1;");
  put("app/routes/a.tsx", "export const a = 1;");
  put("scripts/serve.ts", "console.log(1);");
  put("db/schema.ts", "export {};");
  return root;
}

function buildOutputs(root: string) {
  for (const o of OUTPUTS) {
    const p = path.join(root, o);
    if (o.endsWith(".js")) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, "// built");
    } else fs.mkdirSync(p, { recursive: true });
  }
}

describe("build stamp", () => {
  it("a fresh clone needs a build; after the build's stamp, starting again does not", () => {
    const root = project();
    expect(buildStatus(root, root)).toMatchObject({ needed: true, reason: expect.stringMatching(/no build yet/) });
    buildOutputs(root);
    expect(buildStatus(root, root)).toMatchObject({ needed: true, reason: "the build has no source stamp" });
    writeStamp(root, sourceHash(root));
    expect(buildStatus(root, root).needed).toBe(false);
    expect(buildStatus(root, root).needed).toBe(false);
  });

  it("a changed, added or removed source file needs a build; the same content again does not", () => {
    const root = project();
    buildOutputs(root);
    writeStamp(root, sourceHash(root));
    const file = path.join(root, "app/routes/a.tsx");
    fs.writeFileSync(file, "export const a = 2;");
    expect(buildStatus(root, root)).toMatchObject({ needed: true, reason: "the sources changed since the last build" });
    fs.writeFileSync(file, "export const a = 1;");
    // Touched (new mtime), same content: no rebuild.
    fs.utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(buildStatus(root, root).needed).toBe(false);
    fs.writeFileSync(path.join(root, "db/new.ts"), "export {};");
    expect(buildStatus(root, root).needed).toBe(true);
    fs.rmSync(path.join(root, "db/new.ts"));
    expect(buildStatus(root, root).needed).toBe(false);
    fs.writeFileSync(path.join(root, "package-lock.json"), '{"v":2}');
    expect(buildStatus(root, root).needed).toBe(true);
  });

  it("what is not a source (data, tests, node_modules, dot-files) never triggers a build; missing output does", () => {
    const root = project();
    buildOutputs(root);
    writeStamp(root, sourceHash(root));
    for (const rel of ["data/sujarit.db", "tests/x.test.ts", "node_modules/p/index.js", "app/.DS_Store", "public/styles/app.css"]) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), "x");
    }
    expect(buildStatus(root, root).needed).toBe(false);
    fs.rmSync(path.join(root, "build/server.js"));
    expect(buildStatus(root, root)).toMatchObject({ needed: true, reason: "no build yet (build/server.js is missing)" });
  });

  it("the CLI: check says so in its exit code; write stores the hash the build started from (BUILD_DIR honoured)", () => {
    const root = project();
    const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-stamp-build-"));
    dirs.push(buildDir);
    buildOutputs(buildDir);
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [SCRIPT, ...args], {
        cwd: root,
        env: { ...process.env, BUILD_DIR: buildDir, ...env },
        encoding: "utf8",
        timeout: 10_000,
      });
    expect(run(["check"]).status).toBe(1);
    expect(run(["write"]).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(buildDir, STAMP_FILE), "utf8")).hash).toBe(sourceHash(root));
    const up = run(["check"]);
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/build up to date/);
    const ensure = run(["ensure"]);
    expect(ensure.status).toBe(0);
    expect(ensure.stdout).toMatch(/not rebuilding/);
    run(["write"], { SUJARIT_SOURCE_HASH: "f".repeat(64) });
    expect(run(["check"]).status).toBe(1);
  });
});
