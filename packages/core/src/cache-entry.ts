import type { Timestamp } from './clock.js'

/** The string under which a storage keeps one memoized result. */
export type CacheKey = string

/**
 * A computed value plus the instants that govern its life. Plain data, safe to serialize.
 *
 * - before `updateAfter` the entry is fresh and served as is;
 * - from `updateAfter` it is still served, and one background refresh is started;
 * - from `expiresAfter` it is never served: callers wait for a fresh value.
 */
export interface CacheEntry<T = unknown> {
  readonly created: Timestamp
  readonly updateAfter: Timestamp
  readonly expiresAfter: Timestamp
  readonly value: T
}

/** Builds a {@link CacheEntry} from its parts (handy in tests and custom entry builders). */
export function cacheEntry<T>(
  created: Timestamp,
  updateAfter: Timestamp,
  expiresAfter: Timestamp,
  value: T,
): CacheEntry<T> {
  return { created, updateAfter, expiresAfter, value }
}

/** True when `value` has the shape of a {@link CacheEntry} (used to validate decoded data). */
export function isCacheEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false
  const entry = value as Record<string, unknown>
  return (
    Number.isFinite(entry.created) &&
    Number.isFinite(entry.updateAfter) &&
    Number.isFinite(entry.expiresAfter)
  )
}
