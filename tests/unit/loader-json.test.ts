/**
 * The router patch's second part (scripts/patches/@remix-run+router): a page's loader data that a loader returned as
 * json() is parsed from the text json() made, not read back from the Response's body. What the server renders must
 * still be exactly what the browser gets (a JSON round trip: dates become strings, undefined fields go), the loader's
 * status and headers still count, and a Response whose body someone already read or replaced is read as before.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";

// The server's copies (CommonJS, the ones the patches change).
const require = createRequire(import.meta.url);
const router = require("@remix-run/router") as typeof import("@remix-run/router");
const { json } = require("@remix-run/server-runtime") as typeof import("@remix-run/server-runtime");

const JSON_TEXT = Symbol.for("remix.jsonText");

async function render(loader: () => unknown) {
  const handler = router.createStaticHandler([{ id: "root", path: "/", loader: loader as never }]);
  const context = await handler.query(new Request("http://localhost/"));
  if (context instanceof Response) throw new Error("unexpected response");
  return context;
}

describe("loader data from json() without reading the body back", () => {
  it("is applied (npm install runs patch-package): json() keeps the text it made", async () => {
    const res = json({ a: 1 });
    expect((res as unknown as Record<symbol, unknown>)[JSON_TEXT]).toBe('{"a":1}');
    // The body is still there for a data request, which sends the Response itself.
    expect(await res.json()).toEqual({ a: 1 });
  });

  it("gives the page the data as the browser will see it", async () => {
    const at = new Date(Date.UTC(2026, 11, 4, 9, 30));
    const ctx = await render(() => json({ at, gone: undefined, nested: [{ n: 1, s: "ไทย" }], nan: Number.NaN }));
    expect(ctx.loaderData.root).toEqual({ at: at.toISOString(), nested: [{ n: 1, s: "ไทย" }], nan: null });
    expect(Object.keys(ctx.loaderData.root as object)).not.toContain("gone");
  });

  it("keeps the loader's status and headers", async () => {
    const ctx = await render(() =>
      json({ missing: true }, { status: 404, headers: { "Set-Cookie": "a=b; Path=/", "Cache-Control": "no-store" } }),
    );
    expect(ctx.statusCode).toBe(404);
    expect(ctx.loaderData.root).toEqual({ missing: true });
    expect(ctx.loaderHeaders.root.get("Cache-Control")).toBe("no-store");
    expect(ctx.loaderHeaders.root.get("Set-Cookie")).toBe("a=b; Path=/");
  });

  it("reads a thrown json() the same way (error boundaries get its data)", async () => {
    const ctx = await render(() => {
      throw json({ reason: "gone" }, { status: 410 });
    });
    expect(ctx.statusCode).toBe(410);
    const error = ctx.errors?.root as { status: number; data: unknown };
    expect(error.status).toBe(410);
    expect(error.data).toEqual({ reason: "gone" });
  });

  it("reads the body of any other Response as before", async () => {
    const plain = await render(() => new Response('{"from":"body"}', { headers: { "Content-Type": "application/json" } }));
    expect(plain.loaderData.root).toEqual({ from: "body" });
    // A json() Response whose text was swapped for something else: the body decides, not the kept text.
    const res = json({ kept: true });
    (res as unknown as Record<symbol, unknown>)[JSON_TEXT] = undefined;
    const swapped = await render(() => res);
    expect(swapped.loaderData.root).toEqual({ kept: true });
  });

  it("does not parse again a body that was already read (the Response would refuse)", async () => {
    const res = json({ once: true });
    await res.text();
    const ctx = await render(() => res);
    // The router reports reading a used body as the loader's error, exactly as without the patch.
    expect(ctx.errors?.root).toBeInstanceOf(TypeError);
  });
});
