import type { CacheEntry, CacheKey } from './cache-entry.js'
import { callable } from './callable.js'
import { InvalidConfigurationError } from './errors.js'
import { requireOptions } from './validate.js'

/**
 * Decides which keys this process should release when it holds too many. The engine reports
 * reads, writes and releases, and asks {@link nextToRelease} after each write. Strategies see
 * only this process's traffic: with a storage that evicts by itself (Redis, `@memokit/memory`),
 * use {@link NoEvictionStrategy}. Implementations are synchronous and do no I/O.
 */
export interface EvictionStrategy {
  markRead(key: CacheKey): void
  markWritten(key: CacheKey, entry: CacheEntry): void
  markReleased(key: CacheKey): void
  /** The next key to release (it stops being tracked), or `undefined` when nothing must go. */
  nextToRelease(): CacheKey | undefined
}

export interface LeastRecentlyUpdatedEvictionStrategyOptions {
  /** Most entries kept. @default 4096 */
  capacity?: number
}

/**
 * Releases the key whose entry was written longest ago once more than `capacity` keys are
 * tracked. Reads do not count (least recently *updated*, as in py-memoize): background refresh
 * keeps hot keys written.
 */
class LeastRecentlyUpdatedEvictionStrategyImpl implements EvictionStrategy {
  readonly capacity: number
  // A Map iterates in insertion order: deleting and re-inserting moves a key to the newest end.
  readonly #order = new Map<CacheKey, true>()

  constructor(options?: LeastRecentlyUpdatedEvictionStrategyOptions) {
    const { capacity = 4096 } = requireOptions('LeastRecentlyUpdatedEvictionStrategy', options)
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InvalidConfigurationError(
        `capacity must be a positive integer, got ${String(capacity)}`,
      )
    this.capacity = capacity
  }

  markRead(_key: CacheKey): void {}

  markWritten(key: CacheKey, _entry: CacheEntry): void {
    this.#order.delete(key)
    this.#order.set(key, true)
  }

  markReleased(key: CacheKey): void {
    this.#order.delete(key)
  }

  nextToRelease(): CacheKey | undefined {
    if (this.#order.size <= this.capacity) return undefined
    const oldest = this.#order.keys().next().value as CacheKey
    this.#order.delete(oldest)
    return oldest
  }

  /** Number of tracked keys. */
  get size(): number {
    return this.#order.size
  }
}
export const LeastRecentlyUpdatedEvictionStrategy = callable(
  LeastRecentlyUpdatedEvictionStrategyImpl,
)
export type LeastRecentlyUpdatedEvictionStrategy = LeastRecentlyUpdatedEvictionStrategyImpl

/** Tracks nothing and never releases: for storages that evict by themselves. */
class NoEvictionStrategyImpl implements EvictionStrategy {
  markRead(_key: CacheKey): void {}
  markWritten(_key: CacheKey, _entry: CacheEntry): void {}
  markReleased(_key: CacheKey): void {}
  nextToRelease(): CacheKey | undefined {
    return undefined
  }
}
export const NoEvictionStrategy = callable(NoEvictionStrategyImpl)
export type NoEvictionStrategy = NoEvictionStrategyImpl
