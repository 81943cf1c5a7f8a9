import type { CacheEntry, CacheKey } from './cache-entry.js'
import { callable } from './callable.js'

/**
 * Where entries live. All methods are async so any backend fits; implementations must tolerate
 * concurrent calls and never interpret `updateAfter` (the engine alone decides freshness).
 * Every storage should pass the contract suite in `@memokit/core/testing`.
 */
export interface CacheStorage {
  /** Resolves to the stored entry, or `undefined` when there is none. */
  get(key: CacheKey): Promise<CacheEntry | undefined>
  /**
   * Offers an entry for storage. A storage holding more relevant data may decline it. `fence`
   * is what {@link fence} returned when the refresh that computed the entry started.
   */
  offer(key: CacheKey, entry: CacheEntry, fence?: unknown): Promise<void>
  /** This client no longer needs the entry. Releasing a missing key is not an error. */
  release(key: CacheKey): Promise<void>
  /**
   * Optional synchronous lookup for in-process storages: the engine serves hits from it without
   * a promise hop. It may return `undefined` even when `get` would find the entry (a memory tier
   * in front of a remote one); the engine then calls `get`.
   */
  getSync?(key: CacheKey): CacheEntry | undefined
  /**
   * Optional, for storages shared by several processes: a token for the key's invalidation
   * state. The engine takes it before a refresh runs the method and passes it to `offer`, which
   * then declines the entry if the key was released since, by any process: a refresh that
   * started before an invalidation never brings back what the invalidation removed. (Within
   * one process the engine already knows.) A rejection is a fault: the write is unfenced then.
   */
  fence?(key: CacheKey): unknown
}

/** A `Map` in this process: the default storage. Offers always succeed; entries are shared by reference. */
class LocalInMemoryCacheStorageImpl implements CacheStorage {
  readonly #data = new Map<CacheKey, CacheEntry>()

  getSync(key: CacheKey): CacheEntry | undefined {
    return this.#data.get(key)
  }

  get(key: CacheKey): Promise<CacheEntry | undefined> {
    return Promise.resolve(this.#data.get(key))
  }

  offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    this.#data.set(key, entry)
    return Promise.resolve()
  }

  release(key: CacheKey): Promise<void> {
    this.#data.delete(key)
    return Promise.resolve()
  }

  /** Number of stored entries. */
  get size(): number {
    return this.#data.size
  }

  /** Stored keys, oldest write first. */
  keys(): IterableIterator<CacheKey> {
    return this.#data.keys()
  }

  /** Stored `[key, entry]` pairs, oldest write first. */
  entries(): IterableIterator<[CacheKey, CacheEntry]> {
    return this.#data.entries()
  }

  /** Removes every entry. */
  clear(): void {
    this.#data.clear()
  }
}
export const LocalInMemoryCacheStorage = callable(LocalInMemoryCacheStorageImpl)
export type LocalInMemoryCacheStorage = LocalInMemoryCacheStorageImpl
