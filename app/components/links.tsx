/**
 * Link and NavLink for every page: Remix's own in the browser, and on the server the same <a> written directly when
 * nothing about the link needs React Router to resolve it (an absolute path of the portal, plain props).
 *
 * Why: each Remix <Link> resolves its path through React Router's hooks (the route matches serialised to JSON and
 * parsed back, the path resolved, a click handler and a prefetch state built) — about 10 µs per link on the server,
 * where none of it does anything but compute `href`. A staff page carries 15–25 of them in its menus; measured
 * in-process on the staff queue, writing them directly took a page from 2.3 to 2.1 ms (docs/page-cost.md).
 *
 * The markup is exactly what Remix writes (attributes and their order, `data-discover`, NavLink's `active` class and
 * aria-current, the organisation's base path), so the browser's Remix components hydrate over it unchanged:
 * tests/unit/links.test.tsx renders both for a table of paths, locations and base paths and compares the HTML.
 * Anything else (a relative or object `to`, reloadDocument, prefetch, a className function …) goes to Remix's.
 */
import { useContext, type ReactNode } from "react";
import { Link as RemixLink, NavLink as RemixNavLink, useLocation, type LinkProps, type NavLinkProps } from "@remix-run/react";
import { BasePathContext } from "~/components/app-path";

const ON_SERVER = typeof document === "undefined";

/** Props that pass through to the <a> unchanged; a link with any other prop is rendered by Remix's component. */
const PLAIN_PROPS = new Set(["to", "children", "className", "rel", "id", "title", "lang", "data-testid", "aria-label", "aria-describedby"]);
const NAV_PROPS = new Set([...PLAIN_PROPS, "end"]);

/** An absolute path of this portal ("/track", "/staff?page=2#x"): not "//host" and no scheme. */
function isPortalPath(to: unknown): to is string {
  return typeof to === "string" && to.startsWith("/") && !to.startsWith("//");
}

function plain(props: object, allowed: Set<string>): boolean {
  if (!isPortalPath((props as { to?: unknown }).to)) return false;
  for (const key of Object.keys(props)) if (!allowed.has(key)) return false;
  const { className, children } = props as { className?: unknown; children?: unknown };
  return (className === undefined || typeof className === "string") && typeof children !== "function";
}

/** A path split as React Router splits it (parsePath): pathname, then "?search", then "#hash" ("?" or "#" alone dropped). */
export function splitPortalPath(to: string): { pathname: string; search: string; hash: string } {
  let rest = to;
  let hash = "";
  let search = "";
  const h = rest.indexOf("#");
  if (h >= 0) [rest, hash] = [rest.slice(0, h), rest.slice(h)];
  const q = rest.indexOf("?");
  if (q >= 0) [rest, search] = [rest.slice(0, q), rest.slice(q)];
  return { pathname: rest, search: search === "?" ? "" : search, hash: hash === "#" ? "" : hash };
}

/** The href React Router gives an absolute path under the base path ("" or "/o/<code>"), as its useHref does. */
export function portalHref(base: string, to: string): string {
  const { pathname, search, hash } = splitPortalPath(to);
  // React Router joins the base and collapses repeated slashes of the path, base or not.
  const full = base && pathname === "/" ? base : (base + pathname).replace(/\/\/+/g, "/");
  return full + search + hash;
}

/**
 * Whether a NavLink to `to` is active at `locationPath` (both without the base path), as React Router decides it:
 * case-insensitively, the same path, or (without `end`) a path below it.
 */
export function navLinkActive(to: string, locationPath: string, end: boolean): boolean {
  const target = splitPortalPath(to).pathname.toLowerCase();
  const here = locationPath.toLowerCase();
  if (here === target) return true;
  if (end) return false;
  const slashAt = target !== "/" && target.endsWith("/") ? target.length - 1 : target.length;
  return here.startsWith(target) && here.charAt(slashAt) === "/";
}

type PlainLinkProps = { to: string; children?: ReactNode; className?: string } & Record<string, unknown>;

/** The server's rendering of a plain Link (exported for the markup test). */
export function ServerLink({ to, children, ...rest }: PlainLinkProps) {
  const base = useContext(BasePathContext);
  return (
    <a {...rest} data-discover="true" href={portalHref(base, to)}>
      {children}
    </a>
  );
}

/** The server's rendering of a plain NavLink (exported for the markup test). */
export function ServerNavLink({ to, end, className, children, ...rest }: PlainLinkProps & { end?: boolean }) {
  const base = useContext(BasePathContext);
  const active = navLinkActive(to, useLocation().pathname, end === true);
  return (
    <a
      {...rest}
      data-discover="true"
      aria-current={active ? "page" : undefined}
      className={[className, active ? "active" : null].filter(Boolean).join(" ")}
      href={portalHref(base, to)}
    >
      {children}
    </a>
  );
}

export function Link(props: LinkProps) {
  if (ON_SERVER && plain(props, PLAIN_PROPS)) return <ServerLink {...(props as PlainLinkProps)} />;
  return <RemixLink {...props} />;
}

export function NavLink(props: NavLinkProps) {
  if (ON_SERVER && plain(props, NAV_PROPS)) return <ServerNavLink {...(props as PlainLinkProps)} />;
  return <RemixNavLink {...props} />;
}
