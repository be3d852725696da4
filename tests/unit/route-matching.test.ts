/**
 * The router patch (scripts/patches/@remix-run+router): matches are kept per routes array and path, so a page does not
 * rank the route tree and compile every route's expression three times. Kept matches must behave exactly like fresh
 * ones: the same routes and decoded params, copies a caller may change, and no sharing between route arrays.
 */
import { describe, expect, it } from "vitest";
import type { AgnosticRouteObject } from "@remix-run/router";
import fs from "node:fs";
import { createRequire } from "node:module";

// The server's copy (CommonJS, the one the patch changes), not the ES module the test runner would pick.
const require = createRequire(import.meta.url);
const { matchRoutes } = require("@remix-run/router") as typeof import("@remix-run/router");

const routes: AgnosticRouteObject[] = [
  {
    id: "root",
    path: "",
    children: [
      { id: "index", index: true },
      { id: "track", path: "track" },
      {
        id: "staff",
        path: "staff",
        children: [
          { id: "staff-index", index: true },
          { id: "case", path: "cases/:reference" },
          { id: "attachment", path: "cases/:reference/attachments/:id" },
        ],
      },
      { id: "report", path: "stats/report/:fy/:period?" },
      { id: "splat", path: "files/*" },
    ],
  },
];

const ids = (m: ReturnType<typeof matchRoutes>) => m?.map((x) => x.route.id) ?? null;

describe("route matching with the kept matches", () => {
  it("is applied (npm install runs patch-package)", () => {
    const file = require.resolve("@remix-run/router");
    expect(fs.readFileSync(file, "utf8")).toContain("Patched (scripts/patches, patch-package)");
  });

  it("gives the same routes and decoded params on the first and the later matches", () => {
    for (let round = 0; round < 3; round++) {
      expect(ids(matchRoutes(routes, "/"))).toEqual(["root", "index"]);
      expect(ids(matchRoutes(routes, "/track"))).toEqual(["root", "track"]);
      expect(ids(matchRoutes(routes, "/staff"))).toEqual(["root", "staff", "staff-index"]);
      const c = matchRoutes(routes, "/staff/cases/WL%202569-00001")!;
      expect(ids(c)).toEqual(["root", "staff", "case"]);
      expect(c[2].params).toEqual({ reference: "WL 2569-00001" });
      const a = matchRoutes(routes, "/staff/cases/X/attachments/7")!;
      expect(a[2].params).toEqual({ reference: "X", id: "7" });
      expect(matchRoutes(routes, "/stats/report/2569")![1].params).toEqual({ fy: "2569" });
      expect(matchRoutes(routes, "/stats/report/2569/q1")![1].params).toEqual({ fy: "2569", period: "q1" });
      expect(matchRoutes(routes, "/files/a/b.txt")![1].params).toEqual({ "*": "a/b.txt" });
      expect(matchRoutes(routes, "/no/such/page")).toBeNull();
    }
  });

  it("hands out copies: a caller changing its params or matches does not change the next caller's", () => {
    const first = matchRoutes(routes, "/staff/cases/A-1")!;
    (first[2].params as Record<string, string>).reference = "changed";
    first.pop();
    const second = matchRoutes(routes, "/staff/cases/A-1")!;
    expect(second).toHaveLength(3);
    expect(second[2].params).toEqual({ reference: "A-1" });
  });

  it("keeps matches per routes array", () => {
    const other: AgnosticRouteObject[] = [{ id: "only", path: "track" }];
    expect(ids(matchRoutes(routes, "/track"))).toEqual(["root", "track"]);
    expect(ids(matchRoutes(other, "/track"))).toEqual(["only"]);
    expect(matchRoutes(other, "/staff")).toBeNull();
  });

  it("stays correct past the bound of kept paths", () => {
    for (let i = 0; i < 2_500; i++) expect(matchRoutes(routes, `/staff/cases/R-${i}`)![2].params.reference).toBe(`R-${i}`);
    expect(ids(matchRoutes(routes, "/staff"))).toEqual(["root", "staff", "staff-index"]);
  });
});
