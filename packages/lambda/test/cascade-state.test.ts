// The per-step state machine, driven by calling a cascade's handler directly (as the Lambda
// runtime would) on a FakeClock, with a recording stand-in for the LambdaClient and a real
// throwaway redis-server. No server, no sleeps: every instant is chosen by the test.
import { randomBytes } from 'node:crypto'
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { FakeClock } from '@memokit/core/testing'
import {
  CascadeStoreError,
  CorruptCascadeDataError,
  InvalidCascadeEventError,
  LambdaCascade,
  MemoizedLambdaError,
  StepInProgressError,
  StepNotFoundError,
  type CascadeStep,
  type LambdaCascadeOptions,
} from '@memokit/lambda'
import { createRedisClient, type RedisClient } from '@memokit/redis'
import { startRedisServer, type RedisServer } from '@memokit/redis/testing'

let redisServer: RedisServer
let redis: RedisClient

beforeAll(async () => {
  redisServer = await startRedisServer()
  redis = createRedisClient(redisServer.url)
}, 30_000)

afterAll(async () => {
  redis.disconnect()
  await redisServer.stop()
})

interface Sent {
  functionName: string | undefined
  qualifier: string | undefined
  type: string | undefined
  event: { payload: unknown; command: string; invoked_lambda_uid: string }
}

/** A LambdaClient stand-in: records Event invocations; `fail` throttles the next one it picks. */
function recordingClient() {
  const sent: Sent[] = []
  const state: { fail?: ((event: Sent['event']) => boolean) | undefined } = {}
  const client = {
    send: async (command: InvokeCommand) => {
      const input = command.input
      const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))
      if (state.fail?.(event)) {
        state.fail = undefined
        throw Object.assign(new Error('Rate Exceeded.'), {
          name: 'TooManyRequestsException',
          $fault: 'client',
          $metadata: { httpStatusCode: 429 },
        })
      }
      sent.push({
        functionName: input.FunctionName,
        qualifier: input.Qualifier,
        type: input.InvocationType,
        event,
      })
      return { StatusCode: 202, $metadata: {} }
    },
  }
  return { client: client as unknown as LambdaClient, sent, state }
}

function setup(options: Partial<LambdaCascadeOptions> = {}) {
  const clock = new FakeClock(Date.UTC(2024, 0, 1))
  const { client, sent, state } = recordingClient()
  const namespace = `cascade-state-${randomBytes(4).toString('hex')}`
  const cascade = LambdaCascade({ lambdaClient: client, redis, namespace, clock, ...options })
  const handler = cascade.lambdaHandler()
  const context = (remaining: number | undefined) =>
    remaining === undefined ? undefined : { getRemainingTimeInMillis: () => remaining }
  return { clock, cascade, handler, sent, state, namespace, context }
}

/** Resolves a promise the test can see pending, with a way to finish it. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

describe('claiming a step', () => {
  it('gives a running attempt an in-progress expiry of now + remaining time, and refuses duplicates until then', async () => {
    const { clock, cascade, handler, sent, context } = setup()
    const hold = gate()
    let runs = 0
    cascade.lambdaPromise(
      async () => {
        runs++
        if (runs === 1) await hold.opened
        return runs
      },
      { functionName: 'slow' },
    )
    await cascade.LambdaPromise({ functionName: 'slow' }).asyncProceed()
    const event = sent[0]!.event
    const start = clock.now()

    const first = handler(event, context(5_000))
    await waitFor(
      async () => (await cascade.inspect(event.invoked_lambda_uid)).status === 'in-progress',
    )
    expect(await cascade.inspect(event.invoked_lambda_uid)).toMatchObject({
      inProgressExpiry: start + 5_000,
      attempts: 1,
    })

    clock.advance(4_999)
    await expect(handler(event, context(5_000))).rejects.toMatchObject({
      name: 'StepInProgressError',
      retryable: true,
      inProgressExpiry: start + 5_000,
    })
    clock.advance(1) // exactly the expiry: the attempt is considered dead
    expect(await handler(event, context(5_000))).toMatchObject({ status: 'completed', attempt: 2 })
    hold.open()
    expect(await first).toMatchObject({ status: 'superseded', attempt: 1 })
    expect(await cascade.inspect(event.invoked_lambda_uid)).toMatchObject({
      status: 'completed',
      result: 2, // the winner's result; the late one was dropped
      attempts: 2,
    })
  })

  it('treats a remaining time of 0 as "expires now", not as "no expiry"', async () => {
    const { clock, cascade, handler, sent, context } = setup({ inProgressTimeout: 60_000 })
    const hold = gate()
    let runs = 0
    cascade.lambdaPromise(
      async () => {
        if (++runs === 1) await hold.opened
        return runs
      },
      { functionName: 'edge' },
    )
    await cascade.LambdaPromise({ functionName: 'edge' }).asyncProceed()
    const event = sent[0]!.event

    const first = handler(event, context(0))
    await waitFor(
      async () => (await cascade.inspect(event.invoked_lambda_uid)).status === 'in-progress',
    )
    const state = await cascade.inspect(event.invoked_lambda_uid)
    expect(state.inProgressExpiry).toBe(clock.now()) // not now + inProgressTimeout, not absent
    // A retry at that same instant takes over: the attempt had no time left.
    expect(await handler(event, context(1_000))).toMatchObject({ status: 'completed', attempt: 2 })
    hold.open()
    expect(await first).toMatchObject({ status: 'superseded' })
  })

  it('falls back to inProgressTimeout without a Lambda context, and for nonsense remaining times', async () => {
    const { clock, cascade, handler, sent } = setup({ inProgressTimeout: 60_000 })
    const holds = [gate(), gate()]
    let runs = 0
    cascade.lambdaPromise(
      async () => {
        const hold = holds[runs++]
        await hold?.opened
        return runs
      },
      { functionName: 'outside' },
    )
    await cascade.LambdaPromise({ functionName: 'outside' }).asyncProceed()
    await cascade.LambdaPromise({ functionName: 'outside' }).asyncProceed()
    const [a, b] = sent.map((record) => record.event)

    const runA = handler(a!, undefined)
    const runB = handler(b!, { getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY })
    await waitFor(async () => runs === 2)
    for (const event of [a!, b!])
      expect((await cascade.inspect(event.invoked_lambda_uid)).inProgressExpiry).toBe(
        clock.now() + 60_000,
      )
    holds.forEach((hold) => hold.open())
    await Promise.all([runA, runB])
  })
})

describe('settling a step', () => {
  it('invokes the then callbacks of a completed step, and only the catch callbacks of a failed one', async () => {
    const { cascade, handler, sent } = setup()
    cascade.lambdaPromise(
      (payload: { ok: boolean }) => {
        if (!payload.ok) throw Object.assign(new RangeError('out of range'), { code: 'E_RANGE' })
        return 'fine'
      },
      { functionName: 'check' },
    )
    const build = (ok: boolean) =>
      cascade
        .LambdaPromise({ functionName: 'check', payload: { ok } })
        .then(cascade.LambdaPromise({ functionName: 'on-ok' }))
        .catch(cascade.LambdaPromise({ functionName: 'on-error' }))
    const good = build(true)
    const bad = build(false)
    await good.asyncProceed()
    await bad.asyncProceed()

    expect(await handler(sent[0]!.event, undefined)).toMatchObject({ status: 'completed' })
    expect(sent.slice(2).map((record) => record.event.command)).toEqual(['on-ok'])
    expect(await handler(sent[1]!.event, undefined)).toEqual({
      uid: bad.uid,
      command: 'check',
      status: 'failed',
      attempt: 1,
      error: { type: 'RangeError', message: 'out of range', code: 'E_RANGE' },
    })
    expect(sent.slice(2).map((record) => record.event.command)).toEqual(['on-ok', 'on-error'])
    expect(sent[3]!.event).toEqual({
      payload: {},
      command: 'on-error',
      invoked_lambda_uid: bad.catchCallbacks[0]!.uid,
    })
    // Failed is final: a duplicate does not run the function again, nor resend the catch.
    expect(await handler(sent[1]!.event, undefined)).toMatchObject({ status: 'duplicate' })
    expect(sent).toHaveLength(4)
  })

  it('sends, after a crash between storing the result and queueing the callbacks, only what was not sent', async () => {
    const { cascade, handler, sent, state } = setup()
    let runs = 0
    cascade.lambdaPromise(() => ++runs, { functionName: 'work' })
    const root = cascade
      .LambdaPromise({ functionName: 'work' })
      .then(cascade.LambdaPromise({ functionName: 'first' }))
      .then(cascade.LambdaPromise({ functionName: 'second' }))
    await root.asyncProceed()
    const event = sent[0]!.event

    // The first callback is queued, then Lambda throttles the second: the handler fails.
    state.fail = (next) => next.command === 'second'
    await expect(handler(event, undefined)).rejects.toBeInstanceOf(MemoizedLambdaError)
    expect(sent.slice(1).map((record) => record.event.command)).toEqual(['first'])
    expect(await cascade.inspect(root.uid)).toMatchObject({
      status: 'completed',
      result: 1,
      callbacksDispatched: false,
      settled: false,
    })
    // Lambda retries the event: the step is not run again, and only `second` is sent.
    expect(await handler(event, undefined)).toMatchObject({ status: 'duplicate', attempt: 1 })
    expect(runs).toBe(1)
    expect(sent.slice(1).map((record) => record.event.command)).toEqual(['first', 'second'])
    // Once dispatched, further duplicates send nothing.
    await handler(event, undefined)
    expect(sent).toHaveLength(3)
    expect(await cascade.inspect(root.uid)).toMatchObject({ callbacksDispatched: true })
  })

  it('does not store the result of an ignoreResult function; its callbacks see undefined', async () => {
    const { cascade, handler, sent } = setup()
    cascade.lambdaPromise(() => ({ big: 'x'.repeat(100) }), {
      functionName: 'side-effect',
      ignoreResult: true,
    })
    let seen: unknown = 'unset'
    cascade.lambdaPromise(
      (promise: CascadeStep) => {
        seen = promise.parent
      },
      { functionName: 'after', passPromiseObject: true },
    )
    const root = cascade
      .LambdaPromise({ functionName: 'side-effect' })
      .then(cascade.LambdaPromise({ functionName: 'after' }))
    await root.asyncProceed()
    await handler(sent[0]!.event, undefined)
    await handler(sent[1]!.event, undefined)
    expect(seen).toEqual({
      uid: root.uid,
      command: 'side-effect',
      status: 'completed',
      result: undefined,
      error: undefined,
    })
    expect(await redis.hexists(cascade.store.stepKey(root.uid), 'result')).toBe(0)
  })

  it('fails a step whose command is not registered here, with UnknownCommandError, and runs its catch', async () => {
    const { cascade, handler, sent } = setup()
    const root = cascade
      .LambdaPromise({ functionName: 'misrouted' })
      .catch(cascade.LambdaPromise({ functionName: 'handle-error' }))
    await root.asyncProceed()
    expect(await handler(sent[0]!.event, undefined)).toMatchObject({
      status: 'failed',
      error: { type: 'UnknownCommandError', code: 'E_CASCADE_UNKNOWN_COMMAND' },
    })
    expect(sent[1]!.event.command).toBe('handle-error')
  })

  it('flushes the memory writes a step started before settling it; a failed write fails the step', async () => {
    const { cascade, handler, sent } = setup()
    cascade.lambdaPromise(
      (promise: CascadeStep) => {
        // JavaScript style: an attribute write the function does not await.
        ;(promise.memory.vars as Record<string, unknown>).note = `written by ${promise.command}`
        return 'done'
      },
      { functionName: 'writer', passPromiseObject: true },
    )
    const good = cascade.LambdaPromise({ functionName: 'writer' })
    await good.asyncProceed()
    expect(await handler(sent[0]!.event, undefined)).toMatchObject({ status: 'completed' })
    expect(await cascade.SharedMemory(good.uid).get('note')).toBe('written by writer')

    // The chain's memory page is planted with a value of another Redis type: the write fails.
    const bad = cascade.LambdaPromise({ functionName: 'writer' })
    await redis.set(cascade.store.memoryKey(bad.uid), 'planted')
    await bad.asyncProceed()
    expect(await handler(sent[1]!.event, undefined)).toMatchObject({
      status: 'failed',
      error: { type: 'CorruptCascadeDataError' },
    })
  })
})

describe('events and stored data the handler refuses', () => {
  it('hands other events to main and checks cascade events', async () => {
    const { cascade, sent } = setup()
    cascade.lambdaPromise(() => 1, { functionName: 'known' })
    const withMain = cascade.lambdaHandler(async (event: { path?: string }) => ({
      served: event.path,
    }))
    expect(await withMain({ path: '/health' }, undefined)).toEqual({ served: '/health' })
    // Zappa-style: an event without command goes to main, even with an unknown command.
    expect(await withMain({ command: 'manage.py migrate' } as never, undefined)).toEqual({
      served: undefined,
    })
    await expect(withMain({ command: 'known' } as never, undefined)).rejects.toBeInstanceOf(
      InvalidCascadeEventError,
    )
    await expect(
      withMain({ command: 'known', invoked_lambda_uid: 'not a uid!' } as never, undefined),
    ).rejects.toThrow(/invoked_lambda_uid must be/)
    await expect(
      withMain({ command: 'known', invoked_lambda_uid: 'f'.repeat(32) } as never, undefined),
    ).rejects.toBeInstanceOf(StepNotFoundError)
    await cascade.LambdaPromise({ functionName: 'known' }).asyncProceed()
    await expect(withMain({ ...sent[0]!.event, command: 'other' }, undefined)).rejects.toThrow(
      /is not the command of step/,
    )
    await expect(cascade.lambdaHandler()({ hello: 1 }, undefined)).rejects.toBeInstanceOf(
      InvalidCascadeEventError,
    )
  })

  it('treats corrupt or planted step data as a typed error, never a crash or a pollution', async () => {
    const { cascade, handler, sent } = setup()
    cascade.lambdaPromise(() => 'ran', { functionName: 'victim' })
    const a = cascade.LambdaPromise({ functionName: 'victim' })
    const b = cascade.LambdaPromise({ functionName: 'victim' })
    await a.asyncProceed()
    await b.asyncProceed()
    const [eventA, eventB] = sent.map((record) => record.event)
    const keyA = cascade.store.stepKey(a.uid)
    const keyB = cascade.store.stepKey(b.uid)

    // A definition copied from another step is refused (each value repeats its key).
    await redis.hset(keyA, 'def', (await redis.hgetBuffer(keyB, 'def'))!)
    await expect(handler(eventA!, undefined)).rejects.toBeInstanceOf(CorruptCascadeDataError)
    for (const garbage of [
      'not json',
      '{"json":{"__proto__":{"polluted":true}}}',
      '{"json":{"created":1,"updateAfter":1,"expiresAfter":1,"value":{"k":"x"}},"meta":{"values":{"value.__proto__":["map"]}}}',
    ]) {
      await redis.hset(keyA, 'def', garbage)
      await expect(handler(eventA!, undefined)).rejects.toBeInstanceOf(CorruptCascadeDataError)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((await cascade.inspect(a.uid)).status).toBe('corrupt')

    // An unknown status or a non-numeric expiry stops the state machine with a typed error.
    await redis.hset(keyB, 'status', 'hacked')
    await expect(handler(eventB!, undefined)).rejects.toThrow(/the status is unknown/)
    await redis.hset(keyB, 'status', 'in-progress', 'expiry', 'soon')
    await expect(handler(eventB!, undefined)).rejects.toThrow(/expiry is not a number/)
    // A key of another Redis type.
    await redis.del(keyB)
    await redis.set(keyB, 'a string')
    await expect(handler(eventB!, undefined)).rejects.toBeInstanceOf(CorruptCascadeDataError)
  })

  it('fails within operationTimeout when Redis hangs, so Lambda retries the event', async () => {
    const server = await startRedisServer()
    const client = createRedisClient(server.url)
    try {
      const { client: lambdaClient } = recordingClient()
      const cascade = LambdaCascade({ lambdaClient, redis: client, operationTimeout: 200 })
      cascade.lambdaPromise(() => 1, { functionName: 'any' })
      await client.ping()
      server.pause()
      const started = Date.now()
      const error: unknown = await cascade
        .lambdaHandler()(
          { command: 'any', invoked_lambda_uid: 'a'.repeat(32), payload: {} },
          undefined,
        )
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(CascadeStoreError)
      expect(error).toMatchObject({ operation: 'read-step' })
      expect(Date.now() - started).toBeLessThan(5_000)
      await expect(cascade.LambdaPromise({ functionName: 'any' }).asyncProceed()).rejects.toThrow(
        /no reply within 200 ms/,
      )
    } finally {
      server.resume()
      client.disconnect()
      await server.stop()
    }
  })
})

describe('StepInProgressError', () => {
  it('says it is retryable and when the attempt expires', () => {
    const error = new StepInProgressError('a'.repeat(32), 1_000)
    expect(error).toMatchObject({ retryable: true, code: 'E_CASCADE_STEP_IN_PROGRESS' })
    expect(error.message).toContain('1970-01-01T00:00:01.000Z')
  })
})

/** Polls a condition (Redis state) with a deadline. */
async function waitFor(condition: () => Promise<boolean>, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setImmediate(resolve))
  }
}
