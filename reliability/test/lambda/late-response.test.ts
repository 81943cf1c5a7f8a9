// A response that arrives after the caller's deadline (test plan D, "response arriving after
// the caller's deadline"): it must never reach the cache, nor a later caller, who gets a new
// invocation instead. The function takes 300 ms; callers give up at 100 ms.
import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  MethodTimeoutError,
  MutableCacheConfiguration,
  withSignal,
} from '@memokit/core'
import { MemoizedLambda, MemoizedLambdaError, memoizedInvoke } from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import { RedisCacheStorage, createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

jest.setTimeout(30_000)

const SLOW_MS = 300
const DEADLINE_MS = 100
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

let server: LocalLambdaServer
let client: LambdaClient
let runs = 0

beforeAll(async () => {
  server = await LocalLambdaServer()
    .register('slow', async (event: { id: number }) => {
      const run = ++runs
      await sleep(SLOW_MS)
      return { id: event.id, run }
    })
    .start()
  client = server.createClient()
})
afterAll(async () => {
  client.destroy()
  await server.close()
})

describe('a response after the caller’s deadline', () => {
  it('MemoizedLambda: the caller gives up, the request is aborted, nothing is cached; the next caller invokes anew', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda<{ id: number; run: number }>({
      lambdaClient: client,
      functionName: 'slow',
      cache,
    })
    const before = runs
    const started = Date.now()
    const error = await mlambda
      .invoke({ id: 1 }, { signal: AbortSignal.timeout(DEADLINE_MS) })
      .catch((e: unknown) => e)
    const waited = Date.now() - started
    expect((error as Error).name).toBe('TimeoutError') // the signal's reason
    expect(waited).toBeLessThan(SLOW_MS)
    await sleep(SLOW_MS + 100) // the handler has finished by now
    expect(runs).toBe(before + 1)
    expect(cache.size).toBe(0)
    // A later caller gets a new invocation, never the late response.
    const later = await mlambda.invoke({ id: 1 })
    expect(later.run).toBe(before + 2)
    expect(cache.size).toBe(1)
  })

  it('MemoizedLambda: a caller without a deadline still gets the response, which is cached', async () => {
    const mlambda = MemoizedLambda<{ id: number; run: number }>({
      lambdaClient: client,
      functionName: 'slow',
      cache: new Map(),
    })
    const hasty = mlambda
      .invoke({ id: 2 }, { signal: AbortSignal.timeout(DEADLINE_MS) })
      .catch((e: unknown) => e)
    const patient = mlambda.invoke({ id: 2 })
    expect(((await hasty) as Error).name).toBe('TimeoutError')
    const value = await patient
    expect(await mlambda.invoke({ id: 2 })).toBe(value) // cached: it was not late for this caller
  })

  it('memoizedInvoke: the method timeout aborts the request; the late response is not stored in Redis, a later call invokes anew', async () => {
    let redis: RedisServer | undefined
    const redisClient = { current: undefined as ReturnType<typeof createRedisClient> | undefined }
    try {
      redis = await startRedisServer()
      redisClient.current = createRedisClient(redis.url)
      const storage = new RedisCacheStorage({ client: redisClient.current, namespace: 'late' })
      const invoke = memoizedInvoke<{ id: number; run: number }, { id: number }>({
        lambdaClient: client,
        functionName: 'slow',
        configuration: MutableCacheConfiguration.initializedWith(
          DefaultInMemoryCacheConfiguration({ methodTimeout: DEADLINE_MS }),
        )
          .setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor())
          .setStorage(storage),
      })
      const before = runs
      const error = (await invoke({ id: 3 }).catch((e: unknown) => e)) as CachedMethodFailedError
      expect(error).toBeInstanceOf(CachedMethodFailedError)
      expect(error.cause).toBeInstanceOf(MethodTimeoutError)
      await sleep(SLOW_MS + 100)
      expect(runs).toBe(before + 1) // the handler ran to its end, answering nobody
      expect(await redisClient.current.keys('late:*')).toEqual([])
      // The next call is a new invocation; it has the whole method timeout again, so make the
      // function fast for it by a longer timeout.
      const patient = memoizedInvoke<{ id: number; run: number }, { id: number }>({
        lambdaClient: client,
        functionName: 'slow',
        configuration: MutableCacheConfiguration.initializedWith(
          DefaultInMemoryCacheConfiguration({ methodTimeout: 5_000 }),
        )
          .setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor())
          .setStorage(storage),
      })
      expect((await patient({ id: 3 })).run).toBe(before + 2)
      expect((await redisClient.current.keys('late:*')).length).toBe(1)
    } finally {
      redisClient.current?.disconnect()
      await redis?.stop()
    }
  })

  it('memoizedInvoke with withSignal: the caller leaves at its deadline, the invocation goes on and is stored (it was not late for the method)', async () => {
    const invoke = memoizedInvoke<{ id: number; run: number }, { id: number }>({
      lambdaClient: client,
      functionName: 'slow',
      configuration: MutableCacheConfiguration.initializedWith(
        DefaultInMemoryCacheConfiguration({ methodTimeout: 5_000 }),
      ).setKeyExtractor(EncodedMethodNameAndArgsKeyExtractor()),
    })
    const before = runs
    const left = await withSignal(AbortSignal.timeout(DEADLINE_MS), () => invoke({ id: 4 })).catch(
      (e: unknown) => e,
    )
    expect((left as Error).name).toBe('TimeoutError')
    await invoke.control.settle()
    await sleep(SLOW_MS)
    const value = await invoke({ id: 4 })
    expect(value.run).toBe(before + 1) // the one invocation, stored when it completed
  })

  it('never lets the transport error of an aborted request be cached', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient: client, functionName: 'slow', cache })
    const controller = new AbortController()
    const call = mlambda.invoke({ id: 5 }, { signal: controller.signal }).catch((e: unknown) => e)
    await sleep(20)
    controller.abort(
      new MemoizedLambdaError('gave up', { reason: 'aborted', functionName: 'slow' }),
    )
    expect(await call).toBeInstanceOf(MemoizedLambdaError)
    await sleep(SLOW_MS + 50)
    expect(cache.size).toBe(0)
  })
})
