import type { LambdaClient } from '@aws-sdk/client-lambda'
import { InvalidConfigurationError, MemoizeUsageError, withSignal } from '@memokit/core'
import {
  LambdaFunctionError,
  LambdaThrottledError,
  MemoizedLambda,
  MemoizedLambdaError,
  PayloadTooLargeError,
  SYNC_PAYLOAD_LIMIT_BYTES,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'

const FUNCTION_NAME = 'test-function'
const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8')
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('MemoizedLambda', () => {
  let server: LocalLambdaServer
  let lambdaClient: LambdaClient

  beforeEach(async () => {
    server = await LocalLambdaServer()
      .register(FUNCTION_NAME, () => [])
      .register('echo', (event) => ({ echo: event }))
      .register('other', (event) => ({ other: event }))
      .register('fail', () => {
        throw new RangeError('out of range')
      })
      .start()
    lambdaClient = server.createClient()
  })

  afterEach(async () => {
    lambdaClient.destroy()
    await server.close()
  })

  // ---------------------------------------------------------------------------------------
  // The upstream suite (tests/test_memoized_lambda.py), ported to a real client and server.

  describe('upstream scenarios', () => {
    it.each([
      [true, 1],
      [false, 2],
    ])(
      'invoke when transform returns value (cacheFilter → %s): %d invocation(s) for two calls',
      async (filter, invocations) => {
        const mlambda = MemoizedLambda({
          lambdaClient,
          functionName: FUNCTION_NAME,
          cache: new Map(),
          cacheFilter: () => filter,
        })
        expect(await mlambda.invoke({})).toEqual([])
        expect(server.invocationCount()).toBe(1)
        const [first] = server.invocations
        expect(first?.functionName).toBe(FUNCTION_NAME)
        expect(text(first?.payload)).toBe('{}')
        expect(await mlambda.invoke({})).toEqual([])
        expect(server.invocationCount()).toBe(invocations)
      },
    )

    it.each([
      [true, 1],
      [false, 2],
    ])(
      'invoke when the response transform throws (cacheFilter → %s): %d invocation(s) for two calls',
      async (filter, invocations) => {
        const failure = new Error('RuntimeError')
        const mlambda = MemoizedLambda({
          lambdaClient,
          functionName: FUNCTION_NAME,
          cache: new Map(),
          cacheFilter: () => filter,
          responseTransform: () => {
            throw failure
          },
        })
        await expect(mlambda.invoke({})).rejects.toBe(failure)
        expect(server.invocationCount()).toBe(1)
        await expect(mlambda.invoke({})).rejects.toBe(failure)
        expect(server.invocationCount()).toBe(invocations)
      },
    )

    it('raises MemoizedLambdaError on a status error (one invocation attempt)', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'missing', cache: new Map() })
      const error = await mlambda.invoke({}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MemoizedLambdaError)
      expect(error).toMatchObject({
        reason: 'service-error',
        statusCode: 404,
        errorType: 'ResourceNotFoundException',
        functionName: 'missing',
        code: 'E_LAMBDA_INVOCATION_FAILED',
      })
      expect((error as Error).cause).toMatchObject({ name: 'ResourceNotFoundException' })
      expect(server.requestCount()).toBe(1)
    })

    it('raises MemoizedLambdaError when the payload cannot be read', async () => {
      server.inject({ kind: 'truncate' }, { next: 1 })
      const mlambda = MemoizedLambda({
        lambdaClient,
        functionName: FUNCTION_NAME,
        cache: new Map(),
      })
      await expect(mlambda.invoke({})).rejects.toMatchObject({
        name: 'MemoizedLambdaError',
        reason: 'transport',
      })
      expect(await mlambda.invoke({})).toEqual([]) // not cached
    })

    it('invokes the lambda once for concurrent calls', async () => {
      const mlambda = MemoizedLambda({
        lambdaClient,
        functionName: FUNCTION_NAME,
        cache: new Map(),
      })
      expect(await Promise.all([mlambda.invoke({}), mlambda.invoke({})])).toEqual([[], []])
      expect(server.requestCount()).toBe(1)
    })
  })

  // ---------------------------------------------------------------------------------------
  // The README's behaviour.

  it('invokes once per distinct request; key order does not matter; JSON both ways', async () => {
    const mlambda = MemoizedLambda<{ echo: unknown }>({
      lambdaClient,
      functionName: 'echo',
      cache: new Map(),
    })
    const results = await Promise.all([
      mlambda.invoke({}),
      mlambda.invoke([]),
      mlambda.invoke({}),
      mlambda.invoke({ a: 1, b: [2, { d: 4, c: 3 }] }),
      mlambda.invoke({ b: [2, { c: 3, d: 4 }], a: 1 }),
    ])
    expect(results).toEqual([
      { echo: {} },
      { echo: [] },
      { echo: {} },
      { echo: { a: 1, b: [2, { c: 3, d: 4 }] } },
      { echo: { a: 1, b: [2, { c: 3, d: 4 }] } },
    ])
    expect(server.invocations.map((i) => text(i.payload)).sort()).toEqual([
      '[]',
      '{"a":1,"b":[2,{"c":3,"d":4}]}',
      '{}',
    ])
    await mlambda.invoke({ b: [2, { d: 4, c: 3 }], a: 1 })
    expect(server.requestCount()).toBe(3)
  })

  it('applies custom request and response transforms', async () => {
    const seen: [string, string][] = []
    const mlambda = MemoizedLambda<string, number>({
      lambdaClient,
      functionName: 'echo',
      cache: new Map(),
      requestTransform: (n) => `{"n":${n}}`,
      responseTransform: (request, response) => {
        seen.push([text(request), text(response)])
        return text(response).toUpperCase()
      },
    })
    expect(await mlambda.invoke(7)).toBe('{"ECHO":{"N":7}}')
    expect(await mlambda.invoke(7)).toBe('{"ECHO":{"N":7}}')
    expect(seen).toEqual([['{"n":7}', '{"echo":{"n":7}}']])
  })

  it('works with new and without, and checks its options', () => {
    const options = { lambdaClient, functionName: 'echo', cache: new Map() }
    expect(new MemoizedLambda(options)).toBeInstanceOf(MemoizedLambda)
    expect(MemoizedLambda(options)).toBeInstanceOf(MemoizedLambda)
    const bad = (patch: Record<string, unknown>) => () => MemoizedLambda({ ...options, ...patch })
    expect(bad({ functionName: '' })).toThrow(/functionName must be a non-empty string, got ""/)
    expect(bad({ cache: {} })).toThrow(/cache must implement get\(\)/)
    expect(bad({ cache: undefined })).toThrow(InvalidConfigurationError)
    expect(bad({ lambdaClient: {} })).toThrow(/lambdaClient must be a LambdaClient/)
    expect(bad({ qualifier: 3 })).toThrow(/qualifier must be a non-empty string/)
    expect(bad({ cacheFilter: true })).toThrow(/cacheFilter must be a function, got true/)
    expect(bad({ maxPayloadBytes: 1.5 })).toThrow(/maxPayloadBytes must be a positive whole number/)
    expect(bad({ cache_filter: () => true })).toThrow(
      /unknown MemoizedLambda option "cache_filter"/,
    )
  })

  it('stores only results in the cache, under keys that name the function and qualifier', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', qualifier: 'prod', cache })
    const pending = mlambda.invoke({ x: 1 })
    expect(cache.size).toBe(0) // in flight: nothing in the cache yet
    await pending
    expect([...cache]).toEqual([['lambda:"echo"@"prod":={"x":1}', { echo: { x: 1 } }]])
    expect(mlambda.keyFor({ x: 1 })).toBe('lambda:"echo"@"prod":={"x":1}')
    expect(server.invocations[0]?.qualifier).toBe('prod')
    mlambda.invalidate({ x: 1 })
    expect(cache.size).toBe(0)
    await mlambda.invoke({ x: 1 })
    expect(server.requestCount()).toBe(2)
  })

  it('does not store the result of an invocation invalidated while in flight', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache })
    server.delay(20, { next: 1 })
    const pending = mlambda.invoke(1)
    mlambda.invalidate(1)
    expect(await pending).toEqual({ echo: 1 }) // its waiters still get it
    expect(cache.size).toBe(0)
    await mlambda.invoke(1)
    expect(cache.size).toBe(1)
    expect(server.requestCount()).toBe(2)
  })

  it('keys long requests by their SHA-256', async () => {
    const cache = new Map<string, unknown>()
    const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache })
    await mlambda.invoke({ long: 'x'.repeat(300) })
    expect([...cache.keys()]).toEqual([expect.stringMatching(/^lambda:"echo":#[A-Za-z0-9_-]{43}$/)])
  })

  it('works with any Map-like cache (has/get/set/delete), including undefined results', async () => {
    const calls: string[] = []
    const store = new Map<string, unknown>()
    const cache = {
      get: (key: string) => (calls.push('get'), store.get(key)),
      set: (key: string, value: unknown) => (calls.push('set'), store.set(key, value)),
      has: (key: string) => (calls.push('has'), store.has(key)),
      delete: (key: string) => (calls.push('delete'), store.delete(key)),
    }
    const mlambda = MemoizedLambda({
      lambdaClient,
      functionName: 'echo',
      cache,
      responseTransform: () => undefined,
    })
    expect(await mlambda.invoke(1)).toBeUndefined()
    expect(await mlambda.invoke(1)).toBeUndefined()
    expect(server.requestCount()).toBe(1)
    expect(calls).toEqual(['get', 'has', 'set', 'get', 'has'])
  })

  it('fails open when the cache throws', async () => {
    const cache = {
      get: () => {
        throw new Error('cache down')
      },
      set: () => {
        throw new Error('value too large')
      },
      has: () => false,
      delete: () => false,
    }
    const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache })
    expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
    expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
    expect(server.requestCount()).toBe(2)
  })

  // ---------------------------------------------------------------------------------------
  // The original's defects, fixed.

  describe('defects of the original, fixed', () => {
    it('includes the function name in the key: two functions sharing a cache never collide', async () => {
      const cache = new Map<string, unknown>()
      const echo = MemoizedLambda({ lambdaClient, functionName: 'echo', cache })
      const other = MemoizedLambda({ lambdaClient, functionName: 'other', cache })
      expect(await echo.invoke({ id: 1 })).toEqual({ echo: { id: 1 } })
      expect(await other.invoke({ id: 1 })).toEqual({ other: { id: 1 } })
      expect(server.invocationCount('echo')).toBe(1)
      expect(server.invocationCount('other')).toBe(1)
      expect(cache.size).toBe(2)
    })

    it('includes the qualifier in the key', async () => {
      server.register('echo:v2', (event) => ({ v2: event }))
      const cache = new Map<string, unknown>()
      const latest = MemoizedLambda({ lambdaClient, functionName: 'echo', cache })
      const v2 = MemoizedLambda({ lambdaClient, functionName: 'echo', qualifier: 'v2', cache })
      expect(await latest.invoke(1)).toEqual({ echo: 1 })
      expect(await v2.invoke(1)).toEqual({ v2: 1 })
      expect(await v2.invoke(1)).toEqual({ v2: 1 })
      expect(server.requestCount()).toBe(2)
    })

    it('applies cacheFilter at write time: rejected results are not stored, concurrent callers still share one invocation', async () => {
      const cache = new Map<string, unknown>()
      const offered: unknown[] = []
      const mlambda = MemoizedLambda({
        lambdaClient,
        functionName: FUNCTION_NAME,
        cache,
        cacheFilter: (outcome) => (offered.push(outcome), false),
      })
      server.delay(20, { next: 1 })
      expect(
        await Promise.all([mlambda.invoke({}), mlambda.invoke({}), mlambda.invoke({})]),
      ).toEqual([[], [], []])
      expect(server.requestCount()).toBe(1) // the original made 3 invocations, one after another
      expect(offered).toEqual([[]]) // offered once, when the invocation completed
      expect(cache.size).toBe(0)
      await mlambda.invoke({})
      expect(server.requestCount()).toBe(2)
    })

    it('raises LambdaFunctionError for a FunctionError answer and never caches it; waiters share it', async () => {
      const cache = new Map<string, unknown>()
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'fail', cache })
      const errors = await Promise.all(
        [mlambda.invoke({}), mlambda.invoke({})].map((p) => p.catch((e: unknown) => e)),
      )
      expect(errors[0]).toBe(errors[1])
      const error = errors[0] as LambdaFunctionError
      expect(error).toBeInstanceOf(LambdaFunctionError)
      expect(error).toBeInstanceOf(MemoizedLambdaError)
      expect(error).toMatchObject({
        reason: 'function-error',
        functionError: 'Unhandled',
        errorType: 'RangeError',
        errorMessage: 'out of range',
        statusCode: 200,
        code: 'E_LAMBDA_FUNCTION_ERROR',
      })
      expect(error.trace?.[0]).toBe('RangeError: out of range')
      expect(error.message).toMatch(/fail failed \(Unhandled\): RangeError: out of range/)
      expect(cache.size).toBe(0)
      expect(server.requestCount()).toBe(1)
      await expect(mlambda.invoke({})).rejects.toBeInstanceOf(LambdaFunctionError)
      expect(server.requestCount()).toBe(2) // re-invoked: never cached
    })

    it('treats Handled function errors and timeouts as errors too', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.inject(
        { kind: 'function-error', functionError: 'Handled', errorType: 'Bad', errorMessage: 'no' },
        { next: 1 },
      )
      server.inject({ kind: 'timeout' }, { next: 1 })
      await expect(mlambda.invoke(1)).rejects.toMatchObject({
        functionError: 'Handled',
        errorType: 'Bad',
      })
      await expect(mlambda.invoke(1)).rejects.toMatchObject({
        functionError: 'Unhandled',
        errorType: 'Sandbox.Timedout',
      })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
    })

    it('never caches a MemoizedLambdaError, even one thrown by the response transform, whatever cacheFilter says', async () => {
      const offered: unknown[] = []
      const mlambda = MemoizedLambda({
        lambdaClient,
        functionName: 'echo',
        cache: new Map(),
        cacheFilter: (outcome) => (offered.push(outcome), true),
        responseTransform: () => {
          throw new MemoizedLambdaError('unacceptable payload')
        },
      })
      await expect(mlambda.invoke(1)).rejects.toThrow('unacceptable payload')
      await expect(mlambda.invoke(1)).rejects.toThrow('unacceptable payload')
      expect(server.requestCount()).toBe(2)
      expect(offered).toEqual([])
    })

    it('raises MemoizedLambdaError for responses that are not JSON (never cached)', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.inject({ kind: 'response', body: '<html>' }, { next: 1 })
      const error = await mlambda.invoke(1).catch((e: unknown) => e)
      expect(error).toMatchObject({
        name: 'MemoizedLambdaError',
        reason: 'invalid-response',
        functionName: 'echo',
      })
      expect((error as Error).cause).toBeInstanceOf(SyntaxError)
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
    })

    it('raises MemoizedLambdaError for a success status other than 200 (never cached)', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.inject({ kind: 'response', status: 202 }, { next: 1 })
      await expect(mlambda.invoke(1)).rejects.toMatchObject({
        reason: 'unexpected-status',
        statusCode: 202,
      })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
    })

    it('raises MemoizedLambdaError for non-2xx answers and never caches them', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.inject(
        {
          kind: 'service-error',
          status: 502,
          errorType: 'EC2ThrottledException',
          message: 'no ENI',
        },
        { next: 1 },
      )
      const error = await mlambda.invoke(1).catch((e: unknown) => e)
      expect(error).toMatchObject({
        name: 'MemoizedLambdaError',
        reason: 'service-error',
        statusCode: 502,
        errorType: 'EC2ThrottledException',
        errorMessage: 'no ENI',
      })
      expect((error as Error).cause).toMatchObject({ $metadata: { httpStatusCode: 502 } })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(2)
    })

    it('raises LambdaThrottledError on 429 and never caches it', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.throttle({ next: 1, reason: 'FunctionInvocationRateLimitExceeded', retryAfter: 2000 })
      const error = await mlambda.invoke(1).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LambdaThrottledError)
      expect(error).toMatchObject({
        reason: 'throttled',
        code: 'E_LAMBDA_THROTTLED',
        statusCode: 429,
        errorType: 'TooManyRequestsException',
        throttleReason: 'FunctionInvocationRateLimitExceeded',
        retryAfter: 2000,
      })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(2)
    })

    it('raises MemoizedLambdaError for transport errors and never caches them', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.inject({ kind: 'reset' }, { next: 2 })
      const errors = await Promise.all(
        [mlambda.invoke(1), mlambda.invoke(1)].map((p) => p.catch((e: unknown) => e)),
      )
      expect(errors[0]).toBe(errors[1])
      expect(errors[0]).toMatchObject({ name: 'MemoizedLambdaError', reason: 'transport' })
      expect((errors[0] as Error).cause).toBeDefined()
      expect(server.requestCount()).toBe(1)
      await expect(mlambda.invoke(1)).rejects.toMatchObject({ reason: 'transport' })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(3)
    })

    it('raises a transport MemoizedLambdaError when nothing listens', async () => {
      const endpoint = server.endpoint
      await server.close()
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      const error = await mlambda.invoke(1).catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'MemoizedLambdaError', reason: 'transport' })
      expect((error as Error).message).toContain(`Failed to invoke lambda echo`)
      expect(endpoint).toMatch(/^http:/)
    })

    it('an aborting caller never poisons the key: others get the result, which is cached', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.delay(50, { next: 1 })
      const controller = new AbortController()
      const aborted = mlambda.invoke(1, { signal: controller.signal })
      const patient = mlambda.invoke(1)
      while (server.requestCount() < 1) await tick()
      controller.abort(new Error('caller gave up'))
      await expect(aborted).rejects.toThrow('caller gave up')
      expect(await patient).toEqual({ echo: 1 })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(1)
    })

    it('when every caller aborts, the request is aborted and the next call invokes afresh', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      server.delay(5_000, { next: 1 })
      const controller = new AbortController()
      const first = mlambda.invoke(1, { signal: controller.signal })
      const second = withSignal(controller.signal, () => mlambda.invoke(1))
      while (server.requestCount() < 1) await tick() // the request reached the server
      controller.abort(new Error('deadline'))
      await expect(first).rejects.toThrow('deadline')
      await expect(second).rejects.toThrow('deadline')
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 }) // not stuck behind the aborted one
      expect(server.requestCount()).toBe(2)
      expect(server.invocations[0]).toMatchObject({ status: undefined, abandoned: true }) // the caller left
      expect(server.invocationCount()).toBe(1)
    })

    it('supports withSignal and a signal option on every path (hit, miss, refused)', async () => {
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
      const aborted = AbortSignal.abort(new Error('already aborted'))
      await expect(withSignal(aborted, () => mlambda.invoke(1))).rejects.toThrow('already aborted')
      await mlambda.invoke(1)
      const live = new AbortController().signal
      expect(await withSignal(live, () => mlambda.invoke(1))).toEqual({ echo: 1 })
      expect(await mlambda.invoke(1, { signal: live })).toEqual({ echo: 1 })
      await expect(mlambda.invoke(1, { signal: aborted })).rejects.toThrow('already aborted')
      const huge = 'x'.repeat(SYNC_PAYLOAD_LIMIT_BYTES)
      await expect(withSignal(live, () => mlambda.invoke(huge))).rejects.toBeInstanceOf(
        PayloadTooLargeError,
      )
      await expect(mlambda.invoke(1, { signal: 'nope' as never })).rejects.toBeInstanceOf(
        MemoizeUsageError,
      )
    })

    it('refuses requests over 6 MB before any network call, counting UTF-8 bytes', async () => {
      server.register('size', (event: string) => event.length)
      const mlambda = MemoizedLambda({ lambdaClient, functionName: 'size', cache: new Map() })
      // Canonical JSON of a string adds two quotes.
      const exactly = 'a'.repeat(SYNC_PAYLOAD_LIMIT_BYTES - 2)
      expect(await mlambda.invoke(exactly)).toBe(SYNC_PAYLOAD_LIMIT_BYTES - 2)
      const over = await mlambda
        .invoke('a'.repeat(SYNC_PAYLOAD_LIMIT_BYTES - 1))
        .catch((e: unknown) => e)
      expect(over).toBeInstanceOf(PayloadTooLargeError)
      expect(over).toMatchObject({
        reason: 'payload-too-large',
        code: 'E_LAMBDA_PAYLOAD_TOO_LARGE',
        size: SYNC_PAYLOAD_LIMIT_BYTES + 1,
        limit: SYNC_PAYLOAD_LIMIT_BYTES,
        functionName: 'size',
      })
      // 1.6 M emoji: 3.2 M UTF-16 units (under the limit as a string length), 6.4 MB as UTF-8.
      const emoji = '😀'.repeat(1_600_000)
      expect(emoji.length).toBeLessThan(SYNC_PAYLOAD_LIMIT_BYTES)
      await expect(mlambda.invoke(emoji)).rejects.toMatchObject({ size: 6_400_002 })
      // Bytes from a custom transform are measured as they are.
      const raw = MemoizedLambda<unknown, Uint8Array>({
        lambdaClient,
        functionName: 'size',
        cache: new Map(),
        requestTransform: (bytes) => bytes,
        maxPayloadBytes: 10,
      })
      await expect(raw.invoke(new Uint8Array(11))).rejects.toMatchObject({ size: 11, limit: 10 })
      expect(server.requestCount()).toBe(1) // only the request of exactly 6 MB was sent
    })
  })

  // ---------------------------------------------------------------------------------------
  // Load.

  it('turns 1,000 concurrent identical invokes into one HTTP request', async () => {
    const mlambda = MemoizedLambda({ lambdaClient, functionName: 'echo', cache: new Map() })
    server.delay(20, { next: 1 })
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => mlambda.invoke({ same: true })),
    )
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
      new Set(['{"echo":{"same":true}}']),
    )
    expect(results.every((r) => r === results[0])).toBe(true)
    expect(server.requestCount()).toBe(1)
  })

  it('under throttling, throttled calls fail typed and uncached, the rest succeed, and retries succeed', async () => {
    const draws = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 0.1 : 0.9)) // 7 of 20 throttled
    const throttled = await LocalLambdaServer({ random: () => draws.shift() ?? 1 })
      .register('echo', (event) => event)
      .start()
    const client = throttled.createClient()
    try {
      throttled.throttle({ fraction: 0.3, retryAfter: null })
      const mlambda = MemoizedLambda({
        lambdaClient: client,
        functionName: 'echo',
        cache: new Map(),
      })
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          mlambda.invoke(i).then(
            () => 'ok',
            (e: unknown) => e,
          ),
        ),
      )
      const failures = outcomes.filter((o) => o !== 'ok')
      expect(failures).toHaveLength(7)
      for (const failure of failures) expect(failure).toBeInstanceOf(LambdaThrottledError)
      // Everything again: the 13 successes are cached, the 7 throttled calls are retried.
      expect(await Promise.all(Array.from({ length: 20 }, (_, i) => mlambda.invoke(i)))).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      )
      expect(throttled.requestCount()).toBe(27)
    } finally {
      client.destroy()
      await throttled.close()
    }
  })

  it('lets the client retry through throttling (maxAttempts 3, no Retry-After)', async () => {
    const retrying = server.createClient({ maxAttempts: 3 })
    try {
      server.throttle({ next: 2, retryAfter: null })
      const mlambda = MemoizedLambda({
        lambdaClient: retrying,
        functionName: 'echo',
        cache: new Map(),
      })
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(3)
      expect(await mlambda.invoke(1)).toEqual({ echo: 1 })
      expect(server.requestCount()).toBe(3)
    } finally {
      retrying.destroy()
    }
  })
})
