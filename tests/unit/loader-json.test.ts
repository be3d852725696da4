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
const REAL = Symbol.for("remix.jsonRealResponse");

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

describe("json()'s body made only when it is read as a stream", () => {
  it("is never made by a page's render", async () => {
    let made: Response | undefined;
    const ctx = await render(() => (made = json({ rows: [1, 2, 3] }, { headers: { "X-Kept": "yes" } })));
    expect(ctx.loaderData.root).toEqual({ rows: [1, 2, 3] });
    expect(ctx.loaderHeaders.root.get("X-Kept")).toBe("yes");
    expect(made).toBeInstanceOf(Response);
    expect((made as unknown as Record<symbol, unknown>)[REAL]).toBeUndefined();
    // A redirect thrown as json() still counts as one.
    expect(router.isRouteErrorResponse(ctx.errors?.root)).toBe(false);
  });

  it("reads like any Response: once, as text, JSON, bytes or a blob, with its status and headers", async () => {
    const data = { s: "ไทย", n: [1, null], at: "2026-12-05" };
    const text = JSON.stringify(data);
    const res = json(data, { status: 201, headers: { "Cache-Control": "no-store" } });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual(data);
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    // Its body is a stream already read, as a Response's is after text().
    expect(res.body?.locked).toBe(true);
    expect(await json(data).text()).toBe(text);
    expect(new TextDecoder().decode(await json(data).arrayBuffer())).toBe(text);
    const blob = await json(data).blob();
    expect(blob.type).toBe("application/json; charset=utf-8");
    expect(await blob.text()).toBe(text);
    const original = json(data);
    const copy = original.clone();
    expect(await copy.json()).toEqual(data);
    expect(await original.json()).toEqual(data);
  });

  it("gives its body as a stream to whoever asks (a data request sends the Response itself), and reads go there after", async () => {
    const data = { page: 1, rows: Array.from({ length: 50 }, (_, i) => ({ i, s: "สวัสดี" })) };
    const res = json(data, { status: 200, headers: { "X-Remix-Test": "1" } });
    const stream = res.body;
    expect(stream).toBeInstanceOf(ReadableStream);
    expect(res.body).toBe(stream);
    // The server runtime copies a data request's Response around its body to add a header.
    const sent = new Response(res.body, { status: res.status, headers: res.headers, duplex: "half" } as ResponseInit);
    expect(await sent.json()).toEqual(data);
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    // Asked for as a stream and then read whole: the same bytes.
    const other = json(data);
    void other.body;
    expect(await other.json()).toEqual(data);
    expect(other.bodyUsed).toBe(true);
    // A page's render after someone took the stream, without reading it: still the same data.
    const taken = json({ taken: true });
    void taken.body;
    expect((await render(() => taken)).loaderData.root).toEqual({ taken: true });
  });

  it("refuses a body with a status that has none, as before", () => {
    expect(() => json({}, { status: 204 })).toThrow(TypeError);
    expect(() => json({}, 304)).toThrow(TypeError);
  });
});
