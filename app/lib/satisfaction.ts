/**
 * Satisfaction survey rules (plan measure 23: at least 80% satisfied; measure 17: a channel to rate service), pure:
 * the 5-point scale, which cases may be rated, the 30-day window for changing an answer, the counter services of the
 * /feedback form (their form schemas: satisfaction.server.ts). Messages are i18n keys (namespace prefix included where not "common").
 */

/** The 5-point scale: 1 = very dissatisfied … 5 = very satisfied. */
export const SCORES = [1, 2, 3, 4, 5] as const;
export type Score = (typeof SCORES)[number];

/** Answers of 4 or 5 count as satisfied. */
export const SATISFIED_MIN = 4;

/** Longest comment, in characters (code points). */
export const COMMENT_MAX = 1000;

/** How long after the first answer a complainant may still change it. */
export const RATING_CHANGE_DAYS = 30;

/** How long the rating link in the result e-mail works. */
export const RATING_TOKEN_DAYS = 60;

const DAY_MS = 24 * 3600 * 1000;

/** Services offered at the office counter (the /feedback form); names in the satisfaction namespace `services.<id>`. */
export const COUNTER_SERVICES = ["civil_registration", "tax", "building", "welfare", "water", "waste", "other"] as const;
export type CounterService = (typeof COUNTER_SERVICES)[number];

export function isCounterService(x: unknown): x is CounterService {
  return typeof x === "string" && (COUNTER_SERVICES as readonly string[]).includes(x);
}

export function isScore(x: unknown): x is Score {
  return typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= 5;
}

export function isSatisfied(score: number): boolean {
  return score >= SATISFIED_MIN;
}

/** A case can be rated once it is closed: resolved, or forwarded to the agency responsible. */
export function isRatableStatus(status: string): boolean {
  return status === "resolved" || status === "forwarded";
}

/** The last moment an answer first given at `createdAt` may be changed. */
export function ratingChangeableUntil(createdAt: Date): Date {
  return new Date(createdAt.getTime() + RATING_CHANGE_DAYS * DAY_MS);
}

/** Whether an answer first given at `createdAt` may still be changed at `at` (the boundary itself included). */
export function canChangeRating(createdAt: Date, at: Date): boolean {
  return at.getTime() <= ratingChangeableUntil(createdAt).getTime();
}

/** Expiry of a rating link created at `at`. */
export function ratingTokenExpiry(at: Date): Date {
  return new Date(at.getTime() + RATING_TOKEN_DAYS * DAY_MS);
}

/** Shape of a rating token as sent in the e-mail link (32 random bytes, base64url). */
export function isRatingTokenShape(x: unknown): x is string {
  return typeof x === "string" && /^[A-Za-z0-9_-]{43}$/.test(x);
}
