import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server";

describe("parseEnv", () => {
  it("applies the documented defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe(path.resolve("./data"));
    expect(env.DATABASE_FILE).toBe(path.resolve("./data/sujarit.db"));
    expect(env.PUBLIC_URL).toBe("http://localhost:3000");
    expect(env.SMTP_URL).toBeUndefined();
    expect(env.NODE_ENV).toBe("production");
  });

  it("derives the database file from DATABASE_URL and strips a trailing slash from PUBLIC_URL", () => {
    const env = parseEnv({ DATABASE_URL: "file:/srv/sujarit/db.sqlite", PUBLIC_URL: "https://wangluek.example.go.th/", PORT: "8080" });
    expect(env.DATABASE_FILE).toBe("/srv/sujarit/db.sqlite");
    expect(env.PUBLIC_URL).toBe("https://wangluek.example.go.th");
    expect(env.PORT).toBe(8080);
  });

  it("selects PostgreSQL for a postgres:// or postgresql:// DATABASE_URL and SQLite otherwise", () => {
    for (const url of ["postgres://sujarit:secret@db.internal:5432/sujarit", "postgresql://sujarit@127.0.0.1/sujarit?sslmode=require"]) {
      const env = parseEnv({ DATABASE_URL: url, DATA_DIR: "/srv/sujarit" });
      expect(env.DATABASE_DIALECT).toBe("postgres");
      expect(env.DATABASE_URL).toBe(url);
      // The SQLite file is not derived from a server URL.
      expect(env.DATABASE_FILE).toBe("/srv/sujarit/sujarit.db");
    }
    expect(parseEnv({}).DATABASE_DIALECT).toBe("sqlite");
    expect(parseEnv({ DATABASE_URL: "sqlite:/srv/x.db" })).toMatchObject({ DATABASE_DIALECT: "sqlite", DATABASE_FILE: "/srv/x.db" });
    expect(() => parseEnv({ DATABASE_URL: "postgres:db.internal/sujarit" })).toThrow(/DATABASE_URL: a PostgreSQL URL must look like/);
  });

  it.each([
    ["PORT", "70000"],
    ["PORT", "abc"],
    ["PUBLIC_URL", "not a url"],
    ["PUBLIC_URL", "ftp://example.org"],
    ["SMTP_URL", "mail.example.org:25"],
    ["LOG_LEVEL", "verbose"],
    ["OUTBOX_INTERVAL_MS", "1"],
    ["AUDIT_HEAD_EMAIL", "supervisor at example.org"],
  ])("refuses %s=%s and names the variable", (name, value) => {
    expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`^Invalid environment configuration:\\n(.|\\n)*\\b${name}\\b`));
  });

  it("AUDIT_HEAD_EMAIL is an optional e-mail address", () => {
    expect(parseEnv({}).AUDIT_HEAD_EMAIL).toBeUndefined();
    expect(parseEnv({ AUDIT_HEAD_EMAIL: "" }).AUDIT_HEAD_EMAIL).toBeUndefined();
    expect(parseEnv({ AUDIT_HEAD_EMAIL: "audit@council.example.org" }).AUDIT_HEAD_EMAIL).toBe("audit@council.example.org");
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ SMTP_URL: "", PORT: "" }).PORT).toBe(3000);
  });
});
