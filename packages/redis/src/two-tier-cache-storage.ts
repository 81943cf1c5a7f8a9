import {
  InvalidConfigurationError,
  systemClock,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type Clock,
  type Milliseconds,
} from '@memokit/core'
import { callable } from './callable.js'
import type { InvalidationListener, RedisInvalidationBus } from './redis-invalidation-bus.js'

export interface TwoTierCacheStorageOptions {
  /** The shared tier, usually a {@link RedisCacheStorage}. */
  remote: CacheStorage
  /**
   * Keeps the memory tiers of all processes coherent. Without a bus, another process's write
   * is seen here only when the local copy reaches `localMaxAge`.
   */
  bus?: RedisInvalidationBus
  /** Most entries in the memory tier (least recently used go first). @default 10_000 */
  localCapacity?: number
  /**
   * Longest an entry stays in the memory tier, however fresh it is: the bound on staleness
   * when invalidations cannot arrive (no bus). @default 60_000
   */
  localMaxAge?: Milliseconds
  /** @default systemClock */
  clock?: Clock
}

/** Counters of a {@link TwoTierCacheStorage} since it was created. */
export interface TwoTierCacheStorageStats {
  /** Reads answered by the memory tier (`getSync` and `get`). */
  readonly localHits: number
  /** Reads that went to the remote tier. */
  readonly remoteReads: number
  /** Local copies dropped because another process (or listener) invalidated them. */
  readonly invalidated: number
  /** Times the whole memory tier was dropped because bus messages may have been lost. */
  readonly resets: number
  /** Entries in the memory tier now. */
  readonly localSize: number
}

interface Local {
  readonly entry: CacheEntry
  readonly storedAt: number
}

/** A remote read in flight; `stale` is set when its key is invalidated meanwhile. */
interface RemoteRead {
  stale: boolean
  count: number
}

/**
 * A memory tier in front of a shared storage (usually Redis). Hits from memory are synchronous
 * (`getSync`, which the engine serves without a promise hop); misses read the remote tier and
 * keep a copy. Writes go to the remote tier first, then to memory, then to the
 * {@link RedisInvalidationBus} so every other process drops its copy.
 *
 * **Consistency window.** After a write or release in one process, another process may serve
 * its older memory copy until the bus message arrives (the pub/sub delivery time, typically
 * well under a millisecond on a LAN). When the bus subscription is down, the memory tier is
 * bypassed (every read goes to the remote tier) and it restarts empty once the subscription is
 * confirmed again, so a lost message never leaves a stale copy behind. A read racing with an
 * invalidation of its key is returned but not kept. Without a bus, the window is
 * `localMaxAge`.
 *
 * Use `NoEvictionStrategy` in the configuration: eviction releases would delete entries from
 * the shared tier for every process; the memory tier bounds itself (`localCapacity`).
 */
class TwoTierCacheStorageImpl implements CacheStorage {
  readonly remote: CacheStorage
  readonly bus: RedisInvalidationBus | undefined
  readonly localCapacity: number
  readonly localMaxAge: Milliseconds
  readonly #clock: Clock
  readonly #local = new Map<CacheKey, Local>()
  readonly #reads = new Map<CacheKey, RemoteRead>()
  readonly #listener: InvalidationListener
  readonly #unsubscribe: (() => void) | undefined
  readonly #stats = { localHits: 0, remoteReads: 0, invalidated: 0, resets: 0 }

  constructor(options: TwoTierCacheStorageOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('TwoTierCacheStorage needs an options object')
    const remote = options.remote as Partial<CacheStorage> | undefined
    if (
      remote === undefined ||
      typeof remote.get !== 'function' ||
      typeof remote.offer !== 'function' ||
      typeof remote.release !== 'function'
    )
      throw new InvalidConfigurationError('remote must be a CacheStorage (get, offer, release)')
    this.remote = options.remote
    const capacity = options.localCapacity ?? 10_000
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InvalidConfigurationError(
        `localCapacity must be a positive integer, got ${String(capacity)}`,
      )
    this.localCapacity = capacity
    const maxAge = options.localMaxAge ?? 60_000
    if (typeof maxAge !== 'number' || Number.isNaN(maxAge) || maxAge < 0)
      throw new InvalidConfigurationError(
        `localMaxAge must be a non-negative number of milliseconds, got ${String(maxAge)}`,
      )
    this.localMaxAge = maxAge
    this.#clock = options.clock ?? systemClock
    this.bus = options.bus
    this.#listener = {
      invalidate: (keys) => {
        for (const key of keys) this.#drop(key, true)
      },
      reset: () => this.#reset(),
    }
    this.#unsubscribe = this.bus?.subscribe(this.#listener)
  }

  /** The memory tier's copy, when it may be used. */
  getSync(key: CacheKey): CacheEntry | undefined {
    if (!this.#usable()) return undefined
    const local = this.#local.get(key)
    if (local === undefined) return undefined
    if (this.#clock.now() - local.storedAt >= this.localMaxAge) {
      this.#local.delete(key)
      return undefined
    }
    // Most recently used last: the Map's first key is the next to go.
    this.#local.delete(key)
    this.#local.set(key, local)
    this.#stats.localHits++
    return local.entry
  }

  async get(key: CacheKey): Promise<CacheEntry | undefined> {
    const cached = this.getSync(key)
    if (cached !== undefined) return cached
    this.#stats.remoteReads++
    let read = this.#reads.get(key)
    if (read === undefined) {
      read = { stale: false, count: 0 }
      this.#reads.set(key, read)
    }
    read.count++
    const keep = this.#usable()
    try {
      const entry = await this.remote.get(key)
      // Keep a copy only if nothing invalidated the key while we were reading.
      if (entry !== undefined && keep && !read.stale && this.#usable()) this.#store(key, entry)
      return entry
    } finally {
      if (--read.count === 0 && this.#reads.get(key) === read) this.#reads.delete(key)
    }
  }

  /**
   * Writes the remote tier, then keeps a copy, then tells the other processes. A fenced write
   * (see `fence`) keeps no copy: the remote tier may have declined it, and the next read
   * fetches whatever it holds.
   */
  async offer(key: CacheKey, entry: CacheEntry, fence?: unknown): Promise<void> {
    this.#drop(key, false)
    if (fence === undefined) await this.remote.offer(key, entry)
    else await this.remote.offer(key, entry, fence)
    if (fence === undefined && this.#usable()) this.#store(key, entry)
    await this.bus?.publish([key], this.#listener)
  }

  /** The remote tier's fence, when it has one (`RedisCacheStorage` does). */
  fence(key: CacheKey): unknown {
    return this.remote.fence?.(key)
  }

  /**
   * Drops the copy, releases the remote entry and tells the other processes. Rejects when the
   * remote release fails (for Redis, with a `RedisFaultError`); the others are told anyway.
   */
  async release(key: CacheKey): Promise<void> {
    this.#drop(key, false)
    try {
      await this.remote.release(key)
    } finally {
      await this.bus?.publish([key], this.#listener)
    }
  }

  /** Counters since creation. */
  stats(): TwoTierCacheStorageStats {
    return Object.freeze({ ...this.#stats, localSize: this.#local.size })
  }

  /** Drops every copy in the memory tier (the remote tier is untouched). */
  clearLocal(): void {
    this.#reset()
  }

  /** Stops listening to the bus (the bus itself stays open) and clears the memory tier. */
  close(): void {
    this.#unsubscribe?.()
    this.#local.clear()
  }

  /** The memory tier may be used: no bus, or a bus whose subscription is confirmed. */
  #usable(): boolean {
    return this.bus === undefined || this.bus.synced
  }

  #store(key: CacheKey, entry: CacheEntry): void {
    this.#local.delete(key)
    this.#local.set(key, { entry, storedAt: this.#clock.now() })
    if (this.#local.size > this.localCapacity) {
      const oldest = this.#local.keys().next().value
      if (oldest !== undefined) this.#local.delete(oldest)
    }
  }

  #drop(key: CacheKey, remote: boolean): void {
    if (this.#local.delete(key) && remote) this.#stats.invalidated++
    const read = this.#reads.get(key)
    if (read !== undefined) read.stale = true
  }

  #reset(): void {
    this.#stats.resets++
    this.#local.clear()
    for (const read of this.#reads.values()) read.stale = true
  }
}
export const TwoTierCacheStorage = callable(TwoTierCacheStorageImpl)
export type TwoTierCacheStorage = TwoTierCacheStorageImpl
