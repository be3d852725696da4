/**
 * app/components/links.tsx writes a plain Link or NavLink itself on the server. The browser hydrates Remix's own
 * components over that HTML, so it must be exactly theirs: every case below is rendered both ways inside a real static
 * router (react-router-dom/server, with and without an organisation's base path) and the documents compared.
 */
import { createElement as h, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
// eslint-disable-next-line no-restricted-imports -- the reference the markup is compared against
import { Link as RemixLink, NavLink as RemixNavLink } from "@remix-run/react";
import { describe, expect, it } from "vitest";
import { BasePathProvider, useBasePath } from "~/components/app-path";
import { Link, NavLink, ServerLink, ServerNavLink, navLinkActive, portalHref, splitPortalPath } from "~/components/links";

const TARGETS = [
  "/",
  "/staff",
  "/staff/",
  "/Staff",
  "/staff/intake",
  "/staff?deadline=overdue&page=2",
  "/staff?",
  "/track#code",
  "/track#",
  "/stats/cases?fy=2569&village=3#list",
  "/a//b",
  "/%E0%B8%81",
];
const LOCATIONS = ["/", "/staff", "/staff/", "/staff/intake", "/STAFF/Intake", "/staff/cases/2568-000001", "/stats", "/staffing"];
const PROPS: Record<string, string>[] = [
  {},
  { className: "brand" },
  { rel: "nofollow", "data-testid": "x" },
  { className: "a b", title: "t" },
];

type Variant = "remix" | "server";

/** Every target × props set as Links and NavLinks (with and without `end`), one per line. */
function AllLinks({ variant }: { variant: Variant }): ReactNode {
  const L = variant === "remix" ? RemixLink : ServerLink;
  const N = variant === "remix" ? RemixNavLink : ServerNavLink;
  const items: ReactNode[] = [];
  TARGETS.forEach((to, i) =>
    PROPS.forEach((props, j) => {
      const key = `${i}-${j}`;
      items.push(h("p", { key: `l${key}` }, h(L as any, { to, ...props }, `link ${key}`)));
      items.push(h("p", { key: `n${key}` }, h(N as any, { to, ...props }, `nav ${key}`)));
      items.push(h("p", { key: `e${key}` }, h(N as any, { to, end: true, ...props }, `end ${key}`)));
    }),
  );
  return items;
}

function Page({ variant }: { variant: Variant }) {
  // As the document does (app/root.tsx): the base path read once and handed down.
  return h(BasePathProvider, { value: useBasePath() }, h(AllLinks, { variant }));
}

async function render(variant: Variant, base: string, location: string, element: () => ReactNode = () => h(Page, { variant })) {
  const routes = [{ id: "root", path: "/", Component: () => element(), children: [{ id: "any", path: "*" }] }];
  const handler = createStaticHandler(routes, base ? { basename: base } : undefined);
  const context = await handler.query(new Request(`http://portal.test${base}${location}`));
  if (context instanceof Response) throw new Error(`unexpected response ${context.status}`);
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToStaticMarkup(h(StaticRouterProvider, { router, context, hydrate: false }));
}

describe("links written on the server", () => {
  for (const base of ["", "/o/wangluek"]) {
    for (const location of LOCATIONS) {
      it(`match Remix's markup at ${base}${location}`, async () => {
        const remix = await render("remix", base, location);
        const server = await render("server", base, location);
        expect(server).toBe(remix);
        // Not two empty documents: the links are there, with the base path and an active one where the location is.
        expect(server.match(/<a /g)?.length).toBe(TARGETS.length * PROPS.length * 3);
        expect(server).toContain(`href="${base}/staff?deadline=overdue&amp;page=2"`);
        if (location === "/staff") expect(server).toContain(`aria-current="page" class="active" href="${base}/staff"`);
      });
    }
  }

  it("the page's Link and NavLink take the server path for plain links and Remix's for everything else", async () => {
    const out = await render("server", "", "/staff", () => [
      h("p", { key: 1 }, h(Link, { to: "/track", className: "x" }, "plain")),
      h("p", { key: 2 }, h(NavLink, { to: "/staff", end: true }, "nav")),
      // Relative, reloadDocument and a className function go to Remix's component, which resolves them as ever.
      h("p", { key: 3 }, h(Link, { to: "cases/1" }, "relative")),
      h("p", { key: 4 }, h(Link, { to: "/language", reloadDocument: true }, "reload")),
      h("p", { key: 5 }, h(NavLink, { to: "/staff", className: ({ isActive }: { isActive: boolean }) => (isActive ? "on" : "off") }, "fn")),
      h("p", { key: 6 }, h(Link, { to: { pathname: "/stats", search: "?fy=2569" } }, "object")),
    ]);
    expect(out).toContain(`<a class="x" data-discover="true" href="/track">plain</a>`);
    expect(out).toContain(`<a data-discover="true" aria-current="page" class="active" href="/staff">nav</a>`);
    expect(out).toContain(`<a data-discover="true" href="/cases/1">relative</a>`);
    expect(out).toContain(`<a href="/language">reload</a>`);
    expect(out).toContain(`<a data-discover="true" aria-current="page" class="on" href="/staff">fn</a>`);
    expect(out).toContain(`<a data-discover="true" href="/stats?fy=2569">object</a>`);
  });
});

describe("portalHref, splitPortalPath and navLinkActive", () => {
  it("split and join a path as React Router does", () => {
    expect(splitPortalPath("/a?b=1#c")).toEqual({ pathname: "/a", search: "?b=1", hash: "#c" });
    expect(splitPortalPath("/a?#")).toEqual({ pathname: "/a", search: "", hash: "" });
    expect(splitPortalPath("/a#x?y")).toEqual({ pathname: "/a", search: "", hash: "#x?y" });
    expect(portalHref("", "/")).toBe("/");
    expect(portalHref("/o/x", "/")).toBe("/o/x");
    expect(portalHref("/o/x", "/staff?p=2")).toBe("/o/x/staff?p=2");
    expect(portalHref("/o/x", "/a//b")).toBe("/o/x/a/b");
    expect(portalHref("", "/a//b")).toBe("/a/b");
  });
  it("mark a menu entry active on its own page and (without end) below it, never on a longer name", () => {
    expect(navLinkActive("/staff", "/staff", true)).toBe(true);
    expect(navLinkActive("/staff", "/staff/intake", true)).toBe(false);
    expect(navLinkActive("/staff", "/staff/intake", false)).toBe(true);
    expect(navLinkActive("/staff", "/staffing", false)).toBe(false);
    expect(navLinkActive("/staff/", "/staff/x", false)).toBe(true);
    expect(navLinkActive("/Staff", "/STAFF", true)).toBe(true);
  });
});
