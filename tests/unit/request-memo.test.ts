/**
 * requestMemo (app/utils/request-scope.server.ts): a page's loaders share one lookup through the Request they are all
 * given; nothing is shared between two requests, and a POST (its action may change what a loader must see) shares
 * nothing at all.
 */
import { describe, expect, it } from "vitest";
import { requestMemo } from "~/utils/request-scope.server";

describe("requestMemo", () => {
  it("makes a value once per GET or HEAD request and key, a promise included", async () => {
    let made = 0;
    const make = () => Promise.resolve(++made);
    for (const method of ["GET", "HEAD"]) {
      made = 0;
      const req = new Request("http://localhost/staff", { method });
      const [a, b] = await Promise.all([requestMemo(req, "k", make), requestMemo(req, "k", make)]);
      expect([a, b, made]).toEqual([1, 1, 1]);
      expect(await requestMemo(req, "other", make)).toBe(2);
    }
  });

  it("shares nothing between two requests, even for the same address and cookie", () => {
    let made = 0;
    const headers = { Cookie: "sujarit_session=x" };
    const one = new Request("http://localhost/staff", { headers });
    const two = new Request("http://localhost/staff", { headers });
    expect(requestMemo(one, "k", () => ++made)).toBe(1);
    expect(requestMemo(two, "k", () => ++made)).toBe(2);
    expect(requestMemo(one, "k", () => ++made)).toBe(1);
  });

  it("makes a new value every time for a POST", () => {
    let made = 0;
    const req = new Request("http://localhost/staff/logout", { method: "POST" });
    expect(requestMemo(req, "k", () => ++made)).toBe(1);
    expect(requestMemo(req, "k", () => ++made)).toBe(2);
  });
});
