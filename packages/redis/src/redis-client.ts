import type { Cluster, Redis } from 'ioredis'
import { InvalidConfigurationError, type CacheKey, type Milliseconds } from '@memokit/core'
import { circuitBreakerOf, RedisCircuitBreaker } from './circuit-breaker.js'
import { clusterSlot } from './cluster-slot.js'
import {
  RedisCommandError,
  RedisTimeoutError,
  RedisUnavailableError,
  type RedisFaultError,
} from './errors.js'
import type { RedisEvents } from './events.js'
import { describe } from './describe.js'

/** An ioredis client: a standalone `Redis` (or Sentinel) connection or a `Cluster`. */
export type RedisClient = Redis | Cluster

/** @internal */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true
}

/** @internal Checks the `client` option. */
export function requireClient(value: unknown): RedisClient {
  const client = value as Partial<Redis> | null
  if (
    client === null ||
    typeof client !== 'object' ||
    typeof client.duplicate !== 'function' ||
    typeof client.defineCommand !== 'function'
  )
    throw new InvalidConfigurationError(
      `client must be an ioredis Redis or Cluster instance, got ${value === null ? 'null' : typeof value}`,
    )
  return value as RedisClient
}

/** @internal Checks an `operationTimeout`-like option: a positive, finite number of ms. */
export function requireTimeout(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1)
    throw new InvalidConfigurationError(
      `${name} must be a positive, finite number of milliseconds, got ${describe(value)}`,
    )
  return value
}

/**
 * A connection for SUBSCRIBE, made from `client` with the same options. Its offline queue is on,
 * so the first SUBSCRIBE waits for the connection instead of failing.
 *
 * @internal
 */
export function duplicateForSubscriber(client: RedisClient): RedisClient {
  const subscriber: RedisClient = isCluster(client)
    ? client.duplicate(undefined, { enableOfflineQueue: true, lazyConnect: false })
    : client.duplicate({ enableOfflineQueue: true, lazyConnect: false })
  subscriber.on('error', () => {}) // faults surface through the operations that need it
  return subscriber
}

/** Client states in which nothing can be sent until a reconnection succeeds. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end', 'disconnecting'])

/** Error replies that mean the server cannot serve anything right now. */
const UNHEALTHY_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY)\b/

/** Counters of one guard (one component). */
export interface FaultCounters {
  faults: number
  timeouts: number
  unavailable: number
}

/**
 * Runs Redis operations under memokit's own deadline and the circuit breaker, whatever the
 * client's options: ioredis can keep a command pending for a minute or more while it
 * reconnects or while the server is hung, and memokit must answer callers well before that.
 *
 * @internal
 */
export class RedisGuard {
  readonly client: RedisClient
  readonly operationTimeout: Milliseconds
  readonly breaker: RedisCircuitBreaker | undefined
  readonly counters: FaultCounters = { faults: 0, timeouts: 0, unavailable: 0 }
  readonly #events: RedisEvents

  constructor(
    client: RedisClient,
    operationTimeout: Milliseconds,
    breaker: RedisCircuitBreaker | false | undefined,
    events: RedisEvents,
  ) {
    this.client = client
    this.operationTimeout = operationTimeout
    if (breaker !== undefined && breaker !== false && !(breaker instanceof RedisCircuitBreaker))
      throw new InvalidConfigurationError(
        'circuitBreaker must be a RedisCircuitBreaker, false, or left out',
      )
    this.breaker = breaker === false ? undefined : (breaker ?? circuitBreakerOf(client))
    this.#events = events
  }

  /** True when the client is connected and the breaker lets commands through. */
  get available(): boolean {
    return (
      !DISCONNECTED.has(this.client.status) &&
      (this.breaker === undefined || this.breaker.state !== 'open')
    )
  }

  /**
   * Sends one operation and settles within `timeout` ms: with its reply, or with a
   * {@link RedisFaultError}. A reply that arrives later is dropped.
   */
  run<T>(
    operation: string,
    key: CacheKey | undefined,
    send: () => Promise<T>,
    timeout: Milliseconds = this.operationTimeout,
  ): Promise<T> {
    return this.#run(operation, key, send, timeout, this.breaker)
  }

  /**
   * {@link run} for an operation on one Redis key. On a Redis Cluster it runs under the breaker
   * of the master serving the key's slot: a dead master then fails fast for its own keys only,
   * while the other masters keep serving theirs.
   */
  runOn<T>(
    redisKey: string,
    operation: string,
    key: CacheKey | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    return this.#run(operation, key, send, this.operationTimeout, this.#breakerFor(redisKey))
  }

  #breakerFor(redisKey: string): RedisCircuitBreaker | undefined {
    const breaker = this.breaker
    if (breaker === undefined || !isCluster(this.client)) return breaker
    const node = this.client.slots[clusterSlot(redisKey)]?.[0]
    return node === undefined ? breaker : breaker.forNode(node)
  }

  #run<T>(
    operation: string,
    key: CacheKey | undefined,
    send: () => Promise<T>,
    timeout: Milliseconds,
    breaker: RedisCircuitBreaker | undefined,
  ): Promise<T> {
    const status = this.client.status
    if (DISCONNECTED.has(status))
      return this.#unavailable(operation, key, `the client is ${status}`)
    if (breaker !== undefined && !breaker.allow())
      return this.#unavailable(operation, key, 'the circuit breaker is open after repeated faults')
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        if (settled) return
        settled = true
        reject(
          this.#fault(operation, key, new RedisTimeoutError(operation, timeout), true, breaker),
        )
      }, timeout)
      // The pending command's socket keeps the process alive; this deadline alone must not.
      timer.unref()
      const fail = (error: unknown): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(this.#classify(operation, key, error, breaker))
      }
      let pending: Promise<T>
      try {
        pending = send()
      } catch (error) {
        fail(error)
        return
      }
      pending.then((value) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (breaker?.success()) this.#events.emit({ type: 'breaker-closed', operation })
        resolve(value)
      }, fail)
    })
  }

  #unavailable<T>(operation: string, key: CacheKey | undefined, why: string): Promise<T> {
    this.counters.unavailable++
    this.counters.faults++
    const error = new RedisUnavailableError(operation, why)
    if (this.#events.active) this.#events.emit({ type: 'fault', operation, key, error })
    return Promise.reject(error)
  }

  #classify(
    operation: string,
    key: CacheKey | undefined,
    error: unknown,
    breaker: RedisCircuitBreaker | undefined,
  ): RedisFaultError {
    const reply = (error as { name?: unknown } | null)?.name === 'ReplyError'
    const message = error instanceof Error ? error.message : String(error)
    if (reply && message.startsWith('WRONGTYPE')) {
      // Data, not a fault: the caller reports it (a key of another type is corrupt data).
      breaker?.success()
      return new RedisCommandError(operation, message, { cause: error })
    }
    const unhealthy = !reply || UNHEALTHY_REPLY.test(message)
    if (!unhealthy && breaker?.success()) this.#events.emit({ type: 'breaker-closed', operation })
    return this.#fault(
      operation,
      key,
      new RedisCommandError(operation, message, { cause: error }),
      unhealthy,
      breaker,
    )
  }

  #fault(
    operation: string,
    key: CacheKey | undefined,
    error: RedisFaultError,
    unhealthy: boolean,
    breaker: RedisCircuitBreaker | undefined,
  ): RedisFaultError {
    this.counters.faults++
    if (error instanceof RedisTimeoutError) this.counters.timeouts++
    if (this.#events.active) this.#events.emit({ type: 'fault', operation, key, error })
    if (unhealthy && breaker?.failure())
      this.#events.emit({ type: 'breaker-open', operation, error })
    return error
  }
}
