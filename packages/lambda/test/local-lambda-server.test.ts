import {
  InvokeCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  type LambdaClient,
} from '@aws-sdk/client-lambda'
import { FakeClock } from '@memokit/core/testing'
import { createLocalLambdaClient, LocalLambdaServer } from '@memokit/lambda/testing'

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8')
const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value))

describe('LocalLambdaServer', () => {
  let server: LocalLambdaServer
  let client: LambdaClient

  beforeEach(async () => {
    server = await LocalLambdaServer()
      .register('echo', (event) => ({ echo: event }))
      .register('fail', () => {
        throw new TypeError('bad input')
      })
      .start()
    client = server.createClient()
  })

  afterEach(async () => {
    client.destroy()
    await server.close()
  })

  const invoke = (
    input: Omit<ConstructorParameters<typeof InvokeCommand>[0], 'FunctionName'> & {
      FunctionName?: string
    },
  ) => client.send(new InvokeCommand({ FunctionName: 'echo', ...input }))

  it('listens on a random loopback port', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.port).toBeGreaterThan(0)
  })

  it('answers RequestResponse with 200 and the JSON result', async () => {
    const response = await invoke({ Payload: json({ a: 1 }) })
    expect(response.StatusCode).toBe(200)
    expect(response.FunctionError).toBeUndefined()
    expect(response.ExecutedVersion).toBe('$LATEST')
    expect(JSON.parse(text(response.Payload))).toEqual({ echo: { a: 1 } })
    expect(server.invocationCount('echo')).toBe(1)
    const [record] = server.invocations
    expect(record).toMatchObject({
      functionName: 'echo',
      qualifier: undefined,
      invocationType: 'RequestResponse',
      status: 200,
      handled: true,
      event: { a: 1 },
      result: { echo: { a: 1 } },
    })
    expect(text(record?.payload)).toBe('{"a":1}')
  })

  it('sends {} as the event when there is no payload, and null for an undefined result', async () => {
    server.register('nothing', () => undefined)
    expect(text((await invoke({})).Payload)).toBe('{"echo":{}}')
    expect(text((await invoke({ FunctionName: 'nothing' })).Payload)).toBe('null')
  })

  it('gives handlers a Lambda-like context', async () => {
    server.register(
      'ctx',
      (_event, context) => ({
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        invokedFunctionArn: context.invokedFunctionArn,
        awsRequestId: context.awsRequestId,
        memoryLimitInMB: context.memoryLimitInMB,
        remaining: context.getRemainingTimeInMillis(),
        clientContext: context.clientContext,
      }),
      { timeout: 5000, memorySize: 256 },
    )
    const response = await invoke({
      FunctionName: 'ctx',
      Qualifier: '7',
      ClientContext: Buffer.from(JSON.stringify({ custom: { tenant: 't1' } })).toString('base64'),
    })
    const context = JSON.parse(text(response.Payload))
    expect(context).toMatchObject({
      functionName: 'ctx',
      functionVersion: '7',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ctx:7',
      memoryLimitInMB: '256',
      clientContext: { custom: { tenant: 't1' } },
    })
    expect(context.remaining).toBeGreaterThan(0)
    expect(context.remaining).toBeLessThanOrEqual(5000)
    expect(context.awsRequestId).toBe(server.invocations[0]?.requestId)
    expect(response.ExecutedVersion).toBe('7')
  })

  it('resolves ARNs, partial ARNs, name:qualifier and ?Qualifier=, preferring qualified registrations', async () => {
    server.register('echo:prod', () => 'prod version')
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:echo'
    expect(text((await invoke({ FunctionName: arn })).Payload)).toBe('{"echo":{}}')
    expect(text((await invoke({ FunctionName: `${arn}:prod` })).Payload)).toBe('"prod version"')
    expect(text((await invoke({ FunctionName: '123456789012:function:echo:prod' })).Payload)).toBe(
      '"prod version"',
    )
    expect(text((await invoke({ FunctionName: 'echo', Qualifier: 'prod' })).Payload)).toBe(
      '"prod version"',
    )
    expect(text((await invoke({ FunctionName: 'echo', Qualifier: 'staging' })).Payload)).toBe(
      '{"echo":{}}',
    )
    expect(server.invocations.map((i) => [i.functionName, i.qualifier])).toEqual([
      ['echo', undefined],
      ['echo', 'prod'],
      ['echo', 'prod'],
      ['echo', 'prod'],
      ['echo', 'staging'],
    ])
    await expect(invoke({ FunctionName: 'echo:prod', Qualifier: 'staging' })).rejects.toMatchObject(
      {
        name: 'InvalidParameterValueException',
        $metadata: { httpStatusCode: 400 },
      },
    )
  })

  it('answers a throwing handler with 200, X-Amz-Function-Error: Unhandled and the error document', async () => {
    const response = await invoke({ FunctionName: 'fail' })
    expect(response.StatusCode).toBe(200)
    expect(response.FunctionError).toBe('Unhandled')
    const document = JSON.parse(text(response.Payload))
    expect(document).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' })
    expect(document.trace[0]).toBe('TypeError: bad input')
    expect(server.invocations[0]?.error).toBeInstanceOf(TypeError)
  })

  it('answers an unknown function with 404 ResourceNotFoundException', async () => {
    const error = await invoke({ FunctionName: 'missing' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect(error).toMatchObject({
      $fault: 'client',
      Type: 'User',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing',
      $metadata: { httpStatusCode: 404 },
    })
    expect(server.requestCount('missing')).toBe(1)
    expect(server.invocationCount('missing')).toBe(0)
  })

  it('answers invalid JSON with 400 InvalidRequestContentException', async () => {
    await expect(invoke({ Payload: Buffer.from('{not json') })).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    })
    expect(server.invocationCount()).toBe(0)
  })

  it('answers DryRun with 204 without running the handler', async () => {
    const response = await invoke({ InvocationType: 'DryRun' })
    expect(response.StatusCode).toBe(204)
    expect(server.invocationCount()).toBe(0)
    expect(server.invocations[0]?.invocationType).toBe('DryRun')
  })

  it('answers Event with 202 at once, then runs the handler and records its failure', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const seen: unknown[] = []
    server.register('slow-fail', async (event) => {
      seen.push(event)
      await gate
      throw new Error('event handler failed')
    })
    const response = await invoke({
      FunctionName: 'slow-fail',
      InvocationType: 'Event',
      Payload: json({ n: 1 }),
    })
    expect(response.StatusCode).toBe(202)
    expect(text(response.Payload)).toBe('')
    const [record] = server.invocations
    expect(record?.status).toBe(202)
    expect(record?.error).toBeUndefined() // still running: the caller did not wait for it
    release()
    await record?.done
    expect(seen).toEqual([{ n: 1 }])
    expect(record?.error).toEqual(new Error('event handler failed'))
    expect(server.invocationCount('slow-fail')).toBe(1)
  })

  it('records an Event result, and settle() waits for running Event handlers', async () => {
    server.register('later', async (event: { n: number }) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return event.n * 2
    })
    await invoke({ FunctionName: 'later', InvocationType: 'Event', Payload: json({ n: 21 }) })
    await server.settle()
    expect(server.invocations[0]?.result).toBe(42)
  })

  it('refuses bodies over 6 MB (sync) and 1 MB (Event) with 413 RequestTooLargeException', async () => {
    const exactly = Buffer.from(JSON.stringify('a'.repeat(6_291_456 - 2)))
    expect(exactly.byteLength).toBe(6_291_456)
    server.register('size', (event: string) => event.length)
    expect(text((await invoke({ FunctionName: 'size', Payload: exactly })).Payload)).toBe('6291454')

    const over = Buffer.from(JSON.stringify('a'.repeat(6_291_456 - 1)))
    await expect(invoke({ FunctionName: 'size', Payload: over })).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    })
    const event = Buffer.from(JSON.stringify('a'.repeat(1_048_576 - 1)))
    await expect(
      invoke({ FunctionName: 'size', Payload: event, InvocationType: 'Event' }),
    ).rejects.toMatchObject({ name: 'RequestTooLargeException' })
    expect(server.invocations.map((i) => [i.status, i.payloadBytes])).toEqual([
      [200, 6_291_456],
      [413, 6_291_457],
      [413, 1_048_577],
    ])
    expect(server.invocationCount('size')).toBe(1)
  })

  it('answers a result over the response limit with Function.ResponseSizeTooLarge', async () => {
    const small = await LocalLambdaServer({ maxResponseBytes: 100 })
      .register('big', () => 'x'.repeat(200))
      .start()
    const smallClient = small.createClient()
    try {
      const response = await smallClient.send(new InvokeCommand({ FunctionName: 'big' }))
      expect(response.FunctionError).toBe('Unhandled')
      expect(JSON.parse(text(response.Payload)).errorType).toBe('Function.ResponseSizeTooLarge')
    } finally {
      smallClient.destroy()
      await small.close()
    }
  })

  it('times handlers out with Sandbox.Timedout', async () => {
    server.register('hang', () => new Promise(() => {}), { timeout: 50 })
    const response = await invoke({ FunctionName: 'hang' })
    expect(response.FunctionError).toBe('Unhandled')
    expect(JSON.parse(text(response.Payload))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 0\.05 seconds/),
    })
  })

  it('returns the log tail when LogType is Tail', async () => {
    const response = await invoke({ LogType: 'Tail' })
    expect(Buffer.from(response.LogResult ?? '', 'base64').toString()).toMatch(/^START RequestId: /)
  })

  describe('fault injection', () => {
    it('throttles the next N calls with 429, Reason and Retry-After', async () => {
      const handle = server.throttle({ next: 2, reason: 'ConcurrentInvocationLimitExceeded' })
      for (let i = 0; i < 2; i++) {
        const error = await invoke({}).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(TooManyRequestsException)
        expect(error).toMatchObject({
          Reason: 'ConcurrentInvocationLimitExceeded',
          retryAfterSeconds: '1',
          $metadata: { httpStatusCode: 429, attempts: 1 },
        })
      }
      expect((await invoke({})).StatusCode).toBe(200)
      expect(handle.hits).toBe(2)
      expect(server.requestCount('echo')).toBe(3)
      expect(server.invocationCount('echo')).toBe(1)
      expect(server.invocations.map((i) => i.fault)).toEqual(['throttle', 'throttle', undefined])
    })

    it('lets the SDK retry through throttling (Retry-After omitted)', async () => {
      const retrying = createLocalLambdaClient(server, { maxAttempts: 3 })
      try {
        server.throttle({ next: 2, retryAfter: null })
        const response = await retrying.send(new InvokeCommand({ FunctionName: 'echo' }))
        expect(response.StatusCode).toBe(200)
        expect(response.$metadata.attempts).toBe(3)
        expect(server.requestCount()).toBe(3)
      } finally {
        retrying.destroy()
      }
    })

    it('throttles a fraction of calls, drawn from the injected random source', async () => {
      const draws = [0.1, 0.9, 0.2, 0.8, 0.95, 0.05]
      const seeded = await LocalLambdaServer({ random: () => draws.shift() ?? 1 })
        .register('f', () => 'ok')
        .start()
      const seededClient = seeded.createClient()
      try {
        seeded.throttle({ fraction: 0.3, functionName: 'f' })
        const outcomes: string[] = []
        for (let i = 0; i < 6; i++)
          outcomes.push(
            await seededClient.send(new InvokeCommand({ FunctionName: 'f' })).then(
              () => 'ok',
              (e: { name: string }) => e.name,
            ),
          )
        expect(outcomes).toEqual([
          'TooManyRequestsException',
          'ok',
          'TooManyRequestsException',
          'ok',
          'ok',
          'TooManyRequestsException',
        ])
      } finally {
        seededClient.destroy()
        await seeded.close()
      }
    })

    it('limits faults to one function', async () => {
      server.throttle({ functionName: 'fail' })
      expect((await invoke({})).StatusCode).toBe(200)
      await expect(invoke({ FunctionName: 'fail' })).rejects.toBeInstanceOf(
        TooManyRequestsException,
      )
    })

    it('injects service errors, function errors and timeouts', async () => {
      server.inject({ kind: 'service-error' }, { next: 1 })
      server.inject(
        {
          kind: 'function-error',
          functionError: 'Handled',
          errorType: 'Oops',
          errorMessage: 'handled',
        },
        { next: 1 },
      )
      server.inject({ kind: 'timeout' }, { next: 1 })
      await expect(invoke({})).rejects.toMatchObject({
        name: 'ServiceException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      })
      const handled = await invoke({})
      expect(handled.FunctionError).toBe('Handled')
      expect(JSON.parse(text(handled.Payload))).toMatchObject({
        errorType: 'Oops',
        errorMessage: 'handled',
      })
      const timedOut = await invoke({})
      expect(timedOut.FunctionError).toBe('Unhandled')
      expect(JSON.parse(text(timedOut.Payload)).errorType).toBe('Sandbox.Timedout')
      expect(server.invocationCount()).toBe(0)
      expect((await invoke({})).FunctionError).toBeUndefined()
    })

    it('resets connections and truncates bodies', async () => {
      server.inject({ kind: 'reset' }, { next: 1 })
      server.inject({ kind: 'truncate' }, { next: 1 })
      // Under jest, Node's socket errors come from another realm and the SDK wraps them.
      await expect(invoke({})).rejects.toThrow(/socket hang up|ECONNRESET/)
      await expect(invoke({})).rejects.toThrow(/aborted|ECONNRESET|socket hang up/)
      expect((await invoke({})).StatusCode).toBe(200)
    })

    it('answers exactly what a response fault says', async () => {
      server.inject(
        {
          kind: 'response',
          status: 200,
          headers: { 'X-Amz-Executed-Version': '3' },
          body: 'not json',
        },
        { next: 1 },
      )
      const response = await invoke({})
      expect(text(response.Payload)).toBe('not json')
      expect(response.ExecutedVersion).toBe('3')
      expect(server.invocationCount()).toBe(0)
    })

    it('delays invocations, and removes faults on request', async () => {
      const delay = server.delay(30)
      const started = Date.now()
      await invoke({})
      expect(Date.now() - started).toBeGreaterThanOrEqual(25)
      delay.remove()
      expect(delay.hits).toBe(1)
      server.throttle()
      await expect(invoke({})).rejects.toBeInstanceOf(TooManyRequestsException)
      server.clearFaults()
      expect((await invoke({})).StatusCode).toBe(200)
    })

    it('throttles synchronous calls over the reserved concurrency', async () => {
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      server.register('narrow', () => gate.then(() => 'done'), { reservedConcurrency: 1 })
      const first = invoke({ FunctionName: 'narrow' })
      while (server.invocationCount('narrow') < 1)
        await new Promise((resolve) => setTimeout(resolve, 5))
      await expect(invoke({ FunctionName: 'narrow' })).rejects.toMatchObject({
        name: 'TooManyRequestsException',
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      })
      release()
      expect(text((await first).Payload)).toBe('"done"')
    })

    it('rejects malformed faults and selectors', () => {
      expect(() => server.inject({ kind: 'nope' } as never)).toThrow(/kind is one of/)
      expect(() => server.throttle({ fraction: 2 })).toThrow(/fraction must be between 0 and 1/)
      expect(() => server.throttle({ next: 0 })).toThrow(/next must be a positive whole number/)
    })
  })

  it('applies faults to Event invocations: throttled with 429, function errors recorded', async () => {
    server.throttle({ next: 1, retryAfter: null })
    server.inject({ kind: 'function-error', errorMessage: 'async failure' }, { next: 1 })
    await expect(invoke({ InvocationType: 'Event' })).rejects.toBeInstanceOf(
      TooManyRequestsException,
    )
    expect((await invoke({ InvocationType: 'Event' })).StatusCode).toBe(202)
    await server.settle()
    expect(server.invocations.map((i) => [i.status, i.fault, i.handled])).toEqual([
      [429, 'throttle', false],
      [202, 'function-error', false],
    ])
    expect(server.invocations[1]?.error).toMatchObject({ errorMessage: 'async failure' })
  })

  it('takes functions at construction, and a client for a bare endpoint', async () => {
    const other = await LocalLambdaServer({
      functions: { add: (e: { a: number; b: number }) => e.a + e.b },
    }).start()
    const bare = createLocalLambdaClient(other.endpoint)
    try {
      const response = await bare.send(
        new InvokeCommand({ FunctionName: 'add', Payload: json({ a: 2, b: 3 }) }),
      )
      expect(text(response.Payload)).toBe('5')
      expect(await bare.config.region()).toBe('us-east-1')
    } finally {
      bare.destroy()
      await other.close()
    }
  })

  it('reads deadlines and handler timeouts from an injected clock', async () => {
    const clock = new FakeClock()
    const timed = await LocalLambdaServer({ clock }).start()
    const timedClient = timed.createClient()
    const remaining: number[] = []
    timed.register(
      'slow',
      async (_event, context) => {
        remaining.push(context.getRemainingTimeInMillis())
        clock.advance(400)
        remaining.push(context.getRemainingTimeInMillis())
        return new Promise(() => {}) // never settles: only the fake timeout can end it
      },
      { timeout: 1000 },
    )
    try {
      const pending = timedClient.send(new InvokeCommand({ FunctionName: 'slow' }))
      while (remaining.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
      expect(remaining).toEqual([1000, 600])
      clock.advance(600)
      const response = await pending
      expect(JSON.parse(text(response.Payload))).toMatchObject({ errorType: 'Sandbox.Timedout' })
    } finally {
      timedClient.destroy()
      await timed.close()
    }
  })

  it('counts requests and invocations per function, and forgets them on reset()', async () => {
    await invoke({})
    await invoke({})
    await invoke({ FunctionName: 'fail' })
    expect(server.requestCount()).toBe(3)
    expect(server.invocationCount('echo')).toBe(2)
    expect(server.invocationCount('fail')).toBe(1)
    server.reset()
    expect(server.requestCount()).toBe(0)
  })

  it('closes cleanly with requests in flight, and twice', async () => {
    server.delay(60_000)
    const pending = invoke({}).then(
      (r) => r.StatusCode,
      () => 'failed',
    )
    while (server.requestCount() < 1) await new Promise((resolve) => setTimeout(resolve, 5))
    await server.close()
    expect(await pending).toBe(200) // the delay was cut short and the request answered
    await server.close()
    await expect(invoke({})).rejects.toThrow(/ECONNREFUSED|socket hang up|ECONNRESET/)
  })

  it('rejects bad registrations', () => {
    expect(() => server.register('arn:aws:lambda:x', () => 1)).toThrow(/function name/)
    expect(() => server.register('has space', () => 1)).toThrow(/function name/)
    expect(() => server.register('ok', 'nope' as never)).toThrow(/must be a function/)
    expect(() => LocalLambdaServer({ maxRequestBytes: -1 })).toThrow(/maxRequestBytes/)
  })
})
