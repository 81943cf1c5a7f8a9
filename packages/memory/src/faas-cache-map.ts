import { systemClock, type Clock, type Milliseconds, type Timestamp } from '@memokit/core'
import type { ByteSize } from './byte-size.js'
import { callable } from './callable.js'
import { KeyNotFoundError } from './errors.js'
import { LruTtlStore, type OnDelete, type StoreNode } from './lru-ttl-store.js'
import { CUSTOM_BYTE_SIZE, SIZE_MODEL } from './size-estimate.js'
import {
  changedMaxSizeBytes,
  initialMaxSizeBytes,
  optionalFunction,
  resolveInstant,
  resolveMaxItems,
  resolvePurgeInterval,
  resolveTtl,
} from './options.js'

export interface FaasCacheMapOptions<K, V> {
  /**
   * Lifetime of entries written from now on, in ms (`null`, `undefined` or `Infinity`: they
   * never expire). Also settable later through {@link FaasCacheMap.defaultTtl}.
   * @default undefined
   */
  defaultTtl?: Milliseconds | null
  /**
   * Byte budget for the estimated size of all entries (keys, values and per-entry overhead):
   * a number of bytes or a string like `'128M'` (K, M, G, T are binary multiples). `null`: no
   * byte limit. Not given: on AWS Lambda a quarter of the function's memory (see
   * `lambdaMemoryBudget`), elsewhere no byte limit.
   */
  maxSizeBytes?: ByteSize | null
  /** Most entries kept (`null` or not given: no limit). */
  maxItems?: number | null
  /**
   * Called for every entry that leaves the map (deleted, evicted, expired, cleared), once the
   * map is consistent again, in removal order. Overwriting a key is not a removal. Whatever
   * it throws is swallowed and passed to {@link onError}.
   */
  onDelete?: OnDelete<K, V>
  /** Receives errors thrown by `onDelete`. Default: one process warning per map. */
  onError?: (error: unknown) => void
  /** The source of time for TTLs and the purge timer. @default systemClock */
  clock?: Clock
  /**
   * Period of the background purge of expired entries, in ms, or `false` for none. The timer
   * runs only while some entry has a TTL, is unref'd, and holds the map only weakly.
   * @default 5000
   */
  purgeInterval?: Milliseconds | false
  /**
   * Replaces the built-in size estimate: returns the bytes of `key` + `value` (the per-entry
   * overhead is added). Useful when sizes are known exactly, e.g. `Buffer` values.
   */
  sizeCalculation?: (key: K, value: V) => number
  /** Initial entries, written in order as by `set`. */
  entries?: Iterable<readonly [K, V]>
}

const inspect = Symbol.for('nodejs.util.inspect.custom')

/**
 * A `Map` bounded by bytes and item count, in LRU order, with per-entry TTLs: the
 * faas-cache-dict port. Keep one in a module-level variable of a serverless function and it
 * caches across warm invocations without outgrowing the function's memory.
 *
 * It implements `Map<K, V>` and can be passed wherever one is typed (`MemoizedLambda`'s
 * `cache`, for example), but it is not a subclass: `instanceof Map` is false, because a `Map`
 * subclass would carry a second, always-empty built-in table that `Map.prototype` methods
 * called directly on it (`Map.prototype.get.call(...)`, `structuredClone`) would silently read.
 *
 * Semantics:
 * - keys are compared like `Map` keys (SameValueZero): any value can be a key;
 * - `get` makes the entry the most recently used; `set` stores it as the most recently used;
 *   `has`, `peek`, iteration and the TTL methods do not change the order;
 * - when a write needs room, expired entries are purged first, then least recently used ones
 *   are evicted; overwriting a key never evicts for the item limit;
 * - an entry is expired once `now >= its expiry`; expired entries are never returned, counted
 *   or iterated, and reads do not extend a TTL;
 * - an item whose estimated size alone exceeds `maxSizeBytes` makes `set` throw
 *   `DataTooLargeError` without evicting anything.
 */
class FaasCacheMapImpl<K, V> implements Map<K, V> {
  readonly #store: LruTtlStore<K, V>
  #defaultTtl: Milliseconds | undefined

  constructor(options: FaasCacheMapOptions<K, V> = {}) {
    this.#defaultTtl = resolveTtl('defaultTtl', options.defaultTtl)
    this.#store = new LruTtlStore<K, V>({
      maxSizeBytes: initialMaxSizeBytes(options.maxSizeBytes),
      maxItems: resolveMaxItems(options.maxItems),
      clock: options.clock ?? systemClock,
      purgeInterval: resolvePurgeInterval(options.purgeInterval),
      onDelete: optionalFunction('onDelete', options.onDelete),
      onError: optionalFunction('onError', options.onError),
      sizeCalculation: optionalFunction('sizeCalculation', options.sizeCalculation),
      name: 'FaasCacheMap',
    })
    if (options.entries !== undefined)
      for (const [key, value] of options.entries) this.set(key, value)
  }

  // ---------------------------------------------------------------------------------------
  // Map

  /** The value for `key`, now the most recently used entry; `undefined` if absent or expired. */
  get(key: K): V | undefined {
    return this.#store.find(key, true)?.value
  }

  /**
   * Stores `value` under `key` as the most recently used entry, expiring after `defaultTtl`.
   * Makes room first if needed: expired entries go first, then the least recently used.
   *
   * @throws DataTooLargeError when key + value alone exceed `maxSizeBytes` (nothing changes)
   */
  set(key: K, value: V): this {
    const ttl = this.#defaultTtl
    this.#store.write(key, value, ttl === undefined ? Infinity : this.#store.now() + ttl)
    return this
  }

  /** Whether `key` has a live entry. Does not change the LRU order. */
  has(key: K): boolean {
    return this.#store.find(key, false) !== undefined
  }

  /** Removes the entry for `key` (`onDelete` reason `'delete'`); false if there was none. */
  delete(key: K): boolean {
    return this.#store.remove(key, 'delete')
  }

  /** Removes every entry (`onDelete` reason `'clear'`, or `'expire'` for expired ones). */
  clear(): void {
    this.#store.clear()
  }

  /** Number of live entries (expired entries are purged first). */
  get size(): number {
    this.#store.purgeExpired()
    return this.#store.count
  }

  /**
   * Live entries, least recently used first. Iteration works on the entries live when it
   * starts and does not change the LRU order: reading or writing during it is safe; entries
   * removed or expired meanwhile are skipped, entries added meanwhile are not visited.
   */
  *entries(): MapIterator<[K, V]> {
    for (const node of this.#store.snapshot())
      if (this.#store.isCurrent(node)) yield [node.key, node.value]
  }

  /** Live keys, least recently used first (see {@link entries}). */
  *keys(): MapIterator<K> {
    for (const node of this.#store.snapshot()) if (this.#store.isCurrent(node)) yield node.key
  }

  /** Live values, least recently used first (see {@link entries}). */
  *values(): MapIterator<V> {
    for (const node of this.#store.snapshot()) if (this.#store.isCurrent(node)) yield node.value
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }

  /** Calls `callback` for each live entry, least recently used first (see {@link entries}). */
  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const node of this.#store.snapshot())
      if (this.#store.isCurrent(node)) callback.call(thisArg, node.value, node.key, this)
  }

  get [Symbol.toStringTag](): string {
    return 'FaasCacheMap'
  }

  // ---------------------------------------------------------------------------------------
  // Cache

  /** The value for `key` without making it the most recently used. */
  peek(key: K): V | undefined {
    return this.#store.find(key, false)?.value
  }

  /**
   * Lifetime in ms given to entries written from now on; `undefined` when they never expire.
   * Changing it does not affect entries already stored (see {@link setTtl}).
   */
  get defaultTtl(): Milliseconds | undefined {
    return this.#defaultTtl
  }

  set defaultTtl(ttl: Milliseconds | null | undefined) {
    this.#defaultTtl = resolveTtl('defaultTtl', ttl)
  }

  /** Remaining lifetime of `key` in ms, or `undefined` when it never expires. */
  getTtl(key: K): Milliseconds | undefined {
    const node = this.#live(key, 'getTtl')
    return node.expiresAt === Infinity ? undefined : node.expiresAt - this.#store.now()
  }

  /**
   * Makes `key` expire `ttl` ms from now (`0`: at once; `null`, `undefined` or `Infinity`:
   * never). Does not change the LRU order.
   *
   * @throws KeyNotFoundError when `key` has no live entry
   */
  setTtl(key: K, ttl: Milliseconds | null | undefined): void {
    const resolved = resolveTtl('ttl', ttl)
    const node = this.#live(key, 'setTtl')
    this.#store.retime(node, resolved === undefined ? Infinity : this.#store.now() + resolved)
  }

  /**
   * Makes `key` expire at the instant `at` (epoch ms; in the past: at once; `Infinity`:
   * never). Does not change the LRU order.
   *
   * @throws KeyNotFoundError when `key` has no live entry
   */
  expireAt(key: K, at: Timestamp): void {
    const instant = resolveInstant('expireAt', at)
    const node = this.#live(key, 'expireAt')
    this.#store.retime(node, instant)
  }

  /**
   * `true` when `key` has an expired entry not purged yet, `false` when it has a live one,
   * `undefined` when the map holds nothing for it. Removes nothing.
   */
  isExpired(key: K): boolean | undefined {
    const node = this.#store.peekNode(key)
    if (node === undefined) return undefined
    return node.expiresAt !== Infinity && node.expiresAt <= this.#store.now()
  }

  /** Removes every expired entry now (`onDelete` reason `'expire'`); returns how many. */
  purgeExpired(): number {
    return this.#store.purgeExpired()
  }

  // ---------------------------------------------------------------------------------------
  // Size

  /**
   * Estimated bytes of the live entries (keys, values, per-entry overhead), as counted when
   * each was written or last {@link resize}d. Expired entries are purged first.
   */
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

  /**
   * Changes the byte budget (`null` or `undefined`: no limit) and evicts to fit it: expired
   * entries first, then the least recently used.
   */
  changeByteSize(maxSizeBytes: ByteSize | null | undefined): void {
    this.#store.setMaxBytes(changedMaxSizeBytes(maxSizeBytes))
  }

  /** Changes the item limit (`null` or `undefined`: no limit) and evicts to fit it. */
  changeMaxItems(maxItems: number | null | undefined): void {
    this.#store.setMaxItems(resolveMaxItems(maxItems))
  }

  /**
   * Measures the entry of `key` again, for a value changed in place after `set` (sizes are
   * otherwise computed once, on write). Evicts other entries if it grew past the budget; does
   * not change the LRU order. Returns the new size in bytes, or `undefined` if `key` has no
   * live entry.
   *
   * @throws DataTooLargeError when the entry alone now exceeds the budget: it is evicted
   */
  resize(key: K): number | undefined {
    const node = this.#store.find(key, false)
    return node === undefined ? undefined : this.#store.resize(node)
  }

  /**
   * Stops the background purge timer for good. The map keeps working; expired entries are
   * still dropped whenever they are found or room is needed.
   */
  close(): void {
    this.#store.close()
  }

  /** The estimated size of this map as a value held in another store: its own entries. */
  [CUSTOM_BYTE_SIZE](): number {
    return SIZE_MODEL.objectBase + this.#store.bytes
  }

  /** A summary without keys or values (they may hold user data). */
  [inspect](): string {
    return (
      `FaasCacheMap { size: ${this.#store.count}, byteSize: ${this.#store.bytes}, ` +
      `defaultTtl: ${String(this.#defaultTtl)}, maxSizeBytes: ${String(this.maxSizeBytes)}, ` +
      `maxItems: ${String(this.maxItems)} }`
    )
  }

  #live(key: K, operation: string): StoreNode<K, V> {
    const node = this.#store.find(key, false)
    if (node === undefined) throw new KeyNotFoundError(operation)
    return node
  }
}

/**
 * The constructor type of {@link FaasCacheMap}: `new FaasCacheMap<K, V>(options)` or, without
 * `new`, `FaasCacheMap<K, V>(options)`.
 */
export type FaasCacheMapConstructor = typeof FaasCacheMapImpl &
  (<K = unknown, V = unknown>(options?: FaasCacheMapOptions<K, V>) => FaasCacheMapImpl<K, V>)

export const FaasCacheMap = callable(FaasCacheMapImpl) as FaasCacheMapConstructor
export type FaasCacheMap<K = unknown, V = unknown> = FaasCacheMapImpl<K, V>
