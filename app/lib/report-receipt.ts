/**
 * Receipts of the report channel: 16 random decimal digits (about 53 bits), shown as "1234 5678 9012 3456".
 * The receipt is the reporter's only key to their report; the server keeps an argon2id hash of it
 * (app/models/report/receipt-hash.server.ts). Pure module (no Node-only imports) so pages can format receipts too.
 */

export const RECEIPT_DIGITS = 16;

/** A new receipt: 16 digits, each uniform (rejection sampling on random bytes from the platform CSPRNG). */
export function generateReceipt(): string {
  let out = "";
  const buf = new Uint8Array(32);
  while (out.length < RECEIPT_DIGITS) {
    globalThis.crypto.getRandomValues(buf);
    for (const b of buf) {
      // 250 = 25 * 10: bytes 250..255 would make some digits more likely, so they are skipped.
      if (b < 250 && out.length < RECEIPT_DIGITS) out += String(b % 10);
    }
  }
  return out;
}

/** "1234567890123456" -> "1234 5678 9012 3456" (anything else is returned unchanged). */
export function formatReceipt(receipt: string): string {
  return /^\d{16}$/.test(receipt) ? receipt.replace(/(\d{4})(?=\d)/g, "$1 ") : receipt;
}

const THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";

/**
 * What a person typed -> 16 ASCII digits, or null. Accepts spaces (also non-breaking and full-width), dashes, dots,
 * Thai digits and full-width digits; anything else (letters, too few or too many digits) is refused.
 */
export function normalizeReceipt(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 100) return null;
  let digits = "";
  for (const ch of input.normalize("NFKC")) {
    const thai = THAI_DIGITS.indexOf(ch);
    if (thai >= 0) digits += String(thai);
    else if (ch >= "0" && ch <= "9") digits += ch;
    else if (/[\s\-\u2010-\u2015\u2212._]/u.test(ch)) continue;
    else return null;
  }
  return digits.length === RECEIPT_DIGITS ? digits : null;
}
