/**
 * Page weight on a 360 px phone in Thai: with JavaScript on, each of the citizen's first pages transfers at most
 * BUDGET bytes (compressed, as sent) until the page is idle — everything it loads: the page, style sheets, scripts, the
 * page's strings and the font. The figures (and those with JavaScript off) are printed; docs/page-weight.md explains
 * them and how to measure by hand. The same visits check what must never reach the browser: zod, the other
 * language's strings, namespaces the page does not need.
 */
import { test, expect, type Browser, type Request } from "@playwright/test";
import { base, phone, watch } from "./support";

const PAGES = ["/", "/complaints/new", "/track", "/report/new"];
/**
 * Every one of PAGES, with JavaScript on. React, React DOM and Remix alone are 73 KB with brotli and the Thai font 19 KB,
 * so these pages are sent without React: plain forms, and where they need a little JavaScript (the map, file checks)
 * a small script of their own (app/enhance; docs/page-weight.md).
 */
const BUDGET = 100 * 1024;

interface Loaded {
  url: string;
  type: string;
  bytes: number;
  encoding: string;
  cacheControl: string;
  body: Buffer;
}

interface Visit {
  path: string;
  total: number;
  loaded: Loaded[];
  problems: string[];
}

async function visit(browser: Browser, path: string, javaScriptEnabled: boolean): Promise<Visit> {
  const context = await phone(browser, javaScriptEnabled);
  const page = await context.newPage();
  const problems = watch(page);
  const pending: Promise<Loaded>[] = [];
  const origin = base();
  page.on("requestfinished", (req: Request) => {
    pending.push(
      (async () => {
        const res = await req.response();
        const sizes = await req.sizes();
        const headers = res ? await res.allHeaders() : {};
        return {
          url: req.url().startsWith(origin) ? req.url().slice(origin.length) : req.url(),
          type: req.resourceType(),
          bytes: sizes.responseBodySize,
          encoding: headers["content-encoding"] ?? "identity",
          cacheControl: headers["cache-control"] ?? "",
          body: res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0),
        };
      })(),
    );
  });
  await page.goto(`${origin}${path}`, { waitUntil: "networkidle" });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.waitForLoadState("networkidle");
  if (javaScriptEnabled && (await page.locator("script[type=module]").count()) > 0) {
    // The page's own script has run (app/enhance/page.ts marks the document), strings fetched included. Pages without
    // scripts (e.g. the home page) have nothing to wait for.
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.enhanced ?? "")).toBe("yes");
    await page.waitForLoadState("networkidle");
  }
  const loaded = await Promise.all(pending);
  await context.close();
  loaded.sort((a, b) => b.bytes - a.bytes);
  return { path, total: loaded.reduce((n, r) => n + r.bytes, 0), loaded, problems };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function report(v: Visit, label: string): string {
  const top = v.loaded
    .slice(0, 8)
    .map((r) => `      ${kb(r.bytes).padStart(9)}  ${r.encoding.padEnd(8)} ${r.type.padEnd(10)} ${r.url}`)
    .join("\n");
  return `${v.path} (${label}): ${kb(v.total)} in ${v.loaded.length} responses\n${top}`;
}

test.describe("page weight (360 px phone, Thai)", () => {
  test("with JavaScript on, each first page stays within the budget, font and strings included", async ({ browser }) => {
    test.setTimeout(180_000);
    const visits: Visit[] = [];
    for (const path of PAGES) visits.push(await visit(browser, path, true));
    console.log(`page weight, JavaScript on (budget ${kb(BUDGET)} each):\n${visits.map((v) => report(v, "JavaScript on")).join("\n")}`);

    for (const v of visits) {
      expect.soft(v.problems, `${v.path}: browser errors`).toEqual([]);
      // Text is sent with brotli (the server's compression, or the build's best-quality copies).
      for (const r of v.loaded.filter((x) => ["document", "script", "stylesheet", "fetch"].includes(x.type) && x.body.length > 1024)) {
        expect.soft(r.encoding, `${v.path}: ${r.url} is not sent with brotli`).toBe("br");
      }
      // The Thai font is the portal's own, under a content-hashed name kept for a year.
      const fonts = v.loaded.filter((r) => r.type === "font");
      expect
        .soft(
          fonts.map((f) => f.url),
          `${v.path}: the Thai font`,
        )
        .toContainEqual(expect.stringMatching(/^\/build\/_assets\/sarabun-thai-400-normal-[A-Z0-9]+\.woff2$/));
      for (const f of fonts) expect.soft(f.cacheControl, `${f.url}: cache`).toContain("immutable");
      // Only Thai strings, only the namespaces this page lists, and no validation library.
      const strings = v.loaded.filter((r) => r.url.startsWith("/locales/"));
      expect
        .soft(
          strings.map((r) => r.url).filter((u) => !/\/th\/[a-z]+\.json$/.test(u)),
          `${v.path}: other languages' strings`,
        )
        .toEqual([]);
      expect.soft(strings.length, `${v.path}: namespaces fetched`).toBeLessThanOrEqual(4);
      const scripts = v.loaded.filter((r) => r.type === "script");
      for (const s of scripts) {
        const text = s.body.toString("utf8");
        expect.soft(/ZodError|\$ZodType/.test(text), `${v.path}: zod in ${s.url}`).toBe(false);
        expect
          .soft(text.includes("Follow a complaint") || text.includes("Skip to content"), `${v.path}: English strings in ${s.url}`)
          .toBe(false);
      }
    }
    for (const v of visits) {
      // No React on these pages (nor its copy of the loader data).
      for (const s of v.loaded.filter((r) => r.type === "script")) {
        expect.soft(s.body.toString("utf8").includes("react.production"), `${v.path}: React in ${s.url}`).toBe(false);
      }
      expect(
        v.total,
        `${v.path} transfers ${kb(v.total)}, over the ${kb(BUDGET)} budget:\n${report(v, "JavaScript on")}`,
      ).toBeLessThanOrEqual(BUDGET);
    }
  });

  test("with JavaScript off, the pages load no scripts and no strings files", async ({ browser }) => {
    const visits: Visit[] = [];
    for (const path of PAGES) visits.push(await visit(browser, path, false));
    console.log(`page weight, JavaScript off:\n${visits.map((v) => report(v, "JavaScript off")).join("\n")}`);
    for (const v of visits) {
      expect
        .soft(
          v.loaded.filter((r) => r.type === "script" || r.url.startsWith("/locales/")).map((r) => r.url),
          `${v.path}: scripts or strings without JavaScript`,
        )
        .toEqual([]);
      expect.soft(v.loaded.some((r) => r.type === "document" && r.bytes > 0)).toBe(true);
      expect(v.total, `${v.path} without JavaScript`).toBeLessThanOrEqual(BUDGET / 2);
    }
  });
});
