import { randomBytes } from 'node:crypto'
import { InvalidConfigurationError, type CacheKey, type Milliseconds } from '@memokit/core'
import { callable } from './callable.js'
import type { RedisCircuitBreaker } from './circuit-breaker.js'
import { RedisUnavailableError } from './errors.js'
import { RedisEvents, type RedisEventListener } from './events.js'
import { checkNamespace, RedisNames } from './keys.js'
import {
  duplicateForSubscriber,
  RedisGuard,
  requireClient,
  requireTimeout,
  type RedisClient,
} from './redis-client.js'

export interface RedisInvalidationBusOptions {
  /** A connected ioredis `Redis` or `Cluster`, used to publish. Never closed by the bus. */
  client: RedisClient
  /** The channel is `<namespace>:bus`. @default 'memokit' */
  namespace?: string
  /**
   * A connection for SUBSCRIBE. @default `client.duplicate()`, opened by the first `subscribe`
   * and closed by {@link RedisInvalidationBus.close}
   */
  subscriber?: RedisClient
  /** Deadline of every publish, enforced whatever the client's options. @default 500 */
  operationTimeout?: Milliseconds
  /** Most keys per message; longer lists are split. @default 1000 */
  maxKeysPerMessage?: number
  /** @default the breaker shared by every memokit component on this client */
  circuitBreaker?: RedisCircuitBreaker | false
  /** Called for every event (faults, unreadable messages, resyncs). */
  onEvent?: RedisEventListener
}

/** Receives invalidations published by other processes (and other subscribers here). */
export interface InvalidationListener {
  /** These keys changed or were released elsewhere: drop local copies. */
  invalidate(keys: readonly CacheKey[]): void
  /**
   * Messages may have been lost (the subscription dropped and was re-established, or it is
   * down): drop every local copy.
   */
  reset(): void
}

/** Counters of a {@link RedisInvalidationBus} since it was created. */
export interface RedisInvalidationBusStats {
  /** Messages published. */
  readonly published: number
  /** Messages received from other processes. */
  readonly received: number
  /** Own messages ignored when they came back. */
  readonly ownIgnored: number
  /** Unreadable messages ignored. */
  readonly corrupt: number
  /** Times the subscription was lost and listeners were told to reset. */
  readonly resyncs: number
  readonly faults: number
  readonly timeouts: number
  readonly unavailable: number
}

interface BusMessage {
  v: 1
  /** Origin: the publishing bus, so it ignores its own messages. */
  o: string
  /** Keys. */
  k: CacheKey[]
}

/**
 * An invalidation bus on Redis pub/sub (`<namespace>:bus`): what one process writes or
 * releases, the others drop from their memory tiers. Every message carries the publishing bus's
 * random origin id, so a process ignores its own. Subscribers in the same process (other than
 * the publisher) are told directly.
 *
 * Delivery is at most once. Whenever the subscription is down, listeners are told to `reset`
 * (drop everything) once it is back, so a lost message costs a cold memory tier, never a stale
 * one kept forever. {@link TwoTierCacheStorage} documents the resulting consistency window.
 */
class RedisInvalidationBusImpl {
  readonly client: RedisClient
  readonly namespace: string
  readonly channel: string
  /** This bus's random id, carried by its messages. */
  readonly origin = randomBytes(12).toString('base64url')
  readonly maxKeysPerMessage: number
  readonly #guard: RedisGuard
  readonly #events: RedisEvents
  readonly #listeners = new Set<InvalidationListener>()
  readonly #ownsSubscriber: boolean
  #subscriber: RedisClient | undefined
  #subscriberGuard: RedisGuard | undefined
  /** True while subscribed with nothing missed since listeners last reset. */
  #synced = false
  #subscribing = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #closed = false
  #readyWaiters: (() => void)[] = []
  readonly #stats = { published: 0, received: 0, ownIgnored: 0, corrupt: 0, resyncs: 0 }
  readonly #onMessage = (channel: Buffer | string, message: Buffer | string): void => {
    if (String(channel) === this.channel) this.#receive(String(message))
  }
  readonly #onDown = (): void => {
    if (!this.#synced) return
    this.#synced = false
    this.#reset()
  }
  readonly #onReady = (): void => this.#ensureSubscribed()

  constructor(options: RedisInvalidationBusOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('RedisInvalidationBus needs an options object')
    this.client = requireClient(options.client)
    this.namespace = checkNamespace(options.namespace)
    this.channel = new RedisNames(this.namespace).bus()
    const maxKeys = options.maxKeysPerMessage ?? 1000
    if (!Number.isInteger(maxKeys) || maxKeys < 1)
      throw new InvalidConfigurationError(
        `maxKeysPerMessage must be a positive integer, got ${String(maxKeys)}`,
      )
    this.maxKeysPerMessage = maxKeys
    this.#events = new RedisEvents('invalidation-bus', options.onEvent)
    this.#guard = new RedisGuard(
      this.client,
      requireTimeout('operationTimeout', options.operationTimeout, 500),
      options.circuitBreaker,
      this.#events,
    )
    this.#ownsSubscriber = options.subscriber === undefined
    if (options.subscriber !== undefined) this.#subscriber = requireClient(options.subscriber)
  }

  /**
   * True while the subscription is confirmed and no message can have been missed since
   * listeners were last reset. Memory tiers are used only then.
   */
  get synced(): boolean {
    return this.#synced
  }

  /**
   * Resolves once the subscription is confirmed (opening it if needed), or rejects with a
   * `RedisUnavailableError` after `timeout` ms. The subscription keeps retrying meanwhile.
   */
  ready(timeout: Milliseconds = 5_000): Promise<void> {
    if (this.#closed) return Promise.reject(new RedisUnavailableError('subscribe', 'bus closed'))
    this.#ensureSubscribed()
    if (this.#synced) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#readyWaiters = this.#readyWaiters.filter((waiter) => waiter !== done)
        reject(new RedisUnavailableError('subscribe', `not subscribed within ${timeout} ms`))
      }, timeout)
      this.#readyWaiters.push(done)
    })
  }

  /**
   * Listens to invalidations; the first listener opens the subscription. Returns the
   * unsubscribe function.
   */
  subscribe(listener: InvalidationListener): () => void {
    if (this.#closed) throw new InvalidConfigurationError('the invalidation bus is closed')
    this.#listeners.add(listener)
    this.#ensureSubscribed()
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /**
   * Tells every other process (and the other listeners here) that `keys` changed. Resolves
   * `true` once Redis accepted the message, `false` on a fault (reported as an event). Never
   * rejects.
   */
  async publish(keys: readonly CacheKey[], from?: InvalidationListener): Promise<boolean> {
    if (keys.length === 0) return true
    for (const listener of this.#listeners)
      if (listener !== from) safely(() => listener.invalidate(keys))
    let ok = true
    for (let start = 0; start < keys.length; start += this.maxKeysPerMessage) {
      const message: BusMessage = {
        v: 1,
        o: this.origin,
        k: keys.slice(start, start + this.maxKeysPerMessage),
      }
      try {
        await this.#guard.run('publish', undefined, () =>
          this.client.publish(this.channel, JSON.stringify(message)),
        )
        this.#stats.published++
      } catch {
        ok = false
      }
    }
    return ok
  }

  /** Counters since creation. */
  stats(): RedisInvalidationBusStats {
    return Object.freeze({ ...this.#stats, ...this.#guard.counters })
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: RedisEventListener): () => void {
    return this.#events.on(listener)
  }

  off(listener: RedisEventListener): void {
    this.#events.off(listener)
  }

  /** Unsubscribes and closes the subscriber connection it opened. The client is left open. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#synced = false
    this.#listeners.clear()
    if (this.#retry !== undefined) clearTimeout(this.#retry)
    const subscriber = this.#subscriber
    if (subscriber === undefined || this.#subscriberGuard === undefined) return
    subscriber.off('messageBuffer', this.#onMessage)
    subscriber.off('close', this.#onDown)
    subscriber.off('end', this.#onDown)
    subscriber.off('ready', this.#onReady)
    if (this.#ownsSubscriber) subscriber.disconnect()
    else await subscriber.unsubscribe(this.channel).catch(() => {})
  }

  /**
   * Subscribes (again) and, once Redis confirms, resets the listeners and marks the bus
   * synced: anything published before the confirmation may be lost, anything after is seen.
   */
  #ensureSubscribed(): void {
    if (this.#closed || this.#synced || this.#subscribing) return
    let subscriber = this.#subscriber
    if (this.#subscriberGuard === undefined) {
      subscriber ??= duplicateForSubscriber(this.client)
      this.#subscriber = subscriber
      subscriber.on('messageBuffer', this.#onMessage)
      subscriber.on('close', this.#onDown)
      subscriber.on('end', this.#onDown)
      subscriber.on('ready', this.#onReady)
      this.#subscriberGuard = new RedisGuard(
        subscriber,
        this.#guard.operationTimeout,
        this.#guard.breaker ?? false,
        this.#events,
      )
    }
    const connection = subscriber!
    this.#subscribing = true
    this.#subscriberGuard
      .run('subscribe', undefined, () => connection.subscribe(this.channel))
      .then(
        () => {
          this.#subscribing = false
          if (this.#closed || connection.status !== 'ready') return
          this.#reset()
          this.#synced = true
          const waiters = this.#readyWaiters
          this.#readyWaiters = []
          for (const done of waiters) done()
        },
        () => {
          this.#subscribing = false
          // Down or slow: try again soon ('ready' also triggers a new attempt).
          if (this.#closed || this.#retry !== undefined) return
          this.#retry = setTimeout(() => {
            this.#retry = undefined
            this.#ensureSubscribed()
          }, 250)
          this.#retry.unref?.()
        },
      )
  }

  #reset(): void {
    this.#stats.resyncs++
    if (this.#events.active) this.#events.emit({ type: 'resync' })
    for (const listener of this.#listeners) safely(() => listener.reset())
  }

  #receive(text: string): void {
    let message: BusMessage
    try {
      message = parseMessage(text)
    } catch (error) {
      this.#stats.corrupt++
      if (this.#events.active)
        this.#events.emit({
          type: 'corrupt',
          operation: 'receive',
          reason: (error as Error).message,
        })
      return
    }
    if (message.o === this.origin) {
      this.#stats.ownIgnored++
      return
    }
    this.#stats.received++
    for (const listener of this.#listeners) safely(() => listener.invalidate(message.k))
  }
}
export const RedisInvalidationBus = callable(RedisInvalidationBusImpl)
export type RedisInvalidationBus = RedisInvalidationBusImpl

function safely(run: () => void): void {
  try {
    run()
  } catch {
    // A failing listener must not stop the others.
  }
}

/** Parses an untrusted bus message; throws on anything but `{ v: 1, o: string, k: string[] }`. */
function parseMessage(text: string): BusMessage {
  const parsed = JSON.parse(text) as unknown
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
  const { v, o, k } = parsed as Record<string, unknown>
  if (v !== 1) throw new Error('unknown message version')
  if (typeof o !== 'string') throw new Error('no origin')
  if (!Array.isArray(k) || !k.every((key) => typeof key === 'string')) throw new Error('bad keys')
  return { v, o, k }
}
