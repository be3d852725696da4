/**
 * The password rule, one place for every caller (enrolment, reset, change, the staff CLI):
 * - at least 12 characters (code points, after NFC), at most 1024; any script — Thai passwords are welcome;
 * - not on the bundled list of common and breached passwords (the 49,000 of @zxcvbn-ts/language-common, offline),
 *   compared without case, also once trailing digits and symbols are taken off ("Password2569!" is "password");
 * - not one character repeated, and not the person's e-mail name.
 * Passwords are hashed with argon2id (app/models/staff/staff.server.ts; parameters in the README).
 */
import { dictionary } from "@zxcvbn-ts/language-common";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

export type PasswordProblem = "tooShort" | "tooLong" | "common" | "repeated" | "personal";

let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** What is wrong with a new password, or null when it may be used. */
export function passwordProblem(password: string, person: { email?: string } = {}): PasswordProblem | null {
  const pw = password.normalize("NFC");
  const length = [...pw].length;
  if (length < PASSWORD_MIN_LENGTH) return "tooShort";
  if (length > PASSWORD_MAX_LENGTH) return "tooLong";
  const lower = pw.toLowerCase();
  if (new Set([...lower]).size <= 2) return "repeated";
  const list = commonPasswords();
  const stripped = lower.replace(/[\p{N}\p{P}\p{S}\s]+$/u, "").replace(/^[\p{N}\p{P}\p{S}\s]+/u, "");
  if (list.has(lower) || (stripped.length >= 4 && list.has(stripped))) return "common";
  const local = (person.email ?? "").split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= 4 && lower.includes(local)) return "personal";
  return null;
}
