import { randomBytes } from 'node:crypto'
import {
  InvalidConfigurationError,
  RefreshSupersededError,
  SuperJsonSerDe,
  UpdateLockTimeoutError,
  UpdateStatusError,
  type CacheEntry,
  type CacheKey,
  type ClaimOptions,
  type Milliseconds,
  type SerDe,
  type UpdateClaim,
  type UpdateStatuses,
} from '@memokit/core'
import { callable } from './callable.js'
import type { RedisCircuitBreaker } from './circuit-breaker.js'
import { decodeEnvelope, encodeEnvelope, type EnvelopeKind } from './envelope.js'
import { RedisTimeoutError, RedisUnavailableError, RemoteRefreshError } from './errors.js'
import { RedisEvents, type RedisEventListener } from './events.js'
import { checkNamespace, RedisNames } from './keys.js'
import { type EnvelopeSigner, signerOf, type SigningKey } from './signing.js'
import {
  duplicateForSubscriber,
  RedisGuard,
  requireClient,
  requireTimeout,
  type RedisClient,
} from './redis-client.js'
import { withScripts, type ScriptCommands } from './scripts.js'

export interface RedisUpdateStatusesOptions {
  /** A connected ioredis `Redis` or `Cluster`, used for locks and notices. Never closed by this. */
  client: RedisClient
  /** Prefix of lock keys (`<namespace>:l:<key>`) and channels. @default 'memokit' */
  namespace?: string
  /**
   * A connection for SUBSCRIBE. @default `client.duplicate()`, opened when this process first
   * waits for another one, and closed by {@link RedisUpdateStatuses.close}
   */
  subscriber?: RedisClient
  /** Encodes the entry sent to waiting processes: use the storage's. @default new SuperJsonSerDe() */
  serde?: SerDe
  /**
   * Expiry of a lock key. The process holding it renews it every `lockLease / 3` while it
   * computes, so it can be short: it is how long a crashed process blocks a key. @default 5000
   */
  lockLease?: Milliseconds
  /**
   * The longest an update may hold its lock (renewals stop then) and the longest another
   * process waits for it; keep it above the method timeout. @default 5 minutes
   */
  updateLockTimeout?: Milliseconds
  /**
   * How often a waiting process checks that the lock still exists: it bounds how late a
   * process notices a crashed holder or a lost notice. @default 500
   */
  pollInterval?: Milliseconds
  /** Deadline of every Redis operation, enforced whatever the client's options. @default 500 */
  operationTimeout?: Milliseconds
  /**
   * For this long after an update completes, its lock key holds a completion marker: a process
   * that missed the key just before the update completed, and claims it just after, is told to
   * read the storage instead of computing the value a second time. `0` disables it.
   * @default 1000
   */
  completionWindow?: Milliseconds
  /**
   * Largest notice (envelope + encoded entry) published to waiting processes; a larger entry
   * is not sent and waiters read it from the storage instead. @default 256 KiB
   */
  maxNoticeBytes?: number
  /** @default the breaker shared by every memokit component on this client */
  circuitBreaker?: RedisCircuitBreaker | false
  /** Called for every event (faults, corrupt notices, breaker changes). */
  onEvent?: RedisEventListener
  /**
   * Signs notices with HMAC-SHA-256 (use the storage's `signingKey`): a notice published by
   * anyone without the key is ignored as corrupt, and waiting processes read the storage
   * instead. @default none (unsigned)
   */
  signingKey?: SigningKey
}

/** Counters of a {@link RedisUpdateStatuses} since it was created. */
export interface RedisUpdateStatusesStats {
  /** Updates this process claimed (it computes; others wait for it). */
  readonly claimed: number
  /** Claims refused because another process held the key. */
  readonly taken: number
  /** Waits that received the other process's entry. */
  readonly followed: number
  /** Waits that ended without an entry (lock expired or released, failure, timeout, fault). */
  readonly followFailures: number
  /** Lock renewals done while computing. */
  readonly renewals: number
  /** Claims that lost their lock before the update ended (a pause longer than the lease). */
  readonly lostLocks: number
  /** Notices that could not be read. */
  readonly corrupt: number
  /** Redis operations that failed (including timeouts and unavailability). */
  readonly faults: number
  readonly timeouts: number
  readonly unavailable: number
}

/** The claim of one update: a random 128-bit token held in the lock key. */
class RedisClaim {
  readonly owner: object
  readonly key: CacheKey
  readonly token: string
  readonly since: number
  /** When the command that last set the lease (claim or renewal) was sent. */
  leasedAt: number
  ended = false
  renewal: ReturnType<typeof setTimeout> | undefined

  constructor(owner: object, key: CacheKey, token: string, sentAt: number) {
    this.owner = owner
    this.key = key
    this.token = token
    this.since = sentAt
    this.leasedAt = sentAt
  }
}

/** This process waiting for another process's update of one key. */
interface Wait {
  readonly key: CacheKey
  readonly channel: string
  readonly promise: Promise<CacheEntry>
  settled: boolean
  resolve(entry: CacheEntry): void
  reject(error: unknown): void
  timers: ReturnType<typeof setTimeout>[]
}

/** How long after a failed wait the next claim of that key computes locally without asking. */
const FOLLOW_FAULT_MEMORY = 5_000

/**
 * Cross-process dog-pile protection: core's `UpdateStatuses` in Redis. Of all the processes
 * that miss a key at the same time, one computes it and the others receive its result.
 *
 * - Claiming is `SET <namespace>:l:<key> <random 128-bit token> NX PX lockLease`; the holder
 *   renews the lease while it computes, so a short lease is enough.
 * - The holder ends its update with a Lua compare-and-delete that also publishes a notice on
 *   `<namespace>:u:<key>` carrying the new entry. An outdated claim (its lease ran out and
 *   someone else took over) changes nothing.
 * - Other processes subscribe to that channel on a dedicated connection and also poll the lock
 *   every `pollInterval`: when it disappears without a notice (its holder crashed), they reject
 *   with `UpdateLockTimeoutError`, and the engine reads the storage and claims again, so exactly
 *   one of them takes over. Every wait has a deadline (`updateLockTimeout`).
 * - Faults fail open: when Redis cannot be reached, claiming rejects and the engine computes
 *   locally (still deduplicated within the process).
 *
 * ```ts
 * const statuses = new RedisUpdateStatuses({ client, namespace: 'shop' })
 * const search = memoize(searchProducts, { configuration, updateStatuses: statuses })
 * // on shutdown: await statuses.close()
 * ```
 */
class RedisUpdateStatusesImpl implements UpdateStatuses {
  readonly client: RedisClient
  readonly namespace: string
  readonly serde: SerDe
  readonly lockLease: Milliseconds
  readonly updateLockTimeout: Milliseconds
  readonly pollInterval: Milliseconds
  readonly operationTimeout: Milliseconds
  readonly maxNoticeBytes: number
  readonly completionWindow: Milliseconds
  readonly #commands: RedisClient & ScriptCommands
  readonly #names: RedisNames
  readonly #events: RedisEvents
  readonly #signer: EnvelopeSigner | undefined
  readonly #guard: RedisGuard
  #subscriber: RedisClient | undefined
  #subscriberGuard: RedisGuard | undefined
  readonly #ownsSubscriber: boolean
  readonly #claims = new Map<CacheKey, RedisClaim>()
  readonly #waits = new Map<CacheKey, Wait>()
  readonly #waitsByChannel = new Map<string, Wait>()
  readonly #failedFollows = new Map<CacheKey, number>()
  /** Completion markers met by claims, with when: the next claim of the key may replace them. */
  readonly #markers = new Map<CacheKey, { marker: string; at: number }>()
  /** Lock releases under way: `close()` lets them finish. */
  readonly #releasing = new Set<Promise<unknown>>()
  readonly #stats = {
    claimed: 0,
    taken: 0,
    followed: 0,
    followFailures: 0,
    renewals: 0,
    lostLocks: 0,
    corrupt: 0,
  }
  #closed = false
  readonly #onMessage = (channel: Buffer | string, message: Buffer | string): void =>
    this.#notice(String(channel), Buffer.isBuffer(message) ? message : Buffer.from(message))

  constructor(options: RedisUpdateStatusesOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('RedisUpdateStatuses needs an options object')
    this.client = requireClient(options.client)
    this.namespace = checkNamespace(options.namespace)
    this.serde = options.serde ?? new SuperJsonSerDe()
    this.lockLease = requireTimeout('lockLease', options.lockLease, 5_000)
    if (this.lockLease < 30)
      throw new InvalidConfigurationError(`lockLease must be at least 30 ms, got ${this.lockLease}`)
    this.updateLockTimeout = requireTimeout(
      'updateLockTimeout',
      options.updateLockTimeout,
      5 * 60_000,
    )
    this.pollInterval = requireTimeout('pollInterval', options.pollInterval, 500)
    this.operationTimeout = requireTimeout('operationTimeout', options.operationTimeout, 500)
    const maxNoticeBytes = options.maxNoticeBytes ?? 256 * 1024
    if (!Number.isInteger(maxNoticeBytes) || maxNoticeBytes < 0)
      throw new InvalidConfigurationError(
        `maxNoticeBytes must be a non-negative integer, got ${String(maxNoticeBytes)}`,
      )
    this.maxNoticeBytes = maxNoticeBytes
    const window = options.completionWindow ?? 1_000
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 0)
      throw new InvalidConfigurationError(
        `completionWindow must be a non-negative integer number of milliseconds, got ${String(window)}`,
      )
    this.completionWindow = window
    this.#signer = signerOf(options.signingKey)
    this.#names = new RedisNames(this.namespace)
    this.#events = new RedisEvents('update-statuses', options.onEvent)
    this.#guard = new RedisGuard(
      this.client,
      this.operationTimeout,
      options.circuitBreaker,
      this.#events,
    )
    this.#commands = withScripts(this.client)
    this.#ownsSubscriber = options.subscriber === undefined
    if (options.subscriber !== undefined) this.#attach(requireClient(options.subscriber))
  }

  /** True when an update of `key` holds its lock. Rejects with a `RedisFaultError` on faults. */
  async isBeingUpdated(key: CacheKey): Promise<boolean> {
    const lock = this.#names.lock(key)
    const held = await this.#guard.runOn(lock, 'isBeingUpdated', key, () => this.client.get(lock))
    return held !== null && !held.startsWith('done:')
  }

  /** Claims `key`; rejects with `UpdateStatusError` when another process holds it. */
  async markBeingUpdated(key: CacheKey): Promise<UpdateClaim> {
    const claim = await this.tryMarkBeingUpdated(key)
    if (claim === undefined) throw new UpdateStatusError('The key is already being updated')
    return claim
  }

  /**
   * Claims `key` atomically: resolves to the claim, or `undefined` when another process holds
   * it. Rejects (so the engine computes locally) when Redis cannot be asked in time. A forced
   * claim (`forceRefresh`) takes the key over a completion marker: the caller asked for a new
   * computation, not for one that completed moments before.
   */
  async tryMarkBeingUpdated(
    key: CacheKey,
    options?: ClaimOptions,
  ): Promise<UpdateClaim | undefined> {
    if (this.#closed) throw new RedisUnavailableError('claim', 'the update statuses are closed')
    const failedAt = this.#failedFollows.get(key)
    if (failedAt !== undefined) {
      this.#failedFollows.delete(key)
      // Following another process through Redis just failed: compute here rather than risk
      // claiming, following and failing again.
      if (Date.now() - failedAt < FOLLOW_FAULT_MEMORY)
        throw new RedisUnavailableError('claim', 'waiting for another process failed just before')
    }
    const lock = this.#names.lock(key)
    const token = randomBytes(16).toString('base64url')
    const seen = this.#markers.get(key)
    this.#markers.delete(key)
    const sentAt = Date.now()
    let reply: string
    try {
      reply = await this.#guard.runOn(lock, 'claim', key, () =>
        this.#commands.memokitClaimLock(
          lock,
          token,
          this.lockLease,
          seen?.marker ?? '',
          options?.forced === true ? '1' : '',
        ),
      )
    } catch (error) {
      // The claim may still land later: remove the lock if it does, so nobody waits for it.
      if (error instanceof RedisTimeoutError)
        this.#commands.memokitReleaseLock(lock, token, '', Buffer.alloc(0), 0).catch(() => {})
      throw error
    }
    if (reply !== 'OK') {
      this.#stats.taken++
      if (reply.startsWith('done:')) this.#rememberMarker(key, reply)
      return undefined
    }
    this.#stats.claimed++
    const claim = new RedisClaim(this, key, token, sentAt)
    this.#claims.set(key, claim)
    this.#scheduleRenewal(claim)
    return claim
  }

  /** Ends the update: deletes the lock (if still ours) and sends the entry to waiting processes. */
  async markUpdated(key: CacheKey, entry: CacheEntry, claim?: UpdateClaim): Promise<void> {
    const ours = this.#end(key, claim)
    if (ours === undefined) return
    const channel = this.#names.notice(key)
    let notice: Buffer
    try {
      notice = encodeEnvelope('D', channel, this.serde.serialize(entry))
      if (notice.length > this.maxNoticeBytes) notice = encodeEnvelope('N', channel)
    } catch {
      notice = encodeEnvelope('N', channel) // waiters read the storage instead
    }
    await this.#release(ours, channel, notice, this.completionWindow)
  }

  /** Ends the update with an error; waiting processes get a `RemoteRefreshError`. */
  async markUpdateAborted(key: CacheKey, error: unknown, claim?: UpdateClaim): Promise<void> {
    const ours = this.#end(key, claim)
    if (ours === undefined) return
    const channel = this.#names.notice(key)
    let notice: Buffer
    if (error instanceof RefreshSupersededError) notice = encodeEnvelope('S', channel)
    else {
      const summary = {
        name: textOf((error as { name?: unknown } | null)?.name, 'Error').slice(0, 200),
        message: textOf((error as { message?: unknown } | null)?.message, '').slice(0, 1000),
        code: (error as { code?: unknown } | null)?.code,
      }
      notice = encodeEnvelope(
        'F',
        channel,
        JSON.stringify({ ...summary, code: typeof summary.code === 'string' ? summary.code : '' }),
      )
    }
    await this.#release(ours, channel, notice, 0)
  }

  /**
   * True while `claim` still holds `key`'s lock. The engine asks before storing a result, so a
   * refresh that outlived its lock (a process paused past its lease) never overwrites the value
   * of the process that took over. Answered without a round trip while the last lease set is
   * certainly still running; rejects with a `RedisFaultError` when Redis cannot tell.
   */
  async holds(key: CacheKey, claim: UpdateClaim): Promise<boolean> {
    if (!(claim instanceof RedisClaim) || claim.owner !== this || claim.key !== key) return false
    if (claim.ended) return false // lost (renewal refused), or already ended
    if (Date.now() - claim.leasedAt < this.lockLease / 2) return true
    const lock = this.#names.lock(key)
    return (
      (await this.#guard.runOn(lock, 'holds', key, () => this.client.get(lock))) === claim.token
    )
  }

  /**
   * Waits for the update of `key` in another process: resolves with its entry, or rejects with
   * `UpdateLockTimeoutError` (its holder vanished, the wait hit `updateLockTimeout`, or Redis
   * failed), `RefreshSupersededError` (it was invalidated), `UpdateStatusError` (it ended with
   * its entry left in the storage only) or `RemoteRefreshError` (it failed).
   */
  awaitUpdated(key: CacheKey): Promise<CacheEntry> {
    if (this.#closed)
      return Promise.reject(new UpdateLockTimeoutError('The update statuses are closed'))
    const marker = this.#markers.get(key)
    if (marker !== undefined && Date.now() - marker.at < this.completionWindow + 1_000)
      return Promise.reject(
        new UpdateStatusError('The update completed in another process moments ago: read storage'),
      )
    return (this.#waits.get(key) ?? this.#startWait(key)).promise
  }

  /** Counters since creation. */
  stats(): RedisUpdateStatusesStats {
    return Object.freeze({ ...this.#stats, ...this.#guard.counters })
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: RedisEventListener): () => void {
    return this.#events.on(listener)
  }

  off(listener: RedisEventListener): void {
    this.#events.off(listener)
  }

  /**
   * Stops: waiting calls are released (they compute), releases under way finish, locks this
   * process still holds are deleted (waiters elsewhere take over at once), and the subscriber
   * connection this instance opened is closed. The client is left open.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#releasing])
    for (const wait of [...this.#waits.values()])
      this.#settle(wait, new UpdateLockTimeoutError('The update statuses were closed'))
    const releases = [...this.#claims.values()].map((claim) => {
      this.#end(claim.key, claim)
      return this.#release(claim, '', Buffer.alloc(0), 0).catch(() => {})
    })
    await Promise.all(releases)
    const subscriber = this.#subscriber
    if (subscriber !== undefined) {
      subscriber.off('messageBuffer', this.#onMessage)
      if (this.#ownsSubscriber) subscriber.disconnect()
    }
  }

  // ---------------------------------------------------------------------------------------
  // Holding a lock

  #scheduleRenewal(claim: RedisClaim): void {
    const every = Math.max(10, Math.floor(this.lockLease / 3))
    claim.renewal = setTimeout(() => {
      if (claim.ended) return
      if (Date.now() - claim.since >= this.updateLockTimeout) return // held too long: let it expire
      const lock = this.#names.lock(claim.key)
      const sentAt = Date.now()
      this.#guard
        .runOn(lock, 'renew', claim.key, () =>
          this.#commands.memokitRenewLock(lock, claim.token, this.lockLease),
        )
        .then(
          (renewed) => {
            if (claim.ended) return
            if (renewed === 1) {
              this.#stats.renewals++
              claim.leasedAt = sentAt
              this.#scheduleRenewal(claim)
            } else this.#lost(claim) // paused past the lease, or evicted
          },
          () => {
            if (claim.ended) return
            // A fault: try again next period, unless the lease has certainly run out by now.
            if (Date.now() - claim.leasedAt >= this.lockLease) this.#lost(claim)
            else this.#scheduleRenewal(claim)
          },
        )
    }, every)
    claim.renewal.unref?.()
  }

  /** The lock is no longer ours: another process may hold it now. */
  #lost(claim: RedisClaim): void {
    this.#stats.lostLocks++
    claim.ended = true
    if (this.#claims.get(claim.key) === claim) this.#claims.delete(claim.key)
  }

  /** Marks the claim ended; `undefined` when it is not a live claim of ours (ignored). */
  #end(key: CacheKey, claim: UpdateClaim | undefined): RedisClaim | undefined {
    let ours: RedisClaim | undefined
    if (claim === undefined) {
      ours = this.#claims.get(key)
      if (ours === undefined) throw new UpdateStatusError('The key is not being updated')
    } else if (
      claim instanceof RedisClaim &&
      claim.owner === this &&
      claim.key === key &&
      !claim.ended
    ) {
      ours = claim
    } else return undefined
    ours.ended = true
    if (ours.renewal !== undefined) clearTimeout(ours.renewal)
    if (this.#claims.get(key) === ours) this.#claims.delete(key)
    return ours
  }

  async #release(
    claim: RedisClaim,
    channel: string,
    unsigned: Buffer,
    markerLifetime: Milliseconds,
  ): Promise<void> {
    const notice =
      this.#signer !== undefined && unsigned.length > 0 ? this.#signer.sign(unsigned) : unsigned
    const lock = this.#names.lock(claim.key)
    const release = this.#guard.runOn(lock, 'release', claim.key, () =>
      this.#commands.memokitReleaseLock(lock, claim.token, channel, notice, markerLifetime),
    )
    const done: Promise<unknown> = release.then(
      () => this.#releasing.delete(done),
      () => this.#releasing.delete(done),
    )
    this.#releasing.add(done)
    await release
  }

  #rememberMarker(key: CacheKey, marker: string): void {
    const now = Date.now()
    if (this.#markers.size >= 1_000)
      for (const [k, seen] of this.#markers)
        if (now - seen.at > this.completionWindow + 1_000) this.#markers.delete(k)
    this.#markers.set(key, { marker, at: now })
  }

  // ---------------------------------------------------------------------------------------
  // Waiting for another process

  #startWait(key: CacheKey): Wait {
    let resolve!: (entry: CacheEntry) => void
    let reject!: (error: unknown) => void
    const promise = new Promise<CacheEntry>((res, rej) => {
      resolve = res
      reject = rej
    })
    promise.catch(() => {}) // rejections are for the engine; never unhandled
    const wait: Wait = {
      key,
      channel: this.#names.notice(key),
      promise,
      settled: false,
      resolve,
      reject,
      timers: [],
    }
    this.#waits.set(key, wait)
    this.#waitsByChannel.set(wait.channel, wait)
    const deadline = setTimeout(
      () =>
        this.#settle(
          wait,
          new UpdateLockTimeoutError(
            `Waited for another process's update longer than updateLockTimeout (${this.updateLockTimeout} ms)`,
          ),
        ),
      this.updateLockTimeout,
    )
    wait.timers.push(deadline)
    this.#follow(wait).catch((error: unknown) => this.#followFault(wait, error))
    return wait
  }

  async #follow(wait: Wait): Promise<void> {
    const guard = this.#subscriberGuardOf()
    const subscriber = this.#subscriber!
    await guard.run('subscribe', wait.key, () => subscriber.subscribe(wait.channel))
    // Subscribed: from now on the notice cannot be missed. The update may have ended before.
    await this.#checkLock(wait)
  }

  async #checkLock(wait: Wait): Promise<void> {
    if (wait.settled) return
    const lock = this.#names.lock(wait.key)
    const held = await this.#guard.runOn(lock, 'await', wait.key, () => this.client.get(lock))
    if (wait.settled) return
    if (held === null || held.startsWith('done:')) {
      // The update ended. Its notice, published together with the release, may still be on
      // its way on the subscriber connection: give it a moment before giving up on it.
      const grace = setTimeout(
        () =>
          this.#settle(
            wait,
            new UpdateLockTimeoutError(
              'The update lock was released or expired without a notice reaching this process',
            ),
          ),
        Math.min(this.pollInterval, 100),
      )
      wait.timers.push(grace)
      return
    }
    const timer = setTimeout(() => {
      wait.timers = wait.timers.filter((t) => t !== timer)
      this.#checkLock(wait).catch((error: unknown) => this.#followFault(wait, error))
    }, this.pollInterval)
    wait.timers.push(timer)
  }

  #followFault(wait: Wait, error: unknown): void {
    if (wait.settled) return
    const now = Date.now()
    if (this.#failedFollows.size >= 1_000)
      for (const [key, at] of this.#failedFollows)
        if (now - at >= FOLLOW_FAULT_MEMORY) this.#failedFollows.delete(key)
    this.#failedFollows.set(wait.key, now)
    this.#settle(
      wait,
      new UpdateLockTimeoutError(
        `Could not follow another process's update: ${(error as Error).message}`,
        { cause: error },
      ),
    )
  }

  /** Handles a message on the subscriber connection. */
  #notice(channel: string, message: Buffer): void {
    const wait = this.#waitsByChannel.get(channel)
    if (wait === undefined || wait.settled) return
    let decoded
    const body = this.#signer === undefined ? message : this.#signer.open(message)
    if (body === undefined) decoded = 'the signature is missing or wrong'
    else
      try {
        decoded = decodeEnvelope(body, channel, 'DNFS')
      } catch (error) {
        decoded = `the payload is not valid UTF-8 (${(error as Error).message})`
      }
    if (typeof decoded === 'string') {
      this.#stats.corrupt++
      if (this.#events.active)
        this.#events.emit({ type: 'corrupt', operation: 'notice', key: wait.key, reason: decoded })
      return // keep waiting: the poll still watches the lock
    }
    const kind: EnvelopeKind = decoded.kind
    switch (kind) {
      case 'D': {
        let entry: CacheEntry
        try {
          entry = this.serde.deserialize(decoded.payload)
        } catch (error) {
          this.#stats.corrupt++
          if (this.#events.active)
            this.#events.emit({
              type: 'corrupt',
              operation: 'notice',
              key: wait.key,
              reason: 'the entry could not be decoded',
              error,
            })
          this.#settle(wait, new UpdateStatusError('The update ended; its notice was unreadable'))
          return
        }
        this.#settle(wait, undefined, entry)
        return
      }
      case 'N':
        this.#settle(
          wait,
          new UpdateStatusError('The update ended in another process; read its entry from storage'),
        )
        return
      case 'S':
        this.#settle(wait, new RefreshSupersededError())
        return
      default:
        this.#settle(wait, remoteError(decoded.payload))
    }
  }

  #settle(wait: Wait, error: unknown, entry?: CacheEntry): void {
    if (wait.settled) return
    wait.settled = true
    for (const timer of wait.timers) clearTimeout(timer)
    wait.timers = []
    if (this.#waits.get(wait.key) === wait) this.#waits.delete(wait.key)
    if (this.#waitsByChannel.get(wait.channel) === wait) this.#waitsByChannel.delete(wait.channel)
    if (entry !== undefined) {
      this.#stats.followed++
      wait.resolve(entry)
    } else {
      this.#stats.followFailures++
      wait.reject(error)
    }
    const subscriber = this.#subscriber
    const guard = this.#subscriberGuard
    if (subscriber !== undefined && guard !== undefined && !this.#waitsByChannel.has(wait.channel))
      guard.run('unsubscribe', wait.key, () => subscriber.unsubscribe(wait.channel)).catch(() => {})
  }

  #subscriberGuardOf(): RedisGuard {
    if (this.#subscriberGuard === undefined) this.#attach(duplicateForSubscriber(this.client))
    return this.#subscriberGuard!
  }

  #attach(subscriber: RedisClient): void {
    this.#subscriber = subscriber
    this.#subscriberGuard = new RedisGuard(
      subscriber,
      this.operationTimeout,
      this.#guard.breaker ?? false,
      this.#events,
    )
    subscriber.on('messageBuffer', this.#onMessage)
  }
}
export const RedisUpdateStatuses = callable(RedisUpdateStatusesImpl)
export type RedisUpdateStatuses = RedisUpdateStatusesImpl

/** Rebuilds a remote failure from its JSON summary (untrusted: only strings are kept). */
function remoteError(payload: string | Buffer): RemoteRefreshError {
  try {
    const text = typeof payload === 'string' ? payload : payload.toString('utf8')
    const summary = JSON.parse(text) as Record<string, unknown> | null
    const field = (name: string): string =>
      summary !== null && typeof summary === 'object' && typeof summary[name] === 'string'
        ? summary[name].slice(0, 1000)
        : ''
    return new RemoteRefreshError(
      field('name') || 'Error',
      field('message'),
      field('code') || undefined,
    )
  } catch {
    return new RemoteRefreshError('Error', 'unreadable error summary')
  }
}

function textOf(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback
}
