import http from "node:http";
/**
 * A tiny HTTP client for black-box tests: fetch with a cookie jar, no automatic redirects, form helpers and
 * a few regex-based HTML lookups (no DOM library is installed). `login` also passes the second factor of accounts
 * that need one, with a passkey of its own (tests/helpers/webauthn.ts).
 */
import { SoftAuthenticator } from "./webauthn";

export interface Html {
  /** Decoded text content of the first element with this data-testid, or null. */
  testId(id: string): string | null;
  /** An attribute of the first element with this data-testid, or null. */
  testIdAttr(id: string, attr: string): string | null;
  /** Value attribute of the first <input name=…>, or null. */
  inputValue(name: string): string | null;
  /** Visible text of the whole page (tags removed, entities decoded, whitespace collapsed). */
  text(): string;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** Location header (redirects), resolved against the base URL; null if none. */
  location: string | null;
  $: Html;
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}

function stripTags(s: string): string {
  return decodeEntities(
    s
      .replace(/<script[\s\S]*?<\/script>/gi, " ")
      .replace(/<style[\s\S]*?<\/style>/gi, " ")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function html(body: string): Html {
  return {
    testId(id) {
      const re = new RegExp(`<([a-zA-Z][a-zA-Z0-9]*)\\b[^>]*\\bdata-testid="${escapeRe(id)}"[^>]*>([\\s\\S]*?)</\\1>`);
      const m = re.exec(body);
      if (!m) {
        // void or self-closing element: use its value attribute if any
        const v = new RegExp(`<[^>]*\\bdata-testid="${escapeRe(id)}"[^>]*>`).exec(body);
        if (!v) return null;
        const val = /\bvalue="([^"]*)"/.exec(v[0]);
        return val ? decodeEntities(val[1]) : "";
      }
      return stripTags(m[2]);
    },
    testIdAttr(id, attr) {
      const tag = new RegExp(`<[^>]*\\bdata-testid="${escapeRe(id)}"[^>]*>`).exec(body);
      if (!tag) return null;
      const v = new RegExp(`\\s${escapeRe(attr)}="([^"]*)"`).exec(tag[0]);
      return v ? decodeEntities(v[1]) : null;
    },
    inputValue(name) {
      const tags = body.match(/<input\b[^>]*>/g) ?? [];
      for (const t of tags) {
        if (new RegExp(`\\bname="${escapeRe(name)}"`).test(t)) {
          const v = /\bvalue="([^"]*)"/.exec(t);
          return v ? decodeEntities(v[1]) : "";
        }
      }
      return null;
    },
    text() {
      return stripTags(body);
    },
  };
}

/** The csrf field value of a page (throws if missing). */
export function csrfOf(page: HttpResult | string): string {
  const body = typeof page === "string" ? page : page.text;
  const v = html(body).inputValue("csrf");
  if (!v) throw new Error(`no csrf field in page:\n${body.slice(0, 500)}`);
  return v;
}

/**
 * The value of the page's own `redirectTo` field (its last one: the language switch in the header carries one too,
 * pointing at the page itself), or null.
 */
export function pageRedirectTo(page: HttpResult): string | null {
  const inputs = [...page.text.matchAll(/<input\b[^>]*\bname="redirectTo"[^>]*>/g)];
  const value = inputs.length ? /\bvalue="([^"]*)"/.exec(inputs[inputs.length - 1][0])?.[1] : undefined;
  return value === undefined ? null : decodeEntities(value);
}

/** The submissionKey field value of a page (throws if missing). */
export function submissionKeyOf(page: HttpResult | string): string {
  const body = typeof page === "string" ? page : page.text;
  const v = html(body).inputValue("submissionKey");
  if (!v) throw new Error(`no submissionKey field in page:\n${body.slice(0, 500)}`);
  return v;
}

export interface ClientOptions {
  /** Sent as X-Forwarded-For (read by a test server started with TRUSTED_PROXIES: "127.0.0.1", the address the
   * tests connect from), so that each client has its own rate-limit bucket. */
  ip?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * The host name to send (Host header) instead of baseUrl's: an organisation of an installation with several
   * (ORG_ROUTING=host), reached at baseUrl's address and port. fetch() cannot set Host, so these requests go through
   * node:http.
   */
  host?: string;
  /**
   * An organisation's base path (ORG_ROUTING=path: /o/<code>): put in front of every absolute path the test asks for
   * ("/track" → "/o/<code>/track"), unless the path already starts with it (a link read from a page).
   */
  pathPrefix?: string;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();
  /** Every response received, for checks that apply to all of them (security headers). */
  readonly history: { method: string; path: string; status: number; headers: Headers; text: string }[] = [];

  constructor(
    readonly baseUrl: string,
    readonly opts: ClientOptions = {},
  ) {}

  /** The origin a browser would see: baseUrl's, or http://<host>:<port> for a client with opts.host. */
  get origin(): string {
    const base = new URL(this.baseUrl);
    return this.opts.host ? `${base.protocol}//${this.opts.host}${base.port ? `:${base.port}` : ""}` : base.origin;
  }

  /** The route path of an address the server gave (a redirect's location): its path without the client's pathPrefix. */
  routePath(location: string | URL): string {
    const p = new URL(location, this.baseUrl).pathname;
    const prefix = this.opts.pathPrefix;
    return prefix && (p === prefix || p.startsWith(`${prefix}/`)) ? p.slice(prefix.length) || "/" : p;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private storeCookies(headers: Headers) {
    for (const sc of headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(";");
      const i = pair.indexOf("=");
      if (i < 0) continue;
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Low-level request: keeps cookies, never follows redirects. */
  async request(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<HttpResult> {
    const prefix = this.opts.pathPrefix;
    if (
      prefix &&
      path.startsWith("/") &&
      !path.startsWith("//") &&
      path !== prefix &&
      !path.startsWith(`${prefix}/`) &&
      !path.startsWith(`${prefix}?`)
    )
      path = prefix + path;
    const headers: Record<string, string> = { ...(this.opts.headers ?? {}), ...(init.headers ?? {}) };
    if (this.cookies.size) headers.Cookie = this.cookieHeader();
    if (this.opts.ip) headers["X-Forwarded-For"] = this.opts.ip;
    const res = this.opts.host
      ? await requestWithHost(new URL(path, this.baseUrl), this.opts.host, method, init.body, headers)
      : await fetch(new URL(path, this.baseUrl), { method, body: init.body, headers, redirect: "manual" });
    this.storeCookies(res.headers);
    const text = await res.text();
    const loc = res.headers.get("location");
    this.history.push({ method, path, status: res.status, headers: res.headers, text });
    let location = loc ? new URL(loc, this.origin) : null;
    // With opts.host, a location on the organisation's own origin is followed at the address the client connects to.
    if (location && this.opts.host && location.origin === this.origin)
      location = new URL(location.pathname + location.search + location.hash, this.baseUrl);
    return { status: res.status, headers: res.headers, text, location: location?.toString() ?? null, $: html(text) };
  }

  get(path: string, headers?: Record<string, string>): Promise<HttpResult> {
    return this.request("GET", path, { headers });
  }

  /** GET that follows up to 5 redirects. */
  async getFollow(path: string): Promise<HttpResult> {
    let res = await this.get(path);
    for (let i = 0; i < 5 && res.status >= 300 && res.status < 400 && res.location; i++) res = await this.get(res.location);
    return res;
  }

  postForm(
    path: string,
    fields: Record<string, string | string[]> | URLSearchParams,
    headers?: Record<string, string>,
  ): Promise<HttpResult> {
    const body = fields instanceof URLSearchParams ? fields : new URLSearchParams();
    if (!(fields instanceof URLSearchParams)) {
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    }
    return this.request("POST", path, { body, headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers } });
  }

  postMultipart(path: string, form: FormData, headers?: Record<string, string>): Promise<HttpResult> {
    return this.request("POST", path, { body: form, headers });
  }

  /** POST of a raw body with the given content type (for malformed requests). */
  postRaw(path: string, body: Buffer | string, contentType: string, headers?: Record<string, string>): Promise<HttpResult> {
    return this.request("POST", path, {
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "Content-Type": contentType, ...headers },
    });
  }

  /** The password step alone at /staff/login: the login POST response (a redirect: to the target, or to the second factor). */
  async passwordStep(email: string, password: string, redirectTo = "/staff"): Promise<HttpResult> {
    const page = await this.get("/staff/login");
    return this.postForm("/staff/login", { csrf: csrfOf(page), email, password, redirectTo });
  }

  /**
   * Signs in at /staff/login. For an account that needs a second factor (admin, supervisor, integrity; other roles when
   * turned on) the helper passes it with its own passkey (a SoftAuthenticator, tests/helpers/webauthn.ts): set up on
   * the account's first sign-in through the set-up page's passkey choice (the recovery codes page is taken and its
   * "continue" link becomes the returned location), used on later ones. Returns the last response — on success a
   * redirect to the target (302). When the second factor is not the helper's to give (a factor a test set up itself,
   * e.g. TOTP through integrityLogin), the password step's redirect to the second-factor page is returned as it is;
   * use passwordStep to stop after the password in any case.
   */
  async login(email: string, password: string, redirectTo = "/staff", opts: { completeOrgSetup?: boolean } = {}): Promise<HttpResult> {
    const res = await this.loginSteps(email, password, redirectTo);
    // An administrator's first sign-in leads to the organisation's details (/staff/setup): the helper fills them in,
    // unless the test looks at that step itself.
    if (opts.completeOrgSetup !== false && res.status === 302 && res.location && !orgSetupDone.has(this.origin)) {
      await completeOrgSetup(this);
    }
    return res;
  }

  private async loginSteps(email: string, password: string, redirectTo: string): Promise<HttpResult> {
    const first = await this.passwordStep(email, password, redirectTo);
    if (first.status !== 302 || !first.location) return first;
    const step = new URL(first.location);
    const key = `${this.origin}|${email.trim().toLowerCase()}`;
    if (this.routePath(step) === "/staff/totp-setup") {
      const auth = new SoftAuthenticator(this.origin);
      const res = await this.passkeyCeremony("register", step.pathname + step.search, auth);
      if (res.status !== 302 || !res.location) return res;
      helperPasskeys.set(key, auth);
      if (this.routePath(res.location) !== "/staff/totp-setup") return res;
      const codes = await this.get(res.location);
      const next = codes.$.testIdAttr("continue", "href");
      return next ? { ...res, location: new URL(next, this.baseUrl).toString() } : res;
    }
    if (this.routePath(step) === "/staff/login/totp") {
      const auth = helperPasskeys.get(key);
      if (!auth) return first;
      return this.passkeyCeremony("authenticate", step.pathname + step.search, auth);
    }
    return first;
  }

  /**
   * A passkey ceremony as the pages' script runs it: options from POST /staff/webauthn/options (CSRF token of the
   * page), the authenticator's answer, then the page's form (intent=passkey). Returns the page's answer.
   */
  async passkeyCeremony(
    purpose: "register" | "authenticate",
    pagePath: string,
    auth: SoftAuthenticator,
    opts: { name?: string; tamper?: (options: { challenge: string; [k: string]: any }) => Record<string, unknown> } = {},
  ): Promise<HttpResult> {
    const page = await this.get(pagePath);
    if (page.status !== 200) return page;
    const csrf = csrfOf(page);
    const optionsRes = await this.postForm("/staff/webauthn/options", { csrf, purpose });
    if (optionsRes.status !== 200) return optionsRes;
    const options = JSON.parse(optionsRes.text) as { challenge: string; [k: string]: any };
    // The page's origin as the browser would see it: PUBLIC_URL's host (the RP ID), on the port the tests connect to.
    const base = new URL(this.origin);
    const rpId = String(purpose === "register" ? options.rp?.id : options.rpId);
    const origin = `${base.protocol}//${rpId}${base.port ? `:${base.port}` : ""}`;
    const answer = opts.tamper
      ? opts.tamper(options)
      : purpose === "register"
        ? auth.register(options as never, { origin })
        : auth.authenticate(options as never, { origin });
    const fields: Record<string, string> = {
      csrf,
      intent: purpose === "register" && pagePath.startsWith("/staff/passkeys") ? "register" : "passkey",
      response: JSON.stringify(answer),
    };
    const redirectTo = pageRedirectTo(page);
    if (redirectTo !== null) fields.redirectTo = redirectTo;
    if (purpose === "register") fields.name = opts.name ?? "test helper passkey";
    return this.postForm(pagePath, fields);
  }
}

/** A request to `url`'s address with `Host: host` (node:http; fetch() cannot set Host). */
async function requestWithHost(
  url: URL,
  host: string,
  method: string,
  body: BodyInit | undefined,
  headers: Record<string, string>,
): Promise<Response> {
  // Request encodes the body (FormData gets its boundary) exactly as fetch would.
  const prepared = new Request(url, { method, body, headers });
  const bytes = body === undefined ? null : Buffer.from(await prepared.arrayBuffer());
  const out: Record<string, string> = {};
  prepared.headers.forEach((v, k) => (out[k] = v));
  out.host = `${host}${url.port ? `:${url.port}` : ""}`;
  if (bytes) out["content-length"] = String(bytes.length);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: out }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          for (const x of Array.isArray(v) ? v : [v]) h.append(k, x);
        }
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 304 || method === "HEAD";
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: h }));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(bytes ?? undefined);
  });
}

/** Servers (origins) whose organisation details the helper has seen completed. */
const orgSetupDone = new Set<string>();

/** Values the helpers put in the organisation's details (/staff/setup). */
export const TEST_ORG_CONTACT = {
  phone: "056123456",
  email: "saraban@wangluek.go.th",
  lineId: "@wangluek",
  addressTh: "ที่ทำการองค์การบริหารส่วนตำบลวังลึก หมู่ที่ 1 ตำบลวังลึก",
  addressEn: "Wang Luek SAO office, Village 1, Wang Luek",
  officeHoursTh: "วันจันทร์–ศุกร์ เวลา 08.30–16.30 น.",
  officeHoursEn: "Monday to Friday, 8.30 am to 4.30 pm",
};

/**
 * As an administrator, completes the organisation's details through /staff/setup when they are still missing (the
 * staff pages send every administrator there first). Does nothing for another role or when they are complete.
 * Returns true when the form was sent.
 */
export async function completeOrgSetup(client: HttpClient, over: Record<string, string> = {}): Promise<boolean> {
  const origin = client.origin;
  const page = await client.get("/staff/setup");
  if (page.status !== 200) return false;
  if (!page.text.includes('data-first-time="yes"')) {
    orgSetupDone.add(origin);
    return false;
  }
  const fields: Record<string, string> = { csrf: csrfOf(page), redirectTo: "/staff", ...TEST_ORG_CONTACT };
  for (const m of page.text.matchAll(/name="village_(\d+)_th"/g)) {
    fields[`village_${m[1]}_th`] = m[1] === "1" ? "บ้านวังลึก" : `บ้านทดสอบ ${m[1]}`;
    fields[`village_${m[1]}_en`] = m[1] === "1" ? "Ban Wang Luek" : `Ban Test ${m[1]}`;
  }
  const res = await client.postForm("/staff/setup", { ...fields, ...over });
  if (res.status !== 302) throw new Error(`organisation set-up refused (${res.status})`);
  orgSetupDone.add(origin);
  return true;
}

/** Passkeys the login helper made, by server origin and e-mail (see HttpClient.login). */
const helperPasskeys = new Map<string, SoftAuthenticator>();

/** The passkey authenticator HttpClient.login set up for an account, if any. */
export function helperPasskeyOf(baseUrl: string, email: string): SoftAuthenticator | undefined {
  return helperPasskeys.get(`${new URL(baseUrl).origin}|${email.trim().toLowerCase()}`);
}

/** A FormData from plain fields (+ files). */
export function formData(
  fields: Record<string, string | string[]>,
  files: { name?: string; filename: string; type: string; data: Buffer }[] = [],
): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, x);
  for (const f of files) fd.append(f.name ?? "attachments", new Blob([new Uint8Array(f.data)], { type: f.type }), f.filename);
  return fd;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures shared by the integration tests.

/** A small real JPEG (solid colour, `seed` varies the colour so files differ). */
export async function makeJpeg(seed = 1, width = 64, height = 48): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  return sharp({ create: { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 31) % 256 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** Valid public complaint fields (road category, village 1, e-mail contact), overridable. */
export function complaintFields(over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    website: "",
    category: "road",
    subject: "ถนนหน้าบ้านเป็นหลุมลึก",
    details: "ถนนสายหลักหมู่ 1 มีหลุมลึกประมาณ 30 เซนติเมตร รถจักรยานยนต์ล้มแล้ว 2 คัน",
    village: "1",
    landmark: "หน้าวัดวังลึก",
    latitude: "",
    longitude: "",
    contactName: "สมชาย ใจดี",
    contactPhone: "081 234 5678",
    contactEmail: "somchai@example.th",
    contactAddress: "",
    preferredContact: "email",
    ...over,
  };
}

export interface FiledComplaint {
  res: HttpResult;
  reference: string;
  trackingCode: string;
  submissionKey: string;
  /** The form's CSRF field (the token masked for that page) and the cookie it goes with. */
  csrf: string;
  csrfCookie: string;
  form: FormData;
}

/** Opens /complaints/new, files the complaint (multipart) and returns the confirmation. Throws unless 200. */
export async function fileComplaint(
  client: HttpClient,
  over: Record<string, string | string[]> = {},
  files: { filename: string; type: string; data: Buffer }[] = [],
): Promise<FiledComplaint> {
  const page = await client.get("/complaints/new");
  if (page.status !== 200) throw new Error(`GET /complaints/new gave ${page.status}`);
  const csrf = csrfOf(page);
  const submissionKey = submissionKeyOf(page);
  const form = formData({ csrf, submissionKey, ...complaintFields(over) }, files);
  const posted = await client.postMultipart("/complaints/new", form);
  if (posted.status !== 302 || !posted.location?.endsWith("/complaints/done")) {
    throw new Error(`POST /complaints/new gave ${posted.status}: ${posted.$.text().slice(0, 600)}`);
  }
  const res = await client.get("/complaints/done");
  const reference = res.$.testId("reference");
  const trackingCode = res.$.testId("tracking-code");
  if (!reference || !trackingCode) throw new Error(`confirmation without reference/tracking code: ${res.$.text().slice(0, 600)}`);
  return { res, reference, trackingCode, submissionKey, csrf, csrfCookie: client.cookies.get("csrf") ?? "", form };
}
