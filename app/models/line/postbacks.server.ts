/**
 * Postback data of the portal's LINE buttons (at most 300 bytes). A rating button carries the rating link token of
 * the result (as the result e-mail's link does) and the score.
 */
export type Postback =
  | { action: "rate"; token: string; score: number }
  | { action: "category"; code: string }
  | { action: "village"; number: number }
  | { action: "confirm" }
  | { action: "cancel" }
  | { action: "categories" };

export function ratingPostback(token: string, score: number): string {
  return new URLSearchParams({ a: "rate", t: token, s: String(score) }).toString();
}

export function categoryPostback(code: string): string {
  return new URLSearchParams({ a: "cat", c: code }).toString();
}

export function villagePostback(n: number): string {
  return new URLSearchParams({ a: "vil", v: String(n) }).toString();
}

export const CONFIRM_POSTBACK = "a=confirm";
export const CANCEL_POSTBACK = "a=cancel";
export const CATEGORIES_POSTBACK = "a=cats";

/** Reads postback data; null for anything else. */
export function parsePostback(data: unknown): Postback | null {
  if (typeof data !== "string" || data.length > 300) return null;
  const p = new URLSearchParams(data);
  switch (p.get("a")) {
    case "rate": {
      const token = p.get("t") ?? "";
      const score = Number(p.get("s"));
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token) || !Number.isInteger(score)) return null;
      return { action: "rate", token, score };
    }
    case "cat": {
      const code = p.get("c") ?? "";
      return /^[a-z0-9_-]{1,40}$/i.test(code) ? { action: "category", code } : null;
    }
    case "vil": {
      const v = p.get("v") ?? "";
      return /^\d{1,4}$/.test(v) ? { action: "village", number: Number(v) } : null;
    }
    case "confirm":
      return { action: "confirm" };
    case "cancel":
      return { action: "cancel" };
    case "cats":
      return { action: "categories" };
    default:
      return null;
  }
}
