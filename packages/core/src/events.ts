import { channel } from 'node:diagnostics_channel'
import type { CacheKey } from './cache-entry.js'

/** What happened in a memoized method. */
export type CacheEventType =
  | 'hit'
  | 'miss'
  | 'stale'
  | 'refresh'
  | 'refresh-failed'
  | 'timeout'
  | 'evict'
  | 'invalidate'
  | 'error'

/**
 * One event. `key` is the cache key (it encodes argument values: memokit never logs it; your
 * listener decides). `error` is set for 'refresh-failed', 'timeout' and 'error' (a fault memokit
 * absorbed, e.g. a storage that could not be read).
 */
export interface CacheEvent {
  readonly type: CacheEventType
  /** `Class.method` or the function name. */
  readonly method: string
  readonly key: CacheKey
  /** Milliseconds the method ran, for 'refresh', 'refresh-failed' and 'timeout'. */
  readonly duration?: number
  readonly error?: unknown
  /** For 'error': which part failed ('storage.get', 'storage.offer', 'updateStatuses', ...). */
  readonly source?: string
}

export type CacheEventListener = (event: CacheEvent) => void

/** Every event of every memoized method is also published on this `node:diagnostics_channel`. */
export const DIAGNOSTICS_CHANNEL = 'memokit:cache'
const diagnostics = channel(DIAGNOSTICS_CHANNEL)

/** @internal Per-method listeners; emitting costs nothing when nobody listens. */
export class CacheEvents {
  readonly #listeners: CacheEventListener[] = []

  get active(): boolean {
    return this.#listeners.length > 0 || diagnostics.hasSubscribers
  }

  on(listener: CacheEventListener): () => void {
    this.#listeners.push(listener)
    return () => this.off(listener)
  }

  off(listener: CacheEventListener): void {
    const index = this.#listeners.indexOf(listener)
    if (index >= 0) this.#listeners.splice(index, 1)
  }

  emit(event: CacheEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch {
        // A failing listener must never break a memoized call.
      }
    }
    if (diagnostics.hasSubscribers) diagnostics.publish(event)
  }
}

/** Counters of one memoized method since it was created. */
export interface MemoizeStats {
  /** Calls answered with a fresh entry. */
  readonly hits: number
  /** Calls that found no usable entry and waited for a refresh. */
  readonly misses: number
  /** Calls answered with an entry past `updateAfter` (a background refresh was started). */
  readonly staleHits: number
  /** Calls that waited on a refresh another call had started. */
  readonly joined: number
  /** Refreshes that stored a new entry (or handed it to waiters). */
  readonly refreshes: number
  /** Refreshes that failed (method error, including timeouts). */
  readonly refreshFailures: number
  /** Refreshes that hit the method timeout (also counted in `refreshFailures`). */
  readonly timeouts: number
  /** Entries released by the eviction strategy. */
  readonly evictions: number
  /** Keys invalidated. */
  readonly invalidations: number
  /** Faults absorbed (storage or update-status errors); see the 'error' event. */
  readonly errors: number
  /** Stale calls that started no refresh: the last one failed less than `refreshBackoff` ago. */
  readonly deferredRefreshes: number
}

/** @internal */
export function emptyStats(): { -readonly [K in keyof MemoizeStats]: number } {
  return {
    hits: 0,
    misses: 0,
    staleHits: 0,
    joined: 0,
    refreshes: 0,
    refreshFailures: 0,
    timeouts: 0,
    evictions: 0,
    invalidations: 0,
    errors: 0,
    deferredRefreshes: 0,
  }
}
