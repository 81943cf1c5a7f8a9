import type { CacheEntry } from './cache-entry.js'

/** A base class whose constructor returns the object it is given instead of a new one. */
class Adopt {
  constructor(target: object) {
    return target
  }
}

/**
 * The resolved promise of an entry's value, kept with the entry object itself.
 *
 * A cache hit on an in-process storage must still return a promise; creating one per hit was
 * about a fifth of a hit's cost. The first hit on an entry keeps `Promise.resolve(value)` in a
 * private field stamped onto the entry (the `Adopt` constructor makes `super()` return the entry,
 * so the field lands on it): invisible to `Object.keys`, JSON, serializers and equality checks,
 * and collected with the entry, so a storage's bound on what it holds still bounds the promises.
 * Entries that cannot take a field (frozen ones) get a fresh promise per hit, as before.
 *
 * Only for values that pass through unchanged (no postprocessing): a promise shared by callers
 * is fine because a resolved promise cannot be changed by any of them.
 */
export class SettledValue extends Adopt {
  #promise: Promise<unknown>

  private constructor(entry: CacheEntry) {
    super(entry)
    this.#promise = Promise.resolve(entry.value)
  }

  /** `Promise.resolve(entry.value)`, created once per entry object. */
  static of(entry: CacheEntry): Promise<unknown> {
    // Reading the field and catching its absence (once per entry) beat a `#promise in` check.
    try {
      return (entry as unknown as SettledValue).#promise
    } catch {
      if (!Object.isExtensible(entry)) return Promise.resolve(entry.value)
    }
    return new SettledValue(entry).#promise
  }
}
