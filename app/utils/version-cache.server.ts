/**
 * Values kept per database and key while a version counter is unchanged: the statistics version (bumped by every
 * summary trigger), the staff directory version (bumped by every change to who can be given cases). The caller reads
 * the version (usually with the page's session, in the same query) and passes it; a value computed under another
 * version is computed again, so a kept value is never older than the last committed change it depends on.
 *
 * `maxAgeMs` also bounds a value's age (figures that move with the clock); a computation that fails is not kept, and
 * callers asking while one runs share it.
 */
interface Entry<V> {
  version: number;
  at: number;
  generation: number;
  value: Promise<V>;
}

export class VersionedCache<V> {
  private readonly byDb = new WeakMap<object, Map<string, Entry<V>>>();
  private generation = 0;

  constructor(private readonly maxAgeMs = Number.POSITIVE_INFINITY) {}

  /** The value kept for `key` under `version`, or `compute()`'s (kept from now). `at`: the time now (the portal's clock). */
  get(db: object, key: string, version: number, compute: () => Promise<V>, at: number = Date.now()): Promise<V> {
    let byKey = this.byDb.get(db);
    if (!byKey) this.byDb.set(db, (byKey = new Map()));
    const hit = byKey.get(key);
    if (hit && hit.version === version && hit.generation === this.generation && Math.abs(at - hit.at) < this.maxAgeMs) return hit.value;
    const value = compute();
    const entry = { version, at, generation: this.generation, value };
    byKey.set(key, entry);
    const kept = byKey;
    value.catch(() => {
      if (kept.get(key) === entry) kept.delete(key);
    });
    return value;
  }

  /** Forgets every kept value (tests that move the clock or rewrite the data under a version). */
  clear(): void {
    this.generation++;
  }
}
