/**
 * A page's loaders share what they look up (requestMemo, keyed by the Request) only if Remix hands every loader of the
 * page the same Request. The server-runtime patch (scripts/patches) makes it do so when there is nothing to strip from
 * the address; with `?index` it still makes copies (and the loaders simply look up again).
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createRequestHandler } = require("@remix-run/server-runtime") as typeof import("@remix-run/server-runtime");

function buildWith(seen: Request[]) {
  const loader = ({ request }: { request: Request }) => {
    seen.push(request);
    return null;
  };
  const route = (id: string, extra: Record<string, unknown>) => ({ id, module: { loader, default: () => null }, ...extra });
  const assetRoute = (id: string, extra: Record<string, unknown>) => ({
    id,
    module: `/${id}.js`,
    hasLoader: true,
    hasAction: false,
    hasClientAction: false,
    hasClientLoader: false,
    hasErrorBoundary: false,
    imports: [],
    ...extra,
  });
  return {
    mode: "production",
    entry: { module: { default: () => new Response("page", { headers: { "Content-Type": "text/html" } }) } },
    routes: {
      root: route("root", { path: "" }),
      "routes/staff": route("routes/staff", { parentId: "root", path: "staff" }),
      "routes/staff._index": route("routes/staff._index", { parentId: "routes/staff", index: true }),
    },
    assets: {
      url: "/manifest.js",
      version: "1",
      entry: { module: "/entry.js", imports: [] },
      routes: {
        root: assetRoute("root", { path: "" }),
        "routes/staff": assetRoute("routes/staff", { parentId: "root", path: "staff" }),
        "routes/staff._index": assetRoute("routes/staff._index", { parentId: "routes/staff", index: true }),
      },
    },
    future: {},
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    isSpaMode: false,
    basename: undefined,
  };
}

describe("the Request a page's loaders get", () => {
  it("is the page's own Request for every loader when the address has nothing to strip", async () => {
    const seen: Request[] = [];
    const handle = createRequestHandler(buildWith(seen) as never, "production");
    const page = new Request("http://localhost/staff?deadline=overdue");
    const res = await handle(page, { nonce: "n", clientAddress: "127.0.0.1" });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(seen.every((r) => r === page)).toBe(true);
  });

  it("is a copy without the parameter when there is ?index to strip", async () => {
    const seen: Request[] = [];
    const handle = createRequestHandler(buildWith(seen) as never, "production");
    const page = new Request("http://localhost/staff?index&deadline=overdue");
    await handle(page, { nonce: "n", clientAddress: "127.0.0.1" });
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r).not.toBe(page);
      expect(new URL(r.url).searchParams.has("index")).toBe(false);
      expect(new URL(r.url).searchParams.get("deadline")).toBe("overdue");
    }
  });
});
