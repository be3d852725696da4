import { getEnv } from "./env.server";
import { activeSite } from "./site-context.server";

/**
 * The organisation's address for links in e-mails, posters, receipts and passkeys: PUBLIC_URL, or, when the
 * installation serves several organisations, PUBLIC_URL with the current organisation's first host name.
 */
export function publicUrl(): string {
  const site = activeSite();
  return site ? site.publicUrl : getEnv().PUBLIC_URL;
}

/** PUBLIC_URL with `host` in place of its host name (scheme and port kept). */
export function publicUrlForHost(host: string): string {
  const u = new URL(getEnv().PUBLIC_URL);
  u.hostname = host;
  return u.toString().replace(/\/+$/, "");
}
