/**
 * Long housekeeping runs in batches that give way to requests, so catching up never stops the portal. The deadline
 * ticker runs in a worker thread of its own (app/models/deadlines/ticker-thread.server.ts); retention purges run in the
 * server's request thread. Each batch is bounded by time, not by a count (AdaptiveBatch, below): about
 * SLICE_TARGET_MS of work, however loaded the machine is.
 *
 * In the request thread, better-sqlite3 is synchronous, so a batch holds the event loop for its whole length (commit
 * and fsync included), and a request needs several turns of the loop (read, file or database work, write). Yielding
 * with setImmediate alone would let one batch run between every two of those turns. So the server counts the requests
 * it is answering (requestBegan, a middleware in scripts/serve.ts), and yieldToEventLoop waits — up to MAX_WAIT_MS, so
 * that a steady stream of requests or a slow upload still lets the housekeeping progress — until none is in flight.
 *
 * In the worker thread a batch does not hold the request thread's event loop, but its transaction holds SQLite's
 * write lock, and a request that writes waits for it. The count lives in shared memory (a SharedArrayBuffer handed to
 * the worker, followRequestTraffic), so the worker's yieldToEventLoop waits in the same way before its next batch:
 * while requests are being answered the worker starts at most one batch per MAX_WAIT_MS, and a request's write never
 * queues behind a run of them. Outside the server (CLI, tests) nothing is counted and it is a plain setImmediate.
 */

/** The longest a batch waits for requests in flight to finish before it runs anyway. */
export const MAX_WAIT_MS = 25;

interface Traffic {
  /** [0]: requests in flight. Shared with the worker thread (SharedArrayBuffer). */
  counter: Int32Array;
  /** Waiting batches of this thread (request thread only: woken when the count drops to 0). */
  waiters: Set<() => void>;
  /** True in a worker thread that follows the request thread's count. */
  follower: boolean;
}

declare global {
  var __sujaritTraffic: Traffic | undefined;
}

function traffic(): Traffic {
  return (globalThis.__sujaritTraffic ??= { counter: new Int32Array(new SharedArrayBuffer(4)), waiters: new Set(), follower: false });
}

/** Marks a request as being answered; call the returned function (once or more) when its response is done. */
export function requestBegan(): () => void {
  const t = traffic();
  Atomics.add(t.counter, 0, 1);
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    if (Atomics.sub(t.counter, 0, 1) === 1) {
      Atomics.notify(t.counter, 0);
      for (const w of [...t.waiters]) w();
    }
  };
}

/** Requests being answered right now (for tests). */
export function requestsInFlight(): number {
  return Atomics.load(traffic().counter, 0);
}

/** The shared memory holding the request count, to hand to a worker thread (followRequestTraffic there). */
export function requestTrafficBuffer(): SharedArrayBuffer {
  return traffic().counter.buffer as SharedArrayBuffer;
}

/** In a worker thread: yieldToEventLoop waits for the requests counted in `buffer` (the request thread's count). */
export function followRequestTraffic(buffer: SharedArrayBuffer): void {
  globalThis.__sujaritTraffic = { counter: new Int32Array(buffer), waiters: new Set(), follower: true };
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Worker thread: waits until the shared count is 0 or `ms` have passed. */
async function waitForNoRequests(counter: Int32Array, ms: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
  const until = performance.now() + ms;
  for (;;) {
    const n = Atomics.load(counter, 0);
    const left = until - performance.now();
    if (n === 0 || left <= 0) return;
    if (waitAsync) {
      const r = waitAsync(counter, 0, n, left);
      if (r.async) await r.value;
    } else {
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 2)));
    }
  }
}

/** Lets pending I/O and the requests in flight go first (at most MAX_WAIT_MS), then resolves. */
export async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const t = traffic();
  if (Atomics.load(t.counter, 0) === 0) return;
  if (t.follower) return waitForNoRequests(t.counter, MAX_WAIT_MS);
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

/**
 * How long one synchronous slice of housekeeping (one transaction, or one query and the work on its rows) should hold
 * the event loop. A request arriving during a slice waits for the rest of it, so this bounds what housekeeping adds to
 * a request's latency; a few milliseconds keeps /healthz well under 50 ms even on a loaded machine.
 */
export const SLICE_TARGET_MS = 4;

export interface AdaptiveBatchOptions {
  /** Smallest batch (a batch of this size may take longer than the target: the work must go on). */
  min: number;
  /** Largest batch (the count the job used before it was sized by time). */
  max: number;
  /** First batch (default `min`): grown from there while batches stay short. */
  start?: number;
  /** Target length of one batch in ms (default SLICE_TARGET_MS). */
  targetMs?: number;
}

/**
 * The size of a long job's next batch, chosen by time rather than by count. better-sqlite3 is synchronous, so a batch
 * holds the event loop from its first statement to its commit, and what a row costs changes tenfold with the
 * machine's load: a fixed count is either long under load or needlessly many small transactions when idle. After each
 * batch of n items that took ms, the next size is n × target / ms — at once when that is smaller, at most double the
 * last size when larger — kept between min and max. A fixed cost per batch (begin, commit, a first query) is measured
 * with the rows, so the size settles where the whole batch takes the target.
 */
export class AdaptiveBatch {
  readonly min: number;
  readonly max: number;
  readonly targetMs: number;
  /** Items for the next batch. */
  size: number;
  /** Longest batch measured so far, in ms (for logs and tests). */
  longestMs = 0;
  /** Batches measured so far. */
  batches = 0;

  constructor(opts: AdaptiveBatchOptions) {
    this.min = Math.max(1, Math.floor(opts.min));
    this.max = Math.max(this.min, Math.floor(opts.max));
    this.targetMs = opts.targetMs ?? SLICE_TARGET_MS;
    this.size = this.clamp(opts.start ?? this.min);
  }

  private clamp(n: number): number {
    return Math.min(this.max, Math.max(this.min, Math.floor(n)));
  }

  /** Records that `items` items took `ms` milliseconds, and sets the next size. A batch of no items changes nothing. */
  record(items: number, ms: number): void {
    this.batches++;
    if (ms > this.longestMs) this.longestMs = ms;
    if (items <= 0) return;
    const ideal = ms > 0 ? (items * this.targetMs) / ms : Infinity;
    this.size = this.clamp(ideal < this.size ? ideal : Math.min(ideal, this.size * 2));
  }

  /** Runs one batch of `items` items, measures it and records it. */
  async timed<T>(items: number, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const out = await work();
    this.record(items, performance.now() - started);
    return out;
  }
}
