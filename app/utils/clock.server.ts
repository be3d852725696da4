/**
 * The portal's clock. Every server module asks this for "now" so tests can control time in one place.
 * The env variable CLOCK_OFFSET_MS (validated in env.server.ts; for tests and demos only, default 0) shifts it, so a
 * server can be started "N days later"; in-process tests use setClockOffsetForTests on top of that. With
 * NODE_ENV=production a non-zero CLOCK_OFFSET_MS is refused at start-up unless ALLOW_CLOCK_OFFSET=1 (env.server.ts).
 */
import { getEnv } from "./env.server";

let testOffsetMs = 0;
let envOffsetMs: number | null = null;

function envOffset(): number {
  if (envOffsetMs === null) {
    try {
      envOffsetMs = getEnv().CLOCK_OFFSET_MS ?? 0;
    } catch {
      // An invalid environment is reported by the server at start-up (getEnv); the clock itself stays usable.
      envOffsetMs = 0;
    }
  }
  return envOffsetMs;
}

export function now(): Date {
  return new Date(Date.now() + envOffset() + testOffsetMs);
}

export function nowIso(): string {
  return now().toISOString();
}

/** Test-only hook (used by integration tests in-process); the running server never changes it. */
export function setClockOffsetForTests(ms: number) {
  testOffsetMs = ms;
}
