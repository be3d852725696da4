/** Whether DATABASE_URL names a PostgreSQL server (postgres:// or postgresql://). No driver is loaded by this module. */
export function isPostgresUrl(url: string | undefined | null): url is string {
  return !!url && /^postgres(ql)?:\/\/[^\s]+$/i.test(url);
}
