import type { HeadersFunction } from "@remix-run/node";

/**
 * A page whose form leaves for another organisation of the installation (the switch to a linked account,
 * app/routes/staff_.switch.tsx) names that origin in this header; the server adds it to the page's CSP form-action and
 * never sends the header itself (scripts/remix-handler.ts, allowFormActionOrigin).
 */
export const FORM_ACTION_HEADER = "X-Form-Action-Origin";

/**
 * Remix builds a document response's headers from the route's `headers` export only, so headers an action or loader
 * sets (Retry-After on a 429, Cache-Control) would be lost on plain form posts. Routes that set them export this.
 */
export const passThroughHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const out = new Headers();
  for (const name of ["Retry-After", "Cache-Control", FORM_ACTION_HEADER]) {
    const v = actionHeaders.get(name) ?? loaderHeaders.get(name);
    if (v) out.set(name, v);
  }
  return out;
};
