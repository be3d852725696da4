import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "../../db/dialects/errors";

describe("isUniqueViolation", () => {
  it("reads SQLite's unique-constraint errors", () => {
    const e = Object.assign(new Error("UNIQUE constraint failed: complaints.submission_key_hash"), { code: "SQLITE_CONSTRAINT_UNIQUE" });
    expect(isUniqueViolation(e, "submission_key_hash")).toBe(true);
    expect(isUniqueViolation(e, "receipt_hash")).toBe(false);
    const pair = new Error("UNIQUE constraint failed: reports.fiscal_year, reports.seq");
    expect(isUniqueViolation(pair, "reports.fiscal_year")).toBe(true);
  });

  it("reads PostgreSQL's (SQLSTATE 23505, the key columns in the detail)", () => {
    const e = Object.assign(new Error('duplicate key value violates unique constraint "complaints_submission_key_hash_key"'), {
      code: "23505",
      table: "complaints",
      detail: "Key (submission_key_hash)=(abc) already exists.",
    });
    expect(isUniqueViolation(e, "submission_key_hash")).toBe(true);
    expect(isUniqueViolation(e, "complaints.submission_key_hash")).toBe(true);
    expect(isUniqueViolation(e, "reports.submission_key_hash")).toBe(false);
    expect(isUniqueViolation(e, "hash")).toBe(false);
    const pair = Object.assign(new Error('duplicate key value violates unique constraint "reports_fy_seq"'), {
      code: "23505",
      table: "reports",
      detail: "Key (fiscal_year, seq)=(2570, 1) already exists.",
    });
    expect(isUniqueViolation(pair, "reports.fiscal_year")).toBe(true);
  });

  it("is false for anything else", () => {
    expect(isUniqueViolation(null, "x")).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error("null value"), { code: "23502" }), "x")).toBe(false);
    expect(isUniqueViolation(new Error("FOREIGN KEY constraint failed"), "x")).toBe(false);
  });
});
