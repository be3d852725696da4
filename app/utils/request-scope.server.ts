/**
 * Values worked out once per page request: a page's loaders run side by side (the staff layout and the queue both ask
 * who is signed in) and each would otherwise ask the database again.
 *
 * The memo hangs on the Request object itself (a WeakMap: gone with the request). Remix hands every loader of a page
 * the same Request (scripts/patches: nothing to strip, no copy), so they share one lookup; a request that Remix does
 * copy per loader (`?index`, `?_data`) simply looks up again. Only GET and HEAD requests memoise: a POST runs an action
 * that may change what a later loader must see (a sign-out, a new passkey, a role). The loaders Remix runs after an
 * action get a new GET Request made after the action finished, so they share what they look up from then on.
 *
 * No AsyncLocalStorage: with one in use Node runs a hook on every promise of every request (about 7% of a queue page's
 * CPU, docs/page-cost.md).
 */

const memos = new WeakMap<Request, Map<string, unknown>>();

/**
 * `make()` once per GET/HEAD request for `key` (a promise is kept as it is, so parallel loaders share one query); for
 * any other method, every call makes its own.
 */
export function requestMemo<T>(request: Request, key: string, make: () => T): T {
  if (request.method !== "GET" && request.method !== "HEAD") return make();
  let memo = memos.get(request);
  if (!memo) memos.set(request, (memo = new Map()));
  if (memo.has(key)) return memo.get(key) as T;
  const value = make();
  memo.set(key, value);
  return value;
}
