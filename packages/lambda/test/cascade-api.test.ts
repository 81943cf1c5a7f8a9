// Building chains, registering functions, configuration and their errors: everything that
// happens before Redis or Lambda is reached (a lazy Redis client that never connects, and a
// Lambda client that records what it would send).
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { InvalidConfigurationError, MemoizeUsageError } from '@memokit/core'
import {
  CascadeNotConfiguredError,
  ChainDepthExceededError,
  defaultLambdaCascade,
  LambdaCascade,
  lambdaHandler,
  LambdaPromise,
  PayloadTooLargeError,
  resetLambdaCascade,
  SharedMemory,
  type CascadeStep,
  type RegisteredFunction,
} from '@memokit/lambda'
import { createRedisClient } from '@memokit/redis'

const sends: unknown[] = []
const lambdaClient = {
  send: async (command: unknown) => {
    sends.push(command)
    return { StatusCode: 202 }
  },
} as unknown as LambdaClient
const redis = createRedisClient('redis://127.0.0.1:9', { lazyConnect: true })
const cascade = LambdaCascade({ lambdaClient, redis, namespace: 'cascade-api' })

afterAll(() => redis.disconnect())

describe('LambdaPromise', () => {
  it('works with and without new, and then()/catch() return the promise they were called on', () => {
    const root = LambdaPromise({ functionName: 'a', payload: { x: 1 } })
    const made = new LambdaPromise({ functionName: 'b' })
    expect(root).toBeInstanceOf(LambdaPromise)
    expect(made).toBeInstanceOf(LambdaPromise)
    expect(cascade.LambdaPromise({ functionName: 'c' })).toBeInstanceOf(LambdaPromise)
    expect(new cascade.LambdaPromise({ functionName: 'c' })).toBeInstanceOf(LambdaPromise)

    const [p2, p3, p4] = ['p2', 'p3', 'p4'].map((name) => LambdaPromise({ functionName: name }))
    expect(root.then(p2!).then(p3!).catch(p4!)).toBe(root)
    expect(root.thenCallbacks).toEqual([p2, p3])
    expect(root.catchCallbacks).toEqual([p4])
    expect(root.uid).toMatch(/^[0-9a-f]{32}$/)
    expect(root.uid).not.toBe(made.uid)
    expect(made.payload).toEqual({}) // the original's default
  })

  it.each([
    [{ functionName: 'resize' }, 'resize', undefined, 'resize'],
    [{ functionName: 'resize:prod' }, 'resize', 'prod', 'resize'],
    [{ functionName: 'resize', qualifier: '7' }, 'resize', '7', 'resize'],
    [{ functionName: 'resize:prod', qualifier: 'prod' }, 'resize', 'prod', 'resize'],
    [
      { functionName: '123456789012:function:resize' },
      '123456789012:function:resize',
      undefined,
      'resize',
    ],
    [
      { arn: 'arn:aws:lambda:us-east-2:123456789012:function:resize:$LATEST' },
      'arn:aws:lambda:us-east-2:123456789012:function:resize',
      '$LATEST',
      'resize',
    ],
    // The original README's form: an ARN prefix completed by the function's name.
    [
      { arn: 'arn:aws:lambda:us-east-2:123456789012:function:', functionName: 'some_function' },
      'arn:aws:lambda:us-east-2:123456789012:function:some_function',
      undefined,
      'some_function',
    ],
    [{ functionName: 'app', command: 'jobs.resize' }, 'app', undefined, 'jobs.resize'],
  ])('resolves %j', (options, functionName, qualifier, command) => {
    const promise = LambdaPromise(options)
    expect([promise.functionName, promise.qualifier, promise.command]).toEqual([
      functionName,
      qualifier,
      command,
    ])
  })

  it.each([
    [{}, /needs functionName/],
    [{ functionName: '' }, /non-empty string/],
    [{ functionName: 'a b' }, /is not a Lambda function name/],
    [
      { arn: 'arn:aws:lambda:us-east-2:123456789012:function:some_function:' },
      /remove the trailing ":"/,
    ],
    [{ functionName: 'a', arn: 'arn:aws:lambda:us-east-2:123456789012:function:b' }, /not both/],
    [{ functionName: 'a:prod', qualifier: 'dev' }, /differs from the one in the function name/],
    [{ functionName: 'a', qualifier: 'string value' }, /qualifier must be a version or alias/],
    [{ functionName: 'a', command: '' }, /command must be a non-empty string/],
    [{ functionName: 'a', uid: 'x y' }, /uid must be 1 to 128/],
    [{ functionName: 'a', payloads: {} }, /unknown LambdaPromise option "payloads"/],
  ])('refuses %j', (options, message) => {
    expect(() => LambdaPromise(options as never)).toThrow(InvalidConfigurationError)
    expect(() => LambdaPromise(options as never)).toThrow(message)
  })

  it('is not a JavaScript promise: awaiting it or passing functions fails clearly', async () => {
    const promise = LambdaPromise({ functionName: 'a' })
    await expect(
      (async () => await (promise as unknown as Promise<unknown>))(),
    ).rejects.toBeInstanceOf(MemoizeUsageError)
    expect(() => promise.then((() => {}) as never)).toThrow(/not a function/)
    expect(() => promise.catch({} as never)).toThrow(InvalidConfigurationError)
  })

  it('keeps a chain a tree: no cycles, no step in two places, no change after asyncProceed()', async () => {
    const a = cascade.LambdaPromise({ functionName: 'a' })
    const b = cascade.LambdaPromise({ functionName: 'b' })
    a.then(b)
    expect(() => b.then(a)).toThrow(/a cycle/)
    expect(() => a.then(a)).toThrow(/a cycle/)
    expect(() => cascade.LambdaPromise({ functionName: 'c' }).then(b)).toThrow(
      /already belongs to a chain/,
    )
    await expect(b.asyncProceed()).rejects.toThrow(/proceed the chain's first step/)

    const deep = cascade.LambdaPromise({ functionName: 'd' })
    let tip = deep
    for (let hop = 2; hop <= 9; hop++) {
      const next = cascade.LambdaPromise({ functionName: `d${hop}` })
      tip.then(next)
      tip = next
    }
    const refused = deep.asyncProceed()
    await expect(refused).rejects.toBeInstanceOf(ChainDepthExceededError)
    await expect(refused).rejects.toMatchObject({ hop: 9, maxHops: 8, command: 'd9' })
    expect(() => deep.then(cascade.LambdaPromise({ functionName: 'late' }))).toThrow(
      /after asyncProceed\(\)/,
    )
    expect(() => tip.then(cascade.LambdaPromise({ functionName: 'late' }))).toThrow(
      /after asyncProceed\(\)/,
    )
    expect(sends).toEqual([])
  })

  it('refuses an event over the 1 MB asynchronous limit before writing or sending anything', async () => {
    const big = cascade
      .LambdaPromise({ functionName: 'a' })
      .then(cascade.LambdaPromise({ functionName: 'b', payload: { blob: 'é'.repeat(600_000) } }))
    await expect(big.asyncProceed()).rejects.toBeInstanceOf(PayloadTooLargeError)
    await expect(big.asyncProceed()).rejects.toMatchObject({ limit: 1_048_576, functionName: 'b' })
    expect(sends).toEqual([])
  })
})

describe('lambdaPromise', () => {
  it('registers a function and returns it callable, with its types and its command', () => {
    const { lambdaPromise } = LambdaCascade({ lambdaClient, redis })
    const double = lambdaPromise((payload: { n: number }) => payload.n * 2, {
      functionName: 'double',
    })
    const result: number = double({ n: 21 })
    expect(result).toBe(42)
    expect(double.command).toBe('double')
    // @ts-expect-error the payload keeps its type
    expect(double({ n: 'x' })).toBeNaN()

    function namedStep(promise: CascadeStep, payload: { s: string }, context: unknown) {
      return [promise, payload.s, context] as const
    }
    const named: RegisteredFunction<typeof namedStep> = lambdaPromise(namedStep, {
      passPromiseObject: true,
      passContext: true,
    })
    expect(named.command).toBe('namedStep')
    expect(named.name).toBe('namedStep')
    // @ts-expect-error a function taking the step first needs passPromiseObject: true
    lambdaPromise((promise: CascadeStep, payload: { s: string }) => [promise, payload], {
      functionName: 'needs-flag',
    })
  })

  it('checks names and options', () => {
    const { lambdaPromise } = LambdaCascade({ lambdaClient, redis })
    expect(() => lambdaPromise(() => 1)).toThrow(/needs functionName for an anonymous function/)
    const first = () => 1
    lambdaPromise(first, { functionName: 'taken' })
    lambdaPromise(first, { functionName: 'taken' }) // the same function again: fine
    expect(() => lambdaPromise(() => 2, { functionName: 'taken' })).toThrow(
      /another function is already registered as "taken"/,
    )
    expect(() => lambdaPromise(first, { functionName: 'x', pass_context: true } as never)).toThrow(
      /unknown lambdaPromise option "pass_context"/,
    )
    expect(() => lambdaPromise(first, { functionName: 'x', ignoreResult: 'yes' } as never)).toThrow(
      /ignoreResult must be true or false/,
    )
    expect(() => lambdaPromise('first' as never)).toThrow(/takes a function/)
  })
})

describe('configuration', () => {
  afterEach(() => resetLambdaCascade())

  it('raises CascadeNotConfiguredError from the module-level API until configureLambdaCascade()', async () => {
    await expect(LambdaPromise({ functionName: 'a' }).asyncProceed()).rejects.toBeInstanceOf(
      CascadeNotConfiguredError,
    )
    expect(() => SharedMemory()).toThrow(CascadeNotConfiguredError)
    expect(() => defaultLambdaCascade()).toThrow(/call configureLambdaCascade/)
    const handler = lambdaHandler(() => 'main')
    await expect(handler({}, undefined)).rejects.toBeInstanceOf(CascadeNotConfiguredError)
  })

  it('works for shared memory without a lambdaClient, and says so when asked to invoke', async () => {
    const memoryOnly = LambdaCascade({ redis })
    expect(memoryOnly.SharedMemory('page').uid).toBe('page')
    await expect(memoryOnly.LambdaPromise({ functionName: 'a' }).asyncProceed()).rejects.toThrow(
      /has no lambdaClient/,
    )
  })

  it.each([
    [{ lambdaClient: {} }, /lambdaClient must be a LambdaClient/],
    [{ redis: {} }, /redis must be an ioredis Redis or Cluster client/],
    [{ namespace: 'a{b}' }, /namespace must be a non-empty string without braces/],
    [{ ttl: 0 }, /ttl must be a positive whole number/],
    [{ maxHops: 2.5 }, /maxHops must be a positive whole number/],
    [{ operationTimeout: -1 }, /operationTimeout must be/],
    [{ serde: {} }, /serde must be a SerDe/],
    [{ retries: 3 }, /unknown LambdaCascade option "retries"/],
  ])('refuses %j', (overrides, message) => {
    expect(() => LambdaCascade({ lambdaClient, redis, ...overrides } as never)).toThrow(message)
  })
})
