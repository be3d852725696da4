import { json } from "@remix-run/node";
import { DEFAULT_LANG, isLang, type Lang } from "~/i18n";
import { maskToken, randomToken, safeEqual, unmaskToken } from "./crypto.server";
import { getEnv } from "./env.server";
import { activeBasePath } from "./site-context.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Per-request CSP nonce for inline and module scripts. */
    nonce: string;
    /**
     * The client's rate-limit key, for in-memory rate limits only (never stored or logged): the IPv4 address or the
     * IPv6 /64, X-Forwarded-For only from TRUSTED_PROXIES (clientKey() in client-address.server.ts).
     */
    clientAddress: string;
  }
}

const parsedCookies = new WeakMap<Request, Readonly<Record<string, string>>>();

/** The request's cookies by name (read once per request: a page asks for several; the result is frozen). */
export function parseCookies(request: Request): Readonly<Record<string, string>> {
  let cookies = parsedCookies.get(request);
  if (!cookies) {
    cookies = Object.freeze(parseCookieHeader(request.headers.get("Cookie") ?? ""));
    parsedCookies.set(request, cookies);
  }
  return cookies;
}

function parseCookieHeader(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      /* ignore malformed cookie */
    }
  }
  return out;
}

/**
 * The request's path within the organisation's pages: without its /o/<code> (ORG_ROUTING=path), the path the routes
 * know (and the one a redirect names: Remix puts the prefix back).
 */
export function appPathname(request: Request): string {
  const { pathname } = new URL(request.url);
  const base = activeBasePath();
  return base && (pathname === base || pathname.startsWith(`${base}/`)) ? pathname.slice(base.length) || "/" : pathname;
}

export function isSecureDeployment(): boolean {
  return getEnv().PUBLIC_URL.startsWith("https://");
}

/**
 * The Path of a cookie for `path` of the organisation's pages: with ORG_ROUTING=path under its /o/<code> (so the
 * cookies of one organisation are never sent to another's pages on the same host), `path` itself otherwise.
 */
export function cookiePath(path: string): string {
  const base = activeBasePath();
  return base ? (path === "/" ? base : base + path) : path;
}

/**
 * The name of a site-wide cookie: with the `__Host-` prefix over https (the browser then refuses it unless it is Secure,
 * for this exact host and Path=/, so a sibling subdomain cannot set or shadow it), the plain name over http. Under an
 * organisation's /o/<code> (ORG_ROUTING=path) the prefix is `__Secure-` (`__Host-` requires Path=/).
 */
export function cookieName(base: string): string {
  if (!isSecureDeployment()) return base;
  return activeBasePath() ? `__Secure-${base}` : `__Host-${base}`;
}

/** The value of a Path=/ cookie set with serializeCookie (its name prefixed the same way). */
export function readCookie(request: Request, base: string): string | undefined {
  return parseCookies(request)[cookieName(base)];
}

/** Serialises a cookie with the portal's defaults: the organisation's whole site (cookiePath), HttpOnly, SameSite=Lax, Secure over https. */
export function serializeCookie(name: string, value: string, opts: { maxAge?: number; httpOnly?: boolean } = {}): string {
  const parts = [`${cookieName(name)}=${encodeURIComponent(value)}`, `Path=${cookiePath("/")}`, "SameSite=Lax"];
  if (opts.httpOnly !== false) parts.push("HttpOnly");
  if (isSecureDeployment()) parts.push("Secure");
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  return parts.join("; ");
}

export const LANG_COOKIE = "lng";
/** `?lang=en` / `?lang=th` on any page chooses the language of that page (and, through the root loader, the cookie). */
export const LANG_PARAM = "lang";

/** The language asked for in the address (`?lang=en`), or null. */
export function langFromUrl(request: Request): Lang | null {
  const i = request.url.indexOf("?");
  if (i < 0) return null;
  const v = new URLSearchParams(request.url.slice(i + 1).split("#")[0]).get(LANG_PARAM);
  return isLang(v) ? v : null;
}

/**
 * The visitor's language: `?lang=` in the address (so an English link can be shared), else the `lng` cookie set by
 * the language switch or an earlier `?lang=`; Thai by default.
 */
export function getLang(request: Request): Lang {
  const fromUrl = langFromUrl(request);
  if (fromUrl) return fromUrl;
  const v = readCookie(request, LANG_COOKIE);
  return isLang(v) ? v : DEFAULT_LANG;
}

/** The cookie that keeps a language chosen in the address (`?lang=`) for the next pages; null when nothing changes. */
export function langCookieFromUrl(request: Request): string | null {
  const fromUrl = langFromUrl(request);
  if (!fromUrl || readCookie(request, LANG_COOKIE) === fromUrl) return null;
  return serializeCookie(LANG_COOKIE, fromUrl, { maxAge: 365 * 24 * 3600 });
}

/** A same-site path without its `?lang=` (after the language switch, the address must not override the new choice). */
export function withoutLangParam(pathWithQuery: string): string {
  const u = new URL(pathWithQuery, "http://localhost");
  if (!u.searchParams.has(LANG_PARAM)) return pathWithQuery;
  u.searchParams.delete(LANG_PARAM);
  return u.pathname + u.search + u.hash;
}

const CSRF_COOKIE = "csrf";

const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The visitor's CSRF token as a page puts it in its forms (`field`: masked afresh for each response, maskToken);
 * `setCookie` is set when a new token was issued and must be sent with the response. Pages are compressed and
 * some repeat what the address asked (a search, a code typed); with the same secret in every page, someone who can make
 * a browser load pages of their choosing and watch their compressed sizes (BREACH) could learn the token a few
 * characters at a time. Masked, no page holds a secret that repeats.
 */
export function getCsrfToken(request: Request): { field: string; setCookie: string | null } {
  const existing = readCookie(request, CSRF_COOKIE);
  if (existing && CSRF_TOKEN.test(existing)) return { field: maskToken(existing), setCookie: null };
  const token = randomToken(32);
  return { field: maskToken(token), setCookie: serializeCookie(CSRF_COOKIE, token) };
}

/** The token inside a form's `csrf` field: a masked one (maskToken) unmasked, or the token itself as sent. */
function unmaskCsrfField(field: string): string | null {
  return CSRF_TOKEN.test(field) ? field : unmaskToken(field);
}

/** Throws a 403 response unless the form's `csrf` field (masked or not) carries the visitor's CSRF cookie. */
export function assertCsrf(request: Request, form: FormData | URLSearchParams, lang: Lang = getLang(request)): void {
  const cookie = readCookie(request, CSRF_COOKIE);
  const field = form.get("csrf");
  const token = typeof field === "string" ? unmaskCsrfField(field) : null;
  if (!cookie || !token || !safeEqual(cookie, token)) {
    throw json({ formError: "errors.csrf", lang }, { status: 403 });
  }
}

/** i18n key (namespace included) of the answer to a form body that cannot be read: the one /complaints/new uses. */
export const UNREADABLE_FORM_KEY = "complaint:errors.malformedForm";

/**
 * The posted form (urlencoded or multipart). A body that cannot be read as a form (wrong Content-Type such as
 * application/json or text/plain, a broken multipart body) throws a 400 response carrying the localized message key
 * (`formError` for the public error page, `messageKey` for the staff one) instead of letting the error become a 500.
 * Call it before assertCsrf, instead of `await request.formData()`.
 */
export async function readFormData(request: Request, lang: Lang = getLang(request)): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw json(
      { formError: UNREADABLE_FORM_KEY, messageKey: UNREADABLE_FORM_KEY, lang },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }
}

/** Only same-site relative paths are allowed as redirect targets. */
export function safeRedirectPath(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
