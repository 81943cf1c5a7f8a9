import { InvalidConfigurationError, type Milliseconds } from '@memokit/core'
import { callable } from './callable.js'

export interface RedisCircuitBreakerOptions {
  /** Consecutive faults (timeouts, connection errors) that open the breaker. @default 3 */
  failureThreshold?: number
  /**
   * How long the breaker stays open. Then one probe operation is let through: its success
   * closes the breaker, its failure opens it again. Keep it short: it bounds how long after a
   * hung Redis recovers the cache is used again. @default 500
   */
  cooldown?: Milliseconds
}

/** The breaker's state: closed (normal), open (failing fast), half-open (one probe in flight). */
export type CircuitState = 'closed' | 'open' | 'half-open'

/**
 * A circuit breaker for one Redis client. After `failureThreshold` consecutive faults, memokit
 * stops sending commands for `cooldown` ms and treats Redis as unavailable at once: a hung
 * server then costs callers nothing instead of one operation deadline each. Replies of any kind
 * (even error replies such as OOM) prove the server is alive and close it.
 *
 * Every memokit component built on the same client shares one breaker unless given its own
 * (`circuitBreaker` option), so the storage, the update statuses and the bus learn together.
 */
class RedisCircuitBreakerImpl {
  readonly failureThreshold: number
  readonly cooldown: Milliseconds
  #state: CircuitState = 'closed'
  #failures = 0
  #openUntil = 0
  #opened = 0
  /** Breakers of the masters of a Redis Cluster, by node (see {@link forNode}). */
  readonly #nodes = new Map<string, RedisCircuitBreakerImpl>()
  /** The breaker this one is a node breaker of. */
  #parent: RedisCircuitBreakerImpl | undefined

  constructor(options: RedisCircuitBreakerOptions = {}) {
    const { failureThreshold = 3, cooldown = 500 } = options
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1)
      throw new InvalidConfigurationError(
        `failureThreshold must be a positive integer, got ${String(failureThreshold)}`,
      )
    if (typeof cooldown !== 'number' || !Number.isFinite(cooldown) || cooldown < 0)
      throw new InvalidConfigurationError(
        `cooldown must be a non-negative number of milliseconds, got ${String(cooldown)}`,
      )
    this.failureThreshold = failureThreshold
    this.cooldown = cooldown
  }

  get state(): CircuitState {
    return this.#state
  }

  /** How many times the breaker has opened (with its node breakers, on a Redis Cluster). */
  get openings(): number {
    return this.#opened
  }

  /**
   * The breaker of one master of a Redis Cluster (`host:port`), with this one's settings. A
   * cluster whose master died keeps serving the other masters' slots: faults on one node must
   * not stop the operations on the others, so memokit keeps one breaker per node. Their
   * openings count in this breaker's `openings`.
   */
  forNode(node: string): RedisCircuitBreaker {
    let breaker = this.#nodes.get(node)
    if (breaker === undefined) {
      breaker = new RedisCircuitBreakerImpl({
        failureThreshold: this.failureThreshold,
        cooldown: this.cooldown,
      })
      breaker.#parent = this
      this.#nodes.set(node, breaker)
    }
    return breaker
  }

  /**
   * May an operation be sent now? While open, no; once the cooldown is over, exactly one caller
   * gets `true` (the probe) and the breaker is half-open until that probe reports.
   */
  allow(now: number = Date.now()): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'open' && now >= this.#openUntil) {
      this.#state = 'half-open'
      return true
    }
    return false
  }

  /** Reports a reply. Returns true when this closed the breaker. */
  success(): boolean {
    this.#failures = 0
    if (this.#state === 'closed') return false
    this.#state = 'closed'
    return true
  }

  /** Reports a fault. Returns true when this opened the breaker. */
  failure(now: number = Date.now()): boolean {
    this.#failures++
    if (this.#state === 'open') return false
    if (this.#state === 'half-open' || this.#failures >= this.failureThreshold) {
      this.#state = 'open'
      this.#openUntil = now + this.cooldown
      this.#opened++
      if (this.#parent !== undefined) this.#parent.#opened++
      return true
    }
    return false
  }

  /** Closes the breaker (and its node breakers) and forgets past faults. */
  reset(): void {
    this.#state = 'closed'
    this.#failures = 0
    for (const breaker of this.#nodes.values()) breaker.reset()
  }
}
export const RedisCircuitBreaker = callable(RedisCircuitBreakerImpl)
export type RedisCircuitBreaker = RedisCircuitBreakerImpl

const shared = new WeakMap<object, RedisCircuitBreaker>()

/** The breaker shared by every memokit component using `client` (created on first use). */
export function circuitBreakerOf(client: object): RedisCircuitBreaker {
  let breaker = shared.get(client)
  if (breaker === undefined) {
    breaker = new RedisCircuitBreaker()
    shared.set(client, breaker)
  }
  return breaker
}
