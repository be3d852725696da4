/**
 * The organisation's contact details as citizens see them: which channels really exist (a page never invites people
 * to call, write or use LINE when the organisation has given no number, address or ID), and whether an administrator
 * has confirmed them yet. Pure: no database.
 */

/** The contact fields of org_profile. */
export interface OrgContact {
  phone: string;
  email: string;
  line_id: string;
  address_th: string;
  address_en: string;
  office_hours_th: string;
  office_hours_en: string;
}

export type ContactChannel =
  | { kind: "phone"; value: string; href: string }
  | { kind: "email"; value: string; href: string }
  | { kind: "line"; value: string; href: string }
  | { kind: "office"; value: string; hours: string };

/** A LINE ID as people type it: an official account's "@name" or a personal ID (letters, digits, . _ -). */
export const LINE_ID_PATTERN = /^@?[a-z0-9._-]{3,20}$/;

/** Lower-cased, without spaces; null when it is not a LINE ID. */
export function normaliseLineId(input: string): string | null {
  const v = input.normalize("NFC").trim().replace(/\s+/g, "").toLowerCase();
  return LINE_ID_PATTERN.test(v) ? v : null;
}

/** The add-friend link of a LINE ID (an official account's "@" is written %40). */
export function lineAddFriendUrl(lineId: string): string {
  return `https://line.me/R/ti/p/${encodeURIComponent(lineId)}`;
}

/** The channels the organisation really has, in the order a page lists them. */
export function contactChannels(org: OrgContact, lang: "th" | "en"): ContactChannel[] {
  const out: ContactChannel[] = [];
  const phone = org.phone.trim();
  if (phone) out.push({ kind: "phone", value: phone, href: `tel:${phone.replace(/[^\d+]/g, "")}` });
  const email = org.email.trim();
  if (email) out.push({ kind: "email", value: email, href: `mailto:${email}` });
  const line = org.line_id.trim();
  if (line) out.push({ kind: "line", value: line, href: lineAddFriendUrl(line) });
  const address = (lang === "en" && org.address_en.trim() ? org.address_en : org.address_th).trim();
  const hours = (lang === "en" && org.office_hours_en.trim() ? org.office_hours_en : org.office_hours_th).trim();
  if (address) out.push({ kind: "office", value: address, hours });
  return out;
}

/** True once an administrator has confirmed the organisation's details (/staff/setup). */
export function isOrgSetupComplete(org: { setup_completed_at: string | null }): boolean {
  return typeof org.setup_completed_at === "string" && org.setup_completed_at !== "";
}

/** The name a village has until the organisation gives it its own ("หมู่ที่ 3"). */
export function placeholderVillageName(n: number, lang: "th" | "en"): string {
  return lang === "en" ? `Village ${n}` : `หมู่ที่ ${n}`;
}

/** "a, b or c" / "ก ข หรือค": joins a list with `sep` and `lastSep` before the last item. */
export function joinChoices(items: readonly string[], sep: string, lastSep: string): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(sep)}${lastSep}${items[items.length - 1]}`;
}

/** The ways besides the website to hand in a complaint, from the channels that exist (a letter needs the address). */
export function otherWaysToFile(channels: readonly ContactChannel[]): ("office" | "phone" | "email" | "line" | "post")[] {
  const kinds = new Set(channels.map((c) => c.kind));
  const out: ("office" | "phone" | "email" | "line" | "post")[] = [];
  if (kinds.has("office")) out.push("office");
  if (kinds.has("phone")) out.push("phone");
  if (kinds.has("email")) out.push("email");
  if (kinds.has("line")) out.push("line");
  if (kinds.has("office")) out.push("post");
  return out;
}
