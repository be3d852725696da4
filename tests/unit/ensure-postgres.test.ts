/**
 * scripts/ensure-postgres.mjs: `npm test` finds PostgreSQL's server programs for the tests that start a private server,
 * installs Debian's package when it can (root, apt-get), and otherwise stops at once with the one line to run.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decidePostgres, ensurePostgres, findPostgresBin } from "../../scripts/ensure-postgres.mjs";

describe("ensure-postgres", () => {
  it("uses the newest /usr/lib/postgresql/<n>/bin that has initdb and postgres, else PATH", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-root-"));
    const make = (dir: string, programs: string[]) => {
      fs.mkdirSync(dir, { recursive: true });
      for (const p of programs) fs.writeFileSync(path.join(dir, p), "#!/bin/sh\n", { mode: 0o755 });
    };
    make(path.join(root, "13", "bin"), ["initdb", "postgres"]);
    make(path.join(root, "16", "bin"), ["initdb"]); // incomplete: skipped
    make(path.join(root, "15", "bin"), ["initdb", "postgres"]);
    expect(findPostgresBin({ root, searchPath: "" })).toBe(path.join(root, "15", "bin"));
    const onPath = path.join(root, "elsewhere");
    make(onPath, ["initdb", "postgres"]);
    expect(findPostgresBin({ root: path.join(root, "none"), searchPath: onPath })).toBe(onPath);
    expect(findPostgresBin({ root: path.join(root, "none"), searchPath: "" })).toBeNull();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("decides: use what is there, install as root with apt-get, else say what to run", () => {
    expect(decidePostgres({ bin: "/x/bin", isRoot: false, hasAptGet: false })).toEqual({ action: "use", bin: "/x/bin" });
    expect(decidePostgres({ bin: null, isRoot: true, hasAptGet: true })).toEqual({ action: "install" });
    expect(decidePostgres({ bin: null, isRoot: false, hasAptGet: true }).message).toMatch(/sudo apt-get install -y postgresql/);
    expect(decidePostgres({ bin: null, isRoot: false, hasAptGet: false }).message).toMatch(/put them on PATH/);
  });

  it("returns the folder it finds without running anything", () => {
    const calls: string[] = [];
    expect(ensurePostgres({ find: () => "/found/bin", run: (c: string) => (calls.push(c), 0), log: () => {} })).toBe("/found/bin");
    expect(calls).toEqual([]);
  });
});
