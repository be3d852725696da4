/**
 * Values worked out once per page request: a page's loaders run side by side (the staff layout and the queue both ask
 * who is signed in) and each would otherwise ask the database again.
 *
 * The server opens a scope for GET and HEAD requests only (scripts/serve.ts): a POST runs an action that may change
 * what a later loader of the same request must see (a sign-out, a new passkey, a role), so it memoises nothing.
 */
import { AsyncLocalStorage } from "node:async_hooks";

declare global {
  var __sujaritRequestScope: AsyncLocalStorage<Map<string, unknown>> | undefined;
}

// On globalThis: the server and the Remix build each bundle a copy of this module (see site-context.server.ts).
const storage = (globalThis.__sujaritRequestScope ??= new AsyncLocalStorage<Map<string, unknown>>());

/** Runs `work` (the rest of a read-only request) with its own memo. */
export function runInRequestScope<T>(work: () => T): T {
  return storage.run(new Map(), work);
}

/** `make()` once per request scope for `key` (a promise is kept as it is, so parallel loaders share one query); outside a scope, every call makes its own. */
export function requestMemo<T>(key: string, make: () => T): T {
  const memo = storage.getStore();
  if (!memo) return make();
  if (memo.has(key)) return memo.get(key) as T;
  const value = make();
  memo.set(key, value);
  return value;
}
