// memoizedInvoke on a Redis configuration: a Lambda invocation shared by processes through a
// real throwaway redis-server. Two independent memoizedInvoke instances, each with its own Redis
// connections, update statuses and engine, stand for two processes: anything they share goes
// through Redis. (@memokit/redis's own tests cover real child processes.)
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { settle } from '@memokit/core'
import { memoizedInvoke } from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import {
  RedisCacheConfiguration,
  RedisUpdateStatuses,
  createRedisClient,
  type RedisClient,
} from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('memoizedInvoke with Redis storage and cross-process dedup', () => {
  let redis: RedisServer
  let server: LocalLambdaServer
  let lambdaClient: LambdaClient
  let invocations: number
  const closers: Array<() => unknown> = []

  beforeAll(async () => {
    redis = await startRedisServer()
  }, 30_000)

  afterAll(async () => {
    await redis.stop()
  })

  beforeEach(async () => {
    invocations = 0
    server = await LocalLambdaServer()
      .register('quote', async (event: { symbol: string }) => {
        invocations++
        await sleep(100) // slow enough for every caller to arrive while it runs
        return { symbol: event.symbol, price: 100 + invocations, at: Date.now() }
      })
      .start()
    lambdaClient = server.createClient()
  })

  afterEach(async () => {
    await settle()
    for (const close of closers.splice(0)) await close()
    lambdaClient.destroy()
    await server.close()
  })

  /** One "process": its own Redis connections, update statuses and memoized invocation. */
  function process(namespace: string, lifetimes: { updateAfter: number; expireAfter: number }) {
    const client: RedisClient = createRedisClient(redis.url)
    const updateStatuses = new RedisUpdateStatuses({ client, namespace })
    closers.push(
      () => updateStatuses.close(),
      () => client.disconnect(),
    )
    return memoizedInvoke<{ symbol: string; price: number; at: number }, { symbol: string }>({
      lambdaClient,
      functionName: 'quote',
      configuration: RedisCacheConfiguration({ client, namespace, ...lifetimes }),
      updateStatuses,
    })
  }

  it('invokes once for concurrent callers in two processes, then serves both from Redis', async () => {
    const lifetimes = { updateAfter: 60_000, expireAfter: 120_000 }
    const first = process('dedup', lifetimes)
    const second = process('dedup', lifetimes)

    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second)({ symbol: 'ACME' })),
    )
    expect(invocations).toBe(1)
    expect(new Set(results.map((r) => r.price))).toEqual(new Set([101]))

    // A third process, started later, finds the result in Redis.
    const third = process('dedup', lifetimes)
    expect(await third({ symbol: 'ACME' })).toEqual(results[0])
    expect(invocations).toBe(1)
    expect(server.invocationCount('quote')).toBe(1)
  }, 30_000)

  it('refreshes in the background past updateAfter and shares the new value', async () => {
    const lifetimes = { updateAfter: 300, expireAfter: 30_000 }
    const first = process('refresh', lifetimes)
    const second = process('refresh', lifetimes)

    const initial = await first({ symbol: 'ACME' })
    await sleep(350) // stale now
    const stale = await Promise.all([first({ symbol: 'ACME' }), second({ symbol: 'ACME' })])
    expect(stale.map((r) => r.price)).toEqual([initial.price, initial.price]) // served at once
    await settle()
    expect((await second({ symbol: 'ACME' })).price).toBe(initial.price + 1)
    expect(invocations).toBe(2) // one background refresh for both processes
  }, 30_000)

  it('recomputes after an invalidation made by another process', async () => {
    const lifetimes = { updateAfter: 60_000, expireAfter: 120_000 }
    const first = process('invalidate', lifetimes)
    const second = process('invalidate', lifetimes)

    await first({ symbol: 'ACME' })
    await second.invalidate({ symbol: 'ACME' })
    expect((await first({ symbol: 'ACME' })).price).toBe(102)
    expect(invocations).toBe(2)
  }, 30_000)

  it('keeps working when Redis is stopped: every call computes and succeeds (fail open)', async () => {
    const lifetimes = { updateAfter: 60_000, expireAfter: 120_000 }
    const only = process('outage', lifetimes)
    await only({ symbol: 'ACME' })
    redis.pause() // SIGSTOP: the server hangs
    try {
      const started = Date.now()
      const during = await only({ symbol: 'OTHER' })
      expect(during.symbol).toBe('OTHER')
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      redis.resume()
    }
  }, 30_000)
})
