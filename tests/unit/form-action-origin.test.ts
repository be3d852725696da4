/**
 * allowFormActionOrigin (scripts/remix-handler.ts): the one way a page widens its CSP form-action — by exactly one bare
 * http(s) origin, named by the route in a header that never leaves the server.
 */
import { describe, expect, it } from "vitest";
import { allowFormActionOrigin } from "../../scripts/remix-handler";
import { FORM_ACTION_HEADER } from "~/utils/route-headers";

const CSP = "default-src 'self'; script-src 'nonce-x' 'strict-dynamic'; form-action 'self'; frame-ancestors 'none'";

function respond(origin: string | null) {
  const set = new Map<string, string>([
    ["Content-Security-Policy", CSP],
    ["Referrer-Policy", "same-origin"],
  ]);
  const res = { getHeader: (k: string) => set.get(k), setHeader: (k: string, v: string) => void set.set(k, v) };
  const headers = new Headers({ "Content-Type": "text/html" });
  if (origin !== null) headers.set(FORM_ACTION_HEADER, origin);
  allowFormActionOrigin(res as never, headers);
  return { csp: set.get("Content-Security-Policy"), referrer: set.get("Referrer-Policy"), forwarded: headers.get(FORM_ACTION_HEADER) };
}

describe("allowFormActionOrigin", () => {
  it("adds the named origin to form-action, shows the other site where the post comes from, and drops the header", () => {
    const r = respond("https://nongbua.example.go.th");
    expect(r.csp).toBe(CSP.replace("form-action 'self'", "form-action 'self' https://nongbua.example.go.th"));
    expect(r.referrer).toBe("strict-origin");
    expect(r.forwarded).toBeNull();
    expect(respond("http://nongbua.localhost:8080").csp).toContain("form-action 'self' http://nongbua.localhost:8080;");
  });

  it("widens nothing for anything but a bare origin", () => {
    for (const bad of ["*", "https:", "https://a.example/path", "'unsafe-inline'", "https://a.example; script-src *", "javascript:x", ""]) {
      const r = respond(bad);
      expect(r.csp, bad).toBe(CSP);
      expect(r.referrer, bad).toBe("same-origin");
      expect(r.forwarded, bad).toBeNull();
    }
  });

  it("leaves every other page alone", () => {
    expect(respond(null)).toEqual({ csp: CSP, referrer: "same-origin", forwarded: null });
  });
});
