/**
 * The public form helper: limits checked before the body is read and settled with what the post turned out to be,
 * the CSRF check (403), the honeypot (400, counted as junk), the 429 with Retry-After, and a form sent back for
 * correction (422) without new files not counted.
 */
import { describe, expect, it } from "vitest";
import { DomainError } from "~/lib/domain-error";
import { RateLimiter } from "~/utils/rate-limit.server";
import {
  countJunk,
  handlePublicPost,
  honeypotFilled,
  limitPosts,
  limitPostsUpFront,
  reservePosts,
  type PostLimit,
} from "~/utils/public-form.server";

const TOKEN = "a".repeat(43);
const messages = { rateLimited: "complaint:errors.rateLimited", rejected: "complaint:errors.rejected" };

function post(fields: Record<string, string>, opts: { cookie?: boolean } = {}): Request {
  const body = new URLSearchParams(fields);
  return new Request("http://localhost/complaints/new", {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(opts.cookie === false ? {} : { Cookie: `csrf=${TOKEN}` }),
    },
  });
}

async function thrownStatus(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Response) return e.status;
    throw e;
  }
  throw new Error("nothing was thrown");
}

const ok = async () => new Response(null, { status: 302, headers: { Location: "/done" } });
const correction = async () => Response.json({ errors: { subject: "errors.required" } }, { status: 422 });

describe("handlePublicPost", () => {
  it("passes a good post to the handler with its form", async () => {
    let seen = "";
    const res = await handlePublicPost(post({ csrf: TOKEN, website: "", subject: "ถนนพัง" }), { limits: [], messages }, async (form) => {
      seen = String(form.get("subject"));
      return ok();
    });
    expect(res.status).toBe(302);
    expect(seen).toBe("ถนนพัง");
  });

  it("refuses a post without the matching CSRF token with 403, before the handler runs", async () => {
    let ran = false;
    const handler = async () => ((ran = true), ok());
    expect(await thrownStatus(handlePublicPost(post({ website: "" }), { limits: [], messages }, handler))).toBe(403);
    expect(await thrownStatus(handlePublicPost(post({ csrf: "b".repeat(43) }), { limits: [], messages }, handler))).toBe(403);
    expect(await thrownStatus(handlePublicPost(post({ csrf: TOKEN }, { cookie: false }), { limits: [], messages }, handler))).toBe(403);
    expect(ran).toBe(false);
  });

  it("answers a filled honeypot with 400 and the page's rejected message; the handler never runs", async () => {
    let ran = false;
    const res = await handlePublicPost(
      post({ csrf: TOKEN, website: "http://spam.example" }),
      { limits: [], messages, emptyReply: () => ({ values: {} }) },
      async () => ((ran = true), ok()),
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.formError).toBe("complaint:errors.rejected");
    expect(body.error.key).toBe("complaint:errors.rejected");
    expect(body.values).toEqual({});
    expect(ran).toBe(false);
    expect(honeypotFilled(new URLSearchParams({ website: "  " }))).toBe(false);
  });

  it("answers 429 with Retry-After once the limit is reached, without reading the body", async () => {
    const limiter = new RateLimiter("t-429", 2, 60_000);
    const opts = { limits: [limitPosts(limiter, "client-1")], messages, headers: { "Cache-Control": "no-store" } };
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, ok)).status).toBe(302);
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, ok)).status).toBe(302);
    let ran = false;
    const refused = await handlePublicPost(post({ csrf: TOKEN }), opts, async () => ((ran = true), ok()));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
    expect((await refused.json()).formError).toBe("complaint:errors.rateLimited");
    expect(ran).toBe(false);
    // Another client is not affected.
    expect((await handlePublicPost(post({ csrf: TOKEN }), { ...opts, limits: [limitPosts(limiter, "client-2")] }, ok)).status).toBe(302);
  });

  it("does not count a form sent back for correction (422) without new files; counts one with files", async () => {
    const limiter = new RateLimiter("t-422", 2, 60_000);
    const opts = { limits: [limitPosts(limiter, "c")], messages };
    for (let i = 0; i < 5; i++) expect((await handlePublicPost(post({ csrf: TOKEN }), opts, correction)).status).toBe(422);
    expect(limiter.peek("c").count).toBe(0);
    const withFiles = { ...opts, read: async (r: Request) => ({ form: await r.formData(), newFiles: 1 }) };
    await handlePublicPost(post({ csrf: TOKEN }), withFiles, correction);
    expect(limiter.peek("c").count).toBe(1);
  });

  it("counts a CSRF refusal and a honeypot post as posts, and as junk on a junk counter", async () => {
    const limiter = new RateLimiter("t-junk", 10, 60_000);
    const junk = new RateLimiter("t-junk-2", 10, 60_000);
    const opts = { limits: [limitPosts(limiter, "c"), countJunk(junk, "c")], messages };
    await thrownStatus(handlePublicPost(post({}), opts, ok));
    await handlePublicPost(post({ csrf: TOKEN, website: "x" }), opts, ok);
    await handlePublicPost(post({ csrf: TOKEN }), opts, async (_form, p) => (p.markJunk(), Response.json({}, { status: 400 })));
    await handlePublicPost(post({ csrf: TOKEN }), opts, ok);
    expect(limiter.peek("c").count).toBe(4);
    expect(junk.peek("c").count).toBe(3);
  });

  it("reservePosts gives the attempt back when the post did not count", async () => {
    const limiter = new RateLimiter("t-reserve", 1, 60_000);
    const filing = (o: { status: number }) => o.status === 302;
    const opts = { limits: [reservePosts(limiter, "c", filing)], messages };
    await thrownStatus(handlePublicPost(post({}), opts, ok));
    expect(limiter.peek("c").count).toBe(0);
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, ok)).status).toBe(302);
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, ok)).status).toBe(429);
  });

  it("a refusal by a later limit gives back the reservation of an earlier one", async () => {
    const reserved = new RateLimiter("t-withdraw-1", 5, 60_000);
    const full = new RateLimiter("t-withdraw-2", 1, 60_000);
    full.hit("c");
    const limits: PostLimit[] = [reservePosts(reserved, "c", () => true), limitPosts(full, "c")];
    expect((await handlePublicPost(post({ csrf: TOKEN }), { limits, messages }, ok)).status).toBe(429);
    expect(reserved.peek("c").count).toBe(0);
  });

  it("limitPostsUpFront counts on arrival", async () => {
    const limiter = new RateLimiter("t-upfront", 1, 60_000);
    const opts = { limits: [limitPostsUpFront(limiter, "c", { countRefused: true })], messages };
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, correction)).status).toBe(422);
    expect((await handlePublicPost(post({ csrf: TOKEN }), opts, ok)).status).toBe(429);
    expect(limiter.peek("c").count).toBe(2);
  });

  it("turns a DomainError from the handler into the page's error reply", async () => {
    const res = await handlePublicPost(
      post({ csrf: TOKEN }),
      { limits: [], messages, emptyReply: () => ({ values: { a: "1" } }) },
      async () => {
        throw DomainError.invalid("village", "errors.invalidChoice");
      },
    );
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors).toEqual({ village: "errors.invalidChoice" });
    expect(body.formError).toBeNull();
    expect(body.error).toEqual({ key: "errors.invalidChoice", params: {}, field: "village" });
    expect(body.values).toEqual({ a: "1" });
  });
});
