import {
  InvalidConfigurationError,
  systemClock,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type Clock,
  type Milliseconds,
} from '@memokit/core'
import type { ByteSize } from './byte-size.js'
import { callable } from './callable.js'
import { LruTtlStore, type OnDelete } from './lru-ttl-store.js'
import { SIZE_MODEL } from './size-estimate.js'
import {
  changedMaxSizeBytes,
  initialMaxSizeBytes,
  optionalFunction,
  resolveMaxItems,
  resolvePurgeInterval,
  resolveTtl,
} from './options.js'

export interface MemoryCacheStorageOptions {
  /**
   * Byte budget for the estimated size of all entries (key strings, entries with their
   * values, per-entry overhead): a number or a string like `'64M'` (K, M, G, T are binary
   * multiples). `null`: no byte limit. Not given: on AWS Lambda a quarter of the function's
   * memory (see `lambdaMemoryBudget`), elsewhere no byte limit.
   */
  maxSizeBytes?: ByteSize | null
  /** Most entries kept (`null` or not given: no limit). */
  maxItems?: number | null
  /**
   * Longest time an entry stays in memory after it was offered, in ms, on top of its own
   * `expiresAfter` (whichever comes first). `null`/not given: entries stay until
   * `expiresAfter` (or until evicted).
   */
  defaultTtl?: Milliseconds | null
  /** The source of time for expiry and the purge timer. @default systemClock */
  clock?: Clock
  /** Period of the background purge of expired entries in ms, or `false`. @default 5000 */
  purgeInterval?: Milliseconds | false
  /** Called for every entry that leaves the storage (see `FaasCacheMapOptions.onDelete`). */
  onDelete?: OnDelete<CacheKey, CacheEntry>
  /** Receives errors thrown by `onDelete`. Default: one process warning per storage. */
  onError?: (error: unknown) => void
}

/**
 * A `CacheStorage` in this process, bounded by estimated bytes and item count: the engine of
 * `FaasCacheMap` behind memokit's storage interface. Entries are dropped at their
 * `expiresAfter`; when room is needed, expired entries go first, then the least recently used
 * (a hit, through `get` or the engine's `getSync` fast path, makes an entry the most recently
 * used). It evicts by itself, so pair it with core's `NoEvictionStrategy` (the
 * `MemoryCacheConfiguration` preset does).
 *
 * `offer` rejects with `DataTooLargeError` when one entry alone exceeds the byte budget; the
 * engine then hands the value to its callers uncached and counts the fault. Entries are kept
 * by reference, not copied: use `DeepcopyPostprocessing` if callers mutate results.
 */
class MemoryCacheStorageImpl implements CacheStorage {
  readonly #store: LruTtlStore<CacheKey, CacheEntry>
  readonly #clock: Clock
  readonly #defaultTtl: Milliseconds | undefined

  constructor(options: MemoryCacheStorageOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('MemoryCacheStorage needs an options object')
    this.#clock = options.clock ?? systemClock
    this.#defaultTtl = resolveTtl('defaultTtl', options.defaultTtl)
    this.#store = new LruTtlStore<CacheKey, CacheEntry>({
      maxSizeBytes: initialMaxSizeBytes(options.maxSizeBytes),
      maxItems: resolveMaxItems(options.maxItems),
      clock: this.#clock,
      purgeInterval: resolvePurgeInterval(options.purgeInterval),
      onDelete: optionalFunction('onDelete', options.onDelete),
      onError: optionalFunction('onError', options.onError),
      entryOverhead: SIZE_MODEL.entryOverhead + SIZE_MODEL.keptPromise,
      name: 'MemoryCacheStorage',
    })
  }

  /** The live entry for `key` (now the most recently used), or `undefined`. */
  getSync(key: CacheKey): CacheEntry | undefined {
    return this.#store.find(key, true)?.value
  }

  get(key: CacheKey): Promise<CacheEntry | undefined> {
    return Promise.resolve(this.getSync(key))
  }

  /**
   * Stores `entry` as the most recently used, to be dropped at its `expiresAfter` (or after
   * `defaultTtl`, if sooner). Rejects with `DataTooLargeError` when it alone exceeds the
   * byte budget; nothing is evicted then.
   */
  offer(key: CacheKey, entry: CacheEntry): Promise<void> {
    try {
      const expiresAfter = entry.expiresAfter
      if (typeof expiresAfter !== 'number' || Number.isNaN(expiresAfter))
        throw new InvalidConfigurationError(
          `the entry offered has no valid expiresAfter instant: ${String(expiresAfter)}`,
        )
      const ttl = this.#defaultTtl
      const cap = ttl === undefined ? Infinity : this.#clock.now() + ttl
      this.#store.write(key, entry, Math.min(expiresAfter, cap))
      return Promise.resolve()
    } catch (error) {
      return Promise.reject(error)
    }
  }

  release(key: CacheKey): Promise<void> {
    this.#store.remove(key, 'delete')
    return Promise.resolve()
  }

  /** Number of live entries (expired ones are purged first). */
  get size(): number {
    this.#store.purgeExpired()
    return this.#store.count
  }

  /** Estimated bytes of the live entries (expired ones are purged first). */
  get byteSize(): number {
    this.#store.purgeExpired()
    return this.#store.bytes
  }

  /** The byte budget, or `undefined` when there is none. */
  get maxSizeBytes(): number | undefined {
    const max = this.#store.maxBytes
    return max === Infinity ? undefined : max
  }

  /** The item limit, or `undefined` when there is none. */
  get maxItems(): number | undefined {
    const max = this.#store.maxItems
    return max === Infinity ? undefined : max
  }

  /** Live keys, least recently used first. Does not change the LRU order. */
  *keys(): IterableIterator<CacheKey> {
    for (const node of this.#store.snapshot()) if (this.#store.isCurrent(node)) yield node.key
  }

  /** Live `[key, entry]` pairs, least recently used first. Does not change the LRU order. */
  *entries(): IterableIterator<[CacheKey, CacheEntry]> {
    for (const node of this.#store.snapshot())
      if (this.#store.isCurrent(node)) yield [node.key, node.value]
  }

  /** Changes the byte budget (`null`/`undefined`: none), evicting to fit. */
  changeByteSize(maxSizeBytes: ByteSize | null | undefined): void {
    this.#store.setMaxBytes(changedMaxSizeBytes(maxSizeBytes))
  }

  /** Changes the item limit (`null`/`undefined`: none), evicting to fit. */
  changeMaxItems(maxItems: number | null | undefined): void {
    this.#store.setMaxItems(resolveMaxItems(maxItems))
  }

  /**
   * Measures the entry of `key` again after its value was changed in place; see
   * `FaasCacheMap.resize`.
   */
  resize(key: CacheKey): number | undefined {
    const node = this.#store.find(key, false)
    return node === undefined ? undefined : this.#store.resize(node)
  }

  /** Removes every expired entry now; returns how many. */
  purgeExpired(): number {
    return this.#store.purgeExpired()
  }

  /** Removes every entry. */
  clear(): void {
    this.#store.clear()
  }

  /** Stops the background purge timer for good; the storage keeps working. */
  close(): void {
    this.#store.close()
  }
}
export const MemoryCacheStorage = callable(MemoryCacheStorageImpl)
export type MemoryCacheStorage = MemoryCacheStorageImpl
