/**
 * Small sharp edges: `.env.example` lists exactly the variables app/utils/env.server.ts reads (so the two
 * cannot drift), and a clock offset is refused in production unless ALLOW_CLOCK_OFFSET=1.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES, parseEnv } from "~/utils/env.server";

const EXAMPLE = path.resolve(__dirname, "../../.env.example");

/** Variables set in the file, commented out or not: lines "VAR=…" or "#VAR=…". */
function exampleVariables(): string[] {
  return fs
    .readFileSync(EXAMPLE, "utf8")
    .split("\n")
    .map((l) => /^#?([A-Z][A-Z0-9_]*)=/.exec(l)?.[1])
    .filter((v): v is string => !!v);
}

describe(".env.example", () => {
  it("lists every variable of env.server.ts, each once, and nothing else", () => {
    const listed = exampleVariables();
    expect(new Set(listed).size, "a variable is listed twice").toBe(listed.length);
    expect([...listed].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it("shows each default as env.server.ts applies it, and sets nothing (every line is commented out)", () => {
    const text = fs.readFileSync(EXAMPLE, "utf8");
    expect(text.split("\n").filter((l) => /^[A-Z]/.test(l))).toEqual([]);
    const defaults = parseEnv({});
    for (const [name, value] of [...text.matchAll(/^#([A-Z][A-Z0-9_]*)=(.+)$/gm)].map((m) => [m[1]!, m[2]!] as const)) {
      const applied = (defaults as Record<string, unknown>)[name];
      // DATA_DIR and DATABASE_URL are resolved to absolute paths, PUBLIC_URL is an example: the rest must match.
      if (["DATA_DIR", "DATABASE_URL", "PUBLIC_URL"].includes(name)) continue;
      expect(String(applied), name).toBe(value);
    }
  });
});

describe("CLOCK_OFFSET_MS", () => {
  it("is refused with NODE_ENV=production (also the default), naming the variable", () => {
    for (const env of [
      { CLOCK_OFFSET_MS: "86400000" },
      { NODE_ENV: "production", CLOCK_OFFSET_MS: "-5000" },
      { CLOCK_OFFSET_MS: "1000", ALLOW_CLOCK_OFFSET: "0" },
    ]) {
      expect(() => parseEnv(env)).toThrow(/^Invalid environment configuration:\n {2}CLOCK_OFFSET_MS: .*ALLOW_CLOCK_OFFSET=1/);
    }
  });

  it("is accepted with ALLOW_CLOCK_OFFSET=1, outside production, or when it is 0", () => {
    expect(parseEnv({ CLOCK_OFFSET_MS: "86400000", ALLOW_CLOCK_OFFSET: "1" }).CLOCK_OFFSET_MS).toBe(86_400_000);
    expect(parseEnv({ NODE_ENV: "test", CLOCK_OFFSET_MS: "86400000" }).CLOCK_OFFSET_MS).toBe(86_400_000);
    expect(parseEnv({ NODE_ENV: "development", CLOCK_OFFSET_MS: "1" }).CLOCK_OFFSET_MS).toBe(1);
    expect(parseEnv({ CLOCK_OFFSET_MS: "0" }).CLOCK_OFFSET_MS).toBe(0);
  });

  it("ALLOW_CLOCK_OFFSET takes 0 or 1 only", () => {
    expect(() => parseEnv({ ALLOW_CLOCK_OFFSET: "yes" })).toThrow(/ALLOW_CLOCK_OFFSET/);
  });
});

describe("METRICS_TOKEN", () => {
  it("is optional, at least 32 printable characters without spaces", () => {
    expect(parseEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(parseEnv({ METRICS_TOKEN: "a".repeat(32) }).METRICS_TOKEN).toBe("a".repeat(32));
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(() => parseEnv({ METRICS_TOKEN: `${"a".repeat(20)} ${"b".repeat(20)}` })).toThrow(/METRICS_TOKEN/);
  });
});
