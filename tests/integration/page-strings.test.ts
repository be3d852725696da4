/**
 * What the browser is sent to render pages, against the real production server:
 * - each page names its language, the strings' version and the namespaces it needs (<meta name="i18n">), and starts
 *   fetching exactly those; only the current language;
 * - /locales/<version>/<lang>/<ns>.json: brotli for browsers that accept it, plain JSON otherwise, kept for a year at the
 *   current version and not kept at any other; English files carry the Thai strings English lacks; unknown → 404;
 *   never in the request log;
 * - the browser build's scripts come as the build's best-quality brotli copies, kept for a year; the Thai font is the
 *   portal's own file under a content-hashed name.
 */
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import thComplaint from "~/locales/th/complaint.json";
import enComplaint from "~/locales/en/complaint.json";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

async function page(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { headers });
  const html = await res.text();
  const meta = /<meta name="i18n" content="([^"]*)"/.exec(html)?.[1] ?? "";
  const [lang, version, ...namespaces] = meta.split(" ");
  return { res, html, lang, version, namespaces };
}

/** An answer as its bytes arrived (fetch would decompress them), with the headers the server set. */
function rawAnswer(url: string, headers: Record<string, string>, method = "GET") {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject)
      .end();
  });
}

type Tree = { [key: string]: unknown };
function flatten(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? flatten(v as Tree, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe("page strings", () => {
  it("a page names and starts fetching its own language's namespaces only", async () => {
    const th = await page("/complaints/new");
    expect(th.lang).toBe("th");
    expect(th.version).toMatch(/^[0-9a-f]{12}$/);
    expect(th.namespaces).toEqual(expect.arrayContaining(["common", "complaint"]));
    expect(th.namespaces).not.toContain("report");
    for (const ns of th.namespaces) expect(th.html).toContain(`/locales/${th.version}/th/${ns}.json`);
    expect(th.html).not.toContain(`/locales/${th.version}/en/`);

    const en = await page("/complaints/new?lang=en");
    expect(en.lang).toBe("en");
    expect(en.version).toBe(th.version);
    expect(en.html).toContain(`/locales/${en.version}/en/complaint.json`);
    expect(en.html).not.toContain(`/locales/${en.version}/th/`);

    // A page without scripts (the home page) fetches no strings.
    const home = await page("/");
    expect(home.res.status).toBe(200);
    expect(home.html).not.toContain('name="i18n"');
    expect(home.html).not.toContain("/locales/");
  });

  it("the citizen's first pages are sent without React: their own small script and only the strings it needs", async () => {
    for (const [path, script, namespaces] of [
      ["/complaints/new", "complaint-form", ["common", "complaint", "map"]],
      ["/report/new", "report-form", ["common"]],
      ["/track", "track", []],
    ] as const) {
      const p = await page(path);
      expect(p.res.status, path).toBe(200);
      expect(p.html, path).not.toContain("__remixContext");
      expect(p.html, path).not.toContain("/build/_shared/");
      const scripts = [...p.html.matchAll(/<script type="module" nonce="[^"]+" src="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts, path).toEqual([expect.stringMatching(new RegExp(`^/build/enhance/${script}-[A-Z0-9]+\\.js$`))]);
      expect(p.namespaces, path).toEqual([...namespaces]);
      const js = await fetch(`${server.url}${scripts[0]}`);
      expect(js.status).toBe(200);
      expect(js.headers.get("cache-control")).toContain("immutable");
    }
    // Nothing of the map reaches the corruption channel's form, not even as a chunk it could load.
    const report = await page("/report/new");
    const entry = await (await fetch(`${server.url}${/src="(\/build\/enhance\/report-form-[^"]+)"/.exec(report.html)![1]}`)).text();
    const chunks = [...entry.matchAll(/"\/build\/enhance\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => m[1]);
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) {
      const text = await (await fetch(`${server.url}/build/enhance/${c}`)).text();
      expect(text).not.toMatch(/leaflet|\/map\/settings|complaints\/nearby/i);
    }
  });

  it("sends a page compressed with brotli to a browser that accepts it: the same page, a fraction of its size", async () => {
    const url = `${server.url}/complaints/new?lang=en`;
    const raw = await rawAnswer(url, { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(raw.headers["content-encoding"]).toBe("br");
    expect(raw.headers["vary"]).toMatch(/accept-encoding/i);
    expect(Number(raw.headers["content-length"])).toBe(raw.body.length);
    const html = zlib.brotliDecompressSync(raw.body).toString("utf8");
    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    // The same document but for its per-response parts (the CSP nonce, the form's CSRF token and submission key).
    const comparable = (page: string) =>
      page.replace(/nonce="[^"]*"/g, 'nonce=""').replace(/name="(csrf|submissionKey)" value="[^"]*"/g, 'name="$1"');
    expect(comparable(html)).toBe(comparable(await plain.text()));
    expect(html).toContain("</html>");
    expect(raw.body.length).toBeLessThan(html.length / 2);
  });

  it("sends a page as gzip to a browser without brotli, as it is to one that takes neither, and HEAD's headers only", async () => {
    const url = `${server.url}/complaints/new?lang=en`;
    const get = (headers: Record<string, string>, method = "GET") => rawAnswer(url, headers, method);
    const gzipped = await get({ "accept-encoding": "gzip, deflate" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(Number(gzipped.headers["content-length"])).toBe(gzipped.body.length);
    const html = zlib.gunzipSync(gzipped.body).toString("utf8");
    expect(html).toContain("</html>");
    const plain = await get({ "accept-encoding": "identity" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
    expect(plain.headers["vary"]).toMatch(/accept-encoding/i);
    expect(plain.body.toString("utf8")).toContain("</html>");
    const head = await get({ "accept-encoding": "gzip, deflate, br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers["content-type"]).toMatch(/^text\/html/);
  });

  it("answers a client-side navigation's data request with the loader's JSON, as the page got it", async () => {
    const res = await fetch(`${server.url}/track?_data=root&lang=en`, { headers: { "accept-encoding": "identity" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("x-remix-response")).toBe("yes");
    const data = (await res.json()) as { lang: string; csrf: string; i18nVersion: string };
    expect(data.lang).toBe("en");
    expect(data.csrf).toMatch(/^[A-Za-z0-9_-]{86}$/); // the token masked for this answer (maskToken)
    const { version } = await page("/complaints/new");
    expect(data.i18nVersion).toBe(version);
  });

  it("serves a namespace with brotli, kept for a year at the current version only", async () => {
    const { version } = await page("/complaints/new");
    const url = `${server.url}/locales/${version}/th/complaint.json`;
    const raw = await rawAnswer(url, { "accept-encoding": "gzip, br" });
    expect(raw.headers["content-encoding"]).toBe("br");
    expect(raw.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(JSON.parse(zlib.brotliDecompressSync(raw.body).toString("utf8"))).toEqual(thComplaint);

    const plain = await fetch(url, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.json()).toEqual(thComplaint);

    const old = await fetch(`${server.url}/locales/000000000000/th/complaint.json`);
    expect(old.status).toBe(200);
    expect(old.headers.get("cache-control")).toBe("no-cache");

    for (const bad of [`/locales/${version}/fr/complaint.json`, `/locales/${version}/th/nothing.json`, `/locales/xyz/th/complaint.json`]) {
      expect((await fetch(`${server.url}${bad}`)).status, bad).toBe(404);
    }
    expect(server.logs()).not.toContain("/locales/");
  });

  it("English strings carry the Thai ones English lacks, as the server's fallback does", async () => {
    const { version } = await page("/complaints/new?lang=en");
    const en = (await (await fetch(`${server.url}/locales/${version}/en/complaint.json`)).json()) as Tree;
    const keys = new Set(flatten(en));
    for (const k of flatten(thComplaint as Tree)) expect(keys.has(k), k).toBe(true);
    expect((en as { title?: unknown }).title ?? null).toEqual((enComplaint as { title?: unknown }).title ?? null);
  });

  it("sends the browser build's scripts as brotli copies, and the portal's own Thai font", async () => {
    const { html } = await page("/complaints/new");
    const script = /<script[^>]+src="(\/build\/[^"]+\.js)"/.exec(html)?.[1] ?? /href="(\/build\/_shared\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const res = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "br" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("br");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("content-type")).toMatch(/javascript/);

    const font = /href="(\/build\/_assets\/sarabun-thai-400-normal-[A-Z0-9]+\.woff2)"/.exec(html)?.[1];
    expect(font, "the Thai regular weight is preloaded").toBeTruthy();
    const f = await fetch(`${server.url}${font}`);
    expect(f.status).toBe(200);
    expect(f.headers.get("cache-control")).toContain("immutable");
    expect((await f.arrayBuffer()).byteLength).toBeGreaterThan(5000);
  });
});
