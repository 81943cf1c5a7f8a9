import { randomBytes } from 'node:crypto'
import {
  InvalidConfigurationError,
  SuperJsonSerDe,
  type CacheEntry,
  type CacheKey,
  type CacheStorage,
  type Milliseconds,
  type SerDe,
} from '@memokit/core'
import { callable } from './callable.js'
import type { RedisCircuitBreaker } from './circuit-breaker.js'
import { decodeEnvelope, encodeEnvelope } from './envelope.js'
import { RedisCommandError, RedisFaultError } from './errors.js'
import { RedisEvents, type RedisEventListener } from './events.js'
import { checkNamespace, RedisNames } from './keys.js'
import { type EnvelopeSigner, signerOf, type SigningKey } from './signing.js'
import {
  isCluster,
  RedisGuard,
  requireClient,
  requireTimeout,
  type RedisClient,
} from './redis-client.js'
import { withScripts, type ScriptCommands } from './scripts.js'

/** Largest value Redis accepts by default (`proto-max-bulk-len`). */
const REDIS_MAX_BULK = 512 * 1024 * 1024

/** Most keys read by one batched script call. */
const MAX_BATCH = 128

/** What a read of one Redis key found: its first bytes, or a key of another type. */
const WRONG_TYPE = -1
type Fetched = Buffer | typeof WRONG_TYPE

interface QueuedRead {
  readonly key: CacheKey
  readonly name: string
  readonly resolve: (found: Fetched) => void
  readonly reject: (error: unknown) => void
}

export interface RedisCacheStorageOptions {
  /** A connected ioredis `Redis` or `Cluster`. The storage never closes it: its creator does. */
  client: RedisClient
  /**
   * Prefix of every key (`<namespace>:e:{<key>}`). Give each application (and each configuration
   * whose keys could collide) its own. No braces: see the Redis Cluster notes. @default 'memokit'
   */
  namespace?: string
  /** How entries become bytes. @default new SuperJsonSerDe() (Date, Map, Set, BigInt, undefined) */
  serde?: SerDe
  /**
   * Deadline of every Redis operation, enforced by memokit whatever the client's options. A
   * read that misses it is a miss; a write that misses it is dropped. @default 500
   */
  operationTimeout?: Milliseconds
  /**
   * Largest stored value, in bytes (envelope included). Bigger values are not written (the
   * caller still gets them); bigger stored values are not transferred (at most this many bytes
   * are read, then the read is a miss). @default 1 MiB
   */
  maxValueBytes?: number
  /**
   * The circuit breaker; `false` disables it. @default the breaker shared by every memokit
   * component on this client
   */
  circuitBreaker?: RedisCircuitBreaker | false
  /** Called for every event (faults, corrupt or oversize data, breaker changes). */
  onEvent?: RedisEventListener
  /**
   * Reads issued in the same tick are sent as one Lua script call (one round trip, one command
   * for many keys) on a standalone Redis; Cluster clients always read key by key. Turned off
   * by itself if the script is refused (an ACL without EVAL). @default true
   */
  batchReads?: boolean
  /**
   * How long a release leaves its tombstone (`<namespace>:t:{<key>}`): a refresh that started
   * before the release, in any process, and ends within this time is not stored (see
   * `fence`). Keep it above the method timeout. @default 10 minutes
   */
  invalidationWindow?: Milliseconds
  /**
   * A secret shared by every process using the namespace: values are signed with HMAC-SHA-256
   * and a value whose signature is missing or wrong (planted or copied by anyone without the
   * key) is a miss, counted as corrupt. For a Redis that others can write to. Changing the key
   * turns existing entries into misses, which are recomputed. @default none (unsigned)
   */
  signingKey?: SigningKey
}

/** Counters of a {@link RedisCacheStorage} since it was created. */
export interface RedisCacheStorageStats {
  /** Reads that found a valid entry. */
  readonly hits: number
  /** Reads that found nothing usable (missing, corrupt, oversize, or Redis unavailable). */
  readonly misses: number
  /** Entries written. */
  readonly writes: number
  /** Keys deleted by `release`. */
  readonly releases: number
  /** Writes declined because the key was released after the refresh started (see `fence`). */
  readonly fenced: number
  /** Values refused as unreadable: garbage, another key's envelope, wrong type, bad payload. */
  readonly corrupt: number
  /** Values over `maxValueBytes`, refused on write or not transferred on read. */
  readonly oversize: number
  /** Redis operations that failed (including timeouts and unavailability). */
  readonly faults: number
  /** Operations that got no reply within `operationTimeout`. */
  readonly timeouts: number
  /** Operations not sent because the client was disconnected or the breaker was open. */
  readonly unavailable: number
}

/**
 * A `CacheStorage` in Redis or Redis Cluster, shared by every process that uses the same
 * namespace: one Redis string per entry, under `<namespace>:e:{<key>}`, expiring at the entry's
 * `expiresAfter` (`SET … PXAT`), in a versioned envelope that repeats the key.
 *
 * Redis is treated as untrusted and fallible:
 * - a value that is garbage, truncated, from another key or namespace, of another Redis type,
 *   too large, or carrying `__proto__` is a miss (counted, reported as an event), never an
 *   exception and never a polluted prototype;
 * - faults fail open: `get` resolves `undefined` and `offer` drops the write when Redis is down,
 *   hung, slow, flushed or out of memory, each within `operationTimeout`; `release` rejects with
 *   a {@link RedisFaultError}, because it backs invalidation and the caller must know it failed.
 *
 * Use it with `EncodedMethodNameAndArgsKeyExtractor` (keys stable across processes) and
 * `NoEvictionStrategy` (Redis expires entries itself).
 */
class RedisCacheStorageImpl implements CacheStorage {
  readonly client: RedisClient
  readonly namespace: string
  readonly serde: SerDe
  readonly operationTimeout: Milliseconds
  readonly maxValueBytes: number
  readonly invalidationWindow: Milliseconds
  readonly #names: RedisNames
  readonly #guard: RedisGuard
  readonly #events: RedisEvents
  readonly #signer: EnvelopeSigner | undefined
  /** Reads in flight per key: concurrent gets of a key share one round trip. */
  readonly #reading = new Map<CacheKey, { promise?: Promise<CacheEntry | undefined> }>()
  /** Reads waiting for this tick's batch. */
  #queue: QueuedRead[] = []
  #batching: boolean
  /** Releases leave tombstones and writes can be fenced: false once an ACL refuses scripts. */
  #scripted = true
  readonly #commands: RedisClient & ScriptCommands
  readonly #stats = {
    hits: 0,
    misses: 0,
    writes: 0,
    releases: 0,
    fenced: 0,
    corrupt: 0,
    oversize: 0,
  }

  constructor(options: RedisCacheStorageOptions) {
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError('RedisCacheStorage needs an options object')
    this.client = requireClient(options.client)
    this.namespace = checkNamespace(options.namespace)
    this.serde = options.serde ?? new SuperJsonSerDe()
    if (
      typeof (this.serde as Partial<SerDe>).serialize !== 'function' ||
      typeof (this.serde as Partial<SerDe>).deserialize !== 'function'
    )
      throw new InvalidConfigurationError('serde must implement serialize() and deserialize()')
    this.operationTimeout = requireTimeout('operationTimeout', options.operationTimeout, 500)
    const maxValueBytes = options.maxValueBytes ?? 1024 * 1024
    if (!Number.isInteger(maxValueBytes) || maxValueBytes < 64 || maxValueBytes > REDIS_MAX_BULK)
      throw new InvalidConfigurationError(
        `maxValueBytes must be an integer from 64 to ${REDIS_MAX_BULK}, got ${String(maxValueBytes)}`,
      )
    this.maxValueBytes = maxValueBytes
    this.invalidationWindow = requireTimeout(
      'invalidationWindow',
      options.invalidationWindow,
      10 * 60_000,
    )
    this.#signer = signerOf(options.signingKey)
    this.#names = new RedisNames(this.namespace)
    this.#events = new RedisEvents('storage', options.onEvent)
    this.#guard = new RedisGuard(
      this.client,
      this.operationTimeout,
      options.circuitBreaker,
      this.#events,
    )
    this.#batching = options.batchReads !== false && !isCluster(this.client)
    this.#commands = withScripts(this.client)
  }

  /** The Redis key an entry is stored under (for tools and tests). */
  redisKey(key: CacheKey): string {
    return this.#names.entry(key)
  }

  /** Resolves the entry, or `undefined` for a miss. Never rejects. */
  get(key: CacheKey): Promise<CacheEntry | undefined> {
    const shared = this.#reading.get(key)?.promise
    if (shared !== undefined) return shared
    const read: { promise?: Promise<CacheEntry | undefined> } = {}
    this.#reading.set(key, read)
    return (read.promise = this.#read(key, read))
  }

  /**
   * Writes the entry, to expire at its `expiresAfter`. Never rejects: a value over
   * `maxValueBytes`, one the SerDe cannot encode, or a Redis fault drops the write (and an
   * oversize value deletes the older entry, which would otherwise be served in its place).
   */
  async offer(key: CacheKey, entry: CacheEntry, fence?: unknown): Promise<void> {
    this.#reading.delete(key) // reads started after this write must not share older ones
    const name = this.#names.entry(key)
    let value: Buffer
    try {
      value = encodeEnvelope('E', name, this.serde.serialize(entry))
      if (this.#signer !== undefined) value = this.#signer.sign(value)
    } catch (error) {
      this.#corrupt('offer', key, 'the SerDe could not encode the entry', error)
      return
    }
    if (value.length > this.maxValueBytes) {
      this.#stats.oversize++
      if (this.#events.active)
        this.#events.emit({ type: 'oversize', operation: 'offer', key, bytes: value.length })
      await this.#guard.runOn(name, 'offer', key, () => this.client.del(name)).catch(() => {})
      return
    }
    const expiresAt = Math.ceil(entry.expiresAfter)
    const set = (): Promise<unknown> => this.client.set(name, value, 'PXAT', expiresAt)
    try {
      const written =
        typeof fence === 'string'
          ? await this.#scriptOrPlain(
              name,
              'offer',
              key,
              () =>
                this.#commands.memokitOfferFenced(
                  name,
                  this.#names.tombstone(key),
                  fence,
                  value,
                  expiresAt,
                ),
              set,
            )
          : await this.#guard.runOn(name, 'offer', key, set)
      if (written === 0) {
        this.#stats.fenced++
        return
      }
      this.#stats.writes++
    } catch {
      // Fail open: the caller has its value; the fault is counted and reported.
    }
  }

  /**
   * The key's invalidation state: the id of the tombstone its last release left ('' for none).
   * The engine takes it before a refresh runs the method; `offer` then declines the entry if a
   * release (in any process) replaced the tombstone meanwhile. Rejects with a
   * {@link RedisFaultError} when Redis cannot tell (the write is then unfenced).
   */
  async fence(key: CacheKey): Promise<string | undefined> {
    if (!this.#scripted) return undefined
    const tombstone = this.#names.tombstone(key)
    return (
      (await this.#guard.runOn(tombstone, 'fence', key, () => this.client.get(tombstone))) ?? ''
    )
  }

  /**
   * Deletes the entry. Rejects with a {@link RedisFaultError} when Redis cannot confirm it: it
   * backs invalidation, and the caller must learn that the entry may still be served.
   */
  async release(key: CacheKey): Promise<void> {
    this.#reading.delete(key)
    const name = this.#names.entry(key)
    await this.#scriptOrPlain(
      name,
      'release',
      key,
      () =>
        this.#commands.memokitRelease(
          name,
          this.#names.tombstone(key),
          randomBytes(12).toString('base64url'),
          this.invalidationWindow,
        ),
      () => this.client.del(name),
    )
    this.#stats.releases++
  }

  /**
   * Runs `script`, or `plain` once an ACL has refused scripts: the first refusal switches this
   * storage to plain commands for good (releases without tombstones, unfenced writes).
   */
  async #scriptOrPlain<T>(
    name: string,
    operation: string,
    key: CacheKey,
    script: () => Promise<T>,
    plain: () => Promise<unknown>,
  ): Promise<T | undefined> {
    if (this.#scripted)
      try {
        return await this.#guard.runOn(name, operation, key, script)
      } catch (error) {
        if (!(error instanceof RedisFaultError && /NOPERM|unknown command/i.test(error.message)))
          throw error
        this.#scripted = false
      }
    await this.#guard.runOn(name, operation, key, plain)
    return undefined
  }

  /** Counters since creation. */
  stats(): RedisCacheStorageStats {
    return Object.freeze({ ...this.#stats, ...this.#guard.counters })
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: RedisEventListener): () => void {
    return this.#events.on(listener)
  }

  off(listener: RedisEventListener): void {
    this.#events.off(listener)
  }

  async #read(key: CacheKey, read: object): Promise<CacheEntry | undefined> {
    try {
      return await this.#readOnce(key)
    } finally {
      if (this.#reading.get(key) === read) this.#reading.delete(key)
    }
  }

  async #readOnce(key: CacheKey): Promise<CacheEntry | undefined> {
    const name = this.#names.entry(key)
    const max = this.maxValueBytes
    let data: Fetched
    try {
      data = await this.#fetch(key, name)
    } catch {
      this.#stats.misses++
      return undefined
    }
    if (data === WRONG_TYPE) return this.#corrupt('get', key, 'the key holds another Redis type')
    if (data.length === 0) {
      this.#stats.misses++
      return undefined
    }
    if (data.length > max) {
      this.#stats.oversize++
      this.#stats.misses++
      if (this.#events.active)
        this.#events.emit({ type: 'oversize', operation: 'get', key, bytes: data.length })
      return undefined
    }
    let body: Buffer | undefined = data
    if (this.#signer !== undefined) {
      body = this.#signer.open(data)
      if (body === undefined) return this.#corrupt('get', key, 'the signature is missing or wrong')
    }
    try {
      const envelope = decodeEnvelope(body, name, 'E')
      if (typeof envelope === 'string') return this.#corrupt('get', key, envelope)
      const entry = this.serde.deserialize(envelope.payload)
      this.#stats.hits++
      return entry
    } catch (error) {
      return this.#corrupt('get', key, 'the payload could not be decoded', error)
    }
  }

  /**
   * The first `maxValueBytes + 1` bytes of an entry's key. GETRANGE caps the transfer: a
   * planted 100 MB value costs that many bytes, never 100 MB. A missing key reads as ''.
   */
  #fetch(key: CacheKey, name: string): Promise<Fetched> {
    if (!this.#batching) return this.#fetchOne(key, name)
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) process.nextTick(() => this.#flush())
      this.#queue.push({ key, name, resolve, reject })
    })
  }

  async #fetchOne(key: CacheKey, name: string): Promise<Fetched> {
    try {
      return await this.#guard.runOn(name, 'get', key, () =>
        this.client.getrangeBuffer(name, 0, this.maxValueBytes),
      )
    } catch (error) {
      if (error instanceof RedisFaultError && error.message.includes('WRONGTYPE')) return WRONG_TYPE
      throw error
    }
  }

  /** Sends the reads queued in this tick, as one script call per MAX_BATCH keys. */
  #flush(): void {
    const queue = this.#queue
    this.#queue = []
    for (let start = 0; start < queue.length; start += MAX_BATCH) {
      const batch = queue.slice(start, start + MAX_BATCH)
      if (batch.length === 1 || !this.#batching) {
        for (const read of batch)
          this.#fetchOne(read.key, read.name).then(read.resolve, read.reject)
        continue
      }
      const names = batch.map((read) => read.name)
      this.#guard
        .run('get', undefined, () =>
          this.#commands.memokitGetManyBuffer(batch.length, ...names, this.maxValueBytes),
        )
        .then(
          (replies) => {
            batch.forEach((read, i) => {
              const reply = replies[i]
              if (Buffer.isBuffer(reply)) read.resolve(reply)
              else read.resolve(reply === WRONG_TYPE ? WRONG_TYPE : Buffer.alloc(0))
            })
          },
          (error: unknown) => {
            if (error instanceof RedisCommandError) {
              // The script itself was refused (an ACL without EVAL, scripting disabled): read
              // key by key from now on.
              this.#batching = false
              for (const read of batch)
                this.#fetchOne(read.key, read.name).then(read.resolve, read.reject)
            } else for (const read of batch) read.reject(error)
          },
        )
    }
  }

  #corrupt(operation: string, key: CacheKey, reason: string, error?: unknown): undefined {
    this.#stats.corrupt++
    if (operation === 'get') this.#stats.misses++
    if (this.#events.active) this.#events.emit({ type: 'corrupt', operation, key, reason, error })
    return undefined
  }
}
export const RedisCacheStorage = callable(RedisCacheStorageImpl)
export type RedisCacheStorage = RedisCacheStorageImpl
