/**
 * Pure rules of the second factor (no database, no crypto): which methods a person has and is offered, whether one
 * may be removed, and how passkey names and transports are cleaned. app/models/staff/second-factor.server.ts and
 * app/models/staff/passkeys.server.ts apply them; the pages show what they say.
 */

/** What a person has set up. */
export interface SecondFactorState {
  /** An authenticator app (TOTP) is confirmed. */
  totp: boolean;
  /** Number of passkeys. */
  passkeys: number;
  /** Unused recovery codes. */
  recoveryCodes: number;
}

export function hasSecondFactor(s: Pick<SecondFactorState, "totp" | "passkeys">): boolean {
  return s.totp || s.passkeys > 0;
}

/**
 * Whether a session must pass a second factor: when the role needs one, and also when the person set one up although
 * their role does not need it (what someone enrolled is always asked for).
 */
export function needsSecondFactor(roleRequires: boolean, s: Pick<SecondFactorState, "totp" | "passkeys">): boolean {
  return roleRequires || hasSecondFactor(s);
}

export type SecondFactorMethod = "passkey" | "totp" | "recovery";

/** What the second-factor step offers, in this order (nothing: the person has to set one up first). */
export function offeredMethods(s: SecondFactorState): SecondFactorMethod[] {
  const out: SecondFactorMethod[] = [];
  if (s.passkeys > 0) out.push("passkey");
  if (s.totp) out.push("totp");
  if (hasSecondFactor(s) && s.recoveryCodes > 0) out.push("recovery");
  return out;
}

/**
 * Whether one passkey may be removed: always, unless the role needs a second factor and it is the person's last one
 * (no other passkey, no authenticator app). Recovery codes do not count: they are for a lost device, not a factor.
 */
export function canRemovePasskey(roleRequires: boolean, s: Pick<SecondFactorState, "totp" | "passkeys">): boolean {
  if (s.passkeys <= 0) return false;
  if (!roleRequires) return true;
  return s.totp || s.passkeys > 1;
}

export const PASSKEY_NAME_MAX = 60;

/**
 * A passkey's name as typed: NFC, control characters removed, spaces collapsed, trimmed; null when empty or longer
 * than PASSKEY_NAME_MAX characters (counted as the person sees them, so Thai with its vowel marks is not cut short).
 */
export function normalizePasskeyName(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 4 * PASSKEY_NAME_MAX) return null;
  const s = input
    .normalize("NFC")
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!s) return null;
  return [...s].length <= PASSKEY_NAME_MAX ? s : null;
}

/** Transports WebAuthn defines (and what browsers send today); anything else is dropped. */
export const PASSKEY_TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

/** The stored transports (JSON) as a clean list; [] for anything unreadable. */
export function parseTransports(json: unknown): PasskeyTransport[] {
  let v: unknown = json;
  if (typeof json === "string") {
    try {
      v = JSON.parse(json);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(v)) return [];
  const out: PasskeyTransport[] = [];
  for (const t of v)
    if ((PASSKEY_TRANSPORTS as readonly unknown[]).includes(t) && !out.includes(t as PasskeyTransport)) out.push(t as PasskeyTransport);
  return out;
}

/** base64url (RFC 4648 §5, no padding), as WebAuthn JSON uses for ids and challenges. */
export function isBase64Url(s: unknown, maxLength = 1024): s is string {
  return typeof s === "string" && s.length > 0 && s.length <= maxLength && /^[A-Za-z0-9_-]+$/.test(s);
}
