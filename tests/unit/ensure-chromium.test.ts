/**
 * `npm test` on a bare machine: the Chromium finder's decisions (scripts/ensure-chromium.mjs) — CHROMIUM_PATH,
 * then /usr/bin/chromium, then apt-get as root on Debian, else one line saying what to run — and the script itself.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decideChromium, ensureChromium, DEFAULT_CHROMIUM } from "../../scripts/ensure-chromium.mjs";

const ROOT = path.resolve(__dirname, "../..");
const none = () => false;
const only =
  (...files: string[]) =>
  (p: string) =>
    files.includes(p);

describe("decideChromium", () => {
  it("uses CHROMIUM_PATH when it is an executable", () => {
    expect(
      decideChromium({ chromiumPath: "/opt/chromium/chrome", exists: only("/opt/chromium/chrome"), isRoot: false, hasAptGet: true }),
    ).toEqual({
      action: "use",
      path: "/opt/chromium/chrome",
    });
  });

  it("stops at once on a CHROMIUM_PATH that does not exist, naming it (never installs over an explicit choice)", () => {
    const d = decideChromium({ chromiumPath: "/nope/chromium", exists: only(DEFAULT_CHROMIUM), isRoot: true, hasAptGet: true });
    expect(d.action).toBe("fail");
    expect(d.message).toContain("CHROMIUM_PATH=/nope/chromium");
    expect(d.message).not.toContain("\n");
  });

  it("then /usr/bin/chromium", () => {
    expect(decideChromium({ exists: only(DEFAULT_CHROMIUM), isRoot: false, hasAptGet: false })).toEqual({
      action: "use",
      path: "/usr/bin/chromium",
    });
    expect(decideChromium({ chromiumPath: "  ", exists: only(DEFAULT_CHROMIUM), isRoot: false, hasAptGet: false }).action).toBe("use");
  });

  it("none, as root with apt-get: install Debian's package", () => {
    expect(decideChromium({ exists: none, isRoot: true, hasAptGet: true })).toEqual({ action: "install", path: DEFAULT_CHROMIUM });
  });

  it("none, not root: one line with the apt-get command to run", () => {
    const d = decideChromium({ exists: none, isRoot: false, hasAptGet: true });
    expect(d.action).toBe("fail");
    expect(d.message).toMatch(/sudo apt-get update && sudo apt-get install -y chromium/);
    expect(d.message).not.toContain("\n");
  });

  it("none and no apt-get: one line naming CHROMIUM_PATH", () => {
    const d = decideChromium({ exists: none, isRoot: true, hasAptGet: false });
    expect(d.action).toBe("fail");
    expect(d.message).toMatch(/CHROMIUM_PATH=/);
    expect(d.message).not.toContain("\n");
  });
});

describe("ensureChromium", () => {
  it("as root on Debian without Chromium: apt-get update, then install -y chromium, non-interactive, then goes on", () => {
    const installed = new Set<string>();
    const calls: { cmd: string; args: string[]; frontend?: string }[] = [];
    const found = ensureChromium({
      state: { chromiumPath: undefined, exists: (p: string) => installed.has(p), isRoot: true, hasAptGet: true },
      run: (cmd: string, args: string[], env: NodeJS.ProcessEnv) => {
        calls.push({ cmd, args, frontend: env.DEBIAN_FRONTEND });
        if (args[0] === "install") installed.add(DEFAULT_CHROMIUM);
        return 0;
      },
      log: () => {},
    });
    expect(found).toBe(DEFAULT_CHROMIUM);
    expect(calls.map((c) => `${c.cmd} ${c.args[0]}`)).toEqual(["apt-get update", "apt-get install"]);
    expect(calls[1]!.args).toContain("-y");
    expect(calls[1]!.args).toContain("chromium");
    expect(calls.every((c) => c.frontend === "noninteractive")).toBe(true);
  });

  it("a failing apt-get stops with one line", () => {
    expect(() =>
      ensureChromium({ state: { chromiumPath: undefined, exists: none, isRoot: true, hasAptGet: true }, run: () => 100, log: () => {} }),
    ).toThrow(/^apt-get update failed \(exit 100\): run `apt-get update && apt-get install -y chromium` yourself/);
  });

  it("never runs anything when Chromium is there or cannot be installed", () => {
    const run = () => {
      throw new Error("must not run");
    };
    expect(
      ensureChromium({
        state: { chromiumPath: undefined, exists: only(DEFAULT_CHROMIUM), isRoot: true, hasAptGet: true },
        run,
        log: () => {},
      }),
    ).toBe(DEFAULT_CHROMIUM);
    expect(() =>
      ensureChromium({ state: { chromiumPath: undefined, exists: none, isRoot: false, hasAptGet: true }, run, log: () => {} }),
    ).toThrow(/sudo apt-get/);
  });
});

describe("node scripts/ensure-chromium.mjs", () => {
  it("exits 1 at once with one line when CHROMIUM_PATH points nowhere", () => {
    const r = spawnSync(process.execPath, ["scripts/ensure-chromium.mjs"], {
      cwd: ROOT,
      env: { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("CHROMIUM_PATH=/nonexistent/chromium");
  });

  it("prints the Chromium it found (CHROMIUM_PATH given as an executable)", () => {
    const r = spawnSync(process.execPath, ["scripts/ensure-chromium.mjs"], {
      cwd: ROOT,
      env: { ...process.env, CHROMIUM_PATH: process.execPath },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`Chromium for the browser tests: ${process.execPath}`);
  });
});
