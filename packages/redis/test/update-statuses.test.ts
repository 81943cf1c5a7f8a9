// RedisUpdateStatuses in one process, with one client per simulated process (the
// multi-process file runs the same protocol across real child processes).
import {
  CachedMethodFailedError,
  forceRefresh,
  memoize,
  RefreshSupersededError,
  SuperJsonSerDe,
  UpdateLockTimeoutError,
  UpdateStatusError,
  type CacheEntry,
} from '@memokit/core'
import {
  ENVELOPE_VERSION,
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisCircuitBreaker,
  RedisUnavailableError,
  RedisUpdateStatuses,
  RemoteRefreshError,
  type RedisUpdateStatusesOptions,
} from '@memokit/redis'
import { freePort } from '@memokit/redis/testing'
import {
  client,
  closeClients,
  connected,
  freshEntry,
  sleep,
  uniqueNamespace,
} from './support/redis'

jest.setTimeout(20_000)

const opened: RedisUpdateStatuses[] = []
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()))
  closeClients()
})

/** Two "processes": each with its own client (and subscriber connection). */
async function pair(options: Partial<RedisUpdateStatusesOptions> = {}) {
  const namespace = options.namespace ?? uniqueNamespace('locks')
  const make = async () => {
    const statuses = new RedisUpdateStatuses({
      client: await connected(client()),
      namespace,
      lockLease: 1_000,
      pollInterval: 50,
      ...options,
    })
    opened.push(statuses)
    return statuses
  }
  const [a, b] = [await make(), await make()]
  return { a, b, namespace, redis: await connected(client()) }
}

const lockKey = (namespace: string, key: string) => `${namespace}:l:${key}`

describe('claiming', () => {
  it('lets exactly one process claim a key, with a random 128-bit token', async () => {
    const { a, b, namespace, redis } = await pair()
    const claim = await a.tryMarkBeingUpdated('k')
    expect(claim).toBeDefined()
    expect(await b.tryMarkBeingUpdated('k')).toBeUndefined()
    expect(await a.tryMarkBeingUpdated('k')).toBeUndefined()
    expect(await b.isBeingUpdated('k')).toBe(true)
    const token = await redis.get(lockKey(namespace, 'k'))
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/) // 16 random bytes, base64url
    await a.markUpdated('k', freshEntry(1), claim)
    const next = await b.tryMarkBeingUpdated('other')
    await b.markUpdateAborted('other', new Error('x'), next)
    const tokens = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const c = await a.tryMarkBeingUpdated(`t${i}`)
      tokens.add((await redis.get(lockKey(namespace, `t${i}`)))!)
      await a.markUpdateAborted(`t${i}`, new Error('x'), c)
    }
    expect(tokens.size).toBe(20)
    expect(a.stats()).toMatchObject({ claimed: 21, taken: 1 })
  })

  it('supports the non-atomic API (isBeingUpdated / markBeingUpdated)', async () => {
    const { a, b } = await pair()
    expect(await a.isBeingUpdated('k')).toBe(false)
    const claim = await a.markBeingUpdated('k')
    await expect(b.markBeingUpdated('k')).rejects.toBeInstanceOf(UpdateStatusError)
    await a.markUpdateAborted('k', new Error('no'), claim)
    expect(await a.isBeingUpdated('k')).toBe(false)
    await expect(a.markUpdated('never', freshEntry(1))).rejects.toBeInstanceOf(UpdateStatusError)
  })

  it('renews the lease while the update runs, so a short lease is enough', async () => {
    const { a, b, namespace, redis } = await pair({ lockLease: 600 })
    const claim = await a.tryMarkBeingUpdated('k')
    for (let i = 0; i < 8; i++) {
      await sleep(250) // 2 s in all: more than 3 leases
      expect(await b.tryMarkBeingUpdated('k')).toBeUndefined()
    }
    expect(await redis.pttl(lockKey(namespace, 'k'))).toBeGreaterThan(0)
    expect(a.stats().renewals).toBeGreaterThanOrEqual(5)
    await a.markUpdated('k', freshEntry(1), claim)
  })

  it('ignores an outdated claim: its end neither releases nor answers the new holder', async () => {
    const { a, b, namespace, redis } = await pair({ completionWindow: 0 })
    const old = await a.tryMarkBeingUpdated('k')
    // Its lock is lost (expired during a long pause, evicted...) and b takes over.
    await redis.del(lockKey(namespace, 'k'))
    const current = await b.tryMarkBeingUpdated('k')
    expect(current).toBeDefined()
    const token = await redis.get(lockKey(namespace, 'k'))
    const c = await pair({ namespace })
    const waiting = c.a.awaitUpdated('k')
    await sleep(100)
    await a.markUpdated('k', freshEntry('stale result'), old)
    await sleep(100)
    expect(await redis.get(lockKey(namespace, 'k'))).toBe(token) // compare-and-delete
    await b.markUpdated('k', freshEntry('current result'), current)
    expect((await waiting).value).toBe('current result')
  })

  it('tells whether a claim still holds its lock', async () => {
    const { a, b, namespace, redis } = await pair({ lockLease: 300 })
    const claim = await a.tryMarkBeingUpdated('k')
    expect(await a.holds('k', claim!)).toBe(true)
    expect(await b.holds('k', claim!)).toBe(false) // not b's claim
    await redis.set(lockKey(namespace, 'k'), 'taken-over', 'PX', 5_000)
    await sleep(250) // the next renewal finds the lock gone
    expect(await a.holds('k', claim!)).toBe(false)
    expect(a.stats().lostLocks).toBe(1)
  })

  it('keeps a refresh that outlived its lock from overwriting the one that took over', async () => {
    const { a, b, namespace, redis } = await pair({ lockLease: 300, completionWindow: 0 })
    const make = (statuses: RedisUpdateStatuses, ms: number, label: string) =>
      memoize(
        async () => {
          await sleep(ms)
          return label
        },
        {
          configuration: RedisCacheConfiguration({ client: statuses.client, namespace }),
          updateStatuses: statuses,
          name: 'overtaken.fn',
        },
      )
    const slow = make(a, 800, 'late result')()
    await sleep(100)
    // a's lock is lost (as after a long pause) and b takes the key over.
    await redis.del(lockKey(namespace, 'overtaken.fn[]'))
    expect(await make(b, 10, 'newer result')()).toBe('newer result')
    expect(await slow).toBe('late result') // its callers still get it...
    const storage = new RedisCacheStorage({ client: redis, namespace })
    expect((await storage.get('overtaken.fn[]'))?.value).toBe('newer result') // ...not stored
  })

  it('rejects at once (so the engine computes) when Redis is unreachable', async () => {
    const statuses = new RedisUpdateStatuses({
      client: client(`redis://127.0.0.1:${await freePort()}`),
      operationTimeout: 200,
      circuitBreaker: new RedisCircuitBreaker({ failureThreshold: 1, cooldown: 10_000 }),
    })
    opened.push(statuses)
    const started = Date.now()
    await expect(statuses.tryMarkBeingUpdated('k')).rejects.toThrow(/Redis claim/)
    expect(Date.now() - started).toBeLessThan(1_000)
    // The breaker is open now: nothing is even sent.
    await expect(statuses.tryMarkBeingUpdated('k')).rejects.toBeInstanceOf(RedisUnavailableError)
  })
})

describe('waiting for another process', () => {
  it("receives the holder's entry, with its types", async () => {
    const { a, b } = await pair()
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    const also = b.awaitUpdated('k') // shared within the process
    await sleep(100)
    const entry: CacheEntry = freshEntry({ when: new Date(5), ids: new Set([1, 2]), big: 7n })
    await a.markUpdated('k', entry, claim)
    expect(await waiting).toEqual(entry)
    expect(await also).toEqual(entry)
    expect(b.stats().followed).toBe(1)
  })

  it("rejects with RemoteRefreshError when the holder's method fails", async () => {
    const { a, b } = await pair()
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    const failure = Object.assign(new TypeError('backend said no'), { code: 'E_NO' })
    await a.markUpdateAborted('k', failure, claim)
    const error = (await waiting.catch((e: unknown) => e)) as RemoteRefreshError
    expect(error).toBeInstanceOf(RemoteRefreshError)
    expect(error).toMatchObject({ remoteName: 'TypeError', remoteCode: 'E_NO' })
    expect(error.message).toContain('backend said no')
  })

  it('rejects with RefreshSupersededError when the update was invalidated', async () => {
    const { a, b } = await pair()
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    await a.markUpdateAborted('k', new RefreshSupersededError(), claim)
    await expect(waiting).rejects.toBeInstanceOf(RefreshSupersededError)
  })

  it('sends no entry over maxNoticeBytes: waiters are told to read the storage', async () => {
    const { a, b } = await pair({ maxNoticeBytes: 100 })
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    await a.markUpdated('k', freshEntry('x'.repeat(500)), claim)
    await expect(waiting).rejects.toBeInstanceOf(UpdateStatusError)
  })

  it('rejects with UpdateLockTimeoutError when the holder vanishes (its lease expires)', async () => {
    const { b, namespace } = await pair({ lockLease: 300 })
    const doomedClient = await connected(client())
    const doomed = new RedisUpdateStatuses({ client: doomedClient, namespace, lockLease: 300 })
    expect(await doomed.tryMarkBeingUpdated('k')).toBeDefined()
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    const diedAt = Date.now()
    doomedClient.disconnect() // no more renewals
    await expect(waiting).rejects.toBeInstanceOf(UpdateLockTimeoutError)
    expect(Date.now() - diedAt).toBeLessThan(300 + 50 + 1_000)
    // The key can be claimed again.
    expect(await b.tryMarkBeingUpdated('k')).toBeDefined()
  })

  it('never waits longer than updateLockTimeout', async () => {
    const { a, b } = await pair({ updateLockTimeout: 400 })
    const claim = await a.tryMarkBeingUpdated('k')
    const started = Date.now()
    await expect(b.awaitUpdated('k')).rejects.toThrow(/updateLockTimeout \(400 ms\)/)
    expect(Date.now() - started).toBeLessThan(2_000)
    await a.markUpdated('k', freshEntry(1), claim)
  })

  it('answers at once when the update ended before the wait began', async () => {
    const { a, b } = await pair({ completionWindow: 0 })
    const claim = await a.tryMarkBeingUpdated('k')
    await a.markUpdated('k', freshEntry(1), claim)
    await expect(b.awaitUpdated('k')).rejects.toBeInstanceOf(UpdateLockTimeoutError)
  })

  it('ignores unreadable notices and keeps waiting', async () => {
    const { a, b, namespace, redis } = await pair()
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    const channel = `${namespace}:u:k`
    await redis.publish(channel, 'garbage')
    await redis.publish(channel, Buffer.from([0x4d, 0x4b, 1, 0x44, 0, 0, 0, 0, 1, 0x78]))
    await sleep(50)
    await a.markUpdated('k', freshEntry('real'), claim)
    expect((await waiting).value).toBe('real')
    expect(b.stats().corrupt).toBe(2)
  })

  it('with a signingKey, ignores a well-formed notice published without the key', async () => {
    const signingKey = 'a shared secret of at least 16 bytes'
    const { a, b, namespace, redis } = await pair({ signingKey })
    const claim = await a.tryMarkBeingUpdated('k')
    const waiting = b.awaitUpdated('k')
    await sleep(100)
    const channel = `${namespace}:u:k`
    const forged = new SuperJsonSerDe().serialize(freshEntry('forged'))
    const header = Buffer.from([0x4d, 0x4b, ENVELOPE_VERSION, 0x44, 1, 0, 0, 0, 0])
    header.writeUInt32BE(Buffer.byteLength(channel), 5)
    await redis.publish(channel, Buffer.concat([header, Buffer.from(channel), Buffer.from(forged)]))
    await sleep(50)
    await a.markUpdated('k', freshEntry('real'), claim)
    expect((await waiting).value).toBe('real')
    expect(b.stats().corrupt).toBe(1)
  })
})

describe('the completion window', () => {
  it("sends a process that claims just after another's update completed to the storage", async () => {
    const { a, b } = await pair({ completionWindow: 1_000 })
    const claim = await a.tryMarkBeingUpdated('k')
    await a.markUpdated('k', freshEntry(1), claim)
    // b read the storage before the update completed, and claims just after:
    expect(await b.tryMarkBeingUpdated('k')).toBeUndefined()
    await expect(b.awaitUpdated('k')).rejects.toBeInstanceOf(UpdateStatusError)
    // The engine then reads the storage; if the entry is not there, its next claim succeeds.
    expect(await b.tryMarkBeingUpdated('k')).toBeDefined()
  })

  it('lets a forced claim take the key over a completion marker, never over a running update', async () => {
    const { a, b } = await pair({ completionWindow: 1_000 })
    const claim = await a.tryMarkBeingUpdated('k')
    expect(await b.tryMarkBeingUpdated('k', { forced: true })).toBeUndefined() // running: join it
    await a.markUpdated('k', freshEntry(1), claim)
    expect(await b.tryMarkBeingUpdated('k', { forced: true })).toBeDefined()
  })

  it('makes forceRefresh recompute right after another process refreshed the key', async () => {
    const { a, b, namespace } = await pair({ completionWindow: 1_000 })
    let runs = 0
    const make = (statuses: RedisUpdateStatuses) =>
      memoize(async (sku: string) => `${sku}#${++runs}`, {
        configuration: RedisCacheConfiguration({ client: statuses.client, namespace }),
        updateStatuses: statuses,
        name: 'Shop.stock',
      })
    const [inA, inB] = [make(a), make(b)]
    expect(await inA('book')).toBe('book#1')
    // Within the completion window: a plain miss in B would read A's result; a forced call
    // asks for a new computation.
    expect(await forceRefresh(() => inB('book'))).toBe('book#2')
    expect(await inA('book')).toBe('book#2')
  })
})

describe('with the engine', () => {
  it('runs one computation across two processes; the follower gets the same value', async () => {
    const { a, b, namespace } = await pair()
    let computations = 0
    const make = (statuses: RedisUpdateStatuses) =>
      memoize(
        async (n: number) => {
          computations++
          await sleep(200)
          return { n, at: Math.random() }
        },
        {
          configuration: RedisCacheConfiguration({ client: statuses.client, namespace }),
          updateStatuses: statuses,
          name: 'shared.fn',
        },
      )
    const [inA, inB] = [make(a), make(b)]
    const results = await Promise.all([inA(1), inB(1), inA(1), inB(1)])
    expect(computations).toBe(1)
    expect(new Set(results.map((r) => r.at)).size).toBe(1)
  })

  it("gives the follower 'Concurrent refresh failed to complete' when the leader fails", async () => {
    const { a, b, namespace } = await pair()
    const make = (statuses: RedisUpdateStatuses, fail: boolean) =>
      memoize(
        async () => {
          await sleep(200)
          if (fail) throw new Error('leader failed')
          return 'never reached by the follower'
        },
        {
          configuration: RedisCacheConfiguration({ client: statuses.client, namespace }),
          updateStatuses: statuses,
          name: 'failing.fn',
        },
      )
    const leader = make(a, true)()
    await sleep(50)
    const follower = make(b, false)()
    await expect(leader).rejects.toThrow('Refresh failed to complete')
    const error = (await follower.catch((e: unknown) => e)) as CachedMethodFailedError
    expect(error).toBeInstanceOf(CachedMethodFailedError)
    expect(error.message).toBe('Concurrent refresh failed to complete')
    expect(error.cause).toBeInstanceOf(RemoteRefreshError)
  })
})

describe('close()', () => {
  it('releases held locks and waiting calls', async () => {
    const { a, b, namespace, redis } = await pair()
    await a.tryMarkBeingUpdated('held')
    const claim = await b.tryMarkBeingUpdated('other')
    const waiting = a.awaitUpdated('other')
    await sleep(100)
    await a.close()
    await expect(waiting).rejects.toBeInstanceOf(UpdateLockTimeoutError)
    expect(await redis.exists(lockKey(namespace, 'held'))).toBe(0)
    await expect(a.tryMarkBeingUpdated('x')).rejects.toBeInstanceOf(RedisUnavailableError)
    await b.markUpdated('other', freshEntry(1), claim)
  })
})

describe('options', () => {
  it('rejects bad values with errors naming the option', () => {
    const redis = client()
    expect(() => new RedisUpdateStatuses({ client: {} as never })).toThrow(/client must be/)
    expect(() => new RedisUpdateStatuses({ client: redis, namespace: '{app}' })).toThrow(
      /namespace/,
    )
    expect(() => new RedisUpdateStatuses({ client: redis, lockLease: 0 })).toThrow(/lockLease/)
    expect(() => new RedisUpdateStatuses({ client: redis, pollInterval: -1 })).toThrow(
      /pollInterval/,
    )
    expect(() => new RedisUpdateStatuses({ client: redis, completionWindow: 1.5 })).toThrow(
      /completionWindow/,
    )
  })
})
