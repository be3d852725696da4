/** app/utils/version-cache.server.ts: kept while the version holds, per database and key, never a failure. */
import { describe, expect, it } from "vitest";
import { VersionedCache } from "~/utils/version-cache.server";

describe("VersionedCache", () => {
  it("keeps a value while its version is unchanged, per database and key, and computes again under a new version", async () => {
    const cache = new VersionedCache<string>();
    const dbA = {};
    const dbB = {};
    let runs = 0;
    const compute = (v: string) => () => (runs++, Promise.resolve(v));
    expect(await cache.get(dbA, "works", 1, compute("a1"))).toBe("a1");
    expect(await cache.get(dbA, "works", 1, compute("not again"))).toBe("a1");
    expect(await cache.get(dbA, "health", 1, compute("h1"))).toBe("h1");
    expect(await cache.get(dbB, "works", 1, compute("b1"))).toBe("b1");
    expect(runs).toBe(3);
    expect(await cache.get(dbA, "works", 2, compute("a2"))).toBe("a2");
    expect(await cache.get(dbA, "works", 2, compute("not again"))).toBe("a2");
    // An older version asked again (a request that read it before a change) is computed, not served the newer value.
    expect(await cache.get(dbA, "works", 1, compute("a1 again"))).toBe("a1 again");
    expect(runs).toBe(5);
  });

  it("shares one computation among callers asking at once, and does not keep a failure", async () => {
    const cache = new VersionedCache<number>();
    const db = {};
    let runs = 0;
    let release!: (n: number) => void;
    const slow = () => (runs++, new Promise<number>((r) => (release = r)));
    const first = cache.get(db, "k", 7, slow);
    const second = cache.get(db, "k", 7, slow);
    release(42);
    expect(await Promise.all([first, second])).toEqual([42, 42]);
    expect(runs).toBe(1);

    await expect(cache.get(db, "bad", 7, () => Promise.reject(new Error("database gone")))).rejects.toThrow("database gone");
    expect(await cache.get(db, "bad", 7, () => Promise.resolve(1))).toBe(1);
  });

  it("bounds a value's age when asked to, and forgets everything on clear()", async () => {
    const cache = new VersionedCache<string>(30_000);
    const db = {};
    expect(await cache.get(db, "k", 1, () => Promise.resolve("t0"), 1_000)).toBe("t0");
    expect(await cache.get(db, "k", 1, () => Promise.resolve("no"), 30_999)).toBe("t0");
    expect(await cache.get(db, "k", 1, () => Promise.resolve("t31"), 31_000)).toBe("t31");
    cache.clear();
    expect(await cache.get(db, "k", 1, () => Promise.resolve("after clear"), 31_001)).toBe("after clear");
  });
});
