/**
 * Whether `e` is a unique-constraint violation that involves `column` ("submission_key_hash", or "table.column"), on
 * either database: SQLite says "UNIQUE constraint failed: complaints.submission_key_hash"; PostgreSQL gives SQLSTATE
 * 23505 with the table and "Key (submission_key_hash)=(…) already exists." in its detail.
 */
export function isUniqueViolation(e: unknown, column: string): boolean {
  const err = e as { code?: unknown; message?: unknown; detail?: unknown; table?: unknown } | null;
  if (!err || typeof err.message !== "string") return false;
  if (err.code === "23505") {
    const [table, col] = column.includes(".") ? column.split(".", 2) : [null, column];
    if (table !== null && err.table !== table) return false;
    const keys = typeof err.detail === "string" ? /^Key \(([^)]*)\)/.exec(err.detail)?.[1] : undefined;
    return keys !== undefined && keys.split(",").some((k) => k.trim() === col);
  }
  return (err.code === "SQLITE_CONSTRAINT_UNIQUE" || err.message.includes("UNIQUE constraint failed")) && err.message.includes(column);
}
