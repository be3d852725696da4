import type { HeadersFunction } from "@remix-run/node";

/**
 * Remix builds a document response's headers from the route's `headers` export only, so headers an action or loader
 * sets (Retry-After on a 429, Cache-Control) would be lost on plain form posts. Routes that set them export this.
 */
export const passThroughHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const out = new Headers();
  for (const name of ["Retry-After", "Cache-Control"]) {
    const v = actionHeaders.get(name) ?? loaderHeaders.get(name);
    if (v) out.set(name, v);
  }
  return out;
};
