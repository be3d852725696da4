/** The portal's clock. Every server module asks this for "now" so tests can control time in one place. */
let offsetMs = 0;

export function now(): Date {
  return new Date(Date.now() + offsetMs);
}

export function nowIso(): string {
  return now().toISOString();
}

/** Test-only hook (used by integration tests in-process); the running server never changes it. */
export function setClockOffsetForTests(ms: number) {
  offsetMs = ms;
}
