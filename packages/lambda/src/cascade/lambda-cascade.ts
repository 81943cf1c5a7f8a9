import type { LambdaClient } from '@aws-sdk/client-lambda'
import {
  InvalidConfigurationError,
  SuperJsonSerDe,
  systemClock,
  type Clock,
  type SerDe,
} from '@memokit/core'
import { callable } from '../callable.js'
import { checkLambdaClient } from '../validate.js'
import { ValueCodec } from './codec.js'
import { runningStep } from './current.js'
import type { StepDefinition, StepTrigger } from './definition.js'
import { hasStepUid, sendStep, stepEvent, type CascadeEvent } from './dispatch.js'
import {
  ChainDepthExceededError,
  ChainWaitTimeoutError,
  InvalidCascadeEventError,
} from './errors.js'
import { checkUid, describe } from './ids.js'
import { inspectStep, type StepReport } from './inspect.js'
import {
  boundLambdaPromise,
  type LambdaPromise,
  type LambdaPromiseConstructor,
} from './lambda-promise.js'
import { CascadeRegistry, type LambdaPromiseRegistrar } from './registry.js'
import { boundSharedMemory, type SharedMemoryConstructor } from './shared-memory.js'
import { runStep, type StepOutcome } from './step-runner.js'
import { CascadeStore, type CascadeRedisClient } from './store.js'

/** Settings of a {@link LambdaCascade}. Durations in milliseconds. */
export interface LambdaCascadeOptions {
  /**
   * Sends the step events (`InvocationType: 'Event'`); its retry policy applies. Only
   * `SharedMemory` works without one.
   */
  lambdaClient?: LambdaClient
  /** The ioredis client (`Redis` or `Cluster`) holding step records and shared memory. */
  redis: CascadeRedisClient
  /**
   * Prefix of every Redis key (`<namespace>:{<uid>}:step|mem`); no braces or whitespace.
   * Every function of one application uses the same. @default 'memokit-cascade'
   */
  namespace?: string
  /** How long step records and memory pages live after their last write. @default 24 hours */
  ttl?: number
  /** Most invocations along one path of a chain (1 = the first step). @default 8 */
  maxHops?: number
  /** Deadline of each Redis operation. @default 2,000 ms */
  operationTimeout?: number
  /**
   * The in-progress expiry of an attempt whose handler got no Lambda context (run outside
   * Lambda). With a context, the expiry is the Lambda's remaining time. @default 15 minutes
   */
  inProgressTimeout?: number
  /** Largest encoded value (result, payload, memory value) written or read. @default 8 MiB */
  maxValueBytes?: number
  /** Encodes stored values. @default SuperJsonSerDe() */
  serde?: SerDe
  /** The time in-progress expiries are computed and compared with. @default the system clock */
  clock?: Clock
}

/** Options of {@link LambdaCascade.waitForSettled}. */
export interface WaitForSettledOptions {
  /** Give up after this long (real time). @default 30,000 ms */
  timeout?: number
  /** Time between two reads of the chain's state. @default 50 ms */
  interval?: number
}

/** A Lambda handler as `lambdaHandler` returns it. */
export type CascadeHandler<E, C, R> = (
  event: E | CascadeEvent,
  context: C,
) => Promise<R | StepOutcome>

const OPTION_KEYS = new Set([
  'lambdaClient',
  'redis',
  'namespace',
  'ttl',
  'maxHops',
  'operationTimeout',
  'inProgressTimeout',
  'maxValueBytes',
  'serde',
  'clock',
])

/**
 * The LambdaPromise cascade, configured: a Lambda client, a Redis client, a namespace and
 * limits, plus the functions registered with it. It carries the original's API, bound to it:
 *
 * ```ts
 * const cascade = LambdaCascade({ lambdaClient: new LambdaClient({}), redis: new Redis(url) })
 * const { LambdaPromise, lambdaPromise, lambdaHandler, SharedMemory } = cascade
 *
 * const double = lambdaPromise((payload: { n: number }) => payload.n * 2, { functionName: 'double' })
 * export const handler = lambdaHandler(async (event) => ({ ok: true })) // other events → main
 * await LambdaPromise({ functionName: 'math', command: 'double', payload: { n: 21 } }).asyncProceed()
 * ```
 *
 * Several cascades can live in one process (each with its own registry), which is how tests
 * run several "functions" side by side. The module-level `LambdaPromise`, `lambdaPromise`,
 * `lambdaHandler` and `SharedMemory` use the cascade made by `configureLambdaCascade()`.
 * A cascade owns no connection: closing the clients is the caller's business.
 */
class LambdaCascadeImpl {
  readonly namespace: string
  readonly ttl: number
  readonly maxHops: number
  readonly inProgressTimeout: number
  readonly lambdaClient: LambdaClient | undefined
  readonly clock: Clock
  /** `LambdaPromise` bound to this cascade (`LambdaPromise(...)` / `new LambdaPromise(...)`). */
  readonly LambdaPromise: LambdaPromiseConstructor
  /** `SharedMemory` bound to this cascade. */
  readonly SharedMemory: SharedMemoryConstructor
  /** Registers a function this cascade's handler can run (see {@link LambdaPromiseRegistrar}). */
  readonly lambdaPromise: LambdaPromiseRegistrar
  /** @internal */
  readonly store: CascadeStore
  /** @internal */
  readonly codec: ValueCodec
  /** @internal */
  readonly registry: CascadeRegistry

  constructor(options: LambdaCascadeOptions) {
    this.registry = nextRegistry ?? new CascadeRegistry()
    nextRegistry = undefined
    if (options === null || typeof options !== 'object')
      throw new InvalidConfigurationError(
        `LambdaCascade needs an options object ({ lambdaClient, redis }), got ${describe(options)}`,
      )
    for (const key of Object.keys(options))
      if (!OPTION_KEYS.has(key))
        throw new InvalidConfigurationError(
          `unknown LambdaCascade option "${key}"; expected one of ${[...OPTION_KEYS].join(', ')}`,
        )
    this.lambdaClient =
      options.lambdaClient === undefined ? undefined : checkLambdaClient(options.lambdaClient)
    const redis = options.redis as unknown as Partial<Record<string, unknown>> | null | undefined
    if (
      redis === null ||
      typeof redis !== 'object' ||
      typeof redis.defineCommand !== 'function' ||
      typeof redis.hmgetBuffer !== 'function'
    )
      throw new InvalidConfigurationError(
        `redis must be an ioredis Redis or Cluster client, got ${describe(options.redis)}`,
      )
    const namespace = options.namespace ?? 'memokit-cascade'
    if (typeof namespace !== 'string' || namespace === '' || /[{}\s]/.test(namespace))
      throw new InvalidConfigurationError(
        `namespace must be a non-empty string without braces or whitespace, got ${describe(namespace)}`,
      )
    this.namespace = namespace
    this.ttl = whole('ttl', options.ttl, 86_400_000)
    this.maxHops = whole('maxHops', options.maxHops, 8)
    this.inProgressTimeout = whole('inProgressTimeout', options.inProgressTimeout, 900_000)
    const operationTimeout = whole('operationTimeout', options.operationTimeout, 2_000)
    const maxValueBytes = whole('maxValueBytes', options.maxValueBytes, 8 * 1024 * 1024)
    const serde = options.serde ?? SuperJsonSerDe()
    if (
      serde === null ||
      typeof serde !== 'object' ||
      typeof serde.serialize !== 'function' ||
      typeof serde.deserialize !== 'function'
    )
      throw new InvalidConfigurationError(`serde must be a SerDe, got ${describe(serde)}`)
    this.clock = options.clock ?? systemClock
    if (this.clock === null || typeof this.clock.now !== 'function')
      throw new InvalidConfigurationError(`clock must be a Clock, got ${describe(this.clock)}`)
    this.store = new CascadeStore(options.redis, namespace, operationTimeout)
    this.codec = new ValueCodec(serde, this.clock, maxValueBytes)
    this.LambdaPromise = boundLambdaPromise(this)
    this.SharedMemory = boundSharedMemory(this)
    this.lambdaPromise = this.registry.lambdaPromise
  }

  /**
   * Wraps `main` into the Lambda handler (the original's `@lambda_handler`): an event carrying
   * `invoked_lambda_uid` is a cascade step, run by the registered function its `command`
   * names; any other event goes to `main` (so the function keeps serving its own events, and
   * Zappa-style payloads without `command` reach it). Returns the step's {@link StepOutcome},
   * or what `main` returned.
   *
   * A step's failure is not the handler's: it is stored and the step's `catch` callbacks run.
   * The handler throws, so that Lambda retries the event, when the step is in progress
   * elsewhere (`StepInProgressError`), when Redis fails (`CascadeStoreError`) or when a
   * callback could not be queued (`MemoizedLambdaError`); and, for events that no retry can
   * fix, `InvalidCascadeEventError`, `StepNotFoundError`, `CorruptCascadeDataError`.
   */
  readonly lambdaHandler = <E = unknown, C = unknown, R = never>(
    main?: (event: E, context: C) => R | Promise<R>,
  ): CascadeHandler<E, C, R> => {
    if (main !== undefined && typeof main !== 'function')
      throw new InvalidConfigurationError(`lambdaHandler() takes a function, got ${describe(main)}`)
    return async (event, context) => {
      if (hasStepUid(event) || this.#isCommand(event))
        return runStep(this, event as Record<string, unknown>, context)
      if (main === undefined)
        throw new InvalidCascadeEventError(
          'the event is not a cascade step (no invoked_lambda_uid) and lambdaHandler() got no main handler',
        )
      return main(event as E, context)
    }
  }

  /**
   * The state of step `uid` and of the steps it triggers, read from Redis: status, attempts,
   * result, error, and whether the whole chain below it is settled.
   */
  inspect(uid: string): Promise<StepReport> {
    try {
      return inspectStep(this, checkUid('uid', uid))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Polls {@link inspect} until the chain from step `uid` is settled (every step that will run
   * has run, and its callbacks are queued); resolves to the final report. Rejects with
   * `ChainWaitTimeoutError` after `timeout` ms. Uses real time: it waits for other processes.
   */
  async waitForSettled(uid: string, options: WaitForSettledOptions = {}): Promise<StepReport> {
    const timeout = whole('timeout', options.timeout, 30_000)
    const interval = whole('interval', options.interval, 50)
    const deadline = Date.now() + timeout
    for (;;) {
      const report = await this.inspect(uid)
      if (report.settled) return report
      if (Date.now() + interval > deadline) throw new ChainWaitTimeoutError(uid, timeout)
      await new Promise((resolve) => setTimeout(resolve, interval))
    }
  }

  /**
   * Writes a chain (the step and its callbacks, recursively) and sends its first step. Called
   * by `LambdaPromise.asyncProceed()`.
   *
   * @internal
   */
  async proceed(root: LambdaPromise): Promise<string> {
    const lambdaClient = this.invoker()
    const running = runningStep.getStore()
    const chain = running?.chain ?? root.uid
    const steps: { def: StepDefinition; event: Uint8Array }[] = []
    const seen = new Set<string>()
    const visit = (
      promise: LambdaPromise,
      parent: string | undefined,
      trigger: StepTrigger,
      hop: number,
    ): void => {
      if (hop > this.maxHops)
        throw new ChainDepthExceededError({ hop, maxHops: this.maxHops, command: promise.command })
      if (seen.has(promise.uid))
        throw new InvalidConfigurationError(`the uid ${promise.uid} is used twice in one chain`)
      seen.add(promise.uid)
      const def: StepDefinition = {
        uid: promise.uid,
        chain,
        parent,
        trigger,
        hop,
        functionName: promise.functionName,
        qualifier: promise.qualifier,
        command: promise.command,
        payload: promise.payload,
        then: promise.thenCallbacks.map((child) => child.uid),
        catch: promise.catchCallbacks.map((child) => child.uid),
      }
      steps.push({ def, event: stepEvent(def) })
      for (const child of promise.thenCallbacks) visit(child, promise.uid, 'then', hop + 1)
      for (const child of promise.catchCallbacks) visit(child, promise.uid, 'catch', hop + 1)
    }
    visit(root, running?.uid, running === undefined ? 'root' : 'proceed', (running?.hop ?? 0) + 1)
    const writes = steps.map(({ def }) => {
      const key = this.store.stepKey(def.uid)
      return { key, data: this.codec.encode(`the step "${def.command}"`, key, 'def', def) }
    })
    await Promise.all(
      writes.map(({ key, data }) => this.store.write('write-step', key, this.ttl, { def: data })),
    )
    const [first] = steps as [(typeof steps)[number]]
    await sendStep(lambdaClient, first.def, first.event)
    return root.uid
  }

  /** The Lambda client, or a clear error for a cascade made for shared memory only. @internal */
  invoker(): LambdaClient {
    if (this.lambdaClient === undefined)
      throw new InvalidConfigurationError(
        'this LambdaCascade has no lambdaClient: give one (LambdaCascade({ lambdaClient, redis })) to invoke steps',
      )
    return this.lambdaClient
  }

  #isCommand(event: unknown): boolean {
    if (event === null || typeof event !== 'object') return false
    const command = (event as { command?: unknown }).command
    return typeof command === 'string' && this.registry.has(command)
  }
}

/** The registry the next cascade constructed uses (set by {@link cascadeWithRegistry}). */
let nextRegistry: CascadeRegistry | undefined

function whole(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw new InvalidConfigurationError(
      `${name} must be a positive whole number, got ${describe(value)}`,
    )
  return value
}

/** The constructor of {@link LambdaCascade}: callable with or without `new`. */
export const LambdaCascade = callable(LambdaCascadeImpl)
export type LambdaCascade = LambdaCascadeImpl

/**
 * A cascade whose registry is `registry` (the default cascade shares the module-level one).
 * @internal
 */
export function cascadeWithRegistry(
  options: LambdaCascadeOptions,
  registry: CascadeRegistry,
): LambdaCascade {
  nextRegistry = registry
  try {
    return new LambdaCascadeImpl(options)
  } finally {
    nextRegistry = undefined
  }
}
