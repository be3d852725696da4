/**
 * A tiny HTTP client for black-box tests: fetch with a cookie jar, no automatic redirects, form helpers and
 * a few regex-based HTML lookups (no DOM library is installed).
 */

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
  return decodeEntities(s.replace(/<script[\s\S]*?<\/script>/gi, " ").replace(/<style[\s\S]*?<\/style>/gi, " ").replace(/<[^>]+>/g, " "))
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
}

export class HttpClient {
  readonly cookies = new Map<string, string>();
  /** Every response received, for checks that apply to all of them (security headers). */
  readonly history: { method: string; path: string; status: number; headers: Headers; text: string }[] = [];

  constructor(
    readonly baseUrl: string,
    readonly opts: ClientOptions = {},
  ) {}

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
    const headers: Record<string, string> = { ...(this.opts.headers ?? {}), ...(init.headers ?? {}) };
    if (this.cookies.size) headers.Cookie = this.cookieHeader();
    if (this.opts.ip) headers["X-Forwarded-For"] = this.opts.ip;
    const res = await fetch(new URL(path, this.baseUrl), { method, body: init.body, headers, redirect: "manual" });
    this.storeCookies(res.headers);
    const text = await res.text();
    const loc = res.headers.get("location");
    this.history.push({ method, path, status: res.status, headers: res.headers, text });
    return { status: res.status, headers: res.headers, text, location: loc ? new URL(loc, this.baseUrl).toString() : null, $: html(text) };
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

  postForm(path: string, fields: Record<string, string | string[]> | URLSearchParams, headers?: Record<string, string>): Promise<HttpResult> {
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
    return this.request("POST", path, { body: typeof body === "string" ? body : new Uint8Array(body), headers: { "Content-Type": contentType, ...headers } });
  }

  /** Logs in at /staff/login; returns the login POST response (a redirect on success). */
  async login(email: string, password: string, redirectTo = "/staff"): Promise<HttpResult> {
    const page = await this.get("/staff/login");
    return this.postForm("/staff/login", { csrf: csrfOf(page), email, password, redirectTo });
  }
}

/** A FormData from plain fields (+ files). */
export function formData(fields: Record<string, string | string[]>, files: { name?: string; filename: string; type: string; data: Buffer }[] = []): FormData {
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
  csrf: string;
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
  return { res, reference, trackingCode, submissionKey, csrf, form };
}
