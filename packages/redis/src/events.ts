import { channel } from 'node:diagnostics_channel'
import type { CacheKey } from '@memokit/core'

/** What a memokit Redis component reports. */
export type RedisEventType =
  /** A Redis operation failed (timeout, unavailable, error reply); the caller was not affected. */
  | 'fault'
  /** A stored value or a message was unreadable (garbage, wrong key, wrong type, bad payload). */
  | 'corrupt'
  /** A value over `maxValueBytes` was refused (on write) or not transferred (on read). */
  | 'oversize'
  /** The circuit breaker opened: commands are not sent for its cooldown. */
  | 'breaker-open'
  /** The circuit breaker closed again after a successful reply. */
  | 'breaker-closed'
  /** The invalidation bus lost its subscription: local copies were dropped (bus only). */
  | 'resync'

/**
 * One event. `key` is a cache key (it may encode argument values: memokit never logs it; your
 * listener decides). Values are never included.
 */
export interface RedisEvent {
  readonly type: RedisEventType
  /** The component: 'storage', 'update-statuses', 'invalidation-bus' or 'two-tier'. */
  readonly source: string
  /** The operation involved: 'get', 'offer', 'release', 'claim', 'renew', 'publish', ... */
  readonly operation?: string
  readonly key?: CacheKey
  /** The fault, or what was wrong with the data. */
  readonly error?: unknown
  /** For 'corrupt': why the data was refused. */
  readonly reason?: string
  /** For 'oversize': the size in bytes (at least this many when read). */
  readonly bytes?: number
}

export type RedisEventListener = (event: RedisEvent) => void

/** Every memokit Redis event is also published on this `node:diagnostics_channel`. */
export const REDIS_DIAGNOSTICS_CHANNEL = 'memokit:redis'
const diagnostics = channel(REDIS_DIAGNOSTICS_CHANNEL)

/** @internal Listeners of one component; emitting costs nothing when nobody listens. */
export class RedisEvents {
  readonly #listeners: RedisEventListener[] = []
  readonly #source: string

  constructor(source: string, initial?: RedisEventListener) {
    this.#source = source
    if (initial !== undefined) this.#listeners.push(initial)
  }

  get active(): boolean {
    return this.#listeners.length > 0 || diagnostics.hasSubscribers
  }

  on(listener: RedisEventListener): () => void {
    this.#listeners.push(listener)
    return () => this.off(listener)
  }

  off(listener: RedisEventListener): void {
    const index = this.#listeners.indexOf(listener)
    if (index >= 0) this.#listeners.splice(index, 1)
  }

  emit(event: Omit<RedisEvent, 'source'>): void {
    if (!this.active) return
    const full: RedisEvent = { source: this.#source, ...event }
    for (const listener of this.#listeners) {
      try {
        listener(full)
      } catch {
        // A failing listener must never break a cache operation.
      }
    }
    if (diagnostics.hasSubscribers) diagnostics.publish(full)
  }
}
