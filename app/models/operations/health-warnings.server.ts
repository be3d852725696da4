/** The /healthz problems (health.server.ts) in words for the admin page (/staff/admin). */
import { formatThaiDate, dateFromBangkokKey } from "~/lib/thai-date";
import type { Lang } from "~/i18n";
import { OUTBOX_PENDING_MAX_AGE_S, DISK_MIN_FREE_BYTES, type HealthReport } from "~/models/operations/health.server";

/** The /healthz problems as admin-page warnings (message key under admin.health, values, a page to fix it). */
export type HealthWarning = { problem: string; key: string; vars: Record<string, string>; link?: string };

export function healthWarnings(h: HealthReport, lang: Lang): HealthWarning[] {
  const day = (key: string | null) => (key ? formatThaiDate(dateFromBangkokKey(key), lang) : "");
  const size = (bytes: number | null) =>
    bytes === null ? "?" : bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
  const c = h.checks;
  return h.problems.map((problem): HealthWarning => {
    switch (problem) {
      case "outbox_stuck":
        return {
          problem,
          key: "outbox_stuck",
          vars: {
            hours: String(OUTBOX_PENDING_MAX_AGE_S / 3600),
            age: String(Math.round((c.outbox.oldestPendingSeconds ?? 0) / 60)),
            count: String(c.outbox.pending ?? 0),
          },
          link: "/staff/admin/outbox",
        };
      case "outbox_dead_letters":
        return {
          problem,
          key: "outbox_dead_letters",
          vars: { count: String(c.outbox.deadLettersRecent ?? 0) },
          link: "/staff/admin/outbox",
        };
      case "deadline_tick_stale":
        return c.deadlineTick.secondsSinceLastTick === null
          ? { problem, key: "deadline_tick_never", vars: {} }
          : { problem, key: "deadline_tick_stale", vars: { minutes: String(Math.round(c.deadlineTick.secondsSinceLastTick / 60)) } };
      case "holidays_ending":
        return c.holidays.coveredUntil === null
          ? { problem, key: "holidays_none", vars: {}, link: "/staff/admin/holidays" }
          : {
              problem,
              key: "holidays_ending",
              vars: { until: day(c.holidays.coveredUntil), needed: day(c.holidays.neededUntil) },
              link: "/staff/admin/holidays",
            };
      case "disk_low":
        return { problem, key: "disk_low", vars: { free: size(c.disk.freeBytes), min: size(DISK_MIN_FREE_BYTES) } };
      default:
        return { problem, key: "database", vars: {} };
    }
  });
}
