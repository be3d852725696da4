/**
 * The count of requests in flight lives in shared memory, so the deadline worker thread gives way to the request
 * thread's requests: requestBegan/done change the shared count, and a follower's yieldToEventLoop (the worker's) waits
 * until it drops to 0 — or MAX_WAIT_MS, so the work still progresses under a steady stream of requests.
 */
import { describe, expect, it } from "vitest";
import { followRequestTraffic, requestBegan, requestTrafficBuffer, requestsInFlight, yieldToEventLoop } from "~/utils/yield.server";

describe("requests in flight, shared with the worker thread", () => {
  it("requestBegan and its done() change the count another thread reads", () => {
    const seen = new Int32Array(requestTrafficBuffer()); // what the worker reads
    const a = requestBegan();
    const b = requestBegan();
    expect(Atomics.load(seen, 0)).toBe(2);
    a();
    a(); // twice: counted once
    expect(Atomics.load(seen, 0)).toBe(1);
    b();
    expect(Atomics.load(seen, 0)).toBe(0);
    expect(requestsInFlight()).toBe(0);
  });

  it("a follower's yield waits for the requests in flight to end, then goes on", async () => {
    const shared = new SharedArrayBuffer(4);
    const count = new Int32Array(shared); // the request thread's side
    followRequestTraffic(shared);
    const events: string[] = [];
    Atomics.store(count, 0, 1);
    const batch = yieldToEventLoop().then(() => events.push("next batch"));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    events.push("request answered");
    Atomics.store(count, 0, 0);
    Atomics.notify(count, 0);
    await batch;
    expect(events).toEqual(["request answered", "next batch"]);
  });

  it("a follower's yield goes on anyway while requests keep coming (at most MAX_WAIT_MS)", async () => {
    const shared = new SharedArrayBuffer(4);
    followRequestTraffic(shared);
    Atomics.store(new Int32Array(shared), 0, 3);
    await yieldToEventLoop();
    expect(Atomics.load(new Int32Array(shared), 0)).toBe(3);
  });

  it("with nothing in flight, a follower's yield does not wait for anything", async () => {
    followRequestTraffic(new SharedArrayBuffer(4));
    const events: string[] = [];
    await Promise.all([
      yieldToEventLoop().then(() => events.push("batch")),
      new Promise((r) => setTimeout(r, 50)).then(() => events.push("timer")),
    ]);
    expect(events).toEqual(["batch", "timer"]);
  });
});
