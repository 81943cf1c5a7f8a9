// End-to-end: LambdaPromise chains on a LocalLambdaServer (Event invocations through the real
// LambdaClient over HTTP) with their state in a real throwaway redis-server. Every test waits
// for its chain through observable state (server.settle(), inspect(), waitForSettled()),
// never with sleeps.
import { FakeClock } from '@memokit/core/testing'
import {
  ChainDepthExceededError,
  StepInProgressError,
  configureLambdaCascade,
  lambdaHandler,
  lambdaPromise,
  LambdaPromise,
  resetLambdaCascade,
  SharedMemory,
  type CascadeStep,
  type StepOutcome,
} from '@memokit/lambda'
import { LocalLambdaServer } from '@memokit/lambda/testing'
import { createRedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'
import { eventOf, startCascadeHarness, type CascadeHarness } from './support/cascade-harness.js'

let redisServer: RedisServer
const harnesses: CascadeHarness[] = []

beforeAll(async () => {
  redisServer = await startRedisServer()
}, 30_000)

afterAll(async () => {
  await redisServer.stop()
})

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close()
})

async function harness(options: Parameters<typeof startCascadeHarness>[1]) {
  const started = await startCascadeHarness(redisServer.url, options)
  harnesses.push(started)
  return started
}

describe('a chain of steps', () => {
  it('runs a 3-step chain with two then callbacks on one step, in order, results flowing, catch skipped', async () => {
    const h = await harness({ functions: ['fetch', 'double', 'increment', 'report', 'alert'] })
    const { LambdaPromise, lambdaPromise } = h.cascade
    const parentStates: string[] = []

    lambdaPromise(
      (payload: { n: number }) => ({ value: payload.n, tags: new Set(['raw']), at: new Date(0) }),
      { functionName: 'fetch' },
    )
    lambdaPromise(
      async (promise: CascadeStep) => {
        // The parent's result is stored before its callbacks are invoked.
        parentStates.push((await h.cascade.inspect(promise.parent!.uid)).status)
        const parent = promise.parent!.result as { value: number; tags: Set<string>; at: Date }
        expect(parent.tags).toBeInstanceOf(Set)
        expect(parent.at).toBeInstanceOf(Date)
        return parent.value * 2
      },
      { passPromiseObject: true, functionName: 'double' },
    )
    lambdaPromise((promise: CascadeStep) => (promise.parent!.result as number) + 1, {
      passPromiseObject: true,
      functionName: 'increment',
    })
    lambdaPromise(
      (promise: CascadeStep) => `seen ${(promise.parent!.result as { value: number }).value}`,
      { passPromiseObject: true, functionName: 'report' },
    )
    lambdaPromise((promise: CascadeStep) => promise.parent!.error, {
      passPromiseObject: true,
      functionName: 'alert',
    })

    const root = LambdaPromise({ functionName: 'fetch', payload: { n: 21 } })
    const double = LambdaPromise({ functionName: 'double' })
    const report = LambdaPromise({ functionName: 'report' })
    // then() and catch() return the promise they were called on: fetch gets two callbacks.
    expect(
      root
        .then(double.then(LambdaPromise({ functionName: 'increment' })))
        .then(report)
        .catch(LambdaPromise({ functionName: 'alert' })),
    ).toBe(root)
    expect(await root.asyncProceed()).toBe(root.uid)
    await h.server.settle()

    expect(['fetch', 'double', 'increment', 'report', 'alert'].map((name) => h.ran(name))).toEqual([
      1, 1, 1, 1, 0,
    ])
    expect(parentStates).toEqual(['completed'])
    // Callbacks are dispatched in the order they were added.
    const arrival = h.server.invocations.map((invocation) => invocation.functionName)
    expect(arrival.indexOf('double')).toBeLessThan(arrival.indexOf('report'))
    // Each callback runs its own function, with its own uid, in the original's event format.
    const doubleEvent = eventOf(h.eventsOf('double')[0]!)
    expect(doubleEvent).toEqual({ payload: {}, command: 'double', invoked_lambda_uid: double.uid })
    expect(eventOf(h.eventsOf('fetch')[0]!)).toEqual({
      payload: { n: 21 },
      command: 'fetch',
      invoked_lambda_uid: root.uid,
    })
    expect(h.server.invocations.every((invocation) => invocation.qualifier === undefined)).toBe(
      true,
    )

    const state = await h.cascade.inspect(root.uid)
    expect(state).toMatchObject({
      status: 'completed',
      hop: 1,
      trigger: 'root',
      attempts: 1,
      callbacksDispatched: true,
      settled: true,
      result: { value: 21, tags: new Set(['raw']), at: new Date(0) },
    })
    expect(state.then.map((step) => [step.command, step.status, step.hop, step.result])).toEqual([
      ['double', 'completed', 2, 42],
      ['report', 'completed', 2, 'seen 21'],
    ])
    expect(
      state.then[0]!.then.map((step) => [step.command, step.status, step.hop, step.result]),
    ).toEqual([['increment', 'completed', 3, 43]])
    expect(state.catch.map((step) => [step.command, step.status])).toEqual([['alert', 'skipped']])
  })

  it('runs the catch callbacks of a failing step with the serialized error, and skips its then callbacks', async () => {
    const h = await harness({ functions: ['parse', 'store', 'alert', 'audit'] })
    const { LambdaPromise, lambdaPromise } = h.cascade
    const seen: unknown[] = []
    lambdaPromise(
      (payload: { text: string }) => {
        throw new SyntaxError(`cannot parse ${payload.text}`)
      },
      { functionName: 'parse' },
    )
    lambdaPromise(() => 'stored', { functionName: 'store' })
    lambdaPromise(
      (promise: CascadeStep) => {
        seen.push(promise.parent)
        return 'alerted'
      },
      { passPromiseObject: true, functionName: 'alert' },
    )
    lambdaPromise(() => 'audited', { functionName: 'audit' })

    const root = LambdaPromise({ functionName: 'parse', payload: { text: '{oops' } })
      .then(LambdaPromise({ functionName: 'store' }))
      .catch(LambdaPromise({ functionName: 'alert' }))
      .catch(LambdaPromise({ functionName: 'audit' }))
    await root.asyncProceed()
    await h.server.settle()

    expect([h.ran('parse'), h.ran('store'), h.ran('alert'), h.ran('audit')]).toEqual([1, 0, 1, 1])
    expect(seen).toEqual([
      {
        uid: root.uid,
        command: 'parse',
        status: 'failed',
        result: undefined,
        error: { type: 'SyntaxError', message: 'cannot parse {oops' },
      },
    ])
    // The step's failure is the chain's business, not Lambda's: the handler did not throw
    // (so Lambda does not retry the step).
    const [parseRun] = h.eventsOf('parse')
    expect(parseRun!.error).toBeUndefined()
    expect(parseRun!.result).toMatchObject({ status: 'failed', attempt: 1 })

    const state = await h.cascade.inspect(root.uid)
    expect(state).toMatchObject({
      status: 'failed',
      error: { type: 'SyntaxError', message: 'cannot parse {oops' },
      settled: true,
    })
    expect(state.then.map((step) => step.status)).toEqual(['skipped'])
    expect(state.catch.map((step) => [step.command, step.status, step.result])).toEqual([
      ['alert', 'completed', 'alerted'],
      ['audit', 'completed', 'audited'],
    ])
  })

  it('does not re-execute a completed step when its event is delivered again, nor resend its callbacks', async () => {
    const h = await harness({ functions: ['charge', 'receipt'] })
    const { LambdaPromise, lambdaPromise } = h.cascade
    let charges = 0
    lambdaPromise(
      (payload: { cents: number }) => {
        charges++
        return { charged: payload.cents }
      },
      { functionName: 'charge' },
    )
    lambdaPromise(() => 'sent', { functionName: 'receipt' })

    const root = LambdaPromise({ functionName: 'charge', payload: { cents: 995 } }).then(
      LambdaPromise({ functionName: 'receipt' }),
    )
    await root.asyncProceed()
    await h.server.settle()
    expect([charges, h.ran('receipt')]).toEqual([1, 1])

    // Lambda may deliver an Event more than once: twice more, one of them concurrently.
    const [first] = h.eventsOf('charge')
    const again = await Promise.all([h.redeliver(first!), h.redeliver(first!)])
    await h.server.settle()
    const outcomes = again.map((record) => record.result ?? record.error)
    expect(charges).toBe(1)
    expect(h.eventsOf('receipt')).toHaveLength(1)
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ uid: root.uid, status: 'duplicate', attempt: 1 })
    // So does asyncProceed() retried by the caller with the same uid.
    await LambdaPromise({ functionName: 'charge', payload: { cents: 995 }, uid: root.uid })
      .then(LambdaPromise({ functionName: 'receipt', uid: root.thenCallbacks[0]!.uid }))
      .asyncProceed()
    await h.server.settle()
    expect([charges, h.ran('receipt')]).toEqual([1, 1])
    expect(await h.cascade.inspect(root.uid)).toMatchObject({ status: 'completed', attempts: 1 })
  })

  it('retries a crashed step without re-running the completed steps (in-progress expiry from the remaining time)', async () => {
    const clock = new FakeClock(Date.now())
    const h = await harness({ functions: ['extract', 'transform', 'load'], clock, timeout: 10_000 })
    const { LambdaPromise, lambdaPromise } = h.cascade
    const calls = { extract: 0, transform: 0, load: 0 }
    let started!: () => void
    const attemptOneStarted = new Promise<void>((resolve) => (started = resolve))
    let release!: () => void
    const attemptOneHangs = new Promise<void>((resolve) => (release = resolve))

    lambdaPromise(
      () => {
        calls.extract++
        return [1, 2, 3]
      },
      { functionName: 'extract' },
    )
    lambdaPromise(
      async (promise: CascadeStep) => {
        calls.transform++
        await promise.memory.set(`partial-${promise.attempt}`, true) // part of the work
        if (promise.attempt === 1) {
          started()
          await attemptOneHangs // the attempt dies here: the Lambda times out
        }
        return (promise.parent!.result as number[]).map((n) => n * 10)
      },
      { passPromiseObject: true, functionName: 'transform' },
    )
    lambdaPromise(
      (promise: CascadeStep) => {
        calls.load++
        return (promise.parent!.result as number[]).reduce((a, b) => a + b)
      },
      { passPromiseObject: true, functionName: 'load' },
    )

    const root = LambdaPromise({ functionName: 'extract' }).then(
      LambdaPromise({ functionName: 'transform' }).then(LambdaPromise({ functionName: 'load' })),
    )
    const transform = root.thenCallbacks[0]!
    await root.asyncProceed()
    await attemptOneStarted
    const startedAt = clock.now()
    const inProgress = await h.cascade.inspect(transform.uid)
    expect(inProgress).toMatchObject({
      status: 'in-progress',
      attempts: 1,
      inProgressExpiry: startedAt + 10_000, // now + the 10 s the Lambda had left
    })

    // A duplicate delivery while the attempt may still be alive is refused, as retryable.
    clock.advance(4_000)
    const [firstDelivery] = h.eventsOf('transform')
    const early = await h.redeliver(firstDelivery!)
    expect(early.error).toBeInstanceOf(StepInProgressError)
    expect(early.error).toMatchObject({
      retryable: true,
      uid: transform.uid,
      inProgressExpiry: startedAt + 10_000,
    })
    expect(calls.transform).toBe(1)

    // The Lambda times out; Lambda retries the event after the in-progress expiry.
    clock.advance(6_000)
    await firstDelivery!.done
    expect(firstDelivery!.error).toMatchObject({ timeout: 10_000 })
    const retry = await h.redeliver(firstDelivery!)
    await h.server.settle()
    expect(retry.result).toMatchObject({ status: 'completed', attempt: 2 })
    expect(calls).toEqual({ extract: 1, transform: 2, load: 1 })

    const state = await h.cascade.inspect(root.uid)
    expect(state).toMatchObject({ status: 'completed', attempts: 1, settled: true })
    expect(state.then[0]).toMatchObject({ status: 'completed', attempts: 2, result: [10, 20, 30] })
    expect(state.then[0]!.then[0]).toMatchObject({ status: 'completed', result: 60 })
    const memory = h.cascade.SharedMemory(root.uid)
    expect(await memory.keys()).toEqual(expect.arrayContaining(['partial-1', 'partial-2']))

    // The crashed attempt wakes up late: its outcome is dropped, nothing is sent again.
    release()
    expect(await h.runs.get('transform')![0]).toMatchObject({ status: 'superseded', attempt: 1 })
    // Re-delivering the first step does not run it, nor anything after it, again.
    await h.redeliver(h.eventsOf('extract')[0]!)
    await h.server.settle()
    expect(calls).toEqual({ extract: 1, transform: 2, load: 1 })
    expect(h.eventsOf('load')).toHaveLength(1)
  })
})

describe('the hop limit', () => {
  it('stops a recursion A → B → A → … at maxHops with ChainDepthExceededError', async () => {
    const h = await harness({ functions: ['ping', 'pong'], cascade: { maxHops: 5 } })
    const { LambdaPromise, lambdaPromise } = h.cascade
    const hops: number[] = []
    const bounce = (other: string) => async (promise: CascadeStep, payload: { n: number }) => {
      hops.push(promise.hop)
      await LambdaPromise({ functionName: other, payload: { n: payload.n + 1 } }).asyncProceed()
      return payload.n
    }
    lambdaPromise(bounce('pong'), { passPromiseObject: true, functionName: 'ping' })
    lambdaPromise(bounce('ping'), { passPromiseObject: true, functionName: 'pong' })

    await LambdaPromise({ functionName: 'ping', payload: { n: 1 } }).asyncProceed()
    await h.server.settle()

    expect(hops).toEqual([1, 2, 3, 4, 5])
    expect(h.server.invocationCount()).toBe(5)
    const last = h.server.invocations[4]!
    expect(last.result).toMatchObject({
      status: 'failed',
      error: { type: 'ChainDepthExceededError', code: 'E_CASCADE_CHAIN_DEPTH' },
    })
    const state = await h.cascade.inspect(eventOf(last).invoked_lambda_uid)
    expect(state).toMatchObject({ status: 'failed', hop: 5, trigger: 'proceed' })
    expect(state.error!.message).toMatch(/would be hop 6 of its chain, over the limit of 5/)
  })

  it('refuses a chain nested deeper than maxHops before writing or invoking anything', async () => {
    const h = await harness({ functions: ['step'], cascade: { maxHops: 3 } })
    const { LambdaPromise } = h.cascade
    const chain = LambdaPromise({ functionName: 'step' }).then(
      LambdaPromise({ functionName: 'step' }).then(
        LambdaPromise({ functionName: 'step' }).then(LambdaPromise({ functionName: 'step' })),
      ),
    )
    const refused = chain.asyncProceed()
    await expect(refused).rejects.toBeInstanceOf(ChainDepthExceededError)
    await expect(refused).rejects.toMatchObject({ hop: 4, maxHops: 3, command: 'step' })
    expect(h.server.requestCount()).toBe(0)
    expect(await h.redis.keys(`${h.namespace}:*`)).toEqual([])
  })
})

describe('isolation and addressing', () => {
  it('runs 20 concurrent chains that never see each other’s state', async () => {
    const h = await harness({ functions: ['seed', 'combine'] })
    const { LambdaPromise, lambdaPromise } = h.cascade
    lambdaPromise(
      async (promise: CascadeStep, payload: { tenant: number }) => {
        await promise.memory.set('tenant', payload.tenant) // shared with this chain only
        return { tenant: payload.tenant, secret: `secret-${payload.tenant}` }
      },
      { passPromiseObject: true, functionName: 'seed' },
    )
    lambdaPromise(
      async (promise: CascadeStep) => ({
        fromParent: promise.parent!.result,
        fromMemory: await promise.memory.vars.tenant,
        keys: await promise.memory.keys(),
      }),
      { passPromiseObject: true, functionName: 'combine' },
    )

    const chains = Array.from({ length: 20 }, (_, tenant) =>
      LambdaPromise({ functionName: 'seed', payload: { tenant } }).then(
        LambdaPromise({ functionName: 'combine' }),
      ),
    )
    await Promise.all(chains.map((chain) => chain.asyncProceed()))
    const reports = await Promise.all(
      chains.map((chain) => h.cascade.waitForSettled(chain.uid, { timeout: 20_000 })),
    )

    reports.forEach((report, tenant) => {
      expect(report.result).toEqual({ tenant, secret: `secret-${tenant}` })
      expect(report.then[0]!.result).toEqual({
        fromParent: { tenant, secret: `secret-${tenant}` },
        fromMemory: tenant,
        keys: ['tenant'],
      })
    })
    expect(h.ran('seed')).toBe(20)
    expect(h.ran('combine')).toBe(20)
    // Every key is scoped by a uid and expires.
    const keys = await h.redis.keys(`${h.namespace}:*`)
    expect(keys).toHaveLength(20 * 2 + 20) // a record per step, a memory page per chain
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${h.namespace}:\\{[0-9a-f]{32}\\}:(step|mem)$`))
      expect(await h.redis.pttl(key)).toBeGreaterThan(0)
    }
  })

  it('addresses functions by ARN, partial ARN and qualifier, and sends a real qualifier (never "string")', async () => {
    const h = await harness({ functions: [] })
    const handler = h.cascade.lambdaHandler()
    h.server.register('resize:prod', (event: unknown, context) => handler(event, context))
    h.server.register('resize', (event: unknown, context) => handler(event, context))
    h.server.register('notify', (event: unknown, context) => handler(event, context))
    const { LambdaPromise, lambdaPromise } = h.cascade
    lambdaPromise((payload: { width: number }) => payload.width / 2, { functionName: 'resize' })
    lambdaPromise(() => 'notified', { functionName: 'notify' })

    const arn = `arn:aws:lambda:${h.server.region}:${h.server.accountId}:function:`
    const root = LambdaPromise({ arn: `${arn}resize:prod`, payload: { width: 640 } })
      .then(LambdaPromise({ functionName: `${h.server.accountId}:function:notify` }))
      .then(
        LambdaPromise({ arn, functionName: 'resize', qualifier: '$LATEST', payload: { width: 2 } }),
      )
    await root.asyncProceed()
    await h.server.settle()

    expect(
      h.server.invocations.map((invocation) => [invocation.functionName, invocation.qualifier]),
    ).toEqual([
      ['resize', 'prod'],
      ['notify', undefined],
      ['resize', '$LATEST'],
    ])
    const state = await h.cascade.inspect(root.uid)
    expect(state).toMatchObject({
      functionName: `${arn}resize`,
      qualifier: 'prod',
      command: 'resize',
      result: 320,
    })
    expect(state.then.map((step) => step.result)).toEqual(['notified', 1])
  })
})

describe('the module-level API (configureLambdaCascade)', () => {
  afterEach(() => resetLambdaCascade())

  it('registers at module load, configures once, and serves other events through main', async () => {
    // As in a Lambda's module: registration and the handler come first, configuration later.
    const greet = lambdaPromise((payload: { name: string }) => `hello ${payload.name}`, {
      functionName: 'cascade-test-greet',
    })
    const handler = lambdaHandler(async (event: { ping?: boolean }) => ({ pong: event.ping }))
    expect(greet({ name: 'direct' })).toBe('hello direct') // still a plain function
    expect(greet.command).toBe('cascade-test-greet')

    const server = await LocalLambdaServer()
      .register('app', (event: unknown, context) => handler(event as never, context))
      .start()
    const lambdaClient = server.createClient()
    const redis = createRedisClient(redisServer.url)
    try {
      configureLambdaCascade({ lambdaClient, redis, namespace: 'cascade-test-module' })
      const promise = LambdaPromise({
        functionName: 'app',
        command: 'cascade-test-greet',
        payload: { name: 'world' },
      })
      await promise.asyncProceed()
      await server.settle()
      const memory = SharedMemory(promise.uid)
      expect(memory.uid).toBe(promise.uid)
      expect(await handler({ ping: true }, undefined as never)).toEqual({ pong: true })
      const [step] = server.invocations
      expect(step!.result).toMatchObject({ status: 'completed' } satisfies Partial<StepOutcome>)
    } finally {
      lambdaClient.destroy()
      await server.close()
      redis.disconnect()
    }
  })
})
