/**
 * One way to handle a post to a public form (no login: the complaint form, counter feedback, tracking, the corruption
 * channel). `handlePublicPost` runs the same steps, in the same order, for every form:
 *
 *   1. Limits are checked before the body is read (`PostLimit.admit`). A client over a limit gets the page's 429 with
 *      Retry-After (for `slowRefusals`, held back a moment) and its body is dropped unread.
 *   2. The body is read: `readFormData` by default (an unreadable body answers 400), or the route's own reader (a
 *      multipart parser; it may answer a Response itself, e.g. a 413 with the text fields read so far).
 *   3. The CSRF token is checked (assertCsrf: a thrown 403).
 *   4. The honeypot field `website` (HoneypotField in components/form.tsx) must be empty; a filled one gets a 400 with
 *      the page's "rejected" message and counts as a junk post.
 *   5. The route's own work runs (`handle`). A DomainError it throws becomes the page's error reply
 *      (`publicFormError`: domainErrorReply's `{ error: { key, params, field, ns } }` plus the `formError` / `errors`
 *      the public pages read).
 *   6. Every limit is settled with what the post turned out to be (`PostOutcome`: status, new files, junk, thrown)
 *      and decides itself whether the post counted.
 *
 * The limits are parameters, built by the route from its own limiter and key (`limitPosts`, `reservePosts`,
 * `limitPostsUpFront`, `countJunk`): this module never chooses a limiter nor derives a client key. The corruption
 * channel passes its own limiters (limits.reportForm / limits.reportJunk, the receipt throttle), never the ones of
 * the general channel, and nothing here logs or stores the key.
 *
 *   export async function action({ request, context }: ActionFunctionArgs) {
 *     const client = clientOf(context);
 *     return handlePublicPost(request, {
 *       limits: [limitPosts(limits.publicForm(), client)],
 *       messages: { rateLimited: "complaint:errors.rateLimited", rejected: "complaint:errors.rejected" },
 *       emptyReply: () => ({ errors: {}, values: {} }),
 *     }, async (form, post) => { ...; return redirect("/complaints/done") });
 *   }
 */
import { DomainError } from "~/lib/domain-error";
import type { Lang } from "~/i18n";
import { domainErrorReply } from "./domain-reply.server";
import type { RateLimiter } from "./rate-limit.server";
import { slowRefusal } from "./rate-limit.server";
import { assertCsrf, getLang, readFormData } from "./request.server";

/** Name of the honeypot field: hidden from people, filled in by form-filling bots. */
export const HONEYPOT_FIELD = "website";

/** True when the honeypot field was filled in (the post is from a bot). */
export function honeypotFilled(form: FormData | URLSearchParams): boolean {
  const v = form.get(HONEYPOT_FIELD);
  return typeof v === "string" && v.trim() !== "";
}

/** What a post turned out to be, for the limits to decide whether it counted. */
export interface PostOutcome {
  /** Status of the answer (of the thrown Response too; 500 for any other thrown error). */
  status: number;
  /** Files that came with this post (not those kept from an earlier one). */
  newFiles: number;
  /** A broken post: unreadable body, bad CSRF token, honeypot filled, or what the route marked (markJunk). */
  junk: boolean;
  /** The answer was thrown (readFormData's 400, assertCsrf's 403, or an error of ours). */
  thrown: boolean;
}

export type Admission =
  | {
      allowed: true;
      settle(outcome: PostOutcome): void | Promise<void>;
      /** A later limit refused the post before it was read: give back what admit() counted. */
      withdraw?(): void;
    }
  | { allowed: false; retryAfterSec: number };

/** A limit on a public form: asked before the body is read, told afterwards what the post was. */
export interface PostLimit {
  admit(): Admission;
}

/** The usual rule: every post counts, except a form sent back for correction (422) that brought no new files. */
export function countsUnlessCorrection(o: PostOutcome): boolean {
  return !(o.status === 422 && o.newFiles === 0);
}

/**
 * Peek before, hit after: the client is refused once `limiter` is full for `key`; the post is counted afterwards when
 * `counts(outcome)` (default: countsUnlessCorrection, so someone correcting typos is never locked out).
 */
export function limitPosts(limiter: RateLimiter, key: string, counts: (o: PostOutcome) => boolean = countsUnlessCorrection): PostLimit {
  return {
    admit() {
      const seen = limiter.peek(key);
      if (seen.blocked) return { allowed: false, retryAfterSec: Math.max(1, seen.retryAfterSec) };
      return { allowed: true, settle: (o) => void (counts(o) && limiter.hit(key)) };
    },
  };
}

/**
 * Reserve before, give back after: the attempt counts at once (parallel posts cannot slip past the limit) and is
 * given back when `counts(outcome)` is false.
 */
export function reservePosts(limiter: RateLimiter, key: string, counts: (o: PostOutcome) => boolean): PostLimit {
  return {
    admit() {
      const slot = limiter.reserve(key);
      if (!slot.allowed) return { allowed: false, retryAfterSec: slot.retryAfterSec };
      return { allowed: true, settle: (o) => void (counts(o) || slot.release()), withdraw: () => slot.release() };
    },
  };
}

/**
 * Counted on arrival, whatever the post turns out to be. `countRefused`: the refused post is counted too (hit, then
 * refuse past the limit); otherwise the limiter is peeked and only an admitted post is counted.
 */
export function limitPostsUpFront(limiter: RateLimiter, key: string, opts: { countRefused?: boolean } = {}): PostLimit {
  return {
    admit() {
      if (opts.countRefused) {
        const hit = limiter.hit(key);
        if (!hit.allowed) return { allowed: false, retryAfterSec: Math.max(1, hit.retryAfterSec) };
        return { allowed: true, settle: () => {} };
      }
      const seen = limiter.peek(key);
      if (seen.blocked) return { allowed: false, retryAfterSec: Math.max(1, seen.retryAfterSec) };
      limiter.hit(key);
      return { allowed: true, settle: () => {} };
    },
  };
}

/** Never refuses: counts broken posts on `limiter` and, past its limit, holds their answers back (slowRefusal). */
export function countJunk(limiter: RateLimiter, key: string): PostLimit {
  return {
    admit: () => ({
      allowed: true,
      settle: async (o) => {
        if (o.junk && !limiter.hit(key).allowed) await slowRefusal();
      },
    }),
  };
}

/**
 * The reply of a public form to a refusal: domainErrorReply's `error` body, plus the page's own fields (`extra`: the
 * values to show again, kept files…) and `formError` / `errors` as the public pages read them.
 */
export function publicFormError(e: DomainError, extra: Record<string, unknown> = {}, headers?: HeadersInit): Response {
  const res = domainErrorReply(e, {
    ...extra,
    formError: e.field ? null : e.messageKey,
    errors: e.field ? { [e.field]: e.messageKey } : ((extra.errors as Record<string, string> | undefined) ?? {}),
  });
  new Headers(headers).forEach((value, name) => res.headers.set(name, value));
  return res;
}

/** The body as read by the route: the form, and how many files came with it. */
export interface ReadPost {
  form: FormData;
  newFiles?: number;
}

/** What the route's handler can tell about the post while it works. */
export interface PostState {
  readonly lang: Lang;
  /** Marks the post as broken (a malformed submission key…): counted by countJunk, not as a real post. */
  markJunk(): void;
}

export interface PublicPostOptions<R extends ReadPost> {
  /** Checked in order before the body is read; settled after the answer. */
  limits: PostLimit[];
  /**
   * i18n keys (namespace included) of the page's refusals: over a limit (429) and a filled honeypot (400; the common
   * "bad request" message when the page has none of its own).
   */
  messages: { rateLimited: string; rejected?: string };
  /** The page's answer fields for a refusal (empty values, no files…), merged into the reply. */
  emptyReply?: (refusal: { status: number; retryAfterSec?: number }) => Record<string, unknown>;
  /** Headers on every refusal made here (e.g. Cache-Control: no-store). */
  headers?: Record<string, string>;
  /** Hold 429 answers back a moment (slowRefusal): the corruption channel. */
  slowRefusals?: boolean;
  /** Reads the body; default readFormData. A Response is the answer to a body the reader refused. */
  read?: (request: Request, lang: Lang) => Promise<R | Response>;
  /** False for a form without the honeypot field (the tracking form). */
  honeypot?: boolean;
  lang?: Lang;
}

/** Handles a post to a public form (see the module comment for the steps). */
export async function handlePublicPost<R extends ReadPost = ReadPost>(
  request: Request,
  options: PublicPostOptions<R>,
  handle: (form: FormData, post: PostState, read: R) => Promise<Response>,
): Promise<Response> {
  const lang = options.lang ?? getLang(request);
  const admitted: Extract<Admission, { allowed: true }>[] = [];
  for (const limit of options.limits) {
    const a = limit.admit();
    if (!a.allowed) {
      // The limits admitted before this one did not see a post after all.
      for (const b of admitted) b.withdraw?.();
      // The body is not read: the server reads the rest and drops it (remix-handler.ts), a complete answer, never a reset.
      request.body?.cancel().catch(() => {});
      if (options.slowRefusals) await slowRefusal();
      const retryAfterSec = Math.max(1, a.retryAfterSec);
      return publicFormError(new DomainError(429, options.messages.rateLimited), options.emptyReply?.({ status: 429, retryAfterSec }), {
        ...options.headers,
        "Retry-After": String(retryAfterSec),
      });
    }
    admitted.push(a);
  }

  const outcome: PostOutcome = { status: 500, newFiles: 0, junk: false, thrown: false };
  try {
    const response = await run(request, options, lang, outcome, handle);
    outcome.status = response.status;
    return response;
  } catch (e) {
    outcome.thrown = true;
    if (e instanceof Response) {
      outcome.status = e.status;
      // readFormData / assertCsrf answer with a thrown response (400, 403): a broken post.
      outcome.junk = true;
    }
    throw e;
  } finally {
    for (const a of admitted) await a.settle(outcome);
  }
}

async function run<R extends ReadPost>(
  request: Request,
  options: PublicPostOptions<R>,
  lang: Lang,
  outcome: PostOutcome,
  handle: (form: FormData, post: PostState, read: R) => Promise<Response>,
): Promise<Response> {
  const read = options.read ? await options.read(request, lang) : ({ form: await readFormData(request, lang) } as R);
  if (read instanceof Response) return read;
  outcome.newFiles = read.newFiles ?? 0;
  assertCsrf(request, read.form, lang);
  if (options.honeypot !== false && honeypotFilled(read.form)) {
    outcome.junk = true;
    return publicFormError(
      new DomainError(400, options.messages.rejected ?? "errors.badRequest"),
      options.emptyReply?.({ status: 400 }),
      options.headers,
    );
  }
  const post: PostState = { lang, markJunk: () => void (outcome.junk = true) };
  try {
    return await handle(read.form, post, read);
  } catch (e) {
    if (e instanceof DomainError) return publicFormError(e, options.emptyReply?.({ status: e.status }), options.headers);
    throw e;
  }
}

/** A 429 answer in the shape of publicFormError, for a limit the route checks itself (after reading the form). */
export function rateLimitedReply(
  messageKey: string,
  retryAfterSec: number,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): Response {
  return publicFormError(new DomainError(429, messageKey), extra, { ...headers, "Retry-After": String(Math.max(1, retryAfterSec)) });
}
