// Redis faults fail open: calls compute and succeed within their deadlines, whatever the ioredis
// options. Each test here runs its own redis-server (it is paused, flushed, filled up).
import { Redis } from 'ioredis'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { InvalidationSupport, memoize } from '@memokit/core'
import {
  RedisCacheConfiguration,
  RedisCacheStorage,
  RedisCircuitBreaker,
  REDIS_DIAGNOSTICS_CHANNEL,
  RedisFaultError,
  RedisTimeoutError,
  RedisUnavailableError,
  RedisUpdateStatuses,
  type RedisClient,
  type RedisEvent,
} from '@memokit/redis'
import { freePort, startRedisServer, type RedisServer } from '@memokit/redis/testing'
import {
  client,
  closeClients,
  connected,
  freshEntry,
  sleep,
  uniqueNamespace,
} from './support/redis'

jest.setTimeout(60_000)

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  closeClients()
  await server.stop()
})

/** A client with ioredis's own defaults: no commandTimeout, 20 retries per request. */
function defaultsClient(url: string): RedisClient {
  const raw = new Redis(url)
  raw.on('error', () => {})
  afterAllClients.push(raw)
  return raw
}
const afterAllClients: RedisClient[] = []
afterAll(() => afterAllClients.forEach((c) => c.disconnect()))

/** A memoized function over Redis that records every call's latency. */
function harness(redis: RedisClient, operationTimeout: number, computeMs: number) {
  const namespace = uniqueNamespace('fault')
  const breaker = new RedisCircuitBreaker({ failureThreshold: 3, cooldown: 300 })
  const storage = new RedisCacheStorage({
    client: redis,
    namespace,
    operationTimeout,
    circuitBreaker: breaker,
  })
  const statuses = new RedisUpdateStatuses({
    client: redis,
    namespace,
    operationTimeout,
    lockLease: 1_000,
    pollInterval: 100,
    circuitBreaker: breaker,
  })
  let computations = 0
  const fn = memoize(
    async (key: string) => {
      computations++
      await sleep(computeMs)
      return `value-of-${key}`
    },
    {
      configuration: RedisCacheConfiguration({
        storage,
        expireAfter: 600_000,
        updateAfter: 300_000,
      }),
      updateStatuses: statuses,
      name: 'fault.fn',
    },
  )
  const calls: { start: number; end: number; ok: boolean; right: boolean }[] = []
  const call = async (key: string): Promise<void> => {
    const start = Date.now()
    try {
      const value = await fn(key)
      calls.push({ start, end: Date.now(), ok: true, right: value === `value-of-${key}` })
    } catch {
      calls.push({ start, end: Date.now(), ok: false, right: false })
    }
  }
  let running = false
  const loops: Promise<void>[] = []
  return {
    storage,
    statuses,
    breaker,
    calls,
    computations: () => computations,
    call,
    start(concurrency: number, keys: number): void {
      running = true
      for (let i = 0; i < concurrency; i++)
        loops.push(
          (async () => {
            while (running) await call(`k${Math.floor(Math.random() * keys)}`)
          })(),
        )
    },
    async stop(): Promise<void> {
      running = false
      await Promise.all(loops)
      await statuses.close()
    },
  }
}

describe('a hung Redis (SIGSTOP)', () => {
  it('keeps every call within its deadline for 5 s, with ioredis default options, and recovers', async () => {
    const redis = await connected(defaultsClient(server.url))
    const operationTimeout = 250
    const computeMs = 10
    const h = harness(redis, operationTimeout, computeMs)
    h.start(16, 20)
    await sleep(1_000) // warm: mostly cache hits
    const hitsBefore = h.storage.stats().hits
    expect(hitsBefore).toBeGreaterThan(0)

    server.pause()
    const pausedAt = Date.now()
    await sleep(5_000)
    server.resume()
    const resumedAt = Date.now()
    const hitsAtResume = h.storage.stats().hits
    let recovery = Infinity
    while (Date.now() - resumedAt < 3_000) {
      if (h.storage.stats().hits > hitsAtResume) {
        recovery = Date.now() - resumedAt
        break
      }
      await sleep(5)
    }
    await sleep(300)
    await h.stop()

    const during = h.calls.filter((c) => c.end >= pausedAt && c.start <= resumedAt)
    const maxLatency = Math.max(...during.map((c) => c.end - c.start))
    const figures = {
      calls: h.calls.length,
      callsDuringPause: during.length,
      failed: h.calls.filter((c) => !c.ok).length,
      wrong: h.calls.filter((c) => c.ok && !c.right).length,
      maxLatencyDuringPause: maxLatency,
      recoveryAfterResume: recovery,
      breakerOpenings: h.breaker.openings,
      storage: h.storage.stats(),
    }
    console.log('SIGSTOP 5 s:', JSON.stringify(figures))
    expect(figures.failed).toBe(0)
    expect(figures.wrong).toBe(0)
    expect(during.length).toBeGreaterThan(100) // calls kept flowing while Redis was hung
    // Deadline: a few operation deadlines (read, claim/follow, write) + the method + slack.
    expect(maxLatency).toBeLessThan(4 * operationTimeout + 100 + computeMs + 500)
    expect(recovery).toBeLessThan(1_000)
  })
})

describe('a Redis that is down from the start', () => {
  it('computes every call, never waits past the deadline, and reports typed faults', async () => {
    const port = await freePort() // nothing listens here
    const redis = client(`redis://127.0.0.1:${port}`)
    const operationTimeout = 200
    const storage = new RedisCacheStorage({
      client: redis,
      namespace: uniqueNamespace(),
      operationTimeout,
      circuitBreaker: new RedisCircuitBreaker(),
    })
    const invalidation = new InvalidationSupport<[number]>()
    let computations = 0
    const fn = memoize(
      async (n: number) => {
        computations++
        return n * 2
      },
      { configuration: RedisCacheConfiguration({ storage }), invalidation, name: 'down.fn' },
    )
    const started = Date.now()
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => fn(i % 5)))
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => (i % 5) * 2))
    expect(Date.now() - started).toBeLessThan(2 * operationTimeout + 500)
    expect(computations).toBe(5) // still deduplicated within the process
    // Sequential calls: the first ones wait for the deadline, then the breaker fails them fast.
    for (let i = 0; i < 20; i++) {
      const t = Date.now()
      expect(await fn(100 + i)).toBe((100 + i) * 2)
      expect(Date.now() - t).toBeLessThan(2 * operationTimeout + 300)
    }
    expect(storage.stats().faults).toBeGreaterThan(0)
    expect(storage.stats().unavailable).toBeGreaterThan(0)
    // Nothing piles up in ioredis while it reconnects: memokit does not send.
    expect(
      (redis as unknown as { offlineQueue: { length: number } }).offlineQueue.length,
    ).toBeLessThan(5)
    // Invalidation must not pretend it worked.
    const error = await invalidation.invalidateForArguments([1]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RedisFaultError)
    expect((error as RedisFaultError).code).toMatch(/^E_REDIS_/)
  })
})

describe('a slow Redis (CLIENT PAUSE)', () => {
  it('answers calls from the method while Redis stalls, then hits again', async () => {
    const redis = await connected(client(server.url))
    const operationTimeout = 150
    const h = harness(redis, operationTimeout, 5)
    h.start(8, 10)
    await sleep(500)
    await server.cli(['CLIENT', 'PAUSE', '800', 'ALL'])
    const pausedAt = Date.now()
    await sleep(1_500)
    await h.stop()
    const during = h.calls.filter((c) => c.end >= pausedAt && c.start <= pausedAt + 800)
    expect(h.calls.every((c) => c.ok && c.right)).toBe(true)
    expect(Math.max(...during.map((c) => c.end - c.start))).toBeLessThan(4 * operationTimeout + 600)
    expect(h.calls.filter((c) => c.start > pausedAt + 1_200).length).toBeGreaterThan(0)
  })
})

describe('a flushed Redis', () => {
  it('recomputes after FLUSHALL without failing a call', async () => {
    const redis = await connected(client(server.url))
    const h = harness(redis, 250, 5)
    await Promise.all(['a', 'b', 'c'].map((k) => h.call(k)))
    const before = h.computations()
    await Promise.all(['a', 'b', 'c'].map((k) => h.call(k)))
    expect(h.computations()).toBe(before) // hits
    await server.cli(['FLUSHALL'])
    await Promise.all(['a', 'b', 'c'].map((k) => h.call(k)))
    expect(h.computations()).toBe(before + 3)
    expect(h.calls.every((c) => c.ok && c.right)).toBe(true)
    await h.stop()
  })
})

describe('a Redis out of memory', () => {
  afterEach(async () => {
    await server.cli(['CONFIG', 'SET', 'maxmemory', '0'])
    await server.cli(['FLUSHALL'])
  })

  it('serves calls uncached when writes fail with OOM, and keeps serving what is stored', async () => {
    const redis = await connected(client(server.url))
    const storage = new RedisCacheStorage({
      client: redis,
      namespace: uniqueNamespace('oom'),
      circuitBreaker: new RedisCircuitBreaker(),
    })
    await storage.offer('kept', freshEntry('stored before OOM'))
    // Any write now exceeds maxmemory: Redis answers OOM to writes and still serves reads.
    await server.cli(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'])
    await server.cli(['CONFIG', 'SET', 'maxmemory', '1'])
    const faultsBefore = storage.stats().faults
    await storage.offer('new', freshEntry('cannot be stored'))
    expect(storage.stats().faults).toBe(faultsBefore + 1)
    expect(await storage.get('new')).toBeUndefined()
    expect((await storage.get('kept'))?.value).toBe('stored before OOM')
    // Error replies prove the server is alive: the breaker stays closed.
    expect(storage.stats().unavailable).toBe(0)

    let computations = 0
    const fn = memoize(
      async (x: number) => {
        computations++
        return x + 1
      },
      { configuration: RedisCacheConfiguration({ storage }), name: 'oom.fn' },
    )
    expect(await fn(1)).toBe(2)
    expect(await fn(1)).toBe(2)
    expect(computations).toBe(2) // not cached, never failed
  })
})

describe('the circuit breaker', () => {
  it('opens after consecutive faults, fails fast while open, and lets one probe through', () => {
    const breaker = new RedisCircuitBreaker({ failureThreshold: 2, cooldown: 100 })
    expect(breaker.allow(0)).toBe(true)
    expect(breaker.failure(0)).toBe(false)
    expect(breaker.failure(0)).toBe(true)
    expect(breaker.state).toBe('open')
    expect(breaker.allow(50)).toBe(false)
    expect(breaker.allow(100)).toBe(true) // the probe
    expect(breaker.state).toBe('half-open')
    expect(breaker.allow(100)).toBe(false) // only one
    expect(breaker.failure(100)).toBe(true) // probe failed: open again
    expect(breaker.allow(150)).toBe(false)
    expect(breaker.allow(200)).toBe(true)
    expect(breaker.success()).toBe(true)
    expect(breaker.state).toBe('closed')
    expect(breaker.openings).toBe(2)
  })

  it('keeps one breaker per Redis Cluster node, with its settings, counted in its openings', () => {
    const breaker = new RedisCircuitBreaker({ failureThreshold: 2, cooldown: 100 })
    const dead = breaker.forNode('127.0.0.1:7001')
    const live = breaker.forNode('127.0.0.1:7002')
    expect(breaker.forNode('127.0.0.1:7001')).toBe(dead)
    expect([dead.failureThreshold, dead.cooldown]).toEqual([2, 100])
    dead.failure(0)
    expect(dead.failure(0)).toBe(true)
    expect(dead.allow(50)).toBe(false)
    expect(live.allow(50)).toBe(true) // the other node is unaffected
    expect(breaker.state).toBe('closed')
    expect(breaker.openings).toBe(1)
    breaker.reset()
    expect(dead.state).toBe('closed')
  })

  it('rejects bad options with a clear error', () => {
    expect(() => new RedisCircuitBreaker({ failureThreshold: 0 })).toThrow(/failureThreshold/)
    expect(() => new RedisCircuitBreaker({ cooldown: -1 })).toThrow(/cooldown/)
  })

  it('makes a hung Redis cost nothing per operation once open', async () => {
    const hung = await startRedisServer()
    try {
      const redis = await connected(defaultsClient(hung.url))
      const events: RedisEvent[] = []
      const published: unknown[] = []
      const onPublish = (message: unknown): number => published.push(message)
      subscribe(REDIS_DIAGNOSTICS_CHANNEL, onPublish)
      const storage = new RedisCacheStorage({
        client: redis,
        namespace: uniqueNamespace(),
        operationTimeout: 100,
        circuitBreaker: new RedisCircuitBreaker({ failureThreshold: 3, cooldown: 10_000 }),
        onEvent: (event) => events.push(event),
      })
      hung.pause()
      for (let i = 0; i < 3; i++) expect(await storage.get(`k${i}`)).toBeUndefined()
      const t = Date.now()
      for (let i = 0; i < 1_000; i++) expect(await storage.get(`k${i}`)).toBeUndefined()
      expect(Date.now() - t).toBeLessThan(500)
      expect(storage.stats().timeouts).toBe(3)
      expect(storage.stats().unavailable).toBe(1_000)
      unsubscribe(REDIS_DIAGNOSTICS_CHANNEL, onPublish)
      const types = events.map((e) => e.type)
      expect(types.slice(0, 4)).toEqual(['fault', 'fault', 'fault', 'breaker-open'])
      expect(events[0]).toMatchObject({ source: 'storage', operation: 'get', key: 'k0' })
      expect(events[0]?.error).toBeInstanceOf(RedisTimeoutError)
      expect(published.length).toBe(events.length) // the same events on diagnostics_channel
      const error = await storage.release('k').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RedisUnavailableError)
    } finally {
      hung.resume()
      await hung.stop()
    }
  })
})
