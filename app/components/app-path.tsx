import { createContext, useContext } from "react";
import { useHref } from "@remix-run/react";

/** The document's base path: "" or /o/<code>. */
export const BasePathContext = createContext("");

/** Where this organisation's pages start: "" or /o/<code> (ORG_ROUTING=path; Remix's basename). Read once, by the document. */
export function useBasePath(): string {
  const root = useHref("/");
  return root === "/" ? "" : root.replace(/\/+$/, "");
}

/** Gives the document's base path to every useAppPath below it (one context read per link: a statistics page has hundreds). */
export const BasePathProvider = BasePathContext.Provider;

/**
 * `path` (an absolute path of the portal, "/track") as a link of this organisation's pages: unchanged, or under its
 * /o/<code> with ORG_ROUTING=path. For plain <a href> and anything else React Router does not resolve itself (Link,
 * Form and redirects already keep the prefix).
 */
export function useAppPath(): (path: string) => string {
  const base = useContext(BasePathContext);
  return (path: string) => base + path;
}
