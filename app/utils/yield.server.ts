/**
 * Long housekeeping (deadline ticks, purges, retention) runs in bounded batches inside the server process and gives
 * the event loop back to requests between them (issue 11: catching up never stops the portal).
 *
 * better-sqlite3 is synchronous, so a batch holds the event loop for its whole length (commit and fsync included), and
 * a request needs several turns of the loop (read, file or database work, write). Yielding with setImmediate alone
 * would let one batch run between every two of those turns. So the server counts the requests it is answering
 * (requestBegan, a middleware in scripts/serve.ts), and yieldToEventLoop waits — up to MAX_WAIT_MS, so that a steady
 * stream of requests or a slow upload still lets the housekeeping progress — until none is in flight. Outside the
 * server (CLI, tests) nothing is counted and it is a plain setImmediate.
 */

/** The longest a batch waits for requests in flight to finish before it runs anyway. */
export const MAX_WAIT_MS = 25;

interface Traffic {
  inFlight: number;
  waiters: Set<() => void>;
}

declare global {
  // eslint-disable-next-line no-var
  var __sujaritTraffic: Traffic | undefined;
}

function traffic(): Traffic {
  return (globalThis.__sujaritTraffic ??= { inFlight: 0, waiters: new Set() });
}

/** Marks a request as being answered; call the returned function (once or more) when its response is done. */
export function requestBegan(): () => void {
  const t = traffic();
  t.inFlight++;
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    t.inFlight--;
    if (t.inFlight === 0) {
      for (const w of [...t.waiters]) w();
    }
  };
}

/** Requests being answered right now (for tests). */
export function requestsInFlight(): number {
  return traffic().inFlight;
}

/** Lets pending I/O and the requests in flight go first (at most MAX_WAIT_MS), then resolves. */
export async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const t = traffic();
  if (t.inFlight === 0) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      t.waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, MAX_WAIT_MS);
    t.waiters.add(done);
  });
}

/** Thrown between batches when the caller's AbortSignal fired (shutdown): what committed so far stays committed. */
export class BatchAborted extends Error {
  constructor() {
    super("stopped between batches");
    this.name = "BatchAborted";
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BatchAborted();
}
