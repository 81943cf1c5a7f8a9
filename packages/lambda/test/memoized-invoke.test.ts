import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  CachedMethodFailedError,
  DefaultInMemoryCacheConfiguration,
  EncodedMethodNameAndArgsKeyExtractor,
  forceRefresh,
  InMemoryLocks,
  invalidate,
  LeastRecentlyUpdatedEvictionStrategy,
  LocalInMemoryCacheStorage,
  MethodTimeoutError,
  MutableCacheConfiguration,
  ProvidedLifeSpanCacheEntryBuilder,
  withSignal,
  type CacheConfiguration,
} from '@memokit/core'
import { FakeClock } from '@memokit/core/testing'
import {
  LambdaFunctionError,
  LambdaThrottledError,
  memoizedInvoke,
  PayloadTooLargeError,
  SYNC_PAYLOAD_LIMIT_BYTES,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
/** The error a call failed with (and a test failure if it succeeded). */
const failure = (call: Promise<unknown>): Promise<CachedMethodFailedError> =>
  call.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (error: unknown) => error as CachedMethodFailedError,
  )

describe('memoizedInvoke', () => {
  let server: LocalLambdaServer
  let lambdaClient: LambdaClient
  let clock: FakeClock
  let counter: number

  beforeEach(async () => {
    counter = 0
    server = await LocalLambdaServer()
      .register('counter', (event: { id?: number }) => ({ id: event.id, n: ++counter }))
      .register('echo', (event) => ({ echo: event }))
      .register('echo:v2', (event) => ({ v2: event }))
      .start()
    lambdaClient = server.createClient()
    clock = new FakeClock()
  })

  afterEach(async () => {
    lambdaClient.destroy()
    await server.close()
  })

  const timed = (
    options: { updateAfter?: number; expireAfter?: number; methodTimeout?: number } = {},
  ) =>
    DefaultInMemoryCacheConfiguration({ clock, updateAfter: 1000, expireAfter: 10_000, ...options })

  it('invokes once per distinct request and caches the result; key order does not matter', async () => {
    const invoke = memoizedInvoke<{ echo: unknown }>({ lambdaClient, functionName: 'echo' })
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => invoke(i % 2 === 0 ? { a: 1, b: 2 } : { b: 2, a: 1 })),
    )
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
      new Set(['{"echo":{"a":1,"b":2}}']),
    )
    expect(await invoke({ b: 2, a: 1 })).toEqual({ echo: { a: 1, b: 2 } })
    expect(server.requestCount()).toBe(1)
    expect(invoke.control.stats()).toMatchObject({ refreshes: 1, joined: 99, hits: 1 })
    expect(invoke.functionName).toBe('echo')
    expect(invoke.qualifier).toBeUndefined()
  })

  it('refreshes in the background past updateAfter, serving the stale value meanwhile', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'counter', configuration: timed() })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    clock.advance(999)
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 }) // fresh
    expect(server.invocationCount()).toBe(1)
    clock.advance(1)
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 }) // stale, served at once...
    await invoke.control.settle() // ...while one background refresh runs
    expect(server.invocationCount()).toBe(2)
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 2 })
    expect(server.invocationCount()).toBe(2)
    expect(invoke.control.stats()).toMatchObject({ staleHits: 1, refreshes: 2 })
  })

  it('blocks on a new invocation once the entry expired', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'counter', configuration: timed() })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    clock.advance(10_000)
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 2 })
    expect(invoke.control.stats()).toMatchObject({ misses: 2, staleHits: 0 })
  })

  it('never caches failures: function errors and throttling reach callers as the cause', async () => {
    let fail = true
    server.register('flaky', () => {
      if (fail) throw new Error('cold start failed')
      return 'warm'
    })
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'flaky', configuration: timed() })
    const [leader, waiter] = await Promise.all([invoke({}), invoke({})].map(failure))
    expect(leader).toBeInstanceOf(CachedMethodFailedError)
    expect(leader?.message).toBe('Refresh failed to complete')
    expect(waiter?.message).toBe('Concurrent refresh failed to complete')
    expect(leader?.cause).toBeInstanceOf(LambdaFunctionError)
    expect(leader?.cause).toMatchObject({
      errorMessage: 'cold start failed',
      functionName: 'flaky',
    })
    expect(server.requestCount()).toBe(1)

    server.throttle({ next: 1 })
    const throttled = await failure(invoke({}))
    expect(throttled.cause).toBeInstanceOf(LambdaThrottledError)

    fail = false
    expect(await invoke({})).toBe('warm')
    expect(server.requestCount()).toBe(3)
  })

  it('keeps the stale value when a background refresh fails, and retries on a later call', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'counter', configuration: timed() })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    clock.advance(1500)
    server.throttle({ next: 1 })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    await invoke.control.settle()
    expect(invoke.control.stats().refreshFailures).toBe(1)
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 }) // still stale; a new refresh starts
    await invoke.control.settle()
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 2 })
    expect(server.requestCount()).toBe(3)
  })

  it('aborts the HTTP request when the method timeout fires, and caches nothing', async () => {
    const invoke = memoizedInvoke({
      lambdaClient,
      functionName: 'counter',
      configuration: timed({ methodTimeout: 1000 }),
    })
    server.delay(10_000, { next: 1 })
    const pending = failure(invoke({ id: 1 }))
    while (server.requestCount() < 1) await tick()
    clock.advance(1000)
    const error = await pending
    expect(error.message).toBe('Refresh timed out')
    expect(error.cause).toBeInstanceOf(MethodTimeoutError)
    while (!server.invocations[0]?.abandoned) await tick() // the client closed the request
    await tick()
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    expect(server.invocationCount()).toBe(1) // the aborted request never ran the handler
  })

  it('lets one caller leave with withSignal while the invocation goes on and is cached', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'counter', configuration: timed() })
    server.delay(30, { next: 1 })
    const controller = new AbortController()
    const leaving = withSignal(controller.signal, () => invoke({ id: 1 }))
    controller.abort(new Error('gave up'))
    await expect(leaving).rejects.toThrow('gave up')
    await invoke.control.settle()
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    expect(server.requestCount()).toBe(1)
  })

  it('supports forceRefresh, invalidate and invoke.invalidate', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'counter', configuration: timed() })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 1 })
    expect(await forceRefresh(() => invoke({ id: 1 }))).toEqual({ id: 1, n: 2 })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 2 })
    await invalidate(() => invoke({ id: 1 }))
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 3 })
    await invoke.invalidate({ id: 1 })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 4 })
    expect(await invoke({ id: 1 })).toEqual({ id: 1, n: 4 })
  })

  it('refuses oversized requests with PayloadTooLargeError before the engine or the network', async () => {
    const invoke = memoizedInvoke({ lambdaClient, functionName: 'echo', configuration: timed() })
    const huge = '😀'.repeat(SYNC_PAYLOAD_LIMIT_BYTES / 4) // 6 MB of UTF-8 plus the two quotes
    const error = await invoke(huge).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PayloadTooLargeError)
    expect(error).toMatchObject({ size: SYNC_PAYLOAD_LIMIT_BYTES + 2 })
    await expect(forceRefresh(() => invoke(huge))).rejects.toBeInstanceOf(PayloadTooLargeError)
    await expect(invoke.invalidate(huge)).rejects.toBeInstanceOf(PayloadTooLargeError)
    expect(server.requestCount()).toBe(0)
    expect(invoke.control.stats().misses).toBe(0)
  })

  describe('keys', () => {
    function shared(storage = LocalInMemoryCacheStorage()): CacheConfiguration {
      return MutableCacheConfiguration({
        storage,
        keyExtractor: EncodedMethodNameAndArgsKeyExtractor(),
        evictionStrategy: LeastRecentlyUpdatedEvictionStrategy({ capacity: 100 }),
        entryBuilder: ProvidedLifeSpanCacheEntryBuilder({
          updateAfter: 1000,
          expireAfter: 10_000,
          clock,
        }),
        clock,
      })
    }

    it('are name-based (function + qualifier + canonical request), so separate instances share entries', async () => {
      const storage = LocalInMemoryCacheStorage()
      const configuration = shared(storage)
      // Two instances built independently, as two processes sharing a Redis storage would.
      const a = memoizedInvoke({ lambdaClient, functionName: 'echo', configuration })
      const b = memoizedInvoke({ lambdaClient, functionName: 'echo', configuration })
      const v2 = memoizedInvoke({
        lambdaClient,
        functionName: 'echo',
        qualifier: 'v2',
        configuration,
      })
      expect(await a({ x: 1, y: 2 })).toEqual({ echo: { x: 1, y: 2 } })
      expect(await b({ y: 2, x: 1 })).toEqual({ echo: { x: 1, y: 2 } })
      expect(server.requestCount()).toBe(1)
      expect(await v2({ x: 1, y: 2 })).toEqual({ v2: { x: 1, y: 2 } })
      expect(server.requestCount()).toBe(2)
      expect([...storage.keys()]).toEqual([
        'lambda:"echo"[K"LambdaRequest""={\\"x\\":1,\\"y\\":2}"]',
        'lambda:"echo"@"v2"[K"LambdaRequest""={\\"x\\":1,\\"y\\":2}"]',
      ])
    })

    it('hash long requests, and shared update statuses deduplicate across instances', async () => {
      const storage = LocalInMemoryCacheStorage()
      const configuration = shared(storage)
      const updateStatuses = InMemoryLocks({ clock })
      const a = memoizedInvoke({
        lambdaClient,
        functionName: 'echo',
        configuration,
        updateStatuses,
      })
      const b = memoizedInvoke({
        lambdaClient,
        functionName: 'echo',
        configuration,
        updateStatuses,
      })
      server.delay(20, { next: 1 })
      const payload = { text: 'x'.repeat(1000) }
      const results = await Promise.all([a(payload), b(payload), a(payload), b(payload)])
      expect(results.every((r) => JSON.stringify(r) === JSON.stringify({ echo: payload }))).toBe(
        true,
      )
      expect(server.requestCount()).toBe(1)
      expect([...storage.keys()]).toEqual([
        expect.stringMatching(/^lambda:"echo"\[K"LambdaRequest""#[A-Za-z0-9_-]{43}"\]$/),
      ])
    })

    it('take the name option', async () => {
      const storage = LocalInMemoryCacheStorage()
      const invoke = memoizedInvoke({
        lambdaClient,
        functionName: 'echo',
        configuration: shared(storage),
        name: 'users',
      })
      await invoke(1)
      expect([...storage.keys()]).toEqual(['users[K"LambdaRequest""=1"]'])
    })
  })

  it('applies custom transforms; the transformed result is what is cached', async () => {
    const invoke = memoizedInvoke<string, number>({
      lambdaClient,
      functionName: 'echo',
      configuration: timed(),
      requestTransform: (n) => Buffer.from(`[${n}]`),
      responseTransform: (request, response) =>
        `${Buffer.from(request).toString()} -> ${Buffer.from(response).toString()}`,
    })
    expect(await invoke(5)).toBe('[5] -> {"echo":[5]}')
    expect(await invoke(5)).toBe('[5] -> {"echo":[5]}')
    expect(server.requestCount()).toBe(1)
  })

  it('checks its options', () => {
    const ok = { lambdaClient, functionName: 'echo' }
    expect(() => memoizedInvoke({ ...ok, functionName: 42 } as never)).toThrow(
      /functionName must be a non-empty string, got 42/,
    )
    expect(() => memoizedInvoke({ ...ok, configuration: {} } as never)).toThrow(
      /configuration must implement/,
    )
    expect(() => memoizedInvoke({ ...ok, expireAfter: 5 } as never)).toThrow(
      /unknown memoizedInvoke\(\) option "expireAfter"/,
    )
    expect(() => memoizedInvoke(undefined as never)).toThrow(/needs an options object/)
  })
})
